// Package replay replays a city's day of patrol GPS through the whole path
// (HTTP batches, storage, analysis, stored facts) and measures it: the
// benchmark of issue 4, shared by `go test -bench` in internal/patrol and
// `gridwork bench gps`.
//
// The city: one district of streets of 10 communities of 50 grids, one
// grid worker per grid, each grid a cell of about 340 m × 330 m. Each
// worker walks two patrols of 3 hours (08:30 and 14:00 Shanghai time) around
// their grid at 1.2 m/s, a fix every 30 s (360 fixes a patrol), and the
// phone sends them an hour at a time (120 fixes a batch), in time order
// across the city, as phones online all day would.
package replay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/store"
)

// Options shape a replay.
type Options struct {
	Workers int
	// Day is the day replayed; zero means yesterday (the store refuses
	// fixes older than patrol.MaxAge).
	Day dates.Date
	// PerBatch is the fixes in one batch (default 120: an hour).
	PerBatch int
	// Clients is how many phones send at once (default 8).
	Clients int
	// Loopback sends through a real TCP listener on 127.0.0.1; otherwise
	// requests go to the handler directly (no sockets, same handler).
	Loopback bool
	// Progress, if set, gets a line now and then.
	Progress io.Writer
}

// Result is what a replay measured.
type Result struct {
	Workers, Points, Batches int
	Duplicates               int
	Setup                    time.Duration // building the city, not measured in PointsPerSec
	Ingest, Settle, Facts    time.Duration
	Total                    time.Duration // Ingest + Settle + Facts
	PointsPerSec             float64       // Points / Total
	PeakRSSKiB               int64         // VmHWM of the process
	StoredBytes              int64         // the point chunks' blobs
	Patrols, LongPatrols     int
	FactsStored              int
}

// String prints the result for people.
func (r Result) String() string {
	return fmt.Sprintf("%d workers, %d points in %d batches (%d duplicates)\n"+
		"ingest %s, settle %s, facts %s: total %s\n"+
		"%.0f points/s over the whole path; peak RSS %.0f MiB\n"+
		"stored %.1f MiB of point chunks (%.1f bytes a point); %d patrols, %d of 3 h or more; %d facts stored\n"+
		"(setup of the city, not counted: %s)",
		r.Workers, r.Points, r.Batches, r.Duplicates,
		r.Ingest.Round(time.Millisecond), r.Settle.Round(time.Millisecond), r.Facts.Round(time.Millisecond), r.Total.Round(time.Millisecond),
		r.PointsPerSec, float64(r.PeakRSSKiB)/1024,
		float64(r.StoredBytes)/(1<<20), float64(r.StoredBytes)/math.Max(1, float64(r.Points)), r.Patrols, r.LongPatrols, r.FactsStored,
		r.Setup.Round(time.Millisecond))
}

// City is a generated city in the database: each worker's grid cell and
// bearer token.
type City struct {
	workers []cityWorker
}

type cityWorker struct {
	id, token           string
	west, south, dx, dy float64 // the grid cell
}

const (
	cellLon = 0.004 // ≈ 340 m at 40° N
	cellLat = 0.003 // ≈ 333 m
	perComm = 50
	perStr  = 10
)

