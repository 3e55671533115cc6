package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// PatrolOptions shape the demo patrols.
type PatrolOptions struct {
	// Seed drives every random choice.
	Seed uint64
	// Step is the time between two fixes (default 4 minutes: sparse, so
	// that three months load in seconds; a phone sends one every 30 s).
	Step time.Duration
	// From and To are the days patrolled (default February to April 2026).
	From, To dates.Date
	// Leave, when set, keeps the phones quiet during approved leave (the
	// duty package's leave slips), except on one planted day.
	Leave patrol.LeaveSource
}

// PatrolSummary counts what LoadPatrols stored.
type PatrolSummary struct {
	Workers, Days, Batches, Points int
	Patrols, LongPatrols           int
	CheatFlags, OutOfArea          int
	Took                           time.Duration
}

// patrolStream is the PCG stream of the demo patrols ("patrols").
const patrolStream = 0x70617472_6f6c73

// The demo's planted cheats: (worker index in Town.Workers, day).
var (
	mockCheat     = struct{ worker, month, day int }{3, 3, 10}
	teleportCheat = struct{ worker, month, day int }{5, 3, 12}
	repeatCheat   = struct{ worker, month, day int }{7, 4, 8} // replays the 7th's morning patrol
)

// LoadPatrols sends the demo workers' phones' GPS for From to To through
// ps, as batches of a day each, and settles them: most working days two
// patrols of 3 h in the worker's own grid, with realistic misses (a short
// patrol, one patrol, no patrol, a walk out of the grid in working hours),
// some weekend patrols, and four planted cheats: mock locations, a
// teleport, a replayed track and (with opt.Leave) a patrol during leave;
// otherwise phones are quiet during approved leave. Everything is one transaction. A second
// run sends the same batch ids and stores nothing new.
func LoadPatrols(ctx context.Context, db *store.DB, orgs *org.Store, ps *patrol.Store, town Town, opt PatrolOptions) (PatrolSummary, error) {
	start := time.Now()
	if opt.Step <= 0 {
		opt.Step = 4 * time.Minute
	}
	if opt.From.IsZero() {
		opt.From = dates.New(2026, 2, 1)
	}
	if opt.To.IsZero() {
		opt.To = dates.New(2026, 4, 30)
	}
	var sum PatrolSummary
	r := rand.New(rand.NewPCG(opt.Seed, patrolStream))
	cal := workcal.Default()
	grids := map[string]orb.Polygon{}
	for _, g := range town.Grids {
		grids[g.Key] = g.Polygon
	}
	own := map[string]orb.Polygon{}
	for _, a := range town.Assignments {
		if a.Kind == org.Primary {
			own[a.WorkerKey] = grids[a.GridKey]
		}
	}
	ids, err := workerIDs(ctx, db)
	if err != nil {
		return sum, err
	}
	var leave map[string][]workcal.Interval
	if opt.Leave != nil {
		if leave, err = opt.Leave.ApprovedLeave(ctx, opt.From.Start(), opt.To.AddDays(1).Start()); err != nil {
			return sum, fmt.Errorf("demo: patrols: %w", err)
		}
	}
	plantedLeave := false
	// The demo's time is the morning after the day being sent; ps itself
	// keeps its own clock (a server may be using it).
	var morning time.Time
	ps = ps.WithClock(func() time.Time {
		if morning.IsZero() {
			return time.Now()
		}
		return morning
	})
	err = db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		for wi, w := range town.Workers {
			poly, ok := own[w.Key]
			id := ids[w.Username]
			if !ok || id == "" {
				continue // no own grid: no patrols
			}
			sum.Workers++
			path := innerLoop(poly)
			var saved []patrol.Point // the morning patrol the repeat cheat replays
			for d := opt.From; !d.After(opt.To); d = d.AddDays(1) {
				// One worker in five is uneven (the same workers whatever the seed).
				pts := dayTrack(r, cal, d, path, opt.Step, wi%5 != 0)
				switch {
				case wi == mockCheat.worker && d == dates.New(2026, time.Month(mockCheat.month), mockCheat.day):
					for i := len(pts) / 2; i < len(pts); i++ {
						pts[i].Mock = true
					}
				case wi == teleportCheat.worker && d == dates.New(2026, time.Month(teleportCheat.month), teleportCheat.day) && len(pts) > 10:
					pts[10].Lat += 0.2 // 22 km north and back within minutes
				case wi == repeatCheat.worker && d == dates.New(2026, time.Month(repeatCheat.month), repeatCheat.day-1):
					for _, p := range pts {
						if p.At.Before(d.Start().Add(12 * time.Hour)) {
							saved = append(saved, p)
						}
					}
				case wi == repeatCheat.worker && d == dates.New(2026, time.Month(repeatCheat.month), repeatCheat.day) && len(saved) > 0:
					pts = make([]patrol.Point, len(saved))
					for i, p := range saved {
						p.At = p.At.Add(24 * time.Hour)
						pts[i] = p
					}
				}
				if ivs := leave[ids[w.Username]]; len(ivs) > 0 {
					kept := pts[:0:0]
					for _, p := range pts {
						if !during(ivs, p.At) {
							kept = append(kept, p)
						}
					}
					// One worker walks a patrol during approved leave: the
					// flag the centre should see.
					if len(kept) < len(pts) && !plantedLeave {
						plantedLeave = true
					} else {
						pts = kept
					}
				}
				if len(pts) == 0 {
					continue
				}
				morning = d.AddDays(1).Start().Add(time.Hour)
				id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "demo-patrol/%d/%s/%s", opt.Seed, w.Key, d)).String()
				for lo := 0; lo < len(pts); lo += patrol.MaxBatchItems {
					b := patrol.Batch{ClientID: id, Points: pts[lo:min(lo+patrol.MaxBatchItems, len(pts))]}
					if _, err := ps.Ingest(ctx, "demo", ids[w.Username], b); err != nil {
						return fmt.Errorf("demo: patrols of %s on %s: %w", w.Username, d, err)
					}
					sum.Batches++
				}
				sum.Days++
				sum.Points += len(pts)
			}
		}
		if _, err := ps.Settle(ctx); err != nil {
			return err
		}
		q := db.Q(ctx)
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(patrols), 0), COALESCE(SUM(long_patrols), 0), COALESCE(SUM(cheat_flags), 0), COALESCE(SUM(out_of_area), 0)
			FROM patrol_days`).Scan(&sum.Patrols, &sum.LongPatrols, &sum.CheatFlags, &sum.OutOfArea); err != nil {
			return fmt.Errorf("demo: patrols: %w", err)
		}
		return nil
	})
	sum.Took = time.Since(start)
	return sum, err
}

// during reports whether t falls in one of ivs.
func during(ivs []workcal.Interval, t time.Time) bool {
	for _, iv := range ivs {
		if iv.Contains(t) {
			return true
		}
	}
	return false
}

// workerIDs maps the demo accounts' usernames to their workers.
func workerIDs(ctx context.Context, db *store.DB) (map[string]string, error) {
	rows, err := db.Q(ctx).QueryContext(ctx, `SELECT username, worker_id FROM users WHERE worker_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("demo: patrols: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, w string
		if err := rows.Scan(&u, &w); err != nil {
			return nil, fmt.Errorf("demo: patrols: %w", err)
		}
		out[u] = w
	}
	return out, rows.Err()
}

