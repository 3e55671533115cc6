package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
	"gridwork/internal/org"
)

// inspectRoutes registers the spot-check operations.
func (s *Server) inspectRoutes() {
	tags := []string{"spot checks"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	op(s, o("list-inspect-forms", http.MethodGet, "/api/inspect/forms", "The check forms"), needs(auth.ReadInspections), s.listInspectForms)
	op(s, o("save-inspect-form", http.MethodPut, "/api/inspect/forms/{code}", "Store a check form (rounds already drawn keep theirs)"), needs(auth.PlanInspections), s.saveInspectForm)
	op(s, created(o("plan-inspect-round", http.MethodPost, "/api/inspect/rounds", "Draw a spot-check round: grids, households, times and inspectors at random")), needs(auth.PlanInspections), s.planInspectRound)
	op(s, o("list-inspect-rounds", http.MethodGet, "/api/inspect/rounds", "Spot-check rounds, newest first"), needs(auth.ReadInspections), s.listInspectRounds)
	op(s, o("get-inspect-round", http.MethodGet, "/api/inspect/rounds/{id}", "One round with the visits you may see"), needs(auth.ReadInspections), s.getInspectRound)
	op(s, o("publish-inspect-round", http.MethodPost, "/api/inspect/rounds/{id}/publish", "Publish a round: its seed and inputs become public"), needs(auth.PlanInspections), s.publishInspectRound)
	op(s, o("inspect-round-input", http.MethodGet, "/api/inspect/rounds/{id}/input", "A published round's seed and inputs, to re-draw it elsewhere"), needs(auth.ReadInspections), s.inspectRoundInput)
	op(s, o("verify-inspect-round", http.MethodGet, "/api/inspect/rounds/{id}/verify", "Re-draw a published round and compare it with the stored visits"), needs(auth.ReadInspections), s.verifyInspectRound)
	op(s, o("inspect-round-results", http.MethodGet, "/api/inspect/rounds/{id}/results", "A published round's verdicts per community, as published there"), needs(auth.ReadInspections), s.inspectRoundResults)
	op(s, o("list-inspect-visits", http.MethodGet, "/api/inspect/visits", "Visits you may see: an inspector's own, staff's in scope (done ones), a worker's own grid's"), needs(auth.ReadInspections), s.listInspectVisits)
	op(s, o("record-inspect-visit", http.MethodPost, "/api/inspect/visits/{id}/result", "Record what a visit found; failures send fix tasks to the worker"), needs(auth.RecordInspection), s.recordInspectVisit)
	op(s, o("list-inspect-tasks", http.MethodGet, "/api/inspect/tasks", "Fix tasks: a worker's own, staff's in scope"), needs(auth.ReadInspections), s.listInspectTasks)
	op(s, o("complete-inspect-task", http.MethodPost, "/api/inspect/tasks/{id}/done", "Mark a fix task done, saying what was fixed"), needs(auth.FixInspectTasks), s.completeInspectTask)
	op(s, o("inspect-workload", http.MethodGet, "/api/inspect/workload", "Each inspector's visits, households and checks in a month"), needs(auth.PlanInspections), s.inspectWorkload)

	op(s, o("list-quiz-questions", http.MethodGet, "/api/inspect/questions", "The handbook quiz's question bank, with answers"), needs(auth.PlanInspections), s.listQuizQuestions)
	op(s, created(o("add-quiz-question", http.MethodPost, "/api/inspect/questions", "Add a question to the bank")), needs(auth.PlanInspections), s.addQuizQuestion)
	op(s, created(o("draw-quiz", http.MethodPost, "/api/inspect/quizzes", "Draw a handbook quiz (应知应会) for a worker")), needs(auth.RecordInspection), s.drawQuiz)
	op(s, o("list-quizzes", http.MethodGet, "/api/inspect/quizzes", "A worker's quizzes (a grid worker: their own)"), needs(auth.ReadInspections), s.listQuizzes)
	op(s, o("submit-quiz", http.MethodPost, "/api/inspect/quizzes/{id}/answers", "Answer one's own quiz; returns it marked"), needs(auth.TakeQuiz), s.submitQuiz)
	op(s, created(o("record-failing", http.MethodPost, "/api/inspect/reports", "Record an undercover finding or a resident's complaint against a worker, with evidence")), needs(auth.ReportFailing), s.recordFailing)
	op(s, o("list-failings", http.MethodGet, "/api/inspect/reports", "Undercover findings and complaints in scope (a grid worker: their own verified ones)"), needs(auth.ReadInspections), s.listFailings)
	op(s, o("decide-failing", http.MethodPost, "/api/inspect/reports/{id}/decision", "Verify or reject a finding or complaint"), needs(auth.VerifyFailing), s.decideFailing)
}

// seesAllVisits says whether the caller sees planned visits and seeds of
// unpublished rounds: the centre that draws them.
func (s *Server) seesAllVisits(ctx context.Context) bool {
	return s.scope(ctx).Can(auth.PlanInspections)
}

// visibleVisit says whether u may see visit v: the centre all of them; an
// inspector their own; others a done visit of a grid in their scope (a
// worker: their own grid's), so that nobody learns a planned visit's
// random time in advance. The grid's scope is read from the scope's units,
// once per request. (Cut in Go: the rule has more cases than a subtree.)
func (s *Server) visibleVisit(ctx context.Context, u auth.User, v inspect.Visit) (bool, error) {
	sc := s.scope(ctx)
	own, only := sc.OwnOnly()
	switch {
	case s.seesAllVisits(ctx):
		return sc.Contains(ctx, v.GridID)
	case v.InspectorID == u.ID:
		return true, nil
	case v.Status != "done":
		return false, nil
	case only:
		return own != "" && v.WorkerID == own, nil
	}
	return sc.Contains(ctx, v.GridID)
}

func (s *Server) listInspectForms(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []inspect.Form }, error) {
	return reply(s.inspect.Forms(ctx))
}

