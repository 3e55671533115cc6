package org

import (
	"context"
	"fmt"

	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// AssignmentsInForce returns every assignment in force on d, by grid, the
// primary one first: the assessment weighs a grid's workers' scores by
// their shares with it.
func (s *Store) AssignmentsInForce(ctx context.Context, d dates.Date) ([]Assignment, error) {
	out, err := store.All(ctx, s.db.Q(ctx), "assignments in force", `SELECT `+assignmentColumns+` FROM assignments a
		WHERE a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1)
		ORDER BY a.grid_id, CASE a.kind WHEN 'primary' THEN 0 ELSE 1 END, a.id`, store.Args{d}, scanAssignment)
	if err != nil {
		return nil, fmt.Errorf("org: %w", err)
	}
	return out, nil
}
