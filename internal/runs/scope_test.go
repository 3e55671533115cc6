package runs_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gridwork/internal/runs"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestScopedLists: the lists cut by a runs.Scope in their query show what
// the scope sees: the whole table of a run whose unit is in the scope for
// one who reads whole runs, else the rows of the scope's communities (a
// row without a community only with the whole run); escalations and
// appeals with their subject's row; findings of the scope's units and
// workers. A long list of ids (past one placeholder each) cuts the same.
func TestScopedLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		as := newRunEnv(t, db).as
		v, _, err := as.SaveScheme(bg, "test", []byte(runScheme), false)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		// Run "s1" of street s1: w1 in c1, w2 in c2, w3 in no community.
		// Run "s2" of street s2: w4 in c3.
		insertRun(t, db, "s1", v.ID, "2026-03", "s1", "", t0, []tableRow{
			{kind: "worker", id: "w1", name: "一", community: "c1", assessed: true, total: 90, rank: 1},
			{kind: "worker", id: "w2", name: "二", community: "c2", assessed: true, total: 80, rank: 2},
			{kind: "worker", id: "w3", name: "三", community: "", assessed: true, total: 70, rank: 3},
		})
		insertRun(t, db, "s2", v.ID, "2026-03", "s2", "", t0, []tableRow{
			{kind: "worker", id: "w4", name: "四", community: "c3", assessed: true, total: 60, rank: 1},
		})
		for i, w := range []string{"w1", "w2", "w3", "w4"} {
			run := map[bool]string{true: "s2", false: "s1"}[w == "w4"]
			if _, err := db.Q(bg).ExecContext(bg, `INSERT INTO escalations (id, run_id, scheme_code, span, subject_kind, subject_id, subject_name,
				escalation_id, name, action, periods, evidence, created_at) VALUES ($1, $2, 'test', '2026-03', 'worker', $3, $3, 'e', 'e', 'warn', '[]', '', $4)`,
				"e"+w, run, w, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Q(bg).ExecContext(bg, `INSERT INTO appeals (id, run_id, subject_kind, subject_id, category, rule, points, reason, files,
				status, filed_by, filed_at, deadline) VALUES ($1, $2, 'worker', $3, 'c', 'r', 0, 'r', '[]', 'open', 'test', $4, $4)`,
				"a"+w, run, w, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		for i, f := range [][2]string{{"worker", "w1"}, {"worker", "w4"}, {"community", "c1"}, {"community", "c3"}} {
			if _, err := db.Q(bg).ExecContext(bg, `INSERT INTO findings (id, type, item, subject_kind, subject_id, month, points, note, evidence,
				status, recorded_by, recorded_at) VALUES ($1, 'deduct', '', $2, $3, '2026-03', 1, '', '[]', 'confirmed', 'test', $4)`,
				"f"+f[1], f[0], f[1], t0.Add(time.Duration(-i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		// long pads a list of ids past one placeholder each.
		long := func(ids ...string) []string {
			for i := range 600 {
				ids = append(ids, fmt.Sprintf("x%03d", i))
			}
			return ids
		}
		street1 := []string{"s1", "c1", "c2"}
		for _, tc := range []struct {
			name                string
			scope               *runs.Scope
			table, esc, appeals []string // of run s1; escalations of s1; appeals of both runs
			findings            []string
		}{
			{"no scope", nil, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3", "w4"}, []string{"w1", "w4", "c1", "c3"}},
			{"everywhere, whole runs", &runs.Scope{WholeRuns: true}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3", "w4"}, []string{"w1", "w4", "c1", "c3"}},
			{"everywhere, rows", &runs.Scope{}, []string{"w1", "w2"}, []string{"w1", "w2"}, []string{"w1", "w2", "w4"}, []string{"w1", "w4", "c1", "c3"}},
			{"street s1, whole runs", &runs.Scope{Units: street1, Workers: []string{"w1"}, WholeRuns: true}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, []string{"w1", "c1"}},
			{"street s1, rows", &runs.Scope{Units: street1, Workers: []string{"w1"}}, []string{"w1", "w2"}, []string{"w1", "w2"}, []string{"w1", "w2"}, []string{"w1", "c1"}},
			{"community c1 and c3, whole runs", &runs.Scope{Units: []string{"c1", "c3"}, Workers: []string{"w4"}, WholeRuns: true}, []string{"w1"}, []string{"w1"}, []string{"w1", "w4"}, []string{"w4", "c1", "c3"}},
			{"nothing", &runs.Scope{Units: []string{}, Workers: []string{}, WholeRuns: true}, nil, nil, nil, nil},
			{"long lists", &runs.Scope{Units: long("c1", "c3"), Workers: long("w4"), WholeRuns: true}, []string{"w1"}, []string{"w1"}, []string{"w1", "w4"}, []string{"w4", "c1", "c3"}},
			{"long lists, whole run", &runs.Scope{Units: long("s1"), Workers: long(), WholeRuns: true}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, []string{"w1", "w2", "w3"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, rows, err := as.Table(bg, "s1", runs.TableQuery{Scope: tc.scope})
				if err != nil {
					t.Fatal(err)
				}
				_, page, total, err := as.TablePage(bg, "s1", runs.TableQuery{Scope: tc.scope, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				escs, err := as.Escalations(bg, runs.EscalationQuery{RunID: "s1", Scope: tc.scope})
				if err != nil {
					t.Fatal(err)
				}
				apps, err := as.Appeals(bg, runs.AppealQuery{Scope: tc.scope})
				if err != nil {
					t.Fatal(err)
				}
				fs, err := as.Findings(bg, runs.FindingQuery{Scope: tc.scope})
				if err != nil {
					t.Fatal(err)
				}
				check := func(what string, got, want []string) {
					t.Helper()
					slices.Sort(got)
					want = slices.Sorted(slices.Values(want))
					if !slices.Equal(got, want) {
						t.Errorf("%s: %v, want %v", what, got, want)
					}
				}
				var ids []string
				for _, r := range rows {
					ids = append(ids, r.SubjectID)
				}
				check("table", ids, tc.table)
				ids = nil
				for _, r := range page {
					ids = append(ids, r.SubjectID)
				}
				check("page", ids, tc.table)
				if total != len(tc.table) {
					t.Errorf("page total %d, want %d", total, len(tc.table))
				}
				ids = nil
				for _, e := range escs {
					ids = append(ids, e.SubjectID)
				}
				check("escalations", ids, tc.esc)
				ids = nil
				for _, a := range apps {
					ids = append(ids, a.SubjectID)
				}
				check("appeals", ids, tc.appeals)
				ids = nil
				for _, f := range fs {
					ids = append(ids, f.SubjectID)
				}
				check("findings", ids, tc.findings)
			})
		}
	})
}
