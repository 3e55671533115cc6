package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
)

// assessRoutes registers the assessment API.
func (s *Server) assessRoutes() {
	tags := []string{"assessment"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	get, post := http.MethodGet, http.MethodPost
	op(s, o("list-schemes", get, "/api/assess/schemes", "Stored scheme versions"), needs(auth.ReadAssessment), s.listSchemes)
	op(s, o("get-scheme", get, "/api/assess/schemes/{ref}", "One scheme version with its YAML (id, code or code@version)"), needs(auth.ReadAssessment), s.getScheme)
	op(s, o("check-scheme", post, "/api/assess/schemes/check", "Check a scheme without storing it: lint messages with line and column"), needs(auth.ReadAssessment), s.checkScheme)
	op(s, created(o("save-scheme", post, "/api/assess/schemes", "Store a new scheme version (it must pass its check)")), needs(auth.ManageSchemes), s.saveScheme)
	op(s, o("finding-types", get, "/api/assess/finding-types", "The manual finding types schemes can score"), needs(auth.ReadAssessment), s.findingTypes)
	op(s, created(o("run-assessment", post, "/api/assess/runs", "Assess a period and store the run")), needs(auth.RunAssessment), s.runAssessment)
	op(s, o("list-runs", get, "/api/assess/runs", "Runs, newest first"), needs(auth.ReadAssessment), s.listRuns)
	op(s, o("run-table", get, "/api/assess/runs/{id}", "A run's league table, with the change since the previous period"), needs(auth.ReadAssessment), s.runTable)
	op(s, o("explain", get, "/api/assess/runs/{id}/results/{subject}", "One subject's score: category, rule, facts and the records behind them"), needs(auth.ReadAssessment), s.explain)
	op(s, o("run-escalations", get, "/api/assess/runs/{id}/escalations", "Escalations and awards due with a run"), needs(auth.ReadAssessment), s.runEscalations)
	op(s, o("run-payroll", get, "/api/assess/runs/{id}/payroll", "The payroll of a run, in fen"), needs(auth.RunAssessment), s.runPayroll)
	op(s, o("run-export", get, "/api/assess/runs/{id}/export/{what}", "Download notice.xlsx, notice.html, payroll.xlsx or explanations.xlsx"), needs(auth.RunAssessment), s.runExport)
	op(s, o("what-if", post, "/api/assess/whatif", "Try a draft scheme on a past period's stored facts and see how ranks would move"), needs(auth.RunAssessment), s.whatIf)
	op(s, created(o("record-finding", post, "/api/assess/findings", "Record a manual finding with its evidence")), needs(auth.RecordFinding), s.recordFinding)
	op(s, o("list-findings", get, "/api/assess/findings", "Manual findings"), needs(auth.ReadAssessment), s.listFindings)
	op(s, o("withdraw-finding", post, "/api/assess/findings/{id}/withdraw", "Withdraw a finding (later runs no longer count it)"), needs(auth.RecordFinding), s.withdrawFinding)
	op(s, created(o("file-appeal", post, "/api/assess/appeals", "Appeal one rule's points in a run")), needs(auth.FileAppeal), s.fileAppeal)
	op(s, o("list-appeals", get, "/api/assess/appeals", "Appeals"), needs(auth.ReadAssessment), s.listAppeals)
	op(s, o("decide-appeal", post, "/api/assess/appeals/{id}/decision", "Uphold (a new run is made) or reject an appeal"), needs(auth.DecideAppeal), s.decideAppeal)
}

type schemeBody struct {
	Body struct {
		YAML string `json:"yaml" doc:"the scheme's YAML text" maxLength:"1000000"`
	}
}

// LintReport is a scheme's check.
type LintReport struct {
	OK       bool             `json:"ok"`
	Messages []scheme.Message `json:"messages"`
}

func (s *Server) listSchemes(ctx context.Context, u auth.User, _ *struct{}) (*struct{ Body []runs.SchemeVersion }, error) {
	vs, err := s.assess.Schemes(ctx)
	return &struct{ Body []runs.SchemeVersion }{vs}, err
}

func (s *Server) getScheme(ctx context.Context, u auth.User, in *struct {
	Ref string `path:"ref"`
}) (*struct{ Body runs.SchemeVersion }, error) {
	v, _, err := s.assess.Scheme(ctx, in.Ref)
	return &struct{ Body runs.SchemeVersion }{v}, err
}

func (s *Server) checkScheme(ctx context.Context, u auth.User, in *schemeBody) (*struct{ Body LintReport }, error) {
	_, msgs, err := runs.CheckScheme([]byte(in.Body.YAML))
	if err != nil {
		return nil, err
	}
	if msgs == nil {
		msgs = []scheme.Message{}
	}
	return &struct{ Body LintReport }{LintReport{OK: !scheme.HasErrors(msgs), Messages: msgs}}, nil
}

// SavedScheme is a stored version with its warnings.
type SavedScheme struct {
	Scheme   runs.SchemeVersion `json:"scheme"`
	Messages []scheme.Message   `json:"messages"`
}

func (s *Server) saveScheme(ctx context.Context, u auth.User, in *schemeBody) (*struct{ Body SavedScheme }, error) {
	v, msgs, err := s.assess.SaveScheme(ctx, u.ID, []byte(in.Body.YAML), false)
	if err != nil {
		return nil, err
	}
	if msgs == nil {
		msgs = []scheme.Message{}
	}
	v.Body = ""
	return &struct{ Body SavedScheme }{SavedScheme{v, msgs}}, nil
}

func (s *Server) findingTypes(ctx context.Context, u auth.User, _ *struct{}) (*struct{ Body []scheme.FindingType }, error) {
	return &struct{ Body []scheme.FindingType }{scheme.FindingTypes()}, nil
}

func (s *Server) runAssessment(ctx context.Context, u auth.User, in *struct {
	Body struct {
		Scheme string `json:"scheme" doc:"scheme id, code or code@version"`
		Period string `json:"period" doc:"2026-03, 2026-Q1, 2026-H1 or 2026"`
		UnitID string `json:"unit_id" doc:"the subtree assessed: a street or a community"`
	}
}) (*struct{ Body runs.RunInfo }, error) {
	span, err := scheme.ParseSpan(in.Body.Period)
	if err != nil {
		return nil, apperr.Field("period", err.Error())
	}
	if err := s.auth.CheckScope(ctx, u, in.Body.UnitID, span.Last()); err != nil {
		return nil, err
	}
	info, err := s.assess.Run(ctx, u.ID, in.Body.Scheme, in.Body.Period, in.Body.UnitID, "")
	return &struct{ Body runs.RunInfo }{info}, err
}

func (s *Server) listRuns(ctx context.Context, u auth.User, in *struct {
	Scheme string `query:"scheme" doc:"scheme code"`
	Period string `query:"period"`
	All    bool   `query:"all" doc:"include superseded runs"`
}) (*struct{ Body []runs.RunInfo }, error) {
	list, err := s.assess.Runs(ctx, runs.RunQuery{SchemeCode: in.Scheme, Span: in.Period, Current: !in.All})
	return &struct{ Body []runs.RunInfo }{list}, err
}

// RunTable is a run with its league table.
type RunTable struct {
	Run  runs.RunInfo `json:"run"`
	Rows []runs.Row   `json:"rows"`
}

func (s *Server) runTable(ctx context.Context, u auth.User, in *struct {
	ID          string `path:"id"`
	Kind        string `query:"kind" enum:"worker,community"`
	CommunityID string `query:"community_id"`
}) (*struct{ Body RunTable }, error) {
	// The centre sees the run's whole table; community staff, inspectors
	// and grid workers the rows of the communities in their scope (the
	// published table of their community).
	sc, err := s.runScope(ctx, false)
	if err != nil {
		return nil, err
	}
	info, rows, err := s.assess.Table(ctx, in.ID, runs.TableQuery{Kind: scheme.SubjectKind(in.Kind), CommunityID: in.CommunityID, Scope: sc})
	if err != nil {
		return nil, err
	}
	return &struct{ Body RunTable }{RunTable{info, rows}}, nil
}

// checkResult refuses one subject's explanation outside the caller's
// reach: a grid worker sees only their own.
func (s *Server) checkResult(ctx context.Context, u auth.User, runID, subject string) (runs.Row, error) {
	_, rows, err := s.assess.Table(ctx, runID, runs.TableQuery{SubjectID: subject})
	if err != nil {
		return runs.Row{}, err
	}
	if len(rows) == 0 {
		return runs.Row{}, apperr.New(apperr.NotFound, "run %s has no result for %s", runID, subject)
	}
	if own, only := s.scope(ctx).OwnOnly(); only && subject != own {
		return runs.Row{}, apperr.New(apperr.Forbidden, "you see only your own score")
	}
	sc, err := s.runScope(ctx, false)
	if err != nil {
		return runs.Row{}, err
	}
	_, visible, err := s.assess.Table(ctx, runID, runs.TableQuery{SubjectID: subject, Scope: sc})
	if err != nil {
		return runs.Row{}, err
	}
	if len(visible) == 0 {
		return runs.Row{}, apperr.New(apperr.Forbidden, "%s is outside your scope", subject)
	}
	return rows[0], nil
}

func (s *Server) explain(ctx context.Context, u auth.User, in *struct {
	ID      string `path:"id"`
	Subject string `path:"subject"`
}) (*struct{ Body scheme.Result }, error) {
	row, err := s.checkResult(ctx, u, in.ID, in.Subject)
	if err != nil {
		return nil, err
	}
	_, res, err := s.assess.Explain(ctx, in.ID, row.SubjectKind, in.Subject)
	return &struct{ Body scheme.Result }{res}, err
}

func (s *Server) runEscalations(ctx context.Context, u auth.User, in *idInput) (*struct{ Body []runs.EscalationRecord }, error) {
	if _, err := s.assess.GetRun(ctx, in.ID); err != nil {
		return nil, err
	}
	q := runs.EscalationQuery{RunID: in.ID}
	// Those who do not read whole runs see the escalations of the rows
	// they see.
	if !s.scope(ctx).Can(auth.ReadWholeRuns) {
		sc, err := s.runScope(ctx, false)
		if err != nil {
			return nil, err
		}
		q.Scope = sc
	}
	escs, err := s.assess.Escalations(ctx, q)
	if err != nil {
		return nil, err
	}
	return &struct{ Body []runs.EscalationRecord }{escs}, nil
}

// Payroll is a run's payroll.
type Payroll struct {
	Run  runs.RunInfo  `json:"run"`
	Rows []runs.PayRow `json:"rows"`
}

func (s *Server) runPayroll(ctx context.Context, u auth.User, in *idInput) (*struct{ Body Payroll }, error) {
	info, rows, err := s.assess.Payroll(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.auth.CheckScope(ctx, u, info.UnitID, dates.Today()); err != nil {
		return nil, err
	}
	return &struct{ Body Payroll }{Payroll{info, rows}}, nil
}

func (s *Server) runExport(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	What string `path:"what" enum:"notice.xlsx,notice.html,payroll.xlsx,explanations.xlsx"`
}) (*fileOutput, error) {
	info, err := s.assess.GetRun(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.auth.CheckScope(ctx, u, info.UnitID, dates.Today()); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	ctype := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	switch in.What {
	case "notice.xlsx":
		err = s.assess.WriteNotice(ctx, &buf, in.ID)
	case "notice.html":
		err, ctype = s.assess.WriteNoticeHTML(ctx, &buf, in.ID), "text/html; charset=utf-8"
	case "payroll.xlsx":
		err = s.assess.WritePayroll(ctx, &buf, in.ID)
	case "explanations.xlsx":
		err = s.assess.WriteExplanations(ctx, &buf, in.ID, "")
	}
	if err != nil {
		return nil, err
	}
	disp := fmt.Sprintf(`attachment; filename="%s-%s-%s"`, info.SchemeCode, info.Span, in.What)
	if in.What == "notice.html" {
		disp = "inline"
	}
	return &fileOutput{ContentType: ctype, ContentDisposition: disp, Body: buf.Bytes()}, nil
}

// WhatIf is a draft's comparison with a stored run.
type WhatIf struct {
	Rows     []runs.WhatIfRow `json:"rows"`
	Messages []scheme.Message `json:"messages"`
}

func (s *Server) whatIf(ctx context.Context, u auth.User, in *struct {
	Body struct {
		YAML    string `json:"yaml" maxLength:"1000000"`
		Period  string `json:"period"`
		UnitID  string `json:"unit_id"`
		BaseRun string `json:"base_run,omitempty" doc:"the run to compare with; default the current run of the draft's code"`
	}
}) (*struct{ Body WhatIf }, error) {
	span, err := scheme.ParseSpan(in.Body.Period)
	if err != nil {
		return nil, apperr.Field("period", err.Error())
	}
	if err := s.auth.CheckScope(ctx, u, in.Body.UnitID, span.Last()); err != nil {
		return nil, err
	}
	rows, msgs, err := s.assess.WhatIf(ctx, []byte(in.Body.YAML), in.Body.Period, in.Body.UnitID, in.Body.BaseRun)
	if err != nil {
		return nil, err
	}
	if msgs == nil {
		msgs = []scheme.Message{}
	}
	return &struct{ Body WhatIf }{WhatIf{rows, msgs}}, nil
}

// checkFindingSubject refuses a subject outside the caller's scope.
func (s *Server) checkFindingSubject(ctx context.Context, u auth.User, kind scheme.SubjectKind, id string) error {
	if kind == scheme.Worker {
		w, err := s.org.GetWorker(ctx, id)
		if err != nil {
			return err
		}
		return s.checkWorkerScope(ctx, u, w)
	}
	return s.auth.CheckScope(ctx, u, id, dates.Today())
}

func (s *Server) recordFinding(ctx context.Context, u auth.User, in *struct{ Body runs.NewFinding }) (*struct{ Body runs.ManualFinding }, error) {
	if in.Body.SubjectID != "" {
		if err := s.checkFindingSubject(ctx, u, in.Body.SubjectKind, in.Body.SubjectID); err != nil {
			return nil, err
		}
	}
	f, err := s.assess.RecordFinding(ctx, u.ID, in.Body)
	return &struct{ Body runs.ManualFinding }{f}, err
}

func (s *Server) listFindings(ctx context.Context, u auth.User, in *struct {
	Month     string `query:"month" pattern:"^\\d{4}-\\d{2}$"`
	SubjectID string `query:"subject_id"`
}) (*struct{ Body []runs.ManualFinding }, error) {
	sc := s.scope(ctx)
	own, only := sc.OwnOnly()
	if only {
		in.SubjectID = own
	}
	q := runs.FindingQuery{Month: in.Month, SubjectID: in.SubjectID}
	if !sc.Everywhere() && !only {
		// The findings of the units and workers in the scope.
		var err error
		if q.Scope, err = s.runScope(ctx, true); err != nil {
			return nil, err
		}
	}
	fs, err := s.assess.Findings(ctx, q)
	return &struct{ Body []runs.ManualFinding }{fs}, err
}

func (s *Server) withdrawFinding(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Reason string `json:"reason"`
	}
}) (*struct{ Body runs.ManualFinding }, error) {
	f, err := s.assess.WithdrawFinding(ctx, u.ID, in.ID, in.Body.Reason)
	return &struct{ Body runs.ManualFinding }{f}, err
}

