package exchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Default limits, used by Open for a zero field of Limits.
const (
	DefaultMaxBytes = 50 << 20  // 50 MiB
	DefaultMaxRows  = 1_000_000 // data rows
	DefaultMaxCell  = 2000      // runes
)

// maxTitleRows is how many non-empty rows above the header Open skips.
const maxTitleRows = 10

// Limits bound what Open accepts. A zero (or negative) field takes its
// default.
type Limits struct {
	MaxBytes int64 // largest input, in bytes (for xlsx: the compressed file); default 50 MiB
	MaxRows  int   // most non-empty data rows; default 1,000,000
	MaxCell  int   // longest value of a mapped cell, in runes; default 2,000 (see Row.TooLong)
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCell <= 0 {
		l.MaxCell = DefaultMaxCell
	}
	return l
}

// source is one file format's row stream.
type source interface {
	// next returns the next row's cells and its row number as the user
	// sees it; ok is false at the end or after an error.
	next() (cells []string, number int, ok bool)
	err() error
	label(col int) string // column label of the 0-based column col
	close() error
}

// layout is what a Table's rows share: which column holds which field.
type layout struct {
	fields []Field
	index  map[string]int // field name -> index in fields
	cols   []int          // field index -> 0-based column, or -1
	labels []string       // field index -> column label, or ""
	heads  []string       // field index -> header text in the file, or ""
}

// Table streams the data rows of a spreadsheet below its header row. It is
// not safe for concurrent use. Read it with Next until it returns false,
// then check Err; call Close when done (Close after the last row is
// harmless).
type Table struct {
	src       source
	lay       *layout
	lim       Limits
	headerRow int
	rows      int
	err       error
	done      bool
}

// Row is one non-empty data row.
type Row struct {
	// Number is the row number as the user sees it: the Excel row
	// number, or the line number in a text editor for CSV (the line the
	// record starts on). It counts title, header and empty rows.
	Number int
	// TooLong names the fields whose cell was longer than
	// Limits.MaxCell runes; Get returns their first MaxCell runes. An
	// import should reject the row.
	TooLong []string

	values []string // by field index
	lay    *layout
}

// Get returns the value of field in the row with surrounding spaces
// removed, or "" when the field has no column or the row has no such cell.
// Cells of an xlsx file are the text Excel shows (numbers and dates
// formatted; dates with Excel's default short date format read as
// "2024/1/5").
func (r Row) Get(field string) string {
	if r.lay == nil {
		return ""
	}
	if i, ok := r.lay.index[field]; ok {
		return r.values[i]
	}
	return ""
}

// Column returns the label of the column that holds field ("C" in an xlsx
// file, "3" in a CSV file), or "" when the field has no column.
func (r Row) Column(field string) string {
	if r.lay == nil {
		return ""
	}
	if i, ok := r.lay.index[field]; ok {
		return r.lay.labels[i]
	}
	return ""
}

// Open reads the header of a spreadsheet and returns a Table that streams
// its data rows.
//
// For XLSX it reads the first visible worksheet; for CSV it decodes UTF-8
// (with or without BOM), or GB18030 (which includes GBK) when the first
// 64 KiB are not valid UTF-8.
//
// The header row is the first row with a cell that matches a header of m
// (or of o); up to 10 non-empty title rows above it are skipped. Matching
// ignores all spaces (half- and full-width), full-width versus half-width
// letters and brackets, letter case, a leading or trailing "*", and a
// "(必填)"/"（必填）" marker.
//
// Open returns an error when the mapping or override is inconsistent, the
// format is unknown (wraps ErrUnknownFormat), the input is larger than
// lim.MaxBytes (wraps ErrTooLarge), the workbook cannot be read (wraps
// ErrOldExcel for .xls content), no header row is found (wraps
// ErrNoHeader), a required field has no column (*MissingColumnsError), or
// two columns map to the same field (*DuplicateColumnError).
func Open(r io.Reader, format Format, m Mapping, o Override, lim Limits) (*Table, error) {
	lim = lim.withDefaults()
	idx, err := headerIndex(m, o)
	if err != nil {
		return nil, err
	}
	src, err := openSource(r, format, lim)
	if err != nil {
		return nil, err
	}
	t, err := readHeader(src, m, o, idx, lim)
	if err != nil {
		_ = src.close()
		return nil, err
	}
	return t, nil
}

