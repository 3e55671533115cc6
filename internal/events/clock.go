package events

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// Light is a stage clock's colour (seed 003's acceptance and closing
// limits, shown as a traffic light).
type Light string

// The lights. A running stage is green below 80 % of its limit, yellow
// from 80 % up to its due time, red past it; a parked event's clocks are
// parked; a finished stage is on time or late.
const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
	Paused Light = "parked"
	OnTime Light = "on_time"
	Late   Light = "late"
)

// YellowFrom is the share of a limit from which a running stage's light
// turns yellow.
const YellowFrom = 0.8

// Clock is one stage's clock on an event.
type Clock struct {
	Stage Stage     `json:"stage" enum:"accept,dispatch,handle,verify,close"`
	Limit string    `json:"limit" doc:"e.g. 2workdays"`
	Start time.Time `json:"start"`
	// Due is when the stage runs out: its limit on the work calendar from
	// Start, plus approved extensions and parked time. Passing it earns a
	// yellow card.
	Due time.Time `json:"due"`
	// RedAt is when a red card falls due (see Lines).
	RedAt time.Time  `json:"red_at"`
	Done  *time.Time `json:"done,omitempty"`
	// Used is the share of the time to Due used by now (or by Done).
	Used  float64 `json:"used"`
	Light Light   `json:"light" enum:"green,yellow,red,parked,on_time,late"`
}

// span is a parked interval [from, to); to is zero while still parked.
type span struct{ from, to time.Time }

// extension is an approved extension of a stage.
type extension struct {
	stage    Stage
	approved time.Time
	limit    workcal.Limit
}

// shiftFrom pushes t back by the parked time that began in [from, t): a
// parked event's clocks stand still. A span still open counts up to now.
func shiftFrom(parks []span, from, t, now time.Time) time.Time {
	for _, p := range parks { // sorted by from
		if p.from.Before(from) || !p.from.Before(t) {
			continue
		}
		to := p.to
		if to.IsZero() {
			to = now
		}
		if to.After(p.from) {
			t = t.Add(to.Sub(p.from))
		}
	}
	return t
}

// Lines returns a stage's two card lines: yellow, the stage's due time,
// and red, the time that earns a red card. This is the reading of seed
// 001's 黄牌/红牌 (docs/metrics.md):
//
//   - Due (yellow line): the limit on the work calendar from start. An
//     extension approved before the due time passes (asked for and granted
//     in time) moves it: the due time becomes the old one plus the
//     extension. A stage still running at its due time earns a yellow card.
//   - Red line: twice the limit — one more limit past the due time — unless
//     an extension was approved after the due time had passed (a late
//     extension, on top of a yellow card already earned): then the red line
//     is the extension's new due time, the second chance.
//   - Parked time does not count: the lines move back by the time parked
//     (approved 挂账 until resumed) after start.
//
// exts are the approved extensions of this stage in approval order.
func Lines(cal *workcal.Calendar, start time.Time, l workcal.Limit, exts []extension, parks []span, now time.Time) (due, red time.Time) {
	due = shiftFrom(parks, start, cal.Due(start, l), now)
	var late bool
	for _, x := range exts {
		if !late && !x.approved.After(due) {
			next := cal.Due(due, x.limit)
			due = shiftFrom(parks, due, next, now)
			continue
		}
		if !late {
			late, red = true, due
		}
		next := cal.Due(red, x.limit)
		red = shiftFrom(parks, red, next, now)
	}
	if !late {
		red = shiftFrom(parks, due, cal.Due(due, l), now)
	}
	return due, red
}

// timeline is what the clocks need beyond the event row.
type timeline struct {
	parks []span
	exts  []extension
}

