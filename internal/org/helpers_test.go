package org_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// Shared fixtures for the org tests. Coordinates are built from integer
// micro-degrees so that neighbouring tiles share their borders exactly.

const actor = "test"

var bg = context.Background()

// day parses a 'YYYY-MM-DD' literal.
func day(s string) dates.Date { return dates.MustParse(s) }

// micro converts micro-degrees to degrees.
func micro(v int) float64 { return float64(v) / 1e6 }

// rectPoly returns the rectangle [w, e] × [s, n] (micro-degrees) as a closed
// counter-clockwise ring.
func rectPoly(w, s, e, n int) orb.Polygon {
	return orb.Polygon{orb.Ring{
		{micro(w), micro(s)}, {micro(e), micro(s)}, {micro(e), micro(n)}, {micro(w), micro(n)}, {micro(w), micro(s)},
	}}
}

// rect returns rectPoly as GeoJSON text.
func rect(w, s, e, n int) string { return geo.Marshal(rectPoly(w, s, e, n)) }

// The community tiling: Cols × Rows cells of Cell micro-degrees, its
// north-west corner at (West, North).
const (
	West  = 116_300_000
	North = 39_920_000
	Cell  = 10_000
	Cols  = 3
	Rows  = 2
)

// communityAt returns the polygon of a Cols×Rows community whose west edge
// is at west (micro-degrees).
func communityAt(west int) string {
	return rect(west, North-Rows*Cell, west+Cols*Cell, North)
}

// cellAt returns cell (col, row) of the community whose west edge is at
// west: col counts west→east, row north→south, both from 0.
func cellAt(west, col, row int) string {
	return rect(west+col*Cell, North-(row+1)*Cell, west+(col+1)*Cell, North-row*Cell)
}

// cell is cellAt for the first community (at West).
func cell(col, row int) string { return cellAt(West, col, row) }

// The fixture's codes (CJ/T 349): 朝阳区 110105, its first street and first
// community generated under it.
const (
	DistrictCode  = "110105"
	StreetCode    = "110105001"
	CommunityCode = "110105001001"
)

// Start is the date the fixture's tree is in force from.
var Start = day("2026-01-01")

// town is a small org tree: a district, a street and one community with a
// polygon (no grids yet).
type town struct {
	db        *store.DB
	st        *org.Store
	district  org.Unit
	street    org.Unit
	community org.Unit
}

// newTown builds the district → street → community chain from Start.
func newTown(t *testing.T, db *store.DB) *town {
	t.Helper()
	tw := &town{db: db, st: org.NewStore(db)}
	tw.district = tw.mustCreate(t, org.NewUnit{Level: org.District, Name: "朝阳区", Code: DistrictCode, ValidFrom: Start})
	tw.street = tw.mustCreate(t, org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "和平街道", Kind: "街道", ValidFrom: Start})
	tw.community = tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "和平里社区", Kind: "社区",
		Geometry: communityAt(West), ValidFrom: Start})
	if tw.street.Code != StreetCode || tw.community.Code != CommunityCode {
		t.Fatalf("fixture codes: street %s, community %s; want %s, %s", tw.street.Code, tw.community.Code, StreetCode, CommunityCode)
	}
	return tw
}

// eachTown runs fn once per engine on a fresh town.
func eachTown(t *testing.T, fn func(t *testing.T, tw *town)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newTown(t, db)) })
}

// mustCreate creates a unit or fails the test.
func (tw *town) mustCreate(t *testing.T, in org.NewUnit) org.Unit {
	t.Helper()
	u, err := tw.st.CreateUnit(bg, actor, in)
	if err != nil {
		t.Fatalf("CreateUnit %s %q: %v", in.Level, in.Name, err)
	}
	return u
}

// grid creates a grid of the community at cell (col, row), with a generated
// code, from Start.
func (tw *town) grid(t *testing.T, name string, col, row int) org.Unit {
	t.Helper()
	return tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: name, Geometry: cell(col, row), ValidFrom: Start})
}

// tile creates the community's Cols×Rows grids in reading order (第1网格 …
// 第6网格), so their generated codes are …01 … …06.
func (tw *town) tile(t *testing.T) []org.Unit {
	t.Helper()
	var gs []org.Unit
	for r := range Rows {
		for c := range Cols {
			gs = append(gs, tw.grid(t, fmt.Sprintf("第%d网格", len(gs)+1), c, r))
		}
	}
	return gs
}

// worker adds a full-time grid worker homed at unit home, in post since
// since.
func (tw *town) worker(t *testing.T, name, home string, since dates.Date) org.Worker {
	t.Helper()
	w, err := tw.st.CreateWorker(bg, actor, org.NewWorker{Name: name, Employment: org.FullTime, Post: org.GridWorker,
		Phone: "13800138000", InPostSince: since, HomeUnitID: home})
	if err != nil {
		t.Fatalf("CreateWorker %q: %v", name, err)
	}
	return w
}

