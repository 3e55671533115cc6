package api_test

// The concurrency guard (issue 14 §0, issue 17 "The write path"): many
// phones writing at once through the real HTTP API, on both engines. It
// found the stall where the request holding the write transaction read the
// work calendar through the pool while every pooled connection was held by
// a request waiting for the write lock.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

const (
	// phones is how many grid workers write at once, each on a grid of
	// their own.
	phones = 64
	// rounds is how many times each phone sends its four writes.
	rounds = 3
	// requestTimeout is far beyond any sound request (one takes
	// milliseconds alone; 64 at once queue for SQLite's one writer): a
	// request that reaches it is hanging, not slow. The race detector
	// makes everything 5-10 times slower (raceSlowdown).
	requestTimeout = 10 * time.Second * raceSlowdown
	// loadTimeout bounds the whole load, so that a stall fails the test
	// with the phones that made no progress named, rather than at go
	// test's timeout.
	loadTimeout = 5 * time.Minute
)

// TestConcurrentWrites has 64 grid workers send event reports, GPS batches,
// home visits and work sheets at once, half with a bearer token and half
// with a session. No request may fail or hang, every phone must finish, and
// afterwards the database must hold exactly what was sent: nothing lost,
// nothing twice.
func TestConcurrentWrites(t *testing.T) {
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		f := newFixture(t, loaded)
		db := f.db
		ps := f.phones(t, phones)
		lat := &latencies{}
		for _, p := range ps {
			p.lat = lat
		}
		before := storedCounts(t, db, ps)

		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		start := time.Now()
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() { p.work(ctx, t, rounds) })
		}
		wg.Wait()
		elapsed := time.Since(start)

		var sent int
		for _, p := range ps {
			if p.done != 4*rounds {
				t.Errorf("%s made %d of %d requests", p.username, p.done, 4*rounds)
			}
			sent += p.done
		}
		t.Logf("%d phones, %d requests in %s (%.0f/s)", len(ps), sent, elapsed.Round(time.Millisecond), float64(sent)/elapsed.Seconds())
		lat.log(t)

		after := storedCounts(t, db, ps)
		for i, p := range ps {
			got, want := after[i].minus(before[i]), p.sent
			if got != want {
				t.Errorf("%s: stored %+v, sent %+v", p.username, got, want)
			}
		}
	})
}

// latencies are the load's request times by path.
type latencies struct {
	mu     sync.Mutex
	byPath map[string][]time.Duration
}

