package patrol

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridwork/internal/dates"
	"gridwork/internal/workcal"
)

// Grid is one of a worker's own grids on a day (the primary grid or an
// extra share): where patrol time counts.
type Grid struct {
	ID      string
	Polygon orb.Polygon
	bound   orb.Bound
}

// NewGrid returns the grid id with polygon p (WGS84, [lon, lat]).
func NewGrid(id string, p orb.Polygon) Grid { return Grid{ID: id, Polygon: p, bound: p.Bound()} }

// Area is the union of a worker's own grids on a day.
type Area []Grid

// Contains reports whether the position lies in one of the grids (points on
// a boundary may fall either way: a fix is never that precise).
func (a Area) Contains(lat, lon float64) bool {
	pt := orb.Point{lon, lat}
	for _, g := range a {
		if g.bound.Contains(pt) && planar.PolygonContains(g.Polygon, pt) {
			return true
		}
	}
	return false
}

// Status says what the analysis made of a fix.
type Status string

// The statuses of a fix.
const (
	Counted       Status = "counted"        // part of a patrol (its time counts when inside)
	Unused        Status = "unused"         // usable, but not part of any patrol (isolated, or across a gap)
	Idle          Status = "idle"           // within IdleRadius for IdleMin or longer
	PoorAccuracy  Status = "poor_accuracy"  // accuracy radius beyond MaxAccuracy: dropped
	MockLocation  Status = "mock"           // the phone reported a simulated location
	OnLeave       Status = "leave"          // taken during the worker's approved leave
	OutsidePatrol Status = "outside_patrol" // on a day with start/stop markers, outside every started patrol
	Duplicate     Status = "duplicate"      // a second fix with the same time (sent twice in different batches)
)

// TrackPoint is a fix with what the analysis made of it.
type TrackPoint struct {
	Point
	Status Status `json:"status"`
	Inside bool   `json:"inside" doc:"inside one of the worker's own grids that day"`
	// Teleport: the step from the previous usable fix to this one was
	// impossibly fast; the step's time does not count.
	Teleport bool `json:"teleport,omitempty"`
	// Patrol is the 1-based number of the patrol the fix belongs to, 0 for
	// none.
	Patrol int `json:"patrol,omitempty"`
}

