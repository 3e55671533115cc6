package demo

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridwork/internal/dates"
	"gridwork/internal/org"
)

var (
	testSeeds = []uint64{0, 1, 4, 42, 20260101, math.MaxUint64}
	testFrom  = dates.New(2026, time.January, 1)
)

func TestGenerateDeterministic(t *testing.T) {
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			a, b := Generate(seed, testFrom), Generate(seed, testFrom)
			if !reflect.DeepEqual(a, b) {
				t.Fatal("the same seed gave two different towns")
			}
		})
	}
}

func TestGenerateSeedsDiffer(t *testing.T) {
	towns := make([]Town, len(testSeeds))
	for i, seed := range testSeeds {
		towns[i] = Generate(seed, testFrom)
	}
	for i := range towns {
		for j := i + 1; j < len(towns); j++ {
			a, b := towns[i], towns[j]
			if reflect.DeepEqual(a, b) {
				t.Errorf("seeds %d and %d gave the same town", testSeeds[i], testSeeds[j])
			}
			if reflect.DeepEqual(a.Grids, b.Grids) {
				t.Errorf("seeds %d and %d gave the same grids", testSeeds[i], testSeeds[j])
			}
			if reflect.DeepEqual(a.Workers, b.Workers) {
				t.Errorf("seeds %d and %d gave the same workers", testSeeds[i], testSeeds[j])
			}
		}
	}
}

func TestGenerateFromDate(t *testing.T) {
	from := dates.New(2025, time.July, 1)
	town := Generate(1, from)
	if town.ValidFrom != from {
		t.Errorf("ValidFrom = %s, want %s", town.ValidFrom, from)
	}
	other := Generate(1, testFrom)
	if !reflect.DeepEqual(town.Grids, other.Grids) {
		t.Error("the start date changed the geometry; only dates should depend on it")
	}
}

func TestGenerateUnits(t *testing.T) {
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			town := Generate(seed, testFrom)
			d, s := town.District, town.Street
			if d.Key != DistrictKey || d.Kind != "区" || d.ParentKey != "" || !regexp.MustCompile(`^\d{6}$`).MatchString(d.Code) {
				t.Errorf("district = %+v", d)
			}
			if s.Key != StreetKey || s.Kind != "街道" || s.ParentKey != d.Key || s.Code != d.Code+"004" || !strings.HasSuffix(s.Name, "街道") {
				t.Errorf("street = %+v", s)
			}
			if len(town.Communities) != 10 {
				t.Fatalf("%d communities, want 10", len(town.Communities))
			}
			names := map[string]bool{}
			for k, c := range town.Communities {
				wantKey := fmt.Sprintf("c%02d", k+1)
				wantCode := fmt.Sprintf("%s%03d", s.Code, k+1)
				if c.Key != wantKey || c.Code != wantCode || c.Kind != "社区" || c.ParentKey != s.Key || !strings.HasSuffix(c.Name, "社区") {
					t.Errorf("community %d = {%s %s %s %s %s}, want key %s code %s", k, c.Key, c.Name, c.Kind, c.Code, c.ParentKey, wantKey, wantCode)
				}
				if names[c.Name] {
					t.Errorf("community name %s twice", c.Name)
				}
				names[c.Name] = true
			}
			// Codes in reading order: west→east, then north→south.
			for k := 1; k < len(town.Communities); k++ {
				p, q := centroid(town.Communities[k-1].Polygon), centroid(town.Communities[k].Polygon)
				if k%2 == 1 && !(q[0] > p[0]) {
					t.Errorf("community %s is not east of %s", town.Communities[k].Key, town.Communities[k-1].Key)
				}
				if k%2 == 0 && !(q[1] < p[1]) {
					t.Errorf("community %s is not south of %s", town.Communities[k].Key, town.Communities[k-1].Key)
				}
			}
		})
	}
}

