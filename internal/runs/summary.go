package runs

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/dates"
)

// GridScore is the score of the workers who answer for a grid in a run.
type GridScore struct {
	Worker   string  `json:"worker" doc:"the workers' names, the primary one first"`
	Total    float64 `json:"total" doc:"their totals weighted by their shares of the grid"`
	MaxTotal float64 `json:"max_total"`
}

// GridScores returns, per grid, the assessed totals in run runID of the
// workers assigned to it on on, weighted by their shares (a grid kept by
// two extra shares of 50 % (兼格) gets the mean of the two): what colours
// the home screen's map. Grids without an assessed worker are absent.
func (s *Store) GridScores(ctx context.Context, runID string, on dates.Date) (map[string]GridScore, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT a.grid_id, r.name, r.total, r.max_total, a.share_pct
		FROM run_results r JOIN assignments a ON a.worker_id = r.subject_id
			AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2)
		WHERE r.run_id = $1 AND r.subject_kind = 'worker' AND r.assessed
		ORDER BY a.grid_id, CASE a.kind WHEN 'primary' THEN 0 ELSE 1 END, r.name`, runID, on)
	if err != nil {
		return nil, fmt.Errorf("assess: grid scores: %w", err)
	}
	defer rows.Close()
	type sum struct {
		names         []string
		weighted, max float64
		shares        int
	}
	sums := map[string]*sum{}
	for rows.Next() {
		var g, name string
		var total, max float64
		var share int
		if err := rows.Scan(&g, &name, &total, &max, &share); err != nil {
			return nil, fmt.Errorf("assess: grid scores: %w", err)
		}
		x := sums[g]
		if x == nil {
			x = &sum{}
			sums[g] = x
		}
		x.names = append(x.names, name)
		x.weighted += total * float64(share)
		x.max += max * float64(share)
		x.shares += share
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assess: grid scores: %w", err)
	}
	out := make(map[string]GridScore, len(sums))
	for g, x := range sums {
		out[g] = GridScore{Worker: strings.Join(x.names, "、"), Total: x.weighted / float64(x.shares), MaxTotal: x.max / float64(x.shares)}
	}
	return out, nil
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
