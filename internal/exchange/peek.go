package exchange

import (
	"fmt"
	"io"
	"strings"
)

// Column is one column of a file's header row, as an import wizard offers
// it for mapping.
type Column struct {
	Label  string `json:"label"`  // "C" in an xlsx file, "3" in a CSV file
	Header string `json:"header"` // the header text, trimmed
}

// Sample is the head of a file before it is imported: its header row, the
// mapping Open would make of it, and its first data rows.
type Sample struct {
	HeaderRow int      `json:"header_row"`
	Columns   []Column `json:"columns" doc:"the header row's non-empty cells, in column order"`
	// Suggested maps field names to the header text Open would read them
	// from with the mapping's own headers.
	Suggested map[string]string `json:"suggested"`
	// Rows are the first non-empty data rows, one cell per entry of
	// Columns.
	Rows [][]string `json:"rows"`
}

// Peek reads the head of a spreadsheet for a mapping step: the header row
// is found as Open finds it (the first row with a header m knows, up to 10
// title rows skipped), or, when no row has one, it is the first row with
// the most non-empty cells among the first 11, so that a file with headers nobody listed can still be mapped by
// hand. It returns up to n data rows below it. Cells are trimmed and cut
// to lim.MaxCell runes. Errors: as Open's for the format, size and
// workbook, ErrNoHeader (wrapped) for a file without a non-empty row.
func Peek(r io.Reader, format Format, m Mapping, n int, lim Limits) (Sample, error) {
	lim = lim.withDefaults()
	idx, err := headerIndex(m, nil)
	if err != nil {
		return Sample{}, err
	}
	src, err := openSource(r, format, lim)
	if err != nil {
		return Sample{}, err
	}
	defer src.close()

	// The rows above a recognised header, kept in case none is found.
	type seen struct {
		cells []string
		num   int
	}
	var head []seen
	var header []string
	headerRow := 0
	for header == nil {
		cells, num, ok := src.next()
		if !ok {
			if err := src.err(); err != nil {
				return Sample{}, err
			}
			break
		}
		if rowEmpty(cells) {
			continue
		}
		cells = append([]string(nil), cells...) // sources may reuse the slice
		for _, c := range cells {
			if _, ok := idx[normHeader(c)]; ok {
				header, headerRow = cells, num
				break
			}
		}
		if header == nil {
			head = append(head, seen{cells, num})
			if len(head) > maxTitleRows {
				break
			}
		}
	}
	var pending []seen // data rows already read while looking for the header
	if header == nil {
		if len(head) == 0 {
			return Sample{}, fmt.Errorf("exchange: %w: the file has no data", ErrNoHeader)
		}
		// No header anyone listed: the first of the widest rows (a title
		// row above it has fewer cells).
		best, width := 0, 0
		for i, h := range head {
			w := 0
			for _, c := range h.cells {
				if trimCell(c) != "" {
					w++
				}
			}
			if w > width {
				best, width = i, w
			}
		}
		header, headerRow, pending = head[best].cells, head[best].num, head[best+1:]
	}

	// clean is a cell as a Sample shows it: valid UTF-8 (as Row.Get's
	// values), trimmed, at most MaxCell runes.
	clean := func(c string) string {
		return trimCell(cutRunes(trimCell(strings.ToValidUTF8(c, "\uFFFD")), lim.MaxCell))
	}
	s := Sample{HeaderRow: headerRow, Suggested: map[string]string{}, Rows: [][]string{}}
	var cols []int
	for ci, c := range header {
		c = clean(c)
		if c == "" {
			continue
		}
		cols = append(cols, ci)
		s.Columns = append(s.Columns, Column{Label: src.label(ci), Header: c})
		if fi, ok := idx[normHeader(c)]; ok {
			if _, dup := s.Suggested[m[fi].Name]; !dup {
				s.Suggested[m[fi].Name] = c
			}
		}
	}
	take := func(cells []string) {
		row := make([]string, len(cols))
		for i, ci := range cols {
			if ci < len(cells) {
				row[i] = clean(cells[ci])
			}
		}
		s.Rows = append(s.Rows, row)
	}
	for _, p := range pending {
		if len(s.Rows) < n {
			take(p.cells)
		}
	}
	for len(s.Rows) < n {
		cells, _, ok := src.next()
		if !ok {
			if err := src.err(); err != nil {
				return Sample{}, err
			}
			break
		}
		if !rowEmpty(cells) {
			take(cells)
		}
	}
	return s, nil
}
