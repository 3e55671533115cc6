package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// escalate records the escalations that fall due with this run.
// signals[i] are results[i]'s escalation facts over the span.
func (s *Store) escalate(ctx context.Context, tx store.Tx, info RunInfo, sch *scheme.Program, span scheme.Span, results []scheme.Result, signals []map[string]float64) error {
	if len(sch.Escalations) == 0 {
		return nil
	}
	// How far back the history reaches: the longest streak, and the whole
	// year for a yearly count.
	depth := 1
	for _, e := range sch.Escalations {
		depth = max(depth, e.Consecutive)
		if e.Cumulative > 0 {
			depth = max(depth, 12/sch.Period.Months())
		}
	}
	// Standings of earlier periods, from the current runs of the same
	// scheme code and unit, oldest first.
	var spans []scheme.Span
	for sp, i := span.Prev(), 1; i < depth; sp, i = sp.Prev(), i+1 {
		spans = append([]scheme.Span{sp}, spans...)
	}
	past := map[string]map[string]scheme.Standing{} // span → subject → standing
	for _, sp := range spans {
		m, err := standings(ctx, tx, info.SchemeCode, sp.String(), info.UnitID)
		if err != nil {
			return err
		}
		past[sp.String()] = m
	}
	mean := tableMeans(results)
	now := store.Now()
	for i, r := range results {
		history := make([]scheme.Standing, 0, len(spans)+1)
		for _, sp := range spans {
			st, ok := past[sp.String()][string(r.Subject.Kind)+"/"+r.Subject.ID]
			if !ok {
				st = scheme.Standing{Span: sp.String()}
			}
			history = append(history, st)
		}
		history = append(history, scheme.Standing{Span: span.String(), Assessed: r.Assessed, Rank: r.Rank, Of: r.Of, Bottom: r.Bottom,
			Total: r.Total, Mean: mean[r.Subject.Kind], Vetoed: r.Vetoed != "", NoData: r.NoData, Facts: signals[i]})
		for _, t := range scheme.Escalate(sch, history) {
			pj, _ := json.Marshal(t.Periods)
			if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, run_id, scheme_code, span, subject_kind, subject_id, subject_name,
				escalation_id, name, action, periods, evidence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				store.NewID(), info.ID, info.SchemeCode, info.Span, r.Subject.Kind, r.Subject.ID, r.Subject.Name,
				t.ID, t.Name, t.Action, string(pj), t.Evidence, now); err != nil {
				return fmt.Errorf("assess: store escalation: %w", err)
			}
		}
	}
	return nil
}

// tableMeans returns the mean total of the assessed results per kind.
func tableMeans(rs []scheme.Result) map[scheme.SubjectKind]float64 {
	sum := map[scheme.SubjectKind]float64{}
	n := map[scheme.SubjectKind]float64{}
	for _, r := range rs {
		if r.Assessed {
			sum[r.Subject.Kind] += r.Total
			n[r.Subject.Kind]++
		}
	}
	out := map[scheme.SubjectKind]float64{}
	for k := range sum {
		out[k] = sum[k] / n[k]
	}
	return out
}

