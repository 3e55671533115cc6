package org_test

import (
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/org"
)

// badGeometries are grid polygons with one fault each, and a part of the
// reason the geometry field must give.
var badGeometries = []struct {
	name, geojson, reason string
}{
	{"unclosed ring", `{"type":"Polygon","coordinates":[[[116.30,39.91],[116.31,39.91],[116.31,39.92],[116.30,39.92],[116.30,39.915]]]}`, "is not closed"},
	{"bowtie", `{"type":"Polygon","coordinates":[[[116.30,39.91],[116.31,39.92],[116.31,39.91],[116.30,39.92],[116.30,39.91]]]}`, "crosses itself"},
	{"longitude out of range", `{"type":"Polygon","coordinates":[[[116.30,39.91],[186.31,39.91],[116.31,39.92],[116.30,39.92],[116.30,39.91]]]}`, "out of range: longitude"},
	{"latitude out of range", `{"type":"Polygon","coordinates":[[[116.30,39.91],[116.31,39.91],[116.31,99.92],[116.30,39.92],[116.30,39.91]]]}`, "out of range: latitude"},
	{"too few points", `{"type":"Polygon","coordinates":[[[116.30,39.91],[116.31,39.91],[116.30,39.91]]]}`, "at least 4"},
	{"not JSON", `POLYGON((116.30 39.91, 116.31 39.91, 116.31 39.92, 116.30 39.91))`, "not valid JSON"},
	{"a Point", `{"type":"Point","coordinates":[116.30,39.91]}`, "not a Polygon"},
	{"a MultiPolygon", `{"type":"MultiPolygon","coordinates":[[[[116.30,39.91],[116.31,39.91],[116.31,39.92],[116.30,39.91]]]]}`, "not a Polygon"},
	{"outside the community", cellAt(West, 3, 0), "lies outside the outer polygon"},
	{"straddling the community border", rect(West+2*Cell+Cell/2, North-Cell, West+3*Cell+Cell/2, North), "outside"},
}

// TestGridGeometryFaults: a bad polygon is refused as Invalid, naming the
// grid in the message and the fault under geometry, and nothing is stored.
func TestGridGeometryFaults(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		for _, tc := range badGeometries {
			t.Run(tc.name, func(t *testing.T) {
				name := "坏网格·" + tc.name
				e := refused(t, tw.db, "geometry", tc.reason, func() error {
					_, err := tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: name,
						Geometry: tc.geojson, ValidFrom: Start})
					return err
				})
				if !strings.Contains(e.Message, name) {
					t.Errorf("message %q does not name the grid %q", e.Message, name)
				}
			})
		}
	})
}

// TestRedrawGridGeometryFaults: redrawing a grid with a bad polygon is
// refused the same way, and the grid keeps its one version.
func TestRedrawGridGeometryFaults(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		g := tw.grid(t, "第1网格", 0, 0)
		for _, tc := range badGeometries {
			t.Run(tc.name, func(t *testing.T) {
				geom := tc.geojson
				e := refused(t, tw.db, "geometry", tc.reason, func() error {
					_, err := tw.st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: day("2026-03-01"), Geometry: &geom})
					return err
				})
				if !strings.Contains(e.Message, "第1网格") {
					t.Errorf("message %q does not name the grid", e.Message)
				}
				got, err := tw.st.GetUnit(bg, g.ID, day("2026-03-10"))
				if err != nil || got.ValidFrom != Start || !samePolygon(t, got.Geometry, cell(0, 0)) {
					t.Fatalf("after a refused redraw GetUnit = %+v, %v", got, err)
				}
			})
		}
	})
}

