package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestOrient(t *testing.T) {
	tests := []struct {
		name    string
		a, b, c orb.Point
		want    int
	}{
		{name: "left turn", a: orb.Point{0, 0}, b: orb.Point{1, 0}, c: orb.Point{0, 1}, want: 1},
		{name: "right turn", a: orb.Point{0, 0}, b: orb.Point{1, 0}, c: orb.Point{0, -1}, want: -1},
		{name: "collinear", a: orb.Point{0, 0}, b: orb.Point{1, 1}, c: orb.Point{3, 3}, want: 0},
		{name: "collinear, dyadic real-world", a: orb.Point{116.25, 39.875}, b: orb.Point{116.5, 40}, c: orb.Point{116.75, 40.125}, want: 0},
		// Naive float evaluation gets these wrong: the determinant is far
		// below the rounding error of the products.
		{name: "one ulp off the line", a: orb.Point{116.3, 39.9}, b: orb.Point{116.4, 40.0}, c: orb.Point{116.35, math.Nextafter(39.95, 100)}, want: orientExact(orb.Point{116.3, 39.9}, orb.Point{116.4, 40.0}, orb.Point{116.35, math.Nextafter(39.95, 100)})},
		{name: "subnormal determinant", a: orb.Point{1e-300, 0}, b: orb.Point{2e-300, 0}, c: orb.Point{2e-300, 5e-324}, want: 1},
		{name: "huge coordinates", a: orb.Point{-1e308, -1e308}, b: orb.Point{1e308, 1e308}, c: orb.Point{0, math.SmallestNonzeroFloat64}, want: 1},
		{name: "NaN", a: orb.Point{math.NaN(), 0}, b: orb.Point{1, 0}, c: orb.Point{0, 1}, want: 0},
		{name: "Inf", a: orb.Point{math.Inf(1), 0}, b: orb.Point{1, 0}, c: orb.Point{0, 1}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := orient(tt.a, tt.b, tt.c); got != tt.want {
				t.Fatalf("orient = %d, want %d", got, tt.want)
			}
			// Swapping two points flips the sign.
			if got := orient(tt.b, tt.a, tt.c); got != -tt.want {
				t.Fatalf("orient(b, a, c) = %d, want %d", got, -tt.want)
			}
		})
	}
}

// TestOrientAgreesWithExact hammers the float filter with nearly collinear
// points at grid coordinates, where rounding decides everything.
func TestOrientAgreesWithExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		a := orb.Point{116 + rng.Float64(), 39 + rng.Float64()}
		b := orb.Point{116 + rng.Float64(), 39 + rng.Float64()}
		s := rng.Float64()*3 - 1
		c := lerp(a, b, s)
		for range rng.IntN(4) {
			k := rng.IntN(2)
			c[k] = math.Nextafter(c[k], math.Inf(rng.IntN(2)*2-1))
		}
		if got, want := orient(a, b, c), orientExact(a, b, c); got != want {
			t.Fatalf("case %d: orient(%v, %v, %v) = %d, exact %d", i, a, b, c, got, want)
		}
	}
}

func TestSegmentHit(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{x, y} }
	tests := []struct {
		name           string
		p1, p2, p3, p4 orb.Point
		want           hitKind
		at             orb.Point
	}{
		{name: "proper crossing", p1: p(0, 0), p2: p(2, 2), p3: p(0, 2), p4: p(2, 0), want: hitCross, at: p(1, 1)},
		{name: "disjoint", p1: p(0, 0), p2: p(1, 0), p3: p(0, 1), p4: p(1, 1), want: hitNone},
		{name: "lines cross beyond the segments", p1: p(0, 0), p2: p(1, 1), p3: p(3, 0), p4: p(2, 1), want: hitNone},
		{name: "T junction", p1: p(0, 0), p2: p(2, 0), p3: p(1, 0), p4: p(1, 1), want: hitTouch, at: p(1, 0)},
		{name: "shared endpoint", p1: p(0, 0), p2: p(1, 0), p3: p(1, 0), p4: p(1, 1), want: hitTouch, at: p(1, 0)},
		{name: "collinear, end to end", p1: p(0, 0), p2: p(1, 0), p3: p(1, 0), p4: p(2, 0), want: hitTouch, at: p(1, 0)},
		{name: "collinear, overlapping", p1: p(0, 0), p2: p(2, 0), p3: p(1, 0), p4: p(3, 0), want: hitOverlap, at: p(1, 0)},
		{name: "collinear, one inside the other", p1: p(0, 0), p2: p(3, 3), p3: p(2, 2), p4: p(1, 1), want: hitOverlap, at: p(1, 1)},
		{name: "collinear vertical, overlapping", p1: p(0, 0), p2: p(0, 2), p3: p(0, 3), p4: p(0, 1), want: hitOverlap, at: p(0, 1)},
		{name: "collinear, disjoint", p1: p(0, 0), p2: p(1, 0), p3: p(2, 0), p4: p(3, 0), want: hitNone},
		{name: "parallel", p1: p(0, 0), p2: p(1, 0), p3: p(0, 1e-300), p4: p(1, 1e-300), want: hitNone},
		{name: "identical", p1: p(0, 0), p2: p(1, 1), p3: p(1, 1), p4: p(0, 0), want: hitOverlap},
		{name: "degenerate segment on the other", p1: p(0, 0), p2: p(2, 0), p3: p(1, 0), p4: p(1, 0), want: hitTouch, at: p(1, 0)},
		{name: "degenerate segment off the other", p1: p(0, 0), p2: p(2, 0), p3: p(1, 1), p4: p(1, 1), want: hitNone},
		{name: "near miss by one ulp", p1: p(0, 0), p2: p(2, 0), p3: p(1, math.SmallestNonzeroFloat64), p4: p(1, 1), want: hitNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, at := segmentHit(tt.p1, tt.p2, tt.p3, tt.p4)
			if kind != tt.want {
				t.Fatalf("kind = %d, want %d", kind, tt.want)
			}
			if (tt.want == hitCross || tt.want == hitTouch) && at != tt.at {
				t.Errorf("at = %v, want %v", at, tt.at)
			}
			if tt.want == hitOverlap && tt.at != (orb.Point{}) && at != tt.at {
				t.Errorf("at = %v, want %v", at, tt.at)
			}
			// Symmetric in the order of the segments.
			if k2, _ := segmentHit(tt.p3, tt.p4, tt.p1, tt.p2); k2 != tt.want {
				t.Errorf("swapped: kind = %d, want %d", k2, tt.want)
			}
		})
	}
}

func TestInteriorPoint(t *testing.T) {
	for _, r := range []orb.Ring{rect(0, 0, 1, 1), uShape, reversed(uShape), offset(uShape, 116.3, 39.9),
		ring(0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 0.5, 1, 0, 0)} {
		pt, ok := interiorPoint(r)
		if !ok || locateInRing(pt, r, 0) != locInside {
			t.Errorf("interiorPoint(%v) = %v, %v: not inside", r, pt, ok)
		}
	}
	if _, ok := interiorPoint(ring(0, 0, 1, 0, 2, 0, 0, 0)); ok {
		t.Errorf("interiorPoint of a flat ring reported ok")
	}
}

func TestFmtCoord(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{116.3, "116.300000"},
		{-0.5, "-0.500000"},
		{116.3000000001, "116.3000000001"},
		{1e-12, "1e-12"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Inf"},
	}
	for _, tt := range tests {
		if got := fmtCoord(tt.in); got != tt.want {
			t.Errorf("fmtCoord(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
