package geo

import (
	"cmp"
	"math"
	"math/big"
	"slices"

	"github.com/paulmach/orb"
)

// This file holds the exact geometric predicates. Crossing and touching are
// decided with no epsilon at all: orient first evaluates the determinant in
// float64 with a rigorous error bound (Shewchuk's filter) and, only when the
// sign is in doubt, recomputes it exactly with math/big.

// ccwErrBound is Shewchuk's ccwerrboundA, (3 + 16ε)ε with ε = 2^-53.
const ccwErrBound = (3.0 + 16.0*0x1p-53) * 0x1p-53

// underflowSlack covers the absolute error of products that underflow into
// the subnormal range, where the relative bound above does not hold.
const underflowSlack = 0x1p-1000

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func finitePoint(p orb.Point) bool { return finite(p[0]) && finite(p[1]) }

// orient returns +1 if c lies to the left of the directed line a→b
// (counter-clockwise turn), -1 if to the right, 0 if the three points are
// exactly collinear. It is exact for all finite inputs; if any coordinate is
// NaN or ±Inf it returns 0.
func orient(a, b, c orb.Point) int {
	acx, bcx := a[0]-c[0], b[0]-c[0]
	acy, bcy := a[1]-c[1], b[1]-c[1]
	l := acx * bcy
	r := acy * bcx
	det := l - r
	sum := math.Abs(l) + math.Abs(r)
	if (acx == 0 || bcy == 0) && (acy == 0 || bcx == 0) {
		// Both products are exactly zero (a float difference is zero only
		// when the coordinates are equal): the common axis-aligned case.
		if finitePoint(a) && finitePoint(b) && finitePoint(c) {
			return 0
		}
	}
	if finite(det) && finite(sum) {
		bound := ccwErrBound*sum + underflowSlack
		if det > bound {
			return 1
		}
		if -det > bound {
			return -1
		}
	}
	if !finitePoint(a) || !finitePoint(b) || !finitePoint(c) {
		return 0
	}
	return orientExact(a, b, c)
}

// orientExact computes the sign of the orientation determinant in exact
// rational arithmetic. Every float64 is a dyadic rational, so the result is
// the true sign.
func orientExact(a, b, c orb.Point) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	acx := new(big.Rat).Sub(r(a[0]), r(c[0]))
	bcx := new(big.Rat).Sub(r(b[0]), r(c[0]))
	acy := new(big.Rat).Sub(r(a[1]), r(c[1]))
	bcy := new(big.Rat).Sub(r(b[1]), r(c[1]))
	l := new(big.Rat).Mul(acx, bcy)
	rr := new(big.Rat).Mul(acy, bcx)
	return l.Cmp(rr)
}

// between reports whether v lies in the closed interval spanned by a and b.
func between(v, a, b float64) bool {
	if a > b {
		a, b = b, a
	}
	return a <= v && v <= b
}

// onSegment reports whether p lies on the closed segment a–b, exactly.
func onSegment(p, a, b orb.Point) bool {
	return orient(a, b, p) == 0 && between(p[0], a[0], b[0]) && between(p[1], a[1], b[1])
}

// sameDirection reports whether, for three exactly collinear points a, b, c
// with a != b and c != b, a and c lie on the same side of b (so the path
// a→b→c turns back on itself). Comparisons of floats are exact.
func sameDirection(a, b, c orb.Point) bool {
	return cmp.Compare(a[0], b[0])*cmp.Compare(c[0], b[0]) > 0 ||
		cmp.Compare(a[1], b[1])*cmp.Compare(c[1], b[1]) > 0
}

// hitKind classifies how two closed segments meet.
type hitKind int

const (
	hitNone    hitKind = iota
	hitCross           // the interiors cross at a single point
	hitTouch           // they share exactly one point, which is an endpoint of at least one of them
	hitOverlap         // they are collinear and share a piece of positive length
)

// segmentHit decides exactly how segments p1–p2 and p3–p4 meet, and returns
// an approximate meeting point for messages.
func segmentHit(p1, p2, p3, p4 orb.Point) (hitKind, orb.Point) {
	d1 := orient(p3, p4, p1)
	d2 := orient(p3, p4, p2)
	d3 := orient(p1, p2, p3)
	d4 := orient(p1, p2, p4)
	if d1*d2 < 0 && d3*d4 < 0 {
		return hitCross, crossingPoint(p1, p2, p3, p4)
	}
	if d1 == 0 && d2 == 0 && d3 == 0 && d4 == 0 && p1 != p2 && p3 != p4 {
		// Collinear, both of positive length: compare the intervals along
		// an axis on which p1–p2 is not constant.
		axis := 0
		if p1[0] == p2[0] {
			axis = 1
		}
		lo1, hi1 := min(p1[axis], p2[axis]), max(p1[axis], p2[axis])
		lo2, hi2 := min(p3[axis], p4[axis]), max(p3[axis], p4[axis])
		lo, hi := max(lo1, lo2), min(hi1, hi2)
		switch {
		case lo < hi:
			// Report the start of the shared piece.
			for _, p := range []orb.Point{p3, p4, p1, p2} {
				if p[axis] == lo {
					return hitOverlap, p
				}
			}
			return hitOverlap, p1
		case lo == hi:
			for _, p := range []orb.Point{p1, p2, p3, p4} {
				if p[axis] == lo {
					return hitTouch, p
				}
			}
		}
		return hitNone, orb.Point{}
	}
	switch {
	case d1 == 0 && onSegment(p1, p3, p4):
		return hitTouch, p1
	case d2 == 0 && onSegment(p2, p3, p4):
		return hitTouch, p2
	case d3 == 0 && onSegment(p3, p1, p2):
		return hitTouch, p3
	case d4 == 0 && onSegment(p4, p1, p2):
		return hitTouch, p4
	}
	return hitNone, orb.Point{}
}

