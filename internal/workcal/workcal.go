// Package workcal is the work calendar of Asia/Shanghai: which days are
// working days (weekends, public holidays and the swapped working days of
// 调休 are data, not code), the working hours, and how a time limit counted
// in hours, natural days or working days runs from a start instant. Events
// count their deadlines on it, duty counts missed working days on it, and
// patrols tell working hours from the rest.
package workcal

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gridwork/internal/dates"
)

// DayKind says what an override makes of a date.
type DayKind string

// The day kinds.
const (
	// Holiday makes a date a day off, even a weekday.
	Holiday DayKind = "holiday"
	// Workday makes a date a working day, even a Saturday or Sunday
	// (调休上班).
	Workday DayKind = "workday"
)

// Override is one date whose kind differs from the weekday rule.
type Override struct {
	Date dates.Date `json:"date"`
	Kind DayKind    `json:"kind"`
	// Name says why, e.g. "春节" or "春节调休上班".
	Name string `json:"name"`
}

// WorkHours are the working hours of a working day, as minutes after
// midnight in Asia/Shanghai.
type WorkHours struct {
	Start int `json:"start"` // e.g. 8*60+30 for 08:30
	End   int `json:"end"`   // e.g. 17*60+30 for 17:30
}

// DefaultHours are 08:30 to 17:30, the office day the seeds assume
// (seed 000's "working hours"; seed 001's sign-in).
var DefaultHours = WorkHours{Start: 8*60 + 30, End: 17*60 + 30}

// Interval is a span of time [From, To).
type Interval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether t lies in [From, To).
func (iv Interval) Contains(t time.Time) bool { return !t.Before(iv.From) && t.Before(iv.To) }

// Calendar answers which days are working days. It is immutable and safe
// for concurrent use; the zero Calendar is not usable: use New or Default.
type Calendar struct {
	days  map[dates.Date]Override
	hours WorkHours
}

// New returns the calendar of the weekday rule (Monday to Friday), changed
// by overrides (a later override of the same date wins), with the given
// working hours.
func New(overrides []Override, hours WorkHours) *Calendar {
	c := &Calendar{days: make(map[dates.Date]Override, len(overrides)), hours: hours}
	for _, o := range overrides {
		c.days[o.Date] = o
	}
	return c
}

// Default returns the calendar of the built-in public holidays and swapped
// working days (Builtin) with the default working hours.
func Default() *Calendar { return New(Builtin(), DefaultHours) }

// WorkHours returns the calendar's working hours.
func (c *Calendar) WorkHours() WorkHours { return c.hours }

// Overrides returns the calendar's overrides in [from, to], by date.
func (c *Calendar) Overrides(from, to dates.Date) []Override {
	var out []Override
	for _, d := range slices.SortedFunc(maps.Keys(c.days), func(a, b dates.Date) int { return strings.Compare(a.String(), b.String()) }) {
		if !d.Before(from) && !d.After(to) {
			out = append(out, c.days[d])
		}
	}
	return out
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d dates.Date) bool {
	if o, ok := c.days[d]; ok {
		return o.Kind == Workday
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Workdays returns the working days in [from, to], in order.
func (c *Calendar) Workdays(from, to dates.Date) []dates.Date {
	var out []dates.Date
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			out = append(out, d)
		}
	}
	return out
}

// WorkStart returns the instant d's working hours begin.
func (c *Calendar) WorkStart(d dates.Date) time.Time {
	return d.Start().Add(time.Duration(c.hours.Start) * time.Minute)
}

// WorkEnd returns the instant d's working hours end.
func (c *Calendar) WorkEnd(d dates.Date) time.Time {
	return d.Start().Add(time.Duration(c.hours.End) * time.Minute)
}

// InWorkHours reports whether t falls within the working hours of a
// working day.
func (c *Calendar) InWorkHours(t time.Time) bool {
	d := dates.Of(t)
	return c.IsWorkday(d) && !t.Before(c.WorkStart(d)) && t.Before(c.WorkEnd(d))
}

// Unit is what a limit counts.
type Unit string

