// Package records keeps the 实有 base records of a grid: people (registered
// residents, floating population, others), houses, rentals with their
// tenants, QR codes, scans and ratings, and units/enterprises/facilities/
// places. Each record has a lifecycle (registered → updated → ended) and two
// clocks: when a change happened in the world and when it was entered here.
// Identity numbers are sealed at rest (internal/seal) with a keyed hash for
// lookup and a masked form for display.
//
// The package also computes the data-quality facts of seeds 000 II-III, 001
// (一) and 003 item 1 (facts.go) and reconciles platform exports against the
// ledger (platform.go).
package records

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/seal"
	"gridwork/internal/store"
)

// Status is where a record is in its lifecycle.
type Status string

// The statuses.
const (
	Active Status = "active"
	Ended  Status = "ended" // moved out, closed, demolished, entered in error
)

// EndReason says why a record ended.
type EndReason string

// The end reasons. Only MovedOut (and Died for people) is a change in the
// world whose entry deadline the rules measure; EnteredInError is not.
const (
	MovedOut       EndReason = "moved_out"
	Died           EndReason = "died"
	EnteredInError EndReason = "entered_in_error"
	OtherReason    EndReason = "other"
)

func (r EndReason) valid() bool {
	switch r {
	case MovedOut, Died, EnteredInError, OtherReason:
		return true
	}
	return false
}

// Lifecycle is what every base record carries.
type Lifecycle struct {
	Status       Status     `json:"status"`
	BeganOn      dates.Date `json:"began_on" doc:"when it began in the world: arrived, registered, opened"`
	EndedOn      dates.Date `json:"ended_on" doc:"when it ended in the world: moved out, closed"`
	EndReason    EndReason  `json:"end_reason,omitempty"`
	EnteredAt    time.Time  `json:"entered_at" doc:"when it was entered into gridwork"`
	EndEnteredAt *time.Time `json:"end_entered_at,omitempty" doc:"when its end was entered"`
	Version      int        `json:"version" doc:"send it back with a change; a stale version is refused (409)"`
	ClientID     string     `json:"client_id,omitempty" doc:"the id the phone made; a resend with it is a no-op"`
	CreatedBy    string     `json:"created_by"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

const lifecycleColumns = `status, began_on, ended_on, end_reason, entered_at, end_entered_at, version, COALESCE(client_id, ''), created_by, updated_at`

func (l *Lifecycle) scanTargets() []any {
	return []any{&l.Status, &l.BeganOn, &l.EndedOn, &l.EndReason, &l.EnteredAt, &l.EndEnteredAt, &l.Version, &l.ClientID, &l.CreatedBy, &l.UpdatedAt}
}

// End describes the end of a record.
type End struct {
	On      dates.Date `json:"on" doc:"when it ended in the world (moved out, closed)"`
	Reason  EndReason  `json:"reason" enum:"moved_out,died,entered_in_error,other"`
	Version int        `json:"version" doc:"the version you read"`
}

// Store reads and writes base records.
type Store struct {
	db   *store.DB
	org  *org.Store
	keys *seal.Keys
	// clock is the time now; tests and the demo, which enters history,
	// use a store of their own with another (WithClock).
	clock func() time.Time
}

// NewStore returns a Store. keys seal identity numbers.
func NewStore(db *store.DB, orgs *org.Store, keys *seal.Keys) *Store {
	return &Store{db: db, org: orgs, keys: keys, clock: time.Now}
}

// WithClock returns a store like s whose entry times and "today" come from
// clock, for tests and the demo, which enters history: s itself is left
// as it is, so a server using s meanwhile keeps the real time.
func (s *Store) WithClock(clock func() time.Time) *Store {
	c := *s
	c.clock = clock
	return &c
}

// now is the entry time of a change: the clock in UTC, to the microsecond.
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// today is the Shanghai calendar day of the clock.
func (s *Store) today() dates.Date { return dates.Of(s.clock()) }

func checkPhone(field, phone string) []apperr.FieldError {
	if phone == "" || org.ValidPhone(phone) {
		return nil
	}
	return []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("%q is not an 11-digit mobile number or a landline with area code", phone)}}
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

// checkGrid checks that gridID names a grid in force on d.
func (s *Store) checkGrid(ctx context.Context, gridID string, d dates.Date) []apperr.FieldError {
	if gridID == "" {
		return []apperr.FieldError{{Field: "grid_id", Reason: "is required"}}
	}
	u, err := s.org.GetUnit(ctx, gridID, d)
	if err != nil || u.Level != org.Grid {
		return []apperr.FieldError{{Field: "grid_id", Reason: fmt.Sprintf("no grid %s in force on %s", gridID, d)}}
	}
	return nil
}

// logChange records a register, update or end with its two clocks.
func logChange(ctx context.Context, tx store.Tx, entity, id, grid, action string, happened dates.Date, at time.Time, actor string, fields []string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO record_changes (id, entity, entity_id, grid_id, action, happened_on, entered_at, actor, fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, store.NewID(), entity, id, grid, action, happened, at, actor, strings.Join(fields, ","))
	if err != nil {
		return fmt.Errorf("records: log %s %s: %w", action, entity, err)
	}
	return nil
}

// registered logs the registration of a new record with its two clocks
// and, when after is not nil, audits it as created.
func (s *Store) registered(ctx context.Context, tx store.Tx, actor, entity, id, grid string, began dates.Date, at time.Time, after any) error {
	if err := logChange(ctx, tx, entity, id, grid, "register", began, at, actor, nil); err != nil {
		return err
	}
	if after == nil {
		return nil
	}
	_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: entity, EntityID: id, After: after})
	return err
}

// Change is one logged register, update or end.
type Change struct {
	Action     string     `json:"action"`
	HappenedOn dates.Date `json:"happened_on"`
	EnteredAt  time.Time  `json:"entered_at"`
	Actor      string     `json:"actor"`
	Fields     []string   `json:"fields"`
}

// Changes returns a record's logged changes, oldest first.
func (s *Store) Changes(ctx context.Context, entity, id string) ([]Change, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT action, happened_on, entered_at, actor, fields FROM record_changes
		WHERE entity = $1 AND entity_id = $2 ORDER BY entered_at, id`, entity, id)
	if err != nil {
		return nil, fmt.Errorf("records: changes: %w", err)
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		var fields string
		if err := rows.Scan(&c.Action, &c.HappenedOn, &c.EnteredAt, &c.Actor, &fields); err != nil {
			return nil, err
		}
		c.Fields = []string{}
		if fields != "" {
			c.Fields = strings.Split(fields, ",")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// bumpVersion applies a change to one row of table if version is current.
// Errors: NotFound, Conflict for a stale version.
func bumpVersion(ctx context.Context, tx store.Tx, now time.Time, table, entity, id string, version int, set string, args store.Args) error {
	q := fmt.Sprintf(`UPDATE %s SET %s, version = version + 1, updated_at = %s WHERE id = %s AND version = %s`,
		table, set, args.Add(now), args.Add(id), args.Add(version))
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("records: update %s: %w", entity, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var cur int
	err = tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT version FROM %s WHERE id = $1`, table), id).Scan(&cur)
	if store.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "no %s %s", entity, id)
	}
	if err != nil {
		return fmt.Errorf("records: update %s: %w", entity, err)
	}
	return apperr.New(apperr.Conflict, "%s %s has changed since you read it (version %d, yours %d); reload and try again", entity, id, cur, version)
}

// endRecord ends one row of table: the lifecycle end shared by every record
// type. It returns the grid of the record, for the change log.
func (s *Store) endRecord(ctx context.Context, tx store.Tx, actor, table, entity, id string, e End) error {
	var bad []apperr.FieldError
	bad = append(bad, s.checkWorldDate("on", e.On)...)
	if !e.Reason.valid() {
		bad = append(bad, apperr.FieldError{Field: "reason", Reason: fmt.Sprintf("%q is not one of moved_out, died, entered_in_error, other", e.Reason)})
	}
	if len(bad) > 0 {
		return apperr.InvalidFields("cannot end "+entity+" "+id, bad...)
	}
	var grid, status string
	var began dates.Date
	err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT grid_id, status, began_on FROM %s WHERE id = $1`, table), id).Scan(&grid, &status, &began)
	if store.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "no %s %s", entity, id)
	}
	if err != nil {
		return fmt.Errorf("records: end %s: %w", entity, err)
	}
	if status != string(Active) {
		return apperr.New(apperr.Conflict, "%s %s has already ended", entity, id)
	}
	if e.On.Before(began) {
		return apperr.Field("on", fmt.Sprintf("%s is before the record began (%s)", e.On, began))
	}
	var args store.Args
	set := fmt.Sprintf(`status = 'ended', ended_on = %s, end_reason = %s, end_entered_at = %s`, args.Add(e.On), args.Add(e.Reason), args.Add(s.now()))
	if err := bumpVersion(ctx, tx, s.now(), table, entity, id, e.Version, set, args); err != nil {
		return err
	}
	if err := logChange(ctx, tx, entity, id, grid, "end", e.On, s.now(), actor, []string{"status", string(e.Reason)}); err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "end", Entity: entity, EntityID: id, After: e})
	return err
}

