// Package demo generates a deterministic synthetic town for demonstrations,
// tests and benchmarks: one street (街道) of a district, its communities
// (社区), their grids (网格), the grid workers, their assignments and the
// staff accounts, shaped after the street described in seed 004 (143 grids,
// 10 communities, 87 workers, 56 short).
//
// The same seed always gives the same town, bit for bit and on every
// platform: all randomness comes from one PCG source seeded by the caller,
// geometry is computed in integer units of 1e-7 degree and converted to
// float64 only at the end (no fused multiply-add can make one machine differ
// from another), and nothing is ever read out of a map in map order.
package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"

	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// Town is a generated demo street, ready to load.
type Town struct {
	District    UnitSpec // 区
	Street      UnitSpec // 街道
	Communities []UnitSpec
	// Grids are ordered by community, and within a community in reading
	// order (north row first, west to east within a row); their names are
	// numbered in that order.
	Grids       []GridSpec
	Workers     []WorkerSpec
	Assignments []AssignmentSpec
	// Staff are the user accounts that are not grid workers.
	Staff     []StaffSpec
	ValidFrom dates.Date // the date everything starts
}

// UnitSpec is a district, street or community. Polygons are WGS84 degrees
// (lon, lat), one counter-clockwise exterior ring, closed.
type UnitSpec struct {
	Key, Name, Kind, Code string
	Polygon               orb.Polygon
	ParentKey             string // "" for the district
}

// GridSpec is a grid. It gets no code here: the loader numbers grids.
type GridSpec struct {
	Key, CommunityKey, Name string
	Polygon                 orb.Polygon
}

// WorkerSpec is a grid worker; Username is the worker's login.
type WorkerSpec struct {
	Key, Name    string
	Employment   org.Employment
	Post         org.Post
	Phone        string
	InPostSince  dates.Date
	CommunityKey string
	Username     string
}

// AssignmentSpec puts a worker on a grid from Town.ValidFrom, open-ended.
type AssignmentSpec struct {
	WorkerKey, GridKey string
	Kind               org.AssignmentKind
	SharePct           int
}

// StaffSpec is a user account that is not a grid worker.
type StaffSpec struct {
	Username, DisplayName string
	Role                  string // RoleCentreStaff, RoleCommunityStaff or RoleInspector
	ScopeKey              string // the street's Key or a community's Key
}

// The roles of StaffSpec.
const (
	RoleCentreStaff    = "centre_staff"
	RoleCommunityStaff = "community_staff"
	RoleInspector      = "inspector"
)

// Keys of the two fixed units.
const (
	DistrictKey = "district"
	StreetKey   = "street"
)

// The shape of the town, after seed 004.
const (
	numCommunities    = 10
	numBigCommunities = 3 // 3 rows × 5 grids = 15; the other 7 have 2 × 7 = 14
	numWorkers        = 87
	numPartTime       = 22 // 65 full-time (≈ 75 %)
	numRecent         = 8  // joined < 6 months before the end of the first quarter
	numCentreStaff    = 3
	numInspectors     = 8 // seed 004's 8-person inspector team

	// 减员增效. Seed 004: 143 grids but 87 workers, "相差56人"; strong
	// workers take on "额外分配不多于半个网格" (org.MaxExtraSharePct). One
	// worker takes at most one extra half and a grid holds at most two
	// halves, so 87 workers could at best cover 43 of the 56 empty grids,
	// and only if everybody, newcomers and part-timers included, took one.
	// The demo street is run more realistically: 48 strong workers
	// (full-time, in post before the first quarter) each take half a grid,
	// covering 24 grids with two halves; the other 32 grids stay vacant,
	// which the centre must see and report.
	numExtraPairs = 24

	pcgStream = 0x677269642d303034 // "grid-004": the second PCG word
)

// Geometry is computed in integer units of 1e-7 degree (≈ 1 cm).
const unitsPerDegree = 1e7

// The street: about 4.0 km east-west × 3.0 km north-south around
// (116.40 E, 39.90 N). 0.047° of longitude at 39.9° N ≈ 4.01 km; 0.027° of
// latitude ≈ 3.00 km.
const (
	streetWest  int64 = 1163800000
	streetEast  int64 = 1164270000
	streetSouth int64 = 398850000
	streetNorth int64 = 399120000
	// The district frame reaches this far beyond the street on every side.
	districtMargin int64 = 300000
)

