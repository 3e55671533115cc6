// Package orgtest builds org trees for other packages' tests through org's
// store API: units, workers and assignments in force from one date, each
// failing the test on an error, and the rectangles their geometry is drawn
// from.
package orgtest

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/org"
)

// Actor is the name the fixtures write under.
const Actor = "test"

// Rect returns the rectangle [w, e] × [s, n], given in micro-degrees, as
// GeoJSON. Integer corners let neighbouring tiles share their borders
// exactly.
func Rect(w, s, e, n int) string {
	m := func(v int) float64 { return float64(v) / 1e6 }
	return RectDegrees(m(w), m(s), m(e), m(n))
}

// RectDegrees returns the rectangle [w, e] × [s, n], given in degrees, as
// GeoJSON.
func RectDegrees(w, s, e, n float64) string {
	return geo.Marshal(orb.Polygon{orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}})
}

// Builder writes a tree through St, every unit in force from From.
type Builder struct {
	St   *org.Store
	From dates.Date
	tb   testing.TB
}

// New returns a builder on st whose units are in force from from.
func New(tb testing.TB, st *org.Store, from dates.Date) *Builder {
	return &Builder{St: st, From: from, tb: tb}
}

// Unit creates a unit in force from the builder's date.
func (b *Builder) Unit(in org.NewUnit) org.Unit {
	b.tb.Helper()
	in.ValidFrom = b.From
	u, err := b.St.CreateUnit(context.Background(), Actor, in)
	if err != nil {
		b.tb.Fatalf("CreateUnit %s %q: %v", in.Level, in.Name, err)
	}
	return u
}

// Street creates the district 朝阳区 (110105) and under it the street
// 和平街道, the top of most fixture trees.
func (b *Builder) Street() (district, street org.Unit) {
	b.tb.Helper()
	district = b.Unit(org.NewUnit{Level: org.District, Name: "朝阳区", Code: "110105"})
	street = b.Unit(org.NewUnit{Level: org.Street, ParentID: district.ID, Name: "和平街道", Kind: "街道"})
	return district, street
}

// Community creates a community (kind 社区) under parent.
func (b *Builder) Community(parent org.Unit, name, geometry string) org.Unit {
	b.tb.Helper()
	return b.Unit(org.NewUnit{Level: org.Community, ParentID: parent.ID, Name: name, Kind: "社区", Geometry: geometry})
}

// Grid creates a grid under community.
func (b *Builder) Grid(community org.Unit, name, geometry string) org.Unit {
	b.tb.Helper()
	return b.Unit(org.NewUnit{Level: org.Grid, ParentID: community.ID, Name: name, Geometry: geometry})
}

// Worker creates a worker.
func (b *Builder) Worker(in org.NewWorker) org.Worker {
	b.tb.Helper()
	w, err := b.St.CreateWorker(context.Background(), Actor, in)
	if err != nil {
		b.tb.Fatalf("CreateWorker %q: %v", in.Name, err)
	}
	return w
}

// Assign makes an assignment.
func (b *Builder) Assign(in org.NewAssignment) org.Assignment {
	b.tb.Helper()
	a, err := b.St.Assign(context.Background(), Actor, in)
	if err != nil {
		b.tb.Fatalf("Assign %+v: %v", in, err)
	}
	return a
}

// GridWorker creates a grid worker as in and makes it the primary worker
// of grid from the date from.
func (b *Builder) GridWorker(in org.NewWorker, grid org.Unit, from dates.Date) org.Worker {
	b.tb.Helper()
	in.Post = org.GridWorker
	w := b.Worker(in)
	b.Assign(org.NewAssignment{WorkerID: w.ID, GridID: grid.ID, Kind: org.Primary, ValidFrom: from})
	return w
}
