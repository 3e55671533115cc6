package scheme

import (
	"fmt"
	"strings"
)

// Standing is a subject's place in one period's league table.
type Standing struct {
	Span     string             `json:"span"`
	Assessed bool               `json:"assessed"`
	Rank     int                `json:"rank"`
	Of       int                `json:"of"`
	Bottom   bool               `json:"bottom"`
	Total    float64            `json:"total"`
	Mean     float64            `json:"mean"` // the table's mean total in the period
	Vetoed   bool               `json:"vetoed"`
	NoData   int                `json:"no_data"`         // rules that found no data
	Facts    map[string]float64 `json:"facts,omitempty"` // the facts escalations name, over the period
}

// Triggered is an escalation that falls due, with the periods behind it.
type Triggered struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Action   string   `json:"action"`
	Periods  []string `json:"periods"`
	Evidence string   `json:"evidence"`
}

// Escalate checks s's escalations for one subject. history holds the
// subject's standings in consecutive periods, oldest first; the last is the
// period just run (a period the subject was not assessed in breaks every
// streak). An escalation falls due in the period its condition is first
// met — the third consecutive month, not again in the fourth — so a talk
// is due once per streak and the veto once at six.
func Escalate(s *Program, history []Standing) []Triggered {
	if len(history) == 0 {
		return nil
	}
	cur := history[len(history)-1]
	var out []Triggered
	for _, e := range s.Escalations {
		switch {
		case e.Action == "award":
			if t, ok := award(s, e, cur); ok {
				out = append(out, t)
			}
		case e.Bottom > 0:
			weak := func(st Standing) bool {
				if !st.Assessed || !(st.Bottom || st.Rank > st.Of-e.Bottom) {
					return false
				}
				return e.BelowMean == nil || st.Mean-st.Total > *e.BelowMean
			}
			n := streak(history, weak)
			if n == e.Consecutive {
				run := history[len(history)-n:]
				var parts []string
				for _, st := range run {
					parts = append(parts, fmt.Sprintf("%s 第 %d/%d 名 %s 分(平均 %s)", st.Span, st.Rank, st.Of, num(st.Total), num(round1(st.Mean))))
				}
				out = append(out, trigger(e, run, fmt.Sprintf("连续 %d 期排名后 %d 位:", n, e.Bottom)+strings.Join(parts, ";")))
			}
		case e.Fact != "":
			if t, ok := factEscalation(s, e, history); ok {
				// With a yearly count the escalation is once a year: not
				// again in March when February's two in a row already
				// revoked the extra grid.
				earlier := false
				for k := len(history) - 1; k > 0 && e.Cumulative > 0 && !earlier; k-- {
					if history[k-1].Span[:4] != cur.Span[:4] {
						break
					}
					_, earlier = factEscalation(s, e, history[:k])
				}
				if !earlier {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

func award(p *Program, e *Escalation, cur Standing) (Triggered, bool) {
	// An award needs a full picture: a subject whose rules found no data
	// is not a star on what was not measured.
	if !cur.Assessed || cur.Vetoed || cur.NoData > 0 || cur.Rank == 0 || cur.Rank > e.Top {
		return Triggered{}, false
	}
	for _, f := range e.Without {
		if cur.Facts[p.canonical(f)] > 0 {
			return Triggered{}, false
		}
	}
	ev := fmt.Sprintf("%s 第 %d/%d 名,%s 分", cur.Span, cur.Rank, cur.Of, num(cur.Total))
	if len(e.Without) > 0 {
		names := make([]string, len(e.Without))
		for i, f := range e.Without {
			names[i] = p.alias(f)
		}
		ev += ",无" + strings.Join(names, "、")
	}
	return trigger(e, []Standing{cur}, ev), true
}

// streak counts the standings at the end of history that satisfy ok.
func streak(history []Standing, ok func(Standing) bool) int {
	n := 0
	for i := len(history) - 1; i >= 0 && ok(history[i]); i-- {
		n++
	}
	return n
}

func trigger(e *Escalation, run []Standing, evidence string) Triggered {
	t := Triggered{ID: e.ID, Name: e.Name, Action: e.Action, Evidence: evidence}
	for _, st := range run {
		t.Periods = append(t.Periods, st.Span)
	}
	return t
}

// EscalationFacts returns the facts p's escalations and pay items name,
// canonical: each result keeps their values over the span (its signals),
// which escalations and the payroll read.
func EscalationFacts(p *Program) []string { return append([]string(nil), p.signals...) }

// factEscalation checks a fact escalation on the last period of history:
// the fact non-zero in `consecutive` periods in a row (every period with
// consecutive: 1), or for the `cumulative`-th time in the year. With a
// yearly count, a streak does not reach back into the previous year.
func factEscalation(p *Program, e *Escalation, history []Standing) (Triggered, bool) {
	cur := history[len(history)-1]
	fact := p.canonical(e.Fact)
	year := cur.Span[:4]
	hit := func(st Standing) bool {
		if e.Cumulative > 0 && !strings.HasPrefix(st.Span, year) {
			return false
		}
		return st.Assessed && st.Facts[fact] > 0
	}
	if !hit(cur) {
		return Triggered{}, false
	}
	if n := streak(history, hit); e.Consecutive > 0 && (n == e.Consecutive || e.Consecutive == 1) {
		n = min(n, e.Consecutive)
		return trigger(e, history[len(history)-n:], fmt.Sprintf("连续 %d 期 %s", n, p.alias(e.Fact))), true
	}
	if e.Cumulative > 0 {
		var run []Standing
		for _, st := range history {
			if hit(st) {
				run = append(run, st)
			}
		}
		if len(run) == e.Cumulative {
			return trigger(e, run, fmt.Sprintf("%s 年累计 %d 期 %s", year, len(run), p.alias(e.Fact))), true
		}
	}
	return Triggered{}, false
}