// readHeader finds the header row and maps its columns to fields.
func readHeader(src source, m Mapping, o Override, idx map[string]int, lim Limits) (*Table, error) {
	var header []string
	headerRow, skipped := 0, 0
	for header == nil {
		cells, num, ok := src.next()
		if !ok {
			if err := src.err(); err != nil {
				return nil, err
			}
			if skipped == 0 {
				return nil, fmt.Errorf("exchange: %w: the file has no data", ErrNoHeader)
			}
			return nil, noHeaderError(m, skipped)
		}
		if rowEmpty(cells) {
			continue
		}
		for _, c := range cells {
			if _, ok := idx[normHeader(c)]; ok {
				header, headerRow = cells, num
				break
			}
		}
		if header == nil {
			skipped++
			if skipped > maxTitleRows {
				return nil, noHeaderError(m, skipped)
			}
		}
	}
	header = append([]string(nil), header...) // sources may reuse the slice

	lay := &layout{
		fields: m,
		index:  make(map[string]int, len(m)),
		cols:   make([]int, len(m)),
		labels: make([]string, len(m)),
		heads:  make([]string, len(m)),
	}
	for i, f := range m {
		lay.index[f.Name] = i
		lay.cols[i] = -1
	}
	for ci, c := range header {
		fi, ok := idx[normHeader(c)]
		if !ok {
			continue
		}
		if prev := lay.cols[fi]; prev >= 0 {
			return nil, &DuplicateColumnError{
				Field:     m[fi].Name,
				HeaderRow: headerRow,
				Columns:   [2]string{lay.labels[fi], src.label(ci)},
				Headers:   [2]string{lay.heads[fi], trimCell(c)},
			}
		}
		lay.cols[fi], lay.labels[fi], lay.heads[fi] = ci, src.label(ci), trimCell(c)
	}
	var missing []Field
	for i, f := range m {
		if f.Required && lay.cols[i] < 0 {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		e := &MissingColumnsError{Missing: missing, Override: o, HeaderRow: headerRow}
		for ci, c := range header {
			if c = trimCell(c); c != "" {
				e.Found = append(e.Found, c)
				e.Columns = append(e.Columns, src.label(ci))
			}
		}
		return nil, e
	}
	return &Table{src: src, lay: lay, lim: lim, headerRow: headerRow}, nil
}

// noHeaderError explains that no header row was found after skipped
// non-empty rows.
func noHeaderError(m Mapping, skipped int) error {
	var want []string
	for _, f := range m {
		if f.Required && len(f.Headers) > 0 {
			want = append(want, strconv.Quote(f.Headers[0]))
		}
	}
	if len(want) == 0 {
		for _, f := range m {
			if len(f.Headers) > 0 {
				want = append(want, strconv.Quote(f.Headers[0]))
			}
		}
	}
	if len(want) > 6 {
		want = want[:6]
	}
	return fmt.Errorf("exchange: %w: none of the first %d non-empty rows has a known column header (expected headers such as %s)",
		ErrNoHeader, skipped, strings.Join(want, ", "))
}

// rowEmpty reports whether every cell is blank.
func rowEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.IndexFunc(c, func(r rune) bool { return !isSpace(r) }) >= 0 {
			return false
		}
	}
	return true
}

// Next returns the next non-empty data row; ok is false at the end of the
// sheet or after an error (see Err). When it returns false the Table has
// released its resources.
func (t *Table) Next() (row Row, ok bool) {
	if t.done {
		return Row{}, false
	}
	for {
		cells, num, ok := t.src.next()
		if !ok {
			t.finish(t.src.err())
			return Row{}, false
		}
		if rowEmpty(cells) {
			continue
		}
		t.rows++
		if t.rows > t.lim.MaxRows {
			t.finish(fmt.Errorf("exchange: %w: more than %d data rows (row %d); split the file", ErrTooManyRows, t.lim.MaxRows, num))
			return Row{}, false
		}
		row := Row{Number: num, lay: t.lay, values: make([]string, len(t.lay.cols))}
		for fi, ci := range t.lay.cols {
			if ci < 0 || ci >= len(cells) {
				continue
			}
			v := trimCell(cells[ci])
			if !utf8.ValidString(v) {
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
			if len(v) > t.lim.MaxCell && utf8.RuneCountInString(v) > t.lim.MaxCell {
				v = cutRunes(v, t.lim.MaxCell)
				row.TooLong = append(row.TooLong, t.lay.fields[fi].Name)
			}
			row.values[fi] = v
		}
		return row, true
	}
}

// cutRunes returns the first n runes of s.
func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// finish ends the iteration with err (nil at a clean end) and releases the
// source.
func (t *Table) finish(err error) {
	t.done = true
	if cerr := t.src.close(); err == nil && cerr != nil {
		err = fmt.Errorf("exchange: close: %w", cerr)
	}
	t.err = err
}

// Err returns the error that stopped Next early: a read or decode error,
// a damaged workbook, an input larger than Limits.MaxBytes (wraps
// ErrTooLarge), or more rows than Limits.MaxRows (wraps ErrTooManyRows). It
// returns nil after a clean end.
func (t *Table) Err() error { return t.err }

// Close releases the Table's resources (temporary files of a large
// workbook); Next returns false afterwards. It returns an error only when
// removing those files fails, and nil when called again.
func (t *Table) Close() error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.src.close(); err != nil {
		return fmt.Errorf("exchange: close: %w", err)
	}
	return nil
}

