package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/duty"
	"gridwork/internal/metric"
)

// ClientHeader lets a client say whether it is the phone app or the PC
// system, for the daily login record: "app" or "pc". Without it a bearer
// token counts as the app and the browser session as the PC system.
const ClientHeader = "X-Gridwork-Client"

// noteLogin records the day's login of a worker's account (duty.NoteLogin:
// one database write per worker, client and day). A failure is logged and
// never fails the request.
func (s *Server) noteLogin(r *http.Request, u auth.User, viaCookie bool) {
	// Only API calls count: the browser also sends the session cookie with
	// the app's own files (pages, scripts), which carry no client header.
	if u.WorkerID == "" || !strings.HasPrefix(r.URL.Path, "/api/") {
		return
	}
	c := duty.App
	if viaCookie {
		c = duty.PC
	}
	if h := duty.Client(strings.ToLower(strings.TrimSpace(r.Header.Get(ClientHeader)))); h.Valid() {
		c = h
	}
	if err := s.duty.NoteLogin(r.Context(), u.WorkerID, c, time.Now()); err != nil {
		slog.ErrorContext(r.Context(), "duty: note login", "worker", u.WorkerID, "err", err)
	}
}

func (s *Server) dutyRoutes() {
	get, post := http.MethodGet, http.MethodPost
	tags := []string{"duty"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	op(s, o("list-duty-logins", get, "/api/duty/logins", "Daily app and PC logins"), needs(auth.ReadDuty), s.listDutyLogins)
	op(s, created(o("record-duty-login", post, "/api/duty/logins", "Enter a login by hand (e.g. from another platform's list)")), needs(auth.ManageDuty), s.recordDutyLogin)
	op(s, o("get-duty-profile", get, "/api/duty/profiles/{worker_id}", "A worker's duty profile (office-based, app installed)"), needs(auth.ReadDuty), s.getDutyProfile)
	op(s, o("set-duty-profile", http.MethodPut, "/api/duty/profiles/{worker_id}", "Set a worker's duty profile"), needs(auth.ManageDuty), s.setDutyProfile)

	op(s, o("list-meetings", get, "/api/duty/meetings", "Meetings, trainings and checks with attendance"), needs(auth.ReadDuty), s.listMeetings)
	op(s, created(o("record-meeting", post, "/api/duty/meetings", "Record a meeting, training or check with its attendance")), needs(auth.ManageDuty), s.recordMeeting)
	op(s, o("get-meeting", get, "/api/duty/meetings/{id}", "One meeting with attendance"), needs(auth.ReadDuty), s.getMeeting)
	op(s, o("update-meeting", http.MethodPatch, "/api/duty/meetings/{id}", "File minutes, report the outcome up, correct attendance"), needs(auth.ManageDuty), s.updateMeeting)

	op(s, o("list-leave", get, "/api/duty/leave", "Leave slips"), needs(auth.ReadDuty), s.listLeave)
	op(s, created(o("request-leave", post, "/api/duty/leave", "Request leave (请假单)")), needs(auth.WriteDuty), s.requestLeave)
	op(s, o("decide-leave", post, "/api/duty/leave/{id}/{decision}", "Approve or reject a leave request"), needs(auth.ApproveLeave), s.decideLeave)
	op(s, o("withdraw-leave", post, "/api/duty/leave/{id}/withdraw", "Withdraw a leave request not yet decided"), needs(auth.WriteDuty), s.withdrawLeave)

	op(s, o("list-work-sheets", get, "/api/duty/sheets", "Daily work sheets (日工作单) with lateness"), needs(auth.ReadDuty), s.listSheets)
	op(s, created(o("sign-in", post, "/api/duty/sheets", "Sign in with the day's plan")), needs(auth.WriteDuty), s.signIn)
	op(s, o("sign-out", post, "/api/duty/sheets/{id}/sign-out", "Sign out with the day's result"), needs(auth.WriteDuty), s.signOut)

	op(s, o("list-activities", get, "/api/duty/activities", "Volunteer activities"), needs(auth.ReadDuty), s.listActivities)
	op(s, created(o("record-activity", post, "/api/duty/activities", "Record a volunteer activity with photos")), needs(auth.WriteDuty), s.recordActivity)
	op(s, o("review-activity", post, "/api/duty/activities/{id}/review", "Mark an activity valid or invalid (e.g. no uniforms)"), needs(auth.ReviewDuty), s.reviewActivity)

	op(s, o("list-articles", get, "/api/duty/articles", "Publicity articles"), needs(auth.ReadDuty), s.listArticles)
	op(s, created(o("record-article", post, "/api/duty/articles", "Record a publicity article with its level")), needs(auth.ManageDuty), s.recordArticle)

	op(s, o("list-duty-reports", get, "/api/duty/reports", "Required reports with deadlines"), needs(auth.ReadDuty), s.listDutyReports)
	op(s, created(o("require-report", post, "/api/duty/reports", "Require a report of a unit by a deadline")), needs(auth.ManageDuty), s.requireReport)
	op(s, o("submit-report", post, "/api/duty/reports/{id}/submit", "Submit a required report"), needs(auth.WriteDuty), s.submitReport)
	op(s, o("review-report", post, "/api/duty/reports/{id}/review", "Review a submitted report: ok, wrong or perfunctory"), needs(auth.ReviewDuty), s.reviewReport)

	op(s, o("list-duty-systems", get, "/api/duty/systems", "The communities' written systems on file"), needs(auth.ReadDuty), s.listSystems)
	op(s, created(o("file-duty-system", post, "/api/duty/systems", "Put a community's written system on file")), needs(auth.ManageDuty), s.fileSystem)
	op(s, o("withdraw-duty-system", post, "/api/duty/systems/{id}/withdraw", "Take a system off file from a date"), needs(auth.ManageDuty), s.withdrawSystem)

	op(s, o("list-duty-findings", get, "/api/duty/findings", "Duty findings (assignments refused, phone not carried, …)"), needs(auth.ReadDuty), s.listDutyFindings)
	op(s, created(o("record-duty-finding", post, "/api/duty/findings", "Record a duty finding with a note")), needs(auth.ManageDuty), s.recordDutyFinding)

	op(s, o("duty-month", get, "/api/duty/workers/{id}/month", "A worker's duty month: days, meetings, leave, activities, reports, findings and facts"), needs(auth.ReadDuty), s.dutyMonth)
}

// ---- scope

// DutyListInput is the common filter of duty lists (exported so that huma
// reads its fields where it is embedded).
type DutyListInput struct {
	Month    string `query:"month" pattern:"^\\d{4}-\\d{2}$" doc:"YYYY-MM; default all"`
	WorkerID string `query:"worker_id" doc:"one worker's records (a grid worker sees only their own)"`
	WithinID string `query:"within_id" doc:"records of the workers or units under this unit"`
}

// span returns the month's first and last day, or zero dates for all.
func (in DutyListInput) span() (dates.Date, dates.Date, error) {
	if in.Month == "" {
		return dates.Date{}, dates.Date{}, nil
	}
	p, err := metric.ParsePeriod(in.Month)
	if err != nil {
		return dates.Date{}, dates.Date{}, apperr.Field("month", err.Error())
	}
	return p.First(), p.Last(), nil
}

// dutyScope returns what a caller may list: a grid worker only their own
// records; others the records in their scope, optionally one worker's
// (whose home unit must be in scope) or a unit's subtree.
func (s *Server) dutyScope(ctx context.Context, u auth.User, in DutyListInput) (duty.Scope, error) {
	if own, only := s.scope(ctx).OwnOnly(); only {
		if in.WorkerID != "" && in.WorkerID != own {
			return duty.Scope{}, apperr.New(apperr.Forbidden, "you see only your own duty records")
		}
		return duty.Scope{WorkerID: own}, nil
	}
	within, err := s.listScope(ctx, u, in.WithinID)
	if err != nil {
		return duty.Scope{}, err
	}
	if in.WorkerID != "" {
		if err := s.dutyWorkerInScope(ctx, u, in.WorkerID); err != nil {
			return duty.Scope{}, err
		}
	}
	return duty.Scope{WithinID: within, WorkerID: in.WorkerID}, nil
}

// dutyWorkerInScope refuses a worker whose home unit lies outside u's
// scope, and a grid worker anyone but themselves.
func (s *Server) dutyWorkerInScope(ctx context.Context, u auth.User, workerID string) error {
	if own, only := s.scope(ctx).OwnOnly(); only {
		if workerID != own {
			return apperr.New(apperr.Forbidden, "a grid worker records and reads only their own duty")
		}
		return nil
	}
	w, err := s.org.GetWorker(ctx, workerID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.Field("worker_id", "no worker "+workerID)
	}
	if err != nil {
		return err
	}
	return s.checkWorkerScope(ctx, u, w)
}

// ownWorker fills in the caller's own worker when none is named.
func ownWorker(u auth.User, id *string) {
	if *id == "" {
		*id = u.WorkerID
	}
}

// dutyUnitInScope refuses a unit outside u's scope.
func (s *Server) dutyUnitInScope(ctx context.Context, u auth.User, unitID string) error {
	if unitID == "" {
		return apperr.Field("unit_id", "is required")
	}
	return s.auth.CheckScope(ctx, u, unitID, dates.Today())
}

// dutyListed returns what the caller may list (dutyScope) and the month's
// first and last day (span).
func (s *Server) dutyListed(ctx context.Context, u auth.User, in DutyListInput) (duty.Scope, dates.Date, dates.Date, error) {
	sc, err := s.dutyScope(ctx, u, in)
	if err != nil {
		return duty.Scope{}, dates.Date{}, dates.Date{}, err
	}
	from, to, err := in.span()
	return sc, from, to, err
}

// dutyList answers a list of duty records of a month in the caller's scope.
func dutyList[T any](ctx context.Context, s *Server, u auth.User, in *DutyListInput, list func(context.Context, duty.Scope, dates.Date, dates.Date) ([]T, error)) (*struct{ Body []T }, error) {
	sc, from, to, err := s.dutyListed(ctx, u, *in)
	if err != nil {
		return nil, err
	}
	return reply(list(ctx, sc, from, to))
}

// ---- logins and profiles

func (s *Server) listDutyLogins(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Login }, error) {
	return dutyList(ctx, s, u, in, s.duty.Logins)
}

