// Package patrol ingests the grid workers' phone GPS tracks (巡查), cuts
// them into patrols, measures the time spent inside each worker's own grids,
// flags what a cheat would leave behind, and measures the patrol facts
// (facts.go).
//
// The path of a point:
//
//  1. Ingest: the phone sends a batch of points (and start/stop markers)
//     under a client-made UUID; a resend is a no-op. The batch is validated
//     whole (nothing half-stored) and stored compactly, one blob per batch
//     and Shanghai day (codec.go), and the worker's day is marked stale.
//  2. Settle: each stale worker-day is analysed again from all its stored
//     points, whatever order and batches they came in (analyse.go), and its
//     summary, patrols and flags replace the old ones. The facts, the day
//     view and the flag list settle first, so they never read a stale day.
//  3. Facts: per worker per month, from the day summaries (facts.go).
//
// The thresholds are in Params; DefaultParams documents each choice.
package patrol

import (
	"context"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// Point is one GPS fix as the phone reports it.
type Point struct {
	Lat      float64   `json:"lat" doc:"latitude, WGS84 degrees"`
	Lon      float64   `json:"lon" doc:"longitude, WGS84 degrees"`
	Accuracy float64   `json:"accuracy" doc:"horizontal accuracy radius in metres (> 0)"`
	At       time.Time `json:"at" doc:"when the fix was taken (RFC 3339)"`
	Speed    float64   `json:"speed" doc:"speed in m/s as the phone reports it; negative for unknown"`
	Mock     bool      `json:"mock" doc:"the phone reported a mock (simulated) location"`
}

// MarkerKind is an explicit patrol start or stop tapped in the app.
type MarkerKind string

// The marker kinds.
const (
	Start MarkerKind = "start"
	Stop  MarkerKind = "stop"
)

// Marker is an explicit start or stop of a patrol.
type Marker struct {
	Kind MarkerKind `json:"kind" enum:"start,stop"`
	At   time.Time  `json:"at" doc:"when the worker tapped it (RFC 3339)"`
}

// Batch is what a phone sends: points and markers buffered since the last
// send, under a client-made UUID so that a resend is a no-op.
type Batch struct {
	ClientID string   `json:"client_id" doc:"a UUID the phone made for this batch; a resend with the same id is a no-op"`
	Points   []Point  `json:"points"`
	Markers  []Marker `json:"markers,omitempty"`
}

// LeaveSource tells which workers were on approved leave when. The duty
// package implements it; a nil LeaveSource means no leave is known.
type LeaveSource interface {
	// ApprovedLeave returns, per worker ID, the approved leave intervals
	// overlapping [from, to).
	ApprovedLeave(ctx context.Context, from, to time.Time) (map[string][]workcal.Interval, error)
}

// Params are the thresholds of the analysis. DefaultParams are the
// documented choices; tests use them too.
type Params struct {
	// MaxAccuracy: a fix whose accuracy radius exceeds it (metres) is
	// dropped: a 100 m circle is already wider than a street and would make
	// the inside/outside test meaningless near a grid's edge.
	MaxAccuracy float64
	// Gap: two fixes further apart in time end a patrol (the phone was off
	// or out of coverage, and nothing says where the worker was).
	Gap time.Duration
	// IdleRadius and IdleMin: fixes that stay within IdleRadius metres of
	// the first of them for IdleMin or longer are idle time (sitting in an
	// office is not patrolling); it is not counted and ends a patrol.
	IdleRadius float64
	IdleMin    time.Duration
	// MaxSpeed: a step between consecutive fixes faster than this (m/s),
	// beyond both fixes' accuracy radii, is a teleport; 50 m/s is 180 km/h,
	// beyond any street patrol, on foot, bicycle or car.
	MaxSpeed float64
	// LongPatrol and LongGrace: a patrol counts as long (seed 001's "每次
	// 不少于3小时") when its time inside the own grids reaches LongPatrol −
	// LongGrace. A 3 h patrol sampled every 30 s spans 2 h 59 min 30 s from
	// its first fix to its last; the grace of one minute accepts it.
	LongPatrol time.Duration
	LongGrace  time.Duration
	// OutOfArea: a continuous stretch of fixes outside every own grid during
	// working hours on a working day, not on leave, lasting this long or
	// longer, counts as one time out of the work area (seed 000 III). A short
	// step over the boundary (a shop across the road) is not counted.
	OutOfArea time.Duration
	// RepeatMinPoints: a patrol needs at least this many fixes for its track
	// to be compared with others (short tracks repeat by chance).
	RepeatMinPoints int
}

// DefaultParams are the thresholds in force (docs/metrics.md, Patrols).
var DefaultParams = Params{
	MaxAccuracy:     100,
	Gap:             10 * time.Minute,
	IdleRadius:      30,
	IdleMin:         15 * time.Minute,
	MaxSpeed:        50,
	LongPatrol:      3 * time.Hour,
	LongGrace:       time.Minute,
	OutOfArea:       30 * time.Minute,
	RepeatMinPoints: 20,
}

// Limits of a batch.
const (
	// MaxBatchItems is the most points and markers one batch may carry:
	// about 16 hours of fixes every 30 s, so a phone that was offline all
	// day sends its buffer in two or three batches.
	MaxBatchItems = 2000
	// MaxSkew is how far in the future (by the server's clock) a fix may
	// lie: phones' clocks drift.
	MaxSkew = 5 * time.Minute
	// MaxAge is how old a fix may be: a phone offline for longer than a
	// month has lost the month's facts anyway, and an older time is a
	// broken clock.
	MaxAge = 35 * 24 * time.Hour
)

// Store ingests and analyses patrols.
type Store struct {
	db     *store.DB
	params Params
	leave  LeaveSource
	cal    func(ctx context.Context) (*workcal.Calendar, error)
	clock  func() time.Time
}

// Options are what a Store needs beyond the database; the zero value is
// no leave source, the stored work calendar and the system clock.
type Options struct {
	// Leave makes the store flag points during approved leave and excuse
	// leave from the facts (duty's store satisfies it); nil means no leave
	// is known.
	Leave LeaveSource
	// Calendar, when set, is the work calendar instead of the stored one
	// (tests).
	Calendar *workcal.Calendar
	// Clock is the time now (default time.Now): the future and age limits
	// of a batch are measured from it, and facts do not count days after
	// its day.
	Clock func() time.Time
}

// NewStore returns a Store on db with DefaultParams and opt.
func NewStore(db *store.DB, opt Options) *Store {
	s := &Store{db: db, params: DefaultParams, leave: opt.Leave, cal: workcal.NewStore(db).Calendar, clock: opt.Clock}
	if opt.Calendar != nil {
		c := opt.Calendar
		s.cal = func(context.Context) (*workcal.Calendar, error) { return c, nil }
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s
}

// WithClock returns a store like s that reads the time from clock, for the
// demo, which ingests history: s itself is left as it is, so a server
// using s meanwhile keeps the real time. The two share the database but
// not the SQLite ingestion lock; use the copy alone.
func (s *Store) WithClock(clock func() time.Time) *Store {
	return &Store{db: s.db, params: s.params, leave: s.leave, cal: s.cal, clock: clock}
}

// Params returns the thresholds in force.
func (s *Store) Params() Params { return s.params }

// dayRef is the evidence and flag key of a worker's day: "worker:YYYY-MM-DD".
func dayRef(worker string, d dates.Date) string { return worker + ":" + d.String() }
