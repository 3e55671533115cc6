package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gridwork/internal/metric"
	"gridwork/internal/store"
)

// Read streams to fn the stored facts of month p named names, in no
// particular order: what an assessment run reads as its inputs. Only this
// package names fact_values in its SQL (a test in internal/store checks it).
// It reads through q, so a run reading inside its transaction passes its tx.
func Read(ctx context.Context, q store.Queryer, p metric.Period, names []string, fn func(metric.Fact)) error {
	if len(names) == 0 {
		return nil
	}
	var args store.Args
	period := args.Add(p.String())
	ph := make([]string, len(names))
	for i, n := range names {
		ph[i] = args.Add(n)
	}
	rows, err := q.QueryContext(ctx, `SELECT subject_kind, subject_id, name, value, COALESCE(num, 0), COALESCE(den, 0), evidence
		FROM fact_values WHERE period = `+period+` AND name IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("facts: read %s: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f metric.Fact
		var evidence string
		if err := rows.Scan(&f.Subject, &f.SubjectID, &f.Name, &f.Value, &f.Num, &f.Den, &evidence); err != nil {
			return fmt.Errorf("facts: read %s: %w", p, err)
		}
		if evidence != "[]" && evidence != "" {
			if err := json.Unmarshal([]byte(evidence), &f.Evidence); err != nil {
				return fmt.Errorf("facts: evidence of %s %s: %w", f.Name, f.SubjectID, err)
			}
		}
		fn(f)
	}
	return rows.Err()
}
