package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Validate checks a polygon: a shell (ring 0) and optional holes (rings 1…).
// Every ring must have at least 4 positions, be closed (first position equal
// to the last), have every longitude in [-180, 180] and latitude in
// [-90, 90] (no NaN or infinity), not be degenerate (all points collinear),
// and be simple: no two non-adjacent edges may cross or touch, no vertex may
// repeat (a pinch), and adjacent edges may not fold back onto each other.
// Consecutive duplicate positions are tolerated (they add nothing). Ring
// orientation does not matter: clockwise and counter-clockwise rings are both
// accepted. Holes must lie inside the shell: a hole that crosses or overlaps
// the shell (or another hole) is a SelfIntersection; a hole that is outside
// the shell, or inside another hole, is Outside. A hole may touch the shell
// or another hole at isolated points. Checks run ring by ring, in the order
// listed, and the first problem found is returned as a *Fault.
func Validate(p orb.Polygon) error {
	if len(p) == 0 {
		return fault(TooFewPoints, 0, -1, "the polygon has no rings: a polygon needs a shell ring of at least 4 positions")
	}
	rings := make([]*ringInfo, len(p))
	for i, r := range p {
		info, err := checkRing(i, r)
		if err != nil {
			return err
		}
		rings[i] = info
	}
	for k := 1; k < len(p); k++ {
		if err := checkHole(p, rings, k); err != nil {
			return err
		}
	}
	return nil
}

// ringInfo is a validated ring with consecutive duplicates removed: v[0..m]
// with v[m] == v[0], first[i] the index of the first position equal to v[i]
// in that run, and last[i] the index of the last one (so edge i, from v[i]
// to v[i+1], is the original edge last[i] → last[i]+1).
type ringInfo struct {
	v           []orb.Point
	first, last []int
}

func (ri *ringInfo) edges() int { return len(ri.v) - 1 }

func checkRing(ri int, r orb.Ring) (*ringInfo, error) {
	name := ringName(ri)
	for j, pt := range r {
		switch {
		case !finitePoint(pt):
			return nil, fault(OutOfRange, ri, j, "%s position %d %s is not a finite number", name, j, fmtPt(pt))
		case pt[0] < -180 || pt[0] > 180:
			return nil, fault(OutOfRange, ri, j, "%s position %d %s is out of range: longitude must be within [-180, 180]", name, j, fmtPt(pt))
		case pt[1] < -90 || pt[1] > 90:
			return nil, fault(OutOfRange, ri, j, "%s position %d %s is out of range: latitude must be within [-90, 90]", name, j, fmtPt(pt))
		}
	}
	n := len(r)
	if n < 4 {
		return nil, fault(TooFewPoints, ri, -1, "%s has only %d position(s): a closed ring needs at least 4 (3 corners and the closing point)", name, n)
	}
	if r[0] != r[n-1] {
		return nil, fault(RingNotClosed, ri, n-1, "%s is not closed: first point %s differs from last point %s", name, fmtPt(r[0]), fmtPt(r[n-1]))
	}
	if collinear(r) {
		return nil, fault(ZeroArea, ri, -1, "%s has zero area: all its %d positions lie on one straight line (from %s)", name, n, fmtPt(r[0]))
	}

	info := &ringInfo{v: []orb.Point{r[0]}, first: []int{0}, last: []int{0}}
	for j := 1; j < n; j++ {
		if r[j] == info.v[len(info.v)-1] {
			info.last[len(info.last)-1] = j
			continue
		}
		info.v = append(info.v, r[j])
		info.first = append(info.first, j)
		info.last = append(info.last, j)
	}
	m := info.edges()
	v := info.v

	// A vertex that repeats (other than the closing position) pinches the
	// ring into two loops that touch.
	for i := range m {
		for j := i + 1; j < m; j++ {
			if v[i] == v[j] {
				return nil, fault(SelfIntersection, ri, info.first[j],
					"%s touches itself: position %d %s repeats position %d, pinching the ring", name, info.first[j], fmtPt(v[j]), info.first[i])
			}
		}
	}
	// Adjacent edges share a vertex; they are wrong only if they fold back
	// onto each other (the path reverses along a straight line).
	for i := range m {
		a, b, c := v[i], v[i+1], v[(i+2)%m]
		if orient(a, b, c) == 0 && sameDirection(a, b, c) {
			e1, e2 := info.last[i], info.last[(i+1)%m]
			at := info.first[(i+1)%m]
			return nil, fault(SelfIntersection, ri, at,
				"%s folds back on itself at position %d %s: edge %d %s and edge %d %s overlap",
				name, at, fmtPt(b), e1, fmtEdge(a, b), e2, fmtEdge(b, c))
		}
	}
	// Any contact between non-adjacent edges.
	for i := range m {
		for j := i + 2; j < m; j++ {
			if i == 0 && j == m-1 {
				continue // adjacent through the closing vertex
			}
			kind, at := segmentHit(v[i], v[i+1], v[j], v[j+1])
			if kind == hitNone {
				continue
			}
			e1, e2 := info.last[i], info.last[j]
			return nil, fault(SelfIntersection, ri, e2, "%s %s itself: edge %d %s %s edge %d %s near %s",
				name, hitVerb[kind], e1, fmtEdge(v[i], v[i+1]), hitVerb[kind], e2, fmtEdge(v[j], v[j+1]), fmtPt(at))
		}
	}
	return info, nil
}