func (s *Server) recordDutyLogin(ctx context.Context, u auth.User, in *struct{ Body duty.NewLogin }) (*struct{ Body duty.Login }, error) {
	if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.duty.RecordLogin(ctx, u.ID, in.Body))
}

type workerPath struct {
	WorkerID string `path:"worker_id"`
}

func (s *Server) getDutyProfile(ctx context.Context, u auth.User, in *workerPath) (*struct{ Body duty.Profile }, error) {
	if err := s.dutyWorkerInScope(ctx, u, in.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.duty.Profile(ctx, in.WorkerID))
}

func (s *Server) setDutyProfile(ctx context.Context, u auth.User, in *struct {
	WorkerID string `path:"worker_id"`
	Body     duty.Profile
}) (*struct{ Body duty.Profile }, error) {
	if err := s.dutyWorkerInScope(ctx, u, in.WorkerID); err != nil {
		return nil, err
	}
	in.Body.WorkerID = in.WorkerID
	return reply(s.duty.SetProfile(ctx, u.ID, in.Body))
}

// ---- meetings

type listMeetingsInput struct {
	DutyListInput
	Kind string `query:"kind" enum:"morning,analysis,regular,training,check,campaign"`
}

func (s *Server) listMeetings(ctx context.Context, u auth.User, in *listMeetingsInput) (*struct{ Body []duty.Meeting }, error) {
	sc, from, to, err := s.dutyListed(ctx, u, in.DutyListInput)
	if err != nil {
		return nil, err
	}
	return reply(s.duty.Meetings(ctx, duty.MeetingQuery{Scope: sc, Kind: duty.MeetingKind(in.Kind), From: from, To: to}))
}

