package org

import (
	"context"
	"fmt"

	"gridwork/internal/dates"
)

// StaffedGrids returns the grids with any worker assigned on d (a primary
// grid or an extra share): the others are the grids the centre is short of
// workers for.
func (s *Store) StaffedGrids(ctx context.Context, d dates.Date) (map[string]bool, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT DISTINCT a.grid_id FROM assignments a WHERE `+InForce("a", "$1"), d)
	if err != nil {
		return nil, fmt.Errorf("org: staffed grids: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, fmt.Errorf("org: staffed grids: %w", err)
		}
		out[g] = true
	}
	return out, rows.Err()
}
