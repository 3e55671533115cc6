package geo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// jitteredTiling returns a rows×cols tiling in row-major reading order
// (north row first, west to east). Every vertex of the lattice is moved by up
// to ±jitter of a cell in each direction; neighbouring tiles share their
// (moved) vertices, so the tiling stays gap-free but irregular.
func jitteredTiling(rows, cols int, jitter float64, rng *rand.Rand) []orb.Polygon {
	const west, north, cell = 116.30, 39.93, 0.01
	v := make([][]orb.Point, rows+1)
	for r := range rows + 1 {
		v[r] = make([]orb.Point, cols+1)
		for c := range cols + 1 {
			dx := (rng.Float64()*2 - 1) * jitter * cell
			dy := (rng.Float64()*2 - 1) * jitter * cell
			v[r][c] = orb.Point{west + float64(c)*cell + dx, north - float64(r)*cell + dy}
		}
	}
	var tiles []orb.Polygon
	for r := range rows {
		for c := range cols {
			tiles = append(tiles, orb.Polygon{orb.Ring{v[r+1][c], v[r+1][c+1], v[r][c+1], v[r][c], v[r+1][c]}})
		}
	}
	return tiles
}

func TestReadingOrder(t *testing.T) {
	t.Run("jittered 3x5 tiling in shuffled order", func(t *testing.T) {
		for seed := range uint64(50) {
			rng := rand.New(rand.NewPCG(seed, 349))
			tiles := jitteredTiling(3, 5, 0.2, rng)
			for i, tile := range tiles {
				if err := Validate(tile); err != nil {
					t.Fatalf("seed %d: tile %d invalid: %v", seed, i, err)
				}
			}
			perm := rng.Perm(len(tiles)) // polys[i] is tile perm[i]
			polys := make([]orb.Polygon, len(tiles))
			for i, p := range perm {
				polys[i] = tiles[p]
			}
			got := ReadingOrder(polys)
			readingPos := make([]int, len(got))
			for k, i := range got {
				readingPos[k] = perm[i]
			}
			if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}; !slices.Equal(readingPos, want) {
				t.Fatalf("seed %d: tiles in reading order %v, want %v", seed, readingPos, want)
			}
		}
	})
	// A hand-made case where each row's eastern tile lies further north than
	// its western tile, so plain latitude order would read east to west.
	t.Run("rows read west to east, not by latitude", func(t *testing.T) {
		polys := []orb.Polygon{
			{rect(1, 0.2, 2, 1.2)},   // 0: south row, east (raised)
			{rect(0, 1.0, 1, 2.0)},   // 1: north row, west (low)
			{rect(1, 1.1, 2, 2.1)},   // 2: north row, east
			{rect(0, -0.1, 1, 0.95)}, // 3: south row, west
		}
		want := []int{1, 2, 3, 0}
		if got := ReadingOrder(polys); !slices.Equal(got, want) {
			t.Fatalf("ReadingOrder = %v, want %v", got, want)
		}
	})
	tests := []struct {
		name  string
		polys []orb.Polygon
		want  []int
	}{
		{name: "empty", polys: nil, want: []int{}},
		{name: "one", polys: []orb.Polygon{{rect(0, 0, 1, 1)}}, want: []int{0}},
		{name: "one row given east to west", polys: []orb.Polygon{{rect(2, 0, 3, 1)}, {rect(1, 0, 2, 1)}, {rect(0, 0, 1, 1)}}, want: []int{2, 1, 0}},
		{name: "one column given south to north", polys: []orb.Polygon{{rect(0, 0, 1, 1)}, {rect(0, 1, 1, 2)}, {rect(0, 2, 1, 3)}}, want: []int{2, 1, 0}},
		{name: "identical polygons keep index order", polys: []orb.Polygon{{rect(0, 0, 1, 1)}, {rect(0, 0, 1, 1)}, {rect(0, 0, 1, 1)}}, want: []int{0, 1, 2}},
		{name: "same centroid latitude, ties by longitude then index", polys: []orb.Polygon{{rect(1, 0, 2, 1)}, {rect(0, 0, 1, 1)}, {rect(1, 0, 2, 1)}}, want: []int{1, 0, 2}},
		{name: "2x2 given in reverse", polys: []orb.Polygon{{rect(1, 0, 2, 1)}, {rect(0, 0, 1, 1)}, {rect(1, 1, 2, 2)}, {rect(0, 1, 1, 2)}}, want: []int{3, 2, 1, 0}},
		{name: "empty polygons do not panic", polys: []orb.Polygon{nil, {rect(0, 0, 1, 1)}, {}}, want: []int{0, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadingOrder(tt.polys); !slices.Equal(got, tt.want) {
				t.Fatalf("ReadingOrder = %v, want %v", got, tt.want)
			}
		})
	}
}
