package runs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/schemes"
)

// Store keeps schemes, runs, findings, appeals and escalations.
type Store struct {
	db  *store.DB
	org *org.Store
}

// NewStore returns a Store.
func NewStore(db *store.DB, orgs *org.Store) *Store { return &Store{db: db, org: orgs} }

// SchemeVersion is one stored version of a scheme.
type SchemeVersion struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Period    string    `json:"period"`
	Builtin   bool      `json:"builtin"`
	SHA256    string    `json:"sha256"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Body      string    `json:"body,omitempty"`
}

// CheckScheme parses and lints body. A parse error is returned as an
// Invalid error; lint messages come back as they are.
func CheckScheme(body []byte) (*Scheme, []Message, error) {
	s, err := Parse(body)
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "the scheme cannot be read: %v", err)
	}
	return s, Lint(s), nil
}

// SaveScheme stores a new scheme version after its check. Saving the same
// text again returns the stored version; another text under a stored code
// and version is a Conflict (raise the version). A scheme with lint errors
// is refused as Invalid, with the messages.
func (s *Store) SaveScheme(ctx context.Context, actor string, body []byte, builtin bool) (SchemeVersion, []Message, error) {
	sch, msgs, err := CheckScheme(body)
	if err != nil {
		return SchemeVersion{}, nil, err
	}
	if HasErrors(msgs) {
		var fields []apperr.FieldError
		for _, m := range msgs {
			if m.Severity == Error {
				fields = append(fields, apperr.FieldError{Field: "line " + m.Pos.String(), Reason: m.Text})
			}
		}
		return SchemeVersion{}, msgs, apperr.InvalidFields("the scheme does not pass its check", fields...)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var out SchemeVersion
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := schemeBy(ctx, tx, "code = $1 AND version = $2", sch.Code, sch.Version)
		if err == nil {
			if cur.SHA256 == hash {
				out = cur
				return nil
			}
			return apperr.New(apperr.Conflict, "scheme %s version %d is already stored with other text: raise the version", sch.Code, sch.Version)
		}
		if apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		out = SchemeVersion{ID: uuid.Must(uuid.NewV7()).String(), Code: sch.Code, Version: sch.Version, Title: sch.Title,
			Period: string(sch.Period), Builtin: builtin, SHA256: hash, CreatedBy: actor, CreatedAt: store.Now(), Body: string(body)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schemes (id, code, version, title, period, body, sha256, builtin, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, out.ID, out.Code, out.Version, out.Title, out.Period, out.Body, out.SHA256,
			out.Builtin, out.CreatedBy, out.CreatedAt); err != nil {
			return fmt.Errorf("assess: save scheme: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "scheme", EntityID: out.ID,
			After: map[string]any{"code": out.Code, "version": out.Version, "sha256": out.SHA256}})
		return err
	})
	return out, msgs, err
}

// InstallBuiltins stores every built-in template (schemes/*.yaml) that is
// not stored yet. It is safe to call at every start.
func (s *Store) InstallBuiltins(ctx context.Context) error {
	// One query at start; only a template not stored yet is parsed, checked
	// and stored.
	stored, err := store.All(ctx, s.db.Q(ctx), "scheme hashes", `SELECT sha256 FROM schemes`, nil, func(row interface{ Scan(...any) error }) (string, error) {
		var h string
		return h, row.Scan(&h)
	})
	if err != nil {
		return fmt.Errorf("assess: built-in templates: %w", err)
	}
	for _, name := range schemes.Names() {
		body, err := schemes.Read(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		if slices.Contains(stored, hex.EncodeToString(sum[:])) {
			continue
		}
		if _, _, err := s.SaveScheme(ctx, "system", body, true); err != nil {
			return fmt.Errorf("assess: built-in template %s: %w", name, err)
		}
	}
	return nil
}

const schemeColumns = `id, code, version, title, period, builtin, sha256, created_by, created_at`

func scanScheme(row interface{ Scan(...any) error }) (SchemeVersion, error) {
	var v SchemeVersion
	err := row.Scan(&v.ID, &v.Code, &v.Version, &v.Title, &v.Period, &v.Builtin, &v.SHA256, &v.CreatedBy, &v.CreatedAt)
	return v, err
}

// schemeBy returns the latest version matching where, with its body.
func schemeBy(ctx context.Context, q store.Queryer, where string, args ...any) (SchemeVersion, error) {
	var v SchemeVersion
	err := q.QueryRowContext(ctx, `SELECT `+schemeColumns+`, body FROM schemes WHERE `+where+` ORDER BY version DESC LIMIT 1`, args...).Scan(
		&v.ID, &v.Code, &v.Version, &v.Title, &v.Period, &v.Builtin, &v.SHA256, &v.CreatedBy, &v.CreatedAt, &v.Body)
	if store.IsNoRows(err) {
		return v, apperr.New(apperr.NotFound, "no such scheme")
	}
	if err != nil {
		return v, fmt.Errorf("assess: scheme: %w", err)
	}
	return v, nil
}

// Schemes lists every stored scheme version, without bodies.
func (s *Store) Schemes(ctx context.Context) ([]SchemeVersion, error) {
	return store.All(ctx, s.db.Q(ctx), "schemes", `SELECT `+schemeColumns+` FROM schemes ORDER BY code, version`, nil, scanScheme)
}

// Scheme returns a stored scheme by id, by code (its latest version) or by
// "code@version", parsed. Errors: NotFound.
func (s *Store) Scheme(ctx context.Context, ref string) (SchemeVersion, *Scheme, error) {
	q := s.db.Q(ctx)
	var v SchemeVersion
	var err error
	if code, ver, ok := strings.Cut(ref, "@"); ok {
		v, err = schemeBy(ctx, q, "code = $1 AND CAST(version AS TEXT) = $2", code, ver)
	} else {
		v, err = schemeBy(ctx, q, "id = $1 OR code = $1", ref)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return v, nil, apperr.New(apperr.NotFound, "no scheme %q (give its id, its code, or code@version)", ref)
		}
		return v, nil, err
	}
	sch, err := Parse([]byte(v.Body))
	if err != nil {
		return v, nil, fmt.Errorf("assess: stored scheme %s: %w", v.ID, err)
	}
	return v, sch, nil
}

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

func scanRun(row interface{ Scan(...any) error }) (RunInfo, error) {
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

// Run assesses the subtree of unitID for span under the scheme ref (id,
// code or code@version): it reads the stored facts and findings, evaluates,
// and stores the run with every result, the inputs it used and the
// escalations that fall due, all in one transaction. A run of the same
// scheme, span and unit that is still current is superseded by the new one.
func (s *Store) Run(ctx context.Context, actor, ref, spanText, unitID, reason string) (RunInfo, error) {
	v, sch, err := s.Scheme(ctx, ref)
	if err != nil {
		return RunInfo{}, err
	}
	span, err := ParseSpan(spanText)
	if err != nil {
		return RunInfo{}, apperr.Field("period", err.Error())
	}
	if span.Kind != sch.Period {
		return RunInfo{}, apperr.Field("period", fmt.Sprintf("scheme %s is assessed per %s; %s is not a %s (write e.g. %s)", sch.Code, sch.Period, span, sch.Period, SpanOf(sch.Period, span.Months()[0])))
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
	results, err := Evaluate(sch, span, inputs, Options{})
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
func (s *Store) storeRun(ctx context.Context, actor string, v SchemeVersion, sch *Scheme, span Span, unitID string,
	inputs []Input, results []Result, supersedes, reason string, then func(store.Tx, RunInfo) error) (RunInfo, error) {
	info := RunInfo{ID: uuid.Must(uuid.NewV7()).String(), SchemeID: v.ID, SchemeCode: v.Code, SchemeVersion: v.Version,
		SchemeTitle: v.Title, Span: span.String(), UnitID: unitID, Subjects: len(results), Reason: reason, CreatedBy: actor,
		CreatedAt: store.Now()}
	info.AppealsUntil = info.CreatedAt.AddDate(0, 0, sch.Appeals.Days)
	signals := make([]map[string]float64, len(results))
	names := EscalationFacts(sch)
	for i := range inputs {
		signals[i] = signalsOf(span, &inputs[i], names)
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

// signalsOf returns the facts escalations read, over the span.
func signalsOf(span Span, in *Input, names []string) map[string]float64 {
	if len(names) == 0 {
		return map[string]float64{}
	}
	idx := make([]int, len(span.Months()))
	for i := range idx {
		idx[i] = i
	}
	fr := &frame{span: span, in: in, months: idx, cache: map[string]aggregated{}, ccache: map[string]aggregated{}}
	out := map[string]float64{}
	for _, n := range names {
		if a, ok := fr.get(n, false); ok {
			out[n] = a.fact.Value
		}
	}
	return out
}

// withoutEvidence drops the evidence lists from a result: they are stored
// once, in the input, and put back by Explain.
func withoutEvidence(r Result) Result {
	cats := make([]CategoryResult, len(r.Categories))
	for i, c := range r.Categories {
		rules := make([]RuleResult, len(c.Rules))
		for j, rr := range c.Rules {
			facts := make([]FactUse, len(rr.Facts))
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

// escalate records the escalations that fall due with this run.
// signals[i] are results[i]'s escalation facts over the span.
func (s *Store) escalate(ctx context.Context, tx store.Tx, info RunInfo, sch *Scheme, span Span, results []Result, signals []map[string]float64) error {
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
	var spans []Span
	for sp, i := span.Prev(), 1; i < depth; sp, i = sp.Prev(), i+1 {
		spans = append([]Span{sp}, spans...)
	}
	past := map[string]map[string]Standing{} // span → subject → standing
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
		history := make([]Standing, 0, len(spans)+1)
		for _, sp := range spans {
			st, ok := past[sp.String()][string(r.Subject.Kind)+"/"+r.Subject.ID]
			if !ok {
				st = Standing{Span: sp.String()}
			}
			history = append(history, st)
		}
		history = append(history, Standing{Span: span.String(), Assessed: r.Assessed, Rank: r.Rank, Of: r.Of, Bottom: r.Bottom,
			Total: r.Total, Mean: mean[r.Subject.Kind], Vetoed: r.Vetoed != "", NoData: r.NoData, Facts: signals[i]})
		for _, t := range Escalate(sch, history) {
			pj, _ := json.Marshal(t.Periods)
			if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, run_id, scheme_code, span, subject_kind, subject_id, subject_name,
				escalation_id, name, action, periods, evidence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				uuid.Must(uuid.NewV7()).String(), info.ID, info.SchemeCode, info.Span, r.Subject.Kind, r.Subject.ID, r.Subject.Name,
				t.ID, t.Name, t.Action, string(pj), t.Evidence, now); err != nil {
				return fmt.Errorf("assess: store escalation: %w", err)
			}
		}
	}
	return nil
}

// tableMeans returns the mean total of the assessed results per kind.
func tableMeans(rs []Result) map[SubjectKind]float64 {
	sum := map[SubjectKind]float64{}
	n := map[SubjectKind]float64{}
	for _, r := range rs {
		if r.Assessed {
			sum[r.Subject.Kind] += r.Total
			n[r.Subject.Kind]++
		}
	}
	out := map[SubjectKind]float64{}
	for k := range sum {
		out[k] = sum[k] / n[k]
	}
	return out
}

// standings returns each subject's standing in the current run of a
// scheme code, span and unit (none if there is no such run).
func standings(ctx context.Context, q store.Queryer, code, span, unit string) (map[string]Standing, error) {
	rows, err := q.QueryContext(ctx, `SELECT rr.subject_kind, rr.subject_id, rr.assessed, rr.rank, rr.of_total, rr.bottom, rr.total, rr.vetoed, rr.signals
		FROM run_results rr JOIN runs r ON r.id = rr.run_id JOIN schemes s ON s.id = r.scheme_id
		WHERE s.code = $1 AND r.span = $2 AND r.unit_id = $3 AND r.superseded_by IS NULL`, code, span, unit)
	if err != nil {
		return nil, fmt.Errorf("assess: standings: %w", err)
	}
	defer rows.Close()
	out := map[string]Standing{}
	sum := map[string]float64{}
	n := map[string]float64{}
	for rows.Next() {
		var kind, id, vetoed, signals string
		st := Standing{Span: span}
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

// Inputs reads what a run of sch over span for the subtree of unitID
// needs: the subjects, the stored facts the scheme reads, and the confirmed
// findings.
func (s *Store) Inputs(ctx context.Context, sch *Scheme, span Span, unitID string) ([]Input, error) {
	if err := sch.ready(); err != nil {
		return nil, apperr.New(apperr.Invalid, "%v", err)
	}
	last := span.Last()
	units, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: last, WithinID: unitID, WithoutGeometry: true})
	if err != nil {
		return nil, err
	}
	byID := map[string]org.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	communityOf := func(id string) org.Unit {
		for u, ok := byID[id]; ok; u, ok = byID[u.ParentID] {
			if u.Level == org.Community {
				return u
			}
		}
		return org.Unit{}
	}
	var subjects []Subject
	for _, spec := range sch.Subjects {
		switch spec.Kind {
		case Community:
			for _, u := range units {
				if u.Level == org.Community {
					subjects = append(subjects, Subject{Kind: Community, ID: u.ID, Name: u.Name, Community: u.ID, CommunityName: u.Name})
				}
			}
		case Worker:
			ws, err := s.workerSubjects(ctx, span, unitID, spec, byID, communityOf)
			if err != nil {
				return nil, err
			}
			subjects = append(subjects, ws...)
		}
	}
	names := schemeFacts(sch)
	months := span.Months()
	// facts[kind/id][month] → Facts
	facts := map[string][]Facts{}
	for mi, m := range months {
		if err := s.readFacts(ctx, m, names, func(kind, id string, f metric.Fact) {
			key := kind + "/" + id
			fs := facts[key]
			if fs == nil {
				fs = make([]Facts, len(months))
				facts[key] = fs
			}
			if fs[mi] == nil {
				fs[mi] = Facts{}
			}
			fs[mi][f.Name] = f
		}); err != nil {
			return nil, err
		}
	}
	findings, err := s.confirmedFindings(ctx, months)
	if err != nil {
		return nil, err
	}
	empty := make([]Facts, len(months))
	inputs := make([]Input, len(subjects))
	for i, sub := range subjects {
		in := Input{Subject: sub}
		switch sub.Kind {
		case Worker:
			in.Months = facts["worker/"+sub.ID]
			in.Community = facts["unit/"+sub.Community]
		case Community:
			in.Months = facts["unit/"+sub.ID]
			in.Community = in.Months
		}
		if in.Months == nil {
			in.Months = empty
		}
		if in.Community == nil {
			in.Community = empty
		}
		in.Findings = findings[string(sub.Kind)+"/"+sub.ID]
		inputs[i] = in
	}
	return inputs, nil
}

// workerSubjects lists the workers a scheme assesses in the subtree: in
// one of the spec's posts, joined by the span's last day and not gone
// before its first; with the grid they answered for and its community.
func (s *Store) workerSubjects(ctx context.Context, span Span, unitID string, spec SubjectSpec, units map[string]org.Unit, communityOf func(string) org.Unit) ([]Subject, error) {
	ws, _, err := s.org.ListWorkers(ctx, org.WorkerQuery{WithinID: unitID, On: span.Last()})
	if err != nil {
		return nil, err
	}
	posts := spec.Posts
	if len(posts) == 0 {
		posts = []string{string(org.GridWorker), string(org.GridLeader), string(org.AreaLeader)}
	}
	owners, err := s.org.GridOwners(ctx, span.First(), span.Last())
	if err != nil {
		return nil, err
	}
	gridOf := map[string]string{}
	grids := make([]string, 0, len(owners))
	for g := range owners {
		grids = append(grids, g)
	}
	sort.Strings(grids)
	for _, g := range grids {
		if w := owners[g].Worker; w != "" {
			if _, ok := gridOf[w]; !ok {
				gridOf[w] = g
			}
		}
	}
	var out []Subject
	for _, w := range ws {
		keep := false
		for _, p := range posts {
			keep = keep || string(w.Post) == p
		}
		if !keep || w.InPostSince.After(span.Last()) || (!w.LeftPostOn.IsZero() && w.LeftPostOn.Before(span.First())) {
			continue
		}
		sub := Subject{Kind: Worker, ID: w.ID, Name: w.Name, Employment: string(w.Employment), Post: string(w.Post),
			InPostSince: w.InPostSince, LeftPostOn: w.LeftPostOn}
		if g, ok := gridOf[w.ID]; ok {
			sub.Grid = g
			sub.GridName = units[g].Name
		}
		home := sub.Grid
		if home == "" {
			home = w.HomeUnitID
		}
		c := communityOf(home)
		sub.Community, sub.CommunityName = c.ID, c.Name
		out = append(out, sub)
	}
	return out, nil
}

// schemeFacts returns every fact sch reads, canonical.
func schemeFacts(sch *Scheme) []string {
	var names []string
	for _, cr := range sch.compiled {
		names = append(names, cr.facts...)
	}
	for _, f := range sch.zeroIf {
		names = append(names, f.facts...)
	}
	names = append(names, EscalationFacts(sch)...)
	names = dedupe(names)
	sort.Strings(names)
	return names
}

// readFacts streams the stored facts named names for month m.
func (s *Store) readFacts(ctx context.Context, m metric.Period, names []string, fn func(kind, id string, f metric.Fact)) error {
	if len(names) == 0 {
		return nil
	}
	var args store.Args
	period := args.Add(m.String())
	ph := make([]string, len(names))
	for i, n := range names {
		ph[i] = args.Add(n)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT subject_kind, subject_id, name, value, COALESCE(num, 0), COALESCE(den, 0), evidence
		FROM fact_values WHERE period = `+period+` AND name IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("assess: read facts %s: %w", m, err)
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
				return fmt.Errorf("assess: evidence of %s %s: %w", f.Name, id, err)
			}
		}
		f.Subject, f.SubjectID = metric.SubjectKind(kind), id
		fn(kind, id, f)
	}
	return rows.Err()
}