// loadTimelines reads the parked spans and approved extensions of the
// events ids (all events when ids is nil).
func loadTimelines(ctx context.Context, q store.Queryer, ids []string) (map[string]*timeline, error) {
	out := map[string]*timeline{}
	at := func(id string) *timeline {
		t := out[id]
		if t == nil {
			t = &timeline{}
			out[id] = t
		}
		return t
	}
	filter, args := "", store.Args{}
	if ids != nil {
		if len(ids) == 0 {
			return out, nil
		}
		filter = " AND event_id IN ("
		for i, id := range ids {
			if i > 0 {
				filter += ", "
			}
			filter += args.Add(id)
		}
		filter += ")"
	}
	rows, err := q.QueryContext(ctx, `SELECT event_id, action, at FROM event_steps
		WHERE action IN ('approve_park', 'resume', 'approve_void')`+filter+` ORDER BY event_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: clocks: %w", err)
	}
	for rows.Next() {
		var id string
		var a Action
		var t time.Time
		if err := rows.Scan(&id, &a, &t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("events: clocks: %w", err)
		}
		tl := at(id)
		open := len(tl.parks) > 0 && tl.parks[len(tl.parks)-1].to.IsZero()
		switch {
		case a == ApprovePark && !open:
			tl.parks = append(tl.parks, span{from: t.UTC()})
		case a != ApprovePark && open:
			tl.parks[len(tl.parks)-1].to = t.UTC()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: clocks: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT event_id, stage, extra, decided_at FROM event_requests
		WHERE kind = 'extension' AND status = 'approved'`+filter+` ORDER BY event_id, decided_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, extra string
		var x extension
		if err := rows.Scan(&id, &x.stage, &extra, &x.approved); err != nil {
			return nil, fmt.Errorf("events: clocks: %w", err)
		}
		l, err := workcal.ParseLimit(extra)
		if err != nil {
			return nil, fmt.Errorf("events: stored extension of %s: %w", id, err)
		}
		x.limit, x.approved = l, x.approved.UTC()
		at(id).exts = append(at(id).exts, x)
	}
	return out, rows.Err()
}

// stageSpan returns when stage st of e started and finished (nil: not yet),
// and whether it has started at all. A voided event's running stages stop
// when it was voided.
func stageSpan(e *Event, st Stage) (start time.Time, done *time.Time, started bool) {
	var s, d *time.Time
	switch st {
	case StageAccept:
		s, d = &e.ReportedAt, e.AcceptedAt
	case StageDispatch:
		s, d = e.AcceptedAt, e.DispatchedAt
	case StageHandle:
		s, d = e.DispatchedAt, e.HandledAt
	case StageVerify:
		s, d = e.HandledAt, e.VerifiedAt
	case StageClose:
		s, d = &e.ReportedAt, e.ClosedAt
	}
	if s == nil {
		return time.Time{}, nil, false
	}
	if d == nil && e.VoidedAt != nil {
		d = e.VoidedAt
	}
	return *s, d, true
}

// clocks computes e's stage clocks at now.
func clocks(cal *workcal.Calendar, e *Event, cat Category, tl *timeline, now time.Time) []Clock {
	if tl == nil {
		tl = &timeline{}
	}
	var out []Clock
	for _, st := range Stages {
		start, done, ok := stageSpan(e, st)
		if !ok {
			continue
		}
		l := cat.Limit(st)
		var exts []extension
		for _, x := range tl.exts {
			// An extension of any stage also extends the whole event.
			if x.stage == st || st == StageClose {
				exts = append(exts, x)
			}
		}
		due, red := Lines(cal, start, l, exts, tl.parks, now)
		// Stored and shown in UTC like every other time.
		due, red = due.UTC(), red.UTC()
		c := Clock{Stage: st, Limit: l.String(), Start: start, Due: due, RedAt: red, Done: done}
		end := now
		if done != nil {
			end = *done
		}
		if total := cal.Elapsed(start, due, l); total > 0 {
			c.Used = float64(cal.Elapsed(start, end, l)) / float64(total)
			if end.After(due) && c.Used <= 1 {
				c.Used = 1 + float64(end.Sub(due))/float64(total) // past due on days off still shows past
			}
		}
		switch {
		case done != nil && done.After(due):
			c.Light = Late
		case done != nil:
			c.Light = OnTime
		case e.State == Parked:
			c.Light = Paused
		case now.After(due):
			c.Light = Red
		case c.Used >= YellowFrom:
			c.Light = Yellow
		default:
			c.Light = Green
		}
		out = append(out, c)
	}
	return out
}

// currentClock returns the clock of the stage e is in (nil when finished).
func currentClock(e *Event) *Clock {
	if !e.State.Open() {
		return nil
	}
	st := currentStage(e.State)
	if e.State == Parked {
		st = currentStage(e.ParkedFrom)
	}
	i := slices.IndexFunc(e.Clocks, func(c Clock) bool { return c.Stage == st })
	if i < 0 {
		return nil
	}
	return &e.Clocks[i]
}
