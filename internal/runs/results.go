package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// ManualFinding is a stored manual finding.
type ManualFinding struct {
	ID              string       `json:"id"`
	ClientID        string       `json:"client_id,omitempty"`
	Type            string       `json:"type"`
	Item            string       `json:"item,omitempty"`
	SubjectKind     SubjectKind  `json:"subject_kind"`
	SubjectID       string       `json:"subject_id"`
	Month           string       `json:"month"`
	Points          float64      `json:"points"`
	Note            string       `json:"note"`
	Evidence        []metric.Ref `json:"evidence"`
	Status          string       `json:"status"`
	RecordedBy      string       `json:"recorded_by"`
	RecordedAt      time.Time    `json:"recorded_at"`
	WithdrawnReason string       `json:"withdrawn_reason,omitempty"`
}

// NewFinding is a finding to record. Evidence is required: the records,
// files (entity "file", the file's sha256) or documents behind it.
type NewFinding struct {
	ClientID    string       `json:"client_id,omitempty"`
	Type        string       `json:"type"`
	Item        string       `json:"item,omitempty"`
	SubjectKind SubjectKind  `json:"subject_kind"`
	SubjectID   string       `json:"subject_id"`
	Month       string       `json:"month"`
	Points      float64      `json:"points,omitempty"` // for types scored within a range
	Note        string       `json:"note"`
	Evidence    []metric.Ref `json:"evidence"`
}

