package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// Appeal is a worker's (or community's) appeal against one rule's points
// in one run.
type Appeal struct {
	ID          string             `json:"id"`
	RunID       string             `json:"run_id"`
	SubjectKind scheme.SubjectKind `json:"subject_kind"`
	SubjectID   string             `json:"subject_id"`
	Category    string             `json:"category"`
	Rule        string             `json:"rule"`
	Points      float64            `json:"points"` // the points appealed against
	Reason      string             `json:"reason"`
	Files       []string           `json:"files"` // sha256 of attached files
	Status      string             `json:"status"`
	FiledBy     string             `json:"filed_by"`
	FiledAt     time.Time          `json:"filed_at"`
	Deadline    time.Time          `json:"deadline"`
	DecidedBy   string             `json:"decided_by,omitempty"`
	DecidedAt   *time.Time         `json:"decided_at,omitempty"`
	Decision    string             `json:"decision,omitempty"`
	NewRunID    string             `json:"new_run_id,omitempty"`
}

// NewAppeal is an appeal to file.
type NewAppeal struct {
	RunID       string             `json:"run_id"`
	SubjectKind scheme.SubjectKind `json:"subject_kind"`
	SubjectID   string             `json:"subject_id"`
	Category    string             `json:"category"`
	Rule        string             `json:"rule"`
	Reason      string             `json:"reason"`
	Files       []string           `json:"files,omitempty"`
}

// FileAppeal files an appeal against a rule that cost the subject points
// in a current run, before the run's appeal deadline. Errors: Invalid (no
// reason, a rule that cost nothing), NotFound, Conflict (the run was
// superseded, the deadline passed, or the same rule is already appealed).
func (s *Store) FileAppeal(ctx context.Context, actor string, in NewAppeal) (Appeal, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Appeal{}, apperr.Field("reason", "is required: why the points are wrong")
	}
	info, res, err := s.Explain(ctx, in.RunID, in.SubjectKind, in.SubjectID)
	if err != nil {
		return Appeal{}, err
	}
	if info.SupersededBy != "" {
		return Appeal{}, apperr.New(apperr.Conflict, "run %s was superseded by %s: appeal against the current run", info.ID, info.SupersededBy)
	}
	now := store.Now()
	if now.After(info.AppealsUntil) {
		return Appeal{}, apperr.New(apperr.Conflict, "the appeal period of run %s ended on %s", info.ID, info.AppealsUntil.Format(time.DateTime))
	}
	var rr *scheme.RuleResult
	for ci := range res.Categories {
		if res.Categories[ci].ID != in.Category {
			continue
		}
		for ri := range res.Categories[ci].Rules {
			if res.Categories[ci].Rules[ri].ID == in.Rule {
				rr = &res.Categories[ci].Rules[ri]
			}
		}
	}
	if rr == nil {
		return Appeal{}, apperr.Field("rule", fmt.Sprintf("the result has no rule %s/%s", in.Category, in.Rule))
	}
	if rr.Status == scheme.Voided {
		return Appeal{}, apperr.New(apperr.Conflict, "rule %s/%s was already removed by an upheld appeal", in.Category, in.Rule)
	}
	_, sch, err := s.program(ctx, info.SchemeID)
	if err != nil {
		return Appeal{}, err
	}
	lost := rr.Points < 0
	for _, c := range sch.Categories {
		for _, r := range c.Rules {
			if c.ID == in.Category && r.ID == in.Rule && r.Kind.Awards() {
				lost = rr.Points < r.Points
			}
		}
	}
	if !lost {
		return Appeal{}, apperr.Field("rule", fmt.Sprintf("rule %s/%s did not cost any points", in.Category, in.Rule))
	}
	a := Appeal{ID: store.NewID(), RunID: in.RunID, SubjectKind: in.SubjectKind, SubjectID: in.SubjectID,
		Category: in.Category, Rule: in.Rule, Points: rr.Points, Reason: strings.TrimSpace(in.Reason), Files: in.Files,
		Status: "open", FiledBy: actor, FiledAt: now, Deadline: info.AppealsUntil}
	if a.Files == nil {
		a.Files = []string{}
	}
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM appeals WHERE run_id = $1 AND subject_id = $2 AND category = $3 AND rule = $4 AND status <> 'rejected'`,
			in.RunID, in.SubjectID, in.Category, in.Rule).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "rule %s/%s of this result is already appealed", in.Category, in.Rule)
		}
		files, _ := json.Marshal(a.Files)
		if _, err := tx.ExecContext(ctx, `INSERT INTO appeals (id, run_id, subject_kind, subject_id, category, rule, points, reason, files, status, filed_by, filed_at, deadline)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, a.ID, a.RunID, a.SubjectKind, a.SubjectID, a.Category, a.Rule,
			a.Points, a.Reason, string(files), a.Status, a.FiledBy, a.FiledAt, a.Deadline); err != nil {
			return fmt.Errorf("assess: file appeal: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "file", Entity: "appeal", EntityID: a.ID, After: a})
		return err
	})
	return a, err
}

const appealColumns = `id, run_id, subject_kind, subject_id, category, rule, points, reason, files, status, filed_by, filed_at, deadline,
	decided_by, decided_at, decision, COALESCE(new_run_id, '')`

func scanAppeal(row store.Row) (Appeal, error) {
	var a Appeal
	var files string
	if err := row.Scan(&a.ID, &a.RunID, &a.SubjectKind, &a.SubjectID, &a.Category, &a.Rule, &a.Points, &a.Reason, &files, &a.Status,
		&a.FiledBy, &a.FiledAt, &a.Deadline, &a.DecidedBy, &a.DecidedAt, &a.Decision, &a.NewRunID); err != nil {
		return a, err
	}
	return a, json.Unmarshal([]byte(files), &a.Files)
}

