// Package events keeps the events (事件) grid workers and residents report:
// the configurable category tree with each category's limits and
// reporting conditions (categories.go), the workflow 上报 → 受理 → 派遣 →
// 处置 → 核查 → 结案 with 回退, 延期, 挂账 and 作废 (machine.go, workflow.go),
// the clocks on the work calendar with their lights and the yellow and red
// cards (clock.go, cards.go), the reporting-quality checks (duplicates,
// description, photos) and the facts seed 001's 事件办理 and seed 003 items
// 4-8 ask for (facts.go).
package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// Severity is how serious an event is (seed 001: 一般, 较大, 重大).
type Severity string

// The severities.
const (
	Ordinary Severity = "ordinary" // 一般
	Larger   Severity = "larger"   // 较大
	// Major (重大: mass incident, major case, natural disaster, fire) must
	// reach the district and town centres within MajorReportLimit.
	Major Severity = "major"
)

func (s Severity) valid() bool { return s == Ordinary || s == Larger || s == Major }

// MajorReportLimit is seed 001's limit for a major event to reach the
// district and town centres, from when it happened.
const MajorReportLimit = 2 * time.Hour

// Source says who reported an event.
type Source string

// The sources. Only a worker's report counts towards their quota; the
// others are "found by another channel" (events.unreported).
const (
	FromWorker     Source = "worker"     // a grid worker, through the app
	FromResident   Source = "resident"   // a resident, e.g. over Open311
	FromHotline    Source = "hotline"    // a city hotline system (12345)
	FromHigher     Source = "higher"     // passed down by a higher level
	FromInspection Source = "inspection" // found by an inspector
)

func (s Source) valid() bool {
	switch s {
	case FromWorker, FromResident, FromHotline, FromHigher, FromInspection:
		return true
	}
	return false
}

// MaxText is the longest description or note accepted, in characters.
const MaxText = 4000

// clockSkew is how far ahead of the server's clock a phone's time may be.
const clockSkew = 5 * time.Minute

// Store reads and writes events.
type Store struct {
	db  *store.DB
	cal *workcal.Store
	// clock is the time now: entry and step times come from it. Tests
	// and the demo replace it.
	clock func() time.Time
	// pinned, when set, is the calendar used instead of the stored one.
	pinned *workcal.Calendar
	bulk   bulkState
	// keys, when set, seal a resident's contact (name, phone, email) at
	// rest, as identity numbers are: personal data of people who are not
	// the centre's staff (Options.Keys).
	keys *seal.Keys
}

// Contexts a resident's contact fields are sealed under.
const (
	sealContactName  = "event.contact_name"
	sealContactPhone = "event.contact_phone"
	sealContactEmail = "event.contact_email"
)

// sealContact returns c with each field sealed (or c when no keys are set).
func (s *Store) sealContact(c Contact) (Contact, error) {
	if s.keys == nil {
		return c, nil
	}
	var out Contact
	for _, f := range []struct {
		dst   *string
		value string
		ctx   string
	}{{&out.Name, c.Name, sealContactName}, {&out.Phone, c.Phone, sealContactPhone}, {&out.Email, c.Email, sealContactEmail}} {
		v, err := s.keys.Seal(f.value, f.ctx)
		if err != nil {
			return Contact{}, fmt.Errorf("events: seal contact: %w", err)
		}
		*f.dst = v
	}
	return out, nil
}

// openContact opens e's contact in place. A field that is not a sealed
// value was stored before sealing began and is plain text already; a
// sealed value that does not open (another key, tampering) is an error.
func (s *Store) openContact(e *Event) error {
	if e.Contact == nil || s.keys == nil {
		return nil
	}
	for _, f := range []struct {
		v   *string
		ctx string
	}{{&e.Contact.Name, sealContactName}, {&e.Contact.Phone, sealContactPhone}, {&e.Contact.Email, sealContactEmail}} {
		plain, err := s.keys.Open(*f.v, f.ctx)
		switch {
		case errors.Is(err, seal.ErrFormat):
		case err != nil:
			return fmt.Errorf("events: contact of event %s: %w", e.ID, err)
		default:
			*f.v = plain
		}
	}
	return nil
}

