// Package geo holds the geometry of grid polygons: parsing and validating
// GeoJSON polygons (WGS84, positions in [longitude, latitude] order),
// checking that a grid lies inside its community, and the reading order in
// which CJ/T 349 numbers the grids of a community.
//
// Crossing and touching are decided with exact orientation predicates (no
// epsilon). The only tolerance is the one Within applies to boundaries,
// because neighbouring grids share their borders with the community exactly
// and a few ulps of rounding must not push a shared vertex "outside".
package geo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// FaultKind is a stable machine key for what is wrong with a geometry, so a
// UI can translate it. The string values are part of the API: never change
// them.
type FaultKind string

// The kinds of Fault.
const (
	// NotGeoJSON: the text is not parseable JSON, or not a Polygon geometry
	// (a bare Polygon geometry object or a Feature whose geometry is a
	// Polygon); the message names the type that was found instead.
	NotGeoJSON FaultKind = "not_geojson"
	// TooFewPoints: a ring has fewer than 4 positions (or the polygon has no
	// ring at all).
	TooFewPoints FaultKind = "too_few_points"
	// RingNotClosed: a ring's first position differs from its last.
	RingNotClosed FaultKind = "ring_not_closed"
	// OutOfRange: a longitude outside [-180, 180], a latitude outside
	// [-90, 90], or a coordinate that is NaN or infinite.
	OutOfRange FaultKind = "out_of_range"
	// SelfIntersection: two non-adjacent edges of a ring cross or touch, a
	// vertex repeats (a pinch), adjacent edges fold back onto each other, or
	// a hole crosses or overlaps the shell or another hole.
	SelfIntersection FaultKind = "self_intersection"
	// ZeroArea: a degenerate ring whose points are all collinear (exactly,
	// as float64 values: like every predicate here it uses no epsilon).
	ZeroArea FaultKind = "zero_area"
	// Outside: an inner polygon (or a hole) is not within its outer polygon
	// (or shell).
	Outside FaultKind = "outside"
)

// Fault is a geometry error. Ring is the index of the ring concerned (0 is
// the shell, 1… the holes; for Within it indexes the inner polygon). Index is
// the position index within that ring (for an edge, the index of its first
// position), or -1 when the fault concerns the whole ring or document rather
// than one position. Detail is the complete English sentence describing the
// problem, naming the ring, the position and the coordinates involved.
type Fault struct {
	Kind   FaultKind
	Ring   int
	Index  int
	Detail string
}

// Error returns Detail, a clear English sentence such as
// "ring 0 is not closed: first point [116.300000, 39.900000] differs from
// last point [116.310000, 39.900000]". A Fault built without Detail falls
// back to a generic sentence from Kind, Ring and Index.
func (f *Fault) Error() string {
	if f.Detail != "" {
		return f.Detail
	}
	if f.Index >= 0 {
		return fmt.Sprintf("ring %d position %d: invalid geometry (%s)", f.Ring, f.Index, f.Kind)
	}
	return fmt.Sprintf("ring %d: invalid geometry (%s)", f.Ring, f.Kind)
}

func fault(kind FaultKind, ring, index int, format string, args ...any) *Fault {
	return &Fault{Kind: kind, Ring: ring, Index: index, Detail: fmt.Sprintf(format, args...)}
}

// fmtCoord prints a coordinate with six decimals, as surveyors read them,
// unless six decimals would hide a difference: then it prints the shortest
// text that reads back as exactly the same float64.
func fmtCoord(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	if back, err := strconv.ParseFloat(s, 64); err == nil && back == v {
		return s
	}
	if !finite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// fmtPt prints a position as "[lon, lat]".
func fmtPt(p orb.Point) string {
	return "[" + fmtCoord(p[0]) + ", " + fmtCoord(p[1]) + "]"
}

// fmtEdge prints an edge as "([lon, lat]→[lon, lat])".
func fmtEdge(a, b orb.Point) string {
	return "(" + fmtPt(a) + "→" + fmtPt(b) + ")"
}

// Marshal returns compact GeoJSON Polygon geometry text for p, for example
// {"type":"Polygon","coordinates":[[[116.3,39.9],[116.31,39.9],...]]}.
// Numbers are written in the shortest form that parses back to the same
// float64, so Marshal → ParsePolygon round-trips exactly. A NaN or infinite
// coordinate cannot be written in JSON and is written as null (such a
// polygon never passes Validate).
func Marshal(p orb.Polygon) string {
	b := make([]byte, 0, 40+len(p)*64)
	b = append(b, `{"type":"Polygon","coordinates":[`...)
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, pt := range r {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendNumber(b, pt[0])
			b = append(b, ',')
			b = appendNumber(b, pt[1])
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	b = append(b, "]}"...)
	return string(b)
}

func appendNumber(b []byte, v float64) []byte {
	if !finite(v) {
		return append(b, "null"...)
	}
	// Like encoding/json: plain decimals, exponent form only for very
	// small or very large magnitudes; both are valid JSON numbers.
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// Bound returns the bounding box of p (the shell's, since holes lie inside
// it). For a polygon without rings it returns orb's empty bound, whose Min
// exceeds its Max.
func Bound(p orb.Polygon) orb.Bound {
	return p.Bound()
}

// Centroid returns the area centroid of the shell (holes are ignored). For a
// degenerate shell with zero area it falls back to the mean of the shell's
// vertices (not counting a closing position that repeats the first), and for
// a polygon without positions it returns the zero Point.
func Centroid(p orb.Polygon) orb.Point {
	if len(p) == 0 || len(p[0]) == 0 {
		return orb.Point{}
	}
	r := p[0]
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	// Shoelace relative to the first vertex, which keeps the products small
	// and the rounding error low for coordinates like (116.3, 39.9).
	o := r[0]
	var a2, cx, cy float64
	for i := range n {
		x0, y0 := r[i][0]-o[0], r[i][1]-o[1]
		x1, y1 := r[(i+1)%n][0]-o[0], r[(i+1)%n][1]-o[1]
		c := x0*y1 - x1*y0
		a2 += c
		cx += (x0 + x1) * c
		cy += (y0 + y1) * c
	}
	if a2 != 0 && finite(a2) && finite(cx) && finite(cy) {
		return orb.Point{o[0] + cx/(3*a2), o[1] + cy/(3*a2)}
	}
	var sx, sy float64
	for i := range n {
		sx += r[i][0]
		sy += r[i][1]
	}
	return orb.Point{sx / float64(n), sy / float64(n)}
}
