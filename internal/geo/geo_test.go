package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// ring builds a ring from flat lon, lat pairs.
func ring(coords ...float64) orb.Ring {
	if len(coords)%2 != 0 {
		panic("odd number of coordinates")
	}
	r := make(orb.Ring, 0, len(coords)/2)
	for i := 0; i < len(coords); i += 2 {
		r = append(r, orb.Point{coords[i], coords[i+1]})
	}
	return r
}

// rect is a closed counter-clockwise rectangle.
func rect(x0, y0, x1, y1 float64) orb.Ring {
	return ring(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

// reversed returns r traversed the other way round.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// offset moves a ring by (dx, dy), to put small test shapes at real-world
// coordinates.
func offset(r orb.Ring, dx, dy float64) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{p[0] + dx, p[1] + dy}
	}
	return out
}

// uShape is a U open to the north: arms x∈[0,1] and x∈[2,3] up to y=3,
// joined by the base y∈[0,1]; the notch is x∈(1,2), y∈(1,3].
var uShape = ring(0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3, 0, 0)

// wantFault asserts err is a *Fault of the given kind, ring and index (index
// -2 means "don't care"), whose message contains every fragment.
func wantFault(t *testing.T, err error, kind FaultKind, ringIdx, index int, fragments ...string) *Fault {
	t.Helper()
	if kind == "" {
		if err != nil {
			t.Fatalf("want no error, got %v", err)
		}
		return nil
	}
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("want *Fault of kind %s, got %T %v", kind, err, err)
	}
	if f.Kind != kind {
		t.Fatalf("kind = %s, want %s (%v)", f.Kind, kind, f)
	}
	if f.Ring != ringIdx {
		t.Errorf("ring = %d, want %d (%v)", f.Ring, ringIdx, f)
	}
	if index != -2 && f.Index != index {
		t.Errorf("index = %d, want %d (%v)", f.Index, index, f)
	}
	msg := f.Error()
	if msg == "" || msg != f.Detail {
		t.Errorf("Error() = %q, Detail = %q", msg, f.Detail)
	}
	for _, frag := range fragments {
		if !strings.Contains(msg, frag) {
			t.Errorf("message %q does not contain %q", msg, frag)
		}
	}
	return f
}

