package survey

import "testing"

// FuzzNormalizePhone: whatever is typed, the result is "" or an 11-digit
// number starting with 1 that normalizes to itself, so that two spellings
// of one phone get one phone key.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13912345678", "+86 139 1234 5678", "139-1234-5678", "", "1391234567８", "23912345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := normalizePhone(s)
		if p == "" {
			return
		}
		if len(p) != 11 || p[0] != '1' || normalizePhone(p) != p {
			t.Errorf("normalizePhone(%q) = %q", s, p)
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				t.Errorf("normalizePhone(%q) = %q", s, p)
			}
		}
	})
}

func TestPhoneKeyPerSurvey(t *testing.T) {
	a, b := phoneKey("s1", "13912345678"), phoneKey("s2", "13912345678")
	if a == b || a != phoneKey("s1", normalizePhone("+86 139-1234-5678")) {
		t.Error("a phone's key must differ between surveys and not between spellings")
	}
}
