package events

import (
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/workcal"
)

// sh returns the instant of a Shanghai wall-clock time "YYYY-MM-DD hh:mm".
func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func wd(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.Workdays} }

// TestLines checks the card lines on the built-in 2026 calendar, each
// worked out by hand: working-day limits count whole 24-hour working days
// (2026-02-14 and 2026-02-28 are swapped working days, 2026-02-15 to
// 2026-02-23 the Spring Festival, 2026-04-04 to 2026-04-06 Qingming).
func TestLines(t *testing.T) {
	cal := workcal.Default()
	never := sh("2027-01-01 00:00")
	cases := []struct {
		name     string
		start    string
		limit    workcal.Limit
		exts     []extension
		parks    []span
		due, red string
	}{
		// Fri 10:00 → 24:00 is 14 h; Sat and Sun off; Mon 24 h (38 h);
		// Tue 10 h more makes 48 h: Tue 10:00. Red, 2 more working days
		// from there: Tue 14 h, Wed 24 h (38 h), Thu 10 h: Thu 10:00.
		{"weekend", "2026-03-06 10:00", wd(2), nil, nil, "2026-03-10 10:00", "2026-03-12 10:00"},
		// From a Saturday the clock starts on Monday 00:00: Mon and Tue
		// are the 48 h, due Wed 00:00; red two days later, Fri 00:00.
		{"saturday start", "2026-03-07 10:00", wd(2), nil, nil, "2026-03-11 00:00", "2026-03-13 00:00"},
		// Fri 2026-02-13 15:00: 9 h; Sat 14 is a swapped working day,
		// 24 h (33 h); 15-23 Spring Festival off; Tue 24: 15 h more: Tue
		// 2026-02-24 15:00. Red: Tue 9 h, Wed 24 h (33 h), Thu 15 h: Thu
		// 2026-02-26 15:00.
		{"spring festival and swapped day", "2026-02-13 15:00", wd(2), nil, nil, "2026-02-24 15:00", "2026-02-26 15:00"},
		// 7 working days (168 h) from Thu 2026-04-02 09:00: Thu 15 h, Fri
		// 24 h (39); Sat 4 - Mon 6 Qingming off; Tue 7, Wed 8, Thu 9, Fri
		// 10 (135); Sat 11, Sun 12 off; Mon 13 (159); Tue 14 9 h: Tue
		// 2026-04-14 09:00. Red: 7 more from there: Tue 15 h, Wed 15 -
		// Fri 17 (87 h), Mon 20 - Wed 22 (159 h), Thu 23 9 h: 2026-04-23 09:00.
		{"qingming, 7 working days", "2026-04-02 09:00", wd(7), nil, nil, "2026-04-14 09:00", "2026-04-23 09:00"},
		// Natural days and hours ignore the calendar.
		{"hours over a holiday", "2026-02-16 23:00", workcal.Limit{N: 4, Unit: workcal.Hours}, nil, nil, "2026-02-17 03:00", "2026-02-17 07:00"},
		{"days", "2026-02-13 15:00", workcal.Limit{N: 7, Unit: workcal.Days}, nil, nil, "2026-02-20 15:00", "2026-02-27 15:00"},
		// An extension of 1 working day approved in time (Mon, before the
		// Tue 10:00 due) moves the due to Wed 10:00; red is one more limit
		// (2 working days) past that: Wed 14 h, Thu 24 h, Fri 10 h: Fri 10:00.
		{"extension in time", "2026-03-06 10:00", wd(2),
			[]extension{{StageAccept, sh("2026-03-09 12:00"), wd(1)}}, nil, "2026-03-11 10:00", "2026-03-13 10:00"},
		// Approved on Wed, after the Tue 10:00 due: the yellow line stays;
		// the red line is the extension's new due, Tue 10:00 + 1 working
		// day = Wed 10:00.
		{"late extension", "2026-03-06 10:00", wd(2),
			[]extension{{StageAccept, sh("2026-03-11 09:00"), wd(1)}}, nil, "2026-03-10 10:00", "2026-03-11 10:00"},
		// Parked Mon 00:00 to 12:00: 12 clock hours later, Tue 22:00; red
		// two working days after that: Tue 2 h, Wed 24 h, Thu 22 h: Thu 22:00.
		{"parked half a day", "2026-03-06 10:00", wd(2), nil,
			[]span{{sh("2026-03-09 00:00"), sh("2026-03-09 12:00")}}, "2026-03-10 22:00", "2026-03-12 22:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			due, red := Lines(cal, sh(c.start), c.limit, c.exts, c.parks, never)
			if !due.Equal(sh(c.due)) || !red.Equal(sh(c.red)) {
				t.Errorf("Lines = %s, %s; want %s, %s", shanghaiTime(due), shanghaiTime(red), c.due, c.red)
			}
		})
	}
}

// TestClockLights checks the light of a running accept stage (2 working
// days from Fri 2026-03-06 10:00, due Tue 2026-03-10 10:00).
func TestClockLights(t *testing.T) {
	cal := workcal.Default()
	cat := Category{}
	e := &Event{State: Reported, ReportedAt: sh("2026-03-06 10:00")}
	cases := []struct {
		now   string
		light Light
		used  float64
	}{
		// Fri 14 h + Mon 20 h = 34 h of 48: 0.708.
		{"2026-03-09 20:00", Green, 34.0 / 48},
		// Over the weekend the clock stands: still Fri's 14 h.
		{"2026-03-08 12:00", Green, 14.0 / 48},
		// Fri 14 h + Mon 24 h + Tue 5 h = 43 h: 0.896.
		{"2026-03-10 05:00", Yellow, 43.0 / 48},
		// Exactly due: still yellow (100 %).
		{"2026-03-10 10:00", Yellow, 1},
		// Tue 11:00: 49 h.
		{"2026-03-10 11:00", Red, 49.0 / 48},
	}
	for _, c := range cases {
		cs := clocks(cal, e, cat, nil, sh(c.now))
		if len(cs) != 2 || cs[0].Stage != StageAccept || cs[1].Stage != StageClose {
			t.Fatalf("clocks %+v", cs)
		}
		if got := cs[0]; got.Light != c.light || got.Used < c.used-1e-9 || got.Used > c.used+1e-9 {
			t.Errorf("at %s: light %s used %.4f, want %s %.4f", c.now, got.Light, got.Used, c.light, c.used)
		}
	}
	// Accepted late on Tue 11:00: the finished stage is late; on time
	// at 09:00.
	for _, c := range []struct {
		done  string
		light Light
	}{{"2026-03-10 11:00", Late}, {"2026-03-10 09:00", OnTime}} {
		d := sh(c.done)
		e.AcceptedAt = &d
		if got := clocks(cal, e, cat, nil, sh("2026-03-20 00:00"))[0].Light; got != c.light {
			t.Errorf("accepted %s: %s, want %s", c.done, got, c.light)
		}
	}
}
