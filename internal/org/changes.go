package org

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/store"
)

// UnitChange is a change to a unit that takes effect on From. Nil fields stay
// as they are.
type UnitChange struct {
	From        dates.Date
	ParentID    *string
	Name        *string
	Code        *string
	Geometry    *string
	Description *string
}

// ChangeUnit applies ch from ch.From: the version in force then is closed
// the day before and a new one opens, so every earlier date still reads the
// unit as it was. A change dated the same day as the current version's start
// corrects that version instead. Errors: Invalid, NotFound, Conflict (when a
// later change is already scheduled).
func (s *Store) ChangeUnit(ctx context.Context, actor, id string, ch UnitChange) (Unit, error) {
	var out Unit
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		u, err := s.changeUnit(ctx, tx, actor, id, ch)
		out = u
		return err
	})
	return out, err
}

func (s *Store) changeUnit(ctx context.Context, tx store.Tx, actor, id string, ch UnitChange) (Unit, error) {
	if ch.From.IsZero() {
		return Unit{}, apperr.Field("from", "the date the change takes effect is required")
	}
	cur, err := getUnit(ctx, tx, id, ch.From)
	if err != nil {
		return Unit{}, err
	}
	if err := refuseLaterVersions(ctx, tx, cur, ch.From); err != nil {
		return Unit{}, err
	}
	next := cur
	next.ValidFrom = ch.From
	if ch.Name != nil {
		next.Name = strings.TrimSpace(*ch.Name)
		if next.Name == "" {
			return Unit{}, apperr.Field("name", "cannot be empty")
		}
	}
	if ch.Description != nil {
		next.Description = *ch.Description
	}
	if ch.ParentID != nil {
		next.ParentID = *ch.ParentID
	}
	parent, err := s.checkParent(ctx, tx, cur.Level, next.ParentID, ch.From)
	if err != nil {
		return Unit{}, err
	}
	if ch.Code != nil {
		if err := s.checkCode(ctx, tx, cur.Level, *ch.Code, parent, cur.ID, ch.From); err != nil {
			return Unit{}, err
		}
		next.Code = *ch.Code
	} else if base := codeBase(cur.Level, parent); base != "" && !strings.HasPrefix(next.Code, base) {
		// Moved under another parent without a code given: the old code
		// would carry the old parent's prefix, so take the next free one.
		code, err := s.nextCode(ctx, tx, cur.Level, parent)
		if err != nil {
			return Unit{}, err
		}
		next.Code = code
	}
	var bound *orb.Bound
	if ch.Geometry != nil || ch.ParentID != nil {
		g := cur.Geometry
		if ch.Geometry != nil {
			g = *ch.Geometry
		}
		if g == "" && cur.Level == Grid {
			return Unit{}, apperr.Field("geometry", "a grid needs its polygon")
		}
		if g != "" {
			p, err := s.checkGeometry(ctx, tx, next, g, parent, ch.From)
			if err != nil {
				return Unit{}, err
			}
			if err := s.checkChildrenWithin(ctx, tx, next, p, ch.From); err != nil {
				return Unit{}, err
			}
			next.Geometry = geo.Marshal(p)
			b := geo.Bound(p)
			bound = &b
		} else {
			next.Geometry = ""
		}
	}
	if cur.ValidFrom == ch.From {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_unit_versions WHERE unit_id = $1 AND valid_from = $2`, cur.ID, cur.ValidFrom); err != nil {
			return Unit{}, fmt.Errorf("org: replace version: %w", err)
		}
	} else if err := closeVersion(ctx, tx, cur, ch.From); err != nil {
		return Unit{}, err
	}
	next.ValidTo = cur.ValidTo
	if err := insertVersion(ctx, tx, next, bound); err != nil {
		return Unit{}, err
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "change", Entity: string(cur.Level), EntityID: cur.ID, Before: cur, After: next}); err != nil {
		return Unit{}, err
	}
	return next, nil
}

// refuseLaterVersions keeps history linear: a change may not be slipped in
// before a change that is already scheduled.
func refuseLaterVersions(ctx context.Context, q store.Queryer, cur Unit, from dates.Date) error {
	var later dates.Date
	err := q.QueryRowContext(ctx, `SELECT valid_from FROM org_unit_versions WHERE unit_id = $1 AND valid_from > $2 ORDER BY valid_from LIMIT 1`, cur.ID, from).Scan(&later)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("org: later versions: %w", err)
	}
	return apperr.New(apperr.Conflict, "%s %s already has a change scheduled from %s; change from that date or later", cur.Level, quoteName(cur.Name), later)
}

func closeVersion(ctx context.Context, tx store.Tx, cur Unit, on dates.Date) error {
	if _, err := tx.ExecContext(ctx, `UPDATE org_unit_versions SET valid_to = $1 WHERE unit_id = $2 AND valid_from = $3`, on, cur.ID, cur.ValidFrom); err != nil {
		return fmt.Errorf("org: close version of %s: %w", cur.ID, err)
	}
	return nil
}

// checkChildrenWithin refuses a redrawn polygon that would leave one of the
// unit's children (in force from the same date) outside it. A child without
// a polygon (a 片区 drawn only by its grids) is looked through: its own
// children must lie inside, as checkGeometry checks them against the nearest
// ancestor with a polygon.
func (s *Store) checkChildrenWithin(ctx context.Context, q store.Queryer, u Unit, p orb.Polygon, d dates.Date) error {
	return s.checkUnderWithin(ctx, q, u, u.ID, p, d)
}

func (s *Store) checkUnderWithin(ctx context.Context, q store.Queryer, u Unit, parentID string, p orb.Polygon, d dates.Date) error {
	rows, err := q.QueryContext(ctx, `SELECT `+unitColumns+` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE v.parent_id = $1 AND `+inForce("v", 2), parentID, d)
	if err != nil {
		return fmt.Errorf("org: children of %s: %w", parentID, err)
	}
	children, err := collectUnits(rows)
	if err != nil {
		return err
	}
	for _, c := range children {
		if c.Geometry == "" {
			if err := s.checkUnderWithin(ctx, q, u, c.ID, p, d); err != nil {
				return err
			}
			continue
		}
		cp, err := geo.ParsePolygon([]byte(c.Geometry))
		if err != nil {
			return fmt.Errorf("org: stored geometry of %s: %w", c.ID, err)
		}
		if err := geo.Within(cp, p); err != nil {
			return apperr.InvalidFields(fmt.Sprintf("the new polygon of %s %s would leave its %s %s outside", u.Level, quoteName(u.Name), c.Level, quoteName(c.Name)),
				apperr.FieldError{Field: "geometry", Reason: err.Error()})
		}
	}
	return nil
}

// EndUnit retires unit id from date on: it is no longer in force from that
// day, and its history stays. Its assignments end the same day. Errors:
// NotFound, Conflict if children are still in force.
func (s *Store) EndUnit(ctx context.Context, actor, id string, on dates.Date) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error { return s.endUnit(ctx, tx, actor, id, on) })
}

func (s *Store) endUnit(ctx context.Context, tx store.Tx, actor, id string, on dates.Date) error {
	if on.IsZero() {
		return apperr.Field("on", "the date the unit ends is required")
	}
	cur, err := getUnit(ctx, tx, id, on)
	if err != nil {
		return err
	}
	if err := refuseLaterVersions(ctx, tx, cur, on); err != nil {
		return err
	}
	var n int
	// Children in force on the end date or scheduled to start after it.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT v.unit_id) FROM org_unit_versions v WHERE v.parent_id = $1 AND (v.valid_to IS NULL OR v.valid_to > $2)`, id, on).Scan(&n); err != nil {
		return fmt.Errorf("org: children of %s: %w", id, err)
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "%s %s still has %d units under it on or after %s; move or end them first", cur.Level, quoteName(cur.Name), n, on)
	}
	if cur.ValidFrom == on {
		return apperr.New(apperr.Conflict, "%s %s only starts on %s; it cannot end the same day", cur.Level, quoteName(cur.Name), on)
	}
	if err := closeVersion(ctx, tx, cur, on); err != nil {
		return err
	}
	if err := endAssignmentsOfGrid(ctx, tx, actor, id, on); err != nil {
		return err
	}
	ended := cur
	ended.ValidTo = on
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "end", Entity: string(cur.Level), EntityID: id, Before: cur, After: ended})
	return err
}

