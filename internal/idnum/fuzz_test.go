package idnum

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"gridwork/internal/dates"
)

// FuzzParse checks that Parse never panics, that every refusal is an *Error
// with a reason, and that every accepted number is 18 characters, masks to 18
// characters, and parses again to the same Number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 110101200002290018 ",
		"440524188001010014", "810000199001011230", "83000020010615005X",
		"811234199001011236", "110101190002290011", "320502199902300017",
		"１10105194912310027", "110105 19491231002X", "110105\xff19491231002X",
		"", "X", "张三", "110105491231002",
	} {
		f.Add(s)
	}
	on := dates.New(2025, time.June, 1)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s, on)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("Parse(%q): error %v (%T) is not an *Error with a reason", s, err, err)
			}
			if n != (Number{}) {
				t.Fatalf("Parse(%q) returned %+v with an error", s, n)
			}
			_ = Mask(s)
			return
		}
		if len(n.Value) != Length || utf8.RuneCountInString(n.Value) != Length {
			t.Fatalf("Parse(%q).Value = %q, not 18 characters", s, n.Value)
		}
		if m := Mask(n.Value); utf8.RuneCountInString(m) != Length || m[:4] != n.Value[:4] || m[14:] != n.Value[14:] {
			t.Fatalf("Mask(%q) = %q", n.Value, m)
		}
		again, err := Parse(n.Value, on)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its Value %q is refused: %v", s, n.Value, err)
		}
		if again != n {
			t.Fatalf("re-parsing %q gave %+v, want %+v", n.Value, again, n)
		}
		if n.Birth.Before(dates.New(1900, 1, 1)) || n.Birth.After(on) {
			t.Fatalf("Parse(%q) accepted birth date %s", s, n.Birth)
		}
		if n.Region != n.Value[:6] || CheckChar(n.Value[:17]) != n.Value[17] {
			t.Fatalf("Parse(%q) = %+v is inconsistent", s, n)
		}
	})
}