func (s *Server) saveInspectForm(ctx context.Context, u auth.User, in *struct {
	Code string `path:"code"`
	Body inspect.Form
}) (*struct{ Body inspect.Form }, error) {
	if in.Body.Code != in.Code {
		return nil, apperr.Field("code", "the form's code must match the path")
	}
	if err := s.inspect.SaveForm(ctx, u.ID, in.Body); err != nil {
		return nil, err
	}
	return &struct{ Body inspect.Form }{in.Body}, nil
}

func (s *Server) planInspectRound(ctx context.Context, u auth.User, in *struct{ Body inspect.NewRound }) (*struct{ Body inspect.Round }, error) {
	if err := s.readGrid(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	return reply(s.inspect.PlanRound(ctx, u.ID, in.Body))
}

func (s *Server) listInspectRounds(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []inspect.Round }, error) {
	rs, err := s.inspect.ListRounds(ctx)
	if err != nil {
		return nil, err
	}
	// A community's staff see the street's rounds, which cover their
	// community. (Cut in Go through the scope: rounds are few.)
	out := []inspect.Round{}
	for _, r := range rs {
		ok, err := s.scope(ctx).Overlaps(ctx, r.UnitID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return &struct{ Body []inspect.Round }{out}, nil
}

func (s *Server) getInspectRound(ctx context.Context, u auth.User, in *idInput) (*struct{ Body inspect.Round }, error) {
	r, err := s.inspect.GetRound(ctx, in.ID, s.seesAllVisits(ctx))
	if err != nil {
		return nil, err
	}
	if ok, err := s.scope(ctx).Overlaps(ctx, r.UnitID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.New(apperr.Forbidden, "round %s is outside your scope", r.ID)
	}
	var visits []inspect.Visit
	for _, v := range r.Visits {
		ok, err := s.visibleVisit(ctx, u, v)
		if err != nil {
			return nil, err
		}
		if ok {
			visits = append(visits, v)
		}
	}
	r.Visits = visits
	return &struct{ Body inspect.Round }{r}, nil
}

func (s *Server) publishInspectRound(ctx context.Context, u auth.User, in *idInput) (*struct{ Body inspect.Round }, error) {
	r, err := s.inspect.GetRound(ctx, in.ID, true)
	if err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, r.UnitID); err != nil {
		return nil, err
	}
	return reply(s.inspect.PublishRound(ctx, u.ID, in.ID))
}

func (s *Server) inspectRoundInput(ctx context.Context, u auth.User, in *idInput) (*struct{ Body inspect.RoundInput }, error) {
	if _, err := s.getInspectRound(ctx, u, in); err != nil {
		return nil, err
	}
	return reply(s.inspect.RoundInput(ctx, in.ID, s.seesAllVisits(ctx)))
}

type verifyBody struct {
	OK        bool   `json:"ok"`
	InputHash string `json:"input_hash"`
	Problem   string `json:"problem,omitempty"`
}

func (s *Server) verifyInspectRound(ctx context.Context, u auth.User, in *idInput) (*struct{ Body verifyBody }, error) {
	r, err := s.getInspectRound(ctx, u, in)
	if err != nil {
		return nil, err
	}
	if r.Body.PublishedAt == nil && !s.seesAllVisits(ctx) {
		return nil, apperr.New(apperr.Conflict, "round %s is not published yet: its seed and inputs are secret until then", in.ID)
	}
	b := verifyBody{OK: true, InputHash: r.Body.InputHash}
	switch err := s.inspect.VerifyRound(ctx, in.ID, true); {
	case err == nil:
	case apperr.CodeOf(err) == apperr.Conflict:
		b.OK, b.Problem = false, apperr.As(err).Message
	default:
		return nil, err
	}
	return &struct{ Body verifyBody }{b}, nil
}

type listInspectVisitsInput struct {
	Mine   bool   `query:"mine" doc:"only visits drawn for me (an inspector)"`
	GridID string `query:"grid_id"`
	Status string `query:"status" enum:"planned,done"`
}

func (s *Server) listInspectVisits(ctx context.Context, u auth.User, in *listInspectVisitsInput) (*struct{ Body []inspect.Visit }, error) {
	q := inspect.VisitQuery{GridID: in.GridID, Status: in.Status}
	if in.Mine {
		q.InspectorID = u.ID
	}
	if own, only := s.scope(ctx).OwnOnly(); only {
		q.WorkerID = own
	}
	vs, err := s.inspect.ListVisits(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []inspect.Visit{}
	for _, v := range vs {
		ok, err := s.visibleVisit(ctx, u, v)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return &struct{ Body []inspect.Visit }{out}, nil
}

func (s *Server) recordInspectVisit(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body inspect.Result
}) (*struct{ Body inspect.Visit }, error) {
	v, err := s.inspect.GetVisit(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	// The drawn inspector records; the centre may record for an inspector
	// who was replaced on the day.
	if v.InspectorID != u.ID && !(s.scope(ctx).Can(auth.StandInForInspector) && s.readGrid(ctx, u, v.GridID) == nil) {
		return nil, apperr.New(apperr.Forbidden, "visit %s was drawn for another inspector", v.ID)
	}
	return reply(s.inspect.RecordVisit(ctx, u.ID, in.ID, in.Body))
}

type listInspectTasksInput struct {
	GridID string `query:"grid_id"`
	Status string `query:"status" enum:"open,done"`
}

func (s *Server) listInspectTasks(ctx context.Context, u auth.User, in *listInspectTasksInput) (*struct{ Body []inspect.Task }, error) {
	q := inspect.TaskQuery{GridID: in.GridID, Status: in.Status}
	sc := s.scope(ctx)
	if own, only := sc.OwnOnly(); only {
		if own == "" {
			return &struct{ Body []inspect.Task }{[]inspect.Task{}}, nil
		}
		q.WorkerID = own
	} else {
		q.WithinID = sc.Root()
	}
	ts, err := s.inspect.Tasks(ctx, q)
	if ts == nil {
		ts = []inspect.Task{}
	}
	return &struct{ Body []inspect.Task }{ts}, err
}

func (s *Server) completeInspectTask(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Note string `json:"note" doc:"what was fixed"`
	}
}) (*struct{ Body inspect.Task }, error) {
	t, err := s.inspect.GetTask(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if own, only := s.scope(ctx).OwnOnly(); only && t.WorkerID != own {
		return nil, apperr.New(apperr.Forbidden, "fix task %s is another worker's", t.ID)
	}
	if err := s.readGrid(ctx, u, t.GridID); err != nil {
		return nil, err
	}
	return reply(s.inspect.CompleteTask(ctx, u.ID, in.ID, in.Body.Note))
}

func (s *Server) inspectWorkload(ctx context.Context, u auth.User, in *struct {
	Month string `query:"month" required:"true" doc:"YYYY-MM"`
}) (*struct{ Body []inspect.Load }, error) {
	p, err := metric.ParsePeriod(in.Month)
	if err != nil {
		return nil, apperr.Field("month", err.Error())
	}
	ls, err := s.inspect.Workload(ctx, p.First())
	if err != nil {
		return nil, err
	}
	if ls == nil {
		ls = []inspect.Load{}
	}
	return &struct{ Body []inspect.Load }{ls}, nil
}

func (s *Server) listQuizQuestions(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []inspect.Question }, error) {
	return reply(s.inspect.Questions(ctx))
}

func (s *Server) addQuizQuestion(ctx context.Context, u auth.User, in *struct{ Body inspect.Question }) (*struct{ Body inspect.Question }, error) {
	return reply(s.inspect.AddQuestion(ctx, u.ID, in.Body))
}

// workerInScope checks that a worker's home unit is in u's scope.
func (s *Server) workerInScope(ctx context.Context, u auth.User, workerID string) error {
	w, err := s.org.GetWorker(ctx, workerID)
	if err != nil {
		return err
	}
	return s.readGrid(ctx, u, w.HomeUnitID)
}

func (s *Server) drawQuiz(ctx context.Context, u auth.User, in *struct {
	Body struct {
		WorkerID  string `json:"worker_id"`
		VisitID   string `json:"visit_id,omitempty" doc:"the spot-check visit it is drawn on, if any"`
		Questions int    `json:"questions,omitempty" doc:"how many; default 5"`
	}
}) (*struct{ Body inspect.Quiz }, error) {
	if err := s.workerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.inspect.DrawQuiz(ctx, u.ID, in.Body.WorkerID, in.Body.VisitID, in.Body.Questions))
}

