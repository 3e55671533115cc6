package patrol_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/patrol"
	"gridwork/internal/workcal"
)

var day = dates.MustParse("2026-03-04") // a Wednesday

func analyse(pts []patrol.Point, opts ...func(*patrol.Input)) patrol.Analysis {
	in := patrol.Input{WorkerID: "w1", Day: day, Points: pts, Area: testArea, Calendar: plainCalendar()}
	for _, o := range opts {
		o(&in)
	}
	return patrol.Analyse(in, patrol.DefaultParams)
}

// walkEast is a fix a minute at 39.915 N, at the given longitudes.
func walkEast(start time.Time, lons ...float64) []patrol.Point {
	var out []patrol.Point
	for i, lon := range lons {
		out = append(out, pt(start.Add(time.Duration(i)*time.Minute), 39.915, lon))
	}
	return out
}

func flagsOf(a patrol.Analysis, k patrol.FlagKind) []patrol.Flag {
	var out []patrol.Flag
	for _, f := range a.Flags {
		if f.Kind == k {
			out = append(out, f)
		}
	}
	return out
}

// A track that leaves the grid counts only the steps whose both fixes are
// inside. Worked by hand: fixes a minute apart at longitudes
// .306 .307 .308 .309 | .311 .312 | .309 .308 .307 .306 (the grid ends at
// .310). Steps 0-1, 1-2, 2-3 are inside (3 min); 3-4 crosses out, 4-5 is
// outside, 5-6 crosses back: none count; 6-7, 7-8, 8-9 are inside (3 min).
// Inside 6 min = 360 s of 9 min = 540 s tracked, one patrol.
func TestLeavingTheGridCountsOnlyTheInsidePart(t *testing.T) {
	pts := walkEast(at("2026-03-04 09:00:00"), 116.306, 116.307, 116.308, 116.309, 116.311, 116.312, 116.309, 116.308, 116.307, 116.306)
	a := analyse(pts)
	if len(a.Patrols) != 1 {
		t.Fatalf("patrols = %d, want 1: %+v", len(a.Patrols), a.Patrols)
	}
	p := a.Patrols[0]
	if p.InsideSeconds != 360 || p.TrackedSeconds != 540 || p.Points != 10 {
		t.Errorf("inside %v s, tracked %v s, %d points; want 360, 540, 10", p.InsideSeconds, p.TrackedSeconds, p.Points)
	}
	// Three parts: inside 09:00-09:03, outside 09:03-09:06, inside 09:06-09:09.
	if len(p.Parts) != 3 || !p.Parts[0].Inside || p.Parts[1].Inside || !p.Parts[2].Inside ||
		p.Parts[0].Seconds != 180 || p.Parts[1].Seconds != 180 || !p.Parts[1].From.Equal(at("2026-03-04 09:03:00")) {
		t.Errorf("parts %+v", p.Parts)
	}
	var inside []bool
	for _, tp := range a.Points {
		inside = append(inside, tp.Inside)
	}
	if want := []bool{true, true, true, true, false, false, true, true, true, true}; !slices.Equal(inside, want) {
		t.Errorf("inside = %v, want %v", inside, want)
	}
	if a.Summary.InsideSeconds != 360 || a.Summary.Patrols != 1 || a.Summary.LongPatrols != 0 {
		t.Errorf("summary = %+v", a.Summary)
	}
}

// Fixes arriving in any order, with duplicates, give the same analysis.
func TestOrderDoesNotMatter(t *testing.T) {
	pts := loop(at("2026-03-04 08:30:00"), 2*time.Hour, 30*time.Second, 0)
	want := analyse(pts)
	r := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(pts)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	shuffled = append(shuffled, pts[10], pts[200]) // sent twice
	got := analyse(shuffled)
	if got.Summary.InsideSeconds != want.Summary.InsideSeconds || got.Summary.Patrols != want.Summary.Patrols || got.Summary.Points != want.Summary.Points {
		t.Errorf("shuffled summary %+v, want %+v", got.Summary, want.Summary)
	}
	if want.Summary.InsideSeconds != 7200 {
		t.Errorf("a 2 h loop inside the grid counts %v s, want 7200", want.Summary.InsideSeconds)
	}
}

