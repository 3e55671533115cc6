package runs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
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
	type scored struct {
		name       string
		total, max float64
	}
	results, err := store.All(ctx, s.db.Q(ctx), "grid scores", `SELECT subject_id, name, total, max_total FROM run_results
		WHERE run_id = $1 AND subject_kind = 'worker' AND assessed`, store.Args{runID},
		func(row store.Row) (struct {
			id string
			scored
		}, error) {
			var r struct {
				id string
				scored
			}
			return r, row.Scan(&r.id, &r.name, &r.total, &r.max)
		})
	if err != nil {
		return nil, fmt.Errorf("assess: grid scores: %w", err)
	}
	byWorker := make(map[string]scored, len(results))
	for _, r := range results {
		byWorker[r.id] = r.scored
	}
	as, err := s.org.AssignmentsInForce(ctx, on)
	if err != nil {
		return nil, fmt.Errorf("assess: grid scores: %w", err)
	}
	// Each grid's assessed workers, the primary one first, then by name.
	type share struct {
		scored
		primary bool
		pct     int
	}
	grids := map[string][]share{}
	for _, a := range as {
		if r, ok := byWorker[a.WorkerID]; ok {
			grids[a.GridID] = append(grids[a.GridID], share{r, a.Kind == org.Primary, a.SharePct})
		}
	}
	out := make(map[string]GridScore, len(grids))
	for g, xs := range grids {
		sort.SliceStable(xs, func(i, j int) bool {
			if xs[i].primary != xs[j].primary {
				return xs[i].primary
			}
			return xs[i].name < xs[j].name
		})
		var names []string
		var weighted, max float64
		shares := 0
		for _, x := range xs {
			names = append(names, x.name)
			weighted += x.total * float64(x.pct)
			max += x.max * float64(x.pct)
			shares += x.pct
		}
		out[g] = GridScore{Worker: strings.Join(names, "、"), Total: weighted / float64(shares), MaxTotal: max / float64(shares)}
	}
	return out, nil
}