func (s *Server) fileAppeal(ctx context.Context, u auth.User, in *struct{ Body runs.NewAppeal }) (*struct{ Body runs.Appeal }, error) {
	if _, err := s.checkResult(ctx, u, in.Body.RunID, in.Body.SubjectID); err != nil {
		return nil, err
	}
	a, err := s.assess.FileAppeal(ctx, u.ID, in.Body)
	return &struct{ Body runs.Appeal }{a}, err
}

func (s *Server) listAppeals(ctx context.Context, u auth.User, in *struct {
	RunID  string `query:"run_id"`
	Status string `query:"status" enum:"open,upheld,rejected"`
}) (*struct{ Body []runs.Appeal }, error) {
	q := runs.AppealQuery{RunID: in.RunID, Status: in.Status}
	sc := s.scope(ctx)
	own, only := sc.OwnOnly()
	if only {
		q.SubjectID = own
	}
	if !sc.Everywhere() && !only {
		// An appeal is seen with its subject's row: those whose row of
		// the run the caller sees (run-table).
		var err error
		if q.Scope, err = s.runScope(ctx, false); err != nil {
			return nil, err
		}
	}
	as, err := s.assess.Appeals(ctx, q)
	return &struct{ Body []runs.Appeal }{as}, err
}

// Decision is an appeal decided, with the run it made.
type Decision struct {
	Appeal runs.Appeal   `json:"appeal"`
	NewRun *runs.RunInfo `json:"new_run,omitempty"`
}

func (s *Server) decideAppeal(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Uphold   bool   `json:"uphold"`
		Decision string `json:"decision" doc:"the reason for the decision"`
	}
}) (*struct{ Body Decision }, error) {
	a, err := s.assess.GetAppeal(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkResult(ctx, u, a.RunID, a.SubjectID); err != nil {
		return nil, err
	}
	a, run, err := s.assess.DecideAppeal(ctx, u.ID, in.ID, in.Body.Uphold, in.Body.Decision)
	return &struct{ Body Decision }{Decision{a, run}}, err
}
