package geo

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzParsePolygon checks that ParsePolygon never panics, that every error
// is a *Fault with a message, and that whatever it accepts is valid and
// round-trips exactly through Marshal → ParsePolygon (and lies within
// itself, and has a usable centroid).
func FuzzParsePolygon(f *testing.F) {
	seeds := []string{
		// valid
		`{"type":"Polygon","coordinates":[[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.91],[116.3,39.9]]]}`,
		`{"type":"Polygon","coordinates":[[[116.3,39.9],[116.3,39.91],[116.31,39.91],[116.31,39.9],[116.3,39.9]]]}`,
		`{"type":"Feature","properties":{"name":"网格一"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[4,2],[4,4],[2,4],[2,2]]]}}`,
		`{"type":"Polygon","coordinates":[[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],[0,3],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[0,5],[3,4],[3,6],[0,5]],[[5,5],[6,5],[6,6],[5,5]]]}`,
		`{"type":"Polygon","coordinates":[[[1e-300,0],[2e-300,0],[2e-300,5e-324],[1e-300,0]]]}`,
		`{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}`,
		// invalid
		``,
		`{`,
		`null`,
		`[]`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}`,
		`{"type":"Point","coordinates":[1,2]}`,
		`{"type":"Feature","geometry":null}`,
		`{"type":"Polygon","coordinates":[]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1e400,0],[1,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[2,0],[1,1],[2,2],[0,2],[1,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[2,0],[1,0],[1,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[8,8],[12,8],[12,9],[8,9],[8,8]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,null],[1,1],[0,0]]]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolygon(data)
		if err != nil {
			var fault *Fault
			if !errors.As(err, &fault) {
				t.Fatalf("error is %T, not *Fault: %v", err, err)
			}
			if fault.Kind == "" || fault.Error() == "" {
				t.Fatalf("fault without kind or message: %#v", fault)
			}
			if p != nil {
				t.Fatalf("polygon returned alongside an error")
			}
			return
		}
		if err := Validate(p); err != nil {
			t.Fatalf("ParsePolygon accepted a polygon that Validate rejects: %v", err)
		}
		text := Marshal(p)
		q, err := ParsePolygon([]byte(text))
		if err != nil {
			t.Fatalf("Marshal output %s does not parse: %v", text, err)
		}
		if !q.Equal(p) {
			t.Fatalf("round trip changed the polygon:\n in  %v\n out %v", p, q)
		}
		if again := Marshal(q); again != text {
			t.Fatalf("Marshal is not stable:\n %s\n %s", text, again)
		}
		if err := Within(p, p); err != nil {
			t.Fatalf("a valid polygon is not within itself: %v", err)
		}
		_ = Centroid(p)
		_ = ReadingOrder([]orb.Polygon{p, p})
	})
}

// FuzzValidateInvariants builds polygons on a small integer lattice (where
// collinear edges, shared vertices and touching are common) and checks that
// validity does not depend on where a ring starts or which way it runs, and
// that a valid polygon lies within itself and has its centroid inside its
// bounding box.
func FuzzValidateInvariants(f *testing.F) {
	f.Add([]byte{0, 0, 4, 0, 4, 4, 0, 4}, []byte{1, 1, 2, 1, 2, 2, 1, 2})
	f.Add([]byte{0, 0, 2, 2, 2, 0, 0, 2}, []byte{})
	f.Add([]byte{0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1}, []byte{})
	f.Add([]byte{0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3}, []byte{0, 1, 1, 1, 1, 2})
	f.Add([]byte{0, 0, 2, 0, 1, 0, 1, 1}, []byte{})
	f.Fuzz(func(t *testing.T, shell, hole []byte) {
		build := func(b []byte) orb.Ring {
			var r orb.Ring
			for i := 0; i+1 < len(b) && len(r) < 12; i += 2 {
				r = append(r, orb.Point{116 + float64(b[i]%8)/4, 39 + float64(b[i+1]%8)/4})
			}
			if len(r) > 0 {
				r = append(r, r[0])
			}
			return r
		}
		rotate := func(r orb.Ring, k int) orb.Ring {
			if len(r) < 2 {
				return r
			}
			open := r[:len(r)-1]
			k %= len(open)
			out := append(append(orb.Ring{}, open[k:]...), open[:k]...)
			return append(out, out[0])
		}
		p := orb.Polygon{build(shell)}
		if h := build(hole); len(h) > 0 {
			p = append(p, h)
		}
		err := Validate(p)
		for k := range len(p[0]) {
			for _, rev := range []bool{false, true} {
				q := make(orb.Polygon, len(p))
				copy(q, p)
				q[0] = rotate(p[0], k)
				if len(q) > 1 {
					q[1] = rotate(p[1], k)
				}
				if rev {
					for i := range q {
						q[i] = reversed(q[i])
					}
				}
				if err2 := Validate(q); (err == nil) != (err2 == nil) {
					t.Fatalf("validity depends on start/direction:\n%s: %v\n%s: %v", Marshal(p), err, Marshal(q), err2)
				}
			}
		}
		if err != nil {
			return
		}
		if err := Within(p, p); err != nil {
			t.Fatalf("%s is not within itself: %v", Marshal(p), err)
		}
		if len(p) > 1 {
			if err := Within(orb.Polygon{p[1]}, orb.Polygon{p[0]}); err != nil {
				t.Fatalf("hole of %s is not within the shell: %v", Marshal(p), err)
			}
		}
		c, b := Centroid(p), Bound(p)
		if !b.Contains(c) {
			t.Fatalf("centroid %v outside bound %v", c, b)
		}
	})
}