// RecordFinding stores a confirmed finding. A resend with the same
// client_id returns the stored one. Errors: Invalid naming each bad field.
func (s *Store) RecordFinding(ctx context.Context, actor string, in NewFinding) (ManualFinding, error) {
	var bad []apperr.FieldError
	if _, ok := LookupFindingType(in.Type); !ok {
		bad = append(bad, apperr.FieldError{Field: "type", Reason: fmt.Sprintf("%q is not a finding type (see GET /api/assess/finding-types)", in.Type)})
	}
	if in.SubjectKind != Worker && in.SubjectKind != Community {
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
		f := ManualFinding{ID: uuid.Must(uuid.NewV7()).String(), ClientID: in.ClientID, Type: in.Type, Item: in.Item, SubjectKind: in.SubjectKind,
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

func scanFinding(row interface{ Scan(...any) error }) (ManualFinding, error) {
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
}

// Findings lists findings, newest first.
func (s *Store) Findings(ctx context.Context, q FindingQuery) ([]ManualFinding, error) {
	var w store.Where
	w.Eq("month", q.Month)
	w.Eq("subject_id", q.SubjectID)
	return store.All(ctx, s.db.Q(ctx), "findings", `SELECT `+findingColumns+` FROM findings WHERE `+w.String()+` ORDER BY recorded_at DESC, id`, w.Args, scanFinding)
}

// confirmedFindings returns the confirmed findings of the months, by
// "kind/subject".
func (s *Store) confirmedFindings(ctx context.Context, months []metric.Period) (map[string][]FindingRecord, error) {
	out := map[string][]FindingRecord{}
	for _, m := range months {
		fs, err := store.All(ctx, s.db.Q(ctx), "findings", `SELECT `+findingColumns+` FROM findings WHERE month = $1 AND status = 'confirmed' ORDER BY recorded_at, id`,
			store.Args{m.String()}, scanFinding)
		if err != nil {
			return nil, fmt.Errorf("assess: %w", err)
		}
		for _, f := range fs {
			key := string(f.SubjectKind) + "/" + f.SubjectID
			out[key] = append(out[key], FindingRecord{ID: f.ID, Type: f.Type, Item: f.Item, Month: f.Month, Points: f.Points,
				Note: f.Note, By: f.RecordedBy, Evidence: f.Evidence})
		}
	}
	return out, nil
}

// Row is one line of a league table.
type Row struct {
	SubjectKind   SubjectKind `json:"subject_kind"`
	SubjectID     string      `json:"subject_id"`
	Name          string      `json:"name"`
	CommunityID   string      `json:"community_id"`
	CommunityName string      `json:"community_name,omitempty"`
	Assessed      bool        `json:"assessed"`
	NotAssessed   string      `json:"not_assessed,omitempty"`
	Total         float64     `json:"total"`
	Max           float64     `json:"max"`
	Rank          int         `json:"rank"`
	Of            int         `json:"of"`
	Bottom        bool        `json:"bottom"`
	Vetoed        string      `json:"vetoed,omitempty"`
	// PrevTotal and PrevRank are from the current run of the previous
	// period (same scheme code and unit), when there is one.
	PrevTotal *float64 `json:"prev_total,omitempty"`
	PrevRank  *int     `json:"prev_rank,omitempty"`
	Change    *float64 `json:"change,omitempty"`
	NoData    int      `json:"no_data"`
}

// TableQuery selects rows of a run's table.
type TableQuery struct {
	Kind        SubjectKind // empty: all
	CommunityID string      // empty: all
	SubjectID   string      // empty: all
	// Name keeps the subjects whose name contains it (case as written);
	// empty: all.
	Name string
	// Communities, when not nil, keeps the rows of these communities only
	// (what a caller's scope lets them see); an empty, non-nil list keeps
	// none.
	Communities []string
	// Limit and Offset page the table, best first; Limit 0 reads it whole.
	Limit, Offset int
}

// where returns the conditions of q on run_results, with their arguments.
func (q TableQuery) where(engine store.Engine, runID string) store.Where {
	var w store.Where
	w.Eq("run_id", runID)
	w.Eq("subject_kind", string(q.Kind))
	w.Eq("community_id", q.CommunityID)
	w.Eq("subject_id", q.SubjectID)
	if q.Name != "" {
		// A plain substring test on both engines: LIKE would read % and _
		// in the name as patterns, and SQLite's LIKE ignores ASCII case.
		if engine == store.Postgres {
			w.Cond("strpos(name, " + w.Args.Add(q.Name) + ") > 0")
		} else {
			w.Cond("instr(name, " + w.Args.Add(q.Name) + ") > 0")
		}
	}
	if q.Communities != nil {
		if len(q.Communities) == 0 {
			w.Cond("1 = 0")
		} else {
			marks := make([]string, len(q.Communities))
			for i, c := range q.Communities {
				marks[i] = w.Args.Add(c)
			}
			w.Cond("community_id IN (" + strings.Join(marks, ", ") + ")")
		}
	}
	return w
}

// Table returns the rows of a run's league table that q selects, best
// first (one page of them when q.Limit is set), with the change since the
// previous period.
func (s *Store) Table(ctx context.Context, runID string, q TableQuery) (RunInfo, []Row, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, err
	}
	rows, err := s.tableRows(ctx, info, q)
	return info, rows, err
}

// TablePage is Table with the number of rows q selects before paging.
func (s *Store) TablePage(ctx context.Context, runID string, q TableQuery) (RunInfo, []Row, int, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, 0, err
	}
	w := q.where(s.db.Engine, runID)
	var total int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM run_results WHERE `+w.String(), w.Args...).Scan(&total); err != nil {
		return info, nil, 0, fmt.Errorf("assess: table of run %s: %w", runID, err)
	}
	if q.Limit > 0 && q.Offset >= total {
		return info, []Row{}, total, nil
	}
	rows, err := s.tableRows(ctx, info, q)
	return info, rows, total, err
}

// TableCommunities returns the communities that rows of a run belong to,
// for a caller's scope (TableQuery.Communities).
func (s *Store) TableCommunities(ctx context.Context, runID string) ([]string, error) {
	return store.All(ctx, s.db.Q(ctx), "communities of a run", `SELECT DISTINCT community_id FROM run_results WHERE run_id = $1 ORDER BY community_id`,
		store.Args{runID}, func(row interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
}

// prevLookupMax is the most rows whose previous values are asked for by
// subject; a longer table reads the previous run whole instead, in one
// query still, without a list of ids longer than an engine takes.
const prevLookupMax = 1000

// tableRows reads the rows of info's table that q selects, one page in SQL
// (the order is served by the index run_results_table), then the previous
// period's totals and ranks of just those rows in one query.
func (s *Store) tableRows(ctx context.Context, info RunInfo, q TableQuery) ([]Row, error) {
	w := q.where(s.db.Engine, info.ID)
	query := `SELECT subject_kind, subject_id, name, community_id, community_name, assessed, not_assessed,
		no_data, total, max_total, rank, of_total, bottom, vetoed FROM run_results WHERE ` + w.String() + `
		ORDER BY subject_kind, assessed DESC, rank, name, subject_id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, max(q.Offset, 0))
	}
	out, err := store.All(ctx, s.db.Q(ctx), "results", query, w.Args, func(row interface{ Scan(...any) error }) (Row, error) {
		var r Row
		err := row.Scan(&r.SubjectKind, &r.SubjectID, &r.Name, &r.CommunityID, &r.CommunityName, &r.Assessed, &r.NotAssessed,
			&r.NoData, &r.Total, &r.Max, &r.Rank, &r.Of, &r.Bottom, &r.Vetoed)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: %w", info.ID, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	span, err := ParseSpan(info.Span)
	if err != nil {
		return out, nil
	}
	// The previous period's current run of the same scheme code and unit:
	// there is at most one (a new run supersedes the current one).
	var prevRun string
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT r.id FROM runs r JOIN schemes s ON s.id = r.scheme_id
		WHERE s.code = $1 AND r.span = $2 AND r.unit_id = $3 AND r.superseded_by IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
		info.SchemeCode, span.Prev().String(), info.UnitID).Scan(&prevRun)
	if store.IsNoRows(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous run: %w", info.ID, err)
	}
	type prevRow struct {
		total       float64
		rank        int
		wasAssessed bool
	}
	pw := store.Where{}
	pw.Eq("run_id", prevRun)
	if len(out) <= prevLookupMax {
		// Kinds and ids both, so that the lookup follows the primary key
		// (run_id, subject_kind, subject_id) rather than reading the run.
		var kinds, ids []string
		seenKind := map[SubjectKind]bool{}
		for _, r := range out {
			if !seenKind[r.SubjectKind] {
				seenKind[r.SubjectKind] = true
				kinds = append(kinds, pw.Args.Add(string(r.SubjectKind)))
			}
			ids = append(ids, pw.Args.Add(r.SubjectID))
		}
		pw.Cond("subject_kind IN (" + strings.Join(kinds, ", ") + ")")
		pw.Cond("subject_id IN (" + strings.Join(ids, ", ") + ")")
	}
	prev := make(map[string]prevRow, min(len(out), prevLookupMax))
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT subject_kind, subject_id, total, rank, assessed FROM run_results WHERE `+pw.String(), pw.Args...)
	if err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		var p prevRow
		if err := rows.Scan(&kind, &id, &p.total, &p.rank, &p.wasAssessed); err != nil {
			return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
		}
		prev[kind+"/"+id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assess: table of run %s: previous results: %w", info.ID, err)
	}
	for i := range out {
		r := &out[i]
		if p, ok := prev[string(r.SubjectKind)+"/"+r.SubjectID]; ok && p.wasAssessed && r.Assessed {
			t, rk := p.total, p.rank
			ch := round1(r.Total - t)
			r.PrevTotal, r.PrevRank, r.Change = &t, &rk, &ch
		}
	}
	return out, nil
}

// Explain returns one subject's result in a run with the evidence behind
// every fact its rules read.
func (s *Store) Explain(ctx context.Context, runID string, kind SubjectKind, subjectID string) (RunInfo, Result, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, Result{}, err
	}
	var rj, ij string
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT result, input FROM run_results WHERE run_id = $1 AND subject_kind = $2 AND subject_id = $3`,
		runID, kind, subjectID).Scan(&rj, &ij)
	if store.IsNoRows(err) {
		return info, Result{}, apperr.New(apperr.NotFound, "run %s has no result for %s %s", runID, kind, subjectID)
	}
	if err != nil {
		return info, Result{}, fmt.Errorf("assess: explain: %w", err)
	}
	var res Result
	var in Input
	if err := json.Unmarshal([]byte(rj), &res); err != nil {
		return info, res, fmt.Errorf("assess: explain: %w", err)
	}
	if err := json.Unmarshal([]byte(ij), &in); err != nil {
		return info, res, fmt.Errorf("assess: explain: %w", err)
	}
	span, _ := ParseSpan(info.Span)
	attachEvidence(&res, &in, span)
	return info, res, nil
}

