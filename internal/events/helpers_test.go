package events_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/events"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/store"
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

// rect returns the rectangle [w, e] × [s, n] (micro-degrees) as GeoJSON.
func rect(w, s, e, n int) string {
	m := func(v int) float64 { return float64(v) / 1e6 }
	return geo.Marshal(orb.Polygon{orb.Ring{{m(w), m(s)}, {m(e), m(s)}, {m(e), m(n)}, {m(w), m(n)}, {m(w), m(s)}}})
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
	mk := func(in org.NewUnit) org.Unit {
		t.Helper()
		in.ValidFrom = from
		u, err := e.org.CreateUnit(bg, "test", in)
		if err != nil {
			t.Fatalf("CreateUnit %q: %v", in.Name, err)
		}
		return u
	}
	district := mk(org.NewUnit{Level: org.District, Name: "朝阳区", Code: "110105"})
	street := mk(org.NewUnit{Level: org.Street, ParentID: district.ID, Name: "和平街道", Kind: "街道"})
	e.community = mk(org.NewUnit{Level: org.Community, ParentID: street.ID, Name: "和平里社区", Kind: "社区", Geometry: rect(west, north-cell, west+2*cell, north)})
	e.g1 = mk(org.NewUnit{Level: org.Grid, ParentID: e.community.ID, Name: "第1网格", Geometry: rect(west, north-cell, west+cell, north)})
	e.g2 = mk(org.NewUnit{Level: org.Grid, ParentID: e.community.ID, Name: "第2网格", Geometry: rect(west+cell, north-cell, west+2*cell, north)})
	worker := func(name string, emp org.Employment, grid org.Unit) org.Worker {
		w, err := e.org.CreateWorker(bg, "test", org.NewWorker{Name: name, Employment: emp, Post: org.GridWorker, Phone: "13800138000",
			InPostSince: dates.MustParse("2025-01-01"), HomeUnitID: e.community.ID})
		if err != nil {
			t.Fatalf("CreateWorker: %v", err)
		}
		if _, err := e.org.Assign(bg, "test", org.NewAssignment{WorkerID: w.ID, GridID: grid.ID, Kind: org.Primary, ValidFrom: from}); err != nil {
			t.Fatalf("Assign: %v", err)
		}
		return w
	}
	e.full = worker("王芳", org.FullTime, e.g1)
	e.part = worker("李强", org.PartTime, e.g2)
	e.fullBy = events.Actor{UserID: "u-full", WorkerID: e.full.ID}
	e.partBy = events.Actor{UserID: "u-part", WorkerID: e.part.ID}
	e.centre = events.Actor{UserID: "u-centre"}
	e.photo = strings.Repeat("ab", 32)
	if _, err := db.ExecContext(bg, `INSERT INTO files (sha256, size, mime, name, created_at, created_by) VALUES ($1, 1, 'image/jpeg', 'p.jpg', $2, 'test')`,
		e.photo, store.Now()); err != nil {
		t.Fatal(err)
	}
	return e
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
	if err == nil {
		t.Fatalf("got no error, want %s naming %v", code, fields)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error code %s, want %s: %v", got, code, err)
	}
	ae := apperr.As(err)
	for _, f := range fields {
		if !slices.ContainsFunc(ae.Fields, func(fe apperr.FieldError) bool { return fe.Field == f }) {
			t.Fatalf("error does not name field %q: %v", f, err)
		}
	}
}

func f64(v float64) *float64 { return &v }
