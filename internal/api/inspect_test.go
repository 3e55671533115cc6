package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
)

func TestSpotCheckAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		st, err := f.orgs.UnitByCode(ctx, f.town.Street.Code, f.town.ValidFrom)
		if err != nil {
			t.Fatal(err)
		}
		streetID := st.ID
		byID, byWorker := map[string]string{}, map[string]string{}
		all, err := f.users.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range all {
			byID[u.ID] = u.Username
			if u.WorkerID != "" {
				byWorker[u.WorkerID] = u.Username
			}
		}
		round := map[string]any{"unit_id": streetID, "from": "2026-03-01", "to": "2026-03-31", "grids": 6, "households": 5}

		centre := f.signIn(t, "centre01")
		if r := f.signIn(t, "c01staff").do(t, http.MethodPost, "/api/inspect/rounds", round); r.status != http.StatusForbidden {
			t.Errorf("community staff drew a round: %d %s", r.status, r.body)
		}
		r := centre.do(t, http.MethodPost, "/api/inspect/rounds", round)
		if r.status != http.StatusCreated {
			t.Fatalf("draw: %d %s", r.status, r.body)
		}
		var drawn inspect.Round
		r.decode(t, &drawn)
		if len(drawn.Visits) != 6 || drawn.Seed == nil {
			t.Fatalf("drawn %d visits, seed %v; want 6 and the seed shown to the centre", len(drawn.Visits), drawn.Seed)
		}
		v := drawn.Visits[0]
		for _, x := range drawn.Visits {
			if x.WorkerID != "" {
				v = x
				break
			}
		}
		worker := f.signIn(t, byWorker[v.WorkerID])

		// Before the visit nobody but the centre and the inspector sees it,
		// nor the seed.
		var seen inspect.Round
		worker.get(t, "/api/inspect/rounds/"+drawn.ID, &seen)
		if len(seen.Visits) != 0 || seen.Seed != nil {
			t.Errorf("a worker sees %d planned visits and seed %v before the visit", len(seen.Visits), seen.Seed)
		}
		inspector := f.signIn(t, byID[v.InspectorID])
		var mine []inspect.Visit
		inspector.get(t, "/api/inspect/visits?mine=true", &mine)
		if len(mine) == 0 {
			t.Error("the inspector does not see their own visits")
		}

		// The drawn inspector records it; another may not; the grid's
		// worker may not.
		result := inspect.Result{ClientID: "phone-1", At: time.Date(2026, 3, 20, 10, 0, 0, 0, dates.Shanghai)}
		for _, it := range drawn.Form.Items {
			if it.Scope == inspect.PerGrid {
				result.Checks = append(result.Checks, inspect.Check{Item: it.Code, OK: it.Code != "attendance", Note: "查岗不在"})
			} else {
				for _, h := range v.Households {
					result.Checks = append(result.Checks, inspect.Check{Item: it.Code, HouseID: h, OK: true})
				}
			}
		}
		other := "insp01"
		if byID[v.InspectorID] == other {
			other = "insp02"
		}
		path := "/api/inspect/visits/" + v.ID + "/result"
		if r := f.signIn(t, other).do(t, http.MethodPost, path, result); r.status != http.StatusForbidden {
			t.Errorf("another inspector recorded the visit: %d %s", r.status, r.body)
		}
		if r := worker.do(t, http.MethodPost, path, result); r.status != http.StatusForbidden {
			t.Errorf("the worker recorded their own inspection: %d %s", r.status, r.body)
		}
		for range 2 { // the resend changes nothing
			r := inspector.do(t, http.MethodPost, path, result)
			if r.status != http.StatusOK {
				t.Fatalf("record: %d %s", r.status, r.body)
			}
			var done inspect.Visit
			r.decode(t, &done)
			if done.Verdict != "fail" {
				t.Errorf("verdict %q, want fail (attendance failed)", done.Verdict)
			}
		}
		other2 := drawn.Visits[0]
		if other2.ID == v.ID {
			other2 = drawn.Visits[1]
		}
		bad := inspect.Result{Checks: []inspect.Check{{Item: "beards", OK: true}}}
		if r := centre.do(t, http.MethodPost, "/api/inspect/visits/"+other2.ID+"/result", bad); r.status != http.StatusUnprocessableEntity || r.problem(t).Code != apperr.Invalid {
			t.Errorf("a result with an unknown item: %d %s, want 422 EINVALID", r.status, r.body)
		}

		// Done, the worker sees it and what it found.
		var visits []inspect.Visit
		worker.get(t, "/api/inspect/visits", &visits)
		if len(visits) != 1 || visits[0].ID != v.ID || len(visits[0].Checks) == 0 {
			t.Errorf("the worker sees %d visits, want their grid's one, with its checks", len(visits))
		}

		// The worker may re-draw the round only once it is published.
		if r := worker.do(t, http.MethodGet, "/api/inspect/rounds/"+drawn.ID+"/verify", nil); r.status != http.StatusConflict {
			t.Errorf("verify before publication: %d %s", r.status, r.body)
		}
		if r := centre.do(t, http.MethodPost, "/api/inspect/rounds/"+drawn.ID+"/publish", nil); r.status != http.StatusOK {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		var ver struct {
			OK        bool   `json:"ok"`
			InputHash string `json:"input_hash"`
		}
		worker.get(t, "/api/inspect/rounds/"+drawn.ID+"/verify", &ver)
		if !ver.OK || ver.InputHash != drawn.InputHash {
			t.Errorf("verify after publication: %+v", ver)
		}
		// The results, published per community: the worker's community
		// staff see their community's, with the failed visit.
		var results []inspect.CommunityResult
		f.signIn(t, "c01staff").get(t, "/api/inspect/rounds/"+drawn.ID+"/results", &results)
		for _, c := range results {
			if c.CommunityID != f.user(t, "c01staff").ScopeUnitID {
				t.Errorf("community staff see the results of community %s", c.CommunityID)
			}
		}
		centre.get(t, "/api/inspect/rounds/"+drawn.ID+"/results", &results)
		nDone, nFailed, nVisits := 0, 0, 0
		for _, c := range results {
			nDone, nFailed, nVisits = nDone+c.Done, nFailed+c.Failed, nVisits+c.Visits
		}
		if nVisits != 6 || nDone != 1 || nFailed != 1 {
			t.Errorf("results: %d visits, %d done, %d failed; want 6, 1, 1", nVisits, nDone, nFailed)
		}
		var in inspect.RoundInput
		worker.get(t, "/api/inspect/rounds/"+drawn.ID+"/input", &in)
		if in.Seed == 0 || len(in.Candidates) == 0 {
			t.Error("the published input lacks its seed or candidates")
		}

		var load []inspect.Load
		centre.get(t, "/api/inspect/workload?month=2026-03", &load)
		if len(load) != 1 || load[0].Visits != 1 || load[0].InspectorID != v.InspectorID {
			t.Errorf("workload %+v, want the one visit of %s", load, v.InspectorID)
		}
	})
}

func TestQuizAndFailingsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		w1, w2 := f.user(t, "w001"), f.user(t, "w002")
		centre, worker, other := f.signIn(t, "centre01"), f.signIn(t, "w001"), f.signIn(t, "w002")

		r := centre.do(t, http.MethodPost, "/api/inspect/quizzes", map[string]any{"worker_id": w1.WorkerID})
		if r.status != http.StatusCreated {
			t.Fatalf("draw quiz: %d %s", r.status, r.body)
		}
		var qz inspect.Quiz
		r.decode(t, &qz)
		var mine []inspect.Quiz
		worker.get(t, "/api/inspect/quizzes", &mine)
		if len(mine) != 1 || mine[0].Questions[0].Answer != -1 {
			t.Fatalf("the worker's quizzes: %+v, want the open one without answers", mine)
		}
		answers := map[string]any{"answers": make([]int, len(qz.Questions))}
		if r := other.do(t, http.MethodPost, "/api/inspect/quizzes/"+qz.ID+"/answers", answers); r.status != http.StatusForbidden {
			t.Errorf("another worker answered the quiz: %d %s", r.status, r.body)
		}
		r = worker.do(t, http.MethodPost, "/api/inspect/quizzes/"+qz.ID+"/answers", answers)
		if r.status != http.StatusOK {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		var marked inspect.Quiz
		r.decode(t, &marked)
		want := 0
		for _, q := range marked.Questions {
			if q.Answer != 0 {
				want++
			}
		}
		if marked.Wrong == nil || *marked.Wrong != want {
			t.Errorf("wrong = %v, want %d (every answer 0)", marked.Wrong, want)
		}

		// Without a worker, staff see every quiz in their scope: the centre
		// both (w002's too), w001's community staff only theirs.
		if r := centre.do(t, http.MethodPost, "/api/inspect/quizzes", map[string]any{"worker_id": w2.WorkerID}); r.status != http.StatusCreated {
			t.Fatalf("draw quiz: %d %s", r.status, r.body)
		}
		var all []inspect.Quiz
		centre.get(t, "/api/inspect/quizzes", &all)
		if len(all) != 2 || all[0].WorkerID != w2.WorkerID || all[1].ID != qz.ID || all[1].Wrong == nil {
			t.Errorf("the centre's quizzes: %+v, want w002's open one then w001's marked one", all)
		}
		var scoped []inspect.Quiz
		f.signIn(t, f.staffOf(t, w1.ScopeUnitID)).get(t, "/api/inspect/quizzes", &scoped)
		wantScoped := 1
		if w1.ScopeUnitID == w2.ScopeUnitID {
			wantScoped = 2
		}
		if len(scoped) != wantScoped || scoped[len(scoped)-1].ID != qz.ID {
			t.Errorf("w001's community staff see %+v, want %d quizzes ending with w001's", scoped, wantScoped)
		}

		complaint := map[string]any{"kind": "complaint", "worker_id": w2.WorkerID, "found_on": "2026-03-02", "source": "12345热线", "description": "多次联系不上"}
		if r := f.signIn(t, "c01staff").do(t, http.MethodPost, "/api/inspect/reports", complaint); r.status != http.StatusForbidden {
			t.Errorf("community staff recorded a complaint: %d", r.status)
		}
		r = f.signIn(t, "insp01").do(t, http.MethodPost, "/api/inspect/reports", complaint)
		if r.status != http.StatusCreated {
			t.Fatalf("record complaint: %d %s", r.status, r.body)
		}
		var rep inspect.Report
		r.decode(t, &rep)
		var seen []inspect.Report
		other.get(t, "/api/inspect/reports", &seen)
		if len(seen) != 0 {
			t.Errorf("the worker sees %d unverified complaints", len(seen))
		}
		if r := f.signIn(t, "insp01").do(t, http.MethodPost, "/api/inspect/reports/"+rep.ID+"/decision", map[string]any{"verified": true, "decision": "x"}); r.status != http.StatusForbidden {
			t.Errorf("an inspector verified a complaint: %d", r.status)
		}
		if r := centre.do(t, http.MethodPost, "/api/inspect/reports/"+rep.ID+"/decision", map[string]any{"verified": true, "decision": "回访核实属实"}); r.status != http.StatusOK {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		other.get(t, "/api/inspect/reports", &seen)
		if len(seen) != 1 || seen[0].Status != "verified" {
			t.Errorf("the worker sees %+v, want the verified complaint", seen)
		}
	})
}