// Communities lie in 5 rows of 2 (north to south, west to east). Each row
// boundary is a straight east-west line moved by up to rowJitter from the
// even split; in each row the west/east boundary is a straight north-south
// line moved by up to colJitter from the middle. Grid lattice points move by
// up to latticeJitterPct of a cell.
const (
	communityRows    = 5
	communityCols    = 2
	rowJitter        = 8000  // of a 54000-unit row (≈ 15 %)
	colJitter        = 20000 // of a 235000-unit half (≈ 8.5 %)
	latticeJitterPct = 12
)

// ipt is a point in integer units: x east (longitude), y north (latitude).
type ipt struct{ x, y int64 }

func (p ipt) point() orb.Point {
	return orb.Point{float64(p.x) / unitsPerDegree, float64(p.y) / unitsPerDegree}
}

// community is the generator's working state for one community.
type community struct {
	key, name  string
	rows, cols int
	// lat is the (rows+1) × (cols+1) lattice of grid corners, row 0 north,
	// column 0 west. Points on the community border move only along it.
	lat     [][]ipt
	grids   []int // indices into Town.Grids, reading order
	workers []int // indices into Town.Workers
}

type gen struct {
	r    *rand.Rand
	from dates.Date
	ppl  *people
	t    Town
	cs   []*community
	// border holds every lattice point lying on a community border (all
	// communities' lattice corners and edge points). Rings along a border
	// include every such point on it, so neighbouring polygons share their
	// vertices exactly.
	border []ipt
}

// Generate builds the town for seed; from is the validity start date of
// every unit, grid and assignment.
func Generate(seed uint64, from dates.Date) Town {
	r := rand.New(rand.NewPCG(seed, pcgStream))
	g := &gen{r: r, from: from, ppl: newPeople(r)}
	g.t.ValidFrom = from
	g.units()
	g.grids()
	g.workers()
	g.extras()
	g.staff()
	return g.t
}

// jitter returns a uniform integer in [-j, j].
func (g *gen) jitter(j int64) int64 {
	if j <= 0 {
		return 0
	}
	return g.r.Int64N(2*j+1) - j
}

// units lays out the district, the street and the communities, and each
// community's grid lattice.
func (g *gen) units() {
	// Row boundaries, north to south, and the west/east split of each row.
	ys := make([]int64, communityRows+1)
	ys[0], ys[communityRows] = streetNorth, streetSouth
	rowH := (streetNorth - streetSouth) / communityRows
	for i := 1; i < communityRows; i++ {
		ys[i] = streetNorth - int64(i)*rowH + g.jitter(rowJitter)
	}
	mids := make([]int64, communityRows)
	for i := range mids {
		mids[i] = streetWest + (streetEast-streetWest)/2 + g.jitter(colJitter)
	}

	// Which communities have 15 grids (3 × 5) rather than 14 (2 × 7).
	big := make([]bool, numCommunities)
	for _, k := range g.r.Perm(numCommunities)[:numBigCommunities] {
		big[k] = true
	}

	street := streetStems[g.r.IntN(len(streetStems))]
	stems := slices.Clone(communityStems)
	g.r.Shuffle(len(stems), func(i, j int) { stems[i], stems[j] = stems[j], stems[i] })

	for k := range numCommunities {
		row, col := k/communityCols, k%communityCols
		west, east := streetWest, mids[row]
		if col == 1 {
			west, east = mids[row], streetEast
		}
		c := &community{key: fmt.Sprintf("c%02d", k+1), name: stems[k] + "社区", rows: 2, cols: 7}
		if big[k] {
			c.rows, c.cols = 3, 5
		}
		c.lat = g.lattice(west, east, ys[row+1], ys[row], c.rows, c.cols)
		g.cs = append(g.cs, c)
	}
	for _, c := range g.cs {
		for i, row := range c.lat {
			for j, p := range row {
				if i == 0 || i == c.rows || j == 0 || j == c.cols {
					g.border = append(g.border, p)
				}
			}
		}
	}

	d := districtMargin
	g.t.District = UnitSpec{
		Key: DistrictKey, Name: districtName, Kind: "区", Code: districtCode,
		Polygon: orb.Polygon{g.ring([4]ipt{
			{streetWest - d, streetNorth + d}, {streetWest - d, streetSouth - d},
			{streetEast + d, streetSouth - d}, {streetEast + d, streetNorth + d},
		}, [4]bool{})},
	}
	g.t.Street = UnitSpec{
		Key: StreetKey, Name: street + "街道", Kind: "街道", Code: streetCode, ParentKey: DistrictKey,
		Polygon: orb.Polygon{g.ring([4]ipt{
			{streetWest, streetNorth}, {streetWest, streetSouth},
			{streetEast, streetSouth}, {streetEast, streetNorth},
		}, [4]bool{true, true, true, true})},
	}
	for k, c := range g.cs {
		l := c.lat
		g.t.Communities = append(g.t.Communities, UnitSpec{
			Key: c.key, Name: c.name, Kind: "社区", Code: fmt.Sprintf("%s%03d", streetCode, k+1),
			ParentKey: StreetKey,
			Polygon: orb.Polygon{g.ring([4]ipt{
				l[0][0], l[c.rows][0], l[c.rows][c.cols], l[0][c.cols],
			}, [4]bool{true, true, true, true})},
		})
	}
}

