// Package care keeps the special-care groups (特殊人群: community-correction
// subjects, released prisoners, drug users, people with severe mental
// illness, …; a configurable list), the people in them (subjects), their
// visits by grid workers, and the facts seed 001's 三项重点 and seed 003
// item 1 ask for (facts.go).
//
// Everything here is sensitive. Free text (details of the offence or
// treatment, the reason a subject was lost, visit notes) is sealed at rest
// (internal/seal), never written to the audit log, and every read of a
// subject's details or visits, and every list of subjects, writes an audit
// entry saying who read what.
//
// A subject belongs to a group from BeganOn (the day they entered it in the
// world, e.g. the release date) to EndedOn, both days included. While in the
// group a subject is active, or lost (脱管失控) from LostOn until found.
package care

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/store"
)

// Seal contexts bind each sealed column's values to it.
const (
	detailsContext    = "care.details"
	lostReasonContext = "care.lost_reason"
	notesContext      = "care.visit_notes"
)

// MaxText is the longest free text (details, a lost reason, visit notes)
// accepted, in characters.
const MaxText = 4000

// Store reads and writes special-care groups, subjects and visits.
type Store struct {
	db     *store.DB
	people *records.Store
	keys   *seal.Keys
	// clock is the time now: entry times come from it. today is the
	// calendar's today, by default the clock's Shanghai day. Tests and the
	// demo, which enters history, use a store of their own with others
	// (WithClock, WithToday).
	clock func() time.Time
	today func() dates.Date
}

// NewStore returns a Store. people is where subjects' person records live;
// keys seal the free-text fields.
func NewStore(db *store.DB, people *records.Store, keys *seal.Keys) *Store {
	return (&Store{db: db, people: people, keys: keys}).WithClock(time.Now)
}

// WithClock returns a store like s whose entry times and "today" (the
// clock's Shanghai day) come from clock, for tests and the demo, which
// enters history: s itself is left as it is.
func (s *Store) WithClock(clock func() time.Time) *Store {
	c := *s
	c.clock = clock
	c.today = func() dates.Date { return dates.Of(clock()) }
	return &c
}

// WithToday returns a store like s whose calendar ("today", against which
// dates in the future are refused) is today, for tests; entry times still
// come from s's clock.
func (s *Store) WithToday(today func() dates.Date) *Store {
	c := *s
	c.today = today
	return &c
}

// now is the entry time of a change: the clock in UTC, to the microsecond
// (PostgreSQL's precision).
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// checkText checks a free-text field's length.
func checkText(field, v string) []apperr.FieldError {
	if n := utf8.RuneCountInString(v); n > MaxText {
		return []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("has %d characters; at most %d are accepted", n, MaxText)}}
	}
	if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
		return []apperr.FieldError{{Field: field, Reason: "is not valid text"}}
	}
	return nil
}

// checkWorldDate checks a date a change happened: required, not in the
// future.
func (s *Store) checkWorldDate(field string, d dates.Date) []apperr.FieldError {
	if d.IsZero() {
		return []apperr.FieldError{{Field: field, Reason: "is required: the date it happened"}}
	}
	if d.After(s.today()) {
		return []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("%s is in the future", d)}}
	}
	return nil
}

// daysBetween returns the number of days from a to b (negative if b is
// before a).
func daysBetween(a, b dates.Date) int {
	return int(math.Round(b.Start().Sub(a.Start()).Hours() / 24))
}

// Plan is how a group's subjects are to be visited.
type Plan string

// The plans.
const (
	// Monthly: once each calendar month, by the group's DueDay.
	Monthly Plan = "monthly"
	// Interval: every IntervalDays after the last visit (or after BeganOn
	// before the first), or every RiskIntervals[risk] days when the
	// subject's risk level has an entry there.
	Interval Plan = "interval"
)

// Risk is a subject's risk level (风险等级), which may shorten the visit
// interval.
type Risk string

// The risk levels.
const (
	Low    Risk = "low"
	Medium Risk = "medium"
	High   Risk = "high"
)

func (r Risk) valid() bool { return r == Low || r == Medium || r == High }

// Group is one special-care group and its visit plan.
type Group struct {
	Code string `json:"code" doc:"lower-case letters, digits and _, starting with a letter; at most 30"`
	Name string `json:"name" doc:"the Chinese name, e.g. 社区矫正对象"`
	Plan Plan   `json:"plan" enum:"monthly,interval"`
	// DueDay is the day of the month (1-28) by which a monthly visit is
	// due; default 28 (seed 001: "by the 28th of each month").
	DueDay int `json:"due_day" minimum:"1" maximum:"28"`
	// IntervalDays is the interval plan's visit interval; default 30.
	IntervalDays int `json:"interval_days"`
	// RiskIntervals overrides IntervalDays per risk level, e.g.
	// {"high":7,"medium":15,"low":30}; interval plan only.
	RiskIntervals map[Risk]int `json:"risk_intervals,omitempty"`
	// Active groups take new subjects; an inactive one takes none, but its
	// subjects stay, are visited and counted until they are ended.
	Active bool `json:"active"`
	Sort   int  `json:"sort"`
}

// interval returns the visit interval in days for a subject of risk r.
func (g Group) interval(r Risk) int {
	if d, ok := g.RiskIntervals[r]; ok && d > 0 {
		return d
	}
	return g.IntervalDays
}

