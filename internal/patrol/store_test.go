package patrol_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/patrol"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

// env is a community with two grids side by side (g1 is the test grid, g2
// the same size to its east), a worker on each, and the patrol store with a
// settable clock, the plain calendar and a fake leave source.
type env struct {
	db     *store.DB
	org    *org.Store
	patrol *patrol.Store
	g1, g2 org.Unit
	w1, w2 org.Worker
	clock  time.Time
	leave  leaveOf
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{db: db, org: org.NewStore(db), clock: at("2026-03-31 20:00:00"), leave: leaveOf{}}
	from := dates.MustParse("2026-01-01")
	b := orgtest.New(t, e.org, from)
	_, street := b.Street()
	community := b.Community(street, "和平里社区", orgtest.RectDegrees(west, south, east+0.01, north))
	e.g1 = b.Grid(community, "第1网格", orgtest.RectDegrees(west, south, east, north))
	e.g2 = b.Grid(community, "第2网格", orgtest.RectDegrees(east, south, east+0.01, north))
	worker := func(name, phone string, g org.Unit) org.Worker {
		return b.GridWorker(org.NewWorker{Name: name, Employment: org.FullTime, Phone: phone, InPostSince: from, HomeUnitID: community.ID}, g, from)
	}
	e.w1 = worker("张三", "13800000001", e.g1)
	e.w2 = worker("李四", "13800000002", e.g2)
	e.patrol = patrol.NewStore(db, patrol.Options{Leave: e.leave, Calendar: plainCalendar(), Clock: func() time.Time { return e.clock }})
	return e
}

// eachEnv runs fn once per engine on a fresh env.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

func (e *env) ingest(t *testing.T, worker string, pts []patrol.Point, ms ...patrol.Marker) patrol.Receipt {
	t.Helper()
	r, err := e.patrol.Ingest(bg, "test", worker, patrol.Batch{ClientID: uuid.NewString(), Points: pts, Markers: ms})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRowContext(bg, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A replayed batch is ingested once.
func TestReplayedBatchIngestedOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := patrol.Batch{ClientID: uuid.NewString(), Points: loop(at("2026-03-04 09:00:00"), time.Hour, 30*time.Second, 0)}
		first, err := e.patrol.Ingest(bg, "test", e.w1.ID, b)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.patrol.Ingest(bg, "test", e.w1.ID, b)
		if err != nil {
			t.Fatal(err)
		}
		if first.Duplicate || !again.Duplicate || again.Points != 121 || len(again.Days) != 1 || again.Days[0] != day {
			t.Errorf("first %+v, again %+v", first, again)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM patrol_chunks`); n != 1 {
			t.Errorf("%d chunks stored, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE entity = 'patrol_batch'`); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
		v, err := e.patrol.Day(bg, e.w1.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		if v.Summary.Points != 121 || v.Summary.InsideSeconds != 3600 || len(v.Grids) != 1 || v.Grids[0] != e.g1.ID {
			t.Errorf("day summary %+v grids %v", v.Summary, v.Grids)
		}
		// The same id from another worker is a conflict, not a duplicate.
		if _, err := e.patrol.Ingest(bg, "test", e.w2.ID, b); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("another worker's resend: %v, want ECONFLICT", err)
		}
	})
}

