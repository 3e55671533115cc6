package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Color is a card's colour.
type Color string

// The card colours (seed 001: yellow −5, red −10 each).
const (
	YellowCard Color = "yellow"
	RedCard    Color = "red"
)

// Card is a yellow or red card issued for a stage that ran past its line,
// to the worker who answered for the stage, or else to a unit. A card
// stays when the event is closed later.
type Card struct {
	ID       string    `json:"id"`
	EventID  string    `json:"event_id"`
	Stage    Stage     `json:"stage"`
	Color    Color     `json:"color" enum:"yellow,red"`
	WorkerID string    `json:"worker_id,omitempty"`
	UnitID   string    `json:"unit_id,omitempty"`
	LineAt   time.Time `json:"line_at" doc:"when the stage ran past the card's line"`
	IssuedAt time.Time `json:"issued_at"`
	// GridID is the event's grid, for scope.
	GridID string `json:"grid_id,omitempty"`
}

// responsible returns who answers for stage st of e at instant t: the
// worker (or unit) it was dispatched to while it is being handled, else
// the event's community (社区 staff accept, dispatch within their
// community and check the result), else its grid.
func responsible(e *Event, st Stage, t time.Time) (worker, unit string) {
	handling := e.DispatchedAt != nil && !e.DispatchedAt.After(t) && (e.HandledAt == nil || e.HandledAt.After(t))
	if (st == StageHandle || (st == StageClose && handling)) && (e.AssigneeWorkerID != "" || e.AssigneeUnitID != "") {
		return e.AssigneeWorkerID, e.AssigneeUnitID
	}
	if e.CommunityID != "" {
		return "", e.CommunityID
	}
	return "", e.GridID
}

// dueCards returns the cards e has earned by now: for each stage, yellow
// when it was still running at its due time, red when still running at its
// red line (Lines), each once the line has passed.
func dueCards(e *Event) []Card {
	var out []Card
	for _, c := range e.Clocks {
		for _, x := range []struct {
			color Color
			line  time.Time
		}{{YellowCard, c.Due}, {RedCard, c.RedAt}} {
			if c.Done != nil && !c.Done.After(x.line) {
				continue // finished by the line
			}
			if c.Done == nil && e.State == Parked {
				continue // its lines keep moving while parked
			}
			if c.Done == nil && !e.clockAt.After(x.line) {
				continue // not past the line yet: done exactly at it is in time
			}
			w, u := responsible(e, c.Stage, x.line)
			out = append(out, Card{EventID: e.ID, Stage: c.Stage, Color: x.color, WorkerID: w, UnitID: u, LineAt: x.line.UTC().Truncate(time.Microsecond)})
		}
	}
	return out
}

// IssueCards stores every card earned by now that is not stored yet, and
// returns how many it stored. It can run any number of times (a card is
// stored once per event, stage and colour) and never removes a card. The
// demo and the fact collection run it; a deployment runs it every few
// minutes. A finished (closed or voided) event is swept once more and then
// marked final, so the sweep's work stays with the running events; a later
// change of its category's limits does not touch its cards.
func (s *Store) IssueCards(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	n := 0
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		// A finished event earns no card after it finished (every line it
		// can pass is before then), so once swept it is final.
		es, err := s.loadEvents(ctx, tx, `e.reported_at <= $1 AND NOT e.cards_final`, store.Args{now}, now)
		if err != nil {
			return err
		}
		var final []string
		for i := range es {
			if !es[i].State.Open() {
				final = append(final, es[i].ID)
			}
			for _, c := range dueCards(&es[i]) {
				res, err := tx.ExecContext(ctx, `INSERT INTO event_cards (id, event_id, stage, color, worker_id, unit_id, line_at, issued_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, stage, color) DO NOTHING`,
					store.NewID(), c.EventID, c.Stage, c.Color, store.NullIfEmpty(c.WorkerID), store.NullIfEmpty(c.UnitID), c.LineAt, now)
				if err != nil {
					return fmt.Errorf("events: issue cards: %w", err)
				}
				k, _ := res.RowsAffected()
				n += int(k)
			}
		}
		for len(final) > 0 {
			batch := final[:min(len(final), 500)]
			final = final[len(batch):]
			var args store.Args
			in := ""
			for i, id := range batch {
				if i > 0 {
					in += ", "
				}
				in += args.Add(id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE events SET cards_final = TRUE WHERE id IN (`+in+`)`, args...); err != nil {
				return fmt.Errorf("events: issue cards: %w", err)
			}
		}
		return nil
	})
	return n, err
}

// CardQuery selects cards; empty fields do not filter.
type CardQuery struct {
	WithinID string // cards of events in grids under this unit
	WorkerID string
	EventID  string
	Color    Color
	// From and To bound LineAt: [From, To).
	From, To      time.Time
	Limit, Offset int
}

const cardColumns = `c.id, c.event_id, c.stage, c.color, COALESCE(c.worker_id, ''), COALESCE(c.unit_id, ''), c.line_at, c.issued_at, COALESCE(e.grid_id, '')`

func scanCard(row store.Row) (Card, error) {
	var c Card
	err := row.Scan(&c.ID, &c.EventID, &c.Stage, &c.Color, &c.WorkerID, &c.UnitID, &c.LineAt, &c.IssuedAt, &c.GridID)
	c.LineAt, c.IssuedAt = c.LineAt.UTC(), c.IssuedAt.UTC()
	return c, err
}

// Cards returns the cards matching q, newest line first, and the total
// before paging.
func (s *Store) Cards(ctx context.Context, q CardQuery) ([]Card, int, error) {
	var w store.Where
	prefix := ""
	if q.WithinID != "" {
		prefix = org.SubtreeCTE(&w.Args, q.WithinID, dates.Of(s.now()))
		w.Cond("e.grid_id IN (SELECT id FROM sub)")
	}
	w.Eq("c.worker_id", q.WorkerID)
	w.Eq("c.event_id", q.EventID)
	w.Eq("c.color", string(q.Color))
	if !q.From.IsZero() {
		w.Cond("c.line_at >= " + w.Args.Add(q.From.UTC()))
	}
	if !q.To.IsZero() {
		w.Cond("c.line_at < " + w.Args.Add(q.To.UTC()))
	}
	cs, total, err := store.List(ctx, s.db.Q(ctx), "event cards", store.ListQuery{Prefix: prefix, Cols: cardColumns,
		From: ` FROM event_cards c JOIN events e ON e.id = c.event_id WHERE ` + w.String(), Order: "c.line_at DESC, c.id",
		Limit: q.Limit, Offset: q.Offset}, w.Args, scanCard)
	if err != nil {
		return nil, 0, fmt.Errorf("events: %w", err)
	}
	if cs == nil {
		cs = []Card{}
	}
	return cs, total, nil
}

// CardsOf returns the stored cards of the events ids, grouped by event,
// each event's oldest line first: a queue shows every listed event's cards
// with one query.
func (s *Store) CardsOf(ctx context.Context, ids []string) (map[string][]Card, error) {
	out := map[string][]Card{}
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = args.Add(id)
	}
	cs, err := store.All(ctx, s.db.Q(ctx), "event cards", `SELECT `+cardColumns+` FROM event_cards c JOIN events e ON e.id = c.event_id
		WHERE c.event_id IN (`+strings.Join(marks, ", ")+`) ORDER BY c.line_at, c.id`, args, scanCard)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	for _, c := range cs {
		out[c.EventID] = append(out[c.EventID], c)
	}
	return out, nil
}