// assign makes an assignment or fails the test.
func (tw *town) assign(t *testing.T, in org.NewAssignment) org.Assignment {
	t.Helper()
	a, err := tw.st.Assign(bg, actor, in)
	if err != nil {
		t.Fatalf("Assign %+v: %v", in, err)
	}
	return a
}

// wantErr checks that err is an apperr with code and, when field is not
// empty, that it names field. It returns the *apperr.Error.
func wantErr(t *testing.T, err error, code apperr.Code, field string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s naming %q", code, field)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error code %s, want %s: %v", got, code, err)
	}
	e := apperr.As(err)
	if field != "" && !hasField(e, field) {
		t.Fatalf("error does not name field %q: %v", field, err)
	}
	return e
}

func hasField(e *apperr.Error, field string) bool {
	return e != nil && slices.ContainsFunc(e.Fields, func(f apperr.FieldError) bool { return f.Field == field })
}

// reason returns the Reason given for field, failing if there is none.
func reason(t *testing.T, e *apperr.Error, field string) string {
	t.Helper()
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Reason
		}
	}
	t.Fatalf("error names no field %q: %v", field, e)
	return ""
}

// fieldNames lists the fields an error names, sorted.
func fieldNames(e *apperr.Error) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// rowCounts counts the rows of the tables a write may touch.
func rowCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"org_units", "org_unit_versions", "audit_log", "workers", "assignments"} {
		var n int
		if err := db.QueryRowContext(bg, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// refused runs write, which must be refused as Invalid naming field with a
// reason that says want, and must leave every table as it was. It returns
// the error for the caller's own checks.
func refused(t *testing.T, db *store.DB, field, want string, write func() error) *apperr.Error {
	t.Helper()
	before := rowCounts(t, db)
	e := wantErr(t, write(), apperr.Invalid, field)
	if r := reason(t, e, field); !strings.Contains(r, want) {
		t.Errorf("%s reason %q does not say %q", field, r, want)
	}
	wantCounts(t, db, before)
	return e
}

// wantCounts fails if the row counts differ from before.
func wantCounts(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	after := rowCounts(t, db)
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows after the refused write, %d before", table, after[table], n)
		}
	}
}

// ids returns the IDs of us.
func ids(us []org.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// codes returns the codes of us.
func codes(us []org.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Code
	}
	return out
}

// names returns the names of us joined by commas, for messages.
func names(us []org.Unit) string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Name
	}
	return strings.Join(out, ",")
}

// samePolygon reports whether two GeoJSON texts hold the same polygon.
func samePolygon(t *testing.T, a, b string) bool {
	t.Helper()
	pa, err := geo.ParsePolygon([]byte(a))
	if err != nil {
		t.Fatalf("parse %s: %v", a, err)
	}
	pb, err := geo.ParsePolygon([]byte(b))
	if err != nil {
		t.Fatalf("parse %s: %v", b, err)
	}
	return pa.Equal(pb)
}

// listUnits lists units or fails the test, checking total against the page.
func listUnits(t *testing.T, st *org.Store, q org.UnitQuery) []org.Unit {
	t.Helper()
	us, total, err := st.ListUnits(bg, q)
	if err != nil {
		t.Fatalf("ListUnits %+v: %v", q, err)
	}
	if q.Limit == 0 && total != len(us) {
		t.Fatalf("ListUnits %+v: total %d, but %d units", q, total, len(us))
	}
	return us
}

// gridCode returns the code of grid n (1-based) of the fixture community.
func gridCode(n int) string { return fmt.Sprintf("%s%02d", CommunityCode, n) }

// listCase is a list query and the rows it must give, in order.
type listCase[Q, T any] struct {
	name string
	q    Q
	want []T
}

// checkList runs each case as a subtest: list must give exactly its rows,
// compared by key, and their count as the total.
func checkList[Q, T any](t *testing.T, list func(context.Context, Q) ([]T, int, error), key func([]T) []string, cases []listCase[Q, T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := list(bg, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(key(got), key(tc.want)) || total != len(tc.want) {
				t.Fatalf("list %+v = %v (total %d), want %v", tc.q, key(got), total, key(tc.want))
			}
		})
	}
}

// checkPage runs a subtest "paging": the page q asks for must hold the rows
// keyed want, and the total count every row.
func checkPage[Q, T any](t *testing.T, list func(context.Context, Q) ([]T, int, error), key func([]T) []string, q Q, want []string, total int) {
	t.Helper()
	t.Run("paging", func(t *testing.T) {
		got, n, err := list(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		if n != total || !slices.Equal(key(got), want) {
			t.Fatalf("page = %v (total %d)", key(got), n)
		}
	})
}
