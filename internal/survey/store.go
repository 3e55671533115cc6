package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// Store keeps surveys, the codes that prove who answers, and the answers.
type Store struct {
	db  *store.DB
	org *org.Store
	rec *records.Store
	// Sender sends SMS verification codes; LogSender until a gateway is
	// configured.
	Sender CodeSender
	// Limits are the public side's rate limits.
	limits *Limits
	// clock is the time now; tests and the demo use a store of their own
	// with another (WithClock).
	clock func() time.Time
}

// NewStore returns a Store with the default rate limits and a LogSender.
func NewStore(db *store.DB, orgs *org.Store, rec *records.Store) *Store {
	return &Store{db: db, org: orgs, rec: rec, Sender: LogSender{}, limits: NewLimits(DefaultLimits), clock: time.Now}
}

// WithClock returns a store like s that reads the time from clock, for
// tests and the demo, which enters history: s itself is left as it is.
func (s *Store) WithClock(clock func() time.Time) *Store {
	c := *s
	c.clock = clock
	return &c
}

// SetLimits replaces the rate limits (tests, or an operator's settings).
func (s *Store) SetLimits(c LimitConfig) { s.limits = NewLimits(c) }

func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// The survey statuses: a draft is being prepared, an open survey takes
// answers, a closed one no longer does.
const (
	Draft  = "draft"
	Open   = "open"
	Closed = "closed"
)

// Survey is one satisfaction survey.
type Survey struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// UnitID is the street or community whose grids it is about.
	UnitID     string `json:"unit_id"`
	PeriodKind string `json:"period_kind" enum:"month,quarter"`
	Period     string `json:"period" doc:"YYYY-MM or YYYY-Qn"`
	// FactMonth is the month whose facts count the survey's answers: the
	// month itself, or a quarter's last month (see docs/metrics.md).
	FactMonth      string          `json:"fact_month"`
	From           dates.Date      `json:"from"`
	To             dates.Date      `json:"to"`
	Questionnaires []Questionnaire `json:"questionnaires"`
	Status         string          `json:"status" enum:"draft,open,closed"`
	CreatedBy      string          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	OpenedAt       *time.Time      `json:"opened_at"`
	ClosedAt       *time.Time      `json:"closed_at"`
}

// Questionnaire returns the survey's questionnaire for a, if it asks a.
func (v Survey) Questionnaire(a Audience) (Questionnaire, bool) {
	for _, q := range v.Questionnaires {
		if q.Audience == a {
			return q, true
		}
	}
	return Questionnaire{}, false
}

// NewSurvey asks for a survey.
type NewSurvey struct {
	// Title defaults to "<period> 网格员工作满意度测评".
	Title  string `json:"title,omitempty"`
	UnitID string `json:"unit_id" doc:"a street or a community"`
	Period string `json:"period" doc:"a month YYYY-MM or a quarter YYYY-Qn"`
	// Audiences default to all three.
	Audiences []Audience `json:"audiences,omitempty"`
	// Questionnaires replace the built-in one of their audience.
	Questionnaires []Questionnaire `json:"questionnaires,omitempty"`
}

var quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// ParsePeriod reads "YYYY-MM" or "YYYY-Qn" and returns the kind, the first
// and last days and the fact month (the month itself or the quarter's last
// month).
func ParsePeriod(s string) (kind string, from, to dates.Date, fact metric.Period, err error) {
	if m := quarterRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		from = dates.New(y, time.Month(3*q-2), 1)
		to = from.AddMonths(3).AddDays(-1)
		return "quarter", from, to, metric.Period{Year: y, Month: time.Month(3 * q)}, nil
	}
	p, err := metric.ParsePeriod(s)
	if err != nil {
		return "", from, to, fact, fmt.Errorf("%q is neither a month YYYY-MM nor a quarter YYYY-Qn", s)
	}
	return "month", p.First(), p.Last(), p, nil
}

// Create stores a draft survey. Errors: Invalid (period, audiences,
// questionnaires, a unit that is not a street or community), NotFound.
func (s *Store) Create(ctx context.Context, actor string, in NewSurvey) (Survey, error) {
	kind, from, to, fact, err := ParsePeriod(in.Period)
	if err != nil {
		return Survey{}, apperr.Field("period", err.Error())
	}
	u, err := s.org.GetUnit(ctx, in.UnitID, to)
	if err != nil {
		return Survey{}, err
	}
	if u.Level != org.Street && u.Level != org.Community {
		return Survey{}, apperr.Field("unit_id", fmt.Sprintf("%s is a %s; a survey covers a street or a community", u.Name, u.Level))
	}
	auds := in.Audiences
	if len(auds) == 0 {
		auds = Audiences
	}
	var qs []Questionnaire
	var bad []apperr.FieldError
	for i, a := range auds {
		if !a.Valid() {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("audiences[%d]", i), Reason: "not resident, cadre or unit"})
			continue
		}
		q := Builtin(a)
		for _, given := range in.Questionnaires {
			if given.Audience == a {
				q = given
			}
		}
		for _, x := range qs {
			if x.Audience == a {
				bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("audiences[%d]", i), Reason: "listed twice"})
			}
		}
		qs = append(qs, q)
	}
	for i, q := range in.Questionnaires {
		if err := q.Validate(); err != nil {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("questionnaires[%d]", i), Reason: err.Error()})
		}
	}
	if len(bad) > 0 {
		return Survey{}, apperr.InvalidFields("invalid survey", bad...)
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = in.Period + " 网格员工作满意度测评"
	}
	v := Survey{ID: store.NewID(), Title: title, UnitID: u.ID, PeriodKind: kind, Period: in.Period,
		FactMonth: fact.String(), From: from, To: to, Questionnaires: qs, Status: Draft, CreatedBy: actor, CreatedAt: s.now()}
	body, _ := json.Marshal(qs)
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO surveys (id, title, unit_id, period_kind, period, fact_month, first_day, last_day,
			questionnaires, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			v.ID, v.Title, v.UnitID, v.PeriodKind, v.Period, v.FactMonth, v.From, v.To, string(body), v.Status, actor, v.CreatedAt); err != nil {
			return fmt.Errorf("survey: create: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "survey", EntityID: v.ID, After: v})
		return err
	})
	if err != nil {
		return Survey{}, err
	}
	return v, nil
}

