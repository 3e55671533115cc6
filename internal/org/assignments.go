package org

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

const assignmentColumns = `a.id, a.worker_id, a.grid_id, a.kind, a.share_pct, a.valid_from, a.valid_to`

func scanAssignment(row store.Row) (Assignment, error) {
	var a Assignment
	err := row.Scan(&a.ID, &a.WorkerID, &a.GridID, &a.Kind, &a.SharePct, &a.ValidFrom, &a.ValidTo)
	return a, err
}

// NewAssignment describes an assignment to make.
type NewAssignment struct {
	WorkerID string         `json:"worker_id"`
	GridID   string         `json:"grid_id"`
	Kind     AssignmentKind `json:"kind"`
	// SharePct defaults to 100 for a primary grid and 50 for an extra share.
	SharePct  int        `json:"share_pct,omitempty"`
	ValidFrom dates.Date `json:"valid_from"`
	// ValidTo is optional: absent means open-ended.
	ValidTo dates.Date `json:"valid_to,omitempty"`
}

// Assign puts a worker on a grid. The rules (一人一格 and seed 004's
// 减员增效):
//   - a primary assignment is the whole grid (share 100), and a worker has at
//     most one primary grid at a time;
//   - an extra share is at most half a grid, never of the worker's own
//     primary grid, and a worker's extra shares add up to at most half a grid;
//   - a grid's shares add up to at most 100 on every date.
//
// Errors: Invalid naming the field and the rule, NotFound.
func (s *Store) Assign(ctx context.Context, actor string, in NewAssignment) (Assignment, error) {
	var out Assignment
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		a, err := s.assign(ctx, tx, actor, in)
		out = a
		return err
	})
	return out, err
}

