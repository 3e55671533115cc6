package scheme

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
)

// Span is one period of a scheme: a month, quarter, half-year or year.
type Span struct {
	Kind  PeriodKind
	Year  int
	Index int // month 1-12, quarter 1-4, half 1-2; 1 for a year
}

// ParseSpan reads "2026-03" (month), "2026-Q1", "2026-H1" or "2026".
func ParseSpan(s string) (Span, error) {
	bad := fmt.Errorf("%q is not a period: write 2026-03, 2026-Q1, 2026-H1 or 2026", s)
	year, rest, hasRest := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 2000 || y > 2200 {
		return Span{}, bad
	}
	if !hasRest {
		return Span{Year, y, 1}, nil
	}
	switch {
	case strings.HasPrefix(rest, "Q"):
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return Span{}, bad
		}
		return Span{Quarter, y, q}, nil
	case strings.HasPrefix(rest, "H"):
		h, err := strconv.Atoi(rest[1:])
		if err != nil || h < 1 || h > 2 {
			return Span{}, bad
		}
		return Span{Half, y, h}, nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || m < 1 || m > 12 {
		return Span{}, bad
	}
	return Span{Month, y, m}, nil
}

// String returns the span in ParseSpan's form.
func (s Span) String() string {
	switch s.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", s.Year, s.Index)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", s.Year, s.Index)
	case Half:
		return fmt.Sprintf("%04d-H%d", s.Year, s.Index)
	}
	return fmt.Sprintf("%04d", s.Year)
}

// Months returns the calendar months of the span, in order.
func (s Span) Months() []metric.Period {
	n := s.Kind.Months()
	first := (s.Index-1)*n + 1
	out := make([]metric.Period, n)
	for i := range out {
		out[i] = metric.Period{Year: s.Year, Month: time.Month(first + i)}
	}
	return out
}

// First and Last return the span's first and last days.
func (s Span) First() dates.Date { return s.Months()[0].First() }

// Last returns the span's last day.
func (s Span) Last() dates.Date { m := s.Months(); return m[len(m)-1].Last() }

// Prev returns the span before s.
func (s Span) Prev() Span {
	per := 12 / s.Kind.Months()
	if s.Index > 1 {
		return Span{s.Kind, s.Year, s.Index - 1}
	}
	return Span{s.Kind, s.Year - 1, per}
}

// SpanOf returns the span of kind k that holds month p.
func SpanOf(k PeriodKind, p metric.Period) Span {
	return Span{k, p.Year, (int(p.Month)-1)/k.Months() + 1}
}
