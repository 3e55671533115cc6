package patrol

import (
	"context"
	"fmt"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Coverage is how much of an area had patrol data on a day: the workers
// assigned to its grids (primary or extra share) and how many of them sent
// fixes that day, and the grids one of whose workers did.
type Coverage struct {
	Workers          int             `json:"workers"`
	WorkersPatrolled int             `json:"workers_patrolled"`
	Grids            int             `json:"grids" doc:"grids with a worker assigned"`
	GridsPatrolled   map[string]bool `json:"-"`
}

// CoverageOn counts the coverage of the grids under within ("" for all)
// on day, with two aggregate queries (a worker-day row exists once a batch
// of that day arrived, analysed or not).
func (s *Store) CoverageOn(ctx context.Context, day dates.Date, within string) (Coverage, error) {
	var args store.Args
	prefix, scope := "", ""
	if within != "" {
		prefix = org.SubtreeCTE(&args, within, day)
		scope = " AND a.grid_id IN (SELECT id FROM sub)"
	}
	d := args.Add(day)
	from := ` FROM ` + org.AssignmentsInForce(d) + ` a LEFT JOIN patrol_days p ON p.worker_id = a.worker_id AND p.day = ` + d + `
		WHERE 1 = 1` + scope
	q := s.db.Q(ctx)
	var c Coverage
	if err := q.QueryRowContext(ctx, prefix+`SELECT COUNT(DISTINCT a.worker_id), COUNT(DISTINCT p.worker_id), COUNT(DISTINCT a.grid_id)`+from, args...).
		Scan(&c.Workers, &c.WorkersPatrolled, &c.Grids); err != nil {
		return c, fmt.Errorf("patrol: coverage: %w", err)
	}
	rows, err := q.QueryContext(ctx, prefix+`SELECT DISTINCT a.grid_id`+from+` AND p.worker_id IS NOT NULL`, args...)
	if err != nil {
		return c, fmt.Errorf("patrol: coverage: %w", err)
	}
	defer rows.Close()
	c.GridsPatrolled = map[string]bool{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return c, fmt.Errorf("patrol: coverage: %w", err)
		}
		c.GridsPatrolled[g] = true
	}
	return c, rows.Err()
}