// MergeGrids ends the grids ids on into.ValidFrom and creates the grid into
// in their place, in one transaction. The old grids keep their history, so
// records of earlier months still belong to them. Errors: Invalid (fewer
// than two grids, grids of different parents, bad geometry), NotFound.
func (s *Store) MergeGrids(ctx context.Context, actor string, ids []string, into NewUnit) (Unit, error) {
	if len(ids) < 2 {
		return Unit{}, apperr.Field("grid_ids", "name at least two grids to merge")
	}
	into.Level = Grid
	var out Unit
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		for i, id := range ids {
			g, err := getUnit(ctx, tx, id, into.ValidFrom)
			if err != nil {
				return err
			}
			if g.Level != Grid {
				return apperr.Field(fmt.Sprintf("grid_ids[%d]", i), fmt.Sprintf("%s is a %s, not a grid", id, g.Level))
			}
			if into.ParentID == "" {
				into.ParentID = g.ParentID
			}
			if g.ParentID != into.ParentID {
				return apperr.Field(fmt.Sprintf("grid_ids[%d]", i), "only grids of the same community or 片区 can be merged")
			}
			if err := s.endUnit(ctx, tx, actor, id, into.ValidFrom); err != nil {
				return err
			}
		}
		u, err := s.createUnit(ctx, tx, actor, into)
		out = u
		return err
	})
	return out, err
}

