package runs

import (
	"context"
	"encoding/json"
	"fmt"

	"gridwork/internal/org"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// PayRow is one subject's lines on the payroll sheet.
type PayRow struct {
	SubjectID   string           `json:"subject_id"`
	Name        string           `json:"name"`
	Community   string           `json:"community"`
	Employment  string           `json:"employment"`
	Total       float64          `json:"total"`
	Max         float64          `json:"max"`
	NotAssessed string           `json:"not_assessed,omitempty"`
	Lines       []scheme.PayLine `json:"lines"`
	Fen         int64            `json:"fen"`
}

// Payroll computes the payroll sheet of a run: every worker result with
// the scheme's pay items, extra grid shares held on the span's last day,
// and revocations (escalations revoke_extra_grid of the same year).
func (s *Store) Payroll(ctx context.Context, runID string) (RunInfo, []PayRow, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, err
	}
	_, sch, err := s.program(ctx, info.SchemeID)
	if err != nil {
		return info, nil, err
	}
	span, err := scheme.ParseSpan(info.Span)
	if err != nil {
		return info, nil, err
	}
	_, results, err := s.loadRun(ctx, s.db.Q(ctx), runID)
	if err != nil {
		return info, nil, err
	}
	revoked := map[string]bool{}
	escs, err := s.Escalations(ctx, EscalationQuery{Action: "revoke_extra_grid", Year: fmt.Sprint(span.Year)})
	if err != nil {
		return info, nil, err
	}
	for _, e := range escs {
		if e.Span <= info.Span {
			revoked[e.SubjectID] = true
		}
	}
	shares := map[string][]float64{}
	as, _, err := s.org.ListAssignments(ctx, org.AssignmentQuery{WithinID: info.UnitID, On: span.Last()})
	if err != nil {
		return info, nil, err
	}
	for _, a := range as {
		if a.Kind != org.Primary {
			shares[a.WorkerID] = append(shares[a.WorkerID], float64(a.SharePct)/100)
		}
	}
	// Each result's signals: the facts pay items withhold on.
	signals := map[string]map[string]float64{}
	type signalRow struct {
		id string
		m  map[string]float64
	}
	sig, err := store.All(ctx, s.db.Q(ctx), "run_results", `SELECT subject_id, signals FROM run_results WHERE run_id = $1 AND subject_kind = $2`,
		store.Args{runID, string(scheme.Worker)}, func(row store.Row) (signalRow, error) {
			var x signalRow
			var raw string
			if err := row.Scan(&x.id, &raw); err != nil {
				return x, err
			}
			return x, json.Unmarshal([]byte(raw), &x.m)
		})
	if err != nil {
		return info, nil, fmt.Errorf("assess: payroll signals: %w", err)
	}
	for _, x := range sig {
		signals[x.id] = x.m
	}
	out := []PayRow{}
	for _, r := range results {
		if r.Subject.Kind != scheme.Worker {
			continue
		}
		row := PayRow{SubjectID: r.Subject.ID, Name: r.Subject.Name, Community: r.Subject.CommunityName, Employment: r.Subject.Employment,
			Total: r.Total, Max: r.Max, NotAssessed: r.NotAssessed}
		row.Lines = scheme.Pay(sch, r, len(span.Months()), shares[r.Subject.ID], revoked[r.Subject.ID], signals[r.Subject.ID])
		for _, l := range row.Lines {
			row.Fen += l.Fen
		}
		out = append(out, row)
	}
	return info, out, nil
}
