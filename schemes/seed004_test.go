package schemes_test

import (
	"fmt"
	"reflect"
	"testing"

	"gridwork/internal/scheme"
)

const seed004 = "seed004-street-grid-practice.yaml"

// seed004Warnings: every fact the template reads is measured (duty,
// records, spot checks, events), so lint has nothing to say.
var seed004Warnings []string

// facts004 is one worker's month: work sheets missing, days absent,
// trainings missed, households visited of due, missed registrations and
// cancellations, complete of records, failed inspections, red cards.
func facts004(sheets, absent, meetings, visited, due, missedReg, missedCanc, complete, records, failed, red float64) scheme.Facts {
	return scheme.Facts{
		"duty.work_sheets_missing":     tplCount(sheets),
		"duty.login_missed":            tplCount(absent),
		"duty.meetings_missed":         tplCount(meetings),
		"households.visit_rate":        tplRate(visited, due),
		"inspect.missed_registrations": tplCount(missedReg),
		"inspect.missed_cancellations": tplCount(missedCanc),
		"records.completeness":         tplRate(complete, records),
		"inspect.failed":               tplCount(failed),
		"events.red_cards":             tplCount(red), // read only by the 网格之星 award
	}
}

func worker004(id string) scheme.Subject {
	return scheme.Subject{Kind: scheme.Worker, ID: id, Name: id, Employment: "full_time"}
}

func seed004Inputs() []scheme.Input {
	return []scheme.Input{
		{Subject: worker004("W1"), Months: []scheme.Facts{facts004(0, 0, 0, 40, 40, 0, 0, 60, 60, 0, 0)}},
		{Subject: worker004("W2"), Months: []scheme.Facts{facts004(2, 1, 1, 36, 40, 1, 1, 57, 60, 1, 0)}},
		{Subject: worker004("W3"), Months: []scheme.Facts{facts004(1, 0, 0, 35, 40, 0, 0, 49, 50, 0, 1)}},
		{Subject: worker004("W4"), Months: []scheme.Facts{facts004(12, 8, 2, 20, 40, 10, 7, 54, 60, 2, 0)}},
	}
}