// innerLoop is the grid's shell drawn 30 % of the way in towards its
// centroid: a walk along it stays inside the grid (the demo's cells are
// star-shaped about their centroid).
func innerLoop(p orb.Polygon) orb.Ring {
	c := geo.Centroid(p)
	var out orb.Ring
	for _, v := range p[0] {
		out = append(out, orb.Point{c[0] + 0.7*(v[0]-c[0]), c[1] + 0.7*(v[1]-c[1])})
	}
	return out
}

// along returns the point s metres along the closed ring r (lengths in
// local metres at 39.9° N).
func along(r orb.Ring, s float64) orb.Point {
	const mLon, mLat = 85_300.0, 111_200.0
	seg := func(a, b orb.Point) float64 { return math.Hypot((b[0]-a[0])*mLon, (b[1]-a[1])*mLat) }
	var per float64
	for i := 1; i < len(r); i++ {
		per += seg(r[i-1], r[i])
	}
	if per == 0 {
		return r[0]
	}
	s = math.Mod(s, per)
	for i := 1; i < len(r); i++ {
		l := seg(r[i-1], r[i])
		if s <= l && l > 0 {
			f := s / l
			return orb.Point{r[i-1][0] + f*(r[i][0]-r[i-1][0]), r[i-1][1] + f*(r[i][1]-r[i-1][1])}
		}
		s -= l
	}
	return r[0]
}

