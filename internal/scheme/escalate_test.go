package scheme

import (
	"fmt"
	"reflect"
	"testing"
)

const escalations = `
code: test-escalate
version: 1
title: 通报
period: month
subjects: [{kind: community, total: 10}]
ranking: {bottom: 2}
escalations:
  - {id: talk, name: 约谈, action: talk, bottom: 2, consecutive: 3, below_mean: 5}
  - {id: veto, name: 年终一票否决, action: veto, bottom: 2, consecutive: 6, below_mean: 5}
  - {id: revoke, name: 取消减员增效, action: revoke_extra_grid, fact: t.count, consecutive: 2, cumulative: 3}
  - {id: star, name: 网格之星, action: award, top: 1, without: [t.flag]}
  - {id: each, name: 每次约谈, action: talk, fact: t.part, consecutive: 1}
categories:
  - id: a
    name: 项
    max: 10
    rules:
      - {id: r, kind: per, fact: t.count, points: -1}
`

func TestEscalate(t *testing.T) {
	s := mustParse(t, escalations)
	weak := func(span string) Standing {
		return Standing{Span: span, Assessed: true, Rank: 9, Of: 10, Bottom: true, Total: 70, Mean: 80}
	}
	fine := func(span string) Standing {
		return Standing{Span: span, Assessed: true, Rank: 3, Of: 10, Total: 85, Mean: 80}
	}
	months := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("2026-%02d", i+1)
		}
		return out
	}
	build := func(pattern string) []Standing {
		var h []Standing
		for i, c := range pattern {
			span := months(len(pattern))[i]
			switch c {
			case 'w':
				h = append(h, weak(span))
			case 'n': // bottom, but only 3 below the mean: not "clearly" below
				st := weak(span)
				st.Total = 77
				h = append(h, st)
			case 'f':
				st := fine(span)
				st.Facts = map[string]float64{"t.count": 1}
				h = append(h, st)
			case '1':
				h = append(h, Standing{Span: span, Assessed: true, Rank: 1, Of: 10, Total: 95, Mean: 80})
			default:
				h = append(h, fine(span))
			}
		}
		return h
	}
	cases := []struct {
		history string
		want    []string
	}{
		{"ww", nil},
		{"www", []string{"talk"}},     // third consecutive month: a talk is due
		{"wwww", nil},                 // still weak: not due again
		{"wwwwww", []string{"veto"}},  // sixth: the year-end veto
		{"wnw", nil},                  // the middle month was not clearly below average
		{"wwsww", nil},                // the streak was broken
		{"ff", []string{"revoke"}},    // two consecutive failures
		{"fsfsf", []string{"revoke"}}, // the third in the year
		{"fsf", nil},
		{"fff", nil},   // revoked in February already: not again in March
		{"fffsf", nil}, // nor at the fourth
		{"1", []string{"star"}},
		{"ffs", nil},
	}
	for _, c := range cases {
		t.Run(c.history, func(t *testing.T) {
			var got []string
			for _, tr := range Escalate(s, build(c.history)) {
				got = append(got, tr.ID)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Escalate(%s) = %v, want %v", c.history, got, c.want)
			}
		})
	}
	tr := Escalate(s, build("www"))
	if len(tr) != 1 || !reflect.DeepEqual(tr[0].Periods, []string{"2026-01", "2026-02", "2026-03"}) {
		t.Errorf("talk periods = %+v, want the three months", tr)
	}
}

func TestPay(t *testing.T) {
	s := mustParse(t, `
code: test-pay
version: 1
title: 工资
period: quarter
total: 100
pay:
  - {id: perf, name: 绩效工资, employment: [full_time], monthly_fen: 20000, scale: score}
  - {id: allow, name: 补助, employment: [part_time], monthly_fen: 33333, scale: score}
  - {id: extra, name: 减员增效补贴, monthly_fen: 10000, scale: none, per_extra_grid: true, withhold_if: t.count}
categories:
  - {id: a, name: 项, max: 100, rules: [{id: r, kind: per, fact: t.count, points: -1}]}
`)
	res := func(emp string, total float64) Result {
		return Result{Subject: Subject{Employment: emp}, Assessed: true, Total: total, Max: 100}
	}
	cases := []struct {
		name    string
		res     Result
		shares  []float64
		revoked bool
		signals map[string]float64
		want    map[string]int64
	}{
		// 200 yuan × 3 months × 87.5/100 = 525 yuan.
		{"full time", res("full_time", 87.5), nil, false, nil, map[string]int64{"perf": 52500}},
		// 333.33 × 3 = 99999 fen × 0.873 = 87299.127 → 87299 fen.
		{"part time rounds once", res("part_time", 87.3), nil, false, nil, map[string]int64{"allow": 87299}},
		// A bonus above 100 pays back the withheld amount in full, no more.
		{"capped", res("full_time", 104), nil, false, nil, map[string]int64{"perf": 60000}},
		// Half an extra grid: 100 yuan × 3 × 0.5 = 150 yuan.
		{"extra grid", res("full_time", 100), []float64{0.5}, false, map[string]float64{"t.count": 0}, map[string]int64{"perf": 60000, "extra": 15000}},
		{"revoked", res("full_time", 100), []float64{0.5}, true, nil, map[string]int64{"perf": 60000, "extra": 0}},
		// withhold_if: the extra grid failed its check in the period.
		{"withheld", res("full_time", 100), []float64{0.5}, false, map[string]float64{"t.count": 1}, map[string]int64{"perf": 60000, "extra": 0}},
		// No extra share: no line, whatever the signal.
		{"no share, signal set", res("full_time", 100), nil, false, map[string]float64{"t.count": 2}, map[string]int64{"perf": 60000}},
		{"not assessed", Result{Subject: Subject{Employment: "full_time"}}, nil, false, nil, map[string]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]int64{}
			for _, l := range Pay(s, c.res, 3, c.shares, c.revoked, c.signals) {
				got[l.Item] = l.Fen
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Pay = %v, want %v", got, c.want)
			}
		})
	}
}

func TestEscalateEveryPeriod(t *testing.T) {
	// consecutive: 1 falls due in every period the fact is non-zero (a talk
	// for each refusal), not only the first.
	s := mustParse(t, escalations)
	h := []Standing{
		{Span: "2026-01", Assessed: true, Rank: 3, Of: 10, Facts: map[string]float64{"t.part": 1}},
		{Span: "2026-02", Assessed: true, Rank: 3, Of: 10, Facts: map[string]float64{"t.part": 1}},
	}
	var got []string
	for _, tr := range Escalate(s, h) {
		got = append(got, tr.ID+":"+tr.Periods[0])
	}
	if !reflect.DeepEqual(got, []string{"each:2026-02"}) {
		t.Errorf("Escalate = %v, want the talk again in February", got)
	}
}
