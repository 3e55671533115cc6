package exchange

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gridwork/internal/dates"
)

// Excel serial day numbers (1900 date system) that ParseDate accepts.
const (
	minSerial = 1
	maxSerial = 2958465 // 9999-12-31
)

var (
	// dateRe matches year, month and day with one separator kind, then an
	// optional time of day.
	dateRe = regexp.MustCompile(`^(\d{1,4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:[ T]+(\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?))?$`)
	// dateZhRe matches "2024年1月5日", optionally with a time of day.
	dateZhRe = regexp.MustCompile(`^(\d{1,4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2}[:时]\d{1,2}(?:[:分]\d{1,2}秒?)?分?))?$`)
)

// ParseDate reads a date as people and platforms write it in spreadsheets:
// "2024-01-05", "2024/1/5", "2024.01.05", "20240105", "2024年1月5日",
// "2024-01-05 00:00:00" (a time of day is ignored), full-width digits, and
// Excel serial day numbers of the 1900 date system given as an integer of
// at most 5 digits ("45296" is 2024-01-05). An empty string (or only
// spaces) gives the zero Date and nil.
//
// It returns an error, whose text is a reason fit for a RowError, for any
// other form, a two-digit year or one before 1000, and an impossible date
// such as 2023-02-29.
func ParseDate(s string) (dates.Date, error) {
	s = trimCell(foldWidth(s))
	if s == "" {
		return dates.Date{}, nil
	}
	if allDigits(s) {
		switch {
		case len(s) <= 5:
			n, _ := strconv.Atoi(s)
			return serialDate(n)
		case len(s) == 8:
			y, _ := strconv.Atoi(s[:4])
			m, _ := strconv.Atoi(s[4:6])
			d, _ := strconv.Atoi(s[6:])
			return makeDate(s, y, m, d)
		}
		return dates.Date{}, fmt.Errorf("%q is not a date: write it as YYYY-MM-DD", s)
	}
	var ys, ms, ds string
	if p := dateRe.FindStringSubmatch(s); p != nil {
		if p[2] != p[4] {
			return dates.Date{}, fmt.Errorf("%q is not a date: it mixes %q and %q; write it as YYYY-MM-DD", s, p[2], p[4])
		}
		ys, ms, ds = p[1], p[3], p[5]
	} else if p := dateZhRe.FindStringSubmatch(s); p != nil {
		ys, ms, ds = p[1], p[2], p[3]
	} else {
		return dates.Date{}, fmt.Errorf("%q is not a date: write it as YYYY-MM-DD", s)
	}
	if len(ys) != 4 {
		return dates.Date{}, fmt.Errorf("%q is not a date: the year must have 4 digits, as in YYYY-MM-DD", s)
	}
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	return makeDate(s, y, m, d)
}

// makeDate checks y-m-d, read from s, and returns it.
func makeDate(s string, y, m, d int) (dates.Date, error) {
	if y < 1000 {
		return dates.Date{}, fmt.Errorf("%q is not a date: year %d is out of range 1000-9999", s, y)
	}
	if m < 1 || m > 12 {
		return dates.Date{}, fmt.Errorf("%q is not a date: month %d is out of range 1-12", s, m)
	}
	days := daysIn(y, time.Month(m))
	if d < 1 || d > days {
		if d >= 1 && d <= 31 {
			return dates.Date{}, fmt.Errorf("%q is not a real date: %s %d has %d days", s, time.Month(m), y, days)
		}
		return dates.Date{}, fmt.Errorf("%q is not a date: day %d is out of range 1-31", s, d)
	}
	return dates.New(y, time.Month(m), d), nil
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// serialDate converts an Excel serial day number (1900 date system) to a
// date. Excel counts a 29 February 1900 that did not exist, so serial 60
// is rejected and later serials are one day ahead.
func serialDate(n int) (dates.Date, error) {
	if n < minSerial || n > maxSerial {
		return dates.Date{}, fmt.Errorf("%d is not a date: as an Excel day number it must be between %d and %d", n, minSerial, maxSerial)
	}
	if n == 60 {
		return dates.Date{}, fmt.Errorf("%d is not a real date: Excel day 60 is 29 February 1900, which did not exist", n)
	}
	base := dates.New(1899, time.December, 31)
	if n > 60 {
		base = dates.New(1899, time.December, 30)
	}
	return base.AddDays(n), nil
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sciRe matches a number in scientific notation as Excel shows it.
var sciRe = regexp.MustCompile(`^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$`)

// LooksMangledByExcel reports whether s looks like a long number that Excel
// has damaged because its column was not formatted as text: scientific
// notation such as "1.10101E+17", or a number of 16 or more digits whose
// digits after the 15th are all zero (Excel keeps only 15 significant
// digits, so 110101199001011234 becomes 110101199001011000). Use it after a
// value has failed validation, to add the hint "format the column as text
// (设置单元格格式为文本) and type the numbers again"; a rare valid value can
// also match the second form.
func LooksMangledByExcel(s string) bool {
	s = trimCell(s)
	if sciRe.MatchString(s) {
		return true
	}
	if len(s) >= 16 && allDigits(s) {
		return strings.Trim(s[15:], "0") == ""
	}
	return false
}