// supervisionScheme scores the spot-check facts.
const supervisionScheme = `
code: spot-check-test
version: 1
title: 抽检测试
period: month
subjects: [worker]
total: 20
categories:
  - id: checks
    name: 实地督查
    max: 20
    floor: 0
    rules:
      - {id: failed, name: 实地检查不合格, kind: per, fact: inspect.failed, points: -10}
      - {id: missed, name: 抽查漏登, kind: per, fact: inspect.missed_registrations, points: -2}
`

// TestSpotCheckFindingEndToEnd: a round is drawn, the inspector records a
// failed check, the worker gets the fix task, the assessment deducts with
// the inspector's evidence; the worker appeals and the upheld appeal
// removes the deduction.
func TestSpotCheckFindingEndToEnd(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := f.user(t, "w001")
		worker, centre := f.signIn(t, "w001"), f.signIn(t, "centre01")
		st, err := f.orgs.UnitByCode(ctx, f.town.Street.Code, f.town.ValidFrom)
		if err != nil {
			t.Fatal(err)
		}
		grids, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 1), Level: org.Grid, WithinID: st.ID, WithoutGeometry: true})
		if err != nil {
			t.Fatal(err)
		}
		var home string
		as, _, err := f.orgs.ListAssignments(ctx, org.AssignmentQuery{WorkerID: u.WorkerID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Kind == org.Primary {
				home = a.GridID
			}
		}
		// The worker's grid has one household.
		r := worker.do(t, http.MethodPost, "/api/houses", map[string]any{"grid_id": home, "address": "和平里1号", "purpose": "own", "began_on": "2026-01-10"})
		if r.status != http.StatusCreated {
			t.Fatalf("house: %d %s", r.status, r.body)
		}
		// Every grid drawn, so the worker's is among them.
		r = centre.do(t, http.MethodPost, "/api/inspect/rounds", map[string]any{"unit_id": st.ID, "from": "2026-03-01", "to": "2026-03-31", "grids": len(grids)})
		if r.status != http.StatusCreated {
			t.Fatalf("draw: %d %s", r.status, r.body)
		}
		var round inspect.Round
		r.decode(t, &round)
		var v inspect.Visit
		for _, x := range round.Visits {
			if x.GridID == home {
				v = x
			}
		}
		if v.ID == "" || len(v.Households) != 1 || v.WorkerID != u.WorkerID {
			t.Fatalf("the worker's grid was not drawn with its household: %+v", v)
		}
		// The inspector finds two people living there unregistered.
		res := inspect.Result{At: time.Date(2026, 3, 12, 10, 0, 0, 0, dates.Shanghai)}
		for _, it := range round.Form.Items {
			c := inspect.Check{Item: it.Code, OK: true}
			if it.Scope == inspect.PerHousehold {
				c.HouseID = v.Households[0]
			}
			if it.Code == "registered" {
				c.OK, c.Count, c.Note = false, 2, "租户2人未登记"
			}
			if it.Code == "quality" {
				c.OK, c.Note = false, "信息错漏多"
			}
			res.Checks = append(res.Checks, c)
		}
		if r := f.signIn(t, f.usernameOf(t, v.InspectorID)).do(t, http.MethodPost, "/api/inspect/visits/"+v.ID+"/result", res); r.status != http.StatusOK {
			t.Fatalf("record: %d %s", r.status, r.body)
		}
		var tasks []inspect.Task
		worker.get(t, "/api/inspect/tasks", &tasks)
		if len(tasks) != 1 || tasks[0].Kind != "register" || tasks[0].HouseID != v.Households[0] {
			t.Errorf("the worker's tasks: %+v, want one to register the people of the household", tasks)
		}

		// The facts and the assessment.
		if r := f.signIn(t, "admin").do(t, http.MethodPost, "/api/facts/collect", map[string]any{"month": "2026-03"}); r.status != http.StatusOK {
			t.Fatalf("collect: %d %s", r.status, r.body)
		}
		if r := f.signIn(t, "admin").do(t, http.MethodPost, "/api/assess/schemes", map[string]any{"yaml": supervisionScheme}); r.status != http.StatusCreated {
			t.Fatalf("scheme: %d %s", r.status, r.body)
		}
		r = f.signIn(t, "admin").do(t, http.MethodPost, "/api/assess/runs", map[string]any{"scheme": "spot-check-test", "period": "2026-03", "unit_id": st.ID})
		if r.status != http.StatusCreated {
			t.Fatalf("run: %d %s", r.status, r.body)
		}
		var run runs.RunInfo
		r.decode(t, &run)
		var result scheme.Result
		worker.get(t, "/api/assess/runs/"+run.ID+"/results/"+u.WorkerID, &result)
		if result.Total != 6 {
			t.Errorf("total %v, want 20 − 10 (failed) − 4 (2 unregistered)", result.Total)
		}
		body := worker.do(t, http.MethodGet, "/api/assess/runs/"+run.ID+"/results/"+u.WorkerID, nil).body
		for _, want := range []string{`"entity":"inspect_visit"`, `"id":"` + v.ID + `"`, `"entity":"inspect_check"`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("the explanation lacks the inspector's evidence %s", want)
			}
		}

		// The worker appeals the failed verdict; the centre upholds it.
		r = worker.do(t, http.MethodPost, "/api/assess/appeals", map[string]any{"run_id": run.ID, "subject_kind": "worker", "subject_id": u.WorkerID,
			"category": "checks", "rule": "failed", "reason": "信息错漏已在检查前报社区更正,附更正记录"})
		if r.status != http.StatusCreated {
			t.Fatalf("appeal: %d %s", r.status, r.body)
		}
		var appeal runs.Appeal
		r.decode(t, &appeal)
		r = centre.do(t, http.MethodPost, "/api/assess/appeals/"+appeal.ID+"/decision", map[string]any{"uphold": true, "decision": "核实更正记录属实"})
		if r.status != http.StatusOK {
			t.Fatalf("decide: %d %s", r.status, r.body)
		}
		var d struct {
			NewRun runs.RunInfo `json:"new_run"`
		}
		r.decode(t, &d)
		worker.get(t, "/api/assess/runs/"+d.NewRun.ID+"/results/"+u.WorkerID, &result)
		if result.Total != 16 {
			t.Errorf("after the upheld appeal the total is %v, want 20 − 4", result.Total)
		}
	})
}

// usernameOf returns the user name of the account with id.
func (f *fixture) usernameOf(t *testing.T, id string) string {
	t.Helper()
	u, err := f.users.GetUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}