// Columns returns, for each field that has a column, the column's label as
// the user sees it: a letter such as "C" for xlsx, a 1-based number such as
// "3" for CSV.
func (t *Table) Columns() map[string]string {
	out := make(map[string]string, len(t.lay.fields))
	for i, f := range t.lay.fields {
		if t.lay.cols[i] >= 0 {
			out[f.Name] = t.lay.labels[i]
		}
	}
	return out
}

// Headers returns, for each field that has a column, the header text of
// that column as written in the file.
func (t *Table) Headers() map[string]string {
	out := make(map[string]string, len(t.lay.fields))
	for i, f := range t.lay.fields {
		if t.lay.cols[i] >= 0 {
			out[f.Name] = t.lay.heads[i]
		}
	}
	return out
}

// HeaderRow returns the row number of the header row.
func (t *Table) HeaderRow() int { return t.headerRow }

// Rows returns the number of non-empty data rows Next has returned so far.
func (t *Table) Rows() int {
	if t.rows > t.lim.MaxRows {
		return t.lim.MaxRows
	}
	return t.rows
}

// limitReader reads at most max bytes and fails with ErrTooLarge when the
// input has more.
type limitReader struct {
	r        io.Reader
	max, got int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.got > l.max {
		return 0, l.tooLarge()
	}
	if rem := l.max + 1 - l.got; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := l.r.Read(p)
	l.got += int64(n)
	if l.got > l.max {
		return 0, l.tooLarge()
	}
	return n, err
}

func (l *limitReader) tooLarge() error {
	return fmt.Errorf("%w: larger than %s", ErrTooLarge, sizeText(l.max))
}

// sizeText writes a byte count for people.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// csvSource reads CSV records.
type csvSource struct {
	r *csv.Reader
	e error
}

// csvSniff is how much of a CSV file decides its encoding.
const csvSniff = 64 << 10

func openCSV(r io.Reader, lim Limits) (*csvSource, error) {
	br := bufio.NewReaderSize(&limitReader{r: r, max: lim.MaxBytes}, csvSniff)
	head, err := br.Peek(csvSniff)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("exchange: read csv: %w", err)
	}
	var rd io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, errors.New(`exchange: the file is UTF-16 text ("Unicode text"): save it as "CSV UTF-8" or as an Excel workbook (.xlsx)`)
	case !validUTF8Prefix(head, err == io.EOF):
		rd = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvSource{r: cr}, nil
}