func (s *Store) assign(ctx context.Context, tx store.Tx, actor string, in NewAssignment) (Assignment, error) {
	var bad []apperr.FieldError
	switch in.Kind {
	case Primary:
		if in.SharePct == 0 {
			in.SharePct = 100
		}
		if in.SharePct != 100 {
			bad = append(bad, apperr.FieldError{Field: "share_pct", Reason: "a primary grid is the whole grid: share 100 (一人一格)"})
		}
	case Extra:
		if in.SharePct == 0 {
			in.SharePct = MaxExtraSharePct
		}
		if in.SharePct < 1 || in.SharePct > MaxExtraSharePct {
			bad = append(bad, apperr.FieldError{Field: "share_pct", Reason: fmt.Sprintf("an extra share is 1 to %d percent of a grid (减员增效: 不多于半个网格), not %d", MaxExtraSharePct, in.SharePct)})
		}
	default:
		bad = append(bad, apperr.FieldError{Field: "kind", Reason: fmt.Sprintf("%q is not primary or extra", in.Kind)})
	}
	if in.ValidFrom.IsZero() {
		bad = append(bad, apperr.FieldError{Field: "valid_from", Reason: "is required"})
	} else if !in.ValidTo.IsZero() && !in.ValidTo.After(in.ValidFrom) {
		bad = append(bad, apperr.FieldError{Field: "valid_to", Reason: fmt.Sprintf("%s is not after valid_from %s", in.ValidTo, in.ValidFrom)})
	}
	if len(bad) > 0 {
		return Assignment{}, apperr.InvalidFields("cannot assign worker to grid", bad...)
	}
	w, err := getWorker(ctx, tx, in.WorkerID)
	if err != nil {
		return Assignment{}, apperr.Field("worker_id", err.Error())
	}
	if in.ValidFrom.Before(w.InPostSince) || (!w.LeftPostOn.IsZero() && !in.ValidFrom.Before(w.LeftPostOn)) {
		return Assignment{}, apperr.Field("valid_from", fmt.Sprintf("worker %s is not in post on %s", quoteName(w.Name), in.ValidFrom))
	}
	g, err := getUnit(ctx, tx, in.GridID, in.ValidFrom)
	if err != nil {
		return Assignment{}, apperr.Field("grid_id", err.Error())
	}
	if g.Level != Grid {
		return Assignment{}, apperr.Field("grid_id", fmt.Sprintf("%s is a %s, not a grid", quoteName(g.Name), g.Level))
	}
	// The grid may already be scheduled to end (retired or merged).
	var gridEnd dates.Date
	if err := tx.QueryRowContext(ctx, `SELECT valid_to FROM org_unit_versions WHERE unit_id = $1 ORDER BY valid_from DESC LIMIT 1`, g.ID).Scan(&gridEnd); err != nil {
		return Assignment{}, fmt.Errorf("org: end of grid %s: %w", g.ID, err)
	}
	if !gridEnd.IsZero() && (in.ValidTo.IsZero() || in.ValidTo.After(gridEnd)) {
		return Assignment{}, apperr.Field("valid_to", fmt.Sprintf("grid %s ends on %s; the assignment must end by then", quoteName(g.Name), gridEnd))
	}
	if err := checkShares(ctx, tx, w, g, in); err != nil {
		return Assignment{}, err
	}
	a := Assignment{ID: store.NewID(), WorkerID: in.WorkerID, GridID: in.GridID, Kind: in.Kind,
		SharePct: in.SharePct, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo}
	_, err = tx.ExecContext(ctx, `INSERT INTO assignments (id, worker_id, grid_id, kind, share_pct, valid_from, valid_to, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.WorkerID, a.GridID, a.Kind, a.SharePct, a.ValidFrom, a.ValidTo, store.Now())
	if err != nil {
		return Assignment{}, fmt.Errorf("org: assign: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "assignment", EntityID: a.ID, After: a})
	return a, err
}

// overlapping returns the assignments matching cond that overlap [from, to).
func overlapping(ctx context.Context, q store.Queryer, cond string, id string, from, to dates.Date) ([]Assignment, error) {
	var args store.Args
	where := []string{strings.ReplaceAll(cond, "?", args.Add(id))}
	where = append(where, "(a.valid_to IS NULL OR a.valid_to > "+args.Add(from)+")")
	if !to.IsZero() {
		where = append(where, "a.valid_from < "+args.Add(to))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM assignments a WHERE `+strings.Join(where, " AND ")+` ORDER BY a.valid_from, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("org: overlapping assignments: %w", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// peakSum returns the largest total of as active on one date in [from, to),
// plus extra. Totals only change where an assignment starts, so checking
// from and each start inside the range is enough.
func peakSum(as []Assignment, from dates.Date, extra int, value func(Assignment) int) (int, dates.Date) {
	points := []dates.Date{from}
	for _, a := range as {
		if a.ValidFrom.After(from) {
			points = append(points, a.ValidFrom)
		}
	}
	best, at := 0, from
	for _, d := range points {
		sum := extra
		for _, a := range as {
			if a.ActiveOn(d) {
				sum += value(a)
			}
		}
		if sum > best {
			best, at = sum, d
		}
	}
	return best, at
}

func checkShares(ctx context.Context, q store.Queryer, w Worker, g Unit, in NewAssignment) error {
	mine, err := overlapping(ctx, q, "a.worker_id = ?", w.ID, in.ValidFrom, in.ValidTo)
	if err != nil {
		return err
	}
	for _, a := range mine {
		if a.GridID == in.GridID {
			return apperr.Field("grid_id", fmt.Sprintf("worker %s is already on grid %s from %s", quoteName(w.Name), quoteName(g.Name), a.ValidFrom))
		}
	}
	count := func(kind AssignmentKind, value func(Assignment) int) func(Assignment) int {
		return func(a Assignment) int {
			if a.Kind == kind {
				return value(a)
			}
			return 0
		}
	}
	if in.Kind == Primary {
		if n, at := peakSum(mine, in.ValidFrom, 1, count(Primary, func(Assignment) int { return 1 })); n > 1 {
			return apperr.Field("kind", fmt.Sprintf("worker %s already has a primary grid on %s; end it first (一人一格)", quoteName(w.Name), at))
		}
	} else {
		if n, at := peakSum(mine, in.ValidFrom, in.SharePct, count(Extra, func(a Assignment) int { return a.SharePct })); n > MaxExtraSharePct {
			return apperr.Field("share_pct", fmt.Sprintf("worker %s would hold extra shares of %d%% on %s; at most %d%% (不多于半个网格)", quoteName(w.Name), n, at, MaxExtraSharePct))
		}
	}
	onGrid, err := overlapping(ctx, q, "a.grid_id = ?", in.GridID, in.ValidFrom, in.ValidTo)
	if err != nil {
		return err
	}
	if n, at := peakSum(onGrid, in.ValidFrom, in.SharePct, func(a Assignment) int { return a.SharePct }); n > 100 {
		return apperr.Field("share_pct", fmt.Sprintf("grid %s would be %d%% assigned on %s; shares of one grid add up to at most 100%%", quoteName(g.Name), n, at))
	}
	return nil
}

func getAssignment(ctx context.Context, q store.Queryer, id string) (Assignment, error) {
	a, err := scanAssignment(q.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments a WHERE a.id = $1`, id))
	if store.IsNoRows(err) {
		return Assignment{}, apperr.New(apperr.NotFound, "no assignment %s", id)
	}
	if err != nil {
		return Assignment{}, fmt.Errorf("org: get assignment %s: %w", id, err)
	}
	return a, nil
}

