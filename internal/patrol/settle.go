package patrol

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// dayKey names a worker's day.
type dayKey struct {
	worker string
	day    dates.Date
}

// settleTxSize is how many worker-days one transaction analyses: large
// enough to amortise the commit, small enough not to hold the write lock
// long.
const settleTxSize = 200

// Settle analyses every stale worker-day (one a batch touched since its
// last analysis) and stores its summary, patrols and flags. It returns how
// many days it analysed. The facts, the day view and the flag list call it
// first; a server may also call it periodically.
func (s *Store) Settle(ctx context.Context) (int, error) {
	keys, err := store.All(ctx, s.db.Q(ctx), "stale patrol days",
		`SELECT worker_id, day FROM patrol_days WHERE rev > done_rev ORDER BY day, worker_id`, nil,
		func(row store.Row) (dayKey, error) {
			var k dayKey
			return k, row.Scan(&k.worker, &k.day)
		})
	if err != nil {
		return 0, fmt.Errorf("patrol: settle: %w", err)
	}
	return len(keys), s.settle(ctx, keys)
}

// context of an analysis run: calendar, leave and own grids.
type settleEnv struct {
	cal   *workcal.Calendar
	leave map[string][]workcal.Interval
	// areas caches each day's own grids per worker; all marks a day whose
	// every worker's grids were loaded.
	areas map[dates.Date]map[string]Area
	all   map[dates.Date]bool
	grids map[string]Grid // parsed polygons by grid id and valid_from
}

func (s *Store) env(ctx context.Context, from, to dates.Date) (*settleEnv, error) {
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, fmt.Errorf("patrol: work calendar: %w", err)
	}
	e := &settleEnv{cal: cal, areas: map[dates.Date]map[string]Area{}, all: map[dates.Date]bool{}, grids: map[string]Grid{}}
	if s.leave != nil {
		e.leave, err = s.leave.ApprovedLeave(ctx, from.Start(), to.AddDays(1).Start())
		if err != nil {
			return nil, fmt.Errorf("patrol: approved leave: %w", err)
		}
	}
	return e, nil
}

// area returns worker's own grids on d, loading the whole day's when many
// workers of the day are wanted.
func (e *settleEnv) area(ctx context.Context, q store.Queryer, worker string, d dates.Date, many bool) (Area, error) {
	if m, ok := e.areas[d]; ok && (e.all[d] || m[worker] != nil) {
		return m[worker], nil
	}
	only := worker
	if many {
		only = ""
	}
	held, err := org.AssignedGridsOn(ctx, q, d, only)
	if err != nil {
		return nil, fmt.Errorf("patrol: own grids on %s: %w", d, err)
	}
	m := e.areas[d]
	if m == nil {
		m = map[string]Area{}
		e.areas[d] = m
	}
	for _, h := range held {
		w, grid, from, geometry := h.WorkerID, h.GridID, h.VersionFrom, h.Geometry
		if geometry == "" {
			continue // a grid without a polygon has no inside
		}
		key := grid + "@" + from.String()
		g, ok := e.grids[key]
		if !ok {
			p, err := geo.ParsePolygon([]byte(geometry))
			if err != nil {
				return nil, fmt.Errorf("patrol: grid %s polygon: %w", grid, err)
			}
			g = NewGrid(grid, p)
			e.grids[key] = g
		}
		m[w] = append(m[w], g)
	}
	if many {
		e.all[d] = true
	}
	if m[worker] == nil {
		m[worker] = Area{} // known to have none
	}
	return m[worker], nil
}