var hitVerb = map[hitKind]string{hitCross: "crosses", hitTouch: "touches", hitOverlap: "overlaps"}

func ringName(i int) string { return fmt.Sprintf("ring %d", i) }

// collinear reports whether all positions of r lie on one straight line
// (exactly), including the case where they are all the same point.
func collinear(r orb.Ring) bool {
	a := r[0]
	var b orb.Point
	found := false
	for _, p := range r[1:] {
		if p != a {
			b, found = p, true
			break
		}
	}
	if !found {
		return true
	}
	for _, p := range r {
		if orient(a, b, p) != 0 {
			return false
		}
	}
	return true
}

// checkHole checks hole k against the shell and against the holes before it.
func checkHole(p orb.Polygon, rings []*ringInfo, k int) error {
	hole := rings[k]
	for o := 0; o < k; o++ {
		other := rings[o]
		for i := range hole.edges() {
			for j := range other.edges() {
				kind, at := segmentHit(hole.v[i], hole.v[i+1], other.v[j], other.v[j+1])
				if kind != hitCross && kind != hitOverlap {
					continue // touching at a point is allowed between rings
				}
				return fault(SelfIntersection, k, hole.last[i], "ring %d (a hole) %s ring %d%s: edge %d %s %s edge %d %s near %s",
					k, hitVerb[kind], o, shellNote(o), hole.last[i], fmtEdge(hole.v[i], hole.v[i+1]),
					hitVerb[kind], other.last[j], fmtEdge(other.v[j], other.v[j+1]), fmtPt(at))
			}
		}
	}
	// The hole's boundary must lie inside the shell (exactly: tolerance 0).
	shell := orb.Polygon{p[0]}
	if f := ringWithin(p[k], shell, 0); f != nil {
		switch {
		case f.vertex:
			return fault(Outside, k, f.index, "ring %d (a hole) is not inside the shell: position %d %s lies outside ring 0",
				k, f.index, fmtPt(p[k][f.index]))
		default:
			return fault(Outside, k, f.index, "ring %d (a hole) is not inside the shell: edge %d %s leaves ring 0 near %s",
				k, f.index, fmtEdge(p[k][f.index], p[k][(f.index+1)%len(p[k])]), fmtPt(f.at))
		}
	}
	// Holes must not nest: with no crossings or overlaps, two holes whose
	// interiors meet have one inside the other, so an interior point of
	// either inside the other decides it.
	for o := 1; o < k; o++ {
		for _, pair := range [][2]int{{k, o}, {o, k}} {
			pt, ok := interiorPoint(p[pair[0]])
			if ok && locateInRing(pt, p[pair[1]], 0) == locInside {
				return fault(Outside, k, -1, "ring %d (a hole) and ring %d (a hole) overlap: ring %d lies inside ring %d (around %s)",
					k, o, pair[0], pair[1], fmtPt(pt))
			}
		}
	}
	return nil
}

func shellNote(o int) string {
	if o == 0 {
		return " (the shell)"
	}
	return " (another hole)"
}
