package org_test

import (
	"slices"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/org"
)

// TestTreeCodes builds district → street → community → grids and checks the
// CJ/T 349 codes: county 6 + street 3 + community 3 + grid 2.
func TestTreeCodes(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		street2 := tw.mustCreate(t, org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "安贞街道", Kind: "街道", ValidFrom: Start})
		// An explicit code is accepted when it has the right shape and prefix,
		// and generation continues after the largest code used.
		c5 := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "五号社区", Code: "110105001005",
			Geometry: communityAt(West + Cols*Cell), ValidFrom: Start})
		c6 := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "六号社区", ValidFrom: Start})
		c21 := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: street2.ID, Name: "安贞里社区", Kind: "社区", ValidFrom: Start})
		g1 := tw.grid(t, "第1网格", 0, 0)
		g2 := tw.grid(t, "第2网格", 1, 0)
		g9 := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "第9网格", Code: CommunityCode + "09",
			Geometry: cell(2, 0), ValidFrom: Start})
		g10 := tw.grid(t, "第10网格", 0, 1)
		other := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: c5.ID, Name: "五号第1网格", Geometry: cellAt(West+Cols*Cell, 0, 0), ValidFrom: Start})

		for _, tc := range []struct {
			unit  org.Unit
			level org.Level
			code  string
		}{
			{tw.district, org.District, "110105"},
			{tw.street, org.Street, "110105001"},
			{street2, org.Street, "110105002"},
			{tw.community, org.Community, "110105001001"},
			{c5, org.Community, "110105001005"},
			{c6, org.Community, "110105001006"},
			{c21, org.Community, "110105002001"},
			{g1, org.Grid, "11010500100101"},
			{g2, org.Grid, "11010500100102"},
			{g9, org.Grid, "11010500100109"},
			{g10, org.Grid, "11010500100110"},
			{other, org.Grid, "11010500100501"},
		} {
			t.Run(tc.unit.Name, func(t *testing.T) {
				if tc.unit.Code != tc.code || tc.unit.Level != tc.level {
					t.Fatalf("created %s %s, want %s %s", tc.unit.Level, tc.unit.Code, tc.level, tc.code)
				}
				got, err := st.GetUnit(bg, tc.unit.ID, Start)
				if err != nil {
					t.Fatal(err)
				}
				if got.Code != tc.code || got.Name != tc.unit.Name || got.ParentID != tc.unit.ParentID || got.ValidFrom != Start || !got.ValidTo.IsZero() {
					t.Fatalf("GetUnit = %+v, want code %s from %s, open", got, tc.code, Start)
				}
				byCode, err := st.UnitByCode(bg, tc.code, Start)
				if err != nil || byCode.ID != tc.unit.ID {
					t.Fatalf("UnitByCode(%s) = %s, %v; want %s", tc.code, byCode.ID, err, tc.unit.ID)
				}
			})
		}

		t.Run("ancestors", func(t *testing.T) {
			chain, err := st.Ancestors(bg, g2.ID, Start)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{g2.ID, tw.community.ID, tw.street.ID, tw.district.ID}; !slices.Equal(ids(chain), want) {
				t.Fatalf("Ancestors = %s, want 第2网格,和平里社区,和平街道,朝阳区", names(chain))
			}
			for _, tc := range []struct {
				id, root string
				want     bool
			}{
				{g2.ID, tw.district.ID, true},
				{g2.ID, tw.community.ID, true},
				{g2.ID, g2.ID, true},
				{g2.ID, c5.ID, false},
				{other.ID, tw.community.ID, false},
				{tw.community.ID, g2.ID, false},
			} {
				in, err := st.InSubtree(bg, tc.id, tc.root, Start)
				if err != nil || in != tc.want {
					t.Errorf("InSubtree(%s, %s) = %v, %v; want %v", tc.id, tc.root, in, err, tc.want)
				}
			}
			if in, err := st.InSubtree(bg, g2.ID, tw.district.ID, day("2025-12-31")); err != nil || in {
				t.Errorf("InSubtree before the grid exists = %v, %v; want false", in, err)
			}
		})

		t.Run("list by level, parent and scope", func(t *testing.T) {
			grids := listUnits(t, st, org.UnitQuery{On: Start, Level: org.Grid})
			if want := []string{"11010500100101", "11010500100102", "11010500100109", "11010500100110", "11010500100501"}; !slices.Equal(codes(grids), want) {
				t.Fatalf("grids by code = %v, want %v", codes(grids), want)
			}
			children := listUnits(t, st, org.UnitQuery{On: Start, ParentID: tw.street.ID})
			if want := []string{"110105001001", "110105001005", "110105001006"}; !slices.Equal(codes(children), want) {
				t.Fatalf("children of the street = %v, want %v", codes(children), want)
			}
			within := listUnits(t, st, org.UnitQuery{On: Start, WithinID: tw.community.ID, WithoutGeometry: true})
			if want := []string{"110105001001", "11010500100101", "11010500100102", "11010500100109", "11010500100110"}; !slices.Equal(codes(within), want) {
				t.Fatalf("within the community = %v, want %v", codes(within), want)
			}
			for _, u := range within {
				if u.Geometry != "" {
					t.Fatalf("WithoutGeometry still returned the polygon of %s", u.Name)
				}
			}
			page, total, err := st.ListUnits(bg, org.UnitQuery{On: Start, Level: org.Grid, Limit: 2, Offset: 2})
			if err != nil {
				t.Fatal(err)
			}
			if total != 5 || !slices.Equal(codes(page), []string{"11010500100109", "11010500100110"}) {
				t.Fatalf("page 2 = %v (total %d), want [..09 ..10] of 5", codes(page), total)
			}
			if before := listUnits(t, st, org.UnitQuery{On: day("2025-12-31")}); len(before) != 0 {
				t.Fatalf("before the tree exists ListUnits = %s, want none", names(before))
			}
		})
	})
}