// TestRedrawCommunity: a community may not be redrawn so that one of its
// grids falls outside; the error names that grid.
func TestRedrawCommunity(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		grids := tw.tile(t)
		from := day("2026-03-01")
		// Two columns instead of three: 第3网格 and 第6网格 fall outside;
		// the first one checked is named.
		narrow := rect(West, North-Rows*Cell, West+2*Cell, North)
		t.Run("leaving grids outside", func(t *testing.T) {
			before := rowCounts(t, tw.db)
			_, err := tw.st.ChangeUnit(bg, actor, tw.community.ID, org.UnitChange{From: from, Geometry: &narrow})
			e := wantErr(t, err, apperr.Invalid, "geometry")
			if !strings.Contains(e.Message, "和平里社区") || !(strings.Contains(e.Message, "第3网格") || strings.Contains(e.Message, "第6网格")) {
				t.Errorf("message %q should name the community and a grid left outside", e.Message)
			}
			wantCounts(t, tw.db, before)
		})
		t.Run("after the grid outside has ended", func(t *testing.T) {
			// A grid only outside from the date its community shrinks is
			// fine once it has ended by then.
			for _, g := range []org.Unit{grids[2], grids[5]} {
				if err := tw.st.EndUnit(bg, actor, g.ID, from); err != nil {
					t.Fatal(err)
				}
			}
			c, err := tw.st.ChangeUnit(bg, actor, tw.community.ID, org.UnitChange{From: from, Geometry: &narrow})
			if err != nil {
				t.Fatal(err)
			}
			if !samePolygon(t, c.Geometry, narrow) {
				t.Fatalf("redrawn community polygon %s", c.Geometry)
			}
			old, err := tw.st.GetUnit(bg, tw.community.ID, day("2026-02-28"))
			if err != nil || !samePolygon(t, old.Geometry, communityAt(West)) {
				t.Fatalf("the community on 2026-02-28 = %+v, %v; want the old polygon", old, err)
			}
		})
		t.Run("a new grid must fit the redrawn community", func(t *testing.T) {
			_, err := tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "迟到网格",
				Geometry: cell(2, 0), ValidFrom: day("2026-03-05")})
			e := wantErr(t, err, apperr.Invalid, "geometry")
			if !strings.Contains(e.Message, "迟到网格") {
				t.Errorf("message %q does not name the grid", e.Message)
			}
		})
	})
}

// TestRedrawCommunityAroundArea: grids under a 片区 without a polygon are
// the community's grids too; a redraw may not leave them outside.
func TestRedrawCommunityAroundArea(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		area := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "东片区", ValidFrom: Start})
		tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: area.ID, Name: "东1网格", Geometry: cell(2, 0), ValidFrom: Start})
		narrow := rect(West, North-Rows*Cell, West+2*Cell, North)
		before := rowCounts(t, tw.db)
		_, err := tw.st.ChangeUnit(bg, actor, tw.community.ID, org.UnitChange{From: day("2026-03-01"), Geometry: &narrow})
		e := wantErr(t, err, apperr.Invalid, "geometry")
		if !strings.Contains(e.Message, "东1网格") {
			t.Errorf("message %q does not name the grid left outside", e.Message)
		}
		wantCounts(t, tw.db, before)
	})
}

// TestStreetPolygon: a community must lie inside its street's polygon when
// the street has one.
func TestStreetPolygon(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		big := rect(West, North-4*Cell, West+6*Cell, North)
		st := tw.mustCreate(t, org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "有界街道", Geometry: big, ValidFrom: Start})
		tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: st.ID, Name: "界内社区", Geometry: communityAt(West), ValidFrom: Start})
		before := rowCounts(t, tw.db)
		_, err := tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Community, ParentID: st.ID, Name: "界外社区",
			Geometry: communityAt(West + 6*Cell), ValidFrom: Start})
		e := wantErr(t, err, apperr.Invalid, "geometry")
		if !strings.Contains(e.Message, "界外社区") || !strings.Contains(e.Message, "有界街道") {
			t.Errorf("message %q should name the community and the street", e.Message)
		}
		wantCounts(t, tw.db, before)
	})
}
