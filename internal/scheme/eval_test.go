package scheme

import (
	"strings"
	"testing"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
)

// testCatalog holds the test facts: the engine's tests build their own
// catalogue and depend neither on what the domain packages measure nor on
// the process-wide one.
var testCatalog = metric.MustCatalog(
	metric.Def{Name: "t.count", Alias: "测试次数", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.part", Kind: metric.Count, Doc: "test", Part: "t.count"},
	metric.Def{Name: "t.rate", Alias: "测试率", Kind: metric.Rate, Doc: "test"},
	metric.Def{Name: "t.flag", Kind: metric.Flag, Doc: "test"},
	metric.Def{Name: "t.events", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.upward", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.mean", Kind: metric.Mean, Doc: "test"},
	metric.Def{Name: "t.pending", Kind: metric.Count, Doc: "test", Pending: "later"},
)

// mustParse parses and compiles text against testCatalog.
func mustParse(t *testing.T, text string) *Program {
	t.Helper()
	s, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for _, m := range Lint(s, testCatalog) {
		if m.Severity == Error {
			t.Fatalf("lint: %s", m)
		}
	}
	p, err := Compile(s, testCatalog)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func count(v float64, refs ...string) metric.Fact {
	f := metric.Fact{Value: v}
	for _, r := range refs {
		f.Evidence = append(f.Evidence, metric.Ref{Entity: "event", ID: r})
	}
	return f
}

func rate(num, den float64) metric.Fact {
	v := 100.0
	if den > 0 {
		v = 100 * num / den
	}
	return metric.Fact{Value: v, Num: num, Den: den}
}

func worker(id, employment string) Subject {
	return Subject{Kind: Worker, ID: id, Name: id, Employment: employment, InPostSince: dates.New(2024, 1, 1)}
}

func find(t *testing.T, rs []Result, id string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Subject.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return Result{}
}

func ruleOf(t *testing.T, r Result, cat, rule string) RuleResult {
	t.Helper()
	for _, c := range r.Categories {
		if c.ID != cat {
			continue
		}
		for _, rr := range c.Rules {
			if rr.ID == rule {
				return rr
			}
		}
	}
	t.Fatalf("%s: no rule %s/%s", r.Subject.ID, cat, rule)
	return RuleResult{}
}

func catOf(t *testing.T, r Result, cat string) CategoryResult {
	t.Helper()
	for _, c := range r.Categories {
		if c.ID == cat {
			return c
		}
	}
	t.Fatalf("%s: no category %s", r.Subject.ID, cat)
	return CategoryResult{}
}

const shapes = `
code: test-shapes
version: 1
title: 测试
period: month
total: 100
eligible: {in_post_months: 6}
categories:
  - id: a
    name: 扣分项
    max: 40
    floor: 0
    rules:
      - {id: per, kind: per, fact: t.count, points: -2}
      - {id: rate, kind: short_rate, fact: t.rate, target: 95, points: -1}
      - {id: once, kind: once, when: "t.flag > 0", points: -10}
      - id: quota
        kind: short_quota
        fact: t.events
        quota: {full_time: 56, part_time: 52}
        points: -1
        within: {fact: t.upward, quota: {full_time: 8, part_time: 4}}
  - id: b
    name: 加分项
    max: 20
    start: zero
    bonus_cap: 5
    rules:
      - {id: survey, kind: survey, fact: 测试率, points: 20}
      - {id: bonus, kind: per, grades: [{fact: t.part, points: 1}], cap: 10}
  - id: c
    name: 公式
    max: 40
    rules:
      - {id: f, kind: formula, expr: "-0.5 * max(t.count - t.part, 0)"}
      - {id: find, kind: finding, type: dispatch_anomaly, range: [-0.3, -0.2]}
`

func TestEvaluateShapes(t *testing.T) {
	s := mustParse(t, shapes)
	span := Span{Month, 2026, 3}
	ins := []Input{
		// w1, full-time: 3 late changes (−6), rate 93.5 (−1.5), flagged
		// (−10), 50 events with 2 upward: short max(6, 6) = 6 (−6).
		// a = 40 − 23.5 = 16.5. Survey 93.5 % of 20 = 18.7; bonus 4 parts
		// (+4) → 22.7, under the ceiling 20 + 5 = 25. c: formula −0.5 × (3 − 4
		// → 0) = 0; findings −0.25 and −0.5 (clamped to −0.3): 40 − 0.55
		// = 39.45 → 39.5 (half up). Total 16.5 + 22.7 + 39.5 = 78.7.
		{Subject: worker("w1", "full_time"), Months: []Facts{{
			"t.count": count(3, "e1", "e2", "e3"), "t.part": count(4), "t.rate": rate(93.5, 100), "t.flag": count(1),
			"t.events": count(50), "t.upward": count(2),
		}}, Findings: []FindingRecord{
			{ID: "f1", Type: "dispatch_anomaly", Month: "2026-03", Points: -0.25},
			{ID: "f2", Type: "dispatch_anomaly", Month: "2026-03", Points: -0.5},
			{ID: "f3", Type: "dispatch_anomaly", Month: "2026-02", Points: -0.3}, // another month
		}},
		// w2, part-time: 30 changes (−60, floor 0), rate 100, no flag,
		// 52 events with 5 upward: no shortfall. a = 0 (floor). Survey
		// 100 % → 20; bonus 20 parts capped at 10 → 30, ceiling 25.
		// c: −0.5 × (30 − 20) = −5 → 35. Total 0 + 25 + 35 = 60.
		{Subject: worker("w2", "part_time"), Months: []Facts{{
			"t.count": count(30), "t.part": count(20), "t.rate": rate(0, 0), "t.flag": count(0),
			"t.events": count(52), "t.upward": count(5),
		}}},
		// w3 joined 2026-01-10: under 6 months on 2026-03-31.
		{Subject: Subject{Kind: Worker, ID: "w3", Employment: "full_time", InPostSince: dates.New(2026, 1, 10)}, Months: []Facts{{}}},
		// w4: nothing measured: deductions find no data, survey too.
		{Subject: worker("w4", "full_time"), Months: []Facts{nil}},
	}
	rs, err := Evaluate(s, span, ins, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w1 := find(t, rs, "w1")
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"w1 per", ruleOf(t, w1, "a", "per").Points, -6},
		{"w1 rate", ruleOf(t, w1, "a", "rate").Points, -1.5},
		{"w1 once", ruleOf(t, w1, "a", "once").Points, -10},
		{"w1 quota", ruleOf(t, w1, "a", "quota").Points, -6},
		{"w1 a", catOf(t, w1, "a").Score, 16.5},
		{"w1 survey", ruleOf(t, w1, "b", "survey").Points, 18.7},
		{"w1 b", catOf(t, w1, "b").Score, 22.7},
		{"w1 finding", ruleOf(t, w1, "c", "find").Points, -0.55},
		{"w1 c", catOf(t, w1, "c").Score, 39.5},
		{"w1 total", w1.Total, 78.7},
	}
	w2 := find(t, rs, "w2")
	checks = append(checks, []struct {
		name string
		got  float64
		want float64
	}{
		{"w2 a floored", catOf(t, w2, "a").Score, 0},
		{"w2 a raw", catOf(t, w2, "a").Raw, -20},
		{"w2 bonus capped", ruleOf(t, w2, "b", "bonus").Points, 10},
		{"w2 b ceiling", catOf(t, w2, "b").Score, 25},
		{"w2 formula", ruleOf(t, w2, "c", "f").Points, -5},
		{"w2 total", w2.Total, 60},
	}...)
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if ev := ruleOf(t, w1, "a", "per").Facts[0].Evidence; len(ev) != 3 || ev[0].ID != "e1" {
		t.Errorf("w1 per evidence = %v, want the three events", ev)
	}
	if f := ruleOf(t, w1, "c", "find").Findings; len(f) != 2 {
		t.Errorf("w1 findings = %v, want f1 and f2 (not February's)", f)
	}
	w3 := find(t, rs, "w3")
	if w3.Assessed || !strings.Contains(w3.NotAssessed, "6") || w3.Rank != 0 {
		t.Errorf("w3 = %+v, want not assessed (in post under 6 months)", w3)
	}
	w4 := find(t, rs, "w4")
	if r := ruleOf(t, w4, "a", "per"); r.Status != NoData || r.Points != 0 {
		t.Errorf("w4 per = %+v, want no data and no points", r)
	}
	if w4.NoData == 0 {
		t.Error("w4 NoData = 0, want the rules without data counted")
	}
	if w1.Rank != 2 || w2.Rank != 3 || w4.Rank != 1 || w1.Of != 3 {
		t.Errorf("ranks w1 %d w2 %d w4 %d of %d, want 2, 3, 1 of 3", w1.Rank, w2.Rank, w4.Rank, w1.Of)
	}
}

func TestEvaluateRank(t *testing.T) {
	// Seed 003 item 1 shape: 100 % gets full marks (20); the others, best
	// first, lose 5 % per rank; ties share a rank and the next one skips.
	s := mustParse(t, `
code: test-rank
version: 1
title: 排名
period: month
subjects: [{kind: community, total: 20}]
ranking: {bottom: 2}
categories:
  - id: q
    name: 完整度
    max: 20
    start: zero
    rules:
      - {id: r, kind: rank, fact: t.rate, target: 100, step: 0.05, points: 20}
`)
	vals := map[string]float64{"A": 100, "B": 98, "C": 97, "D": 97, "E": 90}
	var ins []Input
	for _, id := range []string{"A", "B", "C", "D", "E"} {
		ins = append(ins, Input{Subject: Subject{Kind: Community, ID: id}, Months: []Facts{{"t.rate": rate(vals[id], 100)}}})
	}
	rs, err := Evaluate(s, Span{Month, 2026, 3}, ins, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A full 20; B first off target: 20 × 0.95 = 19; C and D tie second:
	// 20 × 0.90 = 18; E is fourth off target (rank skips 3): 20 × 0.80 = 16.
	want := map[string]float64{"A": 20, "B": 19, "C": 18, "D": 18, "E": 16}
	wantRank := map[string]int{"A": 1, "B": 2, "C": 3, "D": 3, "E": 5}
	for _, r := range rs {
		if r.Total != want[r.Subject.ID] || r.Rank != wantRank[r.Subject.ID] {
			t.Errorf("%s: total %v rank %d, want %v rank %d", r.Subject.ID, r.Total, r.Rank, want[r.Subject.ID], wantRank[r.Subject.ID])
		}
		// The bottom 2 places are ranks 4 and 5; C and D share rank 3, so
		// only E is marked (a tie is given the better place).
		bottom := r.Subject.ID == "E"
		if r.Bottom != bottom {
			t.Errorf("%s bottom = %v, want %v", r.Subject.ID, r.Bottom, bottom)
		}
	}
}

func TestEvaluateQuarterEachMonth(t *testing.T) {
	// A quarterly scheme with a monthly quota: each month is scored on its
	// own facts and the points add up; the flag summed over the quarter
	// counts the months it was raised.
	s := mustParse(t, `
code: test-quarter
version: 1
title: 季度
period: quarter
total: 30
categories:
  - id: e
    name: 事件
    max: 30
    floor: 0
    rules:
      - {id: quota, kind: short_quota, fact: t.events, quota: {all: 10}, points: -1, each: month}
      - {id: bunch, kind: per, fact: t.flag, points: -5}
`)
	in := Input{Subject: worker("w", "full_time"), Months: []Facts{
		{"t.events": count(8), "t.flag": count(1)},
		{"t.events": count(12), "t.flag": count(0)},
		{"t.events": count(9), "t.flag": count(1)},
	}}
	rs, err := Evaluate(s, Span{Quarter, 2026, 1}, []Input{in}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// quota: −2 (Jan) + 0 (Feb) − 1 (Mar) = −3; flag in 2 months: −10.
	// 30 − 13 = 17. Summed over the quarter, 29 events would have met a
	// quota of 10 — which is why the rule says each: month.
	if got := ruleOf(t, rs[0], "e", "quota").Points; got != -3 {
		t.Errorf("quota = %v, want −3", got)
	}
	if rs[0].Total != 17 {
		t.Errorf("total = %v, want 17", rs[0].Total)
	}
}

func TestEvaluateAverageAndVoid(t *testing.T) {
	s := mustParse(t, `
code: test-average
version: 1
title: 平均
period: quarter
rollup: average
total: 10
vetoes:
  - {id: v, name: 一票否决, kind: veto, when: "t.flag > 0"}
categories:
  - id: e
    name: 事件
    max: 10
    rules:
      - {id: per, kind: per, fact: t.count, points: -1}
`)
	in := Input{Subject: worker("w", "full_time"), Months: []Facts{
		{"t.count": count(1), "t.flag": count(0)},
		{"t.count": count(2), "t.flag": count(1)},
		{"t.count": count(4), "t.flag": count(0)},
	}}
	rs, err := Evaluate(s, Span{Quarter, 2026, 1}, []Input{in}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Monthly totals 9, 0 (vetoed; 8 before the veto), 6: average 5.
	if rs[0].Total != 5 || rs[0].Vetoed == "" {
		t.Errorf("total %v vetoed %q, want 5 and the veto named", rs[0].Total, rs[0].Vetoed)
	}
	rs, err = Evaluate(s, Span{Quarter, 2026, 1}, []Input{in}, Options{Void: map[RuleKey]string{{"w", "e", "per"}: "申诉成立"}})
	if err != nil {
		t.Fatal(err)
	}
	// With the deduction voided: 10, 0 (still vetoed), 10: average 6.7.
	r := ruleOf(t, rs[0], "e", "per")
	if rs[0].Total != 6.7 || r.Status != Voided || r.Original != -7.0/3 {
		t.Errorf("voided: total %v, rule %+v; want 6.7 and the original −2.33 kept", rs[0].Total, r)
	}
}

func TestRound1(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{39.45, 39.5}, {39.44, 39.4}, {0.05, 0.1}, {-0.05, -0.1}, {2.25, 2.3}, {16.5, 16.5}, {1.0 / 3, 0.3},
	} {
		if got := round1(c.in); got != c.want {
			t.Errorf("round1(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
