package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// RunInfo describes a stored run.
type RunInfo struct {
	ID            string    `json:"id"`
	SchemeID      string    `json:"scheme_id"`
	SchemeCode    string    `json:"scheme_code"`
	SchemeVersion int       `json:"scheme_version"`
	SchemeTitle   string    `json:"scheme_title"`
	Span          string    `json:"span"`
	UnitID        string    `json:"unit_id"`
	Subjects      int       `json:"subjects"`
	Supersedes    string    `json:"supersedes,omitempty"`
	SupersededBy  string    `json:"superseded_by,omitempty"`
	Reason        string    `json:"reason"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	// AppealsUntil is the last moment an appeal can be filed.
	AppealsUntil time.Time `json:"appeals_until"`
}

const runColumns = `r.id, r.scheme_id, s.code, s.version, s.title, r.span, r.unit_id, r.subjects, COALESCE(r.supersedes, ''),
	COALESCE(r.superseded_by, ''), r.reason, r.created_by, r.created_at, r.appeals_until`

func scanRun(row store.Row) (RunInfo, error) {
	var r RunInfo
	err := row.Scan(&r.ID, &r.SchemeID, &r.SchemeCode, &r.SchemeVersion, &r.SchemeTitle, &r.Span, &r.UnitID, &r.Subjects,
		&r.Supersedes, &r.SupersededBy, &r.Reason, &r.CreatedBy, &r.CreatedAt, &r.AppealsUntil)
	return r, err
}

// GetRun returns run id. Errors: NotFound.
func (s *Store) GetRun(ctx context.Context, id string) (RunInfo, error) {
	return getRun(ctx, s.db.Q(ctx), id)
}

func getRun(ctx context.Context, q store.Queryer, id string) (RunInfo, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs r JOIN schemes s ON s.id = r.scheme_id WHERE r.id = $1`, id))
	if store.IsNoRows(err) {
		return r, apperr.New(apperr.NotFound, "no run %s", id)
	}
	if err != nil {
		return r, fmt.Errorf("assess: run %s: %w", id, err)
	}
	return r, nil
}

// RunQuery selects runs; empty fields do not filter.
type RunQuery struct {
	SchemeCode string
	Span       string
	UnitID     string
	// Current keeps runs not superseded.
	Current bool
}

// Runs lists runs, newest first.
func (s *Store) Runs(ctx context.Context, q RunQuery) ([]RunInfo, error) {
	var w store.Where
	w.Eq("s.code", q.SchemeCode)
	w.Eq("r.span", q.Span)
	w.Eq("r.unit_id", q.UnitID)
	if q.Current {
		w.Cond("r.superseded_by IS NULL")
	}
	return store.All(ctx, s.db.Q(ctx), "runs", `SELECT `+runColumns+` FROM runs r JOIN schemes s ON s.id = r.scheme_id
		WHERE `+w.String()+` ORDER BY r.created_at DESC, r.id DESC`, w.Args, scanRun)
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

// Run assesses the subtree of unitID for span under the scheme ref (id,
// code or code@version): it reads the stored facts and findings, evaluates,
// and stores the run with every result, the inputs it used and the
// escalations that fall due, all in one transaction. A run of the same
// scheme, span and unit that is still current is superseded by the new one.
func (s *Store) Run(ctx context.Context, actor, ref, spanText, unitID, reason string) (RunInfo, error) {
	v, sch, err := s.program(ctx, ref)
	if err != nil {
		return RunInfo{}, err
	}
	span, err := scheme.ParseSpan(spanText)
	if err != nil {
		return RunInfo{}, apperr.Field("period", err.Error())
	}
	if span.Kind != sch.Period {
		return RunInfo{}, apperr.Field("period", fmt.Sprintf("scheme %s is assessed per %s; %s is not a %s (write e.g. %s)", sch.Code, sch.Period, span, sch.Period, scheme.SpanOf(sch.Period, span.Months()[0])))
	}
	if _, err := s.org.GetUnit(ctx, unitID, span.Last()); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return RunInfo{}, apperr.Field("unit_id", fmt.Sprintf("no unit %s in force on %s", unitID, span.Last()))
		}
		return RunInfo{}, err
	}
	inputs, err := s.Inputs(ctx, sch, span, unitID)
	if err != nil {
		return RunInfo{}, err
	}
	results, err := scheme.Evaluate(sch, span, inputs, scheme.Options{})
	if err != nil {
		return RunInfo{}, err
	}
	if reason == "" {
		reason = "run"
	}
	return s.storeRun(ctx, actor, v, sch, span, unitID, inputs, results, "", reason, nil)
}