func TestSeed004Month(t *testing.T) {
	s := tplLoad(t, seed004, seed004Warnings)
	ins := seed004Inputs()
	rs, err := scheme.Evaluate(s, scheme.Span{Kind: scheme.Month, Year: 2026, Index: 3}, ins, scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// "考勤、考量、考质、考绩" with the template's weights 20/30/30/20 and
	// deductions (the seed gives none): a missing work sheet −1, a day
	// absent −1, a training missed −2; quantity 30 × visit rate; a missed
	// registration or cancellation −2, −0.3 per point of completeness short
	// of 100 %; a failed inspection −10; floor 0.
	//
	// W1: nothing missing → 20 + 30 + 30 + 20 = 100.
	// W2: attendance 20 − 2 − 1 − 2 = 15; quantity 30 × 36/40 = 27; quality
	//   30 − 2 − 2 − 0.3 × (100 − 95) = 24.5; results 20 − 10 = 10. Total 76.5.
	// W3: attendance 19; quantity 30 × 35/40 = 26.25 → 26.3 (half up);
	//   quality 30 − 0.3 × 2 = 29.4; results 20. Total 94.7.
	// W4: attendance 20 − 12 − 8 − 4 = −4 → 0; quantity 30 × 20/40 = 15;
	//   quality 30 − 20 − 14 − 3 = −7 → 0; results 20 − 20 = 0. Total 15.
	// Ranks W1, W3, W2, W4.
	wants := map[string]tplWant{
		"W1": {
			rules: map[string]float64{"attendance/work_sheets": 0, "attendance/absent": 0, "attendance/meetings": 0,
				"quantity/visits": 30, "quality/missed_registrations": 0, "quality/missed_cancellations": 0,
				"quality/completeness": 0, "results/failed": 0},
			cats:  map[string]float64{"attendance": 20, "quantity": 30, "quality": 30, "results": 20},
			total: 100, rank: 1,
		},
		"W2": {
			rules: map[string]float64{"attendance/work_sheets": -2, "attendance/absent": -1, "attendance/meetings": -2,
				"quantity/visits": 27, "quality/missed_registrations": -2, "quality/missed_cancellations": -2,
				"quality/completeness": -1.5, "results/failed": -10},
			cats:  map[string]float64{"attendance": 15, "quantity": 27, "quality": 24.5, "results": 10},
			total: 76.5, rank: 3,
		},
		"W3": {
			rules: map[string]float64{"attendance/work_sheets": -1, "attendance/absent": 0, "attendance/meetings": 0,
				"quantity/visits": 26.25, "quality/missed_registrations": 0, "quality/missed_cancellations": 0,
				"quality/completeness": -0.6, "results/failed": 0},
			cats:  map[string]float64{"attendance": 19, "quantity": 26.3, "quality": 29.4, "results": 20},
			total: 94.7, rank: 2,
		},
		"W4": {
			rules: map[string]float64{"attendance/work_sheets": -12, "attendance/absent": -8, "attendance/meetings": -4,
				"quantity/visits": 15, "quality/missed_registrations": -20, "quality/missed_cancellations": -14,
				"quality/completeness": -3, "results/failed": -20},
			cats:  map[string]float64{"attendance": 0, "quantity": 15, "quality": 0, "results": 0},
			total: 15, rank: 4,
		},
	}
	tplVerify(t, rs, wants)

	// 网格之星: the top 3 (W1, W3, W2) without a red card or a failed
	// inspection: W3 has a red card, W2 a failed inspection: only W1. W4
	// failed twice, but in one month: one period, so no talk yet.
	var got []string
	for id, st := range tplStandings(s, "2026-03", rs, ins) {
		for _, tr := range scheme.Escalate(s, []scheme.Standing{st}) {
			got = append(got, id+" "+tr.ID)
		}
	}
	if want := []string{"W1 grid_star"}; !reflect.DeepEqual(got, want) {
		t.Errorf("escalations = %q, want %q", got, want)
	}
}

// TestSeed004Revocation: "一年内连续两次考核不合格或累计三次考核不合格的网格员取消其
// “减员增效”的资格" reads the extra grid's inspections (inspect.extra_revoked,
// measured by package inspect from them: see its TestExtraGridFacts), and
// the talk at the second failure of the worker's own grid ("屡次不合格的……谈话").
func TestSeed004Revocation(t *testing.T) {
	s := tplLoad(t, seed004, seed004Warnings)
	cases := []struct {
		pattern string // X's months from January: F own grid failed, R extra grid's revocation condition met, . neither
		want    []string
	}{
		{"F.F", []string{"2026-03 talk"}},              // two own failures, not consecutive: a talk
		{"FF", []string{"2026-02 talk"}},               // own failures never revoke the extra grid
		{"..R", []string{"2026-03 revoke_extra_grid"}}, // the extra grid's condition met in March
		{"F.R.F", []string{"2026-03 revoke_extra_grid", "2026-05 talk"}},
		{"F...", nil}, // once
		{"....", nil},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			var history []scheme.Standing
			var got []string
			for i, p := range c.pattern {
				failed := 0.0
				if p == 'F' {
					failed = 1
				}
				x := facts004(0, 0, 0, 40, 40, 0, 0, 60, 60, failed, 0)
				if p == 'R' {
					x["inspect.extra_failed"], x["inspect.extra_revoked"] = tplCount(1), tplCount(1)
				}
				span := scheme.Span{Kind: scheme.Month, Year: 2026, Index: i + 1}
				ins := []scheme.Input{
					{Subject: worker004("W1"), Months: []scheme.Facts{facts004(0, 0, 0, 40, 40, 0, 0, 60, 60, 0, 0)}},
					{Subject: worker004("X"), Months: []scheme.Facts{x}},
				}
				rs, err := scheme.Evaluate(s, span, ins, scheme.Options{})
				if err != nil {
					t.Fatal(err)
				}
				// X scores 100 − 10 in a month its own grid failed ("考绩"
				// −10), else 100: the extra grid does not touch its score.
				if x := tplResult(t, rs, "X"); x.Total != 100-10*failed {
					t.Errorf("%s X total = %v, want %v", span, x.Total, 100-10*failed)
				}
				history = append(history, tplStandings(s, span.String(), rs, ins)["X"])
				for _, tr := range scheme.Escalate(s, history) {
					if tr.Action != "award" {
						got = append(got, fmt.Sprintf("%s %s", span, tr.ID))
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("escalations = %q, want %q", got, c.want)
			}
		})
	}
}

// TestSeed004Pay: base 500 yuan a month; the year-end 300 accrued each
// month by score; the 减员增效 bonus 200 yuan per whole extra grid, by
// score, not paid once revoked. Amounts in fen.
func TestSeed004Pay(t *testing.T) {
	s := tplLoad(t, seed004, seed004Warnings)
	rs, err := scheme.Evaluate(s, scheme.Span{Kind: scheme.Month, Year: 2026, Index: 3}, seed004Inputs(), scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id      string
		shares  []float64
		revoked bool
		signals map[string]float64
		want    map[string]int64
	}{
		// 100 points: 500 + 300 × 100/100 + 200 × 0.5 × 100/100.
		{"W1", []float64{0.5}, false, nil, map[string]int64{"base": 50000, "year_end": 30000, "extra_grid": 10000}},
		// 76.5: 300 × 0.765 = 229.50 yuan; 200 × 0.5 × 0.765 = 76.50 yuan.
		{"W2", []float64{0.5}, false, map[string]float64{"inspect.extra_failed": 0}, map[string]int64{"base": 50000, "year_end": 22950, "extra_grid": 7650}},
		// 94.7 and no extra grid: 300 × 0.947 = 284.10 yuan, no bonus line.
		{"W3", nil, false, nil, map[string]int64{"base": 50000, "year_end": 28410}},
		// 15 and the extra grid revoked: 300 × 0.15 = 45 yuan, bonus 0.
		{"W4", []float64{0.5}, true, nil, map[string]int64{"base": 50000, "year_end": 4500, "extra_grid": 0}},
		// The extra grid failed its spot check this month: no bonus this
		// month, though the worker's own score is full.
		{"W1", []float64{0.5}, false, map[string]float64{"inspect.extra_failed": 1}, map[string]int64{"base": 50000, "year_end": 30000, "extra_grid": 0}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			got := map[string]int64{}
			for _, l := range scheme.Pay(s, tplResult(t, rs, c.id), 1, c.shares, c.revoked, c.signals) {
				got[l.Item] = l.Fen
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("pay = %v, want %v", got, c.want)
			}
		})
	}
}
