package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/metric"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// ManualFinding is a stored manual finding.
type ManualFinding struct {
	ID              string             `json:"id"`
	ClientID        string             `json:"client_id,omitempty"`
	Type            string             `json:"type"`
	Item            string             `json:"item,omitempty"`
	SubjectKind     scheme.SubjectKind `json:"subject_kind"`
	SubjectID       string             `json:"subject_id"`
	Month           string             `json:"month"`
	Points          float64            `json:"points"`
	Note            string             `json:"note"`
	Evidence        []metric.Ref       `json:"evidence"`
	Status          string             `json:"status"`
	RecordedBy      string             `json:"recorded_by"`
	RecordedAt      time.Time          `json:"recorded_at"`
	WithdrawnReason string             `json:"withdrawn_reason,omitempty"`
}

// NewFinding is a finding to record. Evidence is required: the records,
// files (entity "file", the file's sha256) or documents behind it.
type NewFinding struct {
	ClientID    string             `json:"client_id,omitempty"`
	Type        string             `json:"type"`
	Item        string             `json:"item,omitempty"`
	SubjectKind scheme.SubjectKind `json:"subject_kind"`
	SubjectID   string             `json:"subject_id"`
	Month       string             `json:"month"`
	Points      float64            `json:"points,omitempty"` // for types scored within a range
	Note        string             `json:"note"`
	Evidence    []metric.Ref       `json:"evidence"`
}

// RecordFinding stores a confirmed finding. A resend with the same
// client_id returns the stored one. Errors: Invalid naming each bad field.
func (s *Store) RecordFinding(ctx context.Context, actor string, in NewFinding) (ManualFinding, error) {
	var bad []apperr.FieldError
	if _, ok := scheme.LookupFindingType(in.Type); !ok {
		bad = append(bad, apperr.FieldError{Field: "type", Reason: fmt.Sprintf("%q is not a finding type (see GET /api/assess/finding-types)", in.Type)})
	}
	if in.SubjectKind != scheme.Worker && in.SubjectKind != scheme.Community {
		bad = append(bad, apperr.FieldError{Field: "subject_kind", Reason: fmt.Sprintf("%q is not worker or community", in.SubjectKind)})
	}
	if strings.TrimSpace(in.SubjectID) == "" {
		bad = append(bad, apperr.FieldError{Field: "subject_id", Reason: "is required"})
	}
	if _, err := metric.ParsePeriod(in.Month); err != nil {
		bad = append(bad, apperr.FieldError{Field: "month", Reason: err.Error()})
	}
	if strings.TrimSpace(in.Note) == "" {
		bad = append(bad, apperr.FieldError{Field: "note", Reason: "is required: what was found, where and when"})
	}
	if len(in.Evidence) == 0 {
		bad = append(bad, apperr.FieldError{Field: "evidence", Reason: "a finding needs evidence: the records or files behind it"})
	}
	for i, e := range in.Evidence {
		if e.Entity == "" || e.ID == "" {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("evidence[%d]", i), Reason: "needs entity and id"})
		}
	}
	if math.IsNaN(in.Points) || math.IsInf(in.Points, 0) || math.Abs(in.Points) > 100 {
		bad = append(bad, apperr.FieldError{Field: "points", Reason: "must be a number between −100 and 100"})
	}
	if len(bad) > 0 {
		return ManualFinding{}, apperr.InvalidFields("cannot record the finding", bad...)
	}
	var out ManualFinding
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if in.ClientID != "" {
			id, err := store.ByClientID(ctx, tx, "findings", in.ClientID)
			if err != nil {
				return err
			}
			if id != "" {
				out, err = getFinding(ctx, tx, id)
				return err
			}
		}
		f := ManualFinding{ID: store.NewID(), ClientID: in.ClientID, Type: in.Type, Item: in.Item, SubjectKind: in.SubjectKind,
			SubjectID: in.SubjectID, Month: in.Month, Points: in.Points, Note: strings.TrimSpace(in.Note), Evidence: in.Evidence,
			Status: "confirmed", RecordedBy: actor, RecordedAt: store.Now()}
		ev, _ := json.Marshal(f.Evidence)
		var client any
		if f.ClientID != "" {
			client = f.ClientID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO findings (id, client_id, type, item, subject_kind, subject_id, month, points, note, evidence, status, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, f.ID, client, f.Type, f.Item, f.SubjectKind, f.SubjectID,
			f.Month, f.Points, f.Note, string(ev), f.Status, f.RecordedBy, f.RecordedAt); err != nil {
			return fmt.Errorf("assess: record finding: %w", err)
		}
		out = f
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "finding", EntityID: f.ID, After: f})
		return err
	})
	return out, err
}