func TestValidate(t *testing.T) {
	const lon, lat = 116.3, 39.9
	sq := rect(116.30, 39.90, 116.31, 39.91)
	tests := []struct {
		name   string
		poly   orb.Polygon
		kind   FaultKind // "" = valid
		ring   int
		index  int // -2 = don't care
		inMsgs []string
	}{
		{name: "square ccw", poly: orb.Polygon{sq}},
		{name: "square cw (reversed ring)", poly: orb.Polygon{reversed(sq)}},
		{name: "triangle, 4 positions", poly: orb.Polygon{ring(116.3, 39.9, 116.31, 39.9, 116.305, 39.91, 116.3, 39.9)}},
		{name: "non-convex U", poly: orb.Polygon{offset(uShape, lon, lat)}},
		{name: "non-convex U reversed", poly: orb.Polygon{reversed(offset(uShape, lon, lat))}},
		{name: "consecutive duplicate positions", poly: orb.Polygon{ring(0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0)}},
		{name: "collinear vertex on a straight edge", poly: orb.Polygon{ring(0, 0, 1, 0, 2, 0, 2, 1, 0, 1, 0, 0)}},
		{name: "with hole", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 4, 4)}},
		{name: "with hole, both orientations", poly: orb.Polygon{reversed(rect(0, 0, 10, 10)), reversed(rect(2, 2, 4, 4))}},
		{name: "with two holes", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 4, 4), rect(5, 5, 8, 8)}},
		{name: "hole touching shell at one vertex", poly: orb.Polygon{rect(0, 0, 10, 10), ring(0, 5, 3, 4, 3, 6, 0, 5)}},
		{name: "holes touching each other at one vertex", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 4, 4), rect(4, 4, 6, 6)}},
		{name: "extreme but in range", poly: orb.Polygon{ring(-180, -90, 180, -90, 180, 90, -180, 90, -180, -90)}},

		{name: "no rings", poly: orb.Polygon{}, kind: TooFewPoints, ring: 0, index: -1, inMsgs: []string{"no rings"}},
		{name: "3 positions", poly: orb.Polygon{ring(0, 0, 1, 0, 0, 0)}, kind: TooFewPoints, ring: 0, index: -1, inMsgs: []string{"ring 0", "3 position"}},
		{name: "empty ring", poly: orb.Polygon{{}}, kind: TooFewPoints, ring: 0, index: -1},
		{name: "hole with 3 positions", poly: orb.Polygon{rect(0, 0, 10, 10), ring(1, 1, 2, 1, 1, 1)}, kind: TooFewPoints, ring: 1, index: -1, inMsgs: []string{"ring 1"}},

		{name: "not closed", poly: orb.Polygon{ring(116.3, 39.9, 116.31, 39.91, 116.3, 39.91, 116.31, 39.9)}, kind: RingNotClosed, ring: 0, index: 3,
			inMsgs: []string{"ring 0 is not closed: first point [116.300000, 39.900000] differs from last point [116.310000, 39.900000]"}},
		{name: "not closed by a hair", poly: orb.Polygon{ring(1, 1, 2, 1, 2, 2, 1+1e-12, 1)}, kind: RingNotClosed, ring: 0, index: 3,
			inMsgs: []string{"[1.000000, 1.000000]", "[1.000000000001, 1.000000]"}},
		{name: "hole not closed", poly: orb.Polygon{rect(0, 0, 10, 10), ring(1, 1, 2, 1, 2, 2, 1, 2)}, kind: RingNotClosed, ring: 1, index: 3, inMsgs: []string{"ring 1 is not closed"}},

		{name: "longitude > 180", poly: orb.Polygon{ring(179, 0, 181, 0, 180, 1, 179, 0)}, kind: OutOfRange, ring: 0, index: 1, inMsgs: []string{"position 1", "[181.000000, 0.000000]", "longitude"}},
		{name: "longitude < -180", poly: orb.Polygon{ring(-181, 0, -179, 0, -180, 1, -181, 0)}, kind: OutOfRange, ring: 0, index: 0, inMsgs: []string{"longitude"}},
		{name: "latitude > 90", poly: orb.Polygon{ring(0, 89, 1, 89, 1, 90.5, 0, 89)}, kind: OutOfRange, ring: 0, index: 2, inMsgs: []string{"latitude"}},
		{name: "latitude < -90", poly: orb.Polygon{rect(0, 0, 10, 10), ring(1, 1, 2, -91, 2, 2, 1, 1)}, kind: OutOfRange, ring: 1, index: 1, inMsgs: []string{"ring 1 position 1"}},
		{name: "swapped lat/lon", poly: orb.Polygon{ring(39.9, 116.3, 39.91, 116.3, 39.91, 116.31, 39.9, 116.3)}, kind: OutOfRange, ring: 0, index: 0, inMsgs: []string{"latitude"}},
		{name: "NaN", poly: orb.Polygon{ring(0, 0, math.NaN(), 0, 1, 1, 0, 0)}, kind: OutOfRange, ring: 0, index: 1, inMsgs: []string{"NaN", "not a finite number"}},
		{name: "+Inf", poly: orb.Polygon{ring(0, 0, 1, 0, 1, math.Inf(1), 0, 0)}, kind: OutOfRange, ring: 0, index: 2, inMsgs: []string{"Inf"}},

		{name: "all collinear", poly: orb.Polygon{ring(116.25, 39.875, 116.5, 40, 116.75, 40.125, 116.25, 39.875)}, kind: ZeroArea, ring: 0, index: -1, inMsgs: []string{"zero area", "[116.250000, 39.875000]"}},
		// Decimal coordinates on one line are usually not exactly collinear
		// in binary: with exact predicates this is a (very thin) triangle.
		{name: "decimal-collinear points form a sliver, not zero area", poly: orb.Polygon{ring(116.3, 39.9, 116.31, 39.91, 116.32, 39.92, 116.3, 39.9)}},
		{name: "all collinear, back and forth", poly: orb.Polygon{ring(0, 0, 2, 0, 1, 0, 3, 0, 0, 0)}, kind: ZeroArea, ring: 0, index: -1},
		{name: "all the same point", poly: orb.Polygon{ring(1, 1, 1, 1, 1, 1, 1, 1)}, kind: ZeroArea, ring: 0, index: -1},
		{name: "degenerate hole", poly: orb.Polygon{rect(0, 0, 10, 10), ring(1, 1, 2, 2, 3, 3, 1, 1)}, kind: ZeroArea, ring: 1, index: -1},

		{name: "bowtie", poly: orb.Polygon{ring(0, 0, 2, 2, 2, 0, 0, 2, 0, 0)}, kind: SelfIntersection, ring: 0, index: 2,
			inMsgs: []string{"ring 0 crosses itself: edge 0 ([0.000000, 0.000000]→[2.000000, 2.000000]) crosses edge 2 ([2.000000, 0.000000]→[0.000000, 2.000000]) near [1.000000, 1.000000]"}},
		{name: "bowtie reversed", poly: orb.Polygon{reversed(ring(0, 0, 2, 2, 2, 0, 0, 2, 0, 0))}, kind: SelfIntersection, ring: 0, index: -2, inMsgs: []string{"crosses itself"}},
		{name: "bowtie at real coordinates", poly: orb.Polygon{offset(ring(0, 0, 0.01, 0.01, 0.01, 0, 0, 0.01, 0, 0), lon, lat)}, kind: SelfIntersection, ring: 0, index: -2, inMsgs: []string{"crosses itself", "near [116.305000, 39.905000]"}},
		{name: "pinch (repeated vertex)", poly: orb.Polygon{ring(0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 0)}, kind: SelfIntersection, ring: 0, index: 5,
			inMsgs: []string{"touches itself", "position 5 [1.000000, 1.000000] repeats position 2", "pinch"}},
		{name: "vertex touching a non-adjacent edge", poly: orb.Polygon{ring(0, 0, 4, 0, 4, 4, 2, 0, 0, 4, 0, 0)}, kind: SelfIntersection, ring: 0, index: -2, inMsgs: []string{"touches itself", "near [2.000000, 0.000000]"}},
		{name: "adjacent edges fold back", poly: orb.Polygon{ring(0, 0, 2, 0, 1, 0, 1, 1, 0, 0)}, kind: SelfIntersection, ring: 0, index: 1, inMsgs: []string{"folds back", "position 1 [2.000000, 0.000000]"}},
		{name: "fold back through the closing vertex", poly: orb.Polygon{ring(0, 0, 2, 0, 2, 2, 1, 0, 0, 0)}, kind: SelfIntersection, ring: 0, index: 0, inMsgs: []string{"folds back on itself at position 0"}},
		{name: "spike (out and back)", poly: orb.Polygon{ring(0, 0, 2, 0, 2, 2, 3, 3, 2, 2, 0, 2, 0, 0)}, kind: SelfIntersection, ring: 0, index: -2},
		{name: "collinear overlap of non-adjacent edges", poly: orb.Polygon{ring(0, 0, 4, 0, 4, 1, 3, 1, 3, -1, 2, -1, 2, 0.5, 1, 0.5, 1, 0, 0, 0)}, kind: SelfIntersection, ring: 0, index: -2},
		{name: "edge doubling back along an earlier edge", poly: orb.Polygon{ring(0, 0, 4, 0, 4, 1, 3, 1, 3, 0, 1, 0, 1, -1, 0, -1, 0, 0)}, kind: SelfIntersection, ring: 0, index: -2},
		{name: "hole crosses shell", poly: orb.Polygon{rect(0, 0, 10, 10), rect(8, 8, 12, 9)}, kind: SelfIntersection, ring: 1, index: -2, inMsgs: []string{"ring 1 (a hole) crosses ring 0 (the shell)"}},
		{name: "hole overlaps shell edge", poly: orb.Polygon{rect(0, 0, 10, 10), rect(0, 2, 3, 4)}, kind: SelfIntersection, ring: 1, index: -2, inMsgs: []string{"overlaps ring 0"}},
		{name: "hole equal to shell", poly: orb.Polygon{rect(0, 0, 10, 10), rect(0, 0, 10, 10)}, kind: SelfIntersection, ring: 1, index: -2},
		{name: "holes cross each other", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 5, 5), rect(4, 4, 7, 7)}, kind: SelfIntersection, ring: 2, index: -2, inMsgs: []string{"another hole"}},
		{name: "self-crossing hole", poly: orb.Polygon{rect(0, 0, 10, 10), ring(1, 1, 3, 3, 3, 1, 1, 3, 1, 1)}, kind: SelfIntersection, ring: 1, index: -2, inMsgs: []string{"ring 1 crosses itself"}},

		{name: "hole outside shell", poly: orb.Polygon{rect(0, 0, 10, 10), rect(20, 20, 22, 22)}, kind: Outside, ring: 1, index: 0, inMsgs: []string{"ring 1 (a hole) is not inside the shell", "[20.000000, 20.000000]"}},
		{name: "hole around the shell", poly: orb.Polygon{rect(2, 2, 4, 4), rect(0, 0, 10, 10)}, kind: Outside, ring: 1, index: 0},
		{name: "hole bridging a notch of the shell", poly: orb.Polygon{uShape, ring(0.5, 0.5, 2.5, 0.5, 2, 2, 1, 2, 0.5, 0.5)}, kind: Outside, ring: 1, index: 2, inMsgs: []string{"edge 2", "near [1.500000, 2.000000]"}},
		{name: "hole inside another hole", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 8, 8), rect(3, 3, 4, 4)}, kind: Outside, ring: 2, index: -1, inMsgs: []string{"ring 2 lies inside ring 1"}},
		{name: "hole containing another hole", poly: orb.Polygon{rect(0, 0, 10, 10), rect(3, 3, 4, 4), rect(2, 2, 8, 8)}, kind: Outside, ring: 2, index: -1, inMsgs: []string{"ring 1 lies inside ring 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.poly)
			wantFault(t, err, tt.kind, tt.ring, tt.index, tt.inMsgs...)
		})
	}
}