func (s *Server) recordMeeting(ctx context.Context, u auth.User, in *struct{ Body duty.NewMeeting }) (*struct{ Body duty.Meeting }, error) {
	if err := s.dutyUnitInScope(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	return reply(s.duty.RecordMeeting(ctx, u.ID, in.Body))
}

// meetingInScope reads a meeting and checks the caller may see it: staff
// in the scope of its unit, a grid worker only one they were listed at.
func (s *Server) meetingInScope(ctx context.Context, u auth.User, id string) (duty.Meeting, error) {
	m, err := s.duty.GetMeeting(ctx, id)
	if err != nil {
		return duty.Meeting{}, err
	}
	if own, only := s.scope(ctx).OwnOnly(); only {
		for _, a := range m.Attendance {
			if a.WorkerID == own {
				return m, nil
			}
		}
		return duty.Meeting{}, apperr.New(apperr.Forbidden, "you were not listed at meeting %s", id)
	}
	return m, s.auth.CheckScope(ctx, u, m.UnitID, dates.Today())
}

func (s *Server) getMeeting(ctx context.Context, u auth.User, in *idInput) (*struct{ Body duty.Meeting }, error) {
	return reply(s.meetingInScope(ctx, u, in.ID))
}

func (s *Server) updateMeeting(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body duty.MeetingPatch
}) (*struct{ Body duty.Meeting }, error) {
	if _, err := s.meetingInScope(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.duty.UpdateMeeting(ctx, u.ID, in.ID, in.Body))
}

// ---- leave

type listLeaveInput struct {
	DutyListInput
	Status string `query:"status" enum:"requested,approved,rejected,withdrawn"`
}

