package dates

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{"2026-03-01", true, "2026-03-01"},
		{"2024-02-29", true, "2024-02-29"},
		{"2026-02-29", false, ""},
		{"2026-02-30", false, ""},
		{"2026/03/01", false, ""},
		{"2026-3-1", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := Parse(tt.in)
			if (err == nil) != tt.ok || d.String() != tt.want {
				t.Fatalf("Parse(%q) = %q, %v", tt.in, d, err)
			}
		})
	}
}

// Of takes the calendar date in Asia/Shanghai, not UTC: 17:00 UTC is already
// the next day there.
func TestOfUsesShanghai(t *testing.T) {
	if got := Of(time.Date(2026, 3, 31, 17, 0, 0, 0, time.UTC)).String(); got != "2026-04-01" {
		t.Fatalf("Of(2026-03-31 17:00 UTC) = %s, want 2026-04-01", got)
	}
	if got := MustParse("2026-04-01").Start().UTC().Format(time.RFC3339); got != "2026-03-31T16:00:00Z" {
		t.Fatalf("Start of 2026-04-01 = %s, want 2026-03-31T16:00:00Z", got)
	}
}

func TestMonthsBetween(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"2025-10-15", "2026-04-14", 5},
		{"2025-10-15", "2026-04-15", 6},
		{"2026-01-31", "2026-02-28", 0},
		{"2026-01-31", "2026-03-31", 2},
		{"2026-04-15", "2025-10-15", -6},
		{"2026-04-15", "2025-10-16", -5},
		{"2026-01-01", "2026-01-01", 0},
	}
	for _, tt := range tests {
		if got := MustParse(tt.from).MonthsBetween(MustParse(tt.to)); got != tt.want {
			t.Errorf("%s → %s: %d months, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestJSONAndScan(t *testing.T) {
	var v struct {
		A Date `json:"a"`
		B Date `json:"b"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2026-05-04","b":null}`), &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"a":"2026-05-04","b":null}` {
		t.Fatalf("round trip gave %s", out)
	}
	if err := json.Unmarshal([]byte(`{"a":"May 4"}`), &v); err == nil {
		t.Fatal("a malformed date was accepted")
	}
	for _, src := range []any{"2026-05-04", []byte("2026-05-04"), time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)} {
		var d Date
		if err := d.Scan(src); err != nil || d.String() != "2026-05-04" {
			t.Errorf("Scan(%T) = %s, %v", src, d, err)
		}
	}
	var d Date
	if err := d.Scan(42); err == nil {
		t.Error("Scan(int) succeeded")
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Errorf("zero Date stores %v, want NULL", v)
	}
}