// TestValidateEveryFaultKind guards against a kind going untested when the
// table above is edited.
func TestValidateEveryFaultKind(t *testing.T) {
	cases := map[FaultKind]orb.Polygon{
		TooFewPoints:     {ring(0, 0, 1, 1, 0, 0)},
		RingNotClosed:    {ring(0, 0, 1, 0, 1, 1, 0, 1)},
		OutOfRange:       {ring(0, 0, 200, 0, 1, 1, 0, 0)},
		SelfIntersection: {ring(0, 0, 1, 1, 1, 0, 0, 1, 0, 0)},
		ZeroArea:         {ring(0, 0, 1, 0, 2, 0, 0, 0)},
		Outside:          {rect(0, 0, 1, 1), rect(2, 2, 3, 3)},
	}
	for kind, poly := range cases {
		t.Run(string(kind), func(t *testing.T) {
			var f *Fault
			if err := Validate(poly); !errors.As(err, &f) || f.Kind != kind {
				t.Fatalf("Validate = %v, want kind %s", err, kind)
			}
		})
	}
	t.Run(string(NotGeoJSON), func(t *testing.T) {
		var f *Fault
		if _, err := ParsePolygon([]byte(`{"type":"Point","coordinates":[1,2]}`)); !errors.As(err, &f) || f.Kind != NotGeoJSON {
			t.Fatalf("ParsePolygon = %v, want kind %s", err, NotGeoJSON)
		}
	})
}

