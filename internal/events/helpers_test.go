package events_test

import (
	"context"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/apperr/apperrtest"
	"gridwork/internal/dates"
	"gridwork/internal/events"
	"gridwork/internal/files/filestest"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

var bg = context.Background()

// at returns the instant of a Shanghai wall-clock time "YYYY-MM-DD hh:mm".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// The fixture's geometry: two grids side by side, 0.01° wide (about 850 m
// east-west at this latitude, 1.1 km north-south).
const (
	west, north, cell = 116_300_000, 39_920_000, 10_000
)

// inG1 and inG2 are positions inside each grid.
var (
	lat1, lon1 = 39.915, 116.305
	lat2, lon2 = 39.915, 116.315
)

// env is a community with two grids, a full-time worker on g1 and a
// part-time one on g2, the events store with a settable clock, and a
// stored photo.
type env struct {
	db             *store.DB
	org            *org.Store
	ev             *events.Store
	community      org.Unit
	g1, g2         org.Unit
	full, part     org.Worker
	photo          string
	clock          time.Time
	fullBy, partBy events.Actor
	centre         events.Actor
}

// now is the env's clock, which tests move.
func (e *env) now() time.Time { return e.clock }

func newEnv(t *testing.T, db *store.DB, now time.Time) *env {
	t.Helper()
	e := &env{db: db, org: org.NewStore(db), clock: now}
	e.ev = events.NewStore(db, workcal.NewStore(db), events.Options{Clock: e.now})
	from := dates.MustParse("2026-01-01")
	b := orgtest.New(t, e.org, from)
	_, street := b.Street()
	e.community = b.Community(street, "和平里社区", orgtest.Rect(west, north-cell, west+2*cell, north))
	e.g1 = b.Grid(e.community, "第1网格", orgtest.Rect(west, north-cell, west+cell, north))
	e.g2 = b.Grid(e.community, "第2网格", orgtest.Rect(west+cell, north-cell, west+2*cell, north))
	worker := func(name string, emp org.Employment, grid org.Unit) org.Worker {
		return b.GridWorker(org.NewWorker{Name: name, Employment: emp, Phone: "13800138000",
			InPostSince: dates.MustParse("2025-01-01"), HomeUnitID: e.community.ID}, grid, from)
	}
	e.full = worker("王芳", org.FullTime, e.g1)
	e.part = worker("李强", org.PartTime, e.g2)
	e.fullBy = events.Actor{UserID: "u-full", WorkerID: e.full.ID}
	e.partBy = events.Actor{UserID: "u-part", WorkerID: e.part.ID}
	e.centre = events.Actor{UserID: "u-centre"}
	e.photo = filestest.Photo(t, db)
	return e
}

// eachEnv runs fn once per engine on a fresh env with the clock at now.
func eachEnv(t *testing.T, now time.Time, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, now)) })
}

// set moves the clock to a Shanghai wall-clock time.
func (e *env) set(s string) { e.clock = at(s) }

// report reports an event at the clock's time or fails the test.
func (e *env) report(t *testing.T, by events.Actor, in events.NewEvent) events.Event {
	t.Helper()
	if in.Description == "" {
		in.Description = "小区东门井盖破损，有坠落危险"
	}
	if in.CategoryCode == "" {
		in.CategoryCode = "part_road"
	}
	if in.Photos == nil {
		in.Photos = []string{e.photo}
	}
	if in.GridID == "" && in.Lat == nil {
		in.GridID = e.g1.ID
	}
	r, err := e.ev.Report(bg, by, in)
	if err != nil {
		t.Fatalf("Report %+v: %v", in, err)
	}
	return r.Event
}

// act takes an action or fails the test.
func (e *env) act(t *testing.T, by events.Actor, id string, a events.Action, in events.ActInput) events.Event {
	t.Helper()
	ev, err := e.ev.Act(bg, by, id, a, in)
	if err != nil {
		t.Fatalf("%s %s: %v", a, id, err)
	}
	return ev
}

// wantErr checks that err is an apperr with code naming every field given.
func wantErr(t *testing.T, err error, code apperr.Code, fields ...string) {
	t.Helper()
	apperrtest.Want(t, err, code, fields...)
}

func f64(v float64) *float64 { return &v }
