package assess

import (
	"context"
	"fmt"

	"gridwork/internal/dates"
)

// GridScore is the score a grid's primary worker got in a run.
type GridScore struct {
	Worker   string  `json:"worker"`
	Total    float64 `json:"total"`
	MaxTotal float64 `json:"max_total"`
}

// GridScores returns, per grid, the assessed total of the worker whose
// primary grid it is on on, in run runID: what colours the home screen's
// map. Grids without a primary worker, or whose worker was not assessed,
// are absent.
func (s *Store) GridScores(ctx context.Context, runID string, on dates.Date) (map[string]GridScore, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT a.grid_id, r.name, r.total, r.max_total
		FROM run_results r JOIN assignments a ON a.worker_id = r.subject_id AND a.kind = 'primary'
			AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2)
		WHERE r.run_id = $1 AND r.subject_kind = 'worker' AND r.assessed`, runID, on)
	if err != nil {
		return nil, fmt.Errorf("assess: grid scores: %w", err)
	}
	defer rows.Close()
	out := map[string]GridScore{}
	for rows.Next() {
		var g string
		var sc GridScore
		if err := rows.Scan(&g, &sc.Worker, &sc.Total, &sc.MaxTotal); err != nil {
			return nil, fmt.Errorf("assess: grid scores: %w", err)
		}
		out[g] = sc
	}
	return out, rows.Err()
}

// LatestWorkerRuns returns up to limit current runs that assessed workers,
// the latest period first (newest run first within a period): the home
// screen shows the first one the caller may see.
func (s *Store) LatestWorkerRuns(ctx context.Context, limit int) ([]RunInfo, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+runColumns+` FROM runs r JOIN schemes s ON s.id = r.scheme_id
		WHERE r.superseded_by IS NULL AND EXISTS (SELECT 1 FROM run_results x WHERE x.run_id = r.id AND x.subject_kind = 'worker')
		ORDER BY r.span DESC, r.created_at DESC, r.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("assess: latest runs: %w", err)
	}
	defer rows.Close()
	var out []RunInfo
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("assess: latest runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