// TestCreateUnitCodeErrors: a wrong shape or prefix is Invalid naming code; a
// code in use is a Conflict. Nothing is stored either way.
func TestCreateUnitCodeErrors(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		area := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "东片区", ValidFrom: Start})
		g1 := tw.grid(t, "第1网格", 0, 0)
		for _, tc := range []struct {
			name   string
			in     org.NewUnit
			code   apperr.Code
			reason string // part of the code field's reason (Invalid) or of the message (Conflict)
		}{
			{"district without code", org.NewUnit{Level: org.District, Name: "海淀区"}, apperr.Invalid, "must be given"},
			{"district code of 5 digits", org.NewUnit{Level: org.District, Name: "海淀区", Code: "11010"}, apperr.Invalid, "6 digits"},
			{"district code of 7 digits", org.NewUnit{Level: org.District, Name: "海淀区", Code: "1101080"}, apperr.Invalid, "6 digits"},
			{"district code with a letter", org.NewUnit{Level: org.District, Name: "海淀区", Code: "11010A"}, apperr.Invalid, "6 digits"},
			{"street code of 10 digits", org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "街道", Code: "1101050002"}, apperr.Invalid, "9 digits"},
			{"street code under another district", org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "街道", Code: "110108002"}, apperr.Invalid, "110105"},
			{"community code of 11 digits", org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "社区", Code: "11010500100"}, apperr.Invalid, "12 digits"},
			{"community code under another street", org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "社区", Code: "110105002003"}, apperr.Invalid, "110105001"},
			{"grid code of 13 digits", org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "网格", Code: "1101050010013", Geometry: cell(1, 0)}, apperr.Invalid, "14 digits"},
			{"grid code of another community", org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "网格", Code: "11010500100203", Geometry: cell(1, 0)}, apperr.Invalid, CommunityCode},
			{"area code without P", org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "片区", Code: "11010500100102"}, apperr.Invalid, "P and 2 digits"},
			{"grid under area with the area's code as prefix", org.NewUnit{Level: org.Grid, ParentID: area.ID, Name: "网格", Code: "110105001001P0", Geometry: cell(1, 0)}, apperr.Invalid, "14 digits"},
			{"district code taken", org.NewUnit{Level: org.District, Name: "另一个区", Code: DistrictCode}, apperr.Conflict, "code " + DistrictCode},
			{"street code taken", org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "街道", Code: StreetCode}, apperr.Conflict, "code " + StreetCode},
			{"grid code taken", org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "网格", Code: g1.Code, Geometry: cell(1, 0)}, apperr.Conflict, "code " + g1.Code},
			{"grid code taken, grid under an area", org.NewUnit{Level: org.Grid, ParentID: area.ID, Name: "网格", Code: g1.Code, Geometry: cell(1, 0)}, apperr.Conflict, "code " + g1.Code},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				tc.in.ValidFrom = Start
				_, err := tw.st.CreateUnit(bg, actor, tc.in)
				if tc.code == apperr.Invalid {
					e := wantErr(t, err, apperr.Invalid, "code")
					if r := reason(t, e, "code"); !strings.Contains(r, tc.reason) {
						t.Errorf("code reason %q does not mention %q", r, tc.reason)
					}
				} else {
					e := wantErr(t, err, apperr.Conflict, "")
					if !strings.Contains(e.Message, tc.reason) {
						t.Errorf("message %q does not mention %q", e.Message, tc.reason)
					}
				}
				wantCounts(t, tw.db, before)
			})
		}
	})
}