// validUTF8Prefix reports whether p is valid UTF-8, allowing a rune cut off
// at the end when p is not the whole input.
func validUTF8Prefix(p []byte, whole bool) bool {
	if !whole {
		for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
			if utf8.RuneStart(p[i]) {
				if !utf8.FullRune(p[i:]) {
					p = p[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(p)
}

func (s *csvSource) next() ([]string, int, bool) {
	if s.e != nil {
		return nil, 0, false
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		return nil, 0, false
	}
	if err != nil {
		s.e = fmt.Errorf("exchange: csv: %w", err)
		return nil, 0, false
	}
	line, _ := s.r.FieldPos(0)
	return rec, line, true
}

func (s *csvSource) err() error           { return s.e }
func (s *csvSource) label(col int) string { return strconv.Itoa(col + 1) }
func (s *csvSource) close() error         { return nil }

// xlsxSource reads the rows of a worksheet.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int // row number of the current row
	e    error
}

// xlsxOptions are the reading options: Chinese Excel's short date format, so
// dates read as "2024/1/5" rather than "01-05-24" (tagged zh-CN, see
// tagDateFormats), and a bound on the unzipped size against zip bombs.
func xlsxOptions(lim Limits) excelize.Options {
	unzip := max(lim.MaxBytes*32, 256<<20)
	return excelize.Options{
		ShortDatePattern: zhCN + "yyyy/m/d",
		CultureInfo:      excelize.CultureNameZhCN,
		UnzipSizeLimit:   unzip,
	}
}

func openXLSX(r io.Reader, lim Limits) (*xlsxSource, error) {
	br := bufio.NewReader(&limitReader{r: r, max: lim.MaxBytes})
	head, err := br.Peek(8)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("exchange: read xlsx: %w", err)
	}
	if bytes.HasPrefix(head, oleMagic) {
		return nil, fmt.Errorf("exchange: %w", ErrOldExcel)
	}
	if !bytes.HasPrefix(head, zipMagic) {
		return nil, fmt.Errorf("exchange: not an Excel workbook (.xlsx): %w", ErrUnknownFormat)
	}
	f, err := excelize.OpenReader(br, xlsxOptions(lim))
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("exchange: read xlsx: %w", err)
		}
		return nil, fmt.Errorf("exchange: the workbook cannot be read (damaged or not an .xlsx file): %w", err)
	}
	tagDateFormats(f)
	sheet := firstVisibleSheet(f)
	if sheet == "" {
		_ = f.Close()
		return nil, errors.New("exchange: the workbook has no worksheet")
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("exchange: read worksheet %q: %w", sheet, err)
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

// zhCN is the number-format language tag of Chinese (PRC).
const zhCN = "[$-804]"

// tagDateFormats tags the workbook's custom date formats that have no
// language tag as zh-CN. For a date format without a tag, excelize looks up
// the language by scanning every language it knows, for every cell: about
// half the time of reading a sheet with two date columns. With the tag it is
// a map lookup. The text of numeric dates is unchanged; month and weekday
// names and AM/PM come out in Chinese, as Chinese Excel shows them.
func tagDateFormats(f *excelize.File) {
	if f.Styles == nil || f.Styles.NumFmts == nil {
		return
	}
	for _, nf := range f.Styles.NumFmts.NumFmt {
		if nf == nil {
			continue
		}
		if untaggedDateFormat(nf.FormatCode) {
			nf.FormatCode = zhCN + nf.FormatCode
		}
		if untaggedDateFormat(nf.FormatCode16) {
			nf.FormatCode16 = zhCN + nf.FormatCode16
		}
	}
}

// untaggedDateFormat reports whether the number format code has date or
// time tokens (y, d, h or s outside quoted text, escapes and brackets) and
// no "[$" language or currency tag.
func untaggedDateFormat(code string) bool {
	if code == "" || strings.Contains(code, "[$") {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '\\', '_', '*':
			i++ // the next character is literal or padding
		case '[':
			if j := strings.IndexByte(code[i:], ']'); j >= 0 {
				i += j
			}
		case 'y', 'Y', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// firstVisibleSheet returns the first visible worksheet, or the first
// worksheet when all are hidden, or "".
func firstVisibleSheet(f *excelize.File) string {
	list := f.GetSheetList()
	for _, s := range list {
		if v, err := f.GetSheetVisible(s); err == nil && v {
			return s
		}
	}
	if len(list) > 0 {
		return list[0]
	}
	return ""
}

func (s *xlsxSource) next() ([]string, int, bool) {
	if s.e != nil || s.rows == nil {
		return nil, 0, false
	}
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			s.e = fmt.Errorf("exchange: xlsx after row %d: %w", s.n, err)
		}
		return nil, 0, false
	}
	s.n++
	cells, err := s.rows.Columns()
	if err != nil {
		s.e = fmt.Errorf("exchange: xlsx row %d: %w", s.n, err)
		return nil, 0, false
	}
	return cells, s.n, true
}

func (s *xlsxSource) err() error { return s.e }

func (s *xlsxSource) label(col int) string {
	name, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return strconv.Itoa(col + 1)
	}
	return name
}

func (s *xlsxSource) close() error {
	if s.f == nil {
		return nil
	}
	var err error
	if s.rows != nil {
		_ = s.rows.Close()
		s.rows = nil
	}
	err = s.f.Close()
	s.f = nil
	return err
}

// openSource opens r as a spreadsheet of the given format.
func openSource(r io.Reader, format Format, lim Limits) (source, error) {
	switch format {
	case XLSX:
		return openXLSX(r, lim)
	case CSV:
		return openCSV(r, lim)
	}
	return nil, fmt.Errorf("exchange: format %q: %w", format, ErrUnknownFormat)
}
