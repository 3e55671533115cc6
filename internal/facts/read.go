package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gridwork/internal/metric"
	"gridwork/internal/store"
)

// Read streams the stored facts of month p named in names, with their
// evidence, to fn, for every subject: what an assessment run reads. No
// names reads nothing.
func Read(ctx context.Context, db *store.DB, p metric.Period, names []string, fn func(metric.Fact)) error {
	if len(names) == 0 {
		return nil
	}
	var args store.Args
	period := args.Add(p.String())
	ph := make([]string, len(names))
	for i, n := range names {
		ph[i] = args.Add(n)
	}
	rows, err := db.Q(ctx).QueryContext(ctx, `SELECT subject_kind, subject_id, name, value, COALESCE(num, 0), COALESCE(den, 0), evidence
		FROM fact_values WHERE period = `+period+` AND name IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("facts: read %s: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id, evidence string
		var f metric.Fact
		if err := rows.Scan(&kind, &id, &f.Name, &f.Value, &f.Num, &f.Den, &evidence); err != nil {
			return err
		}
		if evidence != "[]" && evidence != "" {
			if err := json.Unmarshal([]byte(evidence), &f.Evidence); err != nil {
				return fmt.Errorf("facts: evidence of %s %s: %w", f.Name, id, err)
			}
		}
		f.Subject, f.SubjectID = metric.SubjectKind(kind), id
		fn(f)
	}
	return rows.Err()
}
