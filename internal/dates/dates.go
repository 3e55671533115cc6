// Package dates holds the calendar date type used for everything
// effective-dated, and the one time zone every rule about days and months
// uses: Asia/Shanghai. Dates are stored as TEXT 'YYYY-MM-DD' on both engines,
// which sorts and compares correctly as text.
package dates

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
	_ "time/tzdata" // the zone database, so Asia/Shanghai loads on any machine
)

// Shanghai is the zone of every day- and month-based rule.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Layout is the text form of a Date.
const Layout = "2006-01-02"

// Date is a calendar date without a time of day. The zero Date means
// "no date" (for example an open-ended validity).
type Date struct{ t time.Time }

// New returns the date y-m-d.
func New(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// Of returns the calendar date of t in Asia/Shanghai.
func Of(t time.Time) Date {
	s := t.In(Shanghai)
	return New(s.Year(), s.Month(), s.Day())
}

// Today returns today's date in Asia/Shanghai.
func Today() Date { return Of(time.Now()) }

// Parse reads 'YYYY-MM-DD'.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParse is Parse for literals in code and tests; it panics on error.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String returns 'YYYY-MM-DD', or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(Layout)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns d moved by n months, with time.AddDate's normalisation.
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Year, Month and Day return the parts of d.
func (d Date) Year() int             { return d.t.Year() }
func (d Date) Month() time.Month     { return d.t.Month() }
func (d Date) Day() int              { return d.t.Day() }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// Start returns the first instant of d in Asia/Shanghai.
func (d Date) Start() time.Time {
	return time.Date(d.t.Year(), d.t.Month(), d.t.Day(), 0, 0, 0, 0, Shanghai)
}

// MonthsBetween returns the number of whole months from d to e (negative if
// e is before d), counting a month as complete when e's day of month has
// reached d's.
func (d Date) MonthsBetween(e Date) int {
	m := (e.Year()-d.Year())*12 + int(e.Month()-d.Month())
	if m > 0 && e.Day() < d.Day() {
		m--
	} else if m < 0 && e.Day() > d.Day() {
		m++
	}
	return m
}

// Value stores a Date as TEXT, or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date from TEXT (or a time, which some drivers return).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		p, err := Parse(v)
		*d = p
		return err
	case []byte:
		p, err := Parse(string(v))
		*d = p
		return err
	case time.Time:
		*d = New(v.Year(), v.Month(), v.Day())
		return nil
	}
	return fmt.Errorf("dates: cannot scan %T into a Date", src)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string of the form YYYY-MM-DD")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := Parse(s)
	*d = p
	return err
}
