package duty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// ReportKind is the kind of a required report.
type ReportKind string

// The report kinds. Weekly, monthly and other reports (报表) count in
// duty.reports_late; plans, summaries and stage reports in duty.plans_late
// (seed 000 IV 1 and 2).
const (
	Weekly  ReportKind = "weekly"  // 周报
	Monthly ReportKind = "monthly" // 月报
	Other   ReportKind = "other"   // 科室要求上报的其它报表
	Plan    ReportKind = "plan"    // 月工作计划
	Summary ReportKind = "summary" // 总结
	Stage   ReportKind = "stage"   // 大清查大排查阶段小结
)

func (k ReportKind) valid() bool {
	switch k {
	case Weekly, Monthly, Other, Plan, Summary, Stage:
		return true
	}
	return false
}

// isPlan tells plans and summaries from reports.
func (k ReportKind) isPlan() bool { return k == Plan || k == Summary || k == Stage }

// Verdict is a reviewer's verdict on a submitted report.
type Verdict string

// The verdicts.
const (
	OK          Verdict = "ok"
	Wrong       Verdict = "wrong"       // 错报 (errors affecting the summary)
	Perfunctory Verdict = "perfunctory" // 敷衍了事
)

func (v Verdict) valid() bool { return v == OK || v == Wrong || v == Perfunctory }