func (l *latencies) add(path string, d time.Duration) {
	if l == nil {
		return
	}
	if strings.HasPrefix(path, "/api/houses/") {
		path = "/api/houses/{id}/visits"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byPath == nil {
		l.byPath = map[string][]time.Duration{}
	}
	l.byPath[path] = append(l.byPath[path], d)
}

// log says the median, 99th percentile and longest time of each path.
func (l *latencies) log(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, path := range slices.Sorted(maps.Keys(l.byPath)) {
		ds := l.byPath[path]
		slices.Sort(ds)
		t.Logf("%-25s %4d requests: median %s, p99 %s, longest %s", path, len(ds), ds[len(ds)/2].Round(time.Millisecond),
			ds[len(ds)*99/100].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
}

// phone is one grid worker's phone: its grid, a house in it, and what it
// sent.
type phone struct {
	username, workerID, gridID, houseID string
	centre                              [2]float64 // lon, lat of the grid's centroid
	hc                                  *http.Client
	base, token                         string
	fixes                               func() []map[string]any
	lat                                 *latencies // nil: not recorded

	sent counts // what the server accepted
	done int    // requests answered
}

// counts are a worker's rows of each write path.
type counts struct {
	Events, Batches, Fixes, Visits, Sheets int
}

func (c counts) minus(d counts) counts {
	return counts{c.Events - d.Events, c.Batches - d.Batches, c.Fixes - d.Fixes, c.Visits - d.Visits, c.Sheets - d.Sheets}
}

// phones signs in n grid workers, each with a primary grid no other of them
// has, alternately with a bearer token and with a session, and registers a
// house in each grid.
func (f *fixture) phones(t *testing.T, n int) []*phone {
	t.Helper()
	ctx := context.Background()
	gridOf := map[string]string{} // worker key → primary grid key
	for _, a := range f.town.Assignments {
		if a.Kind == org.Primary {
			gridOf[a.WorkerKey] = a.GridKey
		}
	}
	// One transport for all, keeping a connection per phone: the default
	// keeps 2 idle per host and would measure TCP set-up instead.
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}
	t.Cleanup(tr.CloseIdleConnections)
	taken := map[string]bool{}
	var ps []*phone
	for _, w := range f.town.Workers {
		if len(ps) == n {
			break
		}
		g := gridOf[w.Key]
		if g == "" || taken[g] {
			continue
		}
		taken[g] = true
		var c *client
		if len(ps)%2 == 0 {
			c = f.bearer(t, w.Username)
		} else {
			c = f.freshSignIn(t, w.Username)
		}
		gridID, err := primaryGrid(ctx, f.orgs, c.user.WorkerID)
		if err != nil {
			t.Fatalf("%s: %v", w.Username, err)
		}
		h, err := f.records.CreateHouse(ctx, "test", records.NewHouse{GridID: gridID, Address: "平安里" + w.Key + "号",
			Purpose: records.OwnUse, BeganOn: dates.Today().AddDays(-365)})
		if err != nil {
			t.Fatalf("house in the grid of %s: %v", w.Username, err)
		}
		ps = append(ps, &phone{username: w.Username, workerID: c.user.WorkerID, gridID: gridID, houseID: h.ID,
			centre: centroid(gridPolygon(f.town, g)), base: c.base, token: c.token,
			hc:    &http.Client{Jar: c.hc.Jar, Transport: tr, Timeout: requestTimeout},
			fixes: func() []map[string]any { return circle(f, w.Key) }})
	}
	if len(ps) < n {
		t.Fatalf("the demo town has %d workers on grids of their own, want %d", len(ps), n)
	}
	return ps
}

// primaryGrid returns the grid a worker is assigned to first, today.
func primaryGrid(ctx context.Context, orgs *org.Store, workerID string) (string, error) {
	as, _, err := orgs.ListAssignments(ctx, org.AssignmentQuery{WorkerID: workerID, On: dates.Today()})
	if err != nil {
		return "", err
	}
	for _, a := range as {
		if a.Kind == org.Primary {
			return a.GridID, nil
		}
	}
	return "", fmt.Errorf("no primary grid on %s", dates.Today())
}

// centroid returns the lon, lat of a polygon's centroid.
func centroid(p orb.Polygon) [2]float64 {
	c := geo.Centroid(p)
	return [2]float64{c[0], c[1]}
}

// gridPolygon returns the polygon of the town's grid key.
func gridPolygon(town demo.Town, key string) orb.Polygon {
	for _, g := range town.Grids {
		if g.Key == key {
			return g.Polygon
		}
	}
	return nil
}

// work sends rounds of the four writes, stopping at the first failure (an
// error status, a transport error, a hang) or when ctx ends.
func (p *phone) work(ctx context.Context, t *testing.T, rounds int) {
	for r := range rounds {
		// Sheets are one a day: each round signs in on a day of its own,
		// long enough ago that the demo wrote none.
		day := dates.Today().AddDays(-400 - r)
		lat, lon := p.centre[1]+0.0001*float64(r), p.centre[0]
		for _, w := range []struct {
			path string
			body any
			add  func(*counts)
		}{
			{"/api/events", map[string]any{"client_id": uuid.NewString(), "category_code": "part_road", "grid_id": p.gridID,
				"lat": lat, "lon": lon, "description": fmt.Sprintf("%s 第%d轮: 路面破损约半平方米", p.username, r+1)},
				func(c *counts) { c.Events++ }},
			{"/api/patrol/batches", map[string]any{"client_id": uuid.NewString(), "points": p.fixes()},
				func(c *counts) { c.Batches++; c.Fixes += 10 }},
			{"/api/houses/" + p.houseID + "/visits", map[string]any{"client_id": uuid.NewString(), "id": "", "house_id": p.houseID,
				"visited_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "notes": "家中无异常", "signed": true},
				func(c *counts) { c.Visits++ }},
			{"/api/duty/sheets", map[string]any{"client_id": uuid.NewString(), "plan": "走访网格内住户",
				"at": day.Start().Add(8*time.Hour + 30*time.Minute).Format(time.RFC3339)},
				func(c *counts) { c.Sheets++ }},
		} {
			if ctx.Err() != nil {
				t.Errorf("%s stopped at the load's end, %d requests made", p.username, p.done)
				return
			}
			if err := p.post(ctx, w.path, w.body); err != nil {
				t.Errorf("%s, round %d: %v", p.username, r+1, err)
				return
			}
			w.add(&p.sent)
			p.done++
		}
	}
}

// post sends body and requires a 2xx answer within requestTimeout.
func (p *phone) post(ctx context.Context, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	start := time.Now()
	resp, err := p.hc.Do(req)
	took := time.Since(start)
	p.lat.add(path, took)
	if err != nil {
		return fmt.Errorf("POST %s after %s: %w", path, took.Round(time.Millisecond), err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d after %s: %.300s", path, resp.StatusCode, took.Round(time.Millisecond), answer)
	}
	return nil
}

// storedCounts reads each phone's stored rows.
func storedCounts(t *testing.T, db *store.DB, ps []*phone) []counts {
	t.Helper()
	ctx := context.Background()
	out := make([]counts, len(ps))
	for i, p := range ps {
		c := &out[i]
		for _, q := range []struct {
			dst   *int
			query string
			arg   string
		}{
			{&c.Events, `SELECT COUNT(*) FROM events WHERE reporter_worker_id = $1`, p.workerID},
			{&c.Batches, `SELECT COUNT(*) FROM patrol_batches WHERE worker_id = $1`, p.workerID},
			{&c.Fixes, `SELECT COALESCE(SUM(points), 0) FROM patrol_chunks WHERE worker_id = $1`, p.workerID},
			{&c.Visits, `SELECT COUNT(*) FROM home_visits WHERE house_id = $1`, p.houseID},
			{&c.Sheets, `SELECT COUNT(*) FROM duty_sheets WHERE worker_id = $1`, p.workerID},
		} {
			if err := db.QueryRowContext(ctx, q.query, q.arg).Scan(q.dst); err != nil {
				t.Fatalf("count for %s: %v", p.username, err)
			}
		}
	}
	return out
}
