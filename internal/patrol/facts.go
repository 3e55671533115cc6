package patrol

import (
	"context"
	"fmt"
	"math"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// The facts this package measures, per worker and calendar month (Asia/
// Shanghai), from the settled day summaries. They are worker facts
// (facts.WorkerSource): a patrol is what a worker did, and it rolls up to
// the worker and to their home grid's units. docs/metrics.md (Patrols) gives
// the definitions in full. Common terms:
//
//   - Hours inside: the time of a patrol's steps whose both fixes lie inside
//     one of the worker's own grids that day (primary grid or extra share,
//     from the org's assignments on that day).
//   - A worker's working days of the month: the work calendar's working days
//     on which the worker has an assignment, that are not on leave (approved
//     leave covering half or more of that day's working hours), and that
//     have ended: up to yesterday by the store's clock.
//   - Hours count on every day of the month, working day or not.
func init() {
	metric.Define(
		metric.Def{Name: "patrol.hours", Alias: "网格内巡查时长", Kind: metric.Count,
			Seeds: "001 工作纪律 (two patrols a day, each ≥ 3 h); 003 item 3",
			Doc:   "hours (a decimal, to 0.01) patrolled inside the worker's own grids in the month, from the GPS track"},
		metric.Def{Name: "patrol.long_patrols", Alias: "3小时以上巡查次数", Kind: metric.Count,
			Seeds: "001 工作纪律 (two patrols a day, each ≥ 3 h)",
			Doc:   "patrols in the month with 3 hours (less a minute's grace) or more inside the own grids"},
		metric.Def{Name: "patrol.long_patrols_missing", Alias: "缺少巡查次数", Kind: metric.Count,
			Seeds: "001 工作纪律 (−3 per missing patrol)",
			Doc:   "shortfall against two patrols of 3 hours or more each working day: Σ over the worker's working days of the month (assigned, not on leave) of max(0, 2 − such patrols that day)"},
		metric.Def{Name: "patrol.days_1h", Alias: "巡查满1小时天数", Kind: metric.Count,
			Seeds: "003 item 3 (daily patrol ≥ 1 h)",
			Doc:   "days of the month with at least 1 hour patrolled inside the own grids"},
		metric.Def{Name: "patrol.daily_hours", Alias: "人均日巡查时长", Kind: metric.Mean,
			Seeds: "003 item 3 (≥ 1 h per worker a day, ranked)",
			Doc:   "hours patrolled inside the own grids per working day (num: the month's hours, den: the worker's working days)"},
		metric.Def{Name: "patrol.out_of_area", Alias: "工作时间离开工作区域次数", Kind: metric.Count,
			Seeds: "000 III (−1 each)",
			Doc:   "times in the month the phone stayed outside every own grid for 30 minutes or more during working hours on a working day, not on approved leave"},
		metric.Def{Name: "patrol.cheat_flags", Alias: "巡查轨迹异常数", Kind: metric.Count,
			Seeds: "000 III (GPS on during working hours); 004 (attendance checks)",
			Doc:   "flags on the month's tracks: stretches of mock-location fixes, impossible jumps (over 50 m/s), patrols repeating another track fix for fix, stretches of fixes during approved leave"},
	)
}

// factNames lists the facts WorkerFacts measures.
var factNames = []string{"patrol.hours", "patrol.long_patrols", "patrol.long_patrols_missing", "patrol.days_1h",
	"patrol.daily_hours", "patrol.out_of_area", "patrol.cheat_flags"}

// Facts implements facts.Source: patrols have no per-grid facts (every
// patrol fact is a worker's; see WorkerFacts).
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	return metric.GridFacts{}, nil, nil
}

// patrolDay is a settled day as the facts read it.
type patrolDay struct {
	inside      float64
	longPatrols int
}