// lattice returns the jittered grid-corner lattice of the rectangle
// [west, east] × [south, north]. Corners stay put; points on the west and
// east edges move only north-south, points on the north and south edges only
// east-west, so the community stays exactly its rectangle. Moving every
// point by at most 12 % of a cell in each direction keeps every cell a
// convex quadrilateral.
func (g *gen) lattice(west, east, south, north int64, rows, cols int) [][]ipt {
	cw, ch := (east-west)/int64(cols), (north-south)/int64(rows)
	jx, jy := cw*latticeJitterPct/100, ch*latticeJitterPct/100
	lat := make([][]ipt, rows+1)
	for i := range lat {
		lat[i] = make([]ipt, cols+1)
		for j := range lat[i] {
			p := ipt{
				x: west + (east-west)*int64(j)/int64(cols),
				y: north - (north-south)*int64(i)/int64(rows),
			}
			if j > 0 && j < cols {
				p.x += g.jitter(jx)
			}
			if i > 0 && i < rows {
				p.y += g.jitter(jy)
			}
			lat[i][j] = p
		}
	}
	return lat
}

// ring returns the closed counter-clockwise ring through the corners NW, SW,
// SE, NE. An edge marked as lying on a community border (west, south, east,
// north, in that order) gets every border point strictly inside it as an
// extra vertex. Such edges are axis-parallel, so those points lie exactly on
// them.
func (g *gen) ring(corners [4]ipt, onBorder [4]bool) orb.Ring {
	var pts []ipt
	for k, a := range corners {
		pts = append(pts, a)
		if onBorder[k] {
			pts = append(pts, g.between(a, corners[(k+1)%4])...)
		}
	}
	pts = append(pts, corners[0])
	ring := make(orb.Ring, len(pts))
	for i, p := range pts {
		ring[i] = p.point()
	}
	return ring
}