var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// MaxIntervalDays bounds a visit interval.
const MaxIntervalDays = 366

func parseRiskIntervals(text string) (map[Risk]int, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var m map[Risk]int
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, fmt.Errorf("care: stored risk_intervals %q: %w", text, err)
	}
	return m, nil
}

const groupColumns = `code, name, plan, due_day, interval_days, risk_intervals, active, sort`

func scanGroup(row store.Row) (Group, error) {
	var g Group
	var ri string
	if err := row.Scan(&g.Code, &g.Name, &g.Plan, &g.DueDay, &g.IntervalDays, &ri, &g.Active, &g.Sort); err != nil {
		return Group{}, err
	}
	m, err := parseRiskIntervals(ri)
	g.RiskIntervals = m
	return g, err
}

// Groups returns the configured groups, in their sort order.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+groupColumns+` FROM care_groups ORDER BY sort, code`)
	if err != nil {
		return nil, fmt.Errorf("care: groups: %w", err)
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("care: groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// groupsByCode returns every group by code.
func groupsByCode(ctx context.Context, q store.Queryer) (map[string]Group, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+groupColumns+` FROM care_groups`)
	if err != nil {
		return nil, fmt.Errorf("care: groups: %w", err)
	}
	defer rows.Close()
	out := map[string]Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("care: groups: %w", err)
		}
		out[g.Code] = g
	}
	return out, rows.Err()
}

func getGroup(ctx context.Context, q store.Queryer, code string) (*Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM care_groups WHERE code = $1`, code))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("care: group %s: %w", code, err)
	}
	return &g, nil
}

// validate normalises g (defaults DueDay 28 and IntervalDays 30, as the
// table does) and lists its faults.
func (g *Group) validate() []apperr.FieldError {
	g.Name = strings.TrimSpace(g.Name)
	if g.DueDay == 0 {
		g.DueDay = 28
	}
	if g.IntervalDays == 0 {
		g.IntervalDays = 30
	}
	var bad []apperr.FieldError
	if !codeShape.MatchString(g.Code) {
		bad = append(bad, apperr.FieldError{Field: "code", Reason: fmt.Sprintf("%q must be 1 to 30 lower-case letters, digits and _, starting with a letter", g.Code)})
	}
	if g.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
	}
	bad = append(bad, checkText("name", g.Name)...)
	switch g.Plan {
	case Monthly, Interval:
	default:
		bad = append(bad, apperr.FieldError{Field: "plan", Reason: fmt.Sprintf("%q is not monthly (by a day of each month) or interval (every so many days)", g.Plan)})
	}
	if g.DueDay < 1 || g.DueDay > 28 {
		bad = append(bad, apperr.FieldError{Field: "due_day", Reason: fmt.Sprintf("%d is not a day from 1 to 28 (every month has it)", g.DueDay)})
	}
	if g.IntervalDays < 1 || g.IntervalDays > MaxIntervalDays {
		bad = append(bad, apperr.FieldError{Field: "interval_days", Reason: fmt.Sprintf("%d is not from 1 to %d", g.IntervalDays, MaxIntervalDays)})
	}
	if len(g.RiskIntervals) > 0 && g.Plan == Monthly {
		bad = append(bad, apperr.FieldError{Field: "risk_intervals", Reason: "apply to the interval plan only; a monthly plan is due by due_day whatever the risk"})
	}
	for r, d := range g.RiskIntervals {
		if !r.valid() {
			bad = append(bad, apperr.FieldError{Field: "risk_intervals", Reason: fmt.Sprintf("%q is not a risk level (low, medium, high)", r)})
		} else if d < 1 || d > MaxIntervalDays {
			bad = append(bad, apperr.FieldError{Field: "risk_intervals." + string(r), Reason: fmt.Sprintf("%d is not from 1 to %d", d, MaxIntervalDays)})
		}
	}
	return bad
}

// SetGroup creates the group g.Code, or replaces its name, plan and
// settings. A change of plan applies to every month measured afterwards,
// past months included when they are measured again. Errors: Invalid
// naming each bad field.
func (s *Store) SetGroup(ctx context.Context, actor string, g Group) (Group, error) {
	if bad := g.validate(); len(bad) > 0 {
		return Group{}, apperr.InvalidFields("cannot set care group "+g.Code, bad...)
	}
	ri := ""
	if len(g.RiskIntervals) > 0 {
		b, err := json.Marshal(g.RiskIntervals) // keys sorted: the text is stable
		if err != nil {
			return Group{}, fmt.Errorf("care: set group: %w", err)
		}
		ri = string(b)
	}
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		before, err := getGroup(ctx, tx, g.Code)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO care_groups (code, name, plan, due_day, interval_days, risk_intervals, active, sort)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, plan = excluded.plan, due_day = excluded.due_day,
				interval_days = excluded.interval_days, risk_intervals = excluded.risk_intervals, active = excluded.active, sort = excluded.sort`,
			g.Code, g.Name, g.Plan, g.DueDay, g.IntervalDays, ri, g.Active, g.Sort)
		if err != nil {
			return fmt.Errorf("care: set group %s: %w", g.Code, err)
		}
		action := "create"
		var b any
		if before != nil {
			action, b = "update", *before
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Entity: "care_group", EntityID: g.Code, Before: b, After: g})
		return err
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}
