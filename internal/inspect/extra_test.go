package inspect_test

import (
	"fmt"
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
	"gridwork/internal/org"
)

// TestExtraGridFacts: seed 004's 减员增效. The failed inspections of a grid
// go to the worker who held it as an extra share on the day (not to
// anyone after the share ended), and the revocation flag stands in the
// one month the holder's extra-grid inspections first reach two failures
// in a row or three in the year.
func TestExtraGridFacts(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		// Grids 0 and 1 lose their own workers on 2 January (the street is
		// short of workers); x holds half of grid 0 until June, y half of
		// grid 1 all year. Both are the primary workers of community 2's
		// grids.
		from := dates.MustParse("2026-01-02")
		for _, g := range f.grids[:2] {
			as, _, err := f.org.ListAssignments(bg, org.AssignmentQuery{GridID: g.ID})
			if err != nil || len(as) != 1 {
				t.Fatalf("assignments of %s: %v %v", g.Name, as, err)
			}
			if _, err := f.org.EndAssignment(bg, "test", as[0].ID, from); err != nil {
				t.Fatal(err)
			}
		}
		x, y := f.worker[f.grids[2].ID], f.worker[f.grids[3].ID]
		to := dates.MustParse("2026-06-01")
		for _, a := range []org.NewAssignment{
			{WorkerID: x, GridID: f.grids[0].ID, Kind: org.Extra, SharePct: 50, ValidFrom: from, ValidTo: to},
			{WorkerID: y, GridID: f.grids[1].ID, Kind: org.Extra, SharePct: 50, ValidFrom: from},
		} {
			if _, err := f.org.Assign(bg, "test", a); err != nil {
				t.Fatal(err)
			}
		}
		// Verdicts month by month (January to June) of grid 0 and grid 1.
		verdicts := map[string]string{f.grids[0].ID: "PPFFFF", f.grids[1].ID: "FPFPFP"}
		for m := 1; m <= 6; m++ {
			first := dates.New(2026, time.Month(m), 1)
			f.st = f.st.WithClock(func() time.Time { return time.Date(2026, time.Month(m), 25, 8, 0, 0, 0, dates.Shanghai) })
			r, err := f.st.PlanRound(bg, "centre", inspect.NewRound{UnitID: f.comm[0].ID, From: first, To: first.AddDays(20), Grids: 2, Households: 3, Seed: uint64(m)})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range r.Visits {
				res := allOK(r.Form, v)
				if verdicts[v.GridID][m-1] == 'F' {
					res = fail(res, "attendance", "", 0, "不在岗")
				}
				res.ClientID = fmt.Sprintf("%d-%s", m, v.GridID)
				res.At = time.Date(2026, time.Month(m), 10, 10, 0, 0, 0, dates.Shanghai)
				if _, err := f.st.RecordVisit(bg, "inspector", v.ID, res); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tc := range []struct {
			month           int
			worker          string
			failed, revoked float64
			evidence        int // of the revocation
		}{
			{1, x, 0, 0, 0}, {2, x, 0, 0, 0}, {3, x, 1, 0, 0},
			{4, x, 1, 1, 2}, // March and April: two in a row
			{5, x, 1, 0, 0}, // the third failure: revoked already this year
			{6, x, 0, 0, 0}, // the share ended on 1 June: June's failure is not x's
			{1, y, 1, 0, 0}, {3, y, 1, 0, 0},
			{5, y, 1, 1, 3}, // January, March, May: the third in the year
			{6, y, 0, 0, 0},
		} {
			w, names, err := f.st.WorkerFacts(bg, metric.Period{Year: 2026, Month: time.Month(tc.month)})
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != 5 {
				t.Errorf("measured %v", names)
			}
			got, rev := w.At(tc.worker, "inspect.extra_failed"), w.At(tc.worker, "inspect.extra_revoked")
			if got.Num != tc.failed || rev.Num != tc.revoked || len(rev.Evidence) != tc.evidence {
				t.Errorf("2026-%02d worker %s: extra_failed %v revoked %v (%d refs), want %v %v (%d refs)",
					tc.month, tc.worker, got.Num, rev.Num, len(rev.Evidence), tc.failed, tc.revoked, tc.evidence)
			}
			// The primary workers of grids 0 and 1 get nothing here: their
			// grid's own failures are inspect.failed, per grid.
			if n := w.At(f.worker[f.grids[0].ID], "inspect.extra_failed").Num; n != 0 {
				t.Errorf("2026-%02d: the primary worker of grid 0 has extra_failed %v", tc.month, n)
			}
		}
	})
}
