package geo

import (
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// quadTiles splits the quadrilateral a, b, c, d (counter-clockwise) into
// n×n tiles by bilinear interpolation. Shared vertices are computed once, so
// neighbouring tiles share them exactly, while vertices on the outer edges
// carry the rounding of the interpolation (they are "on" a slanted edge only
// up to an ulp or so).
func quadTiles(a, b, c, d orb.Point, n int) []orb.Polygon {
	v := make([][]orb.Point, n+1)
	for i := range n + 1 {
		v[i] = make([]orb.Point, n+1)
		s := float64(i) / float64(n)
		left := lerp(a, d, s)
		right := lerp(b, c, s)
		for j := range n + 1 {
			v[i][j] = lerp(left, right, float64(j)/float64(n))
		}
	}
	// The corners are exact.
	v[0][0], v[0][n], v[n][n], v[n][0] = a, b, c, d
	var tiles []orb.Polygon
	for i := range n {
		for j := range n {
			tiles = append(tiles, orb.Polygon{orb.Ring{v[i][j], v[i][j+1], v[i+1][j+1], v[i+1][j], v[i][j]}})
		}
	}
	return tiles
}

func TestWithinTilings(t *testing.T) {
	square := orb.Polygon{rect(116.30, 39.90, 116.32, 39.92)}
	slanted := orb.Polygon{orb.Ring{{116.30, 39.90}, {116.337, 39.9061}, {116.3253, 39.9317}, {116.2981, 39.9249}, {116.30, 39.90}}}
	tests := []struct {
		name  string
		outer orb.Polygon
		tiles []orb.Polygon
	}{
		{name: "2x2 tiling of a square", outer: square,
			tiles: quadTiles(square[0][0], square[0][1], square[0][2], square[0][3], 2)},
		{name: "2x2 tiling of a square, literal coordinates", outer: square, tiles: []orb.Polygon{
			{rect(116.30, 39.90, 116.31, 39.91)}, {rect(116.31, 39.90, 116.32, 39.91)},
			{rect(116.30, 39.91, 116.31, 39.92)}, {rect(116.31, 39.91, 116.32, 39.92)},
		}},
		{name: "3x3 tiling of a slanted quadrilateral", outer: slanted,
			tiles: quadTiles(slanted[0][0], slanted[0][1], slanted[0][2], slanted[0][3], 3)},
		{name: "7x7 tiling of a slanted quadrilateral", outer: slanted,
			tiles: quadTiles(slanted[0][0], slanted[0][1], slanted[0][2], slanted[0][3], 7)},
		{name: "the square itself", outer: square, tiles: []orb.Polygon{square}},
		{name: "the square itself, reversed", outer: square, tiles: []orb.Polygon{{reversed(square[0])}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.outer); err != nil {
				t.Fatalf("outer invalid: %v", err)
			}
			for i, tile := range tt.tiles {
				if err := Validate(tile); err != nil {
					t.Fatalf("tile %d invalid: %v", i, err)
				}
				if err := Within(tile, tt.outer); err != nil {
					t.Errorf("tile %d %s: %v", i, Marshal(tile), err)
				}
				// Orientation of either side does not matter.
				if err := Within(orb.Polygon{reversed(tile[0])}, orb.Polygon{reversed(tt.outer[0])}); err != nil {
					t.Errorf("tile %d reversed: %v", i, err)
				}
			}
		})
	}
}