const surveyColumns = `id, title, unit_id, period_kind, period, fact_month, first_day, last_day, questionnaires, status, created_by, created_at, opened_at, closed_at`

func scanSurvey(row store.Row) (Survey, error) {
	var v Survey
	var body string
	var opened, closed sql.NullTime
	if err := row.Scan(&v.ID, &v.Title, &v.UnitID, &v.PeriodKind, &v.Period, &v.FactMonth, &v.From, &v.To, &body, &v.Status,
		&v.CreatedBy, &v.CreatedAt, &opened, &closed); err != nil {
		return Survey{}, err
	}
	if err := json.Unmarshal([]byte(body), &v.Questionnaires); err != nil {
		return Survey{}, fmt.Errorf("survey %s: questionnaires: %w", v.ID, err)
	}
	v.CreatedAt = v.CreatedAt.UTC()
	if opened.Valid {
		t := opened.Time.UTC()
		v.OpenedAt = &t
	}
	if closed.Valid {
		t := closed.Time.UTC()
		v.ClosedAt = &t
	}
	return v, nil
}

// Get returns survey id. Errors: NotFound.
func (s *Store) Get(ctx context.Context, id string) (Survey, error) {
	v, err := scanSurvey(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return Survey{}, apperr.New(apperr.NotFound, "no survey %s", id)
	}
	if err != nil {
		return Survey{}, fmt.Errorf("survey: get %s: %w", id, err)
	}
	return v, nil
}

// Query filters List; empty fields do not filter.
type Query struct {
	Status    string
	FactMonth string
}

// List returns the surveys matching q, newest period first.
func (s *Store) List(ctx context.Context, q Query) ([]Survey, error) {
	var args store.Args
	where := []string{"1 = 1"}
	if q.Status != "" {
		where = append(where, "status = "+args.Add(q.Status))
	}
	if q.FactMonth != "" {
		where = append(where, "fact_month = "+args.Add(q.FactMonth))
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE `+strings.Join(where, " AND ")+
		` ORDER BY first_day DESC, created_at DESC, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("survey: list: %w", err)
	}
	defer rows.Close()
	var out []Survey
	for rows.Next() {
		v, err := scanSurvey(rows)
		if err != nil {
			return nil, fmt.Errorf("survey: list: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Open starts taking answers. A survey opens once, from draft; no two open
// surveys may cover the same grid, so that a grid's public link has one
// survey to answer. Errors: NotFound, Conflict.
func (s *Store) Open(ctx context.Context, actor, id string) (Survey, error) {
	return s.move(ctx, actor, id, Draft, Open)
}

// Close stops taking answers. Errors: NotFound, Conflict (not open).
func (s *Store) Close(ctx context.Context, actor, id string) (Survey, error) {
	return s.move(ctx, actor, id, Open, Closed)
}

func (s *Store) move(ctx context.Context, actor, id, from, to string) (Survey, error) {
	var out Survey
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		v, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if v.Status != from {
			return apperr.New(apperr.Conflict, "survey %s is %s, not %s", id, v.Status, from)
		}
		if to == Open {
			open, err := s.List(ctx, Query{Status: Open})
			if err != nil {
				return err
			}
			for _, o := range open {
				if overlap, err := s.overlaps(ctx, o.UnitID, v.UnitID); err != nil {
					return err
				} else if overlap {
					return apperr.New(apperr.Conflict, "survey %s (%s) is open over the same grids; close it first", o.ID, o.Title)
				}
			}
		}
		now := s.now()
		col := "opened_at"
		if to == Closed {
			col = "closed_at"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE surveys SET status = $1, `+col+` = $2 WHERE id = $3`, to, now, id); err != nil {
			return fmt.Errorf("survey: %s %s: %w", to, id, err)
		}
		before := v
		v.Status = to
		if to == Open {
			v.OpenedAt = &now
		} else {
			v.ClosedAt = &now
		}
		out = v
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: to, Entity: "survey", EntityID: id,
			Before: map[string]string{"status": before.Status}, After: map[string]string{"status": to}})
		return err
	})
	return out, err
}

// overlaps reports whether one of units a and b lies in the other today.
func (s *Store) overlaps(ctx context.Context, a, b string) (bool, error) {
	today := dates.Of(s.clock())
	in, err := s.org.InSubtree(ctx, a, b, today)
	if err != nil || in {
		return in, err
	}
	return s.org.InSubtree(ctx, b, a, today)
}

// OpenFor returns the open survey covering grid on the survey side's
// today. Errors: NotFound (no open survey covers it).
func (s *Store) OpenFor(ctx context.Context, gridID string) (Survey, error) {
	open, err := s.List(ctx, Query{Status: Open})
	if err != nil {
		return Survey{}, err
	}
	today := dates.Of(s.clock())
	for _, v := range open {
		in, err := s.org.InSubtree(ctx, gridID, v.UnitID, today)
		if err != nil {
			return Survey{}, err
		}
		if in {
			return v, nil
		}
	}
	return Survey{}, apperr.New(apperr.NotFound, "no survey is open for grid %s", gridID)
}