func (s *Server) listLeave(ctx context.Context, u auth.User, in *listLeaveInput) (*struct{ Body []duty.Leave }, error) {
	sc, from, to, err := s.dutyListed(ctx, u, in.DutyListInput)
	if err != nil {
		return nil, err
	}
	return reply(s.duty.ListLeave(ctx, duty.LeaveQuery{Scope: sc, Status: duty.LeaveStatus(in.Status), From: from, To: to}))
}

func (s *Server) requestLeave(ctx context.Context, u auth.User, in *struct{ Body duty.NewLeave }) (*struct{ Body duty.Leave }, error) {
	ownWorker(u, &in.Body.WorkerID)
	if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.duty.RequestLeave(ctx, u.ID, in.Body))
}

// leaveInScope reads a slip and checks its worker is the caller's to act
// for.
func (s *Server) leaveInScope(ctx context.Context, u auth.User, id string) (duty.Leave, error) {
	l, err := s.duty.GetLeave(ctx, id)
	if err != nil {
		return duty.Leave{}, err
	}
	return l, s.dutyWorkerInScope(ctx, u, l.WorkerID)
}

// LeaveDecision is an approver's note on a leave request.
type LeaveDecision struct {
	Note string `json:"note,omitempty"`
}

func (s *Server) decideLeave(ctx context.Context, u auth.User, in *struct {
	ID       string `path:"id"`
	Decision string `path:"decision" enum:"approve,reject"`
	Body     LeaveDecision
}) (*struct{ Body duty.Leave }, error) {
	l, err := s.leaveInScope(ctx, u, in.ID)
	if err != nil {
		return nil, err
	}
	if u.WorkerID != "" && u.WorkerID == l.WorkerID {
		return nil, apperr.New(apperr.Forbidden, "nobody approves their own leave")
	}
	return reply(s.duty.DecideLeave(ctx, u.ID, in.ID, in.Decision == "approve", in.Body.Note))
}

func (s *Server) withdrawLeave(ctx context.Context, u auth.User, in *idInput) (*struct{ Body duty.Leave }, error) {
	if _, err := s.leaveInScope(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.duty.WithdrawLeave(ctx, u.ID, in.ID))
}

// ---- work sheets

func (s *Server) listSheets(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Sheet }, error) {
	return dutyList(ctx, s, u, in, s.duty.Sheets)
}

func (s *Server) signIn(ctx context.Context, u auth.User, in *struct{ Body duty.NewSignIn }) (*struct{ Body duty.Sheet }, error) {
	ownWorker(u, &in.Body.WorkerID)
	if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.duty.SignIn(ctx, u.ID, in.Body))
}

func (s *Server) signOut(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body duty.SignOut
}) (*struct{ Body duty.Sheet }, error) {
	x, err := s.duty.GetSheet(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.dutyWorkerInScope(ctx, u, x.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.duty.SignOut(ctx, u.ID, in.ID, in.Body))
}

// ---- activities

func (s *Server) listActivities(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Activity }, error) {
	return dutyList(ctx, s, u, in, s.duty.Activities)
}

func (s *Server) recordActivity(ctx context.Context, u auth.User, in *struct{ Body duty.NewActivity }) (*struct{ Body duty.Activity }, error) {
	ownWorker(u, &in.Body.WorkerID)
	if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	if in.Body.GridID == "" {
		return nil, apperr.Field("grid_id", "is required")
	}
	// A grid worker records activities in their own grids only.
	if err := s.writeGrid(ctx, u, auth.WriteDuty, in.Body.GridID); err != nil {
		return nil, err
	}
	return reply(s.duty.RecordActivity(ctx, u.ID, in.Body))
}

func (s *Server) reviewActivity(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body duty.ActivityReview
}) (*struct{ Body duty.Activity }, error) {
	a, err := s.duty.GetActivity(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, a.GridID); err != nil {
		return nil, err
	}
	return reply(s.duty.ReviewActivity(ctx, u.ID, in.ID, in.Body))
}

// ---- publicity, systems, reports, findings

// unitListScope is dutyScope for records of units: a grid worker sees those
// of their own scope (their community), as for other unit records.
func (s *Server) unitListScope(ctx context.Context, u auth.User, in DutyListInput) (duty.Scope, error) {
	within, err := s.listScope(ctx, u, in.WithinID)
	return duty.Scope{WithinID: within}, err
}

func (s *Server) listArticles(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Article }, error) {
	sc, err := s.unitListScope(ctx, u, *in)
	if err != nil {
		return nil, err
	}
	from, to, err := in.span()
	if err != nil {
		return nil, err
	}
	return reply(s.duty.Articles(ctx, sc, from, to))
}