func TestParsePolygon(t *testing.T) {
	square := `[[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.91],[116.3,39.9]]]`
	want := orb.Polygon{rect(116.3, 39.9, 116.31, 39.91)}
	tests := []struct {
		name   string
		in     string
		want   orb.Polygon // checked when kind == ""
		kind   FaultKind
		ring   int
		index  int
		inMsgs []string
	}{
		{name: "polygon geometry", in: `{"type":"Polygon","coordinates":` + square + `}`, want: want},
		{name: "whitespace and member order", in: " {\n \"coordinates\": " + square + ",\n \"type\": \"Polygon\" }\n", want: want},
		{name: "feature", in: `{"type":"Feature","properties":{"name":"第一网格"},"geometry":{"type":"Polygon","coordinates":` + square + `}}`, want: want},
		{name: "feature with id and bbox", in: `{"type":"Feature","id":7,"bbox":[116.3,39.9,116.31,39.91],"geometry":{"type":"Polygon","coordinates":` + square + `},"properties":null}`, want: want},
		{name: "positions with altitude", in: `{"type":"Polygon","coordinates":[[[116.3,39.9,50],[116.31,39.9,50],[116.31,39.91,51],[116.3,39.91,50],[116.3,39.9,50]]]}`, want: want},
		{name: "with hole", in: `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}`,
			want: orb.Polygon{rect(0, 0, 10, 10), ring(2, 2, 2, 4, 4, 4, 4, 2, 2, 2)}},
		{name: "exponent numbers", in: `{"type":"Polygon","coordinates":[[[1e1,0],[2E1,0],[2e+1,1.0e1],[0.1e2,1e-0],[10,0]]]}`,
			want: orb.Polygon{ring(10, 0, 20, 0, 20, 10, 10, 1, 10, 0)}},

		{name: "empty input", in: ``, kind: NotGeoJSON, index: -1, inMsgs: []string{"not valid JSON"}},
		{name: "truncated JSON", in: `{"type":"Polygon","coordinates":[[[0,0]`, kind: NotGeoJSON, index: -1, inMsgs: []string{"not valid JSON"}},
		{name: "trailing garbage", in: `{"type":"Polygon","coordinates":` + square + `} x`, kind: NotGeoJSON, index: -1},
		{name: "JSON array", in: `[1,2]`, kind: NotGeoJSON, index: -1, inMsgs: []string{"array"}},
		{name: "JSON null", in: `null`, kind: NotGeoJSON, index: -1, inMsgs: []string{"null"}},
		{name: "JSON string", in: `"Polygon"`, kind: NotGeoJSON, index: -1},
		{name: "missing type", in: `{"coordinates":` + square + `}`, kind: NotGeoJSON, index: -1, inMsgs: []string{`no "type"`}},
		{name: "type key in wrong case", in: `{"Type":"Polygon","coordinates":` + square + `}`, kind: NotGeoJSON, index: -1, inMsgs: []string{`no "type"`}},
		{name: "type not a string", in: `{"type":5,"coordinates":` + square + `}`, kind: NotGeoJSON, index: -1},
		{name: "type null", in: `{"type":null,"coordinates":` + square + `}`, kind: NotGeoJSON, index: -1},
		{name: "type in wrong case", in: `{"type":"polygon","coordinates":` + square + `}`, kind: NotGeoJSON, index: -1, inMsgs: []string{`unknown type "polygon"`}},
		{name: "multipolygon", in: `{"type":"MultiPolygon","coordinates":[` + square + `]}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"MultiPolygon"}},
		{name: "point", in: `{"type":"Point","coordinates":[116.3,39.9]}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"Point"}},
		{name: "linestring", in: `{"type":"LineString","coordinates":[[116.3,39.9],[116.31,39.9]]}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"LineString"}},
		{name: "feature collection", in: `{"type":"FeatureCollection","features":[]}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"FeatureCollection"}},
		{name: "feature with multipolygon", in: `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[` + square + `]}}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"Feature's geometry is a MultiPolygon"}},
		{name: "feature with null geometry", in: `{"type":"Feature","geometry":null,"properties":{}}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"no geometry"}},
		{name: "feature without geometry", in: `{"type":"Feature","properties":{}}`, kind: NotGeoJSON, index: -1, inMsgs: []string{"no geometry"}},
		{name: "feature in feature", in: `{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + square + `}}}`, kind: NotGeoJSON, index: -1},
		{name: "feature geometry not an object", in: `{"type":"Feature","geometry":[1]}`, kind: NotGeoJSON, index: -1},
		{name: "missing coordinates", in: `{"type":"Polygon"}`, kind: NotGeoJSON, index: -1, inMsgs: []string{`no "coordinates"`}},
		{name: "null coordinates", in: `{"type":"Polygon","coordinates":null}`, kind: NotGeoJSON, index: -1},
		{name: "coordinates not an array", in: `{"type":"Polygon","coordinates":{"a":1}}`, kind: NotGeoJSON, index: -1},
		{name: "coordinates one level too shallow", in: `{"type":"Polygon","coordinates":[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.9]]}`, kind: NotGeoJSON, ring: 0, index: 0, inMsgs: []string{"ring 0 position 0"}},
		{name: "ring null", in: `{"type":"Polygon","coordinates":[null]}`, kind: NotGeoJSON, ring: 0, index: -1, inMsgs: []string{"ring 0"}},
		{name: "position with one number", in: `{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`, kind: NotGeoJSON, ring: 0, index: 1, inMsgs: []string{"ring 0 position 1 has 1 number"}},
		{name: "position with a string", in: `{"type":"Polygon","coordinates":[[[0,0],[1,"0"],[1,1],[0,0]]]}`, kind: NotGeoJSON, ring: 0, index: 1, inMsgs: []string{"a string"}},
		{name: "position with null", in: `{"type":"Polygon","coordinates":[[[0,0],[1,null],[1,1],[0,0]]]}`, kind: NotGeoJSON, ring: 0, index: 1, inMsgs: []string{"null"}},
		{name: "position null", in: `{"type":"Polygon","coordinates":[[[0,0],null,[1,1],[0,0]]]}`, kind: NotGeoJSON, ring: 0, index: 1},
		{name: "bad altitude", in: `{"type":"Polygon","coordinates":[[[0,0,true],[1,0],[1,1],[0,0]]]}`, kind: NotGeoJSON, ring: 0, index: 0},

		{name: "empty coordinates", in: `{"type":"Polygon","coordinates":[]}`, kind: TooFewPoints, ring: 0, index: -1},
		{name: "huge number", in: `{"type":"Polygon","coordinates":[[[0,0],[1e400,0],[1,1],[0,0]]]}`, kind: OutOfRange, ring: 0, index: 1, inMsgs: []string{"+Inf"}},
		{name: "not closed", in: `{"type":"Polygon","coordinates":[[[116.3,39.9],[116.31,39.91],[116.3,39.91],[116.31,39.9]]]}`, kind: RingNotClosed, ring: 0, index: 3,
			inMsgs: []string{"ring 0 is not closed: first point [116.300000, 39.900000] differs from last point [116.310000, 39.900000]"}},
		{name: "bowtie feature", in: `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}`, kind: SelfIntersection, ring: 0, index: 2},
		{name: "zero area", in: `{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}`, kind: ZeroArea, ring: 0, index: -1},
		{name: "hole outside", in: `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]}`, kind: Outside, ring: 1, index: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolygon([]byte(tt.in))
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("ParsePolygon: %v", err)
				}
				if !got.Equal(tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				return
			}
			if got != nil {
				t.Errorf("got polygon %v alongside an error", got)
			}
			wantFault(t, err, tt.kind, tt.ring, tt.index, tt.inMsgs...)
		})
	}
}

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		poly orb.Polygon
		want string
	}{
		{name: "square", poly: orb.Polygon{rect(116.3, 39.9, 116.31, 39.91)},
			want: `{"type":"Polygon","coordinates":[[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.91],[116.3,39.9]]]}`},
		{name: "with hole", poly: orb.Polygon{rect(0, 0, 10, 10), rect(2, 2, 4, 4)},
			want: `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[4,2],[4,4],[2,4],[2,2]]]}`},
		{name: "negative, tiny and negative zero", poly: orb.Polygon{ring(-73.5, -1e-7, math.Copysign(0, -1), 0.000001)},
			want: `{"type":"Polygon","coordinates":[[[-73.5,-1e-07],[-0,0.000001]]]}`},
		{name: "empty", poly: nil, want: `{"type":"Polygon","coordinates":[]}`},
		{name: "non-finite as null", poly: orb.Polygon{ring(math.NaN(), math.Inf(-1))}, want: `{"type":"Polygon","coordinates":[[[null,null]]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Marshal(tt.poly); got != tt.want {
				t.Fatalf("Marshal = %s\nwant      %s", got, tt.want)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	polys := []orb.Polygon{
		{rect(116.3, 39.9, 116.31, 39.91)},
		{rect(0.1, 0.2, 0.30000000000000004, 0.7), rect(0.15, 0.25, 0.2, 0.3)},
		{offset(uShape, 116.123456789012, 39.987654321098)},
		{ring(-180, -90, 180, -90, 180, 90, -180, 90, -180, -90)},
		{ring(1e-300, 0, 2e-300, 0, 2e-300, 5e-324, 1e-300, 0)},
	}
	for _, p := range polys {
		t.Run(Marshal(p)[:60], func(t *testing.T) {
			got, err := ParsePolygon([]byte(Marshal(p)))
			if err != nil {
				t.Fatalf("ParsePolygon(Marshal(p)): %v", err)
			}
			if !got.Equal(p) {
				t.Fatalf("round trip changed the polygon:\n got %v\nwant %v", got, p)
			}
		})
	}
}

func TestCentroidAndBound(t *testing.T) {
	tests := []struct {
		name      string
		poly      orb.Polygon
		centroid  orb.Point
		min, max  orb.Point
		tolerance float64
	}{
		{name: "square", poly: orb.Polygon{rect(0, 0, 2, 2)}, centroid: orb.Point{1, 1}, min: orb.Point{0, 0}, max: orb.Point{2, 2}},
		{name: "square cw", poly: orb.Polygon{reversed(rect(0, 0, 2, 2))}, centroid: orb.Point{1, 1}, min: orb.Point{0, 0}, max: orb.Point{2, 2}},
		{name: "real-world square", poly: orb.Polygon{rect(116.3, 39.9, 116.31, 39.91)}, centroid: orb.Point{116.305, 39.905}, min: orb.Point{116.3, 39.9}, max: orb.Point{116.31, 39.91}, tolerance: 1e-12},
		{name: "L shape", poly: orb.Polygon{ring(0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2, 0, 0)}, centroid: orb.Point{5.0 / 6, 5.0 / 6}, min: orb.Point{0, 0}, max: orb.Point{2, 2}, tolerance: 1e-15},
		{name: "holes ignored", poly: orb.Polygon{rect(0, 0, 4, 4), rect(0.5, 0.5, 1, 1)}, centroid: orb.Point{2, 2}, min: orb.Point{0, 0}, max: orb.Point{4, 4}},
		{name: "degenerate: mean of vertices", poly: orb.Polygon{ring(0, 0, 3, 0, 6, 0, 0, 0)}, centroid: orb.Point{3, 0}, min: orb.Point{0, 0}, max: orb.Point{6, 0}},
		{name: "unclosed ring", poly: orb.Polygon{ring(0, 0, 2, 0, 2, 2, 0, 2)}, centroid: orb.Point{1, 1}, min: orb.Point{0, 0}, max: orb.Point{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Centroid(tt.poly)
			if math.Abs(c[0]-tt.centroid[0]) > tt.tolerance || math.Abs(c[1]-tt.centroid[1]) > tt.tolerance {
				t.Errorf("Centroid = %v, want %v", c, tt.centroid)
			}
			b := Bound(tt.poly)
			if b.Min != tt.min || b.Max != tt.max {
				t.Errorf("Bound = %v, want min %v max %v", b, tt.min, tt.max)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		if c := Centroid(nil); c != (orb.Point{}) {
			t.Errorf("Centroid(nil) = %v", c)
		}
		if b := Bound(nil); !b.IsEmpty() {
			t.Errorf("Bound(nil) = %v, want an empty bound", b)
		}
	})
}

func TestFaultErrorFallback(t *testing.T) {
	f := &Fault{Kind: ZeroArea, Ring: 2, Index: -1}
	if got := f.Error(); got != "ring 2: invalid geometry (zero_area)" {
		t.Errorf("Error() = %q", got)
	}
	f = &Fault{Kind: OutOfRange, Ring: 0, Index: 3}
	if got := f.Error(); got != "ring 0 position 3: invalid geometry (out_of_range)" {
		t.Errorf("Error() = %q", got)
	}
}
