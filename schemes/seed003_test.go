package schemes_test

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "gridwork/internal/catalog" // every fact the templates name
	"gridwork/internal/metric"
	"gridwork/internal/scheme"
	"gridwork/schemes"
)

// Helpers shared by the seed tests of this package.

// tplLoad parses the built-in template name and checks that it lints without
// errors and with exactly the accepted warnings (texts, in any order), so a
// new warning fails the test until it is looked at.
func tplLoad(t *testing.T, name string, accepted []string) *scheme.Program {
	t.Helper()
	if !slices.Contains(schemes.Names(), name) {
		t.Fatalf("%s is not among the built-in templates %v", name, schemes.Names())
	}
	text, err := schemes.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheme.Parse(text)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var warnings []string
	for _, m := range scheme.Lint(s, metric.Current()) {
		if m.Severity == scheme.Error {
			t.Errorf("%s: %s", name, m)
			continue
		}
		warnings = append(warnings, m.Text)
	}
	wantW := append([]string(nil), accepted...)
	sort.Strings(warnings)
	sort.Strings(wantW)
	if !reflect.DeepEqual(warnings, wantW) {
		t.Errorf("%s: lint warnings\n%s\nwant exactly\n%s", name, strings.Join(warnings, "\n"), strings.Join(wantW, "\n"))
	}
	p, err := scheme.Compile(s, metric.Current())
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return p
}

// tplPending is the lint warning for a rule that reads a fact nothing
// measures yet.
func tplPending(rule, fact, why string) string {
	return fmt.Sprintf("rule %s reads %s, which is declared but not measured yet (%s): until then the rule finds no data", rule, fact, why)
}

func tplCount(v float64) metric.Fact { return metric.Fact{Value: v} }

// tplRate is a percentage num/den; 100 when there is nothing to measure.
func tplRate(num, den float64) metric.Fact {
	v := 100.0
	if den > 0 {
		v = 100 * num / den
	}
	return metric.Fact{Value: v, Num: num, Den: den}
}

// tplMean is an average num/den (patrol hours per worker-day, events per
// worker).
func tplMean(num, den float64) metric.Fact {
	v := 0.0
	if den > 0 {
		v = num / den
	}
	return metric.Fact{Value: v, Num: num, Den: den}
}

// tplWant is one subject's expected result: every rule ("category/rule"),
// every category and the total, worked out by hand.
type tplWant struct {
	rules map[string]float64
	cats  map[string]float64
	total float64
	rank  int
}

const tplEps = 1e-9

// tplVerify checks every subject's result against its tplWant, and that it names
// every rule and category the result has (nothing goes unchecked).
func tplVerify(t *testing.T, rs []scheme.Result, wants map[string]tplWant) {
	t.Helper()
	if len(rs) != len(wants) {
		t.Fatalf("%d results, want %d", len(rs), len(wants))
	}
	for _, r := range rs {
		w, ok := wants[r.Subject.ID]
		if !ok {
			t.Errorf("unexpected subject %s", r.Subject.ID)
			continue
		}
		if !r.Assessed {
			t.Errorf("%s not assessed: %s", r.Subject.ID, r.NotAssessed)
			continue
		}
		seenRules, seenCats := 0, 0
		for _, c := range r.Categories {
			cw, ok := w.cats[c.ID]
			if !ok {
				t.Errorf("%s: no expectation for category %s", r.Subject.ID, c.ID)
			} else {
				seenCats++
				if math.Abs(c.Score-cw) > tplEps {
					t.Errorf("%s %s = %v, want %v (raw %v, note %q)", r.Subject.ID, c.ID, c.Score, cw, c.Raw, c.Note)
				}
			}
			for _, rr := range c.Rules {
				key := c.ID + "/" + rr.ID
				rw, ok := w.rules[key]
				if !ok {
					t.Errorf("%s: no expectation for rule %s", r.Subject.ID, key)
					continue
				}
				seenRules++
				if math.Abs(rr.Points-rw) > tplEps {
					t.Errorf("%s %s = %v, want %v (%s)", r.Subject.ID, key, rr.Points, rw, rr.Explain)
				}
			}
		}
		if seenRules != len(w.rules) || seenCats != len(w.cats) {
			t.Errorf("%s: checked %d rules and %d categories, the expectation has %d and %d", r.Subject.ID, seenRules, seenCats, len(w.rules), len(w.cats))
		}
		if math.Abs(r.Total-w.total) > tplEps {
			t.Errorf("%s total = %v, want %v", r.Subject.ID, r.Total, w.total)
		}
		if w.rank != 0 && r.Rank != w.rank {
			t.Errorf("%s rank = %d, want %d", r.Subject.ID, r.Rank, w.rank)
		}
	}
}

