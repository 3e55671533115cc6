package exchange

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"gridwork/internal/dates"
)

// Workbook is an xlsx workbook written sheet by sheet with stream writers,
// so a sheet of 100,000 rows and more is fine (up to Excel's 1,048,575).
// Every sheet has a bold, grey, frozen header, under an optional merged
// title row; columns are sized from the header and the first 200 rows,
// Chinese characters counting two. Nothing reaches the writer until
// Write: a workbook that fails half-way writes nothing.
//
// Values are written as excelize writes them (numbers as numbers, strings
// as text; a string is never a formula, so "=HYPERLINK(…)" stays text in
// Excel), except: a string of only digits longer than 11 characters
// (identity and bank numbers) gets the text number format, so editing it
// in Excel does not turn it into 1.10101E+17; a dates.Date is a date cell
// shown as yyyy-mm-dd (the zero Date an empty cell); a time.Time is a
// date-time cell in Asia/Shanghai shown as yyyy-mm-dd hh:mm:ss (the zero
// time an empty cell); a Formatted value is written with its own number
// format.
type Workbook struct {
	f      *excelize.File
	sheets int
	styles map[styleKey]int
}

// Formatted is a cell value with its own number format, such as a score
// shown with one decimal or an amount in yuan.
type Formatted interface {
	// XLSXCell returns the value to write, its Excel number format
	// ("0.0#", "0.00", "@" for text) and its display width in characters.
	XLSXCell() (value any, numFmt string, width int)
}

// styleKey names a cell style: a number format, or the header or the
// title, shaded or not.
type styleKey struct {
	numFmt string
	role   cellRole
	shade  bool
}

type cellRole int

const (
	dataCell cellRole = iota
	headerCell
	titleCell
)

// The number formats of the values WriteXLSX has always typed itself.
const (
	textFormat     = "@"
	dateFormat     = "yyyy-mm-dd"
	dateTimeFormat = "yyyy-mm-dd hh:mm:ss"
)

// NewWorkbook returns an empty workbook; Close releases it.
func NewWorkbook() *Workbook {
	return &Workbook{f: excelize.NewFile(), styles: map[styleKey]int{}}
}

// Close releases the workbook's temporary files.
func (b *Workbook) Close() { _ = b.f.Close() }

// style returns the style of a kind of cell, shaded or not.
func (b *Workbook) style(key styleKey) (int, error) {
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	switch {
	case key.role == headerCell:
		st.Font = &excelize.Font{Bold: true}
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}
		st.Alignment = &excelize.Alignment{Vertical: "center"}
	case key.role == titleCell:
		st.Font = &excelize.Font{Bold: true, Size: 14}
		st.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "center"}
	case key.numFmt == textFormat:
		st.NumFmt = 49 // Excel's built-in "@"
	case key.numFmt != "":
		f := key.numFmt
		st.CustomNumFmt = &f
	}
	if key.shade {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4D6D6"}}
	}
	id, err := b.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	b.styles[key] = id
	return id, nil
}

// cell converts one value for the stream writer.
func (b *Workbook) cell(v any, shade bool) (any, error) {
	format, val := "", v
	switch x := v.(type) {
	case Formatted:
		val, format, _ = x.XLSXCell()
	case string:
		if len(x) > 11 && allDigits(x) {
			format = textFormat
		}
	case dates.Date:
		if x.IsZero() {
			val = nil
		} else {
			format, val = dateFormat, time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		}
	case time.Time:
		if x.IsZero() {
			val = nil
		} else {
			s := x.In(dates.Shanghai)
			format, val = dateTimeFormat, time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), s.Second(), 0, time.UTC)
		}
	}
	if format == "" && !shade {
		return val, nil
	}
	id, err := b.style(styleKey{numFmt: format, shade: shade})
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: id, Value: val}, nil
}

// Sheet adds a sheet named name: title (when not empty) as a merged first
// row, the header, then the rows next returns until it returns a nil row;
// its second result shades the row. Errors name the sheet: an invalid
// name (longer than 31 characters or containing : \ / ? * [ ]), too many
// rows or columns, or next's error.
func (b *Workbook) Sheet(name, title string, header []string, next func() ([]any, bool, error)) error {
	if b.sheets == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("sheet name %q: %w", name, err)
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("sheet name %q: %w", name, err)
	}
	b.sheets++
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	type row struct {
		cells []any
		shade bool
	}
	// The first rows size the columns, which the stream writer needs
	// before the first row.
	var sample []row
	more := true
	for more && len(sample) < widthSample {
		r, shade, err := nextRow(next, &more)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		if more {
			sample = append(sample, row{r, shade})
		}
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = textWidth(h) + 2 // bold text is wider
	}
	for _, r := range sample {
		for i, v := range r.cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], valueWidth(v))
		}
	}
	for i, wd := range widths {
		wd = min(max(wd+2, minColWidth), maxColWidth)
		if err := sw.SetColWidth(i+1, i+1, float64(wd)); err != nil {
			return fmt.Errorf("sheet %s: column %d: %w", name, i+1, err)
		}
	}
	n := 0
	if title != "" {
		n = 1
	}
	top, _ := excelize.CoordinatesToCellName(1, n+2)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: n + 1, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	if title != "" {
		id, err := b.style(styleKey{role: titleCell})
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: id, Value: title}}, excelize.RowOpts{Height: 28}); err != nil {
			return fmt.Errorf("sheet %s: title: %w", name, err)
		}
		last, _ := excelize.CoordinatesToCellName(max(len(header), 1), 1)
		if err := sw.MergeCell("A1", last); err != nil {
			return fmt.Errorf("sheet %s: title: %w", name, err)
		}
	}
	hid, err := b.style(styleKey{role: headerCell})
	if err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: hid, Value: h}
	}
	n++
	ref, _ := excelize.CoordinatesToCellName(1, n)
	if err := sw.SetRow(ref, cells); err != nil {
		return fmt.Errorf("sheet %s: header: %w", name, err)
	}
	write := func(r row) error {
		n++
		if n > excelize.TotalRows {
			return fmt.Errorf("sheet %s: more than %d rows, Excel's limit", name, excelize.TotalRows)
		}
		cells = cells[:0]
		for _, v := range r.cells {
			c, err := b.cell(v, r.shade)
			if err != nil {
				return err
			}
			cells = append(cells, c)
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err == nil {
			err = sw.SetRow(ref, cells)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: row %d: %w", name, n, err)
		}
		return nil
	}
	for _, r := range sample {
		if err := write(r); err != nil {
			return err
		}
	}
	for more {
		r, shade, err := nextRow(next, &more)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		if more {
			if err := write(row{r, shade}); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	return nil
}

// nextRow calls next, clearing more at the end or on an error.
func nextRow(next func() ([]any, bool, error), more *bool) ([]any, bool, error) {
	r, shade, err := next()
	if err != nil || r == nil {
		*more = false
	}
	return r, shade, err
}

// Write writes the workbook to w, the first sheet active.
func (b *Workbook) Write(w io.Writer) error {
	b.f.SetActiveSheet(0)
	_, err := b.f.WriteTo(w)
	return err
}