func TestGenerateGrids(t *testing.T) {
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			town := Generate(seed, testFrom)
			if len(town.Grids) != 143 {
				t.Fatalf("%d grids, want 143", len(town.Grids))
			}
			byCommunity := gridsByCommunity(town)
			sizes := map[int]int{}
			for _, c := range town.Communities {
				grids := byCommunity[c.Key]
				sizes[len(grids)]++
				cols := map[int]int{15: 5, 14: 7}[len(grids)]
				if cols == 0 {
					t.Fatalf("community %s has %d grids", c.Key, len(grids))
				}
				for n, g := range grids {
					if want := fmt.Sprintf("%s-g%02d", c.Key, n+1); g.Key != want {
						t.Errorf("grid %d of %s has key %s, want %s", n, c.Key, g.Key, want)
					}
					if want := fmt.Sprintf("%s第%02d网格", c.Name, n+1); g.Name != want {
						t.Errorf("grid %s is named %s, want %s", g.Key, g.Name, want)
					}
				}
				// Reading order: each row wholly north of the next, and
				// west to east within a row.
				rows := len(grids) / cols
				for i := range rows {
					for j := range cols {
						p := centroid(grids[i*cols+j].Polygon)
						if j > 0 && !(p[0] > centroid(grids[i*cols+j-1].Polygon)[0]) {
							t.Errorf("%s is not east of the grid before it", grids[i*cols+j].Key)
						}
						if i > 0 {
							for jj := range cols {
								if !(p[1] < centroid(grids[(i-1)*cols+jj].Polygon)[1]) {
									t.Errorf("%s is not south of every grid of the row above", grids[i*cols+j].Key)
								}
							}
						}
					}
				}
			}
			if sizes[15] != 3 || sizes[14] != 7 {
				t.Errorf("community sizes %v, want 3 × 15 and 7 × 14", sizes)
			}
		})
	}
}

func TestGenerateWorkers(t *testing.T) {
	phoneRE := regexp.MustCompile(`^1(3\d|5[0-35-9]|8\d)\d{8}$`)
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			town := Generate(seed, testFrom)
			if len(town.Workers) != 87 {
				t.Fatalf("%d workers, want 87", len(town.Workers))
			}
			byCommunity := gridsByCommunity(town)
			perCommunity := map[string]int{}
			leaders := map[string]int{}
			employment := map[org.Employment]int{}
			names, phones, users := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for i, w := range town.Workers {
				if want := fmt.Sprintf("w%03d", i+1); w.Key != want || w.Username != want {
					t.Errorf("worker %d: key %s username %s, want %s", i, w.Key, w.Username, want)
				}
				if _, ok := byCommunity[w.CommunityKey]; !ok {
					t.Errorf("%s: unknown community %q", w.Key, w.CommunityKey)
				}
				perCommunity[w.CommunityKey]++
				employment[w.Employment]++
				switch w.Post {
				case org.GridLeader:
					leaders[w.CommunityKey]++
					if w.Employment != org.FullTime {
						t.Errorf("%s: a part-time grid leader", w.Key)
					}
				case org.GridWorker:
				default:
					t.Errorf("%s: post %s", w.Key, w.Post)
				}
				if w.Employment != org.FullTime && w.Employment != org.PartTime {
					t.Errorf("%s: employment %s", w.Key, w.Employment)
				}
				if !phoneRE.MatchString(w.Phone) {
					t.Errorf("%s: phone %q", w.Key, w.Phone)
				}
				if n := []rune(w.Name); len(n) < 2 || len(n) > 3 {
					t.Errorf("%s: name %q", w.Key, w.Name)
				}
				for _, u := range []struct {
					what, v string
					set     map[string]bool
				}{{"name", w.Name, names}, {"phone", w.Phone, phones}, {"username", w.Username, users}} {
					if u.set[u.v] {
						t.Errorf("%s %q twice", u.what, u.v)
					}
					u.set[u.v] = true
				}
			}
			for _, s := range town.Staff {
				if names[s.DisplayName] {
					t.Errorf("staff name %q is also someone else's", s.DisplayName)
				}
				names[s.DisplayName] = true
				if users[s.Username] {
					t.Errorf("username %q twice", s.Username)
				}
				users[s.Username] = true
			}
			for _, c := range town.Communities {
				n, g := perCommunity[c.Key], len(byCommunity[c.Key])
				if n != 8 && n != 9 {
					t.Errorf("%s has %d workers", c.Key, n)
				}
				if exact := 87 * float64(g) / 143; math.Abs(float64(n)-exact) >= 1 {
					t.Errorf("%s has %d workers for %d grids, want about %.2f", c.Key, n, g, exact)
				}
				if leaders[c.Key] != 1 {
					t.Errorf("%s has %d grid leaders, want 1", c.Key, leaders[c.Key])
				}
			}
			if employment[org.FullTime] != 65 || employment[org.PartTime] != 22 {
				t.Errorf("employment %v, want 65 full-time and 22 part-time", employment)
			}
		})
	}
}

