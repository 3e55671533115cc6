// Package duty records the workers' duty (工作纪律 and more): daily logins
// to the app and the PC system, meetings, trainings and checks with their
// attendance, leave slips and their approval, the daily work sheet (plan at
// sign-in, result at sign-out) and lateness, volunteer activities with
// photos and their review, publicity articles, required reports with their
// deadlines and review, the community's written systems on file, each
// worker's duty profile (office-based, app installed) and the findings
// staff record (an assignment refused, the work phone not carried, a
// prominent issue not analysed in time, a platform task missed). From them
// it measures the duty facts (facts.go).
//
// Every record a phone sends carries a client-made UUID (client_id): a
// resend returns the first record and changes nothing. Every write appends
// an audit entry in its transaction, except the automatic login capture
// (NoteLogin), which the authentication it follows already vouches for.
//
// Day rules are Asia/Shanghai, working days and hours come from the work
// calendar (internal/workcal).
package duty

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/files"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// MaxText is the longest free text (a plan, a result, minutes, a note)
// accepted, in characters.
const MaxText = 4000

// maxTitle bounds titles and short fields, in characters.
const maxTitle = 200

// clockSkew is how far ahead of the server's clock a phone's time may be
// before it counts as "in the future".
const clockSkew = 5 * time.Minute

// Store reads and writes the duty records.
type Store struct {
	db  *store.DB
	org *org.Store
	cal *workcal.Store
	// logins remembers today's stored logins, so NoteLogin writes once a
	// day per worker and client.
	logins loginCache
	// clock is the time now; tests and the demo use a store of their own
	// with another (WithClock).
	clock func() time.Time
}

// NewStore returns a Store; orgs answers which grids and workers exist and
// who answers for a grid.
func NewStore(db *store.DB, orgs *org.Store) *Store {
	return &Store{db: db, org: orgs, cal: workcal.NewStore(db), clock: time.Now}
}

// WithClock returns a store like s that reads the time from clock, for
// tests and the demo, which enters history: s itself is left as it is, so
// a server using s meanwhile keeps the real time. The copy starts with an
// empty note of today's logins.
func (s *Store) WithClock(clock func() time.Time) *Store {
	return &Store{db: s.db, org: s.org, cal: s.cal, clock: clock}
}

// now is the entry time of a change: the clock in UTC, to the microsecond
// (PostgreSQL's precision).
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// today is the clock's Shanghai day.
func (s *Store) today() dates.Date { return dates.Of(s.clock()) }

// Calendar returns the work calendar in force.
func (s *Store) Calendar(ctx context.Context) (*workcal.Calendar, error) {
	return s.cal.Calendar(ctx)
}

func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// problems collects field errors.
type problems []apperr.FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, apperr.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// text checks a free-text field: valid text, at most max characters, and
// present when required.
func (p *problems) text(field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		p.add(field, "is required")
	case !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0:
		p.add(field, "is not valid text")
	case utf8.RuneCountInString(v) > max:
		p.add(field, "has %d characters; at most %d are accepted", utf8.RuneCountInString(v), max)
	}
}

// clientID checks a client-made id: empty, or a UUID.
func (p *problems) clientID(v string) {
	if v == "" {
		return
	}
	if _, err := uuid.Parse(v); err != nil {
		p.add("client_id", "%q is not a UUID; the phone makes one per record so that a resend is a no-op", v)
	}
}

// notFuture checks that t is not ahead of the clock.
func (s *Store) notFuture(p *problems, field string, t time.Time) {
	if t.After(s.clock().Add(clockSkew)) {
		p.add(field, "%s is in the future", t.In(dates.Shanghai).Format(time.DateTime))
	}
}

func (p problems) err(message string) error {
	if len(p) == 0 {
		return nil
	}
	return apperr.InvalidFields(message, p...)
}

// fileExists checks that an uploaded file is stored.
func fileExists(ctx context.Context, q store.Queryer, p *problems, field, sha string) error {
	if sha == "" {
		return nil
	}
	uploaded, err := files.Exists(ctx, q, sha)
	if err != nil {
		return fmt.Errorf("duty: look up file: %w", err)
	}
	if !uploaded {
		p.add(field, "no uploaded file %s; upload it first (POST /api/files)", sha)
	}
	return nil
}

// workerExists checks that a worker is on the staff list.
func workerExists(ctx context.Context, q store.Queryer, p *problems, field, id string) error {
	if id == "" {
		p.add(field, "is required")
		return nil
	}
	known, err := org.WorkerExists(ctx, q, id)
	if err != nil {
		return fmt.Errorf("duty: look up worker: %w", err)
	}
	if !known {
		p.add(field, "no worker %s", id)
	}
	return nil
}

// unitLevel returns a unit's level, or "" when there is no such unit.
func unitLevel(ctx context.Context, q store.Queryer, id string) (org.Level, error) {
	l, err := org.UnitLevel(ctx, q, id)
	if err != nil {
		return "", fmt.Errorf("duty: look up unit: %w", err)
	}
	return l, nil
}

// unitOf checks that id is a unit of one of the given levels.
func unitOf(ctx context.Context, q store.Queryer, p *problems, field, id string, levels ...org.Level) error {
	if id == "" {
		p.add(field, "is required")
		return nil
	}
	l, err := unitLevel(ctx, q, id)
	if err != nil {
		return err
	}
	if l == "" {
		p.add(field, "no org unit %s", id)
		return nil
	}
	for _, x := range levels {
		if l == x {
			return nil
		}
	}
	p.add(field, "%s is a %s; expected one of %v", id, l, levels)
	return nil
}

// Scope limits a list: to records of one worker, of the workers whose home
// unit lies under a unit, or of units under it.
type Scope struct {
	// WithinID is the subtree (today's tree) the records must belong to;
	// "" for everything.
	WithinID string
	// WorkerID keeps only one worker's records, where records have one.
	WorkerID string
}

// workerScope returns the SQL prefix and condition limiting a column of
// worker ids to sc.
func workerScope(args *store.Args, sc Scope, col string, on dates.Date) (prefix, cond string) {
	var conds []string
	if sc.WithinID != "" {
		prefix = org.SubtreeCTE(args, sc.WithinID, on)
		conds = append(conds, col+" IN ("+org.WorkersHomedInSub+")")
	}
	if sc.WorkerID != "" {
		conds = append(conds, col+" = "+args.Add(sc.WorkerID))
	}
	if len(conds) == 0 {
		return "", "1 = 1"
	}
	return prefix, strings.Join(conds, " AND ")
}

// unitScope returns the SQL prefix and condition limiting a column of unit
// ids to the subtree sc.WithinID.
func unitScope(args *store.Args, sc Scope, col string, on dates.Date) (prefix, cond string) {
	if sc.WithinID == "" {
		return "", "1 = 1"
	}
	return org.SubtreeCTE(args, sc.WithinID, on), col + " IN (SELECT id FROM sub)"
}

// Month is a calendar month's bounds for lists.
type Month struct{ From, To dates.Date }

// monthOf returns the first and last day of the month "YYYY-MM"; the
// zero string means no bound.
func monthOf(field, s string) (Month, error) {
	if s == "" {
		return Month{}, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, apperr.Field(field, fmt.Sprintf("%q is not a month of the form YYYY-MM", s))
	}
	first := dates.New(t.Year(), t.Month(), 1)
	return Month{first, first.AddMonths(1).AddDays(-1)}, nil
}