// A bad batch is refused whole, naming the point and the field.
func TestInvalidBatchStoresNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		pts := loop(at("2026-03-04 09:00:00"), 5*time.Minute, time.Minute, 0)
		pts[3].Lat = 91
		pts[4].At = e.clock.Add(time.Hour)
		_, err := e.patrol.Ingest(bg, "test", e.w1.ID, patrol.Batch{ClientID: uuid.NewString(), Points: pts})
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) != 2 || ae.Fields[0].Field != "points[3].lat" || ae.Fields[1].Field != "points[4].at" {
			t.Fatalf("err = %v, want EINVALID on points[3].lat and points[4].at", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM patrol_batches`) + e.count(t, `SELECT COUNT(*) FROM patrol_chunks`); n != 0 {
			t.Errorf("%d rows stored", n)
		}
		if _, err := e.patrol.Ingest(bg, "test", "nobody", patrol.Batch{ClientID: uuid.NewString(), Points: pts[:2]}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown worker: %v", err)
		}
	})
}

// Batches arriving out of order, with points interleaved across them and
// one point sent twice, give the same day as the whole track at once.
func TestOutOfOrderBatches(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		track := loop(at("2026-03-04 08:30:00"), 3*time.Hour, 30*time.Second, 100)
		var parts [3][]patrol.Point
		for i, p := range track {
			parts[i%3] = append(parts[i%3], p)
		}
		parts[0] = append(parts[0], track[7])
		for _, i := range []int{2, 0, 1} {
			e.ingest(t, e.w1.ID, parts[i])
		}
		n, err := e.patrol.Settle(bg)
		if err != nil || n != 1 {
			t.Fatalf("settled %d, %v", n, err)
		}
		want := patrol.Analyse(patrol.Input{WorkerID: e.w1.ID, Day: day, Points: track, Area: testArea, Calendar: plainCalendar()}, patrol.DefaultParams)
		var inside float64
		var points, long int
		err = e.db.QueryRowContext(bg, `SELECT inside_seconds, points, long_patrols FROM patrol_days WHERE worker_id = $1 AND day = $2`, e.w1.ID, day).
			Scan(&inside, &points, &long)
		if err != nil {
			t.Fatal(err)
		}
		if inside != want.Summary.InsideSeconds || points != len(track) || long != 1 || want.Summary.LongPatrols != 1 {
			t.Errorf("stored inside %v points %d long %d; whole track %+v", inside, points, long, want.Summary)
		}
	})
}

// A patrol replaying another day's track fix for fix is flagged.
func TestRepeatedTrackFlagged(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		track := loop(at("2026-03-03 09:00:00"), time.Hour, 30*time.Second, 0)
		e.ingest(t, e.w1.ID, track)
		if _, err := e.patrol.Settle(bg); err != nil {
			t.Fatal(err)
		}
		replay := make([]patrol.Point, len(track))
		for i, p := range track {
			p.At = p.At.Add(24 * time.Hour)
			replay[i] = p
		}
		e.ingest(t, e.w1.ID, replay)
		fs, total, err := e.patrol.Flags(bg, patrol.FlagQuery{Kind: patrol.FlagRepeat})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || fs[0].Day != day || fs[0].WorkerID != e.w1.ID {
			t.Errorf("repeat flags %+v", fs)
		}
		v, err := e.patrol.Day(bg, e.w1.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		if v.Summary.CheatFlags != 1 {
			t.Errorf("day view summary %+v, want the repeat flag", v.Summary)
		}
	})
}

// The facts of March 2026 for a hand-made month (plain calendar: 22
// working days, Monday 2 to Tuesday 31):
//
//	Mon 2   two 3 h patrols inside              6 h, 2 long
//	Tue 3   one 1.5 h patrol                     1.5 h, ≥ 1 h
//	Wed 4   30 min inside; 40 min outside at 10:00   0.5 h, out of area 1
//	Thu 5   on leave all day, a few fixes        excused; leave flag 1
//	Fri 6   20 min walk (a fix a minute), fixes 5-7 mock: 4 + 12 steps = 16 min = 0.27 h; mock flag 1
//	Sat 7   1 h patrol (not a working day)       1 h, ≥ 1 h
//
// hours 6 + 1.5 + 0.5 + 0.27 + 1 = 9.27; long 2; days ≥ 1 h: Mon, Tue, Sat
// = 3; working days 22 − 1 (leave) = 21; missing 0 (Mon) + 2 × 20 = 40;
// daily hours 9.27 / 21; out of area 1; cheat flags 2. The second worker
// sent nothing: missing 44, daily hours 0 / 22.
func TestFactsOfAMonth(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := e.w1.ID
		e.ingest(t, w, loop(at("2026-03-02 08:30:00"), 3*time.Hour, 30*time.Second, 0))
		e.ingest(t, w, loop(at("2026-03-02 14:00:00"), 3*time.Hour, 30*time.Second, 300))
		e.ingest(t, w, loop(at("2026-03-03 09:00:00"), 90*time.Minute, 30*time.Second, 600))
		e.ingest(t, w, loop(at("2026-03-04 09:00:00"), 30*time.Minute, time.Minute, 900))
		var out []patrol.Point
		for i := 0; i <= 40; i++ {
			out = append(out, pt(at("2026-03-04 10:00:00").Add(time.Duration(i)*time.Minute), 39.93, 116.30+float64(i%2)*0.001))
		}
		e.ingest(t, w, out)
		e.leave[w] = append(e.leave[w], workcalInterval(at("2026-03-05 08:00:00"), at("2026-03-05 18:00:00")))
		e.ingest(t, w, loop(at("2026-03-05 09:00:00"), 5*time.Minute, time.Minute, 1200))
		fri := loop(at("2026-03-06 09:00:00"), 20*time.Minute, time.Minute, 1500)
		fri[5].Mock, fri[6].Mock, fri[7].Mock = true, true, true
		e.ingest(t, w, fri)
		e.ingest(t, w, loop(at("2026-03-07 09:00:00"), time.Hour, time.Minute, 1800))

		e.clock = at("2026-04-02 12:00:00")
		wf, names, err := e.patrol.WorkerFacts(bg, metric.Period{Year: 2026, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 7 {
			t.Errorf("names %v", names)
		}
		for _, tc := range []struct {
			worker, name string
			num, den     float64
			refs         int
		}{
			{w, "patrol.hours", 9.27, 0, 5}, // Mon Tue Wed Fri Sat
			{w, "patrol.long_patrols", 2, 0, 2},
			{w, "patrol.days_1h", 3, 0, 3},
			{w, "patrol.long_patrols_missing", 40, 0, 20}, // a ref per day short
			{w, "patrol.daily_hours", 9.27, 21, 0},
			{w, "patrol.out_of_area", 1, 0, 1},
			{w, "patrol.cheat_flags", 2, 0, 2},
			{e.w2.ID, "patrol.long_patrols_missing", 44, 0, 22},
			{e.w2.ID, "patrol.daily_hours", 0, 22, 0},
			{e.w2.ID, "patrol.hours", 0, 0, 0},
		} {
			got := wf[tc.worker][tc.name]
			if got == nil {
				t.Errorf("%s: not measured", tc.name)
				continue
			}
			if math.Abs(got.Num-tc.num) > 1e-9 || got.Den != tc.den {
				t.Errorf("%s %s = %v/%v, want %v/%v", tc.worker[:8], tc.name, got.Num, got.Den, tc.num, tc.den)
			}
			if len(got.Evidence) != tc.refs {
				t.Errorf("%s: %d refs, want %d: %v", tc.name, len(got.Evidence), tc.refs, got.Evidence)
			}
		}
		// Hours evidence: one ref per day with time inside (Mon Tue Wed Fri Sat).
		if ev := wf[w]["patrol.hours"].Evidence; len(ev) != 5 || ev[0].Entity != "patrol_day" || ev[0].Note != "2026-03-02 6.00 h inside" {
			t.Errorf("hours evidence %v", ev)
		}
	})
}

// A refused batch names the point and the field.
func TestValidateFields(t *testing.T) {
	now := at("2026-03-04 12:00:00")
	good := pt(at("2026-03-04 11:00:00"), 39.915, 116.305)
	for _, tc := range []struct {
		name  string
		edit  func(*patrol.Batch)
		field string
	}{
		{"no id", func(b *patrol.Batch) { b.ClientID = "" }, "client_id"},
		{"not a uuid", func(b *patrol.Batch) { b.ClientID = "batch-1" }, "client_id"},
		{"empty", func(b *patrol.Batch) { b.Points = nil }, "points"},
		{"nan lat", func(b *patrol.Batch) { b.Points[0].Lat = math.NaN() }, "points[0].lat"},
		{"lon", func(b *patrol.Batch) { b.Points[0].Lon = 181 }, "points[0].lon"},
		{"null island", func(b *patrol.Batch) { b.Points[0].Lat, b.Points[0].Lon = 0, 0 }, "points[0].lat"},
		{"accuracy", func(b *patrol.Batch) { b.Points[0].Accuracy = 0 }, "points[0].accuracy"},
		{"speed", func(b *patrol.Batch) { b.Points[0].Speed = math.Inf(1) }, "points[0].speed"},
		{"future", func(b *patrol.Batch) { b.Points[0].At = now.Add(6 * time.Minute) }, "points[0].at"},
		{"old", func(b *patrol.Batch) { b.Points[0].At = now.Add(-40 * 24 * time.Hour) }, "points[0].at"},
		{"no time", func(b *patrol.Batch) { b.Points[0].At = time.Time{} }, "points[0].at"},
		{"marker kind", func(b *patrol.Batch) { b.Markers = []patrol.Marker{{Kind: "pause", At: now}} }, "markers[0].kind"},
	} {
		b := patrol.Batch{ClientID: uuid.NewString(), Points: []patrol.Point{good}}
		tc.edit(&b)
		err := patrol.Validate(b, now)
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) == 0 || ae.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want EINVALID on %s", tc.name, err, tc.field)
		}
	}
	// Within the skew is fine.
	b := patrol.Batch{ClientID: uuid.NewString(), Points: []patrol.Point{pt(now.Add(4*time.Minute), 39.915, 116.305)}}
	if err := patrol.Validate(b, now); err != nil {
		t.Errorf("4 min ahead: %v", err)
	}
}

func TestDecodeBatch(t *testing.T) {
	b, err := patrol.DecodeBatch([]byte(`{"client_id":"0190a8e2-6c1b-7c3e-9d2f-3b4a5c6d7e8f","points":[{"lat":39.9,"lon":116.3,"accuracy":5,"at":"2026-03-04T01:00:00Z","speed":1.2,"mock":true}],"markers":[{"kind":"start","at":"2026-03-04T01:00:00Z"}]}`))
	if err != nil || len(b.Points) != 1 || !b.Points[0].Mock || b.Points[0].Lat != 39.9 || len(b.Markers) != 1 {
		t.Fatalf("%+v, %v", b, err)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"client_id":"x","points":[{"lat":"39.9"}]}`, "points.lat"},
		{`{"client_id":"x","points":[{"lng":116.3}]}`, "body"},
		{`{"client_id":"x"`, "body"},
		{`{} {}`, "body"},
	} {
		_, err := patrol.DecodeBatch([]byte(tc.body))
		ae := apperr.As(err)
		if ae == nil || len(ae.Fields) != 1 || ae.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want field %s", tc.body, err, tc.field)
		}
	}
}

func workcalInterval(from, to time.Time) workcal.Interval {
	return workcal.Interval{From: from, To: to}
}

// The background settler analyses what arrives without anyone asking.
func TestRunSettler(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	e.ingest(t, e.w1.ID, loop(at("2026-03-04 09:00:00"), 30*time.Minute, time.Minute, 0))
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { e.patrol.RunSettler(ctx, 10*time.Millisecond, t.Logf); close(done) }()
	for range 500 {
		if e.count(t, `SELECT COUNT(*) FROM patrol_days WHERE rev > done_rev`) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if n := e.count(t, `SELECT COUNT(*) FROM patrol_days WHERE rev > done_rev`); n != 0 {
		t.Errorf("%d stale days left", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM patrol_segments`); n != 1 {
		t.Errorf("%d patrols stored, want 1", n)
	}
}
