package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
)

const apiScheme = `
code: api-test
version: 1
title: 接口测试月考核
period: month
total: 100
categories:
  - id: info
    name: 信息录入
    max: 100
    floor: 0
    rules:
      - {id: late, name: 基础信息未及时更新, kind: per, fact: records.changes_late, points: -2}
`

// TestAssessmentAPI: the centre stores a scheme and runs it; a grid worker
// sees their community's table and only their own explanation, appeals a
// deduction, and the centre's upheld decision makes a new run.
func TestAssessmentAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const worker = "w001"
		u := f.user(t, worker)
		var other org.Worker
		ws, _, err := f.orgs.ListWorkers(ctx, org.WorkerQuery{On: dates.New(2026, 3, 31)})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.ID != u.WorkerID && w.Post == org.GridWorker {
				other = w
				break
			}
		}
		streets, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 31), Level: org.Street, WithoutGeometry: true})
		if err != nil || len(streets) != 1 {
			t.Fatalf("street: %v %v", streets, err)
		}
		march := metric.Period{Year: 2026, Month: 3}
		if err := facts.Save(ctx, f.db, march, []metric.Fact{
			{Subject: metric.Worker, SubjectID: u.WorkerID, Name: "records.changes_late", Value: 2,
				Evidence: []metric.Ref{{Entity: "person", ID: "p-1"}, {Entity: "person", ID: "p-2"}}},
			{Subject: metric.Worker, SubjectID: other.ID, Name: "records.changes_late", Value: 1},
		}); err != nil {
			t.Fatal(err)
		}
		var run runs.RunInfo
		var appeal runs.Appeal
		f.run(t, []scenario{
			{name: "lint names the line", method: "POST", path: "/api/assess/schemes/check", as: worker, wantStatus: 200,
				body:     map[string]any{"yaml": "code: x\nversion: 1\ntitle: t\nperiod: month\ntotal: 10\ncategories:\n  - {id: a, name: A, max: 10, rules: [{id: r, kind: per, fact: no.such, points: -1}]}\n"},
				wantBody: []string{`"ok":false`, `unknown fact \"no.such\"`, `"line":7`}},
			{name: "a worker may not store schemes", method: "POST", path: "/api/assess/schemes", as: worker, body: map[string]any{"yaml": apiScheme},
				wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "the centre stores it", method: "POST", path: "/api/assess/schemes", as: "admin", body: map[string]any{"yaml": apiScheme},
				wantStatus: 201, wantBody: []string{`"code":"api-test"`}},
			{name: "a worker may not run", method: "POST", path: "/api/assess/runs", as: worker,
				body: map[string]any{"scheme": "api-test", "period": "2026-03", "unit_id": streets[0].ID}, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "a quarter is refused", method: "POST", path: "/api/assess/runs", as: "admin",
				body: map[string]any{"scheme": "api-test", "period": "2026-Q1", "unit_id": streets[0].ID}, wantStatus: 422, wantCode: apperr.Invalid},
			{name: "admin runs March", method: "POST", path: "/api/assess/runs", as: "admin",
				body: map[string]any{"scheme": "api-test", "period": "2026-03", "unit_id": streets[0].ID}, wantStatus: 201,
				check: func(t *testing.T, r *response) { r.decode(t, &run) }},
		})
		var table struct {
			Rows []runs.Row `json:"rows"`
		}
		f.signIn(t, worker).get(t, "/api/assess/runs/"+run.ID, &table)
		if len(table.Rows) == 0 {
			t.Fatal("the worker sees no rows")
		}
		for _, r := range table.Rows {
			if r.CommunityID != u.ScopeUnitID {
				t.Errorf("worker sees row %s of community %s, outside their community %s", r.Name, r.CommunityID, u.ScopeUnitID)
			}
		}
		f.run(t, []scenario{
			{name: "own explanation with the records", method: "GET", path: "/api/assess/runs/" + run.ID + "/results/" + u.WorkerID, as: worker,
				wantStatus: 200, wantBody: []string{`"total":96`, `"id":"p-2"`}},
			{name: "not another's", method: "GET", path: "/api/assess/runs/" + run.ID + "/results/" + other.ID, as: worker,
				wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "appeal own deduction", method: "POST", path: "/api/assess/appeals", as: worker, wantStatus: 201,
				body:  map[string]any{"run_id": run.ID, "subject_kind": "worker", "subject_id": u.WorkerID, "category": "info", "rule": "late", "reason": "两条变更均在3日内录入"},
				check: func(t *testing.T, r *response) { r.decode(t, &appeal) }},
			{name: "not another's deduction", method: "POST", path: "/api/assess/appeals", as: worker, wantStatus: 403, wantCode: apperr.Forbidden,
				body: map[string]any{"run_id": run.ID, "subject_kind": "worker", "subject_id": other.ID, "category": "info", "rule": "late", "reason": "x"}},
		})
		f.run(t, []scenario{
			{name: "an inspector does not decide", method: "POST", path: "/api/assess/appeals/" + appeal.ID + "/decision", as: "insp01",
				body: map[string]any{"uphold": true, "decision": "x"}, wantStatus: 403, wantCode: apperr.Forbidden},
			{name: "the centre upholds it", method: "POST", path: "/api/assess/appeals/" + appeal.ID + "/decision", as: "centre01",
				body: map[string]any{"uphold": true, "decision": "核实属实"}, wantStatus: 200, wantBody: []string{`"status":"upheld"`, `"supersedes":"` + run.ID + `"`},
				check: func(t *testing.T, r *response) {
					var d struct {
						NewRun runs.RunInfo `json:"new_run"`
					}
					if err := json.Unmarshal(r.body, &d); err != nil {
						t.Fatal(err)
					}
					var res scheme.Result
					f.signIn(t, worker).get(t, "/api/assess/runs/"+d.NewRun.ID+"/results/"+u.WorkerID, &res)
					if res.Total != 100 {
						t.Errorf("after the upheld appeal the total is %v, want 100", res.Total)
					}
				}},
			{name: "the old run stays readable", method: "GET", path: "/api/assess/runs/" + run.ID + "/results/" + u.WorkerID, as: worker,
				wantStatus: 200, wantBody: []string{`"total":96`}},
		})
	})
}
