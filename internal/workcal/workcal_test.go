package workcal

import (
	"testing"
	"time"

	"gridwork/internal/dates"
)

// at is a wall-clock time in Asia/Shanghai.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkday(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		day  string
		want bool
		why  string
	}{
		{"2026-03-09", true, "a plain Monday"},
		{"2026-03-07", false, "a plain Saturday"},
		{"2026-03-08", false, "a plain Sunday"},
		{"2026-02-14", true, "Saturday worked for the Spring Festival (调休上班)"},
		{"2026-02-16", false, "Monday in the Spring Festival holiday"},
		{"2026-02-23", false, "last day of the Spring Festival holiday, a Monday"},
		{"2026-02-28", true, "second swapped Saturday of the Spring Festival"},
		{"2026-01-04", true, "Sunday worked for New Year"},
		{"2026-04-06", false, "Qingming Monday"},
		{"2025-10-08", false, "National Day 2025, a Wednesday"},
		{"2025-10-11", true, "Saturday worked for National Day 2025"},
	} {
		t.Run(tc.day, func(t *testing.T) {
			if got := c.IsWorkday(dates.MustParse(tc.day)); got != tc.want {
				t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tc.day, got, tc.want, tc.why)
			}
		})
	}
	// February 2026: 20 weekdays, less 6 holiday weekdays (16–20, 23), plus
	// two swapped Saturdays (14, 28) = 16 working days.
	if n := len(c.Workdays(dates.MustParse("2026-02-01"), dates.MustParse("2026-02-28"))); n != 16 {
		t.Errorf("February 2026 has %d working days, want 16", n)
	}
}

func TestDue(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name, start string
		limit       Limit
		want        string
	}{
		// Friday 14 h + Monday 24 h = 38 h; 10 h of Tuesday.
		{"over a weekend", "2026-03-06 10:00", Limit{2, Workdays}, "2026-03-10 10:00"},
		// The clock starts on Monday 00:00: Monday and Tuesday in full.
		{"started on a Saturday", "2026-03-07 10:00", Limit{2, Workdays}, "2026-03-11 00:00"},
		// Friday 14 h + the swapped Saturday 14th 24 h = 38 h; the holiday
		// runs to Monday 23rd; 10 h of Tuesday 24th.
		{"into the Spring Festival, with a swapped Saturday", "2026-02-13 10:00", Limit{2, Workdays}, "2026-02-24 10:00"},
		// Thursday 8 h + Friday 24 h = 32 h; Qingming Saturday to Monday;
		// 16 h of Tuesday.
		{"over Qingming", "2026-04-02 16:00", Limit{2, Workdays}, "2026-04-07 16:00"},
		// Mon 15 h + Tue–Fri 96 h + swapped Sat 24 h = 135 h; holiday to
		// the 23rd; Tue 24th 24 h = 159 h; 9 h of Wednesday 25th = 168 h.
		{"seven working days across the Spring Festival", "2026-02-09 09:00", Limit{7, Workdays}, "2026-02-25 09:00"},
		{"hours run on a Saturday", "2026-03-07 10:00", Limit{2, Hours}, "2026-03-07 12:00"},
		{"natural days run over holidays", "2026-02-13 10:00", Limit{7, Days}, "2026-02-20 10:00"},
		{"exactly at midnight of a working day", "2026-03-09 00:00", Limit{1, Workdays}, "2026-03-10 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Due(at(tc.start), tc.limit)
			if want := at(tc.want); !got.Equal(want) {
				t.Errorf("Due(%s, %s) = %s, want %s", tc.start, tc.limit, got.In(dates.Shanghai).Format("2006-01-02 15:04"), tc.want)
			}
			// The limit is used up exactly when it is due.
			if u := c.Used(at(tc.start), got, tc.limit); u < 0.999999 || u > 1.000001 {
				t.Errorf("Used at the due time = %v, want 1", u)
			}
		})
	}
}

func TestUsed(t *testing.T) {
	c := Default()
	start := at("2026-03-06 10:00") // Friday
	two := Limit{2, Workdays}
	for _, tc := range []struct {
		now  string
		want float64
	}{
		{"2026-03-06 10:00", 0},
		{"2026-03-05 10:00", 0},         // before the start
		{"2026-03-07 23:00", 14.0 / 48}, // the weekend does not count
		{"2026-03-09 10:00", 24.0 / 48},
		{"2026-03-10 00:24", 0.8}, // 14 + 24 + 0.4 = 38.4 h of 48: yellow from here
		{"2026-03-10 10:00", 1},
		{"2026-03-10 22:00", 60.0 / 48},
	} {
		t.Run(tc.now, func(t *testing.T) {
			if got := c.Used(start, at(tc.now), two); got < tc.want-1e-9 || got > tc.want+1e-9 {
				t.Errorf("Used(%s) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}

func TestWorkHours(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		t    string
		want bool
	}{
		{"2026-03-09 08:29", false},
		{"2026-03-09 08:30", true},
		{"2026-03-09 17:29", true},
		{"2026-03-09 17:30", false},
		{"2026-03-07 10:00", false}, // Saturday
		{"2026-02-14 10:00", true},  // swapped Saturday
		{"2026-02-16 10:00", false}, // Spring Festival
	} {
		if got := c.InWorkHours(at(tc.t)); got != tc.want {
			t.Errorf("InWorkHours(%s) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Limit
		bad  bool
	}{
		{"2workdays", Limit{2, Workdays}, false},
		{"7 days", Limit{7, Days}, false},
		{"2h", Limit{2, Hours}, false},
		{"1 hour", Limit{1, Hours}, false},
		{"3wd", Limit{3, Workdays}, false},
		{"1d", Limit{1, Days}, false},
		{"0d", Limit{}, true},
		{"-1d", Limit{}, true},
		{"2 weeks", Limit{}, true},
		{"", Limit{}, true},
		{"99999d", Limit{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLimit(tc.in)
			if tc.bad {
				if err == nil {
					t.Errorf("ParseLimit(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseLimit(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if back, err := ParseLimit(got.String()); err != nil || back != got {
				t.Errorf("round trip of %v = %v, %v", got, back, err)
			}
		})
	}
}

func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"2workdays", "7 days", "2h", "0d", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLimit(s)
		if err != nil {
			return
		}
		if !l.Valid() {
			t.Fatalf("ParseLimit(%q) = %v, not valid", s, l)
		}
		if back, err := ParseLimit(l.String()); err != nil || back != l {
			t.Fatalf("round trip of %v = %v, %v", l, back, err)
		}
	})
}