// storeRun stores a run and its escalations; supersedes, when set, is the
// run it replaces (an appeal), which must still be current; otherwise the
// current run of the same scheme code, span and unit, if any, is
// superseded. then, when set, runs in the same transaction.
func (s *Store) storeRun(ctx context.Context, actor string, v SchemeVersion, sch *scheme.Program, span scheme.Span, unitID string,
	inputs []scheme.Input, results []scheme.Result, supersedes, reason string, then func(store.Tx, RunInfo) error) (RunInfo, error) {
	info := RunInfo{ID: store.NewID(), SchemeID: v.ID, SchemeCode: v.Code, SchemeVersion: v.Version,
		SchemeTitle: v.Title, Span: span.String(), UnitID: unitID, Subjects: len(results), Reason: reason, CreatedBy: actor,
		CreatedAt: store.Now()}
	info.AppealsUntil = info.CreatedAt.AddDate(0, 0, sch.Appeals.Days)
	signals := make([]map[string]float64, len(results))
	for i := range inputs {
		signals[i] = sch.Signals(span, &inputs[i])
	}
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if supersedes == "" {
			err := tx.QueryRowContext(ctx, `SELECT r.id FROM runs r JOIN schemes s ON s.id = r.scheme_id
				WHERE s.code = $1 AND r.span = $2 AND r.unit_id = $3 AND r.superseded_by IS NULL`, v.Code, info.Span, unitID).Scan(&supersedes)
			if err != nil && !store.IsNoRows(err) {
				return fmt.Errorf("assess: store run: %w", err)
			}
		}
		info.Supersedes = supersedes
		var sup any
		if supersedes != "" {
			sup = supersedes
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (id, scheme_id, span, unit_id, subjects, supersedes, reason, created_by, created_at, appeals_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, info.ID, v.ID, info.Span, unitID, info.Subjects, sup, reason, actor, info.CreatedAt, info.AppealsUntil); err != nil {
			return fmt.Errorf("assess: store run: %w", err)
		}
		if supersedes != "" {
			res, err := tx.ExecContext(ctx, `UPDATE runs SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL`, info.ID, supersedes)
			if err != nil {
				return fmt.Errorf("assess: store run: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.New(apperr.Conflict, "run %s was superseded meanwhile (another appeal or run); try again", supersedes)
			}
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_results (run_id, subject_kind, subject_id, name, community_id, community_name,
			assessed, not_assessed, no_data, total, max_total, rank, of_total, bottom, vetoed, signals, result, input)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`)
		if err != nil {
			return fmt.Errorf("assess: store run: %w", err)
		}
		defer stmt.Close()
		for i := range results {
			r := &results[i]
			sj, _ := json.Marshal(signals[i])
			rj, err := json.Marshal(withoutEvidence(*r))
			if err != nil {
				return err
			}
			ij, err := json.Marshal(inputs[i])
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, info.ID, r.Subject.Kind, r.Subject.ID, r.Subject.Name, r.Subject.Community, r.Subject.CommunityName,
				r.Assessed, r.NotAssessed, r.NoData, r.Total, r.Max, r.Rank, r.Of, r.Bottom, r.Vetoed, string(sj), string(rj), string(ij)); err != nil {
				return fmt.Errorf("assess: store result %s: %w", r.Subject.ID, err)
			}
		}
		if err := s.escalate(ctx, tx, info, sch, span, results, signals); err != nil {
			return err
		}
		if then != nil {
			if err := then(tx, info); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "run", Entity: "assessment_run", EntityID: info.ID,
			After: map[string]any{"scheme": v.Code, "version": v.Version, "span": info.Span, "unit": unitID, "subjects": info.Subjects,
				"supersedes": supersedes, "reason": reason}})
		return err
	})
	if err == nil && s.db.Engine == store.Postgres {
		// A run adds thousands of rows at once: refresh PostgreSQL's
		// statistics now, or until autovacuum does, the planner may read
		// the league table's previous-period lookups through the wrong
		// index (tens of milliseconds a page instead of a fraction of one;
		// docs/performance.md). Runs are monthly; this takes well under a
		// second. A failure here costs speed, not data: log it and go on.
		if _, aerr := s.db.ExecContext(ctx, `ANALYZE run_results`); aerr != nil {
			slog.Warn("assess: analyze run_results after a run", "err", aerr)
		}
	}
	return info, err
}

// withoutEvidence drops the evidence lists from a result: they are stored
// once, in the input, and put back by Explain.
func withoutEvidence(r scheme.Result) scheme.Result {
	cats := make([]scheme.CategoryResult, len(r.Categories))
	for i, c := range r.Categories {
		rules := make([]scheme.RuleResult, len(c.Rules))
		for j, rr := range c.Rules {
			facts := make([]scheme.FactUse, len(rr.Facts))
			for k, f := range rr.Facts {
				f.Evidence = nil
				facts[k] = f
			}
			rr.Facts = facts
			rules[j] = rr
		}
		c.Rules = rules
		cats[i] = c
	}
	r.Categories = cats
	return r
}