// NumberGrids gives the grids in force on from under community (or 片区)
// parentID their CJ/T 349 codes in reading order: west→east, north→south,
// numbered 01, 02, … after the community code. It is meant for a newly
// drawn community (the demo, an import); renumbering an established
// community changes codes people already use, and is recorded as a change
// from the given date like any other.
func (s *Store) NumberGrids(ctx context.Context, actor, parentID string, from dates.Date) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		parent, err := getUnit(ctx, tx, parentID, from)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+unitColumns+` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
			WHERE v.parent_id = $1 AND u.level = 'grid' AND `+inForce("v", 2)+` ORDER BY u.id`, parentID, from)
		if err != nil {
			return fmt.Errorf("org: grids of %s: %w", parentID, err)
		}
		grids, err := collectUnits(rows)
		if err != nil {
			return err
		}
		polys := make([]orb.Polygon, len(grids))
		for i, g := range grids {
			if polys[i], err = geo.ParsePolygon([]byte(g.Geometry)); err != nil {
				return fmt.Errorf("org: stored geometry of %s: %w", g.ID, err)
			}
		}
		order := geo.ReadingOrder(polys)
		if len(order) > 99 {
			return apperr.New(apperr.Conflict, "%s has %d grids; CJ/T 349 numbers at most 99", quoteName(parent.Name), len(order))
		}
		base := codeBase(Grid, &parent)
		// Two passes, so that swapping two grids' numbers never collides
		// with the uniqueness check halfway.
		want := make(map[string]string, len(grids))
		for n, i := range order {
			want[grids[i].ID] = fmt.Sprintf("%s%02d", base, n+1)
		}
		for _, g := range grids {
			if g.Code == want[g.ID] {
				continue
			}
			tmp := "renumbering:" + g.ID
			if err := setCode(ctx, tx, g, tmp, from); err != nil {
				return err
			}
		}
		for _, g := range grids {
			if g.Code == want[g.ID] {
				continue
			}
			code := want[g.ID]
			if err := s.checkCode(ctx, tx, Grid, code, &parent, g.ID, from); err != nil {
				return err
			}
			cur, err := getUnit(ctx, tx, g.ID, from)
			if err != nil {
				return err
			}
			if err := setCode(ctx, tx, cur, code, from); err != nil {
				return err
			}
			after := g
			after.Code = code
			if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "renumber", Entity: string(Grid), EntityID: g.ID, Before: g, After: after}); err != nil {
				return err
			}
		}
		return nil
	})
}

// setCode changes only the code of unit u from date from, without an audit
// row (NumberGrids writes one per grid for the whole renumbering).
func setCode(ctx context.Context, tx store.Tx, u Unit, code string, from dates.Date) error {
	if u.ValidFrom == from {
		_, err := tx.ExecContext(ctx, `UPDATE org_unit_versions SET code = $1 WHERE unit_id = $2 AND valid_from = $3`, code, u.ID, u.ValidFrom)
		if err != nil {
			return fmt.Errorf("org: set code of %s: %w", u.ID, err)
		}
		return nil
	}
	if err := refuseLaterVersions(ctx, tx, u, from); err != nil {
		return err
	}
	if err := closeVersion(ctx, tx, u, from); err != nil {
		return err
	}
	next := u
	next.ValidFrom, next.Code = from, code
	return insertVersion(ctx, tx, next, nil)
}
