package exchange

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Field is one value an import needs, and the header texts that name its
// column in the files people upload (for example "身份证号", "公民身份号码",
// "证件号码").
type Field struct {
	Name     string   // the key for Row.Get and in reports; unique in a Mapping
	Headers  []string // accepted header texts, compared as described at Open
	Required bool     // Open fails when no column matches
}

// Mapping lists the fields an import reads.
type Mapping []Field

// Override is a saved per-platform column mapping: field name -> the header
// text of the column to use. For a field in the Override only that header is
// accepted (the field's own Headers are ignored), and it wins over any other
// field that lists the same header.
type Override map[string]string

// normHeader reduces a header cell to the form used for matching: full-width
// letters and punctuation folded to half-width, every space removed, a
// "（必填）"/"(必填)" (or 选填) marker and leading or trailing "*" removed,
// and letters lower-cased.
func normHeader(s string) string {
	s = foldWidth(s)
	s = strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
	for {
		t := strings.Trim(s, "*")
		for _, mark := range []string{"(必填)", "(选填)", "[必填]"} {
			t = strings.TrimSuffix(t, mark)
			t = strings.TrimPrefix(t, mark)
		}
		if t == s {
			break
		}
		s = t
	}
	return strings.ToLower(s)
}

// foldWidth folds full-width letters, digits and punctuation to their
// half-width forms.
func foldWidth(s string) string { return width.Fold.String(s) }

// isSpace reports whether r is white space or an invisible character that
// copy-and-paste leaves around values (BOM, zero-width space).
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060'
}

// trimCell removes surrounding white space and invisible characters.
func trimCell(s string) string { return strings.TrimFunc(s, isSpace) }

// headerIndex maps normalised header texts to field indexes in m.
func headerIndex(m Mapping, o Override) (map[string]int, error) {
	byName := make(map[string]int, len(m))
	for i, f := range m {
		if f.Name == "" {
			return nil, fmt.Errorf("exchange: mapping: field %d has no name", i+1)
		}
		if _, dup := byName[f.Name]; dup {
			return nil, fmt.Errorf("exchange: mapping: field %q is listed twice", f.Name)
		}
		byName[f.Name] = i
	}
	idx := make(map[string]int)
	overridden := make(map[int]bool, len(o))
	// Overrides first: they win over the fields' own headers.
	names := make([]string, 0, len(o))
	for name := range o {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h := o[name]
		i, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("exchange: override names unknown field %q", name)
		}
		n := normHeader(h)
		if n == "" {
			return nil, fmt.Errorf("exchange: override for field %q has an empty header", name)
		}
		if j, dup := idx[n]; dup {
			return nil, fmt.Errorf("exchange: override maps header %q to both %q and %q", h, m[j].Name, name)
		}
		idx[n] = i
		overridden[i] = true
	}
	for i, f := range m {
		if overridden[i] {
			continue
		}
		for _, h := range f.Headers {
			n := normHeader(h)
			if n == "" {
				continue
			}
			j, dup := idx[n]
			switch {
			case !dup:
				idx[n] = i
			case j == i:
			case overridden[j]:
				// The override claimed this header.
			default:
				return nil, fmt.Errorf("exchange: mapping: header %q is listed for both %q and %q", h, m[j].Name, f.Name)
			}
		}
	}
	return idx, nil
}

// MissingColumnsError is returned by Open when required fields have no
// column in the header row.
type MissingColumnsError struct {
	Missing   []Field  // the required fields without a column
	Override  Override // the override in force, for the message
	HeaderRow int      // the row number of the header row
	Found     []string // the non-empty header texts of that row, in column order
	Columns   []string // the column label of each entry in Found
}

// Error names the missing fields with their accepted headers, and lists
// the headers found.
func (e *MissingColumnsError) Error() string {
	var b strings.Builder
	b.WriteString("exchange: missing required column")
	if len(e.Missing) > 1 {
		b.WriteString("s")
	}
	b.WriteString(": ")
	for i, f := range e.Missing {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Name)
		hs := f.Headers
		if h, ok := e.Override[f.Name]; ok {
			hs = []string{h}
		}
		if len(hs) > 0 {
			b.WriteString(" (header ")
			for j, h := range hs {
				if j > 0 {
					if j == len(hs)-1 {
						b.WriteString(" or ")
					} else {
						b.WriteString(", ")
					}
				}
				fmt.Fprintf(&b, "%q", h)
			}
			b.WriteString(")")
		}
	}
	fmt.Fprintf(&b, "; headers found in row %d: ", e.HeaderRow)
	if len(e.Found) == 0 {
		b.WriteString("none")
	}
	for i, h := range e.Found {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q", e.Columns[i], h)
	}
	return b.String()
}

// DuplicateColumnError is returned by Open when two columns of the header
// row map to the same field.
type DuplicateColumnError struct {
	Field     string
	HeaderRow int
	Columns   [2]string // column labels as the user sees them ("C", or "3" in a CSV file)
	Headers   [2]string // the header texts of the two columns
}

// Error names the field and both columns.
func (e *DuplicateColumnError) Error() string {
	return fmt.Sprintf("exchange: columns %s (%q) and %s (%q) in row %d both map to field %s: delete or rename one of them",
		e.Columns[0], e.Headers[0], e.Columns[1], e.Headers[1], e.HeaderRow, e.Field)
}

// CheckOverride reports whether o is a consistent override of m: every
// field it names exists, no header is empty, and no two fields share a
// header. Open makes the same checks; an import calls this first to name
// the override as the culprit.
func CheckOverride(m Mapping, o Override) error {
	_, err := headerIndex(m, o)
	return err
}