// A 3 h patrol sampled every 30 s spans 2 h 59 min 30 s between its first
// and last fix if it has 360 fixes: the grace counts it as long; 2 h 58 min
// does not.
func TestLongPatrol(t *testing.T) {
	for _, tc := range []struct {
		dur  time.Duration
		long bool
	}{
		{3*time.Hour - 30*time.Second, true},
		{3 * time.Hour, true},
		{3*time.Hour - 2*time.Minute, false},
	} {
		a := analyse(loop(at("2026-03-04 08:30:00"), tc.dur, 30*time.Second, 0))
		if len(a.Patrols) != 1 || a.Patrols[0].Long != tc.long {
			t.Errorf("%s: patrols %+v, want one with long=%v", tc.dur, a.Patrols, tc.long)
		}
	}
}

// A gap longer than 10 minutes cuts the patrol, and its time is not counted.
func TestGapCutsPatrol(t *testing.T) {
	pts := loop(at("2026-03-04 08:30:00"), 30*time.Minute, time.Minute, 0)
	pts = append(pts, loop(at("2026-03-04 09:20:00"), 20*time.Minute, time.Minute, 500)...)
	a := analyse(pts)
	if len(a.Patrols) != 2 || a.Summary.InsideSeconds != (30+20)*60 {
		t.Errorf("patrols %d inside %v; want 2 and 3000 s", len(a.Patrols), a.Summary.InsideSeconds)
	}
}

// Sitting still for 15 minutes or more is idle: not counted, and it ends
// the patrol. 10 min walking (to 09:10), 20 min within a few metres (to
// 09:30), 11 min walking: 10 + 11 min counted in two patrols; the still
// fixes strictly between 09:10 and 09:30 (19) are idle, the two ends
// belong to the patrols.
func TestIdle(t *testing.T) {
	start := at("2026-03-04 09:00:00")
	pts := loop(start, 10*time.Minute, time.Minute, 0)
	last := pts[len(pts)-1]
	for i := 1; i <= 20; i++ {
		p := last
		p.At = last.At.Add(time.Duration(i) * time.Minute)
		p.Lat += float64(i%3) * 0.00005 // ±5 m of jitter
		pts = append(pts, p)
	}
	pts = append(pts, loop(start.Add(31*time.Minute), 10*time.Minute, time.Minute, 800)...)
	a := analyse(pts)
	if len(a.Patrols) != 2 || a.Summary.InsideSeconds != 1260 {
		t.Errorf("patrols %+v inside %v; want 2 patrols and 1260 s", a.Patrols, a.Summary.InsideSeconds)
	}
	idle := 0
	for _, p := range a.Points {
		if p.Status == patrol.Idle {
			idle++
		}
	}
	if idle != 19 {
		t.Errorf("%d idle fixes, want 19", idle)
	}
}

// A jump of ~8.5 km in 30 s (about 280 m/s) is a teleport: flagged, and
// its step does not count. Then the track continues from where it landed.
func TestTeleportFlagged(t *testing.T) {
	start := at("2026-03-04 09:00:00")
	pts := walkEast(start, 116.301, 116.302, 116.303)
	far := pt(start.Add(2*time.Minute+30*time.Second), 39.915, 116.403) // 0.1° east: 8.5 km
	pts = append(pts, far, pt(start.Add(3*time.Minute), 39.915, 116.4035))
	a := analyse(pts)
	tf := flagsOf(a, patrol.FlagTeleport)
	if len(tf) != 1 || !tf[0].To.Equal(far.At) {
		t.Fatalf("teleport flags %+v, want one at %s", tf, far.At)
	}
	if a.Summary.InsideSeconds != 120 || a.Summary.CheatFlags != 1 {
		t.Errorf("summary %+v, want 120 s inside and 1 cheat flag", a.Summary)
	}
	// A spike away and straight back is one flag, and the step back does
	// not count either: 09:00-09:02 only.
	spike := walkEast(start, 116.301, 116.302, 116.303, 116.304, 116.305)
	spike[3].Lat += 0.1
	c := analyse(spike)
	if tf := flagsOf(c, patrol.FlagTeleport); len(tf) != 1 || c.Summary.InsideSeconds != 120 {
		t.Errorf("spike: flags %+v, inside %v s; want one flag and 120 s", tf, c.Summary.InsideSeconds)
	}
	// A fast but possible step (an e-bike: 300 m in 30 s) is not.
	b := analyse(walkEast(start, 116.301, 116.302, 116.3055))
	if len(flagsOf(b, patrol.FlagTeleport)) != 0 {
		t.Errorf("a 5 m/s step flagged: %+v", b.Flags)
	}
}