// SealStoredContacts seals the residents' contacts stored in plain text
// (before the store had keys) and reports how many events it changed. It
// is idempotent; `gridwork seal-contacts` runs it once on an existing
// database.
func (s *Store) SealStoredContacts(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, nil
	}
	type row struct {
		id string
		c  Contact
	}
	// Sealed values begin "v1."; only rows with a field that does not are
	// read (a start with everything sealed reads nothing).
	rows, err := store.All(ctx, s.db.Q(ctx), "events", `SELECT id, contact_name, contact_phone, contact_email FROM events
		WHERE (contact_name <> '' AND contact_name NOT LIKE 'v1.%') OR (contact_phone <> '' AND contact_phone NOT LIKE 'v1.%')
		OR (contact_email <> '' AND contact_email NOT LIKE 'v1.%')`, nil, func(r store.Row) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.c.Name, &x.c.Phone, &x.c.Email)
		return x, err
	})
	if err != nil {
		return 0, fmt.Errorf("events: read contacts: %w", err)
	}
	n := 0
	for _, x := range rows {
		c, changed := x.c, false
		for _, f := range []struct {
			v   *string
			ctx string
		}{{&c.Name, sealContactName}, {&c.Phone, sealContactPhone}, {&c.Email, sealContactEmail}} {
			_, err := s.keys.Open(*f.v, f.ctx)
			if err == nil {
				continue // sealed already (or empty)
			}
			if !errors.Is(err, seal.ErrFormat) {
				return n, fmt.Errorf("events: contact of event %s: %w", x.id, err)
			}
			if *f.v, err = s.keys.Seal(*f.v, f.ctx); err != nil {
				return n, fmt.Errorf("events: seal contact of %s: %w", x.id, err)
			}
			changed = true
		}
		if !changed {
			continue
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE events SET contact_name = $1, contact_phone = $2, contact_email = $3 WHERE id = $4`,
			c.Name, c.Phone, c.Email, x.id); err != nil {
			return n, fmt.Errorf("events: seal contact of %s: %w", x.id, err)
		}
		n++
	}
	return n, nil
}

// Options are what a Store needs beyond the database and the calendar;
// the zero value keeps contacts in plain text and reads the system clock.
type Options struct {
	// Keys seal residents' contacts at rest, as identity numbers are.
	// Values stored in plain text before are still read;
	// SealStoredContacts seals them.
	Keys *seal.Keys
	// Clock is the time now (default time.Now): entry and step times
	// come from it.
	Clock func() time.Time
}

// NewStore returns a Store counting limits on the calendar cal keeps.
func NewStore(db *store.DB, cal *workcal.Store, opt Options) *Store {
	s := &Store{db: db, cal: cal, keys: opt.Keys, clock: opt.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s
}

// WithClock returns a store like s (not in bulk mode, calendar not pinned)
// that reads the time from clock, for the demo, which enters history: s
// itself is left as it is, so a server using s meanwhile keeps the real
// time.
func (s *Store) WithClock(clock func() time.Time) *Store {
	return &Store{db: s.db, cal: s.cal, keys: s.keys, clock: clock}
}

// Calendar returns the work calendar in force.
func (s *Store) Calendar(ctx context.Context) (*workcal.Calendar, error) {
	if s.pinned != nil {
		return s.pinned, nil
	}
	return s.cal.Calendar(ctx)
}

// PinCalendar makes the store count on cal instead of reading the stored
// calendar at every call, for a bulk load such as the demo's, during which
// nobody edits the calendar; nil unpins it.
func (s *Store) PinCalendar(cal *workcal.Calendar) { s.pinned = cal }

// CalendarStore returns the store of the calendar's edits.
func (s *Store) CalendarStore() *workcal.Store { return s.cal }

func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// checkText checks a free-text field's length and encoding.
func checkText(field, v string, maxLen int) []apperr.FieldError {
	if n := utf8.RuneCountInString(v); n > maxLen {
		return []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("has %d characters; at most %d are accepted", n, maxLen)}}
	}
	if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
		return []apperr.FieldError{{Field: field, Reason: "is not valid text"}}
	}
	return nil
}

// Contact is a resident's contact, kept for the centre to call back and
// never shown over Open311.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Event is one event with, when read with Get, its timeline.
type Event struct {
	ID               string     `json:"id"`
	ClientID         string     `json:"client_id,omitempty"`
	CategoryCode     string     `json:"category_code"`
	Severity         Severity   `json:"severity" enum:"ordinary,larger,major"`
	State            State      `json:"state"`
	ParkedFrom       State      `json:"parked_from,omitempty" doc:"the state a parked event resumes to"`
	Source           Source     `json:"source"`
	GridID           string     `json:"grid_id,omitempty"`
	CommunityID      string     `json:"community_id,omitempty"`
	Description      string     `json:"description"`
	Address          string     `json:"address,omitempty"`
	Lat              *float64   `json:"lat,omitempty"`
	Lon              *float64   `json:"lon,omitempty"`
	MediaURL         string     `json:"media_url,omitempty"`
	ReporterUserID   string     `json:"reporter_user_id,omitempty"`
	ReporterWorkerID string     `json:"reporter_worker_id,omitempty"`
	Contact          *Contact   `json:"contact,omitempty"`
	Upward           bool       `json:"upward" doc:"reported upward (上报) to a higher centre rather than handled locally"`
	SelfHandled      bool       `json:"self_handled" doc:"handled on the spot and closed by the reporter (自办自结)"`
	HappenedAt       time.Time  `json:"happened_at"`
	ReportedAt       time.Time  `json:"reported_at"`
	UpwardAt         *time.Time `json:"upward_at,omitempty" doc:"when it reached the district and town centres"`
	AcceptedAt       *time.Time `json:"accepted_at,omitempty"`
	DispatchedAt     *time.Time `json:"dispatched_at,omitempty"`
	HandledAt        *time.Time `json:"handled_at,omitempty"`
	VerifiedAt       *time.Time `json:"verified_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	VoidedAt         *time.Time `json:"voided_at,omitempty"`
	AssigneeWorkerID string     `json:"assignee_worker_id,omitempty"`
	AssigneeUnitID   string     `json:"assignee_unit_id,omitempty"`
	BadlyDescribed   bool       `json:"badly_described"`
	QualityNotes     string     `json:"quality_notes,omitempty" doc:"why it was judged badly described"`
	Version          int        `json:"version"`
	EnteredAt        time.Time  `json:"entered_at"`
	// MajorLate is true for a major event that did not reach the district
	// and town centres within 2 hours of happening.
	MajorLate bool `json:"major_late"`
	// Clocks are the stage clocks with their lights (List and Get).
	Clocks []Clock `json:"clocks"`
	// The timeline, read with Get.
	Photos   []Photo   `json:"photos,omitempty"`
	Steps    []Step    `json:"steps,omitempty"`
	Requests []Request `json:"requests,omitempty"`
	Cards    []Card    `json:"cards,omitempty"`
	Matches  []Match   `json:"matches,omitempty"`
	// clockAt is the instant the clocks were computed at.
	clockAt time.Time
}

// auditView is what the audit log keeps of an event: its stored fields
// without a resident's contact (personal data stays in the events table,
// where the centre reads it) and without the computed clocks.
func auditView(e Event) Event {
	if e.Contact != nil {
		e.Contact = &Contact{Name: "(withheld)"}
	}
	e.Clocks, e.Photos, e.Steps, e.Requests, e.Cards, e.Matches = nil, nil, nil, nil, nil, nil
	return e
}

// majorLate reports whether e is a major event that missed the 2-hour
// limit to reach the centres, as seen at now: not reached by then, or
// reached after the limit.
func (e *Event) majorLate(now time.Time) bool {
	if e.Severity != Major {
		return false
	}
	due := e.HappenedAt.Add(MajorReportLimit)
	if e.UpwardAt == nil {
		return now.After(due)
	}
	return e.UpwardAt.After(due)
}

// Photo is a photo of an event, stored in internal/files.
type Photo struct {
	SHA256  string    `json:"sha256"`
	Stage   string    `json:"stage" enum:"report,handle"`
	AddedAt time.Time `json:"added_at"`
}

// Step is one step of an event's workflow.
type Step struct {
	Seq      int       `json:"seq"`
	Action   Action    `json:"action"`
	From     State     `json:"from"`
	To       State     `json:"to"`
	At       time.Time `json:"at"`
	UserID   string    `json:"user_id"`
	WorkerID string    `json:"worker_id,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// Request is a request that needs approval: an extension, parking or
// voiding.
type Request struct {
	ID           string     `json:"id"`
	EventID      string     `json:"event_id"`
	Kind         string     `json:"kind" enum:"extension,park,void"`
	Stage        Stage      `json:"stage,omitempty" doc:"the stage an extension extends"`
	Extra        string     `json:"extra,omitempty" doc:"the extension asked for, e.g. 3workdays"`
	Reason       string     `json:"reason"`
	RequestedBy  string     `json:"requested_by"`
	RequestedAt  time.Time  `json:"requested_at"`
	Status       string     `json:"status" enum:"pending,approved,rejected"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`
}

// Match is a near match the duplicate check found.
type Match struct {
	EventID    string    `json:"event_id"`
	DistanceM  float64   `json:"distance_m"`
	State      State     `json:"state"`
	ReportedAt time.Time `json:"reported_at"`
}

// Actor is who takes a step: the account, and the worker behind it for a
// grid worker.
type Actor struct {
	UserID   string
	WorkerID string
}

const eventColumns = `e.id, COALESCE(e.client_id, ''), e.category_code, e.severity, e.state, e.parked_from, e.source, COALESCE(e.grid_id, ''),
	COALESCE(e.community_id, ''), e.description, e.address, e.lat, e.lon, e.media_url, e.reporter_user_id, COALESCE(e.reporter_worker_id, ''),
	e.contact_name, e.contact_phone, e.contact_email, e.upward, e.self_handled, e.happened_at, e.reported_at, e.upward_at,
	e.accepted_at, e.dispatched_at, e.handled_at, e.verified_at, e.closed_at, e.voided_at,
	COALESCE(e.assignee_worker_id, ''), COALESCE(e.assignee_unit_id, ''), e.badly_described, e.quality_notes, e.version, e.entered_at`

// scanEvent reads one row of eventColumns, the resident's contact opened.
func (s *Store) scanEvent(row store.Row) (Event, error) {
	e, err := scanStoredEvent(row)
	if err != nil {
		return Event{}, err
	}
	return e, s.openContact(&e)
}

// scanStoredEvent reads one row of eventColumns as stored (a contact
// possibly sealed).
func scanStoredEvent(row store.Row) (Event, error) {
	var e Event
	var c Contact
	err := row.Scan(&e.ID, &e.ClientID, &e.CategoryCode, &e.Severity, &e.State, &e.ParkedFrom, &e.Source, &e.GridID,
		&e.CommunityID, &e.Description, &e.Address, &e.Lat, &e.Lon, &e.MediaURL, &e.ReporterUserID, &e.ReporterWorkerID,
		&c.Name, &c.Phone, &c.Email, &e.Upward, &e.SelfHandled, &e.HappenedAt, &e.ReportedAt, &e.UpwardAt,
		&e.AcceptedAt, &e.DispatchedAt, &e.HandledAt, &e.VerifiedAt, &e.ClosedAt, &e.VoidedAt,
		&e.AssigneeWorkerID, &e.AssigneeUnitID, &e.BadlyDescribed, &e.QualityNotes, &e.Version, &e.EnteredAt)
	if err != nil {
		return Event{}, err
	}
	if c != (Contact{}) {
		e.Contact = &c
	}
	for _, t := range []*time.Time{&e.HappenedAt, &e.ReportedAt, &e.EnteredAt} {
		*t = t.UTC()
	}
	for _, t := range []**time.Time{&e.UpwardAt, &e.AcceptedAt, &e.DispatchedAt, &e.HandledAt, &e.VerifiedAt, &e.ClosedAt, &e.VoidedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return e, nil
}

func (s *Store) getEvent(ctx context.Context, q store.Queryer, id string) (Event, error) {
	e, err := s.scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, id))
	if store.IsNoRows(err) {
		return Event{}, apperr.New(apperr.NotFound, "no event %s", id)
	}
	if err != nil {
		return Event{}, fmt.Errorf("events: get %s: %w", id, err)
	}
	return e, nil
}

// GridOf returns the grid an event lies in ("" for none), for the API's
// scope checks. Errors: NotFound.
func (s *Store) GridOf(ctx context.Context, id string) (grid, community string, err error) {
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT COALESCE(grid_id, ''), COALESCE(community_id, '') FROM events WHERE id = $1`, id).Scan(&grid, &community)
	if store.IsNoRows(err) {
		return "", "", apperr.New(apperr.NotFound, "no event %s", id)
	}
	if err != nil {
		return "", "", fmt.Errorf("events: grid of %s: %w", id, err)
	}
	return grid, community, nil
}

// shanghaiTime formats t for messages.
func shanghaiTime(t time.Time) string { return t.In(dates.Shanghai).Format("2006-01-02 15:04") }