// standings returns each subject's standing in the current run of a
// scheme code, span and unit (none if there is no such run).
func standings(ctx context.Context, q store.Queryer, code, span, unit string) (map[string]scheme.Standing, error) {
	rows, err := q.QueryContext(ctx, `SELECT rr.subject_kind, rr.subject_id, rr.assessed, rr.rank, rr.of_total, rr.bottom, rr.total, rr.vetoed, rr.signals
		FROM run_results rr JOIN runs r ON r.id = rr.run_id JOIN schemes s ON s.id = r.scheme_id
		WHERE s.code = $1 AND r.span = $2 AND r.unit_id = $3 AND r.superseded_by IS NULL`, code, span, unit)
	if err != nil {
		return nil, fmt.Errorf("assess: standings: %w", err)
	}
	defer rows.Close()
	out := map[string]scheme.Standing{}
	sum := map[string]float64{}
	n := map[string]float64{}
	for rows.Next() {
		var kind, id, vetoed, signals string
		st := scheme.Standing{Span: span}
		if err := rows.Scan(&kind, &id, &st.Assessed, &st.Rank, &st.Of, &st.Bottom, &st.Total, &vetoed, &signals); err != nil {
			return nil, err
		}
		st.Vetoed = vetoed != ""
		if err := json.Unmarshal([]byte(signals), &st.Facts); err != nil {
			return nil, fmt.Errorf("assess: standings: %w", err)
		}
		out[kind+"/"+id] = st
		if st.Assessed {
			sum[kind] += st.Total
			n[kind]++
		}
	}
	for k, st := range out {
		kind, _, _ := strings.Cut(k, "/")
		if n[kind] > 0 {
			st.Mean = sum[kind] / n[kind]
		}
		out[k] = st
	}
	return out, rows.Err()
}

// Escalation is a stored escalation.
type EscalationRecord struct {
	ID           string    `json:"id"`
	RunID        string    `json:"run_id"`
	SchemeCode   string    `json:"scheme_code"`
	Span         string    `json:"span"`
	SubjectKind  string    `json:"subject_kind"`
	SubjectID    string    `json:"subject_id"`
	SubjectName  string    `json:"subject_name"`
	EscalationID string    `json:"escalation_id"`
	Name         string    `json:"name"`
	Action       string    `json:"action"`
	Periods      []string  `json:"periods"`
	Evidence     string    `json:"evidence"`
	CreatedAt    time.Time `json:"created_at"`
}

// EscalationQuery selects escalations of current runs.
type EscalationQuery struct {
	RunID      string
	SchemeCode string
	SubjectID  string
	Action     string
	Year       string // e.g. "2026": spans in that year
	// Scope, when not nil, keeps the escalations of the subjects whose
	// row of the run the caller's scope sees (TableQuery.Scope).
	Scope *Scope
}

// Escalations lists escalations: those recorded with q.RunID, superseded
// or not (what that run said), or else those of the current runs.
func (s *Store) Escalations(ctx context.Context, q EscalationQuery) ([]EscalationRecord, error) {
	var w store.Where
	if q.RunID == "" {
		w.Cond("r.superseded_by IS NULL")
	}
	w.Eq("e.run_id", q.RunID)
	w.Eq("e.scheme_code", q.SchemeCode)
	w.Eq("e.subject_id", q.SubjectID)
	w.Eq("e.action", q.Action)
	if q.Year != "" {
		w.Cond("e.span LIKE " + w.Args.Add(q.Year+"%"))
	}
	if q.Scope != nil {
		w.Cond(`EXISTS (SELECT 1 FROM run_results rr WHERE rr.run_id = e.run_id AND rr.subject_id = e.subject_id AND ` +
			q.Scope.rowsCond(s.db.Engine, &w.Args, "rr.community_id", "r.unit_id") + `)`)
	}
	return store.All(ctx, s.db.Q(ctx), "escalations", `SELECT `+escalationColumns+` FROM escalations e JOIN runs r ON r.id = e.run_id
		WHERE `+w.String()+` ORDER BY e.span DESC, e.subject_name, e.id`, w.Args, scanEscalation)
}

const escalationColumns = `e.id, e.run_id, e.scheme_code, e.span, e.subject_kind, e.subject_id, e.subject_name,
	e.escalation_id, e.name, e.action, e.periods, e.evidence, e.created_at`

func scanEscalation(row store.Row) (EscalationRecord, error) {
	var e EscalationRecord
	var periods string
	if err := row.Scan(&e.ID, &e.RunID, &e.SchemeCode, &e.Span, &e.SubjectKind, &e.SubjectID, &e.SubjectName, &e.EscalationID,
		&e.Name, &e.Action, &periods, &e.Evidence, &e.CreatedAt); err != nil {
		return e, err
	}
	return e, json.Unmarshal([]byte(periods), &e.Periods)
}