func (s *Server) recordArticle(ctx context.Context, u auth.User, in *struct{ Body duty.Article }) (*struct{ Body duty.Article }, error) {
	if err := s.dutyUnitInScope(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	return reply(s.duty.RecordArticle(ctx, u.ID, in.Body))
}

func (s *Server) listSystems(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.System }, error) {
	sc, err := s.unitListScope(ctx, u, *in)
	if err != nil {
		return nil, err
	}
	return reply(s.duty.Systems(ctx, sc))
}

func (s *Server) fileSystem(ctx context.Context, u auth.User, in *struct{ Body duty.System }) (*struct{ Body duty.System }, error) {
	if err := s.dutyUnitInScope(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	return reply(s.duty.FileSystem(ctx, u.ID, in.Body))
}

func (s *Server) withdrawSystem(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		On dates.Date `json:"on"`
	}
}) (*struct{ Body duty.System }, error) {
	xs, err := s.duty.Systems(ctx, duty.Scope{WithinID: s.scope(ctx).Root()})
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		if x.ID == in.ID {
			x, err := s.duty.WithdrawSystem(ctx, u.ID, in.ID, in.Body.On)
			if err != nil {
				return nil, err
			}
			return &struct{ Body duty.System }{x}, nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "no system %s on file in your scope", in.ID)
}

func (s *Server) listDutyReports(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Report }, error) {
	// A grid worker sees the reports naming them.
	return dutyList(ctx, s, u, in, s.duty.Reports)
}

func (s *Server) requireReport(ctx context.Context, u auth.User, in *struct{ Body duty.NewReport }) (*struct{ Body duty.Report }, error) {
	if err := s.dutyUnitInScope(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	if in.Body.WorkerID != "" {
		if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
			return nil, err
		}
	}
	return reply(s.duty.RequireReport(ctx, u.ID, in.Body))
}

// reportInScope reads a report and checks the caller may act on it: a
// grid worker only one naming them, others one of a unit in scope.
func (s *Server) reportInScope(ctx context.Context, u auth.User, id string) (duty.Report, error) {
	r, err := s.duty.GetReport(ctx, id)
	if err != nil {
		return duty.Report{}, err
	}
	if own, only := s.scope(ctx).OwnOnly(); only {
		if r.WorkerID != own {
			return duty.Report{}, apperr.New(apperr.Forbidden, "report %s is not yours to submit", id)
		}
		return r, nil
	}
	return r, s.auth.CheckScope(ctx, u, r.UnitID, dates.Today())
}

func (s *Server) submitReport(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body duty.Submission
}) (*struct{ Body duty.Report }, error) {
	if _, err := s.reportInScope(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.duty.SubmitReport(ctx, u.ID, in.ID, in.Body))
}

func (s *Server) reviewReport(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body duty.Review
}) (*struct{ Body duty.Report }, error) {
	if _, err := s.reportInScope(ctx, u, in.ID); err != nil {
		return nil, err
	}
	return reply(s.duty.ReviewReport(ctx, u.ID, in.ID, in.Body))
}

func (s *Server) listDutyFindings(ctx context.Context, u auth.User, in *DutyListInput) (*struct{ Body []duty.Finding }, error) {
	return dutyList(ctx, s, u, in, s.duty.Findings)
}

func (s *Server) recordDutyFinding(ctx context.Context, u auth.User, in *struct{ Body duty.Finding }) (*struct{ Body duty.Finding }, error) {
	if in.Body.WorkerID != "" {
		if err := s.dutyWorkerInScope(ctx, u, in.Body.WorkerID); err != nil {
			return nil, err
		}
	}
	if in.Body.UnitID != "" || in.Body.WorkerID == "" {
		if err := s.dutyUnitInScope(ctx, u, in.Body.UnitID); err != nil {
			return nil, err
		}
	}
	return reply(s.duty.RecordFinding(ctx, u.ID, in.Body))
}

// ---- month view

func (s *Server) dutyMonth(ctx context.Context, u auth.User, in *struct {
	ID    string `path:"id"`
	Month string `query:"month" required:"true" pattern:"^\\d{4}-\\d{2}$" doc:"YYYY-MM"`
}) (*struct{ Body duty.MonthView }, error) {
	if err := s.dutyWorkerInScope(ctx, u, in.ID); err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			return nil, apperr.New(apperr.NotFound, "no worker %s", in.ID)
		}
		return nil, err
	}
	p, err := metric.ParsePeriod(in.Month)
	if err != nil {
		return nil, apperr.Field("month", err.Error())
	}
	return reply(s.duty.MonthView(ctx, in.ID, p))
}
