package api_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/store/storetest"
)

// patrolFixture is the demo town behind the server (the fixture's).
func patrolFixture(t *testing.T, loaded storetest.Copy[demo.Summary]) *fixture {
	t.Helper()
	return newFixture(t, loaded)
}

// circle is ten fixes a minute apart on a circle of 50 m around the centre
// of a worker's grid, ending a minute ago.
func circle(f *fixture, workerKey string) []map[string]any {
	var grid demo.GridSpec
	for _, a := range f.town.Assignments {
		if a.WorkerKey == workerKey && a.Kind == org.Primary {
			for _, g := range f.town.Grids {
				if g.Key == a.GridKey {
					grid = g
				}
			}
		}
	}
	c := geo.Centroid(grid.Polygon)
	start := time.Now().Add(-11 * time.Minute).UTC().Truncate(time.Second)
	var pts []map[string]any
	for i := range 10 {
		a := float64(i) * 2 * math.Pi / 10
		pts = append(pts, map[string]any{"lat": c[1] + 0.00045*math.Sin(a), "lon": c[0] + 0.00058*math.Cos(a),
			"accuracy": 8, "at": start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), "speed": 0.9, "mock": false})
	}
	return pts
}

func TestPatrolBatchTwice(t *testing.T) {
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		db := loaded.DB
		f := patrolFixture(t, loaded)
		w, other := f.town.Workers[0], f.town.Workers[1]
		phone := f.bearer(t, w.Username)
		pts := circle(f, w.Key)
		batch := map[string]any{"client_id": uuid.NewString(), "points": pts}
		var first, again patrol.Receipt
		r := phone.do(t, http.MethodPost, "/api/patrol/batches", batch)
		if r.status != http.StatusOK {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		r.decode(t, &first)
		r = phone.do(t, http.MethodPost, "/api/patrol/batches", batch)
		if r.status != http.StatusOK {
			t.Fatalf("post again: %d %s", r.status, r.body)
		}
		r.decode(t, &again)
		if first.Duplicate || !again.Duplicate || first.Points != 10 || again.Points != 10 {
			t.Errorf("first %+v, again %+v", first, again)
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM patrol_chunks`).Scan(&n); err != nil || n != len(first.Days) {
			t.Errorf("%d chunks (%v), want one per day %v", n, err, first.Days)
		}
		d := dates.Of(time.Now().Add(-11 * time.Minute))
		var v patrol.DayView
		phone.get(t, path("/api/patrol/workers/%s/days/%s", phone.user.WorkerID, d), &v)
		if v.Summary.Points != len(pts) && len(first.Days) == 1 {
			t.Errorf("day view %+v, want %d fixes", v.Summary, len(pts))
		}
		if len(v.Grids) == 0 {
			t.Errorf("day view without the worker's grids")
		}

		// Another worker may neither read this day nor post as anyone but
		// themselves; staff may not post.
		if r := f.bearer(t, other.Username).do(t, http.MethodGet, path("/api/patrol/workers/%s/days/%s", phone.user.WorkerID, d), nil); r.status != http.StatusForbidden {
			t.Errorf("another worker reads the day: %d", r.status)
		}
		if r := f.bearer(t, "centre01").do(t, http.MethodPost, "/api/patrol/batches", map[string]any{"client_id": uuid.NewString(), "points": pts}); r.status != http.StatusForbidden {
			t.Errorf("centre staff posts fixes: %d %s", r.status, r.body)
		}
		var fl list[patrol.Flag]
		f.bearer(t, "centre01").get(t, "/api/patrol/flags", &fl)

		// A bad fix refuses the whole batch, naming it.
		pts[2]["lat"] = 91.0
		r = phone.do(t, http.MethodPost, "/api/patrol/batches", map[string]any{"client_id": uuid.NewString(), "points": pts})
		if p := r.problem(t); r.status != http.StatusUnprocessableEntity || !hasField(p, "points[2].lat") {
			t.Errorf("bad fix: %d %s", r.status, r.body)
		}
		r = phone.do(t, http.MethodPost, "/api/patrol/batches", rawBody(`{"client_id":"x","points":[{"lat":"north"}]}`))
		if p := r.problem(t); r.status != http.StatusUnprocessableEntity || !hasField(p, "points.lat") {
			t.Errorf("bad JSON type: %d %s", r.status, r.body)
		}
		// The document shows the batch's schema although the body is read raw.
		if r := f.anon().do(t, http.MethodGet, "/openapi.json", nil); !strings.Contains(string(r.body), `"PatrolBatch"`) {
			t.Errorf("openapi.json lacks the PatrolBatch schema")
		}
		// A marker.
		r = phone.do(t, http.MethodPost, "/api/patrol/markers", map[string]any{"client_id": uuid.NewString(), "kind": "start",
			"at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)})
		if r.status != http.StatusOK {
			t.Errorf("marker: %d %s", r.status, r.body)
		}
	})
}