// The limit units.
const (
	Hours    Unit = "hours"    // elapsed clock hours, day or night
	Days     Unit = "days"     // natural days of 24 hours
	Workdays Unit = "workdays" // 24-hour working days: time on days off does not count
)

// Limit is a time limit such as "2 working days" or "2 hours".
type Limit struct {
	N    int  `json:"n"`
	Unit Unit `json:"unit"`
}

// String returns the limit as ParseLimit reads it, e.g. "2workdays".
func (l Limit) String() string { return strconv.Itoa(l.N) + string(l.Unit) }

// Chinese returns the limit in Chinese, e.g. "2个工作日".
func (l Limit) Chinese() string {
	switch l.Unit {
	case Hours:
		return fmt.Sprintf("%d小时", l.N)
	case Days:
		return fmt.Sprintf("%d天", l.N)
	default:
		return fmt.Sprintf("%d个工作日", l.N)
	}
}

var limitRE = regexp.MustCompile(`^\s*(\d{1,4})\s*(h|hours?|d|days?|wd|workdays?)\s*$`)

// ParseLimit reads a limit such as "2workdays", "7 days", "2h" or "3wd".
// The number must be 1 to 9999.
func ParseLimit(s string) (Limit, error) {
	m := limitRE.FindStringSubmatch(s)
	if m == nil {
		return Limit{}, fmt.Errorf("%q is not a time limit: write a number and hours, days or workdays, e.g. 2workdays", s)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 {
		return Limit{}, fmt.Errorf("%q: a time limit must be at least 1", s)
	}
	u := Workdays
	switch m[2][0] {
	case 'h':
		u = Hours
	case 'd':
		u = Days
	}
	return Limit{N: n, Unit: u}, nil
}

// Valid reports whether l is a usable limit.
func (l Limit) Valid() bool {
	return l.N >= 1 && (l.Unit == Hours || l.Unit == Days || l.Unit == Workdays)
}

// MarshalText writes the limit as ParseLimit reads it.
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a limit with ParseLimit.
func (l *Limit) UnmarshalText(b []byte) error {
	x, err := ParseLimit(string(b))
	if err != nil {
		return err
	}
	*l = x
	return nil
}

// Due returns the instant limit l runs out when started at start.
//
// Hours and days are clock time. Working days count whole 24-hour working
// days: the clock runs only on working days, so 2 working days from a
// Friday 10:00 run out on Tuesday 10:00, and from a Saturday 10:00 (the
// clock starting on Monday 00:00) on Wednesday 00:00, the end of Tuesday.
func (c *Calendar) Due(start time.Time, l Limit) time.Time {
	switch l.Unit {
	case Hours:
		return start.Add(time.Duration(l.N) * time.Hour)
	case Days:
		return start.Add(time.Duration(l.N) * 24 * time.Hour)
	}
	left := time.Duration(l.N) * 24 * time.Hour
	t := start
	for {
		d := dates.Of(t)
		next := d.AddDays(1).Start()
		if c.IsWorkday(d) {
			if span := next.Sub(t); span >= left {
				return t.Add(left)
			} else {
				left -= span
			}
		}
		t = next
	}
}

// Elapsed returns how much of limit l's clock has run between start and
// now: clock time for hours and days, time on working days only for
// working days. It is 0 when now is not after start.
func (c *Calendar) Elapsed(start, now time.Time, l Limit) time.Duration {
	if !now.After(start) {
		return 0
	}
	if l.Unit != Workdays {
		return now.Sub(start)
	}
	var run time.Duration
	for t := start; t.Before(now); {
		d := dates.Of(t)
		next := d.AddDays(1).Start()
		end := next
		if now.Before(end) {
			end = now
		}
		if c.IsWorkday(d) {
			run += end.Sub(t)
		}
		t = next
	}
	return run
}

// Used returns the share of limit l used between start and now: 0 at the
// start, 1 when it runs out, above 1 past it.
func (c *Calendar) Used(start, now time.Time, l Limit) float64 {
	total := time.Duration(l.N) * time.Hour
	if l.Unit != Hours {
		total *= 24
	}
	if total <= 0 {
		return 0
	}
	return float64(c.Elapsed(start, now, l)) / float64(total)
}
