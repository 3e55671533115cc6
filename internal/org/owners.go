package org

import (
	"context"
	"fmt"

	"gridwork/internal/dates"
)

// GridOwner says who answers for a grid over a period and where it sits in
// the tree: the facts of a grid roll up to them.
type GridOwner struct {
	// Worker is the worker whose primary assignment covers the latest day of
	// the period that any primary assignment covers; empty for a grid with
	// no primary worker (a vacant grid, or one covered only by extra shares,
	// which seed 004 assesses separately).
	Worker string
	// Ancestors are the grid's ancestors on the period's last day, nearest
	// first (片区, community, street, district).
	Ancestors []string
}

// GridOwners returns, for every grid in force on `to`, its owner over the
// period [from, to].
func (s *Store) GridOwners(ctx context.Context, from, to dates.Date) (map[string]GridOwner, error) {
	q := s.db.Q(ctx)
	parent := map[string]string{}
	level := map[string]Level{}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.level, COALESCE(v.parent_id, '') FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE `+inForce("v", 1), to)
	if err != nil {
		return nil, fmt.Errorf("org: grid owners: %w", err)
	}
	for rows.Next() {
		var id, p string
		var l Level
		if err := rows.Scan(&id, &l, &p); err != nil {
			rows.Close()
			return nil, err
		}
		parent[id], level[id] = p, l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]GridOwner{}
	for id, l := range level {
		if l != Grid {
			continue
		}
		var anc []string
		for p := parent[id]; p != "" && len(anc) < 10; p = parent[p] {
			anc = append(anc, p)
		}
		out[id] = GridOwner{Ancestors: anc}
	}
	// The primary assignment overlapping the period that reaches latest.
	rows, err = q.QueryContext(ctx, `SELECT a.grid_id, a.worker_id, a.valid_from, a.valid_to FROM assignments a
		WHERE a.kind = 'primary' AND `+Overlapping("a", "$2", "$1")+` ORDER BY a.grid_id, a.valid_from`, to, from)
	if err != nil {
		return nil, fmt.Errorf("org: grid owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var grid, worker string
		var vf, vt dates.Date
		if err := rows.Scan(&grid, &worker, &vf, &vt); err != nil {
			return nil, err
		}
		if o, ok := out[grid]; ok {
			o.Worker = worker // later starts overwrite earlier ones
			out[grid] = o
		}
	}
	return out, rows.Err()
}
