package inspect

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/workcal"
)

// A spot-check round (seed 004: "随机抽取检查户、随机时间、随机督查员") is
// drawn, not chosen: the draw takes a published seed and a published list
// of candidates, and anyone holding both draws the same plan again
// (Verify). The draw uses only the raw 64-bit outputs of ChaCha8 (whose
// stream Go's math/rand/v2 fixes for a given seed) and the arithmetic
// written out below, never library helpers such as rand.Shuffle whose
// algorithm may change between Go versions, so a plan can be re-drawn
// years later.

// CandidateGrid is a grid that may be inspected in a round.
type CandidateGrid struct {
	ID        string `json:"id"`
	Community string `json:"community"` // the grid's community (or village)
	// LastInspected is the day of the grid's last completed inspection;
	// zero if it has never been inspected.
	LastInspected dates.Date `json:"last_inspected"`
	// Households are the IDs of the grid's households (houses with
	// residents) on the round's first day, in any order: Draw sorts them.
	Households []string `json:"households"`
}

// Inspector is a member of the inspection team (督查员).
type Inspector struct {
	ID string `json:"id"`
	// Community is the inspector's own community, whose grids they never
	// inspect; empty for a centre inspector, who may inspect any grid.
	Community string `json:"community"`
}

// RoundInput is everything a draw depends on. It is stored with the round
// and published with it afterwards.
type RoundInput struct {
	Seed uint64 `json:"seed"`
	// From and To are the round's days; inspections are timed on its
	// working days, within working hours.
	From dates.Date `json:"from"`
	To   dates.Date `json:"to"`
	// Grids is how many grids to inspect; 0 means all candidates.
	Grids int `json:"grids"`
	// Households is how many households to sample in each inspected grid
	// (all of them if a grid has fewer).
	Households int             `json:"households"`
	Candidates []CandidateGrid `json:"candidates"`
	Inspectors []Inspector     `json:"inspectors"`
}

// GridsEveryMonths is the size of a monthly round that visits each grid
// about once in the given number of months: ceil(n / months). Seed 004
// visits each grid about every 1.5 months.
func GridsEveryMonths(n int, months float64) int {
	if months <= 1 {
		return n
	}
	return int(math.Ceil(float64(n) / months))
}

// DrawnVisit is one drawn grid inspection.
type DrawnVisit struct {
	Grid       string    `json:"grid"`
	Inspector  string    `json:"inspector"`
	At         time.Time `json:"at"`
	Households []string  `json:"households"`
	// Weight is the grid's weight in the draw (see Weight).
	Weight float64 `json:"weight"`
}

// Plan is a drawn round: its visits in grid order, and the SHA-256 of its
// canonical input, which is published with the seed.
type Plan struct {
	InputHash string       `json:"input_hash"`
	Visits    []DrawnVisit `json:"visits"`
}

// Weight is a candidate grid's weight in the draw: the days since its last
// inspection on the round's first day (at least 1), and 90 for a grid
// never inspected. A grid inspected long ago is likelier to be drawn, so
// that over the months every grid comes round at about the same pace; the
// 90-day cap keeps one neglected grid from crowding out the rest.
func Weight(g CandidateGrid, first dates.Date) float64 {
	const cap = 90
	if g.LastInspected.IsZero() {
		return cap
	}
	d := 0
	for x := g.LastInspected; x.Before(first) && d < cap; x = x.AddDays(1) {
		d++
	}
	return float64(max(1, min(d, cap)))
}