func (s *Server) listQuizzes(ctx context.Context, u auth.User, in *struct {
	WorkerID string `query:"worker_id" doc:"staff: whose quizzes (without it, those of every worker in your scope); a grid worker always sees their own"`
}) (*struct{ Body []inspect.Quiz }, error) {
	who := in.WorkerID
	own, only := s.scope(ctx).OwnOnly()
	if !only && who == "" {
		return s.listScopeQuizzes(ctx, u)
	}
	if only {
		who = own
	} else if err := s.workerInScope(ctx, u, who); err != nil {
		return nil, err
	}
	qs, err := s.inspect.Quizzes(ctx, who)
	if err != nil {
		return nil, err
	}
	if qs == nil {
		qs = []inspect.Quiz{}
	}
	return &struct{ Body []inspect.Quiz }{qs}, nil
}

// listScopeQuizzes lists the quizzes of every worker whose home unit lies
// in the caller's scope, newest first.
func (s *Server) listScopeQuizzes(ctx context.Context, u auth.User) (*struct{ Body []inspect.Quiz }, error) {
	qs, err := s.inspect.QuizzesWithin(ctx, s.scope(ctx).Root())
	if qs == nil {
		qs = []inspect.Quiz{}
	}
	return &struct{ Body []inspect.Quiz }{qs}, err
}

