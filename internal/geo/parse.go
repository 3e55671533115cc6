package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
)

// ParsePolygon parses GeoJSON text and validates it with Validate. It accepts
// a bare Polygon geometry object ({"type":"Polygon","coordinates":[...]}) or
// a Feature whose geometry is a Polygon; anything else (MultiPolygon, Point,
// FeatureCollection, malformed JSON, …) is a Fault of kind NotGeoJSON naming
// what was found. Positions may carry more than two numbers (an altitude);
// only longitude and latitude are kept. Member names are matched exactly, as
// RFC 7946 requires, and unknown members (bbox, properties, id, …) are
// ignored. Every error returned is a *Fault.
func ParsePolygon(geojson []byte) (orb.Polygon, error) {
	p, err := parseObject(geojson, false)
	if err != nil {
		return nil, err
	}
	if err := Validate(p); err != nil {
		return nil, err
	}
	return p, nil
}

func notGeoJSON(format string, args ...any) *Fault {
	return fault(NotGeoJSON, 0, -1, format, args...)
}

// parseObject decodes a Polygon geometry, or (at the top level only) a
// Feature holding one.
func parseObject(data []byte, inFeature bool) (orb.Polygon, error) {
	where := "the document"
	if inFeature {
		where = "the Feature's geometry"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, notGeoJSON("not GeoJSON: %s is a JSON %s, expected an object", where, typeErr.Value)
		}
		return nil, notGeoJSON("not GeoJSON: the text is not valid JSON (%v)", err)
	}
	if obj == nil {
		return nil, notGeoJSON("not GeoJSON: %s is null, expected an object", where)
	}
	rawType, ok := obj["type"]
	if !ok {
		return nil, notGeoJSON("not GeoJSON: %s has no \"type\" member", where)
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil || isNull(rawType) {
		return nil, notGeoJSON("not GeoJSON: the \"type\" member of %s is not a string", where)
	}
	switch typ {
	case "Polygon":
		return parseCoordinates(obj["coordinates"])
	case "Feature":
		if inFeature {
			return nil, notGeoJSON("not a Polygon: the Feature's geometry is itself a Feature")
		}
		geom, ok := obj["geometry"]
		if !ok || isNull(geom) {
			return nil, notGeoJSON("not a Polygon: the Feature has no geometry")
		}
		return parseObject(geom, true)
	case "MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection", "FeatureCollection":
		if inFeature {
			return nil, notGeoJSON("not a Polygon: the Feature's geometry is a %s; a grid must be a single Polygon", typ)
		}
		return nil, notGeoJSON("not a Polygon: the GeoJSON is a %s; expected a Polygon or a Feature whose geometry is a Polygon", typ)
	default:
		return nil, notGeoJSON("not GeoJSON: unknown type %s in %s", quoteShort(typ), where)
	}
}

// quoteShort quotes s for a message, cutting very long input short.
func quoteShort(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return strconv.Quote(string(r[:limit])) + "…"
	}
	return strconv.Quote(s)
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// parseCoordinates decodes a Polygon's "coordinates" member: an array of
// rings, each an array of positions, each an array of at least two numbers.
// Structural problems are NotGeoJSON; the geometry itself is left to
// Validate (a number too large for float64 becomes ±Inf, which Validate
// reports as OutOfRange with its ring and position).
func parseCoordinates(raw json.RawMessage) (orb.Polygon, error) {
	if raw == nil || isNull(raw) {
		return nil, notGeoJSON("not GeoJSON: the Polygon has no \"coordinates\" member")
	}
	var rings []json.RawMessage
	if err := json.Unmarshal(raw, &rings); err != nil {
		return nil, notGeoJSON("not GeoJSON: the Polygon's \"coordinates\" is not an array of rings")
	}
	poly := make(orb.Polygon, 0, len(rings))
	for i, rawRing := range rings {
		var positions []json.RawMessage
		if err := json.Unmarshal(rawRing, &positions); err != nil || isNull(rawRing) {
			return nil, fault(NotGeoJSON, i, -1, "not GeoJSON: ring %d is not an array of positions", i)
		}
		ring := make(orb.Ring, 0, len(positions))
		for j, rawPos := range positions {
			pt, err := parsePosition(rawPos, i, j)
			if err != nil {
				return nil, err
			}
			ring = append(ring, pt)
		}
		poly = append(poly, ring)
	}
	return poly, nil
}

func parsePosition(raw json.RawMessage, ring, index int) (orb.Point, error) {
	var nums []json.RawMessage
	if err := json.Unmarshal(raw, &nums); err != nil || isNull(raw) {
		return orb.Point{}, fault(NotGeoJSON, ring, index,
			"not GeoJSON: ring %d position %d is not an array of numbers", ring, index)
	}
	if len(nums) < 2 {
		return orb.Point{}, fault(NotGeoJSON, ring, index,
			"not GeoJSON: ring %d position %d has %d number(s); a position needs a longitude and a latitude", ring, index, len(nums))
	}
	var pt orb.Point
	for k, n := range nums {
		n = bytes.TrimSpace(n)
		if len(n) == 0 || (n[0] != '-' && (n[0] < '0' || n[0] > '9')) {
			return orb.Point{}, fault(NotGeoJSON, ring, index,
				"not GeoJSON: ring %d position %d element %d is %s, not a number", ring, index, k, describeJSON(n))
		}
		v, err := strconv.ParseFloat(string(n), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return orb.Point{}, fault(NotGeoJSON, ring, index,
				"not GeoJSON: ring %d position %d element %d is not a number (%v)", ring, index, k, err)
		}
		if k < 2 {
			pt[k] = v // on overflow v is ±Inf, reported by Validate
		}
	}
	return pt, nil
}

// describeJSON names the kind of a JSON value for messages.
func describeJSON(v []byte) string {
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return fmt.Sprintf("%q", v)
}