// Patrol is one patrol of a day.
type Patrol struct {
	ID    string    `json:"id" doc:"worker:YYYY-MM-DD:seq, stable while the day's points do not change"`
	Seq   int       `json:"seq"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Points is the number of fixes in it.
	Points int `json:"points"`
	// InsideSeconds is the time counted inside the own grids: the steps
	// between consecutive fixes that both lie inside.
	InsideSeconds float64 `json:"inside_seconds"`
	// TrackedSeconds is the whole patrol's time, inside or out.
	TrackedSeconds float64 `json:"tracked_seconds"`
	// Long: InsideSeconds reaches Params.LongPatrol − LongGrace.
	Long bool `json:"long"`
	// Explicit: the worker started it with a start marker.
	Explicit bool `json:"explicit"`
	// Parts split the patrol into its stretches inside and outside the own
	// grids, for the map: a part outside includes the steps that cross the
	// boundary.
	Parts []Part `json:"parts"`
	// Hash identifies the track's shape and rhythm (positions rounded to
	// 1e-4 degree, times relative to its start rounded to 10 s); empty for
	// a track too short to compare.
	Hash string `json:"-"`
}

// Part is a stretch of a patrol wholly inside the own grids, or not.
type Part struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Inside  bool      `json:"inside"`
	Seconds float64   `json:"seconds"`
}

// FlagKind is what a flag says.
type FlagKind string

// The flag kinds. OutOfArea is not a cheat: it is the seed 000 fact's
// occurrence, listed with the flags for the centre.
const (
	FlagMock      FlagKind = "mock"        // a stretch of mock-location fixes
	FlagTeleport  FlagKind = "teleport"    // an impossibly fast step
	FlagRepeat    FlagKind = "repeat"      // a patrol whose track repeats one of another day or worker
	FlagLeave     FlagKind = "leave"       // a stretch of fixes during approved leave
	FlagOutOfArea FlagKind = "out_of_area" // outside every own grid during working hours
)

// Cheat reports whether the flag counts in patrol.cheat_flags.
func (k FlagKind) Cheat() bool { return k != FlagOutOfArea }

// Flag is one flagged stretch or step.
type Flag struct {
	ID       string     `json:"id"`
	WorkerID string     `json:"worker_id"`
	Day      dates.Date `json:"day"`
	Kind     FlagKind   `json:"kind" enum:"mock,teleport,repeat,leave,out_of_area"`
	From     time.Time  `json:"from"`
	To       time.Time  `json:"to"`
	Points   int        `json:"points"`
	Lat      float64    `json:"lat"`
	Lon      float64    `json:"lon"`
	Detail   string     `json:"detail"`
}

// Summary is a worker's day in figures: what the facts read.
type Summary struct {
	Points         int     `json:"points" doc:"distinct fixes stored"`
	Counted        int     `json:"counted" doc:"fixes in patrols"`
	PoorAccuracy   int     `json:"poor_accuracy" doc:"fixes dropped for their accuracy"`
	InsideSeconds  float64 `json:"inside_seconds"`
	TrackedSeconds float64 `json:"tracked_seconds"`
	Patrols        int     `json:"patrols"`
	LongPatrols    int     `json:"long_patrols"`
	OutOfArea      int     `json:"out_of_area"`
	CheatFlags     int     `json:"cheat_flags"`
}

// Analysis is a worker's day analysed.
type Analysis struct {
	WorkerID string       `json:"worker_id"`
	Day      dates.Date   `json:"day"`
	Points   []TrackPoint `json:"points"`
	Patrols  []Patrol     `json:"patrols"`
	Flags    []Flag       `json:"flags"`
	Summary  Summary      `json:"summary"`
}

// Input is what Analyse needs to know about a worker's day.
type Input struct {
	WorkerID string
	Day      dates.Date
	Points   []Point  // the day's fixes in any order, duplicates allowed
	Markers  []Marker // the day's start/stop markers in any order
	Area     Area     // the worker's own grids that day
	Leave    []workcal.Interval
	Calendar *workcal.Calendar // nil: no working hours, so no out-of-area
}

// Analyse cuts a worker's day into patrols and flags. It is pure: the same
// input gives the same analysis whatever order the points came in.
//
// The rules, in order:
//  1. Fixes are sorted by time; a second fix with the same time is a
//     duplicate (the better accuracy is kept).
//  2. A fix whose accuracy exceeds MaxAccuracy is dropped; a mock fix or one
//     during approved leave is flagged and not counted.
//  3. Among the remaining fixes (mock ones aside), a step faster than
//     MaxSpeed beyond both accuracy radii is a teleport: flagged, not
//     counted, and the track continues from where it landed.
//  4. On a day with start/stop markers only fixes between a start and the
//     next stop (or the next start, or the day's end) can count.
//  5. Idle stretches (IdleRadius for IdleMin or longer) are cut out.
//  6. A patrol is a maximal run of counted steps: consecutive usable fixes
//     at most Gap apart. A step counts inside when both its fixes are
//     inside an own grid, so a track that leaves the grid counts only the
//     steps wholly inside (the steps that cross the boundary are lost:
//     conservative, and immune to a fix jittering across the edge).
//  7. Out of area: a stretch of usable fixes outside every own grid during
//     working hours on a working day, not on leave, at most Gap apart,
//     lasting OutOfArea or longer.
func Analyse(in Input, p Params) Analysis {
	a := Analysis{WorkerID: in.WorkerID, Day: in.Day, Points: []TrackPoint{}, Patrols: []Patrol{}, Flags: []Flag{}}
	pts := slices.Clone(in.Points)
	slices.SortStableFunc(pts, func(x, y Point) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		switch {
		case x.Accuracy < y.Accuracy:
			return -1
		case x.Accuracy > y.Accuracy:
			return 1
		}
		return 0
	})
	tp := make([]TrackPoint, len(pts))
	inLeave := func(t time.Time) bool {
		for _, iv := range in.Leave {
			if iv.Contains(t) {
				return true
			}
		}
		return false
	}
	for i, pt := range pts {
		tp[i] = TrackPoint{Point: pt, Inside: in.Area.Contains(pt.Lat, pt.Lon)}
		switch {
		case i > 0 && pt.At.Equal(pts[i-1].At):
			tp[i].Status = Duplicate
		case pt.Accuracy > p.MaxAccuracy:
			tp[i].Status = PoorAccuracy
		case pt.Mock:
			tp[i].Status = MockLocation
		case inLeave(pt.At):
			tp[i].Status = OnLeave
		default:
			tp[i].Status = Unused
		}
	}
	// good lists the fixes that say where the worker really was: neither
	// duplicates, nor poor, nor mock.
	var good []int
	for i := range tp {
		switch tp[i].Status {
		case Unused, OnLeave:
			good = append(good, i)
		}
	}
	// 3. Teleports.
	for k := 1; k < len(good); k++ {
		x, y := &tp[good[k-1]], &tp[good[k]]
		d := distance(x.Point, y.Point)
		dt := y.At.Sub(x.At).Seconds()
		if d > p.MaxSpeed*dt+x.Accuracy+y.Accuracy {
			y.Teleport = true
			// A spike (a jump away and straight back) is one flag.
			if x.Teleport && len(a.Flags) > 0 && a.Flags[len(a.Flags)-1].To.Equal(x.At) {
				a.Flags[len(a.Flags)-1].To = y.At
				a.Flags[len(a.Flags)-1].Detail += "; and back"
				continue
			}
			a.Flags = append(a.Flags, Flag{Kind: FlagTeleport, From: x.At, To: y.At, Points: 1, Lat: y.Lat, Lon: y.Lon,
				Detail: fmt.Sprintf("jumped %.1f km in %s (%.0f m/s; at most %.0f m/s is possible)", d/1000, fmtDur(y.At.Sub(x.At)), d/math.Max(dt, 0.001), p.MaxSpeed)})
		}
	}
	// 4. Markers. Steps may not join fixes of two different windows.
	windowOf := func(time.Time) int { return 0 }
	if len(in.Markers) > 0 {
		windows := markerWindows(in.Markers)
		for _, i := range good {
			if tp[i].Status == Unused && !inWindows(windows, tp[i].At) {
				tp[i].Status = OutsidePatrol
			}
		}
		windowOf = func(t time.Time) int { return windowIndex(windows, t) }
	}
	// usable: the fixes whose steps may count.
	var usable []int
	for _, i := range good {
		if tp[i].Status == Unused {
			usable = append(usable, i)
		}
	}
	// A step (usable[k-1] → usable[k]) is a candidate when the two fixes are
	// neighbours (nothing but poor or duplicate fixes in between), at most
	// Gap apart, not a teleport and in the same marker window.
	// pos numbers the fixes that are neither duplicates nor poor, so that
	// a mock fix between two usable ones separates them.
	pos := make([]int, len(tp))
	n := 0
	for i := range tp {
		if tp[i].Status != Duplicate && tp[i].Status != PoorAccuracy {
			n++
		}
		pos[i] = n
	}
	step := make([]bool, len(usable)) // step[k]: usable[k-1] → usable[k]
	for k := 1; k < len(usable); k++ {
		x, y := usable[k-1], usable[k]
		step[k] = pos[y] == pos[x]+1 && !tp[y].Teleport && tp[y].At.Sub(tp[x].At) <= p.Gap &&
			windowOf(tp[x].At) == windowOf(tp[y].At)
	}
	// 5. Idle stretches: from an anchor, the run of stepped fixes within
	// IdleRadius of it; if it lasts IdleMin, its steps are idle.
	for k := 0; k < len(usable); {
		j := k
		for j+1 < len(usable) && step[j+1] && distance(tp[usable[k]].Point, tp[usable[j+1]].Point) <= p.IdleRadius {
			j++
		}
		if j > k && tp[usable[j]].At.Sub(tp[usable[k]].At) >= p.IdleMin {
			for m := k; m <= j; m++ {
				tp[usable[m]].Status = Idle
				if m > k {
					step[m] = false
				}
			}
			k = j + 1
			continue
		}
		k++
	}
	// 6. Patrols: maximal runs of steps.
	for k := 1; k < len(usable); k++ {
		if !step[k] {
			continue
		}
		start := k - 1
		for k+1 < len(usable) && step[k+1] {
			k++
		}
		run := usable[start : k+1]
		pa := Patrol{Seq: len(a.Patrols) + 1, Start: tp[run[0]].At, End: tp[run[len(run)-1]].At, Points: len(run)}
		pa.ID = fmt.Sprintf("%s:%d", dayRef(in.WorkerID, in.Day), pa.Seq)
		for m, i := range run {
			tp[i].Status = Counted
			tp[i].Patrol = pa.Seq
			if m == 0 {
				continue
			}
			dt := tp[i].At.Sub(tp[run[m-1]].At).Seconds()
			pa.TrackedSeconds += dt
			inside := tp[i].Inside && tp[run[m-1]].Inside
			if inside {
				pa.InsideSeconds += dt
			}
			if k := len(pa.Parts) - 1; k >= 0 && pa.Parts[k].Inside == inside {
				pa.Parts[k].To = tp[i].At
				pa.Parts[k].Seconds += dt
			} else {
				pa.Parts = append(pa.Parts, Part{From: tp[run[m-1]].At, To: tp[i].At, Inside: inside, Seconds: dt})
			}
		}
		pa.Long = pa.InsideSeconds >= (p.LongPatrol - p.LongGrace).Seconds()
		for _, m := range in.Markers {
			if m.Kind == Start && !m.At.After(pa.Start) && pa.Start.Sub(m.At) <= p.Gap {
				pa.Explicit = true
			}
		}
		if len(run) >= p.RepeatMinPoints {
			pa.Hash = trackHash(tp, run)
		}
		a.Patrols = append(a.Patrols, pa)
	}
	// Stretches of mock fixes and of fixes during leave.
	a.Flags = append(a.Flags, stretches(tp, FlagMock, func(t TrackPoint) bool { return t.Mock && t.Status != Duplicate },
		"%d mock-location fixes from %s to %s")...)
	a.Flags = append(a.Flags, stretches(tp, FlagLeave, func(t TrackPoint) bool { return t.Status != Duplicate && inLeave(t.At) },
		"%d fixes during approved leave from %s to %s")...)
	// 7. Out of area.
	if in.Calendar != nil && len(in.Area) > 0 && in.Calendar.IsWorkday(in.Day) {
		a.Flags = append(a.Flags, outOfArea(tp, good, in, p, inLeave)...)
	}
	slices.SortStableFunc(a.Flags, func(x, y Flag) int { return x.From.Compare(y.From) })
	for i := range a.Flags {
		a.Flags[i].WorkerID, a.Flags[i].Day = in.WorkerID, in.Day
		a.Flags[i].ID = fmt.Sprintf("%s:f%d", dayRef(in.WorkerID, in.Day), i+1)
	}
	a.Points = tp
	a.Summary = summarise(a, p)
	return a
}

// summarise adds up an analysis.
func summarise(a Analysis, p Params) Summary {
	var s Summary
	for _, t := range a.Points {
		switch t.Status {
		case Duplicate:
			continue
		case PoorAccuracy:
			s.PoorAccuracy++
		case Counted:
			s.Counted++
		}
		s.Points++
	}
	for _, pa := range a.Patrols {
		s.Patrols++
		s.InsideSeconds += pa.InsideSeconds
		s.TrackedSeconds += pa.TrackedSeconds
		if pa.Long {
			s.LongPatrols++
		}
	}
	for _, f := range a.Flags {
		if f.Kind.Cheat() {
			s.CheatFlags++
		} else {
			s.OutOfArea++
		}
	}
	return s
}

// window is a span opened by a start marker: [from, to), to zero for open.
type window struct{ from, to time.Time }

// markerWindows pairs each start with the next stop; a start while one is
// open closes the open one there; a stop with nothing open is ignored.
func markerWindows(ms []Marker) []window {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(x, y Marker) int { return x.At.Compare(y.At) })
	var out []window
	open := false
	var from time.Time
	for _, m := range ms {
		switch m.Kind {
		case Start:
			if open {
				out = append(out, window{from, m.At})
			}
			open, from = true, m.At
		case Stop:
			if open {
				// The stop's own instant still belongs to the patrol.
				out = append(out, window{from, m.At.Add(time.Millisecond)})
				open = false
			}
		}
	}
	if open {
		out = append(out, window{from: from})
	}
	return out
}

func windowIndex(ws []window, t time.Time) int {
	for i, w := range ws {
		if !t.Before(w.from) && (w.to.IsZero() || t.Before(w.to)) {
			return i
		}
	}
	return -1
}

func inWindows(ws []window, t time.Time) bool { return windowIndex(ws, t) >= 0 }

// stretches groups consecutive fixes matching is into flags of kind k.
func stretches(tp []TrackPoint, k FlagKind, is func(TrackPoint) bool, format string) []Flag {
	var out []Flag
	for i := 0; i < len(tp); i++ {
		if !is(tp[i]) {
			continue
		}
		j, n := i, 1
		for j+1 < len(tp) && (is(tp[j+1]) || tp[j+1].Status == Duplicate) {
			j++
			if tp[j].Status != Duplicate {
				n++
			}
		}
		out = append(out, Flag{Kind: k, From: tp[i].At, To: tp[j].At, Points: n, Lat: tp[i].Lat, Lon: tp[i].Lon,
			Detail: fmt.Sprintf(format, n, clock(tp[i].At), clock(tp[j].At))})
		i = j
	}
	return out
}

// outOfArea finds the stretches outside every own grid in working hours.
func outOfArea(tp []TrackPoint, good []int, in Input, p Params, inLeave func(time.Time) bool) []Flag {
	var out []Flag
	first, last, n := -1, -1, 0
	flush := func() {
		if first >= 0 && tp[last].At.Sub(tp[first].At) >= p.OutOfArea {
			out = append(out, Flag{Kind: FlagOutOfArea, From: tp[first].At, To: tp[last].At, Points: n, Lat: tp[first].Lat, Lon: tp[first].Lon,
				Detail: fmt.Sprintf("outside every own grid from %s to %s (%s) in working hours", clock(tp[first].At), clock(tp[last].At), fmtDur(tp[last].At.Sub(tp[first].At)))})
		}
		first, last, n = -1, -1, 0
	}
	for _, i := range good {
		t := tp[i]
		if t.Teleport || !in.Calendar.InWorkHours(t.At) || inLeave(t.At) || t.Inside {
			flush()
			continue
		}
		if first >= 0 && t.At.Sub(tp[last].At) > p.Gap {
			flush()
		}
		if first < 0 {
			first = i
		}
		last = i
		n++
	}
	flush()
	return out
}

// trackHash hashes a run's positions (1e-4 degree, about 10 m) and times
// relative to its start (10 s): a replayed recording gives the same hash.
func trackHash(tp []TrackPoint, run []int) string {
	h := sha256.New()
	var buf [24]byte
	t0 := tp[run[0]].At
	for _, i := range run {
		binary.LittleEndian.PutUint64(buf[0:], uint64(int64(math.Round(tp[i].Lat*1e4))))
		binary.LittleEndian.PutUint64(buf[8:], uint64(int64(math.Round(tp[i].Lon*1e4))))
		binary.LittleEndian.PutUint64(buf[16:], uint64(int64(math.Round(tp[i].At.Sub(t0).Seconds()/10))))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// earthRadius is the mean Earth radius in metres.
const earthRadius = 6_371_008.8

// distance returns the great-circle distance between two fixes in metres.
func distance(a, b Point) float64 {
	φ1, φ2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dφ, dλ := φ2-φ1, (b.Lon-a.Lon)*math.Pi/180
	s := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(math.Min(1, s)))
}

// clock prints a time as HH:MM:SS in Asia/Shanghai.
func clock(t time.Time) string { return t.In(dates.Shanghai).Format("15:04:05") }

func fmtDur(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.0f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f min", d.Minutes())
}