// crossingPoint returns the (floating-point) intersection of the lines
// through p1–p2 and p3–p4; it is only used to say "near" in messages and to
// split segments, so rounding is harmless.
func crossingPoint(p1, p2, p3, p4 orb.Point) orb.Point {
	t, ok := lineParam(p1, p2, p3, p4)
	if !ok {
		return p1
	}
	return lerp(p1, p2, t)
}

// lineParam returns t such that p1 + t(p2-p1) lies on the line p3–p4.
func lineParam(p1, p2, p3, p4 orb.Point) (float64, bool) {
	rx, ry := p2[0]-p1[0], p2[1]-p1[1]
	sx, sy := p4[0]-p3[0], p4[1]-p3[1]
	den := rx*sy - ry*sx
	if den == 0 || !finite(den) {
		return 0, false
	}
	t := ((p3[0]-p1[0])*sy - (p3[1]-p1[1])*sx) / den
	if !finite(t) {
		return 0, false
	}
	return t, true
}

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// segmentDistance returns the Euclidean distance (in degrees) from p to the
// closed segment a–b, and the parameter t in [0, 1] of the closest point.
func segmentDistance(p, a, b orb.Point) (float64, float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = max(0, min(1, t))
	}
	q := lerp(a, b, t)
	return math.Hypot(p[0]-q[0], p[1]-q[1]), t
}

// location of a point relative to a ring or polygon.
type location int

const (
	locOutside location = iota
	locBoundary
	locInside
)

// locateInRing classifies p against ring r (treated as closed whether or not
// its last position repeats the first). A point within tol of an edge is on
// the boundary; with tol == 0 the boundary test is exact. Otherwise the
// crossing number is computed with exact orientation tests.
func locateInRing(p orb.Point, r orb.Ring, tol float64) location {
	n := len(r)
	if n == 0 {
		return locOutside
	}
	inside := false
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		if onSegment(p, a, b) {
			return locBoundary
		}
		if tol > 0 {
			if d, _ := segmentDistance(p, a, b); d <= tol {
				return locBoundary
			}
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			// The edge straddles the horizontal line through p; it counts
			// if it passes to the right of p.
			o := orient(a, b, p)
			if (b[1] > a[1] && o > 0) || (b[1] < a[1] && o < 0) {
				inside = !inside
			}
		}
	}
	if inside {
		return locInside
	}
	return locOutside
}

// locateInPolygon classifies p against a polygon with holes.
func locateInPolygon(p orb.Point, poly orb.Polygon, tol float64) location {
	if len(poly) == 0 {
		return locOutside
	}
	loc := locateInRing(p, poly[0], tol)
	if loc != locInside {
		return loc
	}
	for _, h := range poly[1:] {
		switch locateInRing(p, h, tol) {
		case locInside:
			return locOutside
		case locBoundary:
			return locBoundary
		}
	}
	return locInside
}

// interiorPoint returns a point strictly inside the simple ring r (if r is
// simple and has positive area): the middle of the widest inside interval on
// a horizontal line placed halfway across the widest gap between distinct
// vertex latitudes, so that the line meets no vertex.
func interiorPoint(r orb.Ring) (orb.Point, bool) {
	ys := make([]float64, 0, len(r))
	for _, p := range r {
		if !finitePoint(p) {
			return orb.Point{}, false
		}
		ys = append(ys, p[1])
	}
	slices.Sort(ys)
	bestGap, y := 0.0, 0.0
	for i := 1; i < len(ys); i++ {
		if g := ys[i] - ys[i-1]; g > bestGap {
			bestGap, y = g, ys[i-1]+g/2
		}
	}
	if bestGap == 0 {
		return orb.Point{}, false
	}
	var xs []float64
	n := len(r)
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		if (a[1] > y) != (b[1] > y) {
			t := (y - a[1]) / (b[1] - a[1])
			xs = append(xs, a[0]+(b[0]-a[0])*t)
		}
	}
	slices.Sort(xs)
	best := -1.0
	var pt orb.Point
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > best {
			best = w
			pt = orb.Point{xs[i] + w/2, y}
		}
	}
	return pt, best > 0
}
