package runs_test

import (
	"strings"
	"testing"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

const extraPayScheme = `
code: test-pay-extra
version: 1
title: 兼格奖
period: month
total: 100
pay:
  - {id: extra, name: 减员增效奖, monthly_fen: 20000, scale: none, per_extra_grid: true, withhold_if: t.count}
categories:
  - {id: a, name: A, max: 100, rules: [{id: late, name: 未及时更新, kind: per, fact: t.count, points: -2}]}
`

// TestPayrollWithholds: a pay item with withhold_if is not paid in a
// month its fact is non-zero for the worker; the stored run keeps the
// fact (the run's signals), so the payroll reads it without the facts.
func TestPayrollWithholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newRunEnv(t, db)
		if _, _, err := e.as.SaveScheme(bg, "test", []byte(extraPayScheme), false); err != nil {
			t.Fatal(err)
		}
		// 甲 holds half of a grid that has no worker of its own.
		comms, _, err := e.org.ListUnits(bg, org.UnitQuery{On: dates.New(2026, 3, 1), Level: org.Community, WithoutGeometry: true})
		if err != nil || len(comms) != 1 {
			t.Fatalf("community: %v %v", comms, err)
		}
		spare, err := e.org.CreateUnit(bg, "test", org.NewUnit{Level: org.Grid, ParentID: comms[0].ID, Name: "丁网格",
			Geometry: rect(116.3, 39.905, 116.31, 39.91), ValidFrom: dates.New(2025, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.org.Assign(bg, "test", org.NewAssignment{WorkerID: e.workers["甲"].ID, GridID: spare.ID, Kind: org.Extra,
			SharePct: 50, ValidFrom: dates.New(2026, 1, 1)}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			month   string
			late    float64
			fen     int64
			explain string
		}{
			{"2026-03", 1, 0, "不发"},                   // the fact stands: withheld
			{"2026-04", 0, 10000, "200.00 元 × 0.5 份"}, // 200 yuan × 0.5 share
		} {
			e.saveFacts(t, tc.month, map[string]float64{"甲": tc.late, "乙": 0, "丙": 0})
			run, err := e.as.Run(bg, "test", "test-pay-extra", tc.month, e.street.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			_, rows, err := e.as.Payroll(bg, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range rows {
				switch r.Name {
				case "甲":
					found = true
					if len(r.Lines) != 1 || r.Lines[0].Fen != tc.fen || !strings.Contains(r.Lines[0].Explain, tc.explain) {
						t.Errorf("%s 甲: %+v, want %d fen explained %q", tc.month, r.Lines, tc.fen, tc.explain)
					}
				default:
					if len(r.Lines) != 0 {
						t.Errorf("%s %s holds no extra share but has %+v", tc.month, r.Name, r.Lines)
					}
				}
			}
			if !found {
				t.Errorf("%s: no payroll row for 甲", tc.month)
			}
		}
	})
}
