package schemes_test

import (
	"testing"

	_ "gridwork/internal/catalog" // every fact defined, as in the server
	"gridwork/internal/dates"
	"gridwork/internal/scheme"
)

const seed001 = "seed001-town-quarterly.yaml"

// seed001Warnings are the lint warnings the template keeps: facts not
// measured yet (events, duty, patrols, supervision and surveys are
// declared only), and the monthly quota that can move 3 × 56 points, more
// than 事件办理's 30, which the floor holds. No overlap warning.
var seed001Warnings = []string{
	hwPending("quota", "events.reported"),
	hwPending("quota", "events.reported_upward"),
	"rule quota can move 168 points, more than category events's 30",
	hwPending("bunching", "events.month_end_bunching"),
	hwPending("cards", "events.yellow_cards"),
	hwPending("cards", "events.red_cards"),
	hwPending("badly-described", "events.badly_described"),
	hwPending("unreported", "events.unreported"),
	hwPending("unreported", "events.unreported_major"),
	hwPending("major-late", "events.major_late"),
	hwPending("patrols", "patrol.long_patrols_missing"),
	hwPending("undercover", "inspect.undercover"),
	hwPending("undercover", "inspect.complaints"),
	hwPending("quiz", "inspect.quiz_wrong"),
	hwPending("survey", "survey.satisfaction"),
}

// seed001Counts are the count and flag facts the template reads.
var seed001Counts = []string{
	"records.changes_late", "records.incomplete",
	"events.reported", "events.reported_upward", "events.month_end_bunching", "events.yellow_cards", "events.red_cards",
	"events.badly_described", "events.unreported", "events.unreported_major", "events.major_late",
	"care.not_entered", "care.visit_missed_month", "care.lost",
	"duty.login_missed", "patrol.long_patrols_missing", "duty.meetings_missed", "inspect.undercover", "inspect.complaints",
	"duty.assignment_refused", "duty.phone_not_carried", "inspect.quiz_wrong",
}

// absent001 marks a fact not measured in a month.
const absent001 = -1

// quarter001 builds three months of facts: every count in seed001Counts is 0
// unless counts gives it per month (absent001 = not measured that month);
// the satisfaction survey is given as [satisfied, answers] per month,
// {0, 0} meaning no survey that month. A nil month (skip[i]) has nothing
// stored at all.
func quarter001(counts map[string][3]float64, survey [3][2]float64, skip ...int) []scheme.Facts {
	out := make([]scheme.Facts, 3)
	for m := range 3 {
		f := scheme.Facts{}
		for _, n := range seed001Counts {
			v := 0.0
			if c, ok := counts[n]; ok {
				v = c[m]
			}
			if v != absent001 {
				f[n] = hwCount(v)
			}
		}
		if survey[m][1] > 0 {
			f["survey.satisfaction"] = hwRate(survey[m][0], survey[m][1])
		}
		out[m] = f
	}
	for _, m := range skip {
		out[m] = nil
	}
	return out
}

