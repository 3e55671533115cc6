package workcal

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Store keeps the centre's edits of the calendar.
type Store struct{ db *store.DB }

// NewStore returns a Store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

// Calendar returns the calendar in force: the built-in days, overridden by
// the stored ones, with the default working hours.
func (s *Store) Calendar(ctx context.Context) (*Calendar, error) {
	stored, err := s.stored(ctx, dates.Date{}, dates.Date{})
	if err != nil {
		return nil, err
	}
	return New(append(Builtin(), stored...), DefaultHours), nil
}

// Days returns the calendar's overrides (built-in and stored) in [from, to].
func (s *Store) Days(ctx context.Context, from, to dates.Date) ([]Override, error) {
	c, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return c.Overrides(from, to), nil
}

func (s *Store) stored(ctx context.Context, from, to dates.Date) ([]Override, error) {
	var args store.Args
	where := "1 = 1"
	if !from.IsZero() {
		where += " AND day >= " + args.Add(from)
	}
	if !to.IsZero() {
		where += " AND day <= " + args.Add(to)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT day, kind, name FROM workcal_days WHERE `+where+` ORDER BY day`, args...)
	if err != nil {
		return nil, fmt.Errorf("workcal: days: %w", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		var o Override
		if err := rows.Scan(&o.Date, &o.Kind, &o.Name); err != nil {
			return nil, fmt.Errorf("workcal: days: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetDay stores o, replacing any stored day of the same date, and audits
// the change. Errors: EINVALID for a zero date, an unknown kind or an
// empty name.
func (s *Store) SetDay(ctx context.Context, actor string, o Override) error {
	o.Name = strings.TrimSpace(o.Name)
	var bad []apperr.FieldError
	if o.Date.IsZero() {
		bad = append(bad, apperr.FieldError{Field: "date", Reason: "is required (YYYY-MM-DD)"})
	}
	if o.Kind != Holiday && o.Kind != Workday {
		bad = append(bad, apperr.FieldError{Field: "kind", Reason: fmt.Sprintf("must be %q or %q, not %q", Holiday, Workday, o.Kind)})
	}
	if o.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required: say why the day is changed, e.g. 春节 or 春节调休上班"})
	}
	if len(bad) > 0 {
		return apperr.InvalidFields("invalid calendar day", bad...)
	}
	return s.db.Tx(ctx, func(tx store.Tx) error {
		before, err := storedDay(ctx, tx, o.Date)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM workcal_days WHERE day = $1`, o.Date); err != nil {
			return fmt.Errorf("workcal: set %s: %w", o.Date, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workcal_days (day, kind, name, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			o.Date, o.Kind, o.Name, actor, store.Now()); err != nil {
			return fmt.Errorf("workcal: set %s: %w", o.Date, err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "set", Entity: "workcal_day", EntityID: o.Date.String(), Before: before, After: o})
		return err
	})
}

// DeleteDay removes the stored day of d, so that the built-in day (or the
// weekday rule) applies again, and audits it. Errors: ENOTFOUND when no
// day of d is stored.
func (s *Store) DeleteDay(ctx context.Context, actor string, d dates.Date) error {
	return s.db.Tx(ctx, func(tx store.Tx) error {
		before, err := storedDay(ctx, tx, d)
		if err != nil {
			return err
		}
		if before == nil {
			return apperr.New(apperr.NotFound, "no calendar day %s was set by hand", d)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM workcal_days WHERE day = $1`, d); err != nil {
			return fmt.Errorf("workcal: delete %s: %w", d, err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "delete", Entity: "workcal_day", EntityID: d.String(), Before: before})
		return err
	})
}

func storedDay(ctx context.Context, tx store.Tx, d dates.Date) (*Override, error) {
	var o Override
	err := tx.QueryRowContext(ctx, `SELECT day, kind, name FROM workcal_days WHERE day = $1`, d).Scan(&o.Date, &o.Kind, &o.Name)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("workcal: day %s: %w", d, err)
	}
	return &o, nil
}
