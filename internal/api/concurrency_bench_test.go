package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/api"
	"gridwork/internal/app/apptest"
	"gridwork/internal/demo"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// benchClients is how many phones report at once in
// BenchmarkConcurrentEventReports: issue 17's row "event reports over HTTP,
// 32 clients".
const benchClients = 32

// BenchmarkConcurrentEventReports posts event reports over HTTP from 32
// grid workers at once, each with a bearer token, each in their own grid,
// and reports reports per second and the 99th percentile of latency. Every
// request must succeed within requestTimeout.
//
//	go test ./internal/api -run '^$' -bench ConcurrentEventReports -benchtime 2000x
func BenchmarkConcurrentEventReports(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			ps := benchPhones(b, engine.open(b), benchClients)
			var next atomic.Int64
			var mu sync.Mutex
			var took []time.Duration
			var failed atomic.Int64
			b.SetParallelism((benchClients + 1) / 2) // × GOMAXPROCS (2 here) goroutines
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				p := ps[int(next.Add(1)-1)%len(ps)]
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					err := p.post(context.Background(), "/api/events", map[string]any{"client_id": uuid.NewString(),
						"category_code": "part_road", "grid_id": p.gridID, "lat": p.centre[1], "lon": p.centre[0],
						"description": "路面破损约半平方米, 需要修补"})
					mine = append(mine, time.Since(t0))
					if err != nil && failed.Add(1) <= 3 {
						b.Error(err)
					}
				}
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(took)
			if len(took) > 0 {
				b.ReportMetric(float64(len(took))/elapsed.Seconds(), "reports/s")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(failed.Load()), "failed")
			if failed.Load() > 0 {
				// A failed benchmark prints no metrics: say them here.
				b.Logf("%d reports in %s, %d failed", len(took), elapsed.Round(time.Millisecond), failed.Load())
			}
		})
	}
}

// benchPhones loads the demo town into db, serves events over it and signs
// in n grid workers of different grids with bearer tokens. (The API test
// fixture takes a *testing.T; this is the part of it a benchmark needs.)
func benchPhones(b *testing.B, db *store.DB, n int) []*phone {
	b.Helper()
	ctx := context.Background()
	a := apptest.New(b, db)
	orgs, users := a.Orgs, a.Users
	town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	if _, err := demo.Load(ctx, db, orgs, users, town); err != nil {
		b.Fatalf("load demo town: %v", err)
	}
	srv := api.New(a, api.Options{Version: "bench", PublicURL: "http://grid.test"})
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	b.Cleanup(tr.CloseIdleConnections)
	gridOf := map[string]string{}
	for _, a := range town.Assignments {
		if a.Kind == org.Primary {
			gridOf[a.WorkerKey] = a.GridKey
		}
	}
	taken := map[string]bool{}
	var ps []*phone
	for _, w := range town.Workers {
		if len(ps) == n {
			break
		}
		g := gridOf[w.Key]
		if g == "" || taken[g] {
			continue
		}
		taken[g] = true
		u, err := users.GetUserByUsername(ctx, w.Username)
		if err != nil {
			b.Fatal(err)
		}
		gridID, err := primaryGrid(ctx, orgs, u.WorkerID)
		if err != nil {
			b.Fatalf("%s: %v", w.Username, err)
		}
		tok, err := users.CreateToken(ctx, "bench", u.ID, "bench phone", time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		c := centroid(gridPolygon(town, g))
		ps = append(ps, &phone{username: w.Username, workerID: u.WorkerID, gridID: gridID, centre: c,
			base: ts.URL, token: tok.Token, hc: &http.Client{Transport: tr, Timeout: requestTimeout}})
	}
	if len(ps) < n {
		b.Fatalf("%d workers on grids of their own, want %d", len(ps), n)
	}
	// One report each first, so that the timed part measures reporting,
	// not the first use of each connection.
	for _, p := range ps {
		if err := p.post(ctx, "/api/events", map[string]any{"category_code": "part_road", "grid_id": p.gridID,
			"description": "热身: 路面破损约半平方米"}); err != nil {
			b.Fatal(err)
		}
	}
	return ps
}
