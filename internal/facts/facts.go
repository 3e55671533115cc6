// Package facts collects the fact catalogue's values for a month from every
// domain that measures them, rolls them up from grids to workers and to the
// units above, and stores them: the assessment reads only stored facts, so
// a run is reproducible and can be replayed on history.
package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Source is a domain package that measures facts per grid.
type Source interface {
	// Facts returns the per-grid tallies for p and the names it measured.
	Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error)

// Facts implements Source.
func (f SourceFunc) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	return f(ctx, p)
}

// WorkerSource is a source that also measures facts per worker: what a
// worker did wherever it happened (events reported, patrols, duty). The
// collector asks every Source that implements it.
type WorkerSource interface {
	// WorkerFacts returns the per-worker tallies for p and the names it
	// measured.
	WorkerFacts(ctx context.Context, p metric.Period) (metric.WorkerFacts, []string, error)
}

// Collector gathers facts from its sources and stores them.
type Collector struct {
	db      *store.DB
	org     *org.Store
	sources []Source
}

// NewCollector returns a Collector over the given sources.
func NewCollector(db *store.DB, orgs *org.Store, sources ...Source) *Collector {
	return &Collector{db: db, org: orgs, sources: sources}
}

// Collect measures every source's facts for p and rolls them up: each grid,
// each of its ancestors, and the worker who answers for it (org.GridOwners);
// each worker's own facts to the worker and their home grid's units.
func (c *Collector) Collect(ctx context.Context, p metric.Period) ([]metric.Fact, error) {
	g, w := metric.GridFacts{}, metric.WorkerFacts{}
	var names []string
	for _, src := range c.sources {
		sg, sn, err := src.Facts(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("facts: collect %s: %w", p, err)
		}
		g.Merge(sg)
		names = append(names, sn...)
		if ws, ok := src.(WorkerSource); ok {
			sw, sn, err := ws.WorkerFacts(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("facts: collect %s: %w", p, err)
			}
			w.Merge(sw)
			names = append(names, sn...)
		}
	}
	owners, err := c.org.GridOwners(ctx, p.First(), p.Last())
	if err != nil {
		return nil, fmt.Errorf("facts: collect %s: %w", p, err)
	}
	at := make(map[string]metric.Attribution, len(owners))
	for id, o := range owners {
		at[id] = metric.Attribution{Worker: o.Worker, Ancestors: o.Ancestors}
	}
	return metric.Rollup(g, w, at, names), nil
}

// Refresh collects p's facts and replaces the stored ones in one
// transaction, returning how many were stored.
func (c *Collector) Refresh(ctx context.Context, p metric.Period) (int, error) {
	fs, err := c.Collect(ctx, p)
	if err != nil {
		return 0, err
	}
	return len(fs), Save(ctx, c.db, p, fs)
}

// Save replaces the stored facts of p with fs, all or nothing.
func Save(ctx context.Context, db *store.DB, p metric.Period, fs []metric.Fact) error {
	now := store.Now()
	return db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fact_values WHERE period = $1`, p.String()); err != nil {
			return fmt.Errorf("facts: save %s: %w", p, err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO fact_values (period, subject_kind, subject_id, name, value, num, den, evidence, collected_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`)
		if err != nil {
			return fmt.Errorf("facts: save %s: %w", p, err)
		}
		defer stmt.Close()
		for _, f := range fs {
			ev, err := json.Marshal(f.Evidence)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, p.String(), f.Subject, f.SubjectID, f.Name, f.Value, f.Num, f.Den, string(ev), now); err != nil {
				return fmt.Errorf("facts: save %s %s/%s: %w", f.Name, f.Subject, f.SubjectID, err)
			}
		}
		return nil
	})
}

// Stored is a stored fact with when it was collected.
type Stored struct {
	metric.Fact
	Period      string    `json:"period"`
	CollectedAt time.Time `json:"collected_at"`
}

// Query selects stored facts; empty fields do not filter.
type Query struct {
	Period    metric.Period
	Subject   metric.SubjectKind
	SubjectID string
	Name      string
	// WithEvidence includes the evidence lists (they can be long).
	WithEvidence bool
}

// List returns the stored facts matching q, by subject and name.
func List(ctx context.Context, db *store.DB, q Query) ([]Stored, error) {
	var args store.Args
	where := "period = " + args.Add(q.Period.String())
	if q.Subject != "" {
		where += " AND subject_kind = " + args.Add(q.Subject)
	}
	if q.SubjectID != "" {
		where += " AND subject_id = " + args.Add(q.SubjectID)
	}
	if q.Name != "" {
		where += " AND name = " + args.Add(q.Name)
	}
	ev := "'[]'"
	if q.WithEvidence {
		ev = "evidence"
	}
	rows, err := db.Q(ctx).QueryContext(ctx, `SELECT period, subject_kind, subject_id, name, value, COALESCE(num, 0), COALESCE(den, 0), `+ev+`, collected_at
		FROM fact_values WHERE `+where+` ORDER BY subject_kind, subject_id, name`, args...)
	if err != nil {
		return nil, fmt.Errorf("facts: list: %w", err)
	}
	defer rows.Close()
	out := []Stored{}
	for rows.Next() {
		var f Stored
		var evidence string
		if err := rows.Scan(&f.Period, &f.Subject, &f.SubjectID, &f.Name, &f.Value, &f.Num, &f.Den, &evidence, &f.CollectedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(evidence), &f.Evidence); err != nil {
			return nil, fmt.Errorf("facts: evidence of %s: %w", f.Name, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
