package geo

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// ReadingOrder returns the indexes of polys in the order CJ/T 349 numbers
// grids inside a community, "west→east, north→south": row by row starting
// with the northernmost row, each row from west to east.
//
// Rows are formed robustly for slightly irregular (jittered) tilings: the
// polygons are sorted by centroid latitude, descending; a polygon joins the
// current row if its centroid latitude lies within the latitude extent
// (bounding box min..max latitude) of the row's first polygon, and otherwise
// starts a new row. Within a row the polygons are sorted by centroid
// longitude, ascending. Ties are broken by original index, so the result is
// deterministic. The result is a permutation of 0..len(polys)-1.
func ReadingOrder(polys []orb.Polygon) []int {
	type item struct {
		idx    int
		c      orb.Point
		lo, hi float64 // latitude extent
	}
	items := make([]item, len(polys))
	for i, p := range polys {
		b := Bound(p)
		items[i] = item{idx: i, c: Centroid(p), lo: b.Min[1], hi: b.Max[1]}
	}
	// cmp.Compare orders NaN consistently (before everything), so even
	// garbage input sorts deterministically.
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(b.c[1], a.c[1]); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	out := make([]int, 0, len(items))
	for start := 0; start < len(items); {
		first := items[start]
		end := start + 1
		for end < len(items) && first.lo <= items[end].c[1] && items[end].c[1] <= first.hi {
			end++
		}
		row := items[start:end]
		slices.SortFunc(row, func(a, b item) int {
			if c := cmp.Compare(a.c[0], b.c[0]); c != 0 {
				return c
			}
			return cmp.Compare(a.idx, b.idx)
		})
		for _, it := range row {
			out = append(out, it.idx)
		}
		start = end
	}
	return out
}