// Mock fixes are flagged as one stretch and never counted.
func TestMockFlagged(t *testing.T) {
	pts := walkEast(at("2026-03-04 09:00:00"), 116.301, 116.302, 116.303, 116.304, 116.305, 116.306)
	pts[2].Mock, pts[3].Mock = true, true
	a := analyse(pts)
	mf := flagsOf(a, patrol.FlagMock)
	if len(mf) != 1 || mf[0].Points != 2 {
		t.Fatalf("mock flags %+v, want one stretch of 2", mf)
	}
	// Steps 0-1 and 4-5 count (1 min each); nothing across the mock stretch.
	if a.Summary.InsideSeconds != 120 || len(a.Patrols) != 2 {
		t.Errorf("inside %v s in %d patrols, want 120 s in 2", a.Summary.InsideSeconds, len(a.Patrols))
	}
}

// Fixes with an accuracy radius over 100 m are dropped: the steps around
// them join the neighbours.
func TestAccuracyFilter(t *testing.T) {
	pts := walkEast(at("2026-03-04 09:00:00"), 116.301, 116.302, 116.303, 116.304)
	pts[1].Accuracy = 150
	pts[2].Accuracy = 100 // at the limit: kept
	a := analyse(pts)
	if a.Points[1].Status != patrol.PoorAccuracy || a.Points[2].Status != patrol.Counted {
		t.Errorf("statuses %s, %s; want poor_accuracy, counted", a.Points[1].Status, a.Points[2].Status)
	}
	if a.Summary.PoorAccuracy != 1 || a.Summary.InsideSeconds != 180 {
		t.Errorf("summary %+v, want 1 poor fix and 180 s (0→2 spans 2 min, 2→3 one)", a.Summary)
	}
}

// Fixes during approved leave are flagged and not counted.
func TestLeaveFlagged(t *testing.T) {
	pts := walkEast(at("2026-03-04 09:00:00"), 116.301, 116.302, 116.303, 116.304, 116.305)
	leave := []workcal.Interval{{From: at("2026-03-04 09:02:00"), To: at("2026-03-04 12:00:00")}}
	a := analyse(pts, func(in *patrol.Input) { in.Leave = leave })
	lf := flagsOf(a, patrol.FlagLeave)
	if len(lf) != 1 || lf[0].Points != 3 {
		t.Fatalf("leave flags %+v, want one stretch of 3", lf)
	}
	if a.Summary.InsideSeconds != 60 {
		t.Errorf("inside %v, want 60 s (the one step before the leave)", a.Summary.InsideSeconds)
	}
}

// With start/stop markers only the fixes of started patrols count.
func TestMarkers(t *testing.T) {
	pts := walkEast(at("2026-03-04 09:00:00"), 116.301, 116.302, 116.303, 116.304, 116.305, 116.306, 116.307)
	ms := []patrol.Marker{{Kind: patrol.Start, At: at("2026-03-04 09:01:00")}, {Kind: patrol.Stop, At: at("2026-03-04 09:04:00")}}
	a := analyse(pts, func(in *patrol.Input) { in.Markers = ms })
	if len(a.Patrols) != 1 || a.Patrols[0].InsideSeconds != 180 || !a.Patrols[0].Explicit {
		t.Errorf("patrols %+v, want one explicit of 180 s", a.Patrols)
	}
	if a.Points[0].Status != patrol.OutsidePatrol || a.Points[5].Status != patrol.OutsidePatrol {
		t.Errorf("statuses %s %s, want outside_patrol", a.Points[0].Status, a.Points[5].Status)
	}
}

// Out of the work area: 40 min outside in working hours is one time; 20 min
// is none; 40 min outside on a Saturday is none.
func TestOutOfArea(t *testing.T) {
	outside := func(start time.Time, minutes int) []patrol.Point {
		var pts []patrol.Point
		for i := 0; i <= minutes; i++ {
			pts = append(pts, pt(start.Add(time.Duration(i)*time.Minute), 39.93, 116.30+float64(i%2)*0.001))
		}
		return pts
	}
	for _, tc := range []struct {
		name string
		d    dates.Date
		pts  []patrol.Point
		want int
	}{
		{"40 min on a Wednesday", day, outside(at("2026-03-04 10:00:00"), 40), 1},
		{"20 min", day, outside(at("2026-03-04 10:00:00"), 20), 0},
		{"40 min after hours", day, outside(at("2026-03-04 18:00:00"), 40), 0},
		{"40 min on a Saturday", dates.MustParse("2026-03-07"), outside(at("2026-03-07 10:00:00"), 40), 0},
	} {
		a := analyse(tc.pts, func(in *patrol.Input) { in.Day = tc.d })
		if a.Summary.OutOfArea != tc.want {
			t.Errorf("%s: out of area %d, want %d (%+v)", tc.name, a.Summary.OutOfArea, tc.want, a.Flags)
		}
	}
}
