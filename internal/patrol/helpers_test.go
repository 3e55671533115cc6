package patrol_test

import (
	"context"
	"math"
	"time"

	"github.com/paulmach/orb"

	"gridwork/internal/dates"
	"gridwork/internal/patrol"
	"gridwork/internal/workcal"
)

var bg = context.Background()

// The test grid: lon [116.300, 116.310] × lat [39.910, 39.920], about
// 853 m × 1112 m. 0.001° of longitude here is 85.3 m, of latitude 111.2 m.
const (
	west, east   = 116.300, 116.310
	south, north = 39.910, 39.920
)

func rectPolygon(w, s, e, n float64) orb.Polygon {
	return orb.Polygon{orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}
}

var testArea = patrol.Area{patrol.NewGrid("g1", rectPolygon(west, south, east, north))}

// at returns the instant of a Shanghai wall-clock time "YYYY-MM-DD hh:mm:ss".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// pt is a good fix (5 m accuracy, 1.2 m/s).
func pt(t time.Time, lat, lon float64) patrol.Point {
	return patrol.Point{At: t, Lat: lat, Lon: lon, Accuracy: 5, Speed: 1.2}
}

// loop walks the inset loop lon [116.301, 116.309] × lat [39.911, 39.919]
// at 1.2 m/s from start for dur, a fix every step, starting phase metres
// along the loop: a patrol wholly inside the test grid.
func loop(start time.Time, dur, step time.Duration, phase float64) []patrol.Point {
	const w, e, s, n = 116.301, 116.309, 39.911, 39.919
	mLon := 85_300.0 // metres per degree of longitude here, about
	mLat := 111_200.0
	sides := []float64{(e - w) * mLon, (n - s) * mLat, (e - w) * mLon, (n - s) * mLat}
	per := sides[0] + sides[1] + sides[2] + sides[3]
	var out []patrol.Point
	for t := time.Duration(0); t <= dur; t += step {
		d := math.Mod(phase+1.2*t.Seconds(), per)
		var lat, lon float64
		switch {
		case d < sides[0]:
			lat, lon = s, w+d/mLon
		case d < sides[0]+sides[1]:
			lat, lon = s+(d-sides[0])/mLat, e
		case d < sides[0]+sides[1]+sides[2]:
			lat, lon = n, e-(d-sides[0]-sides[1])/mLon
		default:
			lat, lon = n-(d-sides[0]-sides[1]-sides[2])/mLat, w
		}
		out = append(out, pt(start.Add(t), lat, lon))
	}
	return out
}

// plainCalendar is the weekday rule without holidays, 08:30-17:30, so that
// expected values can be worked out from a wall calendar.
func plainCalendar() *workcal.Calendar { return workcal.New(nil, workcal.DefaultHours) }

// leaveOf is a fake LeaveSource.
type leaveOf map[string][]workcal.Interval

func (l leaveOf) ApprovedLeave(_ context.Context, from, to time.Time) (map[string][]workcal.Interval, error) {
	out := map[string][]workcal.Interval{}
	for w, ivs := range l {
		for _, iv := range ivs {
			if iv.To.After(from) && iv.From.Before(to) {
				out[w] = append(out[w], iv)
			}
		}
	}
	return out, nil
}
