package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// ReportKind is where a report about a worker comes from.
type ReportKind string

// The report kinds (seed 001 工作纪律: −10 each, once verified).
const (
	Undercover ReportKind = "undercover" // 上级暗访发现的问题
	Complaint  ReportKind = "complaint"  // 群众举报
)

// Report is an undercover finding or a resident's complaint against a
// worker. It counts only once verified, in the month it was verified.
type Report struct {
	ID          string     `json:"id"`
	Kind        ReportKind `json:"kind"`
	WorkerID    string     `json:"worker_id"`
	GridID      string     `json:"grid_id,omitempty"`
	FoundOn     dates.Date `json:"found_on"`
	Source      string     `json:"source"`
	Description string     `json:"description"`
	Files       []string   `json:"files"`
	ReportedBy  string     `json:"reported_by"`
	ReportedAt  time.Time  `json:"reported_at"`
	Status      string     `json:"status"` // pending, verified, rejected
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Decision    string     `json:"decision,omitempty"`
}

// NewReport is a report to record.
type NewReport struct {
	Kind     ReportKind `json:"kind" enum:"undercover,complaint"`
	WorkerID string     `json:"worker_id"`
	GridID   string     `json:"grid_id,omitempty"`
	FoundOn  dates.Date `json:"found_on"`
	// Source says who found it: "区网格中心暗访组", "12345热线 工单 …".
	Source      string   `json:"source"`
	Description string   `json:"description"`
	Files       []string `json:"files,omitempty" doc:"sha256 of uploaded photos or documents: the evidence"`
}

// RecordReport records a report, pending verification. Errors: Invalid
// (kind, description, source, no evidence for an undercover finding, a
// date in the future), NotFound (worker).
func (s *Store) RecordReport(ctx context.Context, actor string, in NewReport) (Report, error) {
	in.Description, in.Source = strings.TrimSpace(in.Description), strings.TrimSpace(in.Source)
	var bad []apperr.FieldError
	if in.Kind != Undercover && in.Kind != Complaint {
		bad = append(bad, apperr.FieldError{Field: "kind", Reason: "must be undercover or complaint"})
	}
	if in.Description == "" {
		bad = append(bad, apperr.FieldError{Field: "description", Reason: "is required: what was found"})
	}
	if in.Source == "" {
		bad = append(bad, apperr.FieldError{Field: "source", Reason: "is required: who found it (the check team, the hotline ticket)"})
	}
	if in.Kind == Undercover && len(in.Files) == 0 {
		bad = append(bad, apperr.FieldError{Field: "files", Reason: "an undercover finding needs its evidence (photos, notes)"})
	}
	if in.FoundOn.IsZero() || in.FoundOn.After(dates.Of(s.now())) {
		bad = append(bad, apperr.FieldError{Field: "found_on", Reason: "is required and not in the future"})
	}
	if len(bad) > 0 {
		return Report{}, apperr.InvalidFields("invalid report", bad...)
	}
	if _, err := s.org.GetWorker(ctx, in.WorkerID); err != nil {
		return Report{}, err
	}
	r := Report{ID: store.NewID(), Kind: in.Kind, WorkerID: in.WorkerID, GridID: in.GridID, FoundOn: in.FoundOn,
		Source: in.Source, Description: in.Description, Files: nonNil(in.Files), ReportedBy: actor, ReportedAt: s.now(), Status: "pending"}
	files, _ := json.Marshal(r.Files)
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_reports (id, kind, worker_id, grid_id, found_on, source, description, files, reported_by, reported_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')`,
			r.ID, r.Kind, r.WorkerID, r.GridID, r.FoundOn, r.Source, r.Description, string(files), actor, r.ReportedAt); err != nil {
			return fmt.Errorf("inspect: record report: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "inspect_report", EntityID: r.ID, After: r})
		return err
	})
	return r, err
}

// DecideReport verifies or rejects a pending report, with the reason.
// Errors: NotFound; Invalid (no note); Conflict (decided already).
func (s *Store) DecideReport(ctx context.Context, actor, id string, verified bool, note string) (Report, error) {
	if strings.TrimSpace(note) == "" {
		return Report{}, apperr.Field("decision", "is required: how it was verified, or why it is rejected")
	}
	status := "rejected"
	if verified {
		status = "verified"
	}
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		res, err := tx.ExecContext(ctx, `UPDATE inspect_reports SET status = $1, decided_by = $2, decided_at = $3, decision = $4 WHERE id = $5 AND status = 'pending'`,
			status, actor, s.now(), note, id)
		if err != nil {
			return fmt.Errorf("inspect: decide report %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.GetReport(ctx, id); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "report %s was decided already", id)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: status, Entity: "inspect_report", EntityID: id, After: map[string]string{"decision": note}})
		return err
	})
	if err != nil {
		return Report{}, err
	}
	return s.GetReport(ctx, id)
}

const reportColumns = `id, kind, worker_id, grid_id, found_on, source, description, files, reported_by, reported_at, status, COALESCE(decided_by, ''), decided_at, decision`

func scanReport(r store.Row) (Report, error) {
	var x Report
	var files string
	if err := r.Scan(&x.ID, &x.Kind, &x.WorkerID, &x.GridID, &x.FoundOn, &x.Source, &x.Description, &files, &x.ReportedBy, &x.ReportedAt,
		&x.Status, &x.DecidedBy, &x.DecidedAt, &x.Decision); err != nil {
		return x, err
	}
	return x, json.Unmarshal([]byte(files), &x.Files)
}

// GetReport returns one report. Errors: NotFound.
func (s *Store) GetReport(ctx context.Context, id string) (Report, error) {
	x, err := scanReport(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+reportColumns+` FROM inspect_reports WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return Report{}, apperr.New(apperr.NotFound, "no report %s", id)
	}
	return x, err
}

// Reports returns the reports about a worker (all workers if empty) with
// the given status (any if empty), newest first.
func (s *Store) Reports(ctx context.Context, workerID, status string) ([]Report, error) {
	return s.ReportsWithin(ctx, workerID, status, "")
}

// ReportsWithin is Reports of the workers whose home unit lies in the
// subtree of withinID today (everyone's when it is empty).
func (s *Store) ReportsWithin(ctx context.Context, workerID, status, withinID string) ([]Report, error) {
	var args store.Args
	where := []string{"1 = 1"}
	prefix := ""
	if withinID != "" {
		prefix = org.SubtreeCTE(&args, withinID, dates.Today())
		where = append(where, org.WorkersInSubtree("worker_id"))
	}
	if workerID != "" {
		where = append(where, "worker_id = "+args.Add(workerID))
	}
	if status != "" {
		where = append(where, "status = "+args.Add(status))
	}
	return store.All(ctx, s.db.Q(ctx), "reports", prefix+`SELECT `+reportColumns+` FROM inspect_reports WHERE `+strings.Join(where, " AND ")+` ORDER BY reported_at DESC, id`, args, scanReport)
}
