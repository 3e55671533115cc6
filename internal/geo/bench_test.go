package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// gridRing is a closed staircase ring with about 4n vertices at real-world
// coordinates, with collinear runs along its edges.
func gridRing(n int) orb.Ring {
	const x0, y0, d = 116.3, 39.9, 0.001
	var r orb.Ring
	for i := range n {
		r = append(r, orb.Point{x0 + float64(i)*d, y0})
	}
	for i := range n {
		r = append(r, orb.Point{x0 + float64(n)*d, y0 + float64(i)*d})
	}
	for i := range n {
		x := x0 + float64(n-i)*d
		r = append(r, orb.Point{x, y0 + float64(n)*d - float64(i%2)*d/2})
	}
	for i := range n {
		r = append(r, orb.Point{x0, y0 + float64(n-i)*d})
	}
	return append(r, r[0])
}

func BenchmarkValidate50(b *testing.B) {
	p := orb.Polygon{gridRing(12)}
	if err := Validate(p); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = Validate(p)
	}
}

func BenchmarkWithin50(b *testing.B) {
	p := orb.Polygon{gridRing(12)}
	for b.Loop() {
		_ = Within(p, p)
	}
}
