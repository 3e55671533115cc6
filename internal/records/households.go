package records

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Households returns, for each of the given grids, the IDs of its
// households on day d: the houses in force that day that are lived in
// (own or rented, not vacant, business or other), by ID. Spot checks draw
// the households they visit from these.
func (s *Store) Households(ctx context.Context, gridIDs []string, d dates.Date) (map[string][]string, error) {
	out := make(map[string][]string, len(gridIDs))
	if len(gridIDs) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(gridIDs))
	for i, id := range gridIDs {
		ph[i] = args.Add(id)
	}
	day := args.Add(d)
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT grid_id, id FROM houses
		WHERE grid_id IN (`+strings.Join(ph, ", ")+`) AND purpose IN ('own', 'rental')
		AND began_on <= `+day+` AND (ended_on IS NULL OR ended_on > `+day+`) ORDER BY grid_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("records: households: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var grid, id string
		if err := rows.Scan(&grid, &id); err != nil {
			return nil, fmt.Errorf("records: households: %w", err)
		}
		out[grid] = append(out[grid], id)
	}
	return out, rows.Err()
}
