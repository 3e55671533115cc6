package patrol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The compact point codec. Raw points are the evidence of a patrol and a
// city sends about 21.6 million a day, so they are stored as one blob per
// batch and day (patrol_chunks), not one row per point. A chunk holds its
// points in time order, each as the difference from the one before:
//
//	version byte (1)
//	uvarint  count
//	varint   first time, Unix milliseconds
//	varint   first latitude, first longitude, in 1e-7 degree (≈ 1 cm)
//	per point (the first one with zero deltas):
//	  uvarint time − previous time, milliseconds
//	  varint  latitude − previous latitude, 1e-7 degree (zig-zag)
//	  varint  longitude − previous longitude, 1e-7 degree (zig-zag)
//	  uvarint accuracy in decimetres × 2 + mock flag
//	  uvarint speed in cm/s + 1, or 0 when unknown
//
// A point 30 s and some 40 m from the previous one takes about 10 bytes
// (raw float64s and a timestamp take 48). The quantisation (1 ms, 1e-7°,
// 1 dm, 1 cm/s) is far below a phone's precision; Quantize applies it, so
// Encode then Decode gives back exactly Quantize's result.

const codecVersion = 1

// Limits that keep a decoded value meaningful; Validate refuses points
// beyond them, so Encode never meets them.
const (
	maxAccuracy = 100_000 // metres
	maxSpeed    = 1_000   // m/s
)

// Quantize rounds p to what the codec stores: the time to the millisecond
// (in UTC), the coordinates to 1e-7 degree, the accuracy to the decimetre and
// the speed to the cm/s (a negative speed, unknown, becomes -1), clamping
// accuracy and speed to the codec's limits as Encode does.
func Quantize(p Point) Point {
	q := p
	q.At = time.UnixMilli(p.At.UnixMilli()).UTC()
	q.Lat = float64(int64(math.Round(p.Lat*1e7))) / 1e7
	q.Lon = float64(int64(math.Round(p.Lon*1e7))) / 1e7
	q.Accuracy = float64(int64(math.Round(math.Min(math.Max(p.Accuracy, 0), maxAccuracy)*10))) / 10
	if p.Speed < 0 {
		q.Speed = -1
	} else {
		q.Speed = float64(int64(math.Round(math.Min(p.Speed, maxSpeed)*100))) / 100
	}
	return q
}

// Encode appends the chunk encoding of pts, which must be in time order
// (ties allowed), to dst. Points must be valid (Validate); values beyond
// the codec's limits are clamped rather than corrupting the stream.
func Encode(dst []byte, pts []Point) []byte {
	dst = append(dst, codecVersion)
	dst = binary.AppendUvarint(dst, uint64(len(pts)))
	if len(pts) == 0 {
		return dst
	}
	t0 := pts[0].At.UnixMilli()
	lat0, lon0 := e7(pts[0].Lat), e7(pts[0].Lon)
	dst = binary.AppendVarint(dst, t0)
	dst = binary.AppendVarint(dst, lat0)
	dst = binary.AppendVarint(dst, lon0)
	pt, plat, plon := t0, lat0, lon0
	for _, p := range pts {
		t, lat, lon := p.At.UnixMilli(), e7(p.Lat), e7(p.Lon)
		dt := t - pt
		if dt < 0 {
			dt = 0 // out of order: the caller sorts; never go backwards
			t = pt
		}
		dst = binary.AppendUvarint(dst, uint64(dt))
		dst = binary.AppendVarint(dst, lat-plat)
		dst = binary.AppendVarint(dst, lon-plon)
		acc := uint64(math.Round(math.Min(math.Max(p.Accuracy, 0), maxAccuracy) * 10))
		acc <<= 1
		if p.Mock {
			acc |= 1
		}
		dst = binary.AppendUvarint(dst, acc)
		var sp uint64
		if p.Speed >= 0 {
			sp = uint64(math.Round(math.Min(p.Speed, maxSpeed)*100)) + 1
		}
		dst = binary.AppendUvarint(dst, sp)
		pt, plat, plon = t, lat, lon
	}
	return dst
}

func e7(v float64) int64 { return int64(math.Round(v * 1e7)) }

// errCorrupt says a stored chunk cannot be read.
var errCorrupt = errors.New("patrol: corrupt point chunk")

// maxMillis is the latest time a chunk may hold (year 3000), in Unix ms.
const maxMillis = 32_503_680_000_000

// maxChunkPoints bounds the count a chunk header may claim, so a corrupt
// header cannot make Decode allocate without limit.
const maxChunkPoints = 1 << 20

// Decode appends the points of one chunk to dst. It returns an error, never
// panics, on a truncated or corrupt chunk.
func Decode(dst []Point, b []byte) ([]Point, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return dst, fmt.Errorf("%w: unknown version", errCorrupt)
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxChunkPoints {
		return dst, fmt.Errorf("%w: bad count", errCorrupt)
	}
	b = b[k:]
	if n == 0 {
		return dst, nil
	}
	var hdr [3]int64
	for i := range hdr {
		v, k := binary.Varint(b)
		if k <= 0 {
			return dst, fmt.Errorf("%w: truncated header", errCorrupt)
		}
		hdr[i], b = v, b[k:]
	}
	// Each point takes at least 5 bytes: a cheap bound before allocating.
	if uint64(len(b)) < 5*n {
		return dst, fmt.Errorf("%w: %d points claimed in %d bytes", errCorrupt, n, len(b))
	}
	t, lat, lon := hdr[0], hdr[1], hdr[2]
	if t < 0 || t > maxMillis || lat < -90e7 || lat > 90e7 || lon < -180e7 || lon > 180e7 {
		return dst, fmt.Errorf("%w: header out of range", errCorrupt)
	}
	dst = growPoints(dst, int(n))
	for i := uint64(0); i < n; i++ {
		var f [5]uint64
		var signed [2]int64
		for j := range 5 {
			if j == 1 || j == 2 {
				v, k := binary.Varint(b)
				if k <= 0 {
					return dst, fmt.Errorf("%w: truncated at point %d", errCorrupt, i)
				}
				signed[j-1], b = v, b[k:]
				continue
			}
			v, k := binary.Uvarint(b)
			if k <= 0 {
				return dst, fmt.Errorf("%w: truncated at point %d", errCorrupt, i)
			}
			f[j], b = v, b[k:]
		}
		if f[0] > maxMillis {
			return dst, fmt.Errorf("%w: time step out of range at point %d", errCorrupt, i)
		}
		t += int64(f[0])
		lat += signed[0]
		lon += signed[1]
		// Values no valid point has mean a corrupt chunk (and would not
		// encode back to the same bytes).
		if t < 0 || t > maxMillis || lat < -90e7 || lat > 90e7 || lon < -180e7 || lon > 180e7 ||
			f[3]>>1 > maxAccuracy*10 || f[4] > maxSpeed*100+1 {
			return dst, fmt.Errorf("%w: value out of range at point %d", errCorrupt, i)
		}
		p := Point{At: time.UnixMilli(t).UTC(), Lat: float64(lat) / 1e7, Lon: float64(lon) / 1e7,
			Accuracy: float64(f[3]>>1) / 10, Mock: f[3]&1 == 1, Speed: -1}
		if f[4] > 0 {
			p.Speed = float64(f[4]-1) / 100
		}
		dst = append(dst, p)
	}
	if len(b) != 0 {
		return dst, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(b))
	}
	return dst, nil
}

func growPoints(dst []Point, n int) []Point {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	out := make([]Point, len(dst), len(dst)+n)
	copy(out, dst)
	return out
}
