package patrol_test

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/patrol"
)

// pointsFrom turns fuzz bytes into a time-ordered track of valid points.
func pointsFrom(data []byte) []patrol.Point {
	var pts []patrol.Point
	t := time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)
	for len(data) >= 12 {
		u := binary.LittleEndian.Uint32(data)
		v := binary.LittleEndian.Uint32(data[4:])
		w := binary.LittleEndian.Uint32(data[8:])
		data = data[12:]
		t = t.Add(time.Duration(u%100_000_000) * time.Microsecond)
		p := patrol.Point{
			At:       t,
			Lat:      float64(int32(v))/float64(math.MaxInt32)*89.9 + 0.05,
			Lon:      float64(int32(w)) / float64(math.MaxInt32) * 179.9,
			Accuracy: float64(u%500_000)/7 + 0.1,
			Speed:    float64(int64(v%40_000)-1000) / 37,
			Mock:     w%5 == 0,
		}
		pts = append(pts, p)
	}
	return pts
}

func equalPoints(a, b []patrol.Point) bool {
	return slices.EqualFunc(a, b, func(x, y patrol.Point) bool {
		return x.At.Equal(y.At) && x.Lat == y.Lat && x.Lon == y.Lon && x.Accuracy == y.Accuracy && x.Speed == y.Speed && x.Mock == y.Mock
	})
}

// Encode then Decode gives back exactly the quantized points.
func FuzzCodecRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("0123456789ab0123456789abzzzzzzzzzzzz"))
	f.Add(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 30_000_000), 1<<31-1), 1<<31))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts := pointsFrom(data)
		want := make([]patrol.Point, len(pts))
		for i, p := range pts {
			want[i] = patrol.Quantize(p)
		}
		enc := patrol.Encode(nil, want)
		got, err := patrol.Decode(nil, enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !equalPoints(got, want) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, want)
		}
		// Quantizing twice changes nothing, and so encoding the raw points
		// is the same as encoding the quantized ones.
		if !slices.Equal(patrol.Encode(nil, pts), enc) {
			t.Fatalf("raw and quantized encodings differ")
		}
	})
}

// Decode never panics on any bytes, and what it reads encodes back to a
// chunk that decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{1, 0})
	f.Add(patrol.Encode(nil, loop(at("2026-03-04 09:00:00"), 10*time.Minute, time.Minute, 0)))
	f.Add([]byte{1, 200, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := patrol.Decode(nil, data)
		if err != nil {
			return
		}
		again, err := patrol.Decode(nil, patrol.Encode(nil, pts))
		if err != nil || !equalPoints(again, pts) {
			t.Fatalf("re-encoding a decoded chunk: %v", err)
		}
	})
}

// DecodeBatch and Validate never panic, and refuse with EINVALID only.
func FuzzBatch(f *testing.F) {
	f.Add([]byte(`{"client_id":"0190a8e2-6c1b-7c3e-9d2f-3b4a5c6d7e8f","points":[{"lat":39.9,"lon":116.3,"accuracy":5,"at":"2026-03-04T01:00:00Z","speed":1.2}]}`))
	f.Add([]byte(`{"client_id":"0190a8e2-6c1b-7c3e-9d2f-3b4a5c6d7e8f","points":[{"lat":1e400}]}`))
	f.Add([]byte(`{"points":[],"markers":[{"kind":"start","at":"2026-03-04T01:00:00+08:00"}]}`))
	f.Add([]byte(`[1,2,3]`))
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := patrol.DecodeBatch(body)
		if err == nil {
			err = patrol.Validate(b, now)
		}
		if err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("%s: %v is not EINVALID", body, err)
		}
		if err == nil {
			// A valid batch encodes and decodes.
			pts := slices.Clone(b.Points)
			slices.SortStableFunc(pts, func(x, y patrol.Point) int { return x.At.Compare(y.At) })
			if _, err := patrol.Decode(nil, patrol.Encode(nil, pts)); err != nil {
				t.Fatalf("valid batch does not round-trip: %v", err)
			}
		}
	})
}