// TestGenerateRecentJoiners checks that seed 001's "in post ≥ 6 months"
// rule leaves out exactly 8 workers at the end of the first quarter,
// whatever the start date.
func TestGenerateRecentJoiners(t *testing.T) {
	tests := []struct {
		from, quarterEnd dates.Date
	}{
		{dates.MustParse("2026-01-01"), dates.MustParse("2026-03-31")},
		{dates.MustParse("2026-02-15"), dates.MustParse("2026-03-31")},
		{dates.MustParse("2026-03-31"), dates.MustParse("2026-03-31")},
		{dates.MustParse("2025-10-01"), dates.MustParse("2025-12-31")},
		{dates.MustParse("2024-05-31"), dates.MustParse("2024-06-30")},
	}
	for _, tc := range tests {
		for _, seed := range testSeeds {
			t.Run(fmt.Sprintf("%s/%d", tc.from, seed), func(t *testing.T) {
				town := Generate(seed, tc.from)
				recent := 0
				for _, w := range town.Workers {
					if w.InPostSince.After(tc.from) || w.InPostSince.Before(tc.from.AddMonths(-37)) {
						t.Errorf("%s: in post since %s, want within 3 years before %s", w.Key, w.InPostSince, tc.from)
					}
					if (org.Worker{InPostSince: w.InPostSince}).MonthsInPost(tc.quarterEnd) < 6 {
						recent++
						if w.Post == org.GridLeader {
							t.Errorf("%s: a newcomer grid leader", w.Key)
						}
					}
				}
				if recent != 8 {
					t.Errorf("%d workers in post < 6 months on %s, want 8", recent, tc.quarterEnd)
				}
			})
		}
	}
}

func TestGenerateAssignments(t *testing.T) {
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			town := Generate(seed, testFrom)
			workers := map[string]WorkerSpec{}
			for _, w := range town.Workers {
				workers[w.Key] = w
			}
			gridCommunity := map[string]string{}
			for _, g := range town.Grids {
				gridCommunity[g.Key] = g.CommunityKey
			}
			primary := map[string]string{} // worker → grid
			primaryOf := map[string]string{}
			extras := map[string]int{}   // worker → count
			share := map[string]int{}    // grid → total share
			halves := map[string]int{}   // grid → extra shares
			seen := map[[2]string]bool{} // worker, grid
			for _, a := range town.Assignments {
				w, ok := workers[a.WorkerKey]
				if !ok {
					t.Fatalf("assignment to unknown worker %q", a.WorkerKey)
				}
				gc, ok := gridCommunity[a.GridKey]
				if !ok {
					t.Fatalf("assignment to unknown grid %q", a.GridKey)
				}
				if seen[[2]string{a.WorkerKey, a.GridKey}] {
					t.Errorf("%s on %s twice", a.WorkerKey, a.GridKey)
				}
				seen[[2]string{a.WorkerKey, a.GridKey}] = true
				if gc != w.CommunityKey {
					t.Errorf("%s of %s assigned to %s of %s", w.Key, w.CommunityKey, a.GridKey, gc)
				}
				share[a.GridKey] += a.SharePct
				switch a.Kind {
				case org.Primary:
					if a.SharePct != 100 {
						t.Errorf("primary %s→%s has share %d", a.WorkerKey, a.GridKey, a.SharePct)
					}
					if g, dup := primary[a.WorkerKey]; dup {
						t.Errorf("%s has primaries %s and %s", a.WorkerKey, g, a.GridKey)
					}
					if w, dup := primaryOf[a.GridKey]; dup {
						t.Errorf("%s is the primary grid of %s and %s", a.GridKey, w, a.WorkerKey)
					}
					primary[a.WorkerKey] = a.GridKey
					primaryOf[a.GridKey] = a.WorkerKey
				case org.Extra:
					if a.SharePct != 50 || org.MaxExtraSharePct != 50 {
						t.Errorf("extra %s→%s has share %d", a.WorkerKey, a.GridKey, a.SharePct)
					}
					if w.Employment != org.FullTime || w.InPostSince.MonthsBetween(testFrom) < 6 {
						t.Errorf("%s takes an extra share but is not a strong worker: %+v", w.Key, w)
					}
					extras[a.WorkerKey]++
					halves[a.GridKey]++
				default:
					t.Errorf("assignment kind %q", a.Kind)
				}
			}
			for _, w := range town.Workers {
				if _, ok := primary[w.Key]; !ok {
					t.Errorf("%s has no primary grid", w.Key)
				}
				if extras[w.Key] > 1 {
					t.Errorf("%s has %d extra shares", w.Key, extras[w.Key])
				}
			}
			for _, a := range town.Assignments {
				if a.Kind == org.Extra && primary[a.WorkerKey] == a.GridKey {
					t.Errorf("%s has an extra share of their own grid %s", a.WorkerKey, a.GridKey)
				}
				if a.Kind == org.Extra && primaryOf[a.GridKey] != "" {
					t.Errorf("extra share of %s, which has a primary worker", a.GridKey)
				}
			}
			var vacant, halved, withExtra int
			for _, g := range town.Grids {
				if share[g.Key] > 100 {
					t.Errorf("%s has %d %% assigned", g.Key, share[g.Key])
				}
				if halves[g.Key] > 2 {
					t.Errorf("%s has %d extra shares", g.Key, halves[g.Key])
				}
				switch {
				case share[g.Key] == 0:
					vacant++
				case halves[g.Key] == 2:
					halved++
				}
			}
			for _, n := range extras {
				withExtra += n
			}
			if len(primary) != 87 || len(town.Grids)-len(primary) != 56 {
				t.Errorf("%d primaries, want 87 (56 grids short)", len(primary))
			}
			if withExtra != 48 || halved != 24 || vacant != 32 {
				t.Errorf("%d workers with an extra share, %d grids covered by halves, %d vacant; want 48, 24, 32", withExtra, halved, vacant)
			}
		})
	}
}