func tplResult(t *testing.T, rs []scheme.Result, id string) scheme.Result {
	t.Helper()
	for _, r := range rs {
		if r.Subject.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return scheme.Result{}
}

func tplCategory(t *testing.T, r scheme.Result, id string) scheme.CategoryResult {
	t.Helper()
	for _, c := range r.Categories {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("%s: no category %s", r.Subject.ID, id)
	return scheme.CategoryResult{}
}

// tplStandings turns one period's results into the league-table standings
// that scheme.Escalate reads, with the table's mean total and the facts the
// escalations name taken from each subject's facts.
func tplStandings(s *scheme.Program, span string, rs []scheme.Result, ins []scheme.Input) map[string]scheme.Standing {
	sum, n := 0.0, 0
	for _, r := range rs {
		if r.Assessed {
			sum += r.Total
			n++
		}
	}
	out := map[string]scheme.Standing{}
	for i, r := range rs {
		st := scheme.Standing{Span: span, Assessed: r.Assessed, Rank: r.Rank, Of: r.Of, Bottom: r.Bottom,
			Total: r.Total, Mean: sum / float64(n), Vetoed: r.Vetoed != ""}
		for _, f := range scheme.EscalationFacts(s) {
			if st.Facts == nil {
				st.Facts = map[string]float64{}
			}
			for _, m := range ins[i].Months {
				st.Facts[f] += m[f].Value
			}
		}
		out[r.Subject.ID] = st
	}
	return out
}

// ---------------------------------------------------------------- seed 003

const seed003 = "seed003-township-monthly-ranking.yaml"

// seed003Warnings are the lint warnings accepted for the template: items 5
// and 7 both read the events per worker on purpose (targets 10 and 1).
var seed003Warnings = []string{
	"rules per_worker (line 116) and app overlap: both read events.per_worker; a record may be deducted twice (write one formula for the rest if that is not meant)",
}

func village003(id string) scheme.Subject {
	return scheme.Subject{Kind: scheme.Community, ID: id, Name: id + "村", Community: id}
}

func anomaly003(id, month string, points float64) scheme.FindingRecord {
	return scheme.FindingRecord{ID: id, Type: "dispatch_anomaly", Month: month, Points: points, Note: "调度反馈异常", By: "省综治中心"}
}

// seed003Inputs is the five villages of one month. With dGood, village D
// has A's facts (a month in which D caught up).
func seed003Inputs(month string, dGood bool) []scheme.Input {
	a := scheme.Facts{
		"care.completeness":         tplRate(50, 50),
		"duty.volunteer_shortfall":  tplCount(0),
		"duty.volunteer_activities": tplCount(12),
		"patrol.daily_hours":        tplMean(264, 220),
		"events.reported":           tplCount(20),
		"events.per_worker":         tplMean(55, 5),
		"events.mediation":          tplCount(3),
		"duty.app_installed_rate":   tplRate(5, 5),
		"duty.app_activities":       tplCount(3),
		"duty.publicity_district":   tplCount(2),
		"duty.publicity_city":       tplCount(1),
		"duty.publicity_province":   tplCount(0),
		"duty.publicity_national":   tplCount(0),
	}
	d := scheme.Facts{
		"care.completeness":         tplRate(45, 50),
		"duty.volunteer_shortfall":  tplCount(8),
		"duty.volunteer_activities": tplCount(0),
		"patrol.daily_hours":        tplMean(170, 200),
		"events.reported":           tplCount(12),
		"events.per_worker":         tplMean(30, 5),
		"events.mediation":          tplCount(0),
		"duty.app_installed_rate":   tplRate(4, 5),
		"duty.app_activities":       tplCount(0),
		"duty.publicity_district":   tplCount(3),
		"duty.publicity_city":       tplCount(0),
		"duty.publicity_province":   tplCount(0),
		"duty.publicity_national":   tplCount(0),
	}
	if dGood {
		d = a
	}
	return []scheme.Input{
		{Subject: village003("A"), Months: []scheme.Facts{a}, Findings: []scheme.FindingRecord{
			anomaly003("a1", "2025-12", -0.3), // another month: not counted
		}},
		{Subject: village003("B"), Months: []scheme.Facts{{
			"care.completeness":         tplRate(48, 50),
			"duty.volunteer_shortfall":  tplCount(1),
			"duty.volunteer_activities": tplCount(9),
			"patrol.daily_hours":        tplMean(88, 176),
			"events.reported":           tplCount(15),
			"events.per_worker":         tplMean(38, 4),
			"events.mediation":          tplCount(2),
			"duty.app_installed_rate":   tplRate(9, 10),
			"duty.app_activities":       tplCount(2),
			"duty.publicity_district":   tplCount(0),
			"duty.publicity_city":       tplCount(0),
			"duty.publicity_province":   tplCount(1),
			"duty.publicity_national":   tplCount(1),
		}}, Findings: []scheme.FindingRecord{anomaly003("b1", month, -0.25)}},
		{Subject: village003("C"), Months: []scheme.Facts{{
			"care.completeness":         tplRate(48, 50),
			"duty.volunteer_shortfall":  tplCount(3),
			"duty.volunteer_activities": tplCount(5),
			"patrol.daily_hours":        tplMean(180, 200),
			"events.reported":           tplCount(12),
			"events.per_worker":         tplMean(40, 5),
			"events.mediation":          tplCount(1),
			"duty.app_installed_rate":   tplRate(6, 6),
			"duty.app_activities":       tplCount(1),
			"duty.publicity_district":   tplCount(0),
			"duty.publicity_city":       tplCount(0),
			"duty.publicity_province":   tplCount(0),
			"duty.publicity_national":   tplCount(0),
		}}, Findings: []scheme.FindingRecord{anomaly003("c1", month, -0.5), anomaly003("c2", month, -0.1)}},
		{Subject: village003("D"), Months: []scheme.Facts{d}},
		{Subject: village003("E"), Months: []scheme.Facts{{
			"care.completeness":         tplRate(40, 50),
			"duty.volunteer_shortfall":  tplCount(0),
			"duty.volunteer_activities": tplCount(8),
			"patrol.daily_hours":        tplMean(200, 200),
			"events.reported":           tplCount(3),
			"events.per_worker":         tplMean(2, 4),
			"events.mediation":          tplCount(0),
			"duty.app_installed_rate":   tplRate(2, 4),
			"duty.app_activities":       tplCount(1),
			"duty.publicity_district":   tplCount(0),
			"duty.publicity_city":       tplCount(0),
			"duty.publicity_province":   tplCount(1),
			"duty.publicity_national":   tplCount(0),
		}}, Findings: []scheme.FindingRecord{anomaly003("e1", month, -0.3), anomaly003("e2", month, -0.3), anomaly003("e3", month, -0.3)}},
	}
}

func TestSeed003Month(t *testing.T) {
	s := tplLoad(t, seed003, seed003Warnings)
	rs, err := scheme.Evaluate(s, scheme.Span{Kind: scheme.Month, Year: 2026, Index: 3}, seed003Inputs("2026-03", false), scheme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The hand calculation, item by item (目录's weights: 20 10 10 5 15 10 20 10, +10).
	//
	// Item 1 "100%则得满分,其余依次少5%": A 100 % → 20. Off target, best
	// first: B 96 and C 96 tie for the first place → 20 × (1 − 0.05) = 19
	// each; D 90 is third (the rank after a tie skips) → 20 × 0.85 = 17;
	// E 80 fourth → 20 × 0.80 = 16.
	//
	// Item 2 "每少1次扣5分,未组织参与志愿者活动得0分": A 0 short → 10;
	// B 1 short → 5; C 3 short → 10 − 15 = −5 → the floor 0; D did no
	// activity at all → 0 by zero_if (raw 10 − 40 = −30); E → 10.
	//
	// Item 3 "小于1小时,从大到小得分依次减少10%": A 1.2 h and E 1.0 h
	// reach 1 h → 10; C 0.9 first → 9; D 0.85 second → 8; B 0.5 third → 7.
	//
	// Item 4 "小于15件,从大到小进行打分,依次少10%": A 20 and B 15 → 5;
	// C 12 and D 12 tie first → 5 × 0.9 = 4.5; E 3 third → 5 × 0.7 = 3.5.
	//
	// Item 5 (10 a worker, 6 % a rank): A 11 → 15; B 9.5 → 15 × 0.94 = 14.1;
	// C 8 → 15 × 0.88 = 13.2; D 6 → 15 × 0.82 = 12.3; E 0.5 → 15 × 0.76 = 11.4.
	//
	// Item 6 (2 a month, 5 % a rank): A 3 and B 2 → 10; C 1 → 9.5;
	// D 0 and E 0 tie second → 10 × 0.9 = 9.
	//
	// Item 7 "不足的按比例扣分" over install rate/100, activities/2,
	// events per worker/1: A 1, 1, 1 → 20; B 0.9, 1, 1 → 20 × 2.9/3 =
	// 19.33 → 19.3; C 1, 0.5, 1 → 20 × 2.5/3 = 16.67 → 16.7; D had no
	// valid activity: "未开展此项工作的得零分" → 0 (the rule alone gives
	// 20 × (0.8 + 0 + 1)/3 = 12); E 0.5, 0.5, 0.5 → 10.
	//
	// Item 8 "每条扣0.2—0.3分": A's only finding is from December → 10;
	// B −0.25 → 9.75 → 9.8 (half up); C −0.5 counts −0.3, −0.1 counts −0.2
	// → 9.5; D none → 10; E 3 × −0.3 → 9.1.
	//
	// Item 9 "区级媒体1分/篇,市级2分/篇, 省级5分/篇,中央级10分/篇,最高加分10分":
	// A 2 + 2 = 4; B 5 + 10 = 15 → capped 10; C 0; D 3; E 5.
	//
	// Totals: A 20+10+10+5+15+10+20+10+4 = 104; B 19+5+7+5+14.1+10+19.3+9.8+10
	// = 99.2; C 19+0+9+4.5+13.2+9.5+16.7+9.5+0 = 81.4; D 17+0+8+4.5+12.3+9+0+10+3
	// = 63.8; E 16+10+10+3.5+11.4+9+10+9.1+5 = 84. Ranks A, B, E, C, D.
	wants := map[string]tplWant{
		"A": {
			rules: map[string]float64{"item1/completeness": 20, "item2/shortfall": 0, "item3/patrol": 10, "item4/events": 5,
				"item5/per_worker": 15, "item6/mediation": 10, "item7/app": 20, "item8/dispatch": 0, "item9/publicity": 4},
			cats:  map[string]float64{"item1": 20, "item2": 10, "item3": 10, "item4": 5, "item5": 15, "item6": 10, "item7": 20, "item8": 10, "item9": 4},
			total: 104, rank: 1,
		},
		"B": {
			rules: map[string]float64{"item1/completeness": 19, "item2/shortfall": -5, "item3/patrol": 7, "item4/events": 5,
				"item5/per_worker": 14.1, "item6/mediation": 10, "item7/app": 20 * 2.9 / 3, "item8/dispatch": -0.25, "item9/publicity": 10},
			cats:  map[string]float64{"item1": 19, "item2": 5, "item3": 7, "item4": 5, "item5": 14.1, "item6": 10, "item7": 19.3, "item8": 9.8, "item9": 10},
			total: 99.2, rank: 2,
		},
		"C": {
			rules: map[string]float64{"item1/completeness": 19, "item2/shortfall": -15, "item3/patrol": 9, "item4/events": 4.5,
				"item5/per_worker": 13.2, "item6/mediation": 9.5, "item7/app": 20 * 2.5 / 3, "item8/dispatch": -0.5, "item9/publicity": 0},
			cats:  map[string]float64{"item1": 19, "item2": 0, "item3": 9, "item4": 4.5, "item5": 13.2, "item6": 9.5, "item7": 16.7, "item8": 9.5, "item9": 0},
			total: 81.4, rank: 4,
		},
		"D": {
			rules: map[string]float64{"item1/completeness": 17, "item2/shortfall": -40, "item3/patrol": 8, "item4/events": 4.5,
				"item5/per_worker": 12.3, "item6/mediation": 9, "item7/app": 12, "item8/dispatch": 0, "item9/publicity": 3},
			cats:  map[string]float64{"item1": 17, "item2": 0, "item3": 8, "item4": 4.5, "item5": 12.3, "item6": 9, "item7": 0, "item8": 10, "item9": 3},
			total: 63.8, rank: 5,
		},
		"E": {
			rules: map[string]float64{"item1/completeness": 16, "item2/shortfall": 0, "item3/patrol": 10, "item4/events": 3.5,
				"item5/per_worker": 11.4, "item6/mediation": 9, "item7/app": 10, "item8/dispatch": -0.9, "item9/publicity": 5},
			cats:  map[string]float64{"item1": 16, "item2": 10, "item3": 10, "item4": 3.5, "item5": 11.4, "item6": 9, "item7": 10, "item8": 9.1, "item9": 5},
			total: 84, rank: 3,
		},
	}
	tplVerify(t, rs, wants)

	// Why the zeros are zeros: C's item 2 by the floor, D's items 2 and 7
	// by "得0分" (zero_if), not by the floor.
	notes := []struct {
		subject, category, note string
	}{
		{"C", "item2", "扣完为止"},
		{"D", "item2", "条件成立(duty.volunteer_activities == 0)"},
		{"D", "item7", "条件成立(duty.app_activities == 0)"},
	}
	for _, n := range notes {
		c := tplCategory(t, tplResult(t, rs, n.subject), n.category)
		if !strings.Contains(c.Note, n.note) {
			t.Errorf("%s %s note = %q, want it to say %q", n.subject, n.category, c.Note, n.note)
		}
	}
	// B's 15 publicity points are capped by the rule ("最高加分10分").
	for _, c := range tplResult(t, rs, "B").Categories {
		if c.ID == "item9" && (len(c.Rules) != 1 || !strings.Contains(c.Rules[0].Explain, "封顶 10 分")) {
			t.Errorf("B item9 rules = %+v, want the cap of 10 explained", c.Rules)
		}
	}
	// "连续3个月排名后2位": the bottom two are C and D.
	for _, r := range rs {
		if bottom := r.Subject.ID == "C" || r.Subject.ID == "D"; r.Bottom != bottom {
			t.Errorf("%s bottom = %v, want %v", r.Subject.ID, r.Bottom, bottom)
		}
	}
}

// TestSeed003Raw: the details' weights (item 3 = 5, item 5 = 25) add up to
// 105, which the lint must refuse and Evaluate must not run.
func TestSeed003Raw(t *testing.T) {
	text, err := os.ReadFile("testdata/seed003-raw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheme.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	const msg = "the categories for community subjects add up to 105 (item1 20 + item2 10 + item3 5 + item4 5 + item5 25 + item6 10 + item7 20 + item8 10 + item9 0), but the total is 100"
	var errs []string
	for _, m := range scheme.Lint(s, metric.Current()) {
		if m.Severity == scheme.Error {
			errs = append(errs, m.Text)
		}
	}
	if !reflect.DeepEqual(errs, []string{msg}) {
		t.Errorf("raw lint errors = %q, want only %q", errs, msg)
	}
	// Evaluate needs a compiled scheme, and the raw one does not compile.
	if _, err := scheme.Compile(s, metric.Current()); err == nil || !strings.Contains(err.Error(), "add up to 105") {
		t.Errorf("Compile on the raw scheme: err = %v, want the 105 message", err)
	}
}

// TestSeed003Escalations runs six months and checks the talk (3
// consecutive months in the bottom 2 and more than 10 points below the
// mean) and the year-end veto (6 months).
func TestSeed003Escalations(t *testing.T) {
	s := tplLoad(t, seed003, seed003Warnings)
	// A base month ('b') is TestSeed003Month's: totals A 104, B 99.2,
	// E 84, C 81.4, D 63.8, mean 432.4/5 = 86.48. D is in the bottom 2 and
	// 22.68 below the mean: weak. C is in the bottom 2 but only 5.08 below:
	// not "明显低于平均值", so C never escalates.
	//
	// In a 'g' month D has A's facts. Everything D had off target is now on
	// target, so the others move up a rank: item 1 E third → 17; item 3 B
	// second → 8; item 4 E second → 4; item 5 E third → 12.3. Totals:
	// A 104, D 104, B 19+5+8+5+14.1+10+19.3+9.8+10 = 100.2, E
	// 17+10+10+4+12.3+9+10+9.1+5 = 86.4, C 81.4; ranks 1, 1, 3, 4, 5; the
	// bottom two E and C; mean 476/5 = 95.2. E is 8.8 below (not weak), C
	// 13.8 below (weak, but for one month only).
	cases := []struct {
		pattern string
		want    []string
	}{
		{"bbbbbb", []string{"2026-03 D talk", "2026-06 D veto"}}, // talk once, veto at the sixth
		{"bbbgbb", []string{"2026-03 D talk"}},                   // April breaks D's streak: no veto
		{"bb", nil},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			history := map[string][]scheme.Standing{}
			var got []string
			for i, p := range c.pattern {
				span := scheme.Span{Kind: scheme.Month, Year: 2026, Index: i + 1}
				ins := seed003Inputs(span.String(), p == 'g')
				rs, err := scheme.Evaluate(s, span, ins, scheme.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if p == 'g' {
					for id, total := range map[string]float64{"A": 104, "D": 104, "B": 100.2, "E": 86.4, "C": 81.4} {
						if r := tplResult(t, rs, id); math.Abs(r.Total-total) > tplEps {
							t.Errorf("%s %s total = %v, want %v", span, id, r.Total, total)
						}
					}
				}
				for _, id := range []string{"A", "B", "C", "D", "E"} {
					history[id] = append(history[id], tplStandings(s, span.String(), rs, ins)[id])
					for _, tr := range scheme.Escalate(s, history[id]) {
						got = append(got, fmt.Sprintf("%s %s %s", span, id, tr.ID))
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("escalations = %q, want %q", got, c.want)
			}
		})
	}
}