// WorkerFacts measures the patrol facts of every worker with an assignment
// or a patrol in month p (facts.WorkerSource), after settling stale days.
func (s *Store) WorkerFacts(ctx context.Context, p metric.Period) (metric.WorkerFacts, []string, error) {
	if _, err := s.Settle(ctx); err != nil {
		return nil, nil, err
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("patrol: facts: work calendar: %w", err)
	}
	first, last := p.First(), p.Last()
	var leave map[string][]workcal.Interval
	if s.leave != nil {
		if leave, err = s.leave.ApprovedLeave(ctx, p.Start(), p.End()); err != nil {
			return nil, nil, fmt.Errorf("patrol: facts: approved leave: %w", err)
		}
	}
	q := s.db.Q(ctx)
	w := metric.WorkerFacts{}
	touch := func(worker string) {
		for _, n := range factNames {
			w.At(worker, n)
		}
	}
	days := map[dayKey]patrolDay{}
	rows, err := q.QueryContext(ctx, `SELECT worker_id, day, inside_seconds, long_patrols FROM patrol_days
		WHERE day >= $1 AND day <= $2 ORDER BY worker_id, day`, first, last)
	if err != nil {
		return nil, nil, fmt.Errorf("patrol: facts: %w", err)
	}
	for rows.Next() {
		var k dayKey
		var d patrolDay
		if err := rows.Scan(&k.worker, &k.day, &d.inside, &d.longPatrols); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("patrol: facts: %w", err)
		}
		days[k] = d
		touch(k.worker)
		if d.inside > 0 {
			h := hours(d.inside)
			t := w.At(k.worker, "patrol.hours")
			t.Num += h
			t.Evidence = append(t.Evidence, metric.Ref{Entity: "patrol_day", ID: dayRef(k.worker, k.day), Note: fmt.Sprintf("%s %.2f h inside", k.day, h)})
			w.At(k.worker, "patrol.daily_hours").Num += h
		}
		if d.inside >= 3600 {
			w.At(k.worker, "patrol.days_1h").Add(metric.Ref{Entity: "patrol_day", ID: dayRef(k.worker, k.day), Note: fmt.Sprintf("%s %.2f h inside", k.day, hours(d.inside))})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Sums of rounded hours drift: round the totals again.
	for _, m := range w {
		for _, n := range []string{"patrol.hours", "patrol.daily_hours"} {
			if t := m[n]; t != nil {
				t.Num = math.Round(t.Num*100) / 100
			}
		}
	}
	segs, err := store.All(ctx, q, "long patrols", `SELECT id, worker_id, day, started_at, ended_at, inside_seconds FROM patrol_segments
		WHERE is_long AND day >= $1 AND day <= $2 ORDER BY worker_id, day, seq`, store.Args{first, last},
		func(row store.Row) (struct {
			id, worker string
			day        dates.Date
			from, to   time.Time
			inside     float64
		}, error) {
			var x struct {
				id, worker string
				day        dates.Date
				from, to   time.Time
				inside     float64
			}
			return x, row.Scan(&x.id, &x.worker, &x.day, &x.from, &x.to, &x.inside)
		})
	if err != nil {
		return nil, nil, fmt.Errorf("patrol: facts: %w", err)
	}
	for _, x := range segs {
		w.At(x.worker, "patrol.long_patrols").Add(metric.Ref{Entity: "patrol", ID: x.id,
			Note: fmt.Sprintf("%s %s–%s %.2f h inside", x.day, hm(x.from), hm(x.to), hours(x.inside))})
	}
	flags, _, err := s.Flags(ctx, FlagQuery{From: first, To: last, settled: true})
	if err != nil {
		return nil, nil, fmt.Errorf("patrol: facts: %w", err)
	}
	for _, f := range flags {
		name := "patrol.cheat_flags"
		if !f.Kind.Cheat() {
			name = "patrol.out_of_area"
		}
		w.At(f.WorkerID, name).Add(metric.Ref{Entity: "patrol_day", ID: dayRef(f.WorkerID, f.Day), Note: fmt.Sprintf("%s %s: %s", f.Day, f.Kind, f.Detail)})
	}
	// Working days: assigned, not on leave, ended.
	end := last
	if y := dates.Of(s.clock()).AddDays(-1); y.Before(end) {
		end = y
	}
	assigned, err := assignedDays(ctx, q, first, last)
	if err != nil {
		return nil, nil, err
	}
	var workdays []dates.Date
	if !end.Before(first) {
		workdays = cal.Workdays(first, end)
	}
	for worker, on := range assigned {
		touch(worker)
		for _, d := range workdays {
			if !on(d) || onLeave(cal, leave[worker], d) {
				continue
			}
			w.At(worker, "patrol.daily_hours").Den++
			pd := days[dayKey{worker, d}]
			if miss := 2 - pd.longPatrols; miss > 0 {
				t := w.At(worker, "patrol.long_patrols_missing")
				t.Num += float64(miss)
				t.Evidence = append(t.Evidence, metric.Ref{Entity: "patrol_day", ID: dayRef(worker, d),
					Note: fmt.Sprintf("%s %d of 2 patrols of 3 h (%.2f h inside)", d, pd.longPatrols, hours(pd.inside))})
			}
		}
	}
	return w, factNames, nil
}

// assignedDays returns, per worker with an assignment overlapping [first,
// last], whether they held one on a day.
func assignedDays(ctx context.Context, q store.Queryer, first, last dates.Date) (map[string]func(dates.Date) bool, error) {
	type span struct{ from, to dates.Date }
	spans := map[string][]span{}
	as, err := org.AssignmentsOverlapping(ctx, q, first, last)
	if err != nil {
		return nil, fmt.Errorf("patrol: facts: assignments: %w", err)
	}
	for _, a := range as {
		spans[a.WorkerID] = append(spans[a.WorkerID], span{a.ValidFrom, a.ValidTo})
	}
	out := make(map[string]func(dates.Date) bool, len(spans))
	for w, ss := range spans {
		out[w] = func(d dates.Date) bool {
			for _, sp := range ss {
				if !d.Before(sp.from) && (sp.to.IsZero() || d.Before(sp.to)) {
					return true
				}
			}
			return false
		}
	}
	return out, nil
}

// onLeave reports whether approved leave covers half or more of d's working
// hours: such a day is excused from the daily patrols.
func onLeave(cal *workcal.Calendar, ivs []workcal.Interval, d dates.Date) bool {
	ws, we := cal.WorkStart(d), cal.WorkEnd(d)
	var covered time.Duration
	for _, iv := range ivs {
		from, to := iv.From, iv.To
		if from.Before(ws) {
			from = ws
		}
		if to.After(we) {
			to = we
		}
		if to.After(from) {
			covered += to.Sub(from)
		}
	}
	return covered*2 >= we.Sub(ws)
}

// hours turns seconds into hours to 0.01.
func hours(sec float64) float64 { return math.Round(sec/36) / 100 }

// hm prints a time as HH:MM in Asia/Shanghai.
func hm(t time.Time) string { return t.In(dates.Shanghai).Format("15:04") }