func TestGenerateStaff(t *testing.T) {
	town := Generate(4, testFrom)
	count := map[string]int{}
	scoped := map[string]int{}
	for _, s := range town.Staff {
		count[s.Role]++
		switch s.Role {
		case RoleCentreStaff, RoleInspector:
			if s.ScopeKey != StreetKey {
				t.Errorf("%s (%s) scoped to %q", s.Username, s.Role, s.ScopeKey)
			}
		case RoleCommunityStaff:
			scoped[s.ScopeKey]++
		default:
			t.Errorf("%s: role %q", s.Username, s.Role)
		}
		if s.Username == "" || s.DisplayName == "" || !regexp.MustCompile(`^[a-z0-9]+$`).MatchString(s.Username) {
			t.Errorf("staff %+v", s)
		}
	}
	if count[RoleCentreStaff] != 3 || count[RoleCommunityStaff] != 10 || count[RoleInspector] != 8 {
		t.Errorf("staff %v, want 3 centre, 10 community, 8 inspectors", count)
	}
	for _, c := range town.Communities {
		if scoped[c.Key] != 1 {
			t.Errorf("%s has %d community staff, want 1", c.Key, scoped[c.Key])
		}
	}
}

// TestGenerateGeometry proves that the communities tile the street and the
// grids tile each community: every polygon is a valid simple CCW ring and
// convex, pieces lie within their parent, no two pieces overlap (separating
// edge), and the pieces' areas add up to the parent's, so there is no gap
// either. It also checks that neighbours share their border vertices
// exactly (no vertex of one lies inside an edge of another).
func TestGenerateGeometry(t *testing.T) {
	for _, seed := range testSeeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			town := Generate(seed, testFrom)
			street := town.Street.Polygon
			ref := street[0][0] // shoelace about a nearby point: exact differences

			// The street: about 4 km × 3 km, in Beijing.
			b := street.Bound()
			km := func(deg, lat float64) float64 { return deg * 111.32 * math.Cos(lat*math.Pi/180) }
			if w, h := km(b.Max[0]-b.Min[0], b.Center()[1]), b.Max[1]-b.Min[1]; math.Abs(w-4) > 0.2 || math.Abs(h*111.0-3) > 0.2 {
				t.Errorf("street is %.2f km × %.2f km, want about 4 × 3", w, h*111)
			}
			if !town.District.Polygon.Bound().Contains(b.Min) || !town.District.Polygon.Bound().Contains(b.Max) {
				t.Error("street outside the district")
			}
			checkRing(t, "district", town.District.Polygon, ref)
			checkRing(t, "street", street, ref)

			var communities []piece
			for _, c := range town.Communities {
				communities = append(communities, piece{c.Key, c.Polygon})
			}
			checkTiling(t, piece{"street", street}, communities, ref)

			byCommunity := gridsByCommunity(town)
			var all []piece
			for _, c := range town.Communities {
				var grids []piece
				for _, g := range byCommunity[c.Key] {
					grids = append(grids, piece{g.Key, g.Polygon})
				}
				checkTiling(t, piece{c.Key, c.Polygon}, grids, ref)
				all = append(all, grids...)
			}

			// No T-junctions anywhere: between grids of different
			// communities, between communities, and against the street.
			everything := append(append(all, communities...), piece{"street", street})
			for _, p := range everything {
				for _, q := range everything {
					if p.key == q.key {
						continue
					}
					for _, v := range p.poly[0] {
						if onRing(v, q.poly[0]) && !isVertex(v, q.poly[0]) {
							t.Errorf("vertex %v of %s lies on an edge of %s but is not one of its vertices", v, p.key, q.key)
						}
					}
				}
			}
		})
	}
}

