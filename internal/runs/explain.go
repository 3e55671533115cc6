package runs

import (
	"context"
	"encoding/json"
	"fmt"

	"gridwork/internal/apperr"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// Explain returns one subject's result in a run with the evidence behind
// every fact its rules read.
func (s *Store) Explain(ctx context.Context, runID string, kind scheme.SubjectKind, subjectID string) (RunInfo, scheme.Result, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, scheme.Result{}, err
	}
	var rj, ij string
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT result, input FROM run_results WHERE run_id = $1 AND subject_kind = $2 AND subject_id = $3`,
		runID, kind, subjectID).Scan(&rj, &ij)
	if store.IsNoRows(err) {
		return info, scheme.Result{}, apperr.New(apperr.NotFound, "run %s has no result for %s %s", runID, kind, subjectID)
	}
	if err != nil {
		return info, scheme.Result{}, fmt.Errorf("assess: explain: %w", err)
	}
	var res scheme.Result
	var in scheme.Input
	if err := json.Unmarshal([]byte(rj), &res); err != nil {
		return info, res, fmt.Errorf("assess: explain: %w", err)
	}
	if err := json.Unmarshal([]byte(ij), &in); err != nil {
		return info, res, fmt.Errorf("assess: explain: %w", err)
	}
	span, _ := scheme.ParseSpan(info.Span)
	attachEvidence(&res, &in, span)
	return info, res, nil
}

// attachEvidence puts back the evidence of each fact a rule read, from the
// input: the named month's, or every month's for a whole-period value.
func attachEvidence(res *scheme.Result, in *scheme.Input, span scheme.Span) {
	months := span.Months()
	for ci := range res.Categories {
		c := &res.Categories[ci]
		src := in.Months
		if c.Of == "community" && res.Subject.Kind != scheme.Community {
			src = in.Community
		}
		for ri := range c.Rules {
			r := &c.Rules[ri]
			if r.Points == 0 && r.Original == 0 && r.Kind != scheme.Rank {
				continue
			}
			for fi := range r.Facts {
				f := &r.Facts[fi]
				for mi, m := range months {
					if (f.Month != "" && f.Month != m.String()) || mi >= len(src) || src[mi] == nil {
						continue
					}
					f.Evidence = append(f.Evidence, src[mi][f.Name].Evidence...)
				}
			}
		}
	}
}

// loadRun returns a run's stored inputs and results, in subject order.
func (s *Store) loadRun(ctx context.Context, q store.Queryer, runID string) ([]scheme.Input, []scheme.Result, error) {
	rows, err := q.QueryContext(ctx, `SELECT result, input FROM run_results WHERE run_id = $1 ORDER BY subject_kind, subject_id`, runID)
	if err != nil {
		return nil, nil, fmt.Errorf("assess: load run: %w", err)
	}
	defer rows.Close()
	var ins []scheme.Input
	var rs []scheme.Result
	for rows.Next() {
		var rj, ij string
		if err := rows.Scan(&rj, &ij); err != nil {
			return nil, nil, err
		}
		var in scheme.Input
		var r scheme.Result
		if err := json.Unmarshal([]byte(ij), &in); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(rj), &r); err != nil {
			return nil, nil, err
		}
		ins, rs = append(ins, in), append(rs, r)
	}
	return ins, rs, rows.Err()
}