func TestWithin(t *testing.T) {
	const lon, lat = 116.3, 39.9
	square := orb.Polygon{rect(116.30, 39.90, 116.32, 39.92)}
	u := orb.Polygon{offset(uShape, lon, lat)}
	holed := orb.Polygon{rect(0, 0, 10, 10), rect(4, 4, 6, 6)}
	tests := []struct {
		name   string
		inner  orb.Polygon
		outer  orb.Polygon
		ok     bool
		ring   int
		index  int
		inMsgs []string
	}{
		{name: "tile in the middle", inner: orb.Polygon{rect(116.305, 39.905, 116.315, 39.915)}, outer: square, ok: true},
		{name: "tile shifted east out of the square", inner: orb.Polygon{rect(116.315, 39.91, 116.325, 39.92)}, outer: square, index: 1,
			inMsgs: []string{"inner polygon ring 0 position 1 [116.325000, 39.910000] lies outside the outer polygon"}},
		{name: "tile shifted north, first vertex inside", inner: orb.Polygon{rect(116.30, 39.915, 116.31, 39.925)}, outer: square, index: 2},
		{name: "tile far away", inner: orb.Polygon{rect(121.4, 31.2, 121.41, 31.21)}, outer: square, index: 0},
		{name: "vertex 5e-10 outside: within tolerance", inner: orb.Polygon{ring(116.31, 39.91, 116.32+5e-10, 39.91, 116.32, 39.92+5e-10, 116.31, 39.92, 116.31, 39.91)}, outer: square, ok: true},
		{name: "vertex 1e-8 outside", inner: orb.Polygon{ring(116.31, 39.91, 116.32+1e-8, 39.91, 116.32, 39.92, 116.31, 39.92, 116.31, 39.91)}, outer: square, index: 1},
		{name: "inner larger than outer", inner: orb.Polygon{rect(116.29, 39.89, 116.33, 39.93)}, outer: square, index: 0},
		{name: "outer inside inner is not within", inner: square, outer: orb.Polygon{rect(116.305, 39.905, 116.315, 39.915)}, index: 0},

		{name: "U: inner in the left arm", inner: orb.Polygon{offset(rect(0.2, 1.5, 0.8, 2.8), lon, lat)}, outer: u, ok: true},
		{name: "U: inner in the base and both arms", inner: orb.Polygon{offset(ring(0.5, 0.5, 2.5, 0.5, 2.5, 2, 2, 1, 1, 1, 0.5, 2, 0.5, 0.5), lon, lat)}, outer: u, ok: true},
		{name: "U: edge crosses the notch, all vertices inside", inner: orb.Polygon{rect(0.5, 2, 2.5, 2.5)}, outer: orb.Polygon{uShape}, index: 0,
			inMsgs: []string{"inner polygon ring 0 edge 0 ([0.500000, 2.000000]→[2.500000, 2.000000]) crosses outer polygon ring 0 edge 3 ([2.000000, 3.000000]→[2.000000, 1.000000]) near [2.000000, 2.000000]"}},
		{name: "U at real coordinates: edge crosses the notch", inner: orb.Polygon{offset(rect(0.5, 2, 2.5, 2.5), lon, lat)}, outer: u, index: 0, inMsgs: []string{"crosses outer polygon ring 0 edge 3"}},
		{name: "U: convex hull spans the notch touching its corners", inner: orb.Polygon{rect(0, 0, 3, 3)}, outer: orb.Polygon{uShape}, index: 2,
			inMsgs: []string{"edge 2 ([3.000000, 3.000000]→[0.000000, 3.000000]) leaves the outer polygon near [1.500000, 3.000000]"}},
		{name: "U: triangle through the notch corners", inner: orb.Polygon{ring(0.5, 0.5, 2.5, 0.5, 2, 3, 1, 3, 0.5, 0.5)}, outer: orb.Polygon{uShape}, index: 2, inMsgs: []string{"leaves the outer polygon"}},
		{name: "U: inner vertex in the notch", inner: orb.Polygon{rect(0.5, 0.5, 1.5, 2)}, outer: orb.Polygon{uShape}, index: 2, inMsgs: []string{"position 2 [1.500000, 2.000000]"}},

		{name: "hole: tile beside the hole", inner: orb.Polygon{rect(1, 1, 3, 3)}, outer: holed, ok: true},
		{name: "hole: tile sharing the hole's border", inner: orb.Polygon{rect(6, 4, 8, 6)}, outer: holed, ok: true},
		{name: "hole: tile with the same hole", inner: orb.Polygon{rect(3, 3, 7, 7), rect(4, 4, 6, 6)}, outer: holed, ok: true},
		{name: "hole: tile covering the hole", inner: orb.Polygon{rect(3, 3, 7, 7)}, outer: holed, index: -1, inMsgs: []string{"covers hole 1 of the outer polygon (around [5.000000, 5.000000])"}},
		{name: "hole: tile equal to the hole", inner: orb.Polygon{rect(4, 4, 6, 6)}, outer: holed, index: -1, inMsgs: []string{"covers hole 1"}},
		{name: "hole: tile inside the hole", inner: orb.Polygon{rect(4.5, 4.5, 5.5, 5.5)}, outer: holed, index: 0},
		{name: "hole: edge crosses the hole", inner: orb.Polygon{rect(3, 4.5, 7, 5.5)}, outer: holed, index: 0, inMsgs: []string{"crosses outer polygon ring 1"}},

		{name: "empty inner", inner: nil, outer: square, ok: true},
		{name: "empty outer", inner: square, outer: nil, index: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Within(tt.inner, tt.outer)
			if tt.ok {
				if err != nil {
					t.Fatalf("Within: %v", err)
				}
				return
			}
			wantFault(t, err, Outside, tt.ring, tt.index, tt.inMsgs...)
			// The verdict does not depend on orientation.
			flip := func(p orb.Polygon) orb.Polygon {
				out := make(orb.Polygon, len(p))
				for i, r := range p {
					out[i] = reversed(r)
				}
				return out
			}
			if Within(flip(tt.inner), flip(tt.outer)) == nil {
				t.Errorf("reversed rings are accepted")
			}
		})
	}
}

func TestWithinNeverPanics(t *testing.T) {
	nan := orb.Polygon{ring(0, 0, 1, 0, 1, 1, 0, 0)}
	nan[0][1][0] = math.NaN()
	inputs := []orb.Polygon{nil, {}, {{}}, {ring(0, 0)}, {ring(0, 0, 0, 0)}, nan,
		{ring(1e308, 1e308, -1e308, 1e308, -1e308, -1e308, 1e308, 1e308)}}
	for i, a := range inputs {
		for j, b := range inputs {
			t.Run(fmt.Sprintf("%d_%d", i, j), func(t *testing.T) {
				_ = Within(a, b)
			})
		}
	}
}