// GetAppeal returns appeal id. Errors: NotFound.
func (s *Store) GetAppeal(ctx context.Context, id string) (Appeal, error) {
	a, err := scanAppeal(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+appealColumns+` FROM appeals WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return a, apperr.New(apperr.NotFound, "no appeal %s", id)
	}
	return a, err
}

// AppealQuery selects appeals; empty fields do not filter.
type AppealQuery struct {
	RunID     string
	SubjectID string
	Status    string
	// Scope, when not nil, keeps the appeals seen with their subject's
	// row: those whose row of the run the caller's scope sees
	// (TableQuery.Scope).
	Scope *Scope
}

// Appeals lists appeals, oldest first.
func (s *Store) Appeals(ctx context.Context, q AppealQuery) ([]Appeal, error) {
	var w store.Where
	w.Eq("run_id", q.RunID)
	w.Eq("subject_id", q.SubjectID)
	w.Eq("status", q.Status)
	if q.Scope != nil {
		w.Cond(`EXISTS (SELECT 1 FROM run_results rr JOIN runs r ON r.id = rr.run_id
			WHERE rr.run_id = appeals.run_id AND rr.subject_id = appeals.subject_id AND ` +
			q.Scope.rowsCond(s.db.Engine, &w.Args, "rr.community_id", "r.unit_id") + `)`)
	}
	return store.All(ctx, s.db.Q(ctx), "appeals", `SELECT `+appealColumns+` FROM appeals WHERE `+w.String()+` ORDER BY filed_at, id`, w.Args, scanAppeal)
}

// DecideAppeal upholds or rejects an open appeal with a reason. Upholding
// makes a new run: the current run of the appealed run's chain is
// re-evaluated from its stored inputs with every upheld appeal of the
// chain removed, stored, and the old run is marked superseded (it stays
// readable). Errors: Invalid (no reason), NotFound, Conflict (decided).
func (s *Store) DecideAppeal(ctx context.Context, actor, id string, uphold bool, decision string) (Appeal, *RunInfo, error) {
	if strings.TrimSpace(decision) == "" {
		return Appeal{}, nil, apperr.Field("decision", "is required: the reason for the decision")
	}
	a, err := s.GetAppeal(ctx, id)
	if err != nil {
		return a, nil, err
	}
	if a.Status != "open" {
		return a, nil, apperr.New(apperr.Conflict, "appeal %s was already %s", id, a.Status)
	}
	now := store.Now()
	before := a
	a.DecidedBy, a.DecidedAt, a.Decision = actor, &now, strings.TrimSpace(decision)
	a.Status = "rejected"
	if !uphold {
		err := audit.Write(ctx, s.db, func(tx store.Tx) error {
			if err := s.saveDecision(ctx, tx, a); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "reject", Entity: "appeal", EntityID: a.ID, Before: before, After: a})
			return err
		})
		return a, nil, err
	}
	a.Status = "upheld"
	// The head of the chain: the run that superseded the appealed one, if
	// another appeal was upheld since.
	head, err := s.GetRun(ctx, a.RunID)
	if err != nil {
		return a, nil, err
	}
	chain := []string{head.ID}
	for head.SupersededBy != "" {
		if head, err = s.GetRun(ctx, head.SupersededBy); err != nil {
			return a, nil, err
		}
		chain = append(chain, head.ID)
	}
	void := map[scheme.RuleKey]string{{SubjectID: a.SubjectID, Category: a.Category, Rule: a.Rule}: a.Decision}
	for _, runID := range chain {
		ups, err := s.Appeals(ctx, AppealQuery{RunID: runID, Status: "upheld"})
		if err != nil {
			return a, nil, err
		}
		for _, u := range ups {
			void[scheme.RuleKey{SubjectID: u.SubjectID, Category: u.Category, Rule: u.Rule}] = u.Decision
		}
	}
	v, sch, err := s.program(ctx, head.SchemeID)
	if err != nil {
		return a, nil, err
	}
	span, err := scheme.ParseSpan(head.Span)
	if err != nil {
		return a, nil, err
	}
	inputs, _, err := s.loadRun(ctx, s.db.Q(ctx), head.ID)
	if err != nil {
		return a, nil, err
	}
	results, err := scheme.Evaluate(sch, span, inputs, scheme.Options{Void: void})
	if err != nil {
		return a, nil, err
	}
	// The new run and the decision are stored together: never a run
	// without its upheld appeal, or the reverse.
	info, err := s.storeRun(ctx, actor, v, sch, span, head.UnitID, inputs, results, head.ID, "appeal "+a.ID+" upheld",
		func(tx store.Tx, info RunInfo) error {
			a.NewRunID = info.ID
			if err := s.saveDecision(ctx, tx, a); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "uphold", Entity: "appeal", EntityID: a.ID, Before: before, After: a})
			return err
		})
	if err != nil {
		a.NewRunID = ""
		return before, nil, err
	}
	return a, &info, nil
}

func (s *Store) saveDecision(ctx context.Context, tx store.Tx, a Appeal) error {
	var newRun any
	if a.NewRunID != "" {
		newRun = a.NewRunID
	}
	res, err := tx.ExecContext(ctx, `UPDATE appeals SET status = $1, decided_by = $2, decided_at = $3, decision = $4, new_run_id = $5
		WHERE id = $6 AND status = 'open'`, a.Status, a.DecidedBy, a.DecidedAt, a.Decision, newRun, a.ID)
	if err != nil {
		return fmt.Errorf("assess: decide appeal: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "appeal %s was decided meanwhile", a.ID)
	}
	return nil
}
