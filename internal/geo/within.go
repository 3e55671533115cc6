package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// boundaryTolerance is the absolute tolerance, in degrees, within which
// Within treats a point as lying on the outer polygon's boundary (about
// 0.1 mm on the ground). Grids that tile a community share its border
// exactly, up to rounding.
const boundaryTolerance = 1e-9

// Within returns nil if inner lies inside outer. Points on outer's boundary
// count as inside, with an absolute tolerance of 1e-9 degrees, because grids
// that tile a community share its border exactly.
// Otherwise it returns a *Fault of kind Outside (Ring and Index refer to
// inner) naming, in this order of checks:
//   - the first vertex of inner (shell first, then holes) that lies outside
//     outer (or inside one of outer's holes);
//   - the first edge of inner that leaves outer although both its ends are
//     inside — typically an edge that properly crosses an edge of a
//     non-convex outer, which is then named, or one that spans a notch of
//     outer while touching its corners;
//   - a hole of outer that inner covers (Index -1).
//
// Within does not validate its arguments (use Validate first); it never
// panics on invalid input. An inner polygon without rings has nothing
// outside and yields nil.
func Within(inner, outer orb.Polygon) error {
	for ri, r := range inner {
		f := ringWithin(r, outer, boundaryTolerance)
		if f == nil {
			continue
		}
		if f.vertex {
			return fault(Outside, ri, f.index, "inner polygon ring %d position %d %s lies outside the outer polygon",
				ri, f.index, fmtPt(r[f.index]))
		}
		a, b := r[f.index], r[(f.index+1)%len(r)]
		if f.crossing {
			return fault(Outside, ri, f.index, "inner polygon ring %d edge %d %s crosses outer polygon ring %d edge %d %s near %s",
				ri, f.index, fmtEdge(a, b), f.outerRing, f.outerEdge, fmtEdge(f.c, f.d), fmtPt(f.at))
		}
		return fault(Outside, ri, f.index, "inner polygon ring %d edge %d %s leaves the outer polygon near %s",
			ri, f.index, fmtEdge(a, b), fmtPt(f.at))
	}
	// Every boundary point of inner is in outer, so each hole of outer is
	// either wholly inside inner (not allowed) or wholly outside it; one
	// interior point per hole decides.
	for hi := 1; hi < len(outer); hi++ {
		pt, ok := interiorPoint(outer[hi])
		if ok && locateInPolygon(pt, inner, boundaryTolerance) == locInside {
			return fault(Outside, 0, -1, "inner polygon covers hole %d of the outer polygon (around %s)", hi, fmtPt(pt))
		}
	}
	return nil
}

// withinFail describes the first place where a ring leaves a polygon.
type withinFail struct {
	vertex bool      // a vertex is outside (index is its position)
	index  int       // position index of the vertex, or of the edge's start
	at     orb.Point // a point of the edge outside the polygon

	crossing             bool // the edge properly crosses an edge of the polygon
	outerRing, outerEdge int
	c, d                 orb.Point
}

// ringWithin checks that every point of ring r (vertices and edges, the ring
// taken as closed) lies in poly, boundary within tol included. With tol == 0
// the test is exact except for the position of split points along edges.
func ringWithin(r orb.Ring, poly orb.Polygon, tol float64) *withinFail {
	n := len(r)
	locs := make([]location, n)
	for j, pt := range r {
		locs[j] = locateInPolygon(pt, poly, tol)
		if locs[j] == locOutside {
			return &withinFail{vertex: true, index: j}
		}
	}
	for j := range n {
		a, b := r[j], r[(j+1)%n]
		if a == b {
			continue
		}
		// Split the edge wherever it meets the polygon's boundary; each
		// piece then lies wholly on one side, and a piece that starts or
		// ends at a vertex strictly inside is inside.
		ts := []float64{0, 1}
		for _, or := range poly {
			for k := range or {
				c, d := or[k], or[(k+1)%len(or)]
				for _, q := range [2]orb.Point{c, d} {
					if near(q, a, b, tol) {
						_, t := segmentDistance(q, a, b)
						ts = append(ts, t)
					}
				}
				if kind, _ := segmentHit(a, b, c, d); kind == hitCross {
					if t, ok := lineParam(a, b, c, d); ok {
						ts = append(ts, max(0, min(1, t)))
					}
				}
			}
		}
		slices.Sort(ts)
		ts = slices.Compact(ts)
		for k := 0; k+1 < len(ts); k++ {
			t1, t2 := ts[k], ts[k+1]
			if (t1 == 0 && locs[j] == locInside) || (t2 == 1 && locs[(j+1)%n] == locInside) {
				continue
			}
			mid := lerp(a, b, (t1+t2)/2)
			if locateInPolygon(mid, poly, tol) != locOutside {
				continue
			}
			f := &withinFail{index: j, at: mid}
			findCrossing(f, a, b, poly, tol)
			return f
		}
	}
	return nil
}

// near reports whether q lies on segment a–b, or within tol of it.
func near(q, a, b orb.Point, tol float64) bool {
	if onSegment(q, a, b) {
		return true
	}
	if tol > 0 {
		d, _ := segmentDistance(q, a, b)
		return d <= tol
	}
	return false
}

// findCrossing fills in the first edge of poly that edge a–b properly
// crosses away from any point within tol, if there is one.
func findCrossing(f *withinFail, a, b orb.Point, poly orb.Polygon, tol float64) {
	for ri, or := range poly {
		for k := range or {
			c, d := or[k], or[(k+1)%len(or)]
			kind, at := segmentHit(a, b, c, d)
			if kind != hitCross || near(a, c, d, tol) || near(b, c, d, tol) || near(c, a, b, tol) || near(d, a, b, tol) {
				continue
			}
			f.crossing, f.outerRing, f.outerEdge, f.c, f.d, f.at = true, ri, k, c, d, at
			return
		}
	}
}