// Draw draws a round from in. Errors name what is wrong with the input: no
// working day in the round, no candidate, a grid no inspector may inspect
// (every inspector is from its community), or a size out of range.
//
// The algorithm, for re-drawing by hand or in another language:
//  1. Candidates are sorted by ID, each grid's households by ID, inspectors
//     by ID. The generator is ChaCha8 keyed with the seed's 8 bytes
//     little-endian in the first 8 of its 32 key bytes, the rest zero.
//  2. u() is the next 64-bit output; uniform() is (u() >> 11) / 2^53, in
//     [0, 1). below(n) is u() mod n, u() being drawn again while it is at
//     least L = (2^64 − 1) − ((2^64 − 1) mod n), so that no result is more
//     likely than another.
//  3. Grids: each candidate in order gets key = uniform()^(1/weight)
//     (Efraimidis–Spirakis, weighted sampling without replacement; a
//     uniform() of 0 is drawn again); the Grids largest keys are chosen.
//  4. For each chosen grid in ID order: the inspector is drawn with
//     below() among those allowed for it (not from its community) who have
//     the fewest visits so far in this round, in ID order; the time is a
//     working day drawn with below() among the round's working days in
//     order, then a minute drawn with below() within working hours; the
//     households are the first Households of a Fisher–Yates shuffle where
//     step i (0-based) swaps i with i + below(n − i), then sorted by ID.
func Draw(in RoundInput, cal *workcal.Calendar) (Plan, error) {
	in = canonical(in)
	days := cal.Workdays(in.From, in.To)
	switch {
	case in.From.IsZero() || in.To.IsZero() || in.To.Before(in.From):
		return Plan{}, fmt.Errorf("inspect: draw: the round needs a first and a last day, in order")
	case len(days) == 0:
		return Plan{}, fmt.Errorf("inspect: draw: no working day between %s and %s", in.From, in.To)
	case len(in.Candidates) == 0:
		return Plan{}, fmt.Errorf("inspect: draw: no candidate grid")
	case len(in.Inspectors) == 0:
		return Plan{}, fmt.Errorf("inspect: draw: no inspector")
	case in.Grids < 0 || in.Grids > len(in.Candidates):
		return Plan{}, fmt.Errorf("inspect: draw: %d grids asked for, from %d candidates", in.Grids, len(in.Candidates))
	case in.Households < 0:
		return Plan{}, fmt.Errorf("inspect: draw: a negative number of households")
	}
	allowed := make([][]int, len(in.Candidates))
	for i, g := range in.Candidates {
		for j, p := range in.Inspectors {
			if p.Community == "" || p.Community != g.Community {
				allowed[i] = append(allowed[i], j)
			}
		}
		if len(allowed[i]) == 0 {
			return Plan{}, fmt.Errorf("inspect: draw: grid %s: every inspector belongs to its community %s", g.ID, g.Community)
		}
	}
	r := newDrawer(in.Seed)
	k := in.Grids
	if k == 0 {
		k = len(in.Candidates)
	}
	type keyed struct {
		i   int
		key float64
	}
	keys := make([]keyed, len(in.Candidates))
	for i, g := range in.Candidates {
		u := r.uniform()
		for u == 0 {
			u = r.uniform()
		}
		keys[i] = keyed{i, math.Pow(u, 1/Weight(g, in.From))}
	}
	slices.SortStableFunc(keys, func(a, b keyed) int {
		switch {
		case a.key > b.key:
			return -1
		case a.key < b.key:
			return 1
		}
		return a.i - b.i
	})
	chosen := make([]int, k)
	for n := range k {
		chosen[n] = keys[n].i
	}
	slices.Sort(chosen)

	load := make([]int, len(in.Inspectors))
	minutes := cal.WorkHours().End - cal.WorkHours().Start
	plan := Plan{InputHash: InputHash(in)}
	for _, i := range chosen {
		g := in.Candidates[i]
		least := math.MaxInt
		var pool []int
		for _, j := range allowed[i] {
			switch {
			case load[j] < least:
				least, pool = load[j], []int{j}
			case load[j] == least:
				pool = append(pool, j)
			}
		}
		p := pool[r.below(len(pool))]
		load[p]++
		day := days[r.below(len(days))]
		at := cal.WorkStart(day).Add(time.Duration(r.below(max(1, minutes))) * time.Minute)
		hh := slices.Clone(g.Households)
		n := min(in.Households, len(hh))
		for s := range n {
			t := s + r.below(len(hh)-s)
			hh[s], hh[t] = hh[t], hh[s]
		}
		hh = hh[:n]
		slices.Sort(hh)
		plan.Visits = append(plan.Visits, DrawnVisit{Grid: g.ID, Inspector: in.Inspectors[p].ID, At: at.UTC(), Households: hh, Weight: Weight(g, in.From)})
	}
	return plan, nil
}