// between returns the border points strictly inside the axis-parallel
// segment a-b, ordered from a to b, without duplicates.
func (g *gen) between(a, b ipt) []ipt {
	var out []ipt
	for _, p := range g.border {
		switch {
		case a.x == b.x && p.x == a.x && p.y > min(a.y, b.y) && p.y < max(a.y, b.y):
		case a.y == b.y && p.y == a.y && p.x > min(a.x, b.x) && p.x < max(a.x, b.x):
		default:
			continue
		}
		out = append(out, p)
	}
	dist := func(p ipt) int64 { return abs(p.x-a.x) + abs(p.y-a.y) }
	slices.SortFunc(out, func(p, q ipt) int { return cmp.Compare(dist(p), dist(q)) })
	return slices.Compact(out)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// grids cuts every community into its lattice cells, in reading order.
func (g *gen) grids() {
	for _, c := range g.cs {
		for i := range c.rows {
			for j := range c.cols {
				n := i*c.cols + j + 1
				l := c.lat
				c.grids = append(c.grids, len(g.t.Grids))
				g.t.Grids = append(g.t.Grids, GridSpec{
					Key:          fmt.Sprintf("%s-g%02d", c.key, n),
					CommunityKey: c.key,
					Name:         fmt.Sprintf("%s第%02d网格", c.name, n),
					Polygon: orb.Polygon{g.ring(
						[4]ipt{l[i][j], l[i+1][j], l[i+1][j+1], l[i][j+1]},
						[4]bool{j == 0, i == c.rows-1, j == c.cols-1, i == 0},
					)},
				})
			}
		}
	}
}

// workers staffs the communities, in proportion to their grids, each worker
// with a primary assignment to a grid of their own.
func (g *gen) workers() {
	// Largest remainder of 87 × grids / 143; ties go to the earlier
	// community. 3 × 15-grid communities get 9, four 14-grid ones 9, three 8.
	totalGrids := len(g.t.Grids)
	count := make([]int, len(g.cs))
	order := make([]int, len(g.cs))
	left := numWorkers
	for k, c := range g.cs {
		count[k] = numWorkers * len(c.grids) / totalGrids
		left -= count[k]
		order[k] = k
	}
	rem := func(k int) int { return numWorkers * len(g.cs[k].grids) % totalGrids }
	slices.SortStableFunc(order, func(a, b int) int { return rem(b) - rem(a) })
	for _, k := range order[:left] {
		count[k]++
	}

	// Part-timers: 2 per community, and 3 in two of the 9-worker ones.
	partTime := make([]int, len(g.cs))
	var nines []int
	for k := range g.cs {
		partTime[k] = 2
		if count[k] == 9 {
			nines = append(nines, k)
		}
	}
	g.r.Shuffle(len(nines), func(i, j int) { nines[i], nines[j] = nines[j], nines[i] })
	for _, k := range nines[:numPartTime-2*len(g.cs)] {
		partTime[k]++
	}
	// Newcomers: one in each of 8 communities.
	recent := make([]bool, len(g.cs))
	for _, k := range g.r.Perm(len(g.cs))[:numRecent] {
		recent[k] = true
	}

	for k, c := range g.cs {
		n := count[k]
		own := g.r.Perm(len(c.grids))[:n]
		slices.Sort(own)
		leader := g.r.IntN(n)
		others := make([]int, 0, n-1)
		for w := range n {
			if w != leader {
				others = append(others, w)
			}
		}
		g.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
		isPart := make([]bool, n)
		for _, w := range others[:partTime[k]] {
			isPart[w] = true
		}
		newcomer := -1
		if recent[k] {
			newcomer = others[g.r.IntN(len(others))]
		}
		for w := range n {
			key := fmt.Sprintf("w%03d", len(g.t.Workers)+1)
			ws := WorkerSpec{
				Key: key, Name: g.ppl.name(), Employment: org.FullTime, Post: org.GridWorker,
				Phone: g.ppl.phone(), CommunityKey: c.key, Username: key,
			}
			switch {
			case w == leader:
				// 网格长: full-time, two to three years in post.
				ws.Post = org.GridLeader
				ws.InPostSince = g.from.AddMonths(-24).AddDays(-g.r.IntN(365))
			case w == newcomer:
				// 1 to 80 days before the start: fewer than 6 whole months
				// at the end of the first quarter, whatever the start date.
				ws.InPostSince = g.from.AddDays(-1 - g.r.IntN(80))
			default:
				// 7 months to about 3 years before the start.
				ws.InPostSince = g.from.AddMonths(-7).AddDays(-g.r.IntN(880))
			}
			if isPart[w] {
				ws.Employment = org.PartTime
			}
			c.workers = append(c.workers, len(g.t.Workers))
			g.t.Workers = append(g.t.Workers, ws)
			g.t.Assignments = append(g.t.Assignments, AssignmentSpec{
				WorkerKey: key, GridKey: g.t.Grids[c.grids[own[w]]].Key, Kind: org.Primary, SharePct: 100,
			})
		}
	}
}

// strong reports whether a worker may take an extra half grid: full-time and
// in post for at least 6 months when the demo starts (which rules out the
// newcomers).
func (g *gen) strong(w WorkerSpec) bool {
	return w.Employment == org.FullTime && w.InPostSince.MonthsBetween(g.from) >= 6
}

// extras hands out the 减员增效 halves: numExtraPairs grids, each shared by
// two strong workers of its community, each of whom takes no other extra.
//
// Pairs are dealt round-robin over the communities in a seeded order, while
// a community has an empty grid left and two unused strong workers. By
// construction every community has at least 5 strong workers (8 or 9
// workers, at most 3 part-time, at most 1 newcomer) and at least five
// 9-worker communities with 2 part-timers have 6, so two rounds give 20
// pairs and a third gives the last 4: always 24.
func (g *gen) extras() {
	primary := map[string]string{} // worker key → grid key
	taken := map[string]bool{}     // grid key → has a primary
	for _, a := range g.t.Assignments {
		primary[a.WorkerKey] = a.GridKey
		taken[a.GridKey] = true
	}
	type pool struct {
		empty  []int // indices into Town.Grids, reading order
		strong []int // indices into Town.Workers
		pairs  int
	}
	pools := make([]pool, len(g.cs))
	for k, c := range g.cs {
		for _, gi := range c.grids {
			if !taken[g.t.Grids[gi].Key] {
				pools[k].empty = append(pools[k].empty, gi)
			}
		}
		for _, wi := range c.workers {
			if g.strong(g.t.Workers[wi]) {
				pools[k].strong = append(pools[k].strong, wi)
			}
		}
	}
	order := g.r.Perm(len(g.cs))
	for total := 0; total < numExtraPairs; {
		dealt := false
		for _, k := range order {
			p := &pools[k]
			if total < numExtraPairs && p.pairs < len(p.empty) && 2*(p.pairs+1) <= len(p.strong) {
				p.pairs++
				total++
				dealt = true
			}
		}
		if !dealt {
			break
		}
	}

	// position returns a grid's (row, column) in its community's lattice.
	position := map[string][2]int{}
	for _, c := range g.cs {
		for n, gi := range c.grids {
			position[g.t.Grids[gi].Key] = [2]int{n / c.cols, n % c.cols}
		}
	}
	distance := func(a, b string) int {
		pa, pb := position[a], position[b]
		return int(abs(int64(pa[0]-pb[0])) + abs(int64(pa[1]-pb[1])))
	}

	for k := range g.cs {
		p := pools[k]
		pick := g.r.Perm(len(p.empty))[:p.pairs]
		slices.Sort(pick)
		used := map[int]bool{}
		for _, e := range pick {
			grid := g.t.Grids[p.empty[e]].Key
			// The two nearest unused strong workers take it on; the nearer
			// their own grid, the likelier it is a neighbour's.
			cand := slices.DeleteFunc(slices.Clone(p.strong), func(wi int) bool { return used[wi] })
			slices.SortStableFunc(cand, func(a, b int) int {
				return distance(primary[g.t.Workers[a].Key], grid) - distance(primary[g.t.Workers[b].Key], grid)
			})
			for _, wi := range cand[:2] {
				used[wi] = true
				g.t.Assignments = append(g.t.Assignments, AssignmentSpec{
					WorkerKey: g.t.Workers[wi].Key, GridKey: grid, Kind: org.Extra, SharePct: org.MaxExtraSharePct,
				})
			}
		}
	}
}

// staff adds the accounts that are not grid workers.
func (g *gen) staff() {
	for i := range numCentreStaff {
		g.t.Staff = append(g.t.Staff, StaffSpec{
			Username: fmt.Sprintf("centre%02d", i+1), DisplayName: g.ppl.name(),
			Role: RoleCentreStaff, ScopeKey: StreetKey,
		})
	}
	for _, c := range g.cs {
		g.t.Staff = append(g.t.Staff, StaffSpec{
			Username: c.key + "staff", DisplayName: g.ppl.name(),
			Role: RoleCommunityStaff, ScopeKey: c.key,
		})
	}
	for i := range numInspectors {
		g.t.Staff = append(g.t.Staff, StaffSpec{
			Username: fmt.Sprintf("insp%02d", i+1), DisplayName: g.ppl.name(),
			Role: RoleInspector, ScopeKey: StreetKey,
		})
	}
}