// settle analyses keys (sorted by day) and stores the results.
func (s *Store) settle(ctx context.Context, keys []dayKey) error {
	if len(keys) == 0 {
		return nil
	}
	from, to := keys[0].day, keys[0].day
	perDay := map[dates.Date]int{}
	for _, k := range keys {
		if k.day.Before(from) {
			from = k.day
		}
		if k.day.After(to) {
			to = k.day
		}
		perDay[k.day]++
	}
	e, err := s.env(ctx, from, to)
	if err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), settleTxSize)
		part := keys[:n]
		keys = keys[n:]
		err := s.db.Tx(ctx, func(tx store.Tx) error {
			for _, k := range part {
				if _, err := s.settleOne(ctx, tx, e, k, perDay[k.day] > 20); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// load reads a worker's day: its fixes, its markers and its rev.
func load(ctx context.Context, q store.Queryer, k dayKey) ([]Point, []Marker, int, error) {
	var rev int
	err := q.QueryRowContext(ctx, `SELECT rev FROM patrol_days WHERE worker_id = $1 AND day = $2`, k.worker, k.day).Scan(&rev)
	if err != nil && !store.IsNoRows(err) {
		return nil, nil, 0, fmt.Errorf("patrol: load %s: %w", dayRef(k.worker, k.day), err)
	}
	rows, err := q.QueryContext(ctx, `SELECT data FROM patrol_chunks WHERE worker_id = $1 AND day = $2 ORDER BY first_at, batch_id`, k.worker, k.day)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("patrol: load %s: %w", dayRef(k.worker, k.day), err)
	}
	var pts []Point
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return nil, nil, 0, fmt.Errorf("patrol: load %s: %w", dayRef(k.worker, k.day), err)
		}
		if pts, err = Decode(pts, data); err != nil {
			rows.Close()
			return nil, nil, 0, fmt.Errorf("patrol: load %s: %w", dayRef(k.worker, k.day), err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	ms, err := store.All(ctx, q, "patrol markers", `SELECT kind, at FROM patrol_markers WHERE worker_id = $1 AND day = $2 ORDER BY at, kind`,
		store.Args{k.worker, k.day}, func(row store.Row) (Marker, error) {
			var m Marker
			err := row.Scan(&m.Kind, &m.At)
			m.At = m.At.UTC()
			return m, err
		})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("patrol: load %s: %w", dayRef(k.worker, k.day), err)
	}
	return pts, ms, rev, nil
}

// analyse reads and analyses one worker's day.
func (s *Store) analyse(ctx context.Context, q store.Queryer, e *settleEnv, k dayKey, many bool) (Analysis, int, Area, error) {
	pts, ms, rev, err := load(ctx, q, k)
	if err != nil {
		return Analysis{}, 0, nil, err
	}
	area, err := e.area(ctx, q, k.worker, k.day, many)
	if err != nil {
		return Analysis{}, 0, nil, err
	}
	var leave []workcal.Interval
	for _, iv := range e.leave[k.worker] {
		if iv.To.After(k.day.Start()) && iv.From.Before(k.day.AddDays(1).Start()) {
			leave = append(leave, iv)
		}
	}
	a := Analyse(Input{WorkerID: k.worker, Day: k.day, Points: pts, Markers: ms, Area: area, Leave: leave, Calendar: e.cal}, s.params)
	return a, rev, area, nil
}

// settleOne analyses one worker's day inside tx and replaces its stored
// summary, patrols and flags. Repeated tracks are found here, against the
// patrols already stored.
func (s *Store) settleOne(ctx context.Context, tx store.Tx, e *settleEnv, k dayKey, many bool) (Analysis, error) {
	// Lock the day's row first (a no-op update: a row lock on PostgreSQL),
	// so that two settles of the same day, say the facts' and a day
	// view's, take turns instead of both inserting its patrols.
	if _, err := tx.ExecContext(ctx, `UPDATE patrol_days SET done_rev = done_rev WHERE worker_id = $1 AND day = $2`, k.worker, k.day); err != nil {
		return Analysis{}, fmt.Errorf("patrol: settle %s: %w", dayRef(k.worker, k.day), err)
	}
	a, rev, area, err := s.analyse(ctx, tx, e, k, many)
	if err != nil {
		return Analysis{}, err
	}
	ref := dayRef(k.worker, k.day)
	for _, stmt := range []string{`DELETE FROM patrol_segments WHERE worker_id = $1 AND day = $2`, `DELETE FROM patrol_flags WHERE worker_id = $1 AND day = $2`} {
		if _, err := tx.ExecContext(ctx, stmt, k.worker, k.day); err != nil {
			return Analysis{}, fmt.Errorf("patrol: settle %s: %w", ref, err)
		}
	}
	for _, pa := range a.Patrols {
		if pa.Hash == "" {
			continue
		}
		var other, worker string
		var day dates.Date
		// "track_hash <> ''" lets the engines use the partial index.
		err := tx.QueryRowContext(ctx, `SELECT id, worker_id, day FROM patrol_segments WHERE track_hash = $1 AND track_hash <> '' ORDER BY day, id LIMIT 1`, pa.Hash).
			Scan(&other, &worker, &day)
		if store.IsNoRows(err) {
			continue
		}
		if err != nil {
			return Analysis{}, fmt.Errorf("patrol: settle %s: %w", ref, err)
		}
		first := a.Points[slices.IndexFunc(a.Points, func(t TrackPoint) bool { return t.Patrol == pa.Seq })]
		a.Flags = append(a.Flags, Flag{ID: fmt.Sprintf("%s:f%d", ref, len(a.Flags)+1), WorkerID: k.worker, Day: k.day, Kind: FlagRepeat,
			From: pa.Start, To: pa.End, Points: pa.Points, Lat: first.Lat, Lon: first.Lon,
			Detail: fmt.Sprintf("patrol %d repeats the track of patrol %s (worker %s, %s) fix for fix", pa.Seq, other, worker, day)})
	}
	for _, pa := range a.Patrols {
		if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_segments (id, worker_id, day, seq, started_at, ended_at, points, inside_seconds, tracked_seconds, is_long, explicit, track_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, pa.ID, k.worker, k.day, pa.Seq, pa.Start, pa.End, pa.Points,
			pa.InsideSeconds, pa.TrackedSeconds, pa.Long, pa.Explicit, pa.Hash); err != nil {
			return Analysis{}, fmt.Errorf("patrol: settle %s: %w", ref, err)
		}
	}
	for _, f := range a.Flags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_flags (id, worker_id, day, kind, from_at, to_at, points, lat, lon, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, f.ID, k.worker, k.day, string(f.Kind), f.From, f.To, f.Points, f.Lat, f.Lon, f.Detail); err != nil {
			return Analysis{}, fmt.Errorf("patrol: settle %s: %w", ref, err)
		}
	}
	a.Summary = summarise(a, s.params)
	sm := a.Summary
	ids := make([]string, len(area))
	for i, g := range area {
		ids[i] = g.ID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE patrol_days SET done_rev = $3, points = $4, counted = $5, poor_accuracy = $6, inside_seconds = $7,
		tracked_seconds = $8, patrols = $9, long_patrols = $10, out_of_area = $11, cheat_flags = $12, grids = $13, analysed_at = $14
		WHERE worker_id = $1 AND day = $2`, k.worker, k.day, rev, sm.Points, sm.Counted, sm.PoorAccuracy, sm.InsideSeconds,
		sm.TrackedSeconds, sm.Patrols, sm.LongPatrols, sm.OutOfArea, sm.CheatFlags, strings.Join(ids, ","), store.Now()); err != nil {
		return Analysis{}, fmt.Errorf("patrol: settle %s: %w", ref, err)
	}
	return a, nil
}

// DayView is a worker's day for the map: every fix with what the analysis
// made of it, the patrols, the flags and the summary.
type DayView struct {
	Analysis
	// Grids are the ids of the worker's own grids that day (their polygons
	// are at GET /api/grids/{id}).
	Grids []string `json:"grids"`
}

// Day returns workerID's day d, analysed (settled first if stale). A day
// without any fix or marker is an empty view, not an error.
func (s *Store) Day(ctx context.Context, workerID string, d dates.Date) (DayView, error) {
	k := dayKey{workerID, d}
	var stale bool
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT rev > done_rev FROM patrol_days WHERE worker_id = $1 AND day = $2`, workerID, d).Scan(&stale)
	if err != nil && !store.IsNoRows(err) {
		return DayView{}, fmt.Errorf("patrol: day %s: %w", dayRef(workerID, d), err)
	}
	e, err := s.env(ctx, d, d)
	if err != nil {
		return DayView{}, err
	}
	var a Analysis
	var area Area
	if stale {
		err = s.db.Tx(ctx, func(tx store.Tx) error {
			a, err = s.settleOne(ctx, tx, e, k, false)
			return err
		})
		if err != nil {
			return DayView{}, err
		}
		area, _ = e.area(ctx, s.db.Q(ctx), workerID, d, false)
	} else {
		a, _, area, err = s.analyse(ctx, s.db.Q(ctx), e, k, false)
		if err != nil {
			return DayView{}, err
		}
		// Repeats are found against other days at settling: read them back.
		fs, _, err := s.Flags(ctx, FlagQuery{WorkerID: workerID, From: d, To: d, Kind: FlagRepeat, settled: true})
		if err != nil {
			return DayView{}, err
		}
		a.Flags = append(a.Flags, fs...)
		a.Summary = summarise(a, s.params)
	}
	v := DayView{Analysis: a, Grids: []string{}}
	for _, g := range area {
		v.Grids = append(v.Grids, g.ID)
	}
	return v, nil
}

// FlagQuery filters Flags. Zero fields do not filter, except that From and
// To are required together for a range (both days included).
type FlagQuery struct {
	WorkerID string
	// WithinID keeps the flags of workers whose home unit lies in this
	// subtree (today's tree).
	WithinID string
	From, To dates.Date
	Kind     FlagKind
	// Cheats keeps only cheat flags (not out_of_area).
	Cheats        bool
	Limit, Offset int
	settled       bool
}

// Flags returns the stored flags matching q, newest day first, after
// settling stale days, with the total before paging.
func (s *Store) Flags(ctx context.Context, q FlagQuery) ([]Flag, int, error) {
	if !q.settled {
		if _, err := s.Settle(ctx); err != nil {
			return nil, 0, err
		}
	}
	var w store.Where
	prefix := ""
	if q.WithinID != "" {
		w.Cond(`f.worker_id IN (` + org.WorkersHomedInSub + `)`)
		prefix = subtree(&w.Args, q.WithinID)
	}
	w.Eq("f.worker_id", q.WorkerID)
	w.Eq("f.kind", string(q.Kind))
	if !q.From.IsZero() {
		w.Cond("f.day >= " + w.Args.Add(q.From))
	}
	if !q.To.IsZero() {
		w.Cond("f.day <= " + w.Args.Add(q.To))
	}
	if q.Cheats {
		w.Cond("f.kind <> 'out_of_area'")
	}
	fs, total, err := store.List(ctx, s.db.Q(ctx), "patrol flags", store.ListQuery{Prefix: prefix,
		Cols: `f.id, f.worker_id, f.day, f.kind, f.from_at, f.to_at, f.points, f.lat, f.lon, f.detail`,
		From: ` FROM patrol_flags f WHERE ` + w.String(), Order: `f.day DESC, f.worker_id, f.from_at`, Limit: q.Limit, Offset: q.Offset},
		w.Args, scanFlag)
	if err != nil {
		return nil, 0, fmt.Errorf("patrol: %w", err)
	}
	if fs == nil {
		fs = []Flag{}
	}
	return fs, total, nil
}

func scanFlag(row store.Row) (Flag, error) {
	var f Flag
	err := row.Scan(&f.ID, &f.WorkerID, &f.Day, &f.Kind, &f.From, &f.To, &f.Points, &f.Lat, &f.Lon, &f.Detail)
	f.From, f.To = f.From.UTC(), f.To.UTC()
	return f, err
}

// subtree returns a WITH clause naming "sub" the units under root today.
func subtree(args *store.Args, root string) string {
	return org.SubtreeCTE(args, root, dates.Today())
}

// RunSettler settles stale days every period until ctx ends, so that the
// first reader after a busy day (the facts, the flag list) does not wait
// for a whole city's analysis. Errors are passed to logf, which may be nil,
// and the loop goes on.
func (s *Store) RunSettler(ctx context.Context, period time.Duration, logf func(format string, args ...any)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Settle(ctx); err != nil && ctx.Err() == nil && logf != nil {
				logf("patrol: settle: %v", err)
			}
		}
	}
}