// Verify draws in again and reports whether it gives plan.
func Verify(in RoundInput, cal *workcal.Calendar, plan Plan) error {
	again, err := Draw(in, cal)
	if err != nil {
		return err
	}
	if again.InputHash != plan.InputHash {
		return fmt.Errorf("inspect: verify: the input hashes to %s, the plan says %s", again.InputHash, plan.InputHash)
	}
	if len(again.Visits) != len(plan.Visits) {
		return fmt.Errorf("inspect: verify: the draw gives %d visits, the plan has %d", len(again.Visits), len(plan.Visits))
	}
	for i, v := range again.Visits {
		p := plan.Visits[i]
		if v.Grid != p.Grid || v.Inspector != p.Inspector || !v.At.Equal(p.At) || !slices.Equal(v.Households, p.Households) {
			return fmt.Errorf("inspect: verify: visit %d differs: the draw gives grid %s, inspector %s at %s; the plan says grid %s, inspector %s at %s",
				i+1, v.Grid, v.Inspector, v.At.Format(time.RFC3339), p.Grid, p.Inspector, p.At.Format(time.RFC3339))
		}
	}
	return nil
}

// canonical sorts the input's lists, so that the draw does not depend on
// the order they were read in.
func canonical(in RoundInput) RoundInput {
	in.Candidates = slices.Clone(in.Candidates)
	for i := range in.Candidates {
		in.Candidates[i].Households = slices.Sorted(slices.Values(in.Candidates[i].Households))
	}
	slices.SortFunc(in.Candidates, func(a, b CandidateGrid) int { return strings.Compare(a.ID, b.ID) })
	in.Inspectors = slices.Clone(in.Inspectors)
	slices.SortFunc(in.Inspectors, func(a, b Inspector) int { return strings.Compare(a.ID, b.ID) })
	return in
}

// InputHash is the hex SHA-256 of the input's canonical text: one line per
// field, candidates and inspectors in ID order. Publishing it with the
// seed lets anyone check they re-draw from the same candidates.
func InputHash(in RoundInput) string {
	in = canonical(in)
	h := sha256.New()
	fmt.Fprintf(h, "seed %d\nfrom %s\nto %s\ngrids %d\nhouseholds %d\n", in.Seed, in.From, in.To, in.Grids, in.Households)
	for _, g := range in.Candidates {
		fmt.Fprintf(h, "grid %s %s %s %s\n", g.ID, g.Community, g.LastInspected, strings.Join(g.Households, ","))
	}
	for _, p := range in.Inspectors {
		fmt.Fprintf(h, "inspector %s %s\n", p.ID, p.Community)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// drawer is the round's random source (see Draw for its arithmetic).
type drawer struct{ src *rand.ChaCha8 }

func newDrawer(seed uint64) *drawer {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:8], seed)
	return &drawer{rand.NewChaCha8(key)}
}

func (d *drawer) u() uint64 { return d.src.Uint64() }

func (d *drawer) uniform() float64 { return float64(d.u()>>11) / (1 << 53) }

// below returns a uniform integer in [0, n), n ≥ 1, without modulo bias.
func (d *drawer) below(n int) int {
	m := uint64(n)
	limit := math.MaxUint64 - math.MaxUint64%m // values ≥ limit are redrawn
	for {
		if x := d.u(); x < limit {
			return int(x % m)
		}
	}
}