func TestSeed001TownQuarterly(t *testing.T) {
	s := hwLoad(t, seed001, seed001Warnings)
	if s.Period != scheme.Quarter || s.Rollup != scheme.Whole || s.Eligible.InPostMonths != 6 {
		t.Fatalf("period %s rollup %s in post %d; want quarterly, whole, 6 months", s.Period, s.Rollup, s.Eligible.InPostMonths)
	}
	span := scheme.Span{Kind: scheme.Quarter, Year: 2026, Index: 1} // 2026-01 … 2026-03
	worker := func(id, employment string, since dates.Date) scheme.Subject {
		return scheme.Subject{Kind: scheme.Worker, ID: id, Name: id, Employment: employment, InPostSince: since}
	}
	x := float64(absent001)
	inputs := []scheme.Input{
		{
			Subject: worker("F1", "full_time", dates.New(2024, 1, 1)),
			Months: quarter001(map[string][3]float64{
				"records.changes_late": {1, 0, 1}, "records.incomplete": {1, 1, 0},
				"events.reported": {50, 60, 56}, "events.reported_upward": {5, 6, 8},
				"events.month_end_bunching": {1, 0, 1},
				"events.yellow_cards":       {1, 0, 0}, "events.red_cards": {0, 1, 0},
				"events.major_late":       {0, 0, 1},
				"care.visit_missed_month": {1, 0, 1},
				"duty.login_missed":       {1, 0, 0}, "inspect.quiz_wrong": {1, 0, 0},
			}, [3][2]float64{{45, 50}, {0, 0}, {40, 50}}),
		},
		{
			Subject: worker("P1", "part_time", dates.New(2023, 5, 1)),
			Months: quarter001(map[string][3]float64{
				"records.incomplete": {0, 0, 1},
				"events.reported":    {52, 49, 55}, "events.reported_upward": {3, 6, 4},
				"events.yellow_cards": {0, 1, 1}, "events.badly_described": {2, 0, 1},
				"events.unreported": {1, 0, 0}, "events.unreported_major": {0, 1, 0},
				"care.not_entered":            {1, 1, 0},
				"patrol.long_patrols_missing": {2, 1, 0}, "duty.phone_not_carried": {0, 0, 1},
			}, [3][2]float64{{18, 20}, {19, 20}, {20, 20}}),
		},
		{
			// In post from 2025-10-01: exactly 6 months on 2026-03-31,
			// eligible. Nothing stored in January; February has only the
			// records and care facts; March adds the events; duty, patrols,
			// supervision and the survey never came.
			Subject: worker("C1", "full_time", dates.New(2025, 10, 1)),
			Months: quarter001(map[string][3]float64{
				"records.changes_late": {x, 0, 2},
				"events.reported":      {x, x, 40}, "events.reported_upward": {x, x, 10},
				"events.month_end_bunching": {x, x, 0}, "events.yellow_cards": {x, x, 0}, "events.red_cards": {x, x, 0},
				"events.badly_described": {x, x, 0}, "events.unreported": {x, x, 0}, "events.unreported_major": {x, x, 0},
				"events.major_late":       {x, x, 0},
				"care.visit_missed_month": {x, 1, 0}, "care.lost": {x, 0, 1},
				"duty.login_missed": {x, x, x}, "patrol.long_patrols_missing": {x, x, x}, "duty.meetings_missed": {x, x, x},
				"inspect.undercover": {x, x, x}, "inspect.complaints": {x, x, x}, "duty.assignment_refused": {x, x, x},
				"duty.phone_not_carried": {x, x, x}, "inspect.quiz_wrong": {x, x, x},
			}, [3][2]float64{}, 0),
		},
		{
			// In post from 2025-11-15: under 6 months at the quarter's end.
			Subject: worker("D1", "part_time", dates.New(2025, 11, 15)),
			Months:  quarter001(map[string][3]float64{"events.reported": {0, 0, 0}}, [3][2]float64{{1, 2}, {1, 2}, {1, 2}}),
		},
		{
			Subject: worker("E1", "full_time", dates.New(2020, 6, 1)),
			Months: quarter001(map[string][3]float64{
				"events.reported": {56, 56, 57}, "events.reported_upward": {8, 8, 9},
				"events.major_late": {1, 0, 0}, "care.lost": {0, 1, 0},
				"duty.assignment_refused": {0, 1, 0}, "duty.meetings_missed": {0, 0, 1}, "inspect.complaints": {1, 0, 0},
			}, [3][2]float64{{20, 20}, {20, 20}, {20, 20}}),
		},
	}
	rs, err := scheme.Evaluate(s, span, inputs, scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wants := []hwWant{
		{
			// F1, full-time.
			// (一) 2 changes not updated in time × −2 = −4; 2 incomplete
			// records × −1 = −2: 5 − 6 = −1 → 扣完为止 0.
			// (二) quota 56 with 8 upward, month by month: January 50 with
			// 5 upward, short max(6, 3) = 6; February 60 with 6 upward,
			// short max(0, 2) = 2; March 56 with 8, none: −8. Bunched in
			// the last 5 days in January and March: −10 × 2 = −20. 1
			// yellow card −5, 1 red card −10 = −15. 1 major event not
			// reported within 2 hours −10. 30 − 53 = −23 → floor 0.
			// (三) visits not all done by the 28th in 2 months × −5 = −10:
			// 20. (四) 1 day without login −3, 1 wrong quiz answer −0.5:
			// 15 − 3.5 = 11.5. (五) surveys in January and March: 85
			// satisfied of 100 = 85 % × 20 = 17.
			// Total 0 + 0 + 20 + 11.5 + 17 = 48.5.
			id: "F1", total: 48.5, rank: 4, of: 4,
			cats: map[string]float64{"info": 0, "events": 0, "care": 20, "discipline": 11.5, "satisfaction": 17},
			raw:  map[string]float64{"info": -1, "events": -23},
			rules: map[string]float64{
				"info/changes-late": -4, "info/incomplete": -2,
				"events/quota": -8, "events/bunching": -20, "events/cards": -15, "events/major-late": -10,
				"care/visits":      -10,
				"discipline/login": -3, "discipline/quiz": -0.5,
				"satisfaction/survey": 17,
			},
		},
		{
			// P1, part-time: quota 52 with 4 upward. January 52 with 3
			// upward, short max(0, 1) = 1; February 49 with 6, short
			// max(3, 0) = 3; March 55 with 4, none: −4. Yellow cards in
			// February and March × −5 = −10. 3 events badly described ×
			// −1 = −3. 1 ordinary piece of information not reported −1, 1
			// larger −3 = −4. 30 − 21 = 9.
			// (一) 1 incomplete record −1: 4. (三) a person on the care
			// list not entered at the January and February checks: 2 × −3
			// = −6: 24. (四) 3 patrols missing × −3 = −9, phone not
			// carried once −3: 15 − 12 = 3. (五) 57 of 60 = 95 % × 20 =
			// 19. Total 4 + 9 + 24 + 3 + 19 = 59.
			id: "P1", total: 59, rank: 3, of: 4,
			cats: map[string]float64{"info": 4, "events": 9, "care": 24, "discipline": 3, "satisfaction": 19},
			rules: map[string]float64{
				"info/incomplete": -1,
				"events/quota":    -4, "events/cards": -10, "events/badly-described": -3, "events/unreported": -4,
				"care/not-entered":   -6,
				"discipline/patrols": -9, "discipline/phone": -3,
				"satisfaction/survey": 19,
			},
		},
		{
			// C1: (一) 2 late changes in March × −2 = −4: 1. (二) events
			// measured in March only: 40 of 56 with 10 upward, short
			// max(16, 0) = 16: −16 (January and February: no data, no
			// deduction): 14. (三) visits missed in February −5, 1 person
			// lost in March −10: 15. (四) nothing measured: 15. (五) no
			// survey held: full 20 (missing: full), flagged no_data.
			// Total 1 + 14 + 15 + 15 + 20 = 65; 8 rules without data (7
			// of 工作纪律 and the survey).
			id: "C1", total: 65, rank: 1, of: 4, noData: 8,
			cats: map[string]float64{"info": 1, "events": 14, "care": 15, "discipline": 15, "satisfaction": 20},
			rules: map[string]float64{
				"info/changes-late": -4,
				"events/quota":      -16,
				"care/visits":       -5, "care/lost": -10,
				"satisfaction/survey": 20,
			},
			noDataRules: []string{
				"discipline/login", "discipline/patrols", "discipline/meetings", "discipline/undercover",
				"discipline/refused", "discipline/phone", "discipline/quiz", "satisfaction/survey",
			},
		},
		{id: "D1", notAssessed: "6"},
		{
			// E1: quota met every month (56/8, 56/8, 57/9). 1 major event
			// not reported within 2 hours −10: 20. 1 person lost −10: 20.
			// (四) 1 refusal −15, 1 meeting missed −3, 1 verified complaint
			// −10: 15 − 28 = −13 → floor 0. (五) 100 % → 20.
			// Total 5 + 20 + 20 + 0 + 20 = 65: tied with C1 for first;
			// P1 is third (the rank after a tie skips).
			id: "E1", total: 65, rank: 1, of: 4,
			cats: map[string]float64{"info": 5, "events": 20, "care": 20, "discipline": 0, "satisfaction": 20},
			raw:  map[string]float64{"discipline": -13},
			rules: map[string]float64{
				"events/major-late": -10, "care/lost": -10,
				"discipline/refused": -15, "discipline/meetings": -3, "discipline/undercover": -10,
				"satisfaction/survey": 20,
			},
		},
	}
	hwCheck(t, rs, wants)

	// Pay for the quarter: full-time 200 yuan a month withheld, paid back
	// × score / 100; part-time the placeholder 100 yuan a month × score.
	// F1: 60000 fen × 48.5 % = 29100; P1: 30000 × 59 % = 17700; C1 and E1:
	// 60000 × 65 % = 39000; D1 is not assessed and gets no line.
	pay := map[string]struct {
		item string
		fen  int64
	}{
		"F1": {"full-time-performance", 29100},
		"P1": {"part-time-allowance", 17700},
		"C1": {"full-time-performance", 39000},
		"E1": {"full-time-performance", 39000},
	}
	for _, r := range rs {
		lines := scheme.Pay(s, r, 3, nil, false, nil)
		w, ok := pay[r.Subject.ID]
		if !ok {
			if len(lines) != 0 {
				t.Errorf("%s: pay %v, want none", r.Subject.ID, lines)
			}
			continue
		}
		if len(lines) != 1 || lines[0].Item != w.item || lines[0].Fen != w.fen {
			t.Errorf("%s: pay %+v, want one line %s of %d fen", r.Subject.ID, lines, w.item, w.fen)
		}
	}

	// The talk that goes with a refusal (E1 refused once this quarter).
	got := scheme.Escalate(s, []scheme.Standing{{Span: "2026-Q1", Assessed: true, Rank: 1, Of: 4, Total: 65,
		Facts: map[string]float64{"duty.assignment_refused": 1}}})
	if len(got) != 1 || got[0].ID != "refusal-talk" || got[0].Action != "talk" {
		t.Errorf("escalations for a refusal = %+v, want the refusal talk", got)
	}
	if got := scheme.Escalate(s, []scheme.Standing{{Span: "2026-Q1", Assessed: true, Rank: 4, Of: 4, Total: 48.5,
		Facts: map[string]float64{"duty.assignment_refused": 0}}}); len(got) != 0 {
		t.Errorf("escalations without a refusal = %+v, want none", got)
	}
}