// getRow reads the record of table with id. Errors: NotFound naming entity.
func getRow[T any](ctx context.Context, q store.Queryer, table, entity, cols, id string, scan func(store.Row) (T, error)) (T, error) {
	x, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return x, apperr.New(apperr.NotFound, "no %s %s", entity, id)
	}
	if err != nil {
		return x, fmt.Errorf("records: get %s: %w", entity, err)
	}
	return x, nil
}

// filter builds the WHERE of a list query, optionally limited to the grids
// of an org subtree.
type filter struct {
	prefix string
	where  []string
	args   store.Args
}

// filter starts a list query over one record table, limited to the grids
// under within when it is set.
func (s *Store) filter(within string) *filter {
	f := &filter{}
	if within != "" {
		f.prefix = org.SubtreeCTE(&f.args, within, s.today())
		f.where = append(f.where, "grid_id IN (SELECT id FROM sub)")
	}
	return f
}

// eq adds "col = value" unless value is empty.
func (f *filter) eq(col, value string) {
	if value != "" {
		f.where = append(f.where, col+" = "+f.args.Add(value))
	}
}

// list runs a filtered, paged query over table.
func list[T any](ctx context.Context, q store.Queryer, table string, f *filter, order string, limit, offset int, cols string, scan func(store.Row) (T, error)) ([]T, int, error) {
	from := " FROM " + table
	if len(f.where) > 0 {
		from += " WHERE " + strings.Join(f.where, " AND ")
	}
	out, total, err := store.List(ctx, q, table, store.ListQuery{Prefix: f.prefix, Cols: cols, From: from, Order: order, Limit: limit, Offset: offset}, f.args, scan)
	if err != nil {
		return nil, 0, fmt.Errorf("records: %w", err)
	}
	return out, total, nil
}