func (s *Server) submitQuiz(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Answers []int `json:"answers" doc:"the index chosen for each question, in order; -1 for none"`
	}
}) (*struct{ Body inspect.Quiz }, error) {
	q, err := s.inspect.GetQuiz(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if q.WorkerID != u.WorkerID {
		return nil, apperr.New(apperr.Forbidden, "quiz %s is another worker's", q.ID)
	}
	return reply(s.inspect.SubmitQuiz(ctx, u.ID, in.ID, in.Body.Answers))
}

func (s *Server) recordFailing(ctx context.Context, u auth.User, in *struct{ Body inspect.NewReport }) (*struct{ Body inspect.Report }, error) {
	if err := s.workerInScope(ctx, u, in.Body.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.inspect.RecordReport(ctx, u.ID, in.Body))
}

func (s *Server) listFailings(ctx context.Context, u auth.User, in *struct {
	WorkerID string `query:"worker_id"`
	Status   string `query:"status" enum:"pending,verified,rejected"`
}) (*struct{ Body []inspect.Report }, error) {
	who, status, within := in.WorkerID, in.Status, ""
	sc := s.scope(ctx)
	if own, only := sc.OwnOnly(); only {
		// A worker sees what counts against them, not what is still being
		// checked.
		who, status = own, "verified"
	} else {
		within = sc.Root()
	}
	rs, err := s.inspect.ReportsWithin(ctx, who, status, within)
	if rs == nil {
		rs = []inspect.Report{}
	}
	return &struct{ Body []inspect.Report }{rs}, err
}

func (s *Server) decideFailing(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Verified bool   `json:"verified"`
		Decision string `json:"decision" doc:"how it was verified, or why it is rejected"`
	}
}) (*struct{ Body inspect.Report }, error) {
	r, err := s.inspect.GetReport(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.workerInScope(ctx, u, r.WorkerID); err != nil {
		return nil, err
	}
	return reply(s.inspect.DecideReport(ctx, u.ID, in.ID, in.Body.Verified, in.Body.Decision))
}

func (s *Server) inspectRoundResults(ctx context.Context, u auth.User, in *idInput) (*struct{ Body []inspect.CommunityResult }, error) {
	r, err := s.getInspectRound(ctx, u, in)
	if err != nil {
		return nil, err
	}
	if r.Body.PublishedAt == nil && !s.seesAllVisits(ctx) {
		return nil, apperr.New(apperr.Conflict, "round %s is not published yet", in.ID)
	}
	owners, err := s.org.GridOwners(ctx, r.Body.From, r.Body.To)
	if err != nil {
		return nil, err
	}
	comms, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: r.Body.To, Level: org.Community, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	isComm := map[string]bool{}
	for _, c := range comms {
		isComm[c.ID] = true
	}
	community := func(grid string) string {
		for _, a := range owners[grid].Ancestors {
			if isComm[a] {
				return a
			}
		}
		return ""
	}
	all, err := s.inspect.Results(ctx, in.ID, community)
	if err != nil {
		return nil, err
	}
	units, err := s.scope(ctx).Units(ctx)
	if err != nil {
		return nil, err
	}
	out := []inspect.CommunityResult{}
	for _, c := range all {
		if units == nil || units[c.CommunityID] {
			out = append(out, c)
		}
	}
	return &struct{ Body []inspect.CommunityResult }{out}, nil
}