// TestCreateUnitParentErrors: a unit must hang under a parent of the level
// above, in force on its start date.
func TestCreateUnitParentErrors(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		g1 := tw.grid(t, "第1网格", 0, 0)
		later := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "新社区", ValidFrom: day("2026-06-01")})
		for _, tc := range []struct {
			name   string
			in     org.NewUnit
			reason string
		}{
			{"grid under a street", org.NewUnit{Level: org.Grid, ParentID: tw.street.ID, Name: "网格", Geometry: cell(1, 0)}, "cannot hang under a street"},
			{"grid under a district", org.NewUnit{Level: org.Grid, ParentID: tw.district.ID, Name: "网格", Geometry: cell(1, 0)}, "cannot hang under a district"},
			{"grid under a grid", org.NewUnit{Level: org.Grid, ParentID: g1.ID, Name: "网格", Geometry: cell(1, 0)}, "cannot hang under a grid"},
			{"grid without parent", org.NewUnit{Level: org.Grid, Name: "网格", Geometry: cell(1, 0)}, "needs a parent of level community or area"},
			{"community under a district", org.NewUnit{Level: org.Community, ParentID: tw.district.ID, Name: "社区"}, "cannot hang under a district"},
			{"community under a community", org.NewUnit{Level: org.Community, ParentID: tw.community.ID, Name: "社区"}, "cannot hang under a community"},
			{"area under a street", org.NewUnit{Level: org.Area, ParentID: tw.street.ID, Name: "片区"}, "cannot hang under a street"},
			{"street under a street", org.NewUnit{Level: org.Street, ParentID: tw.street.ID, Name: "街道"}, "cannot hang under a street"},
			{"street without parent", org.NewUnit{Level: org.Street, Name: "街道"}, "needs a parent of level district"},
			{"district with a parent", org.NewUnit{Level: org.District, ParentID: tw.district.ID, Name: "区", Code: "110108"}, "has no parent"},
			{"parent that does not exist", org.NewUnit{Level: org.Grid, ParentID: "no-such-unit", Name: "网格", Geometry: cell(1, 0)}, "no unit no-such-unit"},
			{"parent not yet in force", org.NewUnit{Level: org.Area, ParentID: later.ID, Name: "片区"}, "in force on 2026-01-01"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.in.ValidFrom = Start
				refused(t, tw.db, "parent_id", tc.reason, func() error {
					_, err := tw.st.CreateUnit(bg, actor, tc.in)
					return err
				})
			})
		}
	})
}

// TestCreateUnitFieldErrors: missing fields are all named at once.
func TestCreateUnitFieldErrors(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		for _, tc := range []struct {
			name   string
			in     org.NewUnit
			fields []string
		}{
			{"unknown level", org.NewUnit{Level: "village", ParentID: tw.street.ID, Name: "村", ValidFrom: Start}, []string{"level"}},
			{"blank name", org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "  ", ValidFrom: Start}, []string{"name"}},
			{"no start date", org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "社区"}, []string{"valid_from"}},
			{"grid without polygon", org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "网格", ValidFrom: Start}, []string{"geometry"}},
			{"everything missing", org.NewUnit{Level: org.Grid}, []string{"geometry", "name", "valid_from"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				_, err := tw.st.CreateUnit(bg, actor, tc.in)
				e := wantErr(t, err, apperr.Invalid, "")
				if got := fieldNames(e); !slices.Equal(got, tc.fields) {
					t.Fatalf("fields %v, want %v (%v)", got, tc.fields, err)
				}
				wantCounts(t, tw.db, before)
			})
		}
	})
}