type piece struct {
	key  string
	poly orb.Polygon
}

// checkTiling checks that pieces tile whole exactly.
func checkTiling(t *testing.T, whole piece, pieces []piece, ref orb.Point) {
	t.Helper()
	wb := whole.poly.Bound()
	sum := 0.0
	for _, p := range pieces {
		checkRing(t, p.key, p.poly, ref)
		if !convex(p.poly[0], ref) {
			t.Errorf("%s is not convex", p.key)
		}
		for _, v := range p.poly[0] {
			if !wb.Contains(v) || !planar.RingContains(whole.poly[0], v) {
				t.Errorf("vertex %v of %s lies outside %s", v, p.key, whole.key)
			}
		}
		sum += shoelace(p.poly[0], ref)
	}
	for i, p := range pieces {
		for _, q := range pieces[i+1:] {
			if !separated(p.poly[0], q.poly[0], ref) {
				t.Errorf("%s and %s overlap", p.key, q.key)
			}
		}
	}
	area := shoelace(whole.poly[0], ref)
	if rel := math.Abs(sum-area) / area; rel > 1e-12 {
		t.Errorf("the pieces of %s add up to %.17g, the whole is %.17g (relative error %.3g)", whole.key, sum, area, rel)
	}
	// orb's own area agrees (it does not move to a local origin, so loosely).
	if rel := math.Abs(planar.Area(whole.poly)-area) / area; rel > 1e-6 {
		t.Errorf("%s: planar.Area %.17g, shoelace %.17g", whole.key, planar.Area(whole.poly), area)
	}
}

// checkRing checks that p is one closed, simple, counter-clockwise ring of at
// least 4 positions without repeated consecutive points.
func checkRing(t *testing.T, key string, p orb.Polygon, ref orb.Point) {
	t.Helper()
	if len(p) != 1 {
		t.Errorf("%s has %d rings, want 1", key, len(p))
		return
	}
	r := p[0]
	if len(r) < 4 || !r.Closed() {
		t.Errorf("%s: ring of %d positions, closed %v", key, len(r), r.Closed())
		return
	}
	for _, v := range r {
		if math.IsNaN(v[0]) || math.IsNaN(v[1]) || v[0] < 73 || v[0] > 136 || v[1] < 3 || v[1] > 54 {
			t.Errorf("%s: position %v is not in China", key, v)
		}
	}
	for i := 0; i+1 < len(r); i++ {
		if r[i] == r[i+1] {
			t.Errorf("%s: position %d repeated", key, i)
		}
	}
	if r.Orientation() != orb.CCW || shoelace(r, ref) <= 0 {
		t.Errorf("%s is not counter-clockwise", key)
	}
	n := len(r) - 1 // edges i: r[i]→r[i+1]
	for i := range n {
		for j := i + 1; j < n; j++ {
			a, b, c, d := sub(r[i], ref), sub(r[i+1], ref), sub(r[j], ref), sub(r[j+1], ref)
			adjacent := j == i+1 || (i == 0 && j == n-1)
			if !adjacent {
				if segmentsTouch(a, b, c, d) {
					t.Errorf("%s: edges %d and %d touch", key, i, j)
				}
				continue
			}
			// Adjacent edges meet only at their shared end: they must not
			// fold back over each other.
			if j == i+1 && cross(b, a, d) == 0 && dot(sub2(a, b), sub2(d, b)) > 0 {
				t.Errorf("%s: edges %d and %d fold back", key, i, j)
			}
		}
	}
}