// dayTrack is one worker's fixes on d. On a working day an uneven worker
// patrols twice for about 3 h on 70 % of days, once for 3 h and once for
// 1.5 h on 12 %, once briefly on 8 %, not at all on 5 %; a steady worker
// does the two long patrols on 93 % of days and falls short on 1 % each
// (so that under seed 001's −3 a missed patrol most workers keep most of
// 工作纪律, as in a centre whose GPS checks are known). Everyone walks 45
// minutes out of the grid in the morning on 5 % of working days. On a day
// off, 20 % take a 1 h walk.
func dayTrack(r *rand.Rand, cal *workcal.Calendar, d dates.Date, path orb.Ring, step time.Duration, steady bool) []patrol.Point {
	type leg struct {
		start time.Duration // after midnight
		dur   time.Duration
		out   bool // with an excursion out of the grid
	}
	jitter := func() time.Duration { return time.Duration(r.IntN(21)-10) * time.Minute }
	am, pm := 8*time.Hour+40*time.Minute+jitter(), 14*time.Hour+jitter()
	long := 3*time.Hour + 4*time.Minute
	var legs []leg
	if !cal.IsWorkday(d) {
		if r.Float64() < 0.2 {
			legs = []leg{{9*time.Hour + jitter(), time.Hour, false}}
		}
	} else {
		// Where each kind of day ends on [0, 1): two long, one long and
		// one short, one short, none; the rest (5 %) walk out.
		cut := [4]float64{0.70, 0.82, 0.90, 0.95}
		if steady {
			cut = [4]float64{0.92, 0.93, 0.94, 0.95}
		}
		switch x := r.Float64(); {
		case x < cut[0]:
			legs = []leg{{am, long, false}, {pm, long, false}}
		case x < cut[1]:
			legs = []leg{{am, long, false}, {pm, 90 * time.Minute, false}}
		case x < cut[2]:
			legs = []leg{{am, time.Duration(60+r.IntN(60)) * time.Minute, false}}
		case x < cut[3]:
		default:
			legs = []leg{{am, long, true}, {pm, long, false}}
		}
	}
	var out []patrol.Point
	phase := r.Float64() * 1000
	for _, l := range legs {
		t0 := d.Start().Add(l.start)
		for t := time.Duration(0); t <= l.dur; t += step {
			p := along(path, phase+1.2*(t+l.start).Seconds())
			lat, lon := p[1], p[0]
			if l.out && t >= time.Hour && t < time.Hour+45*time.Minute {
				lat += 0.012 // 1.3 km north: out of the grid
			}
			// A phone's fix is off by some metres (about ±9 m here, within
			// the accuracy it reports): two walks of the same loop never
			// agree fix for fix, as only a replayed track does.
			out = append(out, patrol.Point{At: t0.Add(t).UTC(), Lat: lat + (r.Float64()-0.5)*0.00016, Lon: lon + (r.Float64()-0.5)*0.0002,
				Accuracy: 5 + float64(r.IntN(20)), Speed: 1.2})
		}
	}
	return out
}