// GetAssignment returns assignment id. Errors: NotFound.
func (s *Store) GetAssignment(ctx context.Context, id string) (Assignment, error) {
	return getAssignment(ctx, s.db.Q(ctx), id)
}

// EndAssignment ends assignment id on the given date (it no longer holds from
// that day). Errors: Invalid, NotFound, Conflict if it has already ended.
func (s *Store) EndAssignment(ctx context.Context, actor, id string, on dates.Date) (Assignment, error) {
	var out Assignment
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		a, err := getAssignment(ctx, tx, id)
		if err != nil {
			return err
		}
		if on.IsZero() {
			return apperr.Field("on", "the end date is required")
		}
		if !a.ValidTo.IsZero() && !on.Before(a.ValidTo) {
			return apperr.New(apperr.Conflict, "assignment %s already ends on %s", id, a.ValidTo)
		}
		if !on.After(a.ValidFrom) {
			return apperr.Field("on", fmt.Sprintf("%s is not after the assignment's start %s", on, a.ValidFrom))
		}
		out, err = endAssignment(ctx, tx, actor, a, on)
		return err
	})
	return out, err
}

func endAssignment(ctx context.Context, tx store.Tx, actor string, a Assignment, on dates.Date) (Assignment, error) {
	ended := a
	ended.ValidTo = on
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET valid_to = $1 WHERE id = $2`, on, a.ID); err != nil {
		return Assignment{}, fmt.Errorf("org: end assignment %s: %w", a.ID, err)
	}
	_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "end", Entity: "assignment", EntityID: a.ID, Before: a, After: ended})
	return ended, err
}

// endOpenAssignments ends, on date on, the assignments matching cond that
// are still open then. Assignments that only start on or after on are
// removed from the future instead: they never took effect.
func endOpenAssignments(ctx context.Context, tx store.Tx, actor, cond, id string, on dates.Date) error {
	as, err := overlapping(ctx, tx, cond, id, on, dates.Date{})
	if err != nil {
		return err
	}
	for _, a := range as {
		if !a.ValidFrom.Before(on) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM assignments WHERE id = $1`, a.ID); err != nil {
				return fmt.Errorf("org: cancel assignment %s: %w", a.ID, err)
			}
			if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "cancel", Entity: "assignment", EntityID: a.ID, Before: a}); err != nil {
				return err
			}
			continue
		}
		if _, err := endAssignment(ctx, tx, actor, a, on); err != nil {
			return err
		}
	}
	return nil
}

func endAssignmentsOfGrid(ctx context.Context, tx store.Tx, actor, gridID string, on dates.Date) error {
	return endOpenAssignments(ctx, tx, actor, "a.grid_id = ?", gridID, on)
}

func endAssignmentsOfWorker(ctx context.Context, tx store.Tx, actor, workerID string, on dates.Date) error {
	return endOpenAssignments(ctx, tx, actor, "a.worker_id = ?", workerID, on)
}

// AssignmentQuery filters ListAssignments. Zero fields do not filter; On,
// when set, keeps assignments active that day.
type AssignmentQuery struct {
	WorkerID string
	GridID   string
	// WithinID keeps assignments to grids in this subtree on On (On is
	// required with it).
	WithinID      string
	On            dates.Date
	Limit, Offset int
}

// ListAssignments returns the assignments matching q, by start date.
func (s *Store) ListAssignments(ctx context.Context, q AssignmentQuery) ([]Assignment, int, error) {
	var args store.Args
	prefix := ""
	where := []string{"1 = 1"}
	if q.WithinID != "" {
		prefix = SubtreeCTE(&args, q.WithinID, q.On)
		where = append(where, "a.grid_id IN (SELECT id FROM sub)")
	}
	if q.WorkerID != "" {
		where = append(where, "a.worker_id = "+args.Add(q.WorkerID))
	}
	if q.GridID != "" {
		where = append(where, "a.grid_id = "+args.Add(q.GridID))
	}
	if !q.On.IsZero() {
		on := args.Add(q.On)
		where = append(where, InForce("a", on))
	}
	from := ` FROM assignments a WHERE ` + strings.Join(where, " AND ")
	return store.List(ctx, s.db.Q(ctx), "assignments", store.ListQuery{Prefix: prefix, Cols: assignmentColumns, From: from,
		Order: "a.valid_from, a.id", Limit: q.Limit, Offset: q.Offset}, args, scanAssignment)
}