// attachEvidence puts back the evidence of each fact a rule read, from the
// input: the named month's, or every month's for a whole-period value.
func attachEvidence(res *Result, in *Input, span Span) {
	months := span.Months()
	for ci := range res.Categories {
		c := &res.Categories[ci]
		src := in.Months
		if c.Of == "community" && res.Subject.Kind != Community {
			src = in.Community
		}
		for ri := range c.Rules {
			r := &c.Rules[ri]
			if r.Points == 0 && r.Original == 0 && r.Kind != Rank {
				continue
			}
			for fi := range r.Facts {
				f := &r.Facts[fi]
				for mi, m := range months {
					if (f.Month != "" && f.Month != m.String()) || mi >= len(src) || src[mi] == nil {
						continue
					}
					f.Evidence = append(f.Evidence, src[mi][f.Name].Evidence...)
				}
			}
		}
	}
}

// loadRun returns a run's stored inputs and results, in subject order.
func (s *Store) loadRun(ctx context.Context, q store.Queryer, runID string) ([]Input, []Result, error) {
	rows, err := q.QueryContext(ctx, `SELECT result, input FROM run_results WHERE run_id = $1 ORDER BY subject_kind, subject_id`, runID)
	if err != nil {
		return nil, nil, fmt.Errorf("assess: load run: %w", err)
	}
	defer rows.Close()
	var ins []Input
	var rs []Result
	for rows.Next() {
		var rj, ij string
		if err := rows.Scan(&rj, &ij); err != nil {
			return nil, nil, err
		}
		var in Input
		var r Result
		if err := json.Unmarshal([]byte(ij), &in); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(rj), &r); err != nil {
			return nil, nil, err
		}
		ins, rs = append(ins, in), append(rs, r)
	}
	return ins, rs, rows.Err()
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
	return store.All(ctx, s.db.Q(ctx), "escalations", `SELECT `+escalationColumns+` FROM escalations e JOIN runs r ON r.id = e.run_id
		WHERE `+w.String()+` ORDER BY e.span DESC, e.subject_name, e.id`, w.Args, scanEscalation)
}

