package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"gridwork/internal/dates"
)

// widthSample is how many data rows a Workbook looks at to size columns.
const widthSample = 200

// Column widths of a Workbook, in Excel character units.
const (
	minColWidth = 8
	maxColWidth = 60
)

// WriteXLSX writes a workbook with one worksheet named sheet ("Sheet1" when
// empty): a bold, frozen header row, then the rows next returns until its
// second result is false. It is a Workbook of one sheet without a title:
// see Workbook for how values are written and columns sized.
//
// It returns an error for an invalid sheet name (longer than 31 characters
// or containing : \ / ? * [ ]), for too many rows or columns, and when
// writing to w fails.
func WriteXLSX(w io.Writer, sheet string, header []string, next func() ([]any, bool)) error {
	if sheet == "" {
		sheet = "Sheet1"
	}
	b := NewWorkbook()
	defer b.Close()
	err := b.Sheet(sheet, "", header, func() ([]any, bool, error) {
		r, ok := next()
		if !ok {
			return nil, false, nil
		}
		if r == nil {
			r = []any{} // an empty row, not the end
		}
		return r, false, nil
	})
	if err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}
	if err := b.Write(w); err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}
	return nil
}

// valueWidth estimates the display width of a value in characters.
func valueWidth(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
	case Formatted:
		_, _, w := v.XLSXCell()
		return w
	case string:
		return textWidth(v)
	case dates.Date:
		return 10
	case time.Time:
		return 19
	case float64:
		return len(strconv.FormatFloat(v, 'f', -1, 64))
	}
	return textWidth(fmt.Sprint(v))
}

// textWidth is the display width of s: East Asian wide characters count
// two. Only the first line of a multi-line value counts.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if r == '\n' {
			break
		}
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
		if n > maxColWidth {
			break
		}
	}
	return n
}

// WriteCSV writes header and then the rows next returns, until its second
// result is false, as CSV in UTF-8 with a byte-order mark (so that Excel
// opens Chinese text correctly) and CRLF line ends.
//
// To keep Excel from running a cell as a formula (CSV injection), a value
// that starts with "=", "+", "-" or "@" and is not a plain number gets a
// leading apostrophe ("'=SUM(A1)"); "-5" and "+3.5" are written unchanged.
// Use WriteXLSX when values must round-trip exactly.
//
// It returns the first error from writing to w.
func WriteCSV(w io.Writer, header []string, next func() ([]string, bool)) error {
	if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
		return fmt.Errorf("exchange: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, 0, len(header))
	put := func(r []string) error {
		rec = rec[:0]
		for _, v := range r {
			rec = append(rec, defuseFormula(v))
		}
		return cw.Write(rec)
	}
	if err := put(header); err != nil {
		return fmt.Errorf("exchange: write csv: %w", err)
	}
	for {
		r, ok := next()
		if !ok {
			break
		}
		if err := put(r); err != nil {
			return fmt.Errorf("exchange: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exchange: write csv: %w", err)
	}
	return nil
}

// defuseFormula prefixes an apostrophe to a value Excel would read as a
// formula.
func defuseFormula(v string) string {
	if len(v) < 2 {
		return v
	}
	switch v[0] {
	case '=', '@':
	case '+', '-':
		if plainNumber(v[1:]) {
			return v
		}
	default:
		return v
	}
	return "'" + v
}

// plainNumber reports whether s is digits with at most one decimal point
// between digits.
func plainNumber(s string) bool {
	a, b, dot := strings.Cut(s, ".")
	return allDigits(a) && (!dot || allDigits(b))
}