// TestArea: a 片区 between community and grid gets the community code + P +
// 2 digits, and its grids' codes continue from the community's code.
func TestArea(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		g1 := tw.grid(t, "第1网格", 0, 0)
		east := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "东片区", ValidFrom: Start})
		// A 片区 with its own polygon: its grids must lie inside it.
		southPoly := rect(West, North-Rows*Cell, West+Cols*Cell, North-Cell)
		south := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "南片区", Geometry: southPoly, ValidFrom: Start})
		g2 := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: east.ID, Name: "东1网格", Geometry: cell(2, 0), ValidFrom: Start})
		g3 := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: south.ID, Name: "南1网格", Geometry: cell(0, 1), ValidFrom: Start})
		g4 := tw.grid(t, "第4网格", 1, 0)

		for _, tc := range []struct {
			unit org.Unit
			code string
		}{
			{g1, "11010500100101"},
			{east, "110105001001P01"},
			{south, "110105001001P02"},
			{g2, "11010500100102"},
			{g3, "11010500100103"},
			{g4, "11010500100104"},
		} {
			if tc.unit.Code != tc.code {
				t.Errorf("%s: code %s, want %s", tc.unit.Name, tc.unit.Code, tc.code)
			}
		}
		chain, err := st.Ancestors(bg, g2.ID, Start)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{g2.ID, east.ID, tw.community.ID, tw.street.ID, tw.district.ID}; !slices.Equal(ids(chain), want) {
			t.Fatalf("Ancestors of a grid under a 片区 = %s", names(chain))
		}
		within := listUnits(t, st, org.UnitQuery{On: Start, WithinID: east.ID})
		// By code: "…0102" sorts before "…P01".
		if want := []string{g2.ID, east.ID}; !slices.Equal(ids(within), want) {
			t.Fatalf("within 东片区 = %s, want 东1网格,东片区", names(within))
		}
		grids := listUnits(t, st, org.UnitQuery{On: Start, WithinID: tw.community.ID, Level: org.Grid})
		if want := []string{g1.ID, g2.ID, g3.ID, g4.ID}; !slices.Equal(ids(grids), want) {
			t.Fatalf("grids within the community = %s", names(grids))
		}

		t.Run("grid under a 片区 without polygon must lie in the community", func(t *testing.T) {
			before := rowCounts(t, tw.db)
			_, err := st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: east.ID, Name: "越界网格",
				Geometry: cellAt(West, 3, 0), ValidFrom: Start})
			e := wantErr(t, err, apperr.Invalid, "geometry")
			if !strings.Contains(e.Message, "越界网格") || !strings.Contains(e.Message, "和平里社区") {
				t.Errorf("message %q should name the grid and the community", e.Message)
			}
			wantCounts(t, tw.db, before)
		})
		t.Run("grid under a 片区 with polygon must lie in the 片区", func(t *testing.T) {
			before := rowCounts(t, tw.db)
			_, err := st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: south.ID, Name: "北边网格",
				Geometry: cell(2, 0), ValidFrom: Start})
			e := wantErr(t, err, apperr.Invalid, "geometry")
			if !strings.Contains(e.Message, "北边网格") || !strings.Contains(e.Message, "南片区") {
				t.Errorf("message %q should name the grid and the 片区", e.Message)
			}
			wantCounts(t, tw.db, before)
		})
	})
}

// TestCodeNeverReused: a generated code counts past codes of ended units, so
// a code keeps meaning one unit across history.
func TestCodeNeverReused(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		tw.grid(t, "第1网格", 0, 0)
		g2 := tw.grid(t, "第2网格", 1, 0)
		if err := tw.st.EndUnit(bg, actor, g2.ID, day("2026-02-01")); err != nil {
			t.Fatal(err)
		}
		g3 := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "第3网格", Geometry: cell(1, 0), ValidFrom: day("2026-02-01")})
		if g3.Code != gridCode(3) {
			t.Fatalf("code after an ended …02 is %s, want %s", g3.Code, gridCode(3))
		}
	})
}

// TestCodeUniqueAcrossFuture: a code taken by a unit from a later date may
// not be given to a unit from an earlier date, or both would carry it from
// that later date on.
func TestCodeUniqueAcrossFuture(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		later := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "三月网格", Code: gridCode(5),
			Geometry: cell(0, 0), ValidFrom: day("2026-03-01")})
		g1 := tw.grid(t, "第1网格", 1, 0)
		taken := gridCode(5)
		for _, tc := range []struct {
			name string
			try  func() error
			on   string // the date the message gives
		}{
			{"create from an earlier date", func() error {
				_, err := tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "一月网格", Code: taken,
					Geometry: cell(2, 0), ValidFrom: Start})
				return err
			}, "2026-03-01"},
			{"create from the same date", func() error {
				_, err := tw.st.CreateUnit(bg, actor, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "同日网格", Code: taken,
					Geometry: cell(2, 0), ValidFrom: day("2026-03-01")})
				return err
			}, "2026-03-01"},
			{"recode from an earlier date", func() error {
				_, err := tw.st.ChangeUnit(bg, actor, g1.ID, org.UnitChange{From: day("2026-02-01"), Code: &taken})
				return err
			}, "2026-03-01"},
			{"recode from a later date", func() error {
				_, err := tw.st.ChangeUnit(bg, actor, g1.ID, org.UnitChange{From: day("2026-04-01"), Code: &taken})
				return err
			}, "2026-04-01"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				e := wantErr(t, tc.try(), apperr.Conflict, "")
				if want := "code " + taken + " is already used by unit " + later.ID + " on " + tc.on; e.Message != want {
					t.Errorf("message %q, want %q", e.Message, want)
				}
				wantCounts(t, tw.db, before)
			})
		}
		if u, err := tw.st.UnitByCode(bg, taken, day("2026-03-10")); err != nil || u.ID != later.ID {
			t.Fatalf("UnitByCode on 2026-03-10 = %s, %v; want 三月网格", u.Name, err)
		}
	})
}
