package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/events"
	"gridwork/internal/workcal"
)

// eventRoutes registers the events API: the queues, one event with its
// timeline, reporting, the workflow steps, approvals, cards, the category
// tree and the work calendar; and the Open311 endpoints (open311.go).
func (s *Server) eventRoutes() {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	tags := []string{"events"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	op(s, o("list-events", get, "/api/events", "Events in your scope: a stage's queue, with each event's clocks and lights"), needs(auth.ReadEvents), s.listEvents)
	op(s, created(o("report-event", post, "/api/events", "Report an event (上报); a resend with the same client_id returns the first")), needs(auth.ReportEvent), s.reportEvent)
	op(s, o("list-event-requests", get, "/api/events/requests", "Pending extension, parking and void requests in your scope"), needs(auth.ReadEvents), s.listEventRequests)
	op(s, o("get-event", get, "/api/events/{id}", "One event with its clocks, steps, photos, requests, cards and near matches"), needs(auth.ReadEvents), s.getEvent)
	op(s, o("event-action", post, "/api/events/{id}/actions/{action}", "Take a workflow step, or ask for an extension, parking or voiding"), needs(auth.HandleEvents), s.eventAction)
	op(s, o("event-decision", post, "/api/events/{id}/decisions/{action}", "Approve or reject a pending extension, parking or void request"), needs(auth.ApproveEvents), s.eventDecision)
	op(s, o("list-event-cards", get, "/api/event-cards", "Yellow and red cards in your scope, newest first"), needs(auth.ReadEvents), s.listEventCards)
	op(s, o("list-event-categories", get, "/api/event-categories", "The event category tree with limits and reporting conditions"), needs(auth.ReadEvents), s.listEventCategories)
	op(s, o("set-event-category", put, "/api/event-categories/{code}", "Create or change a category"), needs(auth.ConfigureEvents), s.setEventCategory)
	op(s, o("delete-event-category", del, "/api/event-categories/{code}", "Delete an unused category"), needs(auth.ConfigureEvents), s.deleteEventCategory)
	op(s, o("list-calendar-days", get, "/api/calendar/days", "The work calendar day by day: working days, holidays, swapped working days"), needs(auth.ReadEvents), s.listCalendarDays)
	op(s, o("set-calendar-day", put, "/api/calendar/days/{date}", "Make a date a holiday or a working day"), needs(auth.ConfigureEvents), s.setCalendarDay)
	op(s, o("delete-calendar-day", del, "/api/calendar/days/{date}", "Remove a hand-set day (the built-in rule applies again)"), needs(auth.ConfigureEvents), s.deleteCalendarDay)
	s.open311Routes()
}

// actor is the caller as the events store records them.
func actor(u auth.User) events.Actor { return events.Actor{UserID: u.ID, WorkerID: u.WorkerID} }

type listEventsInput struct {
	WithinID     string `query:"within_id" doc:"only events of grids under this unit"`
	GridID       string `query:"grid_id"`
	State        string `query:"state" enum:"reported,accepted,dispatched,handled,verified,closed,parked,voided"`
	Stage        string `query:"stage" enum:"accept,dispatch,handle,verify,close" doc:"a stage's queue: open events waiting for its step"`
	CategoryCode string `query:"category_code"`
	Severity     string `query:"severity" enum:"ordinary,larger,major"`
	Source       string `query:"source" enum:"worker,resident,hotline,higher,inspection"`
	ReporterID   string `query:"reporter_id" doc:"the reporting worker"`
	AssigneeID   string `query:"assignee_id" doc:"the worker it was dispatched to"`
	Light        string `query:"light" enum:"green,yellow,red,parked" doc:"the current stage's light"`
	Open         bool   `query:"open" doc:"only events neither closed nor voided"`
	From         string `query:"from" doc:"reported on or after this day, YYYY-MM-DD"`
	To           string `query:"to" doc:"reported on or before this day, YYYY-MM-DD"`
	WithCards    bool   `query:"with_cards" doc:"include each event's yellow and red cards (as stored by the last sweep)"`
	Page
}

func (s *Server) listEvents(ctx context.Context, u auth.User, in *listEventsInput) (*struct{ Body ListBody[events.Event] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	q := events.Query{WithinID: within, GridID: in.GridID, State: events.State(in.State), Stage: events.Stage(in.Stage),
		CategoryCode: in.CategoryCode, Severity: events.Severity(in.Severity), Source: events.Source(in.Source),
		ReporterID: in.ReporterID, AssigneeID: in.AssigneeID, Light: events.Light(in.Light), Open: in.Open}
	if in.From != "" {
		d, err := onDate("from", in.From)
		if err != nil {
			return nil, err
		}
		q.From = d.Start()
	}
	if in.To != "" {
		d, err := onDate("to", in.To)
		if err != nil {
			return nil, err
		}
		q.To = d.AddDays(1).Start()
	}
	q.Limit, q.Offset = in.limitOffset()
	es, total, err := s.events.List(ctx, q)
	if err != nil {
		return nil, err
	}
	if in.WithCards {
		ids := make([]string, len(es))
		for i := range es {
			ids[i] = es[i].ID
		}
		cards, err := s.events.CardsOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i := range es {
			es[i].Cards = cards[es[i].ID]
		}
	}
	return list(es, total, in.Page), nil
}

// eventScope checks that u may see event id (write false) or act on it
// (write true): its grid in u's scope; for a grid worker writing, their own
// grid, or an event dispatched to them.
func (s *Server) eventScope(ctx context.Context, u auth.User, id string, write bool) error {
	grid, _, err := s.events.GridOf(ctx, id)
	if err != nil {
		return err
	}
	if !write || s.scope(ctx).Can(auth.WriteAnyGrid) {
		return s.readGrid(ctx, u, grid)
	}
	err = s.auth.CheckWrite(ctx, u, auth.HandleEvents, grid, dates.Today())
	if err == nil || u.WorkerID == "" {
		return err
	}
	// Not their grid: an event dispatched to them is theirs to act on.
	e, gerr := s.events.Get(ctx, id)
	if gerr != nil {
		return gerr
	}
	if e.AssigneeWorkerID == u.WorkerID {
		return nil
	}
	return err
}

func (s *Server) getEvent(ctx context.Context, u auth.User, in *idInput) (*struct{ Body events.Event }, error) {
	if err := s.eventScope(ctx, u, in.ID, false); err != nil {
		return nil, err
	}
	return reply(s.events.Get(ctx, in.ID))
}

// ReportEventBody is an event to report. A grid worker's report is the
// worker's own (source worker); staff entering a call or a referral say
// where it came from.
type ReportEventBody struct {
	events.NewEvent
	Source string `json:"source,omitempty" enum:"hotline,higher,inspection,resident" doc:"staff only: where the event came from (default hotline)"`
}

func (s *Server) reportEvent(ctx context.Context, u auth.User, in *struct{ Body ReportEventBody }) (*struct{ Body events.ReportResult }, error) {
	ne := in.Body.NewEvent
	if ne.GridID == "" && ne.Lat != nil && ne.Lon != nil {
		g, err := s.events.Locate(ctx, *ne.Lat, *ne.Lon)
		if err != nil {
			return nil, err
		}
		ne.GridID = g
	}
	if ne.GridID != "" {
		if err := s.writeGrid(ctx, u, auth.ReportEvent, ne.GridID); err != nil {
			return nil, err
		}
	}
	switch {
	case u.WorkerID != "":
		ne.Source = events.FromWorker
	case in.Body.Source != "":
		ne.Source = events.Source(in.Body.Source)
	default:
		ne.Source = events.FromHotline
	}
	return reply(s.events.Report(ctx, actor(u), ne))
}

// stepActions names the action of auth's table that each workflow step
// needs (which roles take it is the table's business; the scope is checked
// separately).
var stepActions = map[events.Action]auth.Action{
	events.Accept: auth.EventAccept, events.Dispatch: auth.EventDispatch, events.Handle: auth.EventHandle,
	events.Verify: auth.EventVerify, events.Close: auth.EventClose, events.SendBack: auth.EventSendBack,
	events.Escalate: auth.EventEscalate, events.RequestExtension: auth.EventRequestExtension,
	events.RequestPark: auth.EventRequestPark, events.RequestVoid: auth.EventRequestVoid, events.Resume: auth.EventResume,
}

func (s *Server) eventAction(ctx context.Context, u auth.User, in *struct {
	ID     string `path:"id"`
	Action string `path:"action" enum:"accept,dispatch,handle,verify,close,send_back,escalate,request_extension,request_park,request_void,resume"`
	Body   events.ActInput
}) (*struct{ Body events.Event }, error) {
	a := events.Action(in.Action)
	sc := s.scope(ctx)
	if step, ok := stepActions[a]; !ok || !sc.Can(step) {
		return nil, apperr.New(apperr.Forbidden, "a %s may not %s an event", u.Role, a)
	}
	if err := s.eventScope(ctx, u, in.ID, true); err != nil {
		return nil, err
	}
	if a == events.Handle && !sc.Can(auth.EventHandleAny) {
		e, err := s.events.Get(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if e.AssigneeWorkerID != u.WorkerID {
			return nil, apperr.New(apperr.Forbidden, "event %s was not dispatched to you", in.ID)
		}
	}
	return reply(s.events.Act(ctx, actor(u), in.ID, a, in.Body))
}

func (s *Server) eventDecision(ctx context.Context, u auth.User, in *struct {
	ID     string `path:"id"`
	Action string `path:"action" enum:"approve_extension,reject_extension,approve_park,reject_park,approve_void,reject_void"`
	Body   events.ActInput
}) (*struct{ Body events.Event }, error) {
	if err := s.eventScope(ctx, u, in.ID, true); err != nil {
		return nil, err
	}
	return reply(s.events.Act(ctx, actor(u), in.ID, events.Action(in.Action), in.Body))
}

func (s *Server) listEventRequests(ctx context.Context, u auth.User, in *struct {
	WithinID string `query:"within_id"`
}) (*struct{ Body []events.Request }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	return reply(s.events.Requests(ctx, within))
}

func (s *Server) listEventCards(ctx context.Context, u auth.User, in *struct {
	WithinID string `query:"within_id"`
	WorkerID string `query:"worker_id"`
	Color    string `query:"color" enum:"yellow,red"`
	Month    string `query:"month" doc:"YYYY-MM: cards whose line was passed in this month"`
	Page
}) (*struct{ Body ListBody[events.Card] }, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return nil, err
	}
	// Cards are stored by a sweep; run it so the list is current.
	if _, err := s.events.IssueCards(ctx, time.Now()); err != nil {
		return nil, err
	}
	q := events.CardQuery{WithinID: within, WorkerID: in.WorkerID, Color: events.Color(in.Color)}
	if in.Month != "" {
		d, err := dates.Parse(in.Month + "-01")
		if err != nil {
			return nil, apperr.Field("month", fmt.Sprintf("%q is not a month YYYY-MM", in.Month))
		}
		q.From, q.To = d.Start(), d.AddMonths(1).Start()
	}
	q.Limit, q.Offset = in.limitOffset()
	cs, total, err := s.events.Cards(ctx, q)
	if err != nil {
		return nil, err
	}
	return list(cs, total, in.Page), nil
}

func (s *Server) listEventCategories(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []events.Category }, error) {
	return reply(s.events.Categories(ctx))
}

// CategoryBody is a category to set. Without "active" a new category is
// active and an existing one keeps its state.
type CategoryBody struct {
	events.Category
	Active *bool `json:"active,omitempty"`
}

func (s *Server) setEventCategory(ctx context.Context, u auth.User, in *struct {
	Code string `path:"code"`
	Body CategoryBody
}) (*struct{ Body events.Category }, error) {
	c := in.Body.Category
	c.Code = in.Code
	switch old, err := s.events.Category(ctx, in.Code); {
	case in.Body.Active != nil:
		c.Active = *in.Body.Active
	case err == nil:
		c.Active = old.Active
	case apperr.CodeOf(err) == apperr.NotFound:
		c.Active = true
	default:
		return nil, err
	}
	return reply(s.events.SetCategory(ctx, u.ID, c))
}

func (s *Server) deleteEventCategory(ctx context.Context, u auth.User, in *struct {
	Code string `path:"code"`
}) (*struct{}, error) {
	return &struct{}{}, s.events.DeleteCategory(ctx, u.ID, in.Code)
}

// CalendarDay is one day of the work calendar.
type CalendarDay struct {
	Date    dates.Date `json:"date"`
	Weekday string     `json:"weekday"`
	Workday bool       `json:"workday"`
	// Kind and Name are set for a day that differs from the weekday rule
	// (a public holiday, a swapped working day), built-in or set by hand.
	Kind string `json:"kind,omitempty" enum:"holiday,workday"`
	Name string `json:"name,omitempty"`
}

// maxCalendarDays bounds one calendar listing.
const maxCalendarDays = 366

func (s *Server) listCalendarDays(ctx context.Context, u auth.User, in *struct {
	From string `query:"from" doc:"YYYY-MM-DD; default the 1st of this month"`
	To   string `query:"to" doc:"YYYY-MM-DD; default the end of the month of from"`
}) (*struct{ Body []CalendarDay }, error) {
	today := dates.Today()
	from := dates.New(today.Year(), today.Month(), 1)
	if in.From != "" {
		d, err := onDate("from", in.From)
		if err != nil {
			return nil, err
		}
		from = d
	}
	to := dates.New(from.Year(), from.Month(), 1).AddMonths(1).AddDays(-1)
	if in.To != "" {
		d, err := onDate("to", in.To)
		if err != nil {
			return nil, err
		}
		to = d
	}
	if to.Before(from) || from.AddDays(maxCalendarDays).Before(to) {
		return nil, apperr.Field("to", fmt.Sprintf("must be on or after from and at most %d days later", maxCalendarDays))
	}
	cal, err := s.events.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	over := map[dates.Date]workcal.Override{}
	for _, o := range cal.Overrides(from, to) {
		over[o.Date] = o
	}
	var out []CalendarDay
	for d := from; !d.After(to); d = d.AddDays(1) {
		day := CalendarDay{Date: d, Weekday: d.Weekday().String(), Workday: cal.IsWorkday(d)}
		if o, ok := over[d]; ok {
			day.Kind, day.Name = string(o.Kind), o.Name
		}
		out = append(out, day)
	}
	return &struct{ Body []CalendarDay }{out}, nil
}

func (s *Server) setCalendarDay(ctx context.Context, u auth.User, in *struct {
	Date string `path:"date"`
	Body struct {
		Kind string `json:"kind" enum:"holiday,workday"`
		Name string `json:"name" doc:"why, e.g. 春节 or 春节调休上班"`
	}
}) (*struct{ Body CalendarDay }, error) {
	d, err := dates.Parse(in.Date)
	if err != nil {
		return nil, apperr.Field("date", err.Error())
	}
	o := workcal.Override{Date: d, Kind: workcal.DayKind(in.Body.Kind), Name: in.Body.Name}
	if err := s.events.CalendarStore().SetDay(ctx, u.ID, o); err != nil {
		return nil, err
	}
	return &struct{ Body CalendarDay }{CalendarDay{Date: d, Weekday: d.Weekday().String(), Workday: o.Kind == workcal.Workday, Kind: in.Body.Kind, Name: o.Name}}, nil
}

func (s *Server) deleteCalendarDay(ctx context.Context, u auth.User, in *struct {
	Date string `path:"date"`
}) (*struct{}, error) {
	d, err := dates.Parse(in.Date)
	if err != nil {
		return nil, apperr.Field("date", err.Error())
	}
	return &struct{}{}, s.events.CalendarStore().DeleteDay(ctx, u.ID, d)
}