const findingColumns = `id, COALESCE(client_id, ''), type, item, subject_kind, subject_id, month, points, note, evidence, status, recorded_by, recorded_at, withdrawn_reason`

func scanFinding(row store.Row) (ManualFinding, error) {
	var f ManualFinding
	var ev string
	if err := row.Scan(&f.ID, &f.ClientID, &f.Type, &f.Item, &f.SubjectKind, &f.SubjectID, &f.Month, &f.Points, &f.Note, &ev,
		&f.Status, &f.RecordedBy, &f.RecordedAt, &f.WithdrawnReason); err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(ev), &f.Evidence)
}

func getFinding(ctx context.Context, q store.Queryer, id string) (ManualFinding, error) {
	f, err := scanFinding(q.QueryRowContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return f, apperr.New(apperr.NotFound, "no finding %s", id)
	}
	return f, err
}

// WithdrawFinding withdraws a finding with a reason; runs made after it no
// longer count it (runs already made keep it: they are immutable).
func (s *Store) WithdrawFinding(ctx context.Context, actor, id, reason string) (ManualFinding, error) {
	if strings.TrimSpace(reason) == "" {
		return ManualFinding{}, apperr.Field("reason", "is required")
	}
	var out ManualFinding
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		before, err := getFinding(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = 'withdrawn', withdrawn_reason = $1 WHERE id = $2`, reason, id); err != nil {
			return err
		}
		out = before
		out.Status, out.WithdrawnReason = "withdrawn", reason
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "withdraw", Entity: "finding", EntityID: id, Before: before, After: out})
		return err
	})
	return out, err
}

// FindingQuery selects findings; empty fields do not filter.
type FindingQuery struct {
	Month     string
	SubjectID string
	// Scope, when not nil, keeps the findings whose subject lies in it: a
	// worker among its Workers, a unit among its Units.
	Scope *Scope
}

// Findings lists findings, newest first.
func (s *Store) Findings(ctx context.Context, q FindingQuery) ([]ManualFinding, error) {
	var w store.Where
	w.Eq("month", q.Month)
	w.Eq("subject_id", q.SubjectID)
	if sc := q.Scope; sc != nil && (sc.Units != nil || sc.Workers != nil) {
		workers, units := "1 = 1", "1 = 1"
		if sc.Workers != nil {
			workers = inIDs(s.db.Engine, &w.Args, "subject_id", sc.Workers)
		}
		if sc.Units != nil {
			units = inIDs(s.db.Engine, &w.Args, "subject_id", sc.Units)
		}
		w.Cond("(subject_kind = " + w.Args.Add(string(scheme.Worker)) + " AND " + workers +
			" OR subject_kind <> " + w.Args.Add(string(scheme.Worker)) + " AND " + units + ")")
	}
	return store.All(ctx, s.db.Q(ctx), "findings", `SELECT `+findingColumns+` FROM findings WHERE `+w.String()+` ORDER BY recorded_at DESC, id`, w.Args, scanFinding)
}

// confirmedFindings returns the confirmed findings of the months, by
// "kind/subject".
func (s *Store) confirmedFindings(ctx context.Context, months []metric.Period) (map[string][]scheme.FindingRecord, error) {
	out := map[string][]scheme.FindingRecord{}
	for _, m := range months {
		fs, err := store.All(ctx, s.db.Q(ctx), "findings", `SELECT `+findingColumns+` FROM findings WHERE month = $1 AND status = 'confirmed' ORDER BY recorded_at, id`,
			store.Args{m.String()}, scanFinding)
		if err != nil {
			return nil, fmt.Errorf("assess: %w", err)
		}
		for _, f := range fs {
			key := string(f.SubjectKind) + "/" + f.SubjectID
			out[key] = append(out[key], scheme.FindingRecord{ID: f.ID, Type: f.Type, Item: f.Item, Month: f.Month, Points: f.Points,
				Note: f.Note, By: f.RecordedBy, Evidence: f.Evidence})
		}
	}
	return out, nil
}