// shoelace returns the signed area of r about ref. Differences of nearby
// coordinates (within a factor of two) are exact, so only the products
// round.
func shoelace(r orb.Ring, ref orb.Point) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		a, b := sub(r[i], ref), sub(r[i+1], ref)
		s += float64(a[0]*b[1]) - float64(b[0]*a[1])
	}
	return s / 2
}

func sub(p, ref orb.Point) orb.Point { return orb.Point{p[0] - ref[0], p[1] - ref[1]} }
func sub2(p, q orb.Point) orb.Point  { return orb.Point{p[0] - q[0], p[1] - q[1]} }
func dot(u, v orb.Point) float64     { return float64(u[0]*v[0]) + float64(u[1]*v[1]) }
func cross(o, a, b orb.Point) float64 { // (a-o) × (b-o); explicit conversions forbid FMA
	return float64((a[0]-o[0])*(b[1]-o[1])) - float64((a[1]-o[1])*(b[0]-o[0]))
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// segmentsTouch reports whether segments a-b and c-d share any point.
func segmentsTouch(a, b, c, d orb.Point) bool {
	d1, d2 := sign(cross(c, d, a)), sign(cross(c, d, b))
	d3, d4 := sign(cross(a, b, c)), sign(cross(a, b, d))
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	within := func(p, q, x orb.Point) bool {
		return min(p[0], q[0]) <= x[0] && x[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= x[1] && x[1] <= max(p[1], q[1])
	}
	return d1 == 0 && within(c, d, a) || d2 == 0 && within(c, d, b) ||
		d3 == 0 && within(a, b, c) || d4 == 0 && within(a, b, d)
}

// convex reports whether the CCW ring r never turns clockwise.
func convex(r orb.Ring, ref orb.Point) bool {
	n := len(r) - 1
	for i := range n {
		a, b, c := sub(r[i], ref), sub(r[(i+1)%n], ref), sub(r[(i+2)%n], ref)
		if cross(a, b, c) < 0 {
			return false
		}
	}
	return true
}

// separated reports whether the convex CCW rings p and q have disjoint
// interiors: some edge of one has the whole of the other on its outer side
// (or on its line).
func separated(p, q orb.Ring, ref orb.Point) bool {
	outside := func(edge, other orb.Ring) bool {
	edges:
		for i := 0; i+1 < len(edge); i++ {
			a, b := sub(edge[i], ref), sub(edge[i+1], ref)
			for _, v := range other {
				if cross(a, b, sub(v, ref)) > 0 {
					continue edges
				}
			}
			return true
		}
		return false
	}
	return outside(p, q) || outside(q, p)
}

// onRing reports whether v lies on an edge of r (ends included). Exact for
// the axis-parallel edges along which neighbours meet.
func onRing(v orb.Point, r orb.Ring) bool {
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if cross(a, b, v) == 0 &&
			min(a[0], b[0]) <= v[0] && v[0] <= max(a[0], b[0]) &&
			min(a[1], b[1]) <= v[1] && v[1] <= max(a[1], b[1]) {
			return true
		}
	}
	return false
}

func isVertex(v orb.Point, r orb.Ring) bool {
	for _, w := range r {
		if v == w {
			return true
		}
	}
	return false
}

func centroid(p orb.Polygon) orb.Point {
	c, _ := planar.CentroidArea(p)
	return c
}

func gridsByCommunity(town Town) map[string][]GridSpec {
	m := map[string][]GridSpec{}
	for _, g := range town.Grids {
		m[g.CommunityKey] = append(m[g.CommunityKey], g)
	}
	return m
}