// Build stores a city of n workers in db: the org through org.BulkLoader,
// straight into its tables (org.Store's checks and audit entries, unit by
// unit, are not what is measured), then an account and a bearer token per
// worker through auth.Store, all in one transaction.
func Build(ctx context.Context, db *store.DB, users *auth.Store, n int) (*City, error) {
	from := dates.New(2018, 1, 1)
	c := &City{workers: make([]cityWorker, n)}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	id := func(kind string, i int) string {
		return uuid.NewSHA1(uuid.NameSpaceOID, []byte(kind+strconv.Itoa(i))).String()
	}
	err := db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		load, err := org.NewBulkLoader(ctx, tx)
		if err != nil {
			return err
		}
		defer load.Close()
		add := func(uid string, level org.Level, parent, name, code string, poly orb.Polygon) error {
			return load.Unit(ctx, org.Unit{ID: uid, Level: level, ParentID: parent, Name: name, Code: code, ValidFrom: from}, poly)
		}
		district := id("district", 0)
		if err := add(district, org.District, "", "回放区", "110199", nil); err != nil {
			return err
		}
		var street, community string
		for i := range n {
			if i%(perComm*perStr) == 0 {
				s := i / (perComm * perStr)
				street = id("street", s)
				if err := add(street, org.Street, district, fmt.Sprintf("第%d街道", s+1), fmt.Sprintf("110199%03d", s+1), nil); err != nil {
					return err
				}
			}
			if i%perComm == 0 {
				k := i / perComm
				community = id("community", k)
				if err := add(community, org.Community, street, fmt.Sprintf("第%d社区", k+1), fmt.Sprintf("110199%03d%03d", k/perStr+1, k%perStr+1), nil); err != nil {
					return err
				}
			}
			w := cityWorker{id: id("worker", i), west: 116.0 + float64(i%cols)*cellLon, south: 39.6 + float64(i/cols)*cellLat, dx: cellLon, dy: cellLat}
			grid := id("grid", i)
			poly := orb.Polygon{orb.Ring{{w.west, w.south}, {w.west + w.dx, w.south}, {w.west + w.dx, w.south + w.dy}, {w.west, w.south + w.dy}, {w.west, w.south}}}
			k := i / perComm
			if err := add(grid, org.Grid, community, fmt.Sprintf("第%d网格", i%perComm+1),
				fmt.Sprintf("110199%03d%03d%02d", k/perStr+1, k%perStr+1, i%perComm+1), poly); err != nil {
				return err
			}
			if err := load.Worker(ctx, org.Worker{ID: w.id, Name: fmt.Sprintf("网格员%d", i+1), Employment: org.FullTime, Post: org.GridWorker,
				Phone: fmt.Sprintf("138%08d", i), InPostSince: from, HomeUnitID: community}); err != nil {
				return err
			}
			if err := load.Assignment(ctx, org.Assignment{ID: id("assignment", i), WorkerID: w.id, GridID: grid, Kind: org.Primary,
				SharePct: 100, ValidFrom: from}); err != nil {
				return err
			}
			u, _, err := users.CreateUser(ctx, "bench", auth.NewUser{Username: fmt.Sprintf("gps%06d", i), Role: auth.GridWorkerRole,
				WorkerID: w.id, NoPassword: true})
			if err != nil {
				return err
			}
			sess, err := users.CreateToken(ctx, "bench", u.ID, "bench phone", 7*24*time.Hour)
			if err != nil {
				return err
			}
			w.token = sess.Token
			c.workers[i] = w
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replay: build the city: %w", err)
	}
	return c, nil
}

// Track returns worker i's fixes of day d: two patrols of 3 h around the
// cell's inset loop, a fix every 30 s.
func (c *City) Track(i int, d dates.Date) []patrol.Point {
	w := c.workers[i]
	const mLon, mLat = 85_300.0, 111_200.0
	in := 0.1 // the loop keeps 10 % of the cell from its edges
	x0, y0 := w.west+w.dx*in, w.south+w.dy*in
	x1, y1 := w.west+w.dx*(1-in), w.south+w.dy*(1-in)
	sides := []float64{(x1 - x0) * mLon, (y1 - y0) * mLat, (x1 - x0) * mLon, (y1 - y0) * mLat}
	per := sides[0] + sides[1] + sides[2] + sides[3]
	out := make([]patrol.Point, 0, 720)
	for p, start := range []time.Duration{8*time.Hour + 30*time.Minute, 14 * time.Hour} {
		t0 := d.Start().Add(start)
		for k := range 360 {
			// Each patrol starts elsewhere on the loop, so no two tracks
			// repeat each other.
			s := math.Mod(float64(p)*per/3+float64(i%97)+1.2*30*float64(k), per)
			var lat, lon float64
			switch {
			case s < sides[0]:
				lat, lon = y0, x0+s/mLon
			case s < sides[0]+sides[1]:
				lat, lon = y0+(s-sides[0])/mLat, x1
			case s < sides[0]+sides[1]+sides[2]:
				lat, lon = y1, x1-(s-sides[0]-sides[1])/mLon
			default:
				lat, lon = y1-(s-sides[0]-sides[1]-sides[2])/mLat, x0
			}
			out = append(out, patrol.Point{At: t0.Add(time.Duration(k) * 30 * time.Second).UTC(), Lat: lat, Lon: lon,
				Accuracy: 4 + float64((i+k)%7), Speed: 1.2})
		}
	}
	return out
}

