package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"gridwork/internal/dates"
)

// widthSample is how many data rows WriteXLSX looks at to size columns.
const widthSample = 200

// Column widths of WriteXLSX, in Excel character units.
const (
	minColWidth = 8
	maxColWidth = 60
)

// WriteXLSX writes a workbook with one worksheet named sheet ("Sheet1" when
// empty): a bold, frozen header row, then the rows next returns until its
// second result is false. It streams, so 100,000 rows and more are fine
// (up to Excel's 1,048,575 data rows).
//
// Values are written as excelize writes them (numbers as numbers, strings
// as text), except: a string of only digits longer than 11 characters
// (identity and bank numbers) gets the text number format, so editing it
// in Excel does not turn it into 1.10101E+17; a dates.Date is a date cell
// shown as yyyy-mm-dd (the zero Date an empty cell); a time.Time is a
// date-time cell in Asia/Shanghai shown as yyyy-mm-dd hh:mm:ss (the zero
// time an empty cell). Column widths follow the header and the first 200
// rows, counting Chinese characters as two.
//
// It returns an error for an invalid sheet name (longer than 31 characters
// or containing : \ / ? * [ ]), for too many rows or columns, and when
// writing to w fails.
func WriteXLSX(w io.Writer, sheet string, header []string, next func() ([]any, bool)) error {
	if sheet == "" {
		sheet = "Sheet1"
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("exchange: write xlsx: sheet name %q: %w", sheet, err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}

	// Look at the first rows to size the columns, which the stream
	// writer needs before the first row.
	var sample [][]any
	more := true
	for more && len(sample) < widthSample {
		var r []any
		if r, more = next(); more {
			sample = append(sample, r)
		}
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = textWidth(h) + 2 // bold text is wider
	}
	for _, r := range sample {
		for i, v := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], valueWidth(v))
		}
	}
	for i, wd := range widths {
		wd = min(max(wd+2, minColWidth), maxColWidth)
		if err := sw.SetColWidth(i+1, i+1, float64(wd)); err != nil {
			return fmt.Errorf("exchange: write xlsx: column %d: %w", i+1, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}

	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("exchange: write xlsx: header: %w", err)
	}
	n := 1
	write := func(r []any) error {
		n++
		if n > excelize.TotalRows {
			return fmt.Errorf("exchange: write xlsx: more than %d rows, Excel's limit", excelize.TotalRows)
		}
		cells = cells[:0]
		for _, v := range r {
			cells = append(cells, st.cell(v))
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err == nil {
			err = sw.SetRow(ref, cells)
		}
		if err != nil {
			return fmt.Errorf("exchange: write xlsx: row %d: %w", n, err)
		}
		return nil
	}
	for _, r := range sample {
		if err := write(r); err != nil {
			return err
		}
	}
	for more {
		var r []any
		if r, more = next(); more {
			if err := write(r); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("exchange: write xlsx: %w", err)
	}
	return nil
}

// styles are the cell styles WriteXLSX uses.
type styles struct {
	header, text, date, dateTime int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	}); err != nil {
		return s, err
	}
	if s.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@"
		return s, err
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return s, err
	}
	s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	return s, err
}

// cell converts one value for the stream writer.
func (st styles) cell(v any) any {
	switch v := v.(type) {
	case string:
		if len(v) > 11 && allDigits(v) {
			return excelize.Cell{StyleID: st.text, Value: v}
		}
		return v
	case dates.Date:
		if v.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: st.date, Value: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)}
	case time.Time:
		if v.IsZero() {
			return nil
		}
		s := v.In(dates.Shanghai)
		wall := time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), s.Second(), 0, time.UTC)
		return excelize.Cell{StyleID: st.dateTime, Value: wall}
	}
	return v
}

// valueWidth estimates the display width of a value in characters.
func valueWidth(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
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
