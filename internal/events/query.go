package events

import (
	"context"
	"fmt"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// loadEvents reads the events matching where (on alias e) with their
// clocks at now, ordered by report time.
func (s *Store) loadEvents(ctx context.Context, q store.Queryer, where string, args store.Args, now time.Time) ([]Event, error) {
	return s.loadEventsPrefixed(ctx, q, "", where, args, now)
}

func (s *Store) loadEventsPrefixed(ctx context.Context, q store.Queryer, prefix, where string, args store.Args, now time.Time) ([]Event, error) {
	es, err := store.All(ctx, q, "events", prefix+`SELECT `+eventColumns+` FROM events e WHERE `+where+` ORDER BY e.reported_at, e.id`, args, s.scanEvent)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	if err := s.withClocks(ctx, q, es, now); err != nil {
		return nil, err
	}
	return es, nil
}

// withClocks computes the clocks of es at now.
func (s *Store) withClocks(ctx context.Context, q store.Queryer, es []Event, now time.Time) error {
	if len(es) == 0 {
		return nil
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return fmt.Errorf("events: calendar: %w", err)
	}
	var cats map[string]Category
	if len(es) == 1 {
		// One event (a Get, a step): its category only.
		c, err := getCategory(ctx, q, es[0].CategoryCode)
		if err != nil {
			return err
		}
		cats = map[string]Category{}
		if c != nil {
			cats[c.Code] = *c
		}
	} else if cats, err = categoriesByCode(ctx, q); err != nil {
		return err
	}
	var ids []string
	if len(es) <= 500 {
		ids = make([]string, len(es))
		for i := range es {
			ids[i] = es[i].ID
		}
	}
	tls, err := loadTimelines(ctx, q, ids)
	if err != nil {
		return err
	}
	for i := range es {
		e := &es[i]
		e.clockAt = now
		e.Clocks = clocks(cal, e, cats[e.CategoryCode], tls[e.ID], now)
		e.MajorLate = e.majorLate(now)
	}
	return nil
}

// get reads one event with its clocks, and with its whole timeline when
// full.
func (s *Store) get(ctx context.Context, q store.Queryer, id string, full bool) (Event, error) {
	e, err := s.getEvent(ctx, q, id)
	if err != nil {
		return Event{}, err
	}
	es := []Event{e}
	if err := s.withClocks(ctx, q, es, s.now()); err != nil {
		return Event{}, err
	}
	e = es[0]
	if e.Matches, err = store.All(ctx, q, "near matches", `SELECT m.match_id, m.distance_m, e.state, e.reported_at FROM event_matches m
		JOIN events e ON e.id = m.match_id WHERE m.event_id = $1 ORDER BY m.distance_m, m.match_id`, store.Args{id},
		func(r store.Row) (Match, error) {
			var m Match
			err := r.Scan(&m.EventID, &m.DistanceM, &m.State, &m.ReportedAt)
			m.ReportedAt = m.ReportedAt.UTC()
			return m, err
		}); err != nil {
		return Event{}, fmt.Errorf("events: %w", err)
	}
	if e.Photos, err = store.All(ctx, q, "event photos", `SELECT sha256, stage, added_at FROM event_photos WHERE event_id = $1 ORDER BY added_at, stage = 'handle', sha256`,
		store.Args{id}, func(r store.Row) (Photo, error) {
			var p Photo
			err := r.Scan(&p.SHA256, &p.Stage, &p.AddedAt)
			p.AddedAt = p.AddedAt.UTC()
			return p, err
		}); err != nil {
		return Event{}, fmt.Errorf("events: %w", err)
	}
	if !full {
		return e, nil
	}
	if e.Steps, err = store.All(ctx, q, "event steps", `SELECT seq, action, from_state, to_state, at, user_id, COALESCE(worker_id, ''), note
		FROM event_steps WHERE event_id = $1 ORDER BY seq`, store.Args{id}, func(r store.Row) (Step, error) {
		var st Step
		err := r.Scan(&st.Seq, &st.Action, &st.From, &st.To, &st.At, &st.UserID, &st.WorkerID, &st.Note)
		st.At = st.At.UTC()
		return st, err
	}); err != nil {
		return Event{}, fmt.Errorf("events: %w", err)
	}
	if e.Requests, err = store.All(ctx, q, "event requests", `SELECT id, event_id, kind, stage, extra, reason, requested_by, requested_at, status,
		decided_by, decided_at, decision_note FROM event_requests WHERE event_id = $1 ORDER BY requested_at, id`, store.Args{id},
		func(r store.Row) (Request, error) {
			var x Request
			err := r.Scan(&x.ID, &x.EventID, &x.Kind, &x.Stage, &x.Extra, &x.Reason, &x.RequestedBy, &x.RequestedAt, &x.Status,
				&x.DecidedBy, &x.DecidedAt, &x.DecisionNote)
			x.RequestedAt = x.RequestedAt.UTC()
			return x, err
		}); err != nil {
		return Event{}, fmt.Errorf("events: %w", err)
	}
	if e.Cards, _, err = s.Cards(ctx, CardQuery{EventID: id}); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Get returns one event with its clocks and its whole timeline: steps,
// photos, requests, cards and near matches. Errors: NotFound.
func (s *Store) Get(ctx context.Context, id string) (Event, error) {
	return s.get(ctx, s.db.Q(ctx), id, true)
}

// Query selects events; empty fields do not filter.
type Query struct {
	WithinID     string // events of grids under this unit
	GridID       string
	State        State
	Stage        Stage // the queue of a stage: open events whose current stage it is
	CategoryCode string
	Severity     Severity
	Source       Source
	ReporterID   string // the reporting worker
	AssigneeID   string // the worker it was dispatched to
	Light        Light  // the current stage's light
	// Open keeps events neither closed nor voided.
	Open bool
	// From and To bound the report time: [From, To).
	From, To      time.Time
	Limit, Offset int
}

// List returns the events matching q with their clocks, newest report
// first, and the total before paging.
func (s *Store) List(ctx context.Context, q Query) ([]Event, int, error) {
	var w store.Where
	prefix := ""
	if q.WithinID != "" {
		prefix = org.SubtreeCTE(&w.Args, q.WithinID, dates.Of(s.now()))
		w.Cond("e.grid_id IN (SELECT id FROM sub)")
	}
	w.Eq("e.grid_id", q.GridID)
	w.Eq("e.state", string(q.State))
	w.Eq("e.category_code", q.CategoryCode)
	w.Eq("e.severity", string(q.Severity))
	w.Eq("e.source", string(q.Source))
	w.Eq("e.reporter_worker_id", q.ReporterID)
	w.Eq("e.assignee_worker_id", q.AssigneeID)
	if q.Open {
		w.Cond("e.state NOT IN ('closed', 'voided')")
	}
	if q.Stage != "" {
		var states []string
		for _, st := range States {
			if st.Open() && st != Parked && currentStage(st) == q.Stage {
				states = append(states, string(st))
			}
		}
		cond := "e.state IN ("
		for i, st := range states {
			if i > 0 {
				cond += ", "
			}
			cond += w.Args.Add(st)
		}
		w.Cond(cond + ")")
	}
	if !q.From.IsZero() {
		w.Cond("e.reported_at >= " + w.Args.Add(q.From.UTC()))
	}
	if !q.To.IsZero() {
		w.Cond("e.reported_at < " + w.Args.Add(q.To.UTC()))
	}
	q2 := s.db.Q(ctx)
	if q.Light == "" {
		es, total, err := store.List(ctx, q2, "events", store.ListQuery{Prefix: prefix, Cols: eventColumns, From: ` FROM events e WHERE ` + w.String(),
			Order: "e.reported_at DESC, e.id", Limit: q.Limit, Offset: q.Offset}, w.Args, s.scanEvent)
		if err != nil {
			return nil, 0, fmt.Errorf("events: %w", err)
		}
		if err := s.withClocks(ctx, q2, es, s.now()); err != nil {
			return nil, 0, err
		}
		if es == nil {
			es = []Event{}
		}
		return es, total, nil
	}
	// A light is computed, not stored: filter the open matches in memory.
	w.Cond("e.state NOT IN ('closed', 'voided')")
	all, err := s.loadEventsPrefixed(ctx, q2, prefix, w.String(), w.Args, s.now())
	if err != nil {
		return nil, 0, err
	}
	var keep []Event
	for i := len(all) - 1; i >= 0; i-- { // newest first
		if c := currentClock(&all[i]); c != nil && c.Light == q.Light {
			keep = append(keep, all[i])
		}
	}
	total := len(keep)
	lo := min(q.Offset, total)
	hi := total
	if q.Limit > 0 {
		hi = min(lo+q.Limit, total)
	}
	out := keep[lo:hi]
	if out == nil {
		out = []Event{}
	}
	return out, total, nil
}

// Requests returns the pending requests of events in grids under within
// (all when empty), oldest first: the centre's approval queue.
func (s *Store) Requests(ctx context.Context, within string) ([]Request, error) {
	var w store.Where
	prefix := ""
	if within != "" {
		prefix = org.SubtreeCTE(&w.Args, within, dates.Of(s.now()))
		w.Cond("e.grid_id IN (SELECT id FROM sub)")
	}
	rs, err := store.All(ctx, s.db.Q(ctx), "event requests", prefix+`SELECT r.id, r.event_id, r.kind, r.stage, r.extra, r.reason, r.requested_by,
		r.requested_at, r.status, r.decided_by, r.decided_at, r.decision_note FROM event_requests r JOIN events e ON e.id = r.event_id
		WHERE r.status = 'pending' AND `+w.String()+` ORDER BY r.requested_at, r.id`, w.Args,
		func(r store.Row) (Request, error) {
			var x Request
			err := r.Scan(&x.ID, &x.EventID, &x.Kind, &x.Stage, &x.Extra, &x.Reason, &x.RequestedBy, &x.RequestedAt, &x.Status,
				&x.DecidedBy, &x.DecidedAt, &x.DecisionNote)
			x.RequestedAt = x.RequestedAt.UTC()
			return x, err
		})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return rs, nil
}
