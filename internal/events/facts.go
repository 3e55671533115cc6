package events

import (
	"context"
	"fmt"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// The facts this package measures, per calendar month (Asia/Shanghai).
// docs/metrics.md gives each definition in full; the choices made where a
// seed is vague are here too:
//
//   - What a worker did is a worker fact (WorkerFacts): the events they
//     reported (source worker), their quota, bunching, description
//     quality, mediation reports, late major events, and the cards issued
//     to them. It rolls up to the worker and their home grid's units.
//   - What belongs to a grid is a grid fact (Facts): events found by
//     another channel (residents, the hotline, a higher level, an
//     inspector), the cards issued to a unit, and the acceptance and
//     closing rates of the grid's events, which the community and centre
//     answer for as much as the worker. A grid fact rolls up to the grid,
//     its units and the worker who answers for the grid.
//   - "Reported in the month": reported_at in the month, and not voided
//     (作废) before the month's end: a void is the centre saying it was no
//     event.
//   - Quota (seed 001): full-time 56 events including 8 upward, part-time
//     52 including 4, for every worker with a grid assignment (primary or
//     extra share) on some day of the month, whatever day they joined.
//   - Month-end bunching: the last 5 days are the month's last 5 Shanghai
//     calendar days; bunching is more than BunchingShare of the month's
//     reports in them, among at least BunchingMin reports (so one report
//     on the 30th is not "bunching"; eight on the last day are).
//   - Cards count in the month their line was passed (line_at), whenever
//     the sweep stored them; the collection sweeps first (IssueCards).
//   - Acceptance and closing on time: an event counts in the month its due
//     time (Clock.Due, extensions and parked time included) falls, once
//     decided: done by then (on time), or the due time has passed (late).
//   - Closure rate: the events whose closing was due by the month's end
//     and that were not closed or voided before the month began (so an old
//     backlog keeps counting until it is closed), less those voided or
//     parked at the month's end; closed by the month's end, in time or
//     late.
//   - Not reported (events.unreported, events.unreported_major): an event
//     from another channel is held against the grid unless a worker had
//     reported a near match of it earlier (the duplicate check's matches);
//     ordinary ones count in events.unreported, larger and major ones in
//     events.unreported_major.
func init() {
	factNames = metric.Define(
		metric.Def{Name: "events.reported", Alias: "上报事件数", Kind: metric.Count,
			Seeds: "001 事件办理 (quota 56 full-time / 52 part-time a month); 003 items 4, 5, 7",
			Doc:   "events the worker reported in the month (source worker, not voided before month end); a unit's sum is its workers' reports"},
		metric.Def{Name: "events.reported_upward", Alias: "上报上级事件数", Kind: metric.Count, Part: "events.reported",
			Seeds: "001 事件办理 (8 full-time / 4 part-time of the quota reported upward)",
			Doc:   "of the events reported in the month, those reported upward (上报) to a higher centre rather than handled locally"},
		metric.Def{Name: "events.self_handled", Alias: "自办自结事件数", Kind: metric.Count, Part: "events.reported",
			Seeds: "001 事件办理 (the quota's events handled locally)",
			Doc:   "of the events reported in the month, those the worker handled and closed themselves (自办自结)"},
		metric.Def{Name: "events.quota_short", Alias: "事件任务缺口数", Kind: metric.Count,
			Seeds: "001 事件办理 (−1 per missing event)",
			Doc:   "per worker, the larger of the shortfall of events reported against the worker type's monthly quota (full-time 56, part-time 52) and the shortfall of upward reports within it (8, 4); meaningful only per worker"},
		metric.Def{Name: "events.month_end_bunching", Alias: "月末集中上报", Kind: metric.Flag,
			Seeds: "001 事件办理 (−10 once)",
			Doc:   "1 if more than half of the worker's month's reports (at least 5) were made in its last 5 days, else 0"},
		metric.Def{Name: "events.month_end_share", Alias: "月末5天上报占比", Kind: metric.Rate,
			Seeds: "001 事件办理 (month-end bunching)",
			Doc:   "share of the month's reported events that were reported in its last 5 days"},
		metric.Def{Name: "events.yellow_cards", Alias: "事件黄牌数", Kind: metric.Count,
			Seeds: "001 事件办理 (−5 each)",
			Doc:   "yellow cards whose line (a stage's due time) was passed in the month: the worker's own, or a unit's in the grid's events"},
		metric.Def{Name: "events.red_cards", Alias: "事件红牌数", Kind: metric.Count,
			Seeds: "001 事件办理 (−10 each)",
			Doc:   "red cards whose line (twice the limit, or a late extension's due time) was passed in the month"},
		metric.Def{Name: "events.major_late", Alias: "重大事件超2小时未上报数", Kind: metric.Count,
			Seeds: "001 事件办理 (−10 each)",
			Doc:   "major events (mass incident, major case, natural disaster, fire) that happened in the month and did not reach both the district and town centres within 2 hours of happening"},
		metric.Def{Name: "events.badly_described", Alias: "事件描述不清数", Kind: metric.Count,
			Seeds: "001 事件办理 (−1 each)",
			Doc:   "events the worker reported in the month that were judged unclear: a description shorter than the category asks, no photo where it requires one, or judged unclear when accepted"},
		metric.Def{Name: "events.unreported", Alias: "动态信息未上报数", Kind: metric.Count,
			Seeds: "001 事件办理 (−1 each, ordinary)",
			Doc:   "ordinary events in the grid reported in the month by another channel (resident, hotline, higher level, inspection) that no worker had reported before"},
		metric.Def{Name: "events.unreported_major", Alias: "较大动态信息未上报数", Kind: metric.Count,
			Seeds: "001 事件办理 (−3 each, larger)",
			Doc:   "larger (and major) events in the grid reported in the month by another channel that no worker had reported before"},
		metric.Def{Name: "events.accept_rate", Alias: "事件按时受理率", Kind: metric.Rate,
			Seeds: "003 (accept within 2 days); 003 item 8",
			Doc:   "share of the grid's events whose acceptance fell due in the month that were accepted by then (default 2 working days)"},
		metric.Def{Name: "events.close_rate", Alias: "事件按时办结率", Kind: metric.Rate,
			Seeds: "003 (close within 7 days); 003 item 8",
			Doc:   "share of the grid's events whose closing fell due in the month that were closed by then (default 7 working days)"},
		metric.Def{Name: "events.closure_rate", Alias: "事件办结率", Kind: metric.Rate,
			Seeds: "003 (close within 7 days)",
			Doc:   "share of the grid's events due to be closed by month end (and open at its start) that were closed by then, in time or late"},
		metric.Def{Name: "events.mediation", Alias: "矛盾纠纷调解上报数", Kind: metric.Count,
			Seeds: "003 item 6 (≥ 2 a month, ranked)",
			Doc:   "reports in mediation and dispute categories made in the month: a worker's own, and residents' in the grid"},
		metric.Def{Name: "events.per_worker", Alias: "人均上报事件数", Kind: metric.Mean,
			Seeds: "003 item 5 (≥ 10 a month, ranked); 003 item 7 (≥ 1 a person)",
			Doc:   "events the unit's workers reported in the month per worker with a grid assignment in the month (num: events, den: workers)"},
	)
}

// factNames lists the facts measured.
var factNames []string

// The bunching rule (seed 001: "集中在月末5天上报" −10 once).
const (
	// BunchingDays is the month's last days that count as its end.
	BunchingDays = 5
	// BunchingShare is the share of reports in them above which the
	// month counts as bunched: more than half, when the last 5 days are a
	// sixth of the month.
	BunchingShare = 0.5
	// BunchingMin is the fewest reports that can be bunched.
	BunchingMin = 5
)

// Quota is a worker type's monthly event quota (seed 001).
type Quota struct{ Events, Upward int }

// Quotas are seed 001's quotas by employment.
var Quotas = map[org.Employment]Quota{
	org.FullTime: {Events: 56, Upward: 8},
	org.PartTime: {Events: 52, Upward: 4},
}

func ref(e *Event, note string) metric.Ref { return metric.Ref{Entity: "event", ID: e.ID, Note: note} }

// factEvents reads the events the month's facts need, with their clocks
// at now: those reported before the month's end that were reported within
// the last 92 days or were neither closed nor voided before the month.
func (s *Store) factEvents(ctx context.Context, p metric.Period, now time.Time) ([]Event, error) {
	start, end := p.Start().UTC(), p.End().UTC()
	early := start.AddDate(0, 0, -92)
	return s.loadEvents(ctx, s.db.Q(ctx), `e.reported_at < $1 AND (e.reported_at >= $2 OR
		((e.closed_at IS NULL OR e.closed_at >= $3) AND (e.voided_at IS NULL OR e.voided_at >= $3)))`, store.Args{end, early, start}, now)
}

// voidedBy reports whether e was voided before t.
func voidedBy(e *Event, t time.Time) bool { return e.VoidedAt != nil && e.VoidedAt.Before(t) }

// inMonth reports whether t lies in p.
func inMonth(p metric.Period, t time.Time) bool { return !t.Before(p.Start()) && t.Before(p.End()) }

// Facts measures the grid facts of period p (it is a facts.Source): events
// from other channels, unit cards, and the acceptance, closing and closure
// rates of each grid's events. It first issues the cards due by now.
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	now := s.now()
	if _, err := s.IssueCards(ctx, now); err != nil {
		return nil, nil, err
	}
	es, err := s.factEvents(ctx, p, now)
	if err != nil {
		return nil, nil, err
	}
	cats, err := categoriesByCode(ctx, s.db.Q(ctx))
	if err != nil {
		return nil, nil, err
	}
	g := metric.GridFacts{}
	end := p.End()
	// Which events a worker had reported, for the near matches.
	byWorker := map[string]bool{}
	for i := range es {
		if es[i].Source == FromWorker {
			byWorker[es[i].ID] = true
		}
	}
	matches, err := s.matchesOf(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	for i := range es {
		e := &es[i]
		if e.GridID == "" || voidedBy(e, end) {
			continue
		}
		reported := inMonth(p, e.ReportedAt)
		if reported && e.Source != FromWorker {
			seen := false
			for _, m := range matches[e.ID] {
				seen = seen || byWorker[m]
			}
			if !seen {
				name := "events.unreported"
				if e.Severity != Ordinary {
					name = "events.unreported_major"
				}
				g.At(e.GridID, name).Add(ref(e, fmt.Sprintf("%s event reported by %s on %s", e.Severity, e.Source, shanghaiTime(e.ReportedAt))))
			}
			if cats[e.CategoryCode].Mediation {
				g.At(e.GridID, "events.mediation").Add(ref(e, "reported by "+string(e.Source)+" in "+e.CategoryCode))
			}
		}
		if e.Source != FromWorker && e.Severity == Major && inMonth(p, e.HappenedAt) && e.MajorLate {
			g.At(e.GridID, "events.major_late").Add(ref(e, majorNote(e)))
		}
		for _, c := range e.Clocks {
			switch c.Stage {
			case StageAccept:
				onTime(g.At(e.GridID, "events.accept_rate"), p, e, c, now, "accepted")
			case StageClose:
				onTime(g.At(e.GridID, "events.close_rate"), p, e, c, now, "closed")
				closure(g.At(e.GridID, "events.closure_rate"), p, e, c, now)
			}
		}
	}
	// Unit cards, in the grid of their event.
	cards, _, err := s.Cards(ctx, CardQuery{From: p.Start(), To: end})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cards {
		if c.WorkerID != "" || c.GridID == "" {
			continue
		}
		g.At(c.GridID, cardFact(c.Color)).Add(metric.Ref{Entity: "event", ID: c.EventID,
			Note: fmt.Sprintf("%s card to unit %s: %s stage past its line at %s", c.Color, c.UnitID, c.Stage, shanghaiTime(c.LineAt))})
	}
	// Every name once, here: the collector rolls grid and worker tallies
	// up under the names its sources return, so WorkerFacts returns none.
	return g, append([]string(nil), factNames...), nil
}

func cardFact(c Color) string {
	if c == RedCard {
		return "events.red_cards"
	}
	return "events.yellow_cards"
}

func majorNote(e *Event) string {
	if e.UpwardAt == nil {
		return fmt.Sprintf("major event happened %s, not reported to the district and town centres", shanghaiTime(e.HappenedAt))
	}
	return fmt.Sprintf("major event happened %s, reached the centres %s (%s late)", shanghaiTime(e.HappenedAt), shanghaiTime(*e.UpwardAt),
		e.UpwardAt.Sub(e.HappenedAt.Add(MajorReportLimit)).Round(time.Minute))
}

// onTime counts e in a stage's on-time rate when the stage's due time
// falls in p and is decided by now.
func onTime(t *metric.Tally, p metric.Period, e *Event, c Clock, now time.Time, verb string) {
	if !inMonth(p, c.Due) {
		return
	}
	switch {
	case c.Done != nil && !c.Done.After(c.Due) && (e.VoidedAt == nil || !c.Done.Equal(*e.VoidedAt)):
		t.Num++
		t.Den++
	case c.Due.Before(now) && e.State != Parked:
		t.Den++
		note := fmt.Sprintf("due %s (%s), not %s by then", shanghaiTime(c.Due), c.Limit, verb)
		if c.Done != nil && (e.VoidedAt == nil || !c.Done.Equal(*e.VoidedAt)) {
			note = fmt.Sprintf("due %s (%s), %s %s", shanghaiTime(c.Due), c.Limit, verb, shanghaiTime(*c.Done))
		}
		t.Evidence = append(t.Evidence, ref(e, note))
	}
}

// closure counts e in the closure rate of p.
func closure(t *metric.Tally, p metric.Period, e *Event, c Clock, now time.Time) {
	start, end := p.Start(), p.End()
	if !c.Due.Before(end) || c.Due.After(now) {
		return // not due by the month's end
	}
	if e.ClosedAt != nil && e.ClosedAt.Before(start) {
		return // closed before the month
	}
	if e.State == Parked {
		return // parked (挂账) with approval
	}
	t.Den++
	if e.ClosedAt != nil && e.ClosedAt.Before(end) {
		t.Num++
		return
	}
	t.Evidence = append(t.Evidence, ref(e, fmt.Sprintf("due %s, still open at month end", shanghaiTime(c.Due))))
}

// matchesOf returns the near matches of the events reported in p.
func (s *Store) matchesOf(ctx context.Context, p metric.Period) (map[string][]string, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT m.event_id, m.match_id FROM event_matches m JOIN events e ON e.id = m.event_id
		WHERE e.reported_at >= $1 AND e.reported_at < $2`, p.Start().UTC(), p.End().UTC())
	if err != nil {
		return nil, fmt.Errorf("events: facts: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("events: facts: %w", err)
		}
		out[a] = append(out[a], b)
	}
	return out, rows.Err()
}

// WorkerFacts measures the worker facts of p (facts.WorkerSource): the
// events each worker reported, their quota shortfall, bunching and quality,
// and the cards issued to them.
func (s *Store) WorkerFacts(ctx context.Context, p metric.Period) (metric.WorkerFacts, []string, error) {
	now := s.now()
	if _, err := s.IssueCards(ctx, now); err != nil {
		return nil, nil, err
	}
	start, end := p.Start().UTC(), p.End().UTC()
	es, err := s.loadEvents(ctx, s.db.Q(ctx), `e.source = 'worker' AND e.reporter_worker_id IS NOT NULL AND
		((e.reported_at >= $1 AND e.reported_at < $2) OR (e.severity = 'major' AND e.happened_at >= $1 AND e.happened_at < $2))`,
		store.Args{start, end}, now)
	if err != nil {
		return nil, nil, err
	}
	cats, err := categoriesByCode(ctx, s.db.Q(ctx))
	if err != nil {
		return nil, nil, err
	}
	w := metric.WorkerFacts{}
	monthEnd := p.Last().AddDays(1 - BunchingDays)
	for i := range es {
		e := &es[i]
		if voidedBy(e, p.End()) {
			continue
		}
		id := e.ReporterWorkerID
		if e.Severity == Major && inMonth(p, e.HappenedAt) && e.MajorLate {
			w.At(id, "events.major_late").Add(ref(e, majorNote(e)))
		}
		if !inMonth(p, e.ReportedAt) {
			continue
		}
		day := dates.Of(e.ReportedAt)
		w.At(id, "events.reported").Add(ref(e, e.CategoryCode+" reported "+shanghaiTime(e.ReportedAt)))
		w.At(id, "events.per_worker").Add(ref(e, e.CategoryCode))
		if e.Upward {
			w.At(id, "events.reported_upward").Add(ref(e, "reported upward"))
		}
		if e.SelfHandled {
			w.At(id, "events.self_handled").Add(ref(e, "自办自结"))
		}
		share := w.At(id, "events.month_end_share")
		share.Den++
		if !day.Before(monthEnd) {
			share.Add(ref(e, "reported "+day.String()))
		}
		if e.BadlyDescribed {
			w.At(id, "events.badly_described").Add(ref(e, e.QualityNotes))
		}
		if cats[e.CategoryCode].Mediation {
			w.At(id, "events.mediation").Add(ref(e, e.CategoryCode))
		}
	}
	// The rate's evidence lists the reports made at month end; the other
	// reports are not shortfalls.
	for _, m := range w {
		if t := m["events.month_end_share"]; t != nil && t.Den >= BunchingMin && t.Num/t.Den > BunchingShare {
			m["events.month_end_bunching"] = &metric.Tally{Num: 1, Evidence: append([]metric.Ref(nil), t.Evidence...)}
		}
	}
	// Quota and per-worker denominator: every worker with a grid
	// assignment in the month.
	workers, err := assignedWorkers(ctx, s.db.Q(ctx), p)
	if err != nil {
		return nil, nil, err
	}
	for id, emp := range workers {
		w.At(id, "events.per_worker").Den++
		q, ok := Quotas[emp]
		if !ok {
			continue
		}
		var got, up float64
		if t := w[id]["events.reported"]; t != nil {
			got = t.Num
		}
		if t := w[id]["events.reported_upward"]; t != nil {
			up = t.Num
		}
		short := max(float64(q.Events)-got, float64(q.Upward)-up, 0)
		if short > 0 {
			t := w.At(id, "events.quota_short")
			t.Num = short
			t.Evidence = append(t.Evidence, metric.Ref{Entity: "worker", ID: id,
				Note: fmt.Sprintf("%s: %.0f of %d events reported, %.0f of %d upward", emp, got, q.Events, up, q.Upward)})
		}
	}
	cards, _, err := s.Cards(ctx, CardQuery{From: p.Start(), To: p.End()})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cards {
		if c.WorkerID == "" {
			continue
		}
		w.At(c.WorkerID, cardFact(c.Color)).Add(metric.Ref{Entity: "event", ID: c.EventID,
			Note: fmt.Sprintf("%s card: %s stage past its line at %s", c.Color, c.Stage, shanghaiTime(c.LineAt))})
	}
	// The names are returned once, by Facts.
	return w, nil, nil
}

// assignedWorkers returns the employment of every worker with a grid
// assignment (primary or extra share) on some day of p.
func assignedWorkers(ctx context.Context, q store.Queryer, p metric.Period) (map[string]org.Employment, error) {
	as, err := org.AssignmentsOverlapping(ctx, q, p.First(), p.Last())
	if err != nil {
		return nil, fmt.Errorf("events: facts: %w", err)
	}
	workers, err := org.Workers(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("events: facts: %w", err)
	}
	out := map[string]org.Employment{}
	for _, a := range as {
		if w, ok := workers[a.WorkerID]; ok {
			out[a.WorkerID] = w.Employment
		}
	}
	return out, nil
}