// Run replays day opt.Day for city c through handler h (the API server,
// whose patrol store is ps), settles, and collects and stores the month's
// facts through a collector of ps alone.
func Run(ctx context.Context, db *store.DB, orgs *org.Store, ps *patrol.Store, h http.Handler, c *City, opt Options) (Result, error) {
	if opt.PerBatch <= 0 {
		opt.PerBatch = 120
	}
	if opt.Clients <= 0 {
		opt.Clients = 8
	}
	if opt.Day.IsZero() {
		opt.Day = dates.Today().AddDays(-1)
	}
	n := len(c.workers)
	res := Result{Workers: n}
	base := ""
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opt.Clients, MaxConnsPerHost: opt.Clients}}
	if opt.Loopback {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return res, fmt.Errorf("replay: listen: %w", err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		base = "http://" + ln.Addr().String()
	}
	perWorker := (720 + opt.PerBatch - 1) / opt.PerBatch
	type job struct{ worker, batch int }
	jobs := make(chan job, opt.Clients*4)
	var points, batches, dups atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var failed atomic.Bool
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		failed.Store(true)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range opt.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for j := range jobs {
				if failed.Load() {
					continue // drain
				}
				track := c.Track(j.worker, opt.Day)
				lo, hi := j.batch*opt.PerBatch, min((j.batch+1)*opt.PerBatch, len(track))
				buf.Reset()
				b := patrol.Batch{ClientID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s/%s/%d", c.workers[j.worker].id, opt.Day, j.batch)).String(),
					Points: track[lo:hi]}
				if err := json.NewEncoder(&buf).Encode(b); err != nil {
					fail(err)
					continue
				}
				r, err := post(ctx, client, h, base, c.workers[j.worker].token, buf.Bytes())
				if err != nil {
					fail(err)
					continue
				}
				points.Add(int64(r.Points))
				batches.Add(1)
				if r.Duplicate {
					dups.Add(1)
				}
			}
		}()
	}
	// In time order across the city: every worker's first hour, then the
	// second, ...
	last := time.Now()
feed:
	for b := range perWorker {
		for i := range n {
			select {
			case jobs <- job{i, b}:
			case <-ctx.Done():
				break feed
			}
			if opt.Progress != nil && time.Since(last) > 10*time.Second {
				last = time.Now()
				el := time.Since(start)
				fmt.Fprintf(opt.Progress, "  %s: %d points (%.0f/s), peak RSS %d MiB\n", el.Round(time.Second), points.Load(),
					float64(points.Load())/el.Seconds(), PeakRSS()/1024)
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.Ingest = time.Since(start)
	res.Points, res.Batches, res.Duplicates = int(points.Load()), int(batches.Load()), int(dups.Load())

	t := time.Now()
	if _, err := ps.Settle(ctx); err != nil {
		return res, err
	}
	res.Settle = time.Since(t)
	t = time.Now()
	month := metric.Period{Year: opt.Day.Year(), Month: opt.Day.Month()}
	nf, err := facts.NewCollector(db, orgs, ps).Refresh(ctx, month)
	if err != nil {
		return res, err
	}
	res.Facts = time.Since(t)
	res.FactsStored = nf
	res.Total = res.Ingest + res.Settle + res.Facts
	res.PointsPerSec = float64(res.Points) / res.Total.Seconds()
	res.PeakRSSKiB = PeakRSS()
	q := db.Q(ctx)
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(LENGTH(data)), 0) FROM patrol_chunks`).Scan(&res.StoredBytes); err != nil {
		return res, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_long THEN 1 ELSE 0 END), 0) FROM patrol_segments WHERE day = $1`, opt.Day).
		Scan(&res.Patrols, &res.LongPatrols); err != nil {
		return res, err
	}
	return res, nil
}

// post sends one batch, over the loopback when base is set, else straight
// to the handler.
func post(ctx context.Context, client *http.Client, h http.Handler, base, token string, body []byte) (patrol.Receipt, error) {
	var r patrol.Receipt
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/patrol/batches", bytes.NewReader(body))
	if err != nil {
		return r, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	var status int
	var data []byte
	if base != "" {
		resp, err := client.Do(req)
		if err != nil {
			return r, fmt.Errorf("replay: post: %w", err)
		}
		data, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return r, err
		}
		status = resp.StatusCode
	} else {
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, req)
		status, data = rec.status, rec.body.Bytes()
		if status == 0 {
			status = http.StatusOK
		}
	}
	if status != http.StatusOK {
		return r, fmt.Errorf("replay: post a batch: %d %s", status, data)
	}
	return r, json.Unmarshal(data, &r)
}

// recorder is a minimal ResponseWriter for calls straight to the handler.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) { r.status = s }

// PeakRSS returns the process's peak resident set (VmHWM) in KiB, or 0
// where /proc is not available.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