const escalationColumns = `e.id, e.run_id, e.scheme_code, e.span, e.subject_kind, e.subject_id, e.subject_name,
	e.escalation_id, e.name, e.action, e.periods, e.evidence, e.created_at`

func scanEscalation(row interface{ Scan(...any) error }) (EscalationRecord, error) {
	var e EscalationRecord
	var periods string
	if err := row.Scan(&e.ID, &e.RunID, &e.SchemeCode, &e.Span, &e.SubjectKind, &e.SubjectID, &e.SubjectName, &e.EscalationID,
		&e.Name, &e.Action, &periods, &e.Evidence, &e.CreatedAt); err != nil {
		return e, err
	}
	return e, json.Unmarshal([]byte(periods), &e.Periods)
}

// PayRow is one subject's lines on the payroll sheet.
type PayRow struct {
	SubjectID   string    `json:"subject_id"`
	Name        string    `json:"name"`
	Community   string    `json:"community"`
	Employment  string    `json:"employment"`
	Total       float64   `json:"total"`
	Max         float64   `json:"max"`
	NotAssessed string    `json:"not_assessed,omitempty"`
	Lines       []PayLine `json:"lines"`
	Fen         int64     `json:"fen"`
}

// Payroll computes the payroll sheet of a run: every worker result with
// the scheme's pay items, extra grid shares held on the span's last day,
// and revocations (escalations revoke_extra_grid of the same year).
func (s *Store) Payroll(ctx context.Context, runID string) (RunInfo, []PayRow, error) {
	info, err := s.GetRun(ctx, runID)
	if err != nil {
		return info, nil, err
	}
	_, sch, err := s.Scheme(ctx, info.SchemeID)
	if err != nil {
		return info, nil, err
	}
	span, err := ParseSpan(info.Span)
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
		store.Args{runID, string(Worker)}, func(row interface{ Scan(...any) error }) (signalRow, error) {
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
		if r.Subject.Kind != Worker {
			continue
		}
		row := PayRow{SubjectID: r.Subject.ID, Name: r.Subject.Name, Community: r.Subject.CommunityName, Employment: r.Subject.Employment,
			Total: r.Total, Max: r.Max, NotAssessed: r.NotAssessed}
		row.Lines = Pay(sch, r, len(span.Months()), shares[r.Subject.ID], revoked[r.Subject.ID], signals[r.Subject.ID])
		for _, l := range row.Lines {
			row.Fen += l.Fen
		}
		out = append(out, row)
	}
	return info, out, nil
}