// Report is a report a unit (and, if named, a worker) must submit by a
// deadline.
type Report struct {
	ID          string     `json:"id"`
	ClientID    string     `json:"client_id,omitempty"`
	UnitID      string     `json:"unit_id" doc:"the community (or grid) that owes it"`
	WorkerID    string     `json:"worker_id,omitempty" doc:"the worker who answers for it, if one does"`
	Kind        ReportKind `json:"kind" enum:"weekly,monthly,other,plan,summary,stage"`
	Title       string     `json:"title"`
	DueAt       time.Time  `json:"due_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	SubmittedBy string     `json:"submitted_by,omitempty"`
	File        string     `json:"file,omitempty"`
	Verdict     Verdict    `json:"verdict,omitempty" enum:"ok,wrong,perfunctory"`
	ReviewNote  string     `json:"review_note,omitempty"`
	ReviewedBy  string     `json:"reviewed_by,omitempty"`
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
	EnteredBy   string     `json:"entered_by,omitempty"`
	EnteredAt   time.Time  `json:"entered_at"`
}

// NewReport is a report required of a unit.
type NewReport struct {
	ClientID string     `json:"client_id,omitempty"`
	UnitID   string     `json:"unit_id"`
	WorkerID string     `json:"worker_id,omitempty"`
	Kind     ReportKind `json:"kind" enum:"weekly,monthly,other,plan,summary,stage"`
	Title    string     `json:"title"`
	DueAt    time.Time  `json:"due_at"`
}

// Submission submits a report.
type Submission struct {
	At   time.Time `json:"at,omitempty" doc:"default now"`
	File string    `json:"file,omitempty" doc:"sha256 of the uploaded report"`
}

// Review is a reviewer's verdict on a report.
type Review struct {
	Verdict Verdict `json:"verdict" enum:"ok,wrong,perfunctory"`
	Note    string  `json:"note,omitempty"`
}

const reportColumns = `id, COALESCE(client_id, ''), unit_id, COALESCE(worker_id, ''), kind, title, due_at, submitted_at, COALESCE(submitted_by, ''),
	COALESCE(file, ''), verdict, review_note, COALESCE(reviewed_by, ''), reviewed_at, entered_by, entered_at`

func scanReport(row store.Row) (Report, error) {
	var r Report
	err := row.Scan(&r.ID, &r.ClientID, &r.UnitID, &r.WorkerID, &r.Kind, &r.Title, &r.DueAt, &r.SubmittedAt, &r.SubmittedBy,
		&r.File, &r.Verdict, &r.ReviewNote, &r.ReviewedBy, &r.ReviewedAt, &r.EnteredBy, &r.EnteredAt)
	return r, err
}

var getReport = byID("duty_reports", reportColumns, "report", scanReport)

// GetReport returns one report. Errors: NotFound.
func (s *Store) GetReport(ctx context.Context, id string) (Report, error) {
	return getReport(ctx, s.db.Q(ctx), id)
}

// RequireReport records that a unit owes a report by a deadline. A resend
// with the same ClientID returns the first. Errors: Invalid naming each
// bad field.
func (s *Store) RequireReport(ctx context.Context, actor string, in NewReport) (Report, error) {
	var out Report
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_reports", in.ClientID, "cannot require report", getReport, &out); done {
			return err
		}
		var p problems
		if err := unitOf(ctx, tx, &p, "unit_id", in.UnitID, org.Community, org.Area, org.Grid); err != nil {
			return err
		}
		if in.WorkerID != "" {
			if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
				return err
			}
		}
		if !in.Kind.valid() {
			p.add("kind", "%q is not weekly, monthly, other, plan, summary or stage", in.Kind)
		}
		in.Title = strings.TrimSpace(in.Title)
		p.text("title", in.Title, maxTitle, true)
		if in.DueAt.IsZero() {
			p.add("due_at", "is required")
		}
		if err := p.err("cannot require report"); err != nil {
			return err
		}
		now := s.now()
		r := Report{ID: store.NewID(), ClientID: in.ClientID, UnitID: in.UnitID, WorkerID: in.WorkerID, Kind: in.Kind, Title: in.Title,
			DueAt: micro(in.DueAt), EnteredBy: actor, EnteredAt: now}
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_reports (id, client_id, unit_id, worker_id, kind, title, due_at, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, store.NullIfEmpty(r.ClientID), r.UnitID, store.NullIfEmpty(r.WorkerID), r.Kind, r.Title, r.DueAt, actor, now)
		if err != nil {
			return fmt.Errorf("duty: require report: %w", err)
		}
		out = r
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_report", EntityID: r.ID, After: r})
		return err
	})
	return out, err
}

// SubmitReport records a report's submission. Submitting again is a no-op
// that returns the report (a resend); the first submission's time stands.
// Errors: NotFound; Invalid for a time in the future or an unknown file.
func (s *Store) SubmitReport(ctx context.Context, actor, id string, in Submission) (Report, error) {
	return edit(ctx, s, actor, id, "duty_report", getReport, func(tx store.Tx, r *Report) (string, error) {
		if r.SubmittedAt != nil {
			return "", nil
		}
		var p problems
		if in.At.IsZero() {
			in.At = s.now()
		}
		s.notFuture(&p, "at", in.At)
		if err := fileExists(ctx, tx, &p, "file", in.File); err != nil {
			return "", err
		}
		if err := p.err("cannot submit report"); err != nil {
			return "", err
		}
		at := micro(in.At)
		r.SubmittedAt, r.SubmittedBy, r.File = &at, actor, in.File
		if _, err := tx.ExecContext(ctx, `UPDATE duty_reports SET submitted_at = $1, submitted_by = $2, file = $3 WHERE id = $4`,
			at, actor, store.NullIfEmpty(in.File), id); err != nil {
			return "", fmt.Errorf("duty: submit report: %w", err)
		}
		return "submit", nil
	})
}

// ReviewReport records the reviewer's verdict on a submitted report; a
// later review replaces an earlier one. Errors: NotFound; Conflict before
// it is submitted; Invalid for an unknown verdict, or wrong or
// perfunctory without a note.
func (s *Store) ReviewReport(ctx context.Context, actor, id string, in Review) (Report, error) {
	return edit(ctx, s, actor, id, "duty_report", getReport, func(tx store.Tx, r *Report) (string, error) {
		var p problems
		if !in.Verdict.valid() {
			p.add("verdict", "%q is not ok, wrong or perfunctory", in.Verdict)
		}
		in.Note = strings.TrimSpace(in.Note)
		p.text("note", in.Note, MaxText, in.Verdict != OK)
		if err := p.err("cannot review report"); err != nil {
			return "", err
		}
		if r.SubmittedAt == nil {
			return "", apperr.New(apperr.Conflict, "report %s is not submitted yet", id)
		}
		now := s.now()
		r.Verdict, r.ReviewNote, r.ReviewedBy, r.ReviewedAt = in.Verdict, in.Note, actor, &now
		if _, err := tx.ExecContext(ctx, `UPDATE duty_reports SET verdict = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5`,
			in.Verdict, in.Note, actor, now, id); err != nil {
			return "", fmt.Errorf("duty: review report: %w", err)
		}
		return "review", nil
	})
}

// Reports returns the reports of units in scope (or, with
// Scope.WorkerID, those naming the worker) due from from to to (Shanghai
// days, zero for no bound), by deadline.
func (s *Store) Reports(ctx context.Context, sc Scope, from, to dates.Date) ([]Report, error) {
	var args store.Args
	prefix, cond := unitScope(&args, Scope{WithinID: sc.WithinID}, "unit_id", s.today())
	if sc.WorkerID != "" {
		cond += " AND worker_id = " + args.Add(sc.WorkerID)
	}
	if !from.IsZero() {
		cond += " AND due_at >= " + args.Add(from.Start().UTC())
	}
	if !to.IsZero() {
		cond += " AND due_at < " + args.Add(to.AddDays(1).Start().UTC())
	}
	return store.All(ctx, s.db.Q(ctx), "duty reports", prefix+`SELECT `+reportColumns+` FROM duty_reports WHERE `+cond+` ORDER BY due_at, id`, args, scanReport)
}
