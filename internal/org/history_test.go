package org_test

import (
	"slices"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// span is a version's validity, for comparing histories.
type span struct{ from, to string }

func spans(us []org.Unit) []span {
	out := make([]span, len(us))
	for i, u := range us {
		out[i] = span{u.ValidFrom.String(), u.ValidTo.String()}
	}
	return out
}

func history(t *testing.T, st *org.Store, id string) []org.Unit {
	t.Helper()
	h, err := st.History(bg, id)
	if err != nil {
		t.Fatalf("History %s: %v", id, err)
	}
	return h
}

// TestRedrawKeepsHistory: redrawing a grid from a date never changes what it
// was before that date.
func TestRedrawKeepsHistory(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		gs := tw.tile(t)
		a := gs[0]
		// 第1网格 takes the western half of 第2网格 from March.
		wider := rect(West, North-Cell, West+Cell+Cell/2, North)
		narrower := rect(West+Cell+Cell/2, North-Cell, West+2*Cell, North)
		march := day("2026-03-01")
		if _, err := st.ChangeUnit(bg, actor, gs[1].ID, org.UnitChange{From: march, Geometry: &narrower}); err != nil {
			t.Fatal(err)
		}
		changed, err := st.ChangeUnit(bg, actor, a.ID, org.UnitChange{From: march, Geometry: &wider})
		if err != nil {
			t.Fatal(err)
		}
		if changed.ValidFrom != march || !changed.ValidTo.IsZero() || changed.Code != a.Code || changed.Name != a.Name {
			t.Fatalf("ChangeUnit returned %+v", changed)
		}

		for _, tc := range []struct {
			on   string
			want string
		}{
			{"2026-01-01", cell(0, 0)},
			{"2026-02-15", cell(0, 0)},
			{"2026-02-28", cell(0, 0)},
			{"2026-03-01", wider},
			{"2026-03-10", wider},
			{"2027-01-01", wider},
		} {
			t.Run("GetUnit on "+tc.on, func(t *testing.T) {
				u, err := st.GetUnit(bg, a.ID, day(tc.on))
				if err != nil {
					t.Fatal(err)
				}
				if !samePolygon(t, u.Geometry, tc.want) {
					t.Fatalf("polygon on %s = %s, want %s", tc.on, u.Geometry, tc.want)
				}
				if u.Code != gridCode(1) {
					t.Fatalf("code on %s = %s", tc.on, u.Code)
				}
			})
		}
		_, err = st.GetUnit(bg, a.ID, day("2025-12-31"))
		wantErr(t, err, apperr.NotFound, "")

		h := history(t, st, a.ID)
		if want := []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}; !slices.Equal(spans(h), want) {
			t.Fatalf("History spans = %v, want %v", spans(h), want)
		}
		if !samePolygon(t, h[0].Geometry, cell(0, 0)) || !samePolygon(t, h[1].Geometry, wider) {
			t.Fatalf("History polygons = %s, %s", h[0].Geometry, h[1].Geometry)
		}

		for _, tc := range []struct {
			on   string
			want map[string]string // grid name → polygon
		}{
			{"2026-02-15", map[string]string{"第1网格": cell(0, 0), "第2网格": cell(1, 0)}},
			{"2026-03-10", map[string]string{"第1网格": wider, "第2网格": narrower}},
		} {
			t.Run("ListUnits on "+tc.on, func(t *testing.T) {
				grids := listUnits(t, st, org.UnitQuery{On: day(tc.on), Level: org.Grid, ParentID: tw.community.ID})
				if want := []string{gridCode(1), gridCode(2), gridCode(3), gridCode(4), gridCode(5), gridCode(6)}; !slices.Equal(codes(grids), want) {
					t.Fatalf("grids = %v, want %v", codes(grids), want)
				}
				for _, g := range grids {
					if want, ok := tc.want[g.Name]; ok && !samePolygon(t, g.Geometry, want) {
						t.Errorf("%s on %s has polygon %s, want %s", g.Name, tc.on, g.Geometry, want)
					}
				}
			})
		}
	})
}

// TestMergeGrids: merging grids ends them and their assignments on the
// merge date; before it, they and their assignments read as they were.
func TestMergeGrids(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		gs := tw.tile(t)
		b, c := gs[3], gs[4] // 第4网格 and 第5网格, side by side in the south row
		wb := tw.worker(t, "王芳", tw.community.ID, day("2025-06-01"))
		wc := tw.worker(t, "李强", tw.community.ID, day("2025-06-01"))
		// 王芳's primary is open-ended; 李强's was to run until May: both end
		// on the merge date.
		ab := tw.assign(t, org.NewAssignment{WorkerID: wb.ID, GridID: b.ID, Kind: org.Primary, ValidFrom: Start})
		ac := tw.assign(t, org.NewAssignment{WorkerID: wc.ID, GridID: c.ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-05-01")})
		// 赵敏 had 第1网格 in January (untouched by the merge) and was to
		// take 第5网格 from May: that never takes effect, so it is cancelled.
		wl := tw.worker(t, "赵敏", tw.community.ID, day("2025-06-01"))
		early := tw.assign(t, org.NewAssignment{WorkerID: wl.ID, GridID: gs[0].ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-02-01")})
		tw.assign(t, org.NewAssignment{WorkerID: wl.ID, GridID: c.ID, Kind: org.Primary, ValidFrom: day("2026-05-01")})

		april := day("2026-04-01")
		merged := rect(West, North-2*Cell, West+2*Cell, North-Cell)
		d, err := st.MergeGrids(bg, actor, []string{b.ID, c.ID}, org.NewUnit{Name: "合并网格", Geometry: merged, ValidFrom: april})
		if err != nil {
			t.Fatal(err)
		}
		if d.Level != org.Grid || d.ParentID != tw.community.ID || d.Code != gridCode(7) || d.ValidFrom != april {
			t.Fatalf("merged grid = %+v; want a grid of the community, code %s, from %s", d, gridCode(7), april)
		}

		for _, tc := range []struct {
			on         string
			has, hasNo []org.Unit
			n          int
		}{
			{"2026-03-31", []org.Unit{b, c}, []org.Unit{d}, 6},
			{"2026-04-01", []org.Unit{d}, []org.Unit{b, c}, 5},
			{"2026-12-31", []org.Unit{d}, []org.Unit{b, c}, 5},
		} {
			t.Run("grids on "+tc.on, func(t *testing.T) {
				got := ids(listUnits(t, st, org.UnitQuery{On: day(tc.on), Level: org.Grid}))
				for _, u := range tc.has {
					if !slices.Contains(got, u.ID) {
						t.Errorf("%s missing on %s", u.Name, tc.on)
					}
				}
				for _, u := range tc.hasNo {
					if slices.Contains(got, u.ID) {
						t.Errorf("%s listed on %s", u.Name, tc.on)
					}
				}
				if len(got) != tc.n {
					t.Errorf("%d grids on %s, want %d", len(got), tc.on, tc.n)
				}
			})
		}

		t.Run("old grids keep their history", func(t *testing.T) {
			for _, g := range []org.Unit{b, c} {
				if want := []span{{"2026-01-01", "2026-04-01"}}; !slices.Equal(spans(history(t, st, g.ID)), want) {
					t.Errorf("History of %s = %v, want %v", g.Name, spans(history(t, st, g.ID)), want)
				}
				u, err := st.GetUnit(bg, g.ID, day("2026-03-31"))
				if err != nil || u.Code != g.Code || !samePolygon(t, u.Geometry, g.Geometry) {
					t.Errorf("%s on 2026-03-31 = %+v, %v", g.Name, u, err)
				}
				_, err = st.GetUnit(bg, g.ID, april)
				wantErr(t, err, apperr.NotFound, "")
			}
		})

		t.Run("assignments end with the grids", func(t *testing.T) {
			for _, a := range []org.Assignment{ab, ac} {
				got, err := st.GetAssignment(bg, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.ValidTo != april || got.ValidFrom != Start {
					t.Errorf("assignment %s runs %s–%s, want %s–%s", a.ID, got.ValidFrom, got.ValidTo, Start, april)
				}
				if !got.ActiveOn(day("2026-03-31")) || got.ActiveOn(april) {
					t.Errorf("assignment %s: active on 2026-03-31 %v, on 2026-04-01 %v", a.ID, got.ActiveOn(day("2026-03-31")), got.ActiveOn(april))
				}
			}
			for _, tc := range []struct {
				on   string
				want []string
			}{
				{"2026-03-31", []string{ab.ID, ac.ID}},
				{"2026-04-01", nil},
				{"2026-05-01", nil},
			} {
				var got []string
				for _, g := range []org.Unit{b, c} {
					as, _, err := st.ListAssignments(bg, org.AssignmentQuery{GridID: g.ID, On: day(tc.on)})
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range as {
						got = append(got, a.ID)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("assignments of the old grids on %s = %v, want %v", tc.on, got, tc.want)
				}
			}
			// The future extra share was cancelled; the ended primary stays.
			all, total, err := st.ListAssignments(bg, org.AssignmentQuery{WorkerID: wl.ID})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || len(all) != 1 || all[0].ID != early.ID || all[0].ValidTo != day("2026-02-01") {
				t.Errorf("赵敏's assignments after the merge = %+v (total %d), want only the January one", all, total)
			}
			// The workers can be put on the merged grid from the merge date.
			tw.assign(t, org.NewAssignment{WorkerID: wb.ID, GridID: d.ID, Kind: org.Primary, ValidFrom: april})
		})
	})
}

// TestMergeGridsErrors: merging needs at least two grids of one parent, and
// nothing is stored when it is refused.
func TestMergeGridsErrors(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		gs := tw.tile(t)
		area := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "片区", ValidFrom: Start})
		inArea := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: area.ID, Name: "片区网格", Geometry: cell(1, 1), ValidFrom: Start})
		april := day("2026-04-01")
		merged := rect(West, North-Cell, West+2*Cell, North)
		for _, tc := range []struct {
			name  string
			ids   []string
			into  org.NewUnit
			code  apperr.Code
			field string
		}{
			{"one grid", []string{gs[0].ID}, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: april}, apperr.Invalid, "grid_ids"},
			{"no grid", nil, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: april}, apperr.Invalid, "grid_ids"},
			{"a community", []string{gs[0].ID, tw.community.ID}, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: april}, apperr.Invalid, "grid_ids[1]"},
			{"grids of different parents", []string{gs[0].ID, inArea.ID}, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: april}, apperr.Invalid, "grid_ids[1]"},
			{"no such grid", []string{gs[0].ID, "nope"}, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: april}, apperr.NotFound, ""},
			{"merged polygon outside", []string{gs[0].ID, gs[1].ID}, org.NewUnit{Name: "合并", Geometry: cellAt(West, 3, 0), ValidFrom: april}, apperr.Invalid, "geometry"},
			{"merged polygon missing", []string{gs[0].ID, gs[1].ID}, org.NewUnit{Name: "合并", ValidFrom: april}, apperr.Invalid, "geometry"},
			{"merge on the grids' first day", []string{gs[0].ID, gs[1].ID}, org.NewUnit{Name: "合并", Geometry: merged, ValidFrom: Start}, apperr.Conflict, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				_, err := tw.st.MergeGrids(bg, actor, tc.ids, tc.into)
				wantErr(t, err, tc.code, tc.field)
				wantCounts(t, tw.db, before)
			})
		}
		// The first grid was ended inside the refused transactions; it must
		// still be in force.
		if h := history(t, tw.st, gs[0].ID); len(h) != 1 || !h[0].ValidTo.IsZero() {
			t.Fatalf("History of 第1网格 after refused merges = %v", spans(h))
		}
	})
}

// TestChangeOrdering: history stays linear. A change dated before an already
// scheduled change is refused; a change dated the same day as the current
// version's start corrects that version in place.
func TestChangeOrdering(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		g := tw.grid(t, "第1网格", 0, 0)
		str := func(s string) *string { return &s }

		steps := []struct {
			name  string
			from  string
			ch    org.UnitChange
			code  apperr.Code // "" for success
			field string
			spans []span // history after the step
			names []string
		}{
			{"same day as creation corrects in place", "2026-01-01", org.UnitChange{Name: str("一号网格")}, "",
				"", []span{{"2026-01-01", ""}}, []string{"一号网格"}},
			{"rename from March", "2026-03-01", org.UnitChange{Name: str("东一网格")}, "",
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东一网格"}},
			{"change from February, before March's", "2026-02-01", org.UnitChange{Name: str("二月名")}, apperr.Conflict,
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东一网格"}},
			{"change from the first day, before March's", "2026-01-01", org.UnitChange{Name: str("一月名")}, apperr.Conflict,
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东一网格"}},
			{"same day as March's corrects it", "2026-03-01", org.UnitChange{Name: str("东1网格"), Description: str("更正")}, "",
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"blank name", "2026-04-01", org.UnitChange{Name: str(" ")}, apperr.Invalid,
				"name", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"no date", "", org.UnitChange{Name: str("x")}, apperr.Invalid,
				"from", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"removing a grid's polygon", "2026-04-01", org.UnitChange{Geometry: str("")}, apperr.Invalid,
				"geometry", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"moving under a street", "2026-04-01", org.UnitChange{ParentID: &tw.street.ID}, apperr.Invalid,
				"parent_id", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"a code of another community", "2026-04-01", org.UnitChange{Code: str("11010500100201")}, apperr.Invalid,
				"code", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"before the grid exists", "2025-12-01", org.UnitChange{Name: str("x")}, apperr.NotFound,
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", ""}}, []string{"一号网格", "东1网格"}},
			{"new code from May", "2026-05-01", org.UnitChange{Code: str(gridCode(9))}, "",
				"", []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", "2026-05-01"}, {"2026-05-01", ""}}, []string{"一号网格", "东1网格", "东1网格"}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				ch := s.ch
				if s.from != "" {
					ch.From = day(s.from)
				}
				_, err := st.ChangeUnit(bg, actor, g.ID, ch)
				if s.code == "" {
					if err != nil {
						t.Fatal(err)
					}
				} else {
					wantErr(t, err, s.code, s.field)
					wantCounts(t, tw.db, before)
				}
				h := history(t, st, g.ID)
				if !slices.Equal(spans(h), s.spans) {
					t.Fatalf("History = %v, want %v", spans(h), s.spans)
				}
				var got []string
				for _, u := range h {
					got = append(got, u.Name)
				}
				if !slices.Equal(got, s.names) {
					t.Fatalf("names = %v, want %v", got, s.names)
				}
			})
		}
		// The code changed from May only.
		for on, want := range map[string]string{"2026-04-30": gridCode(1), "2026-05-01": gridCode(9)} {
			u, err := st.GetUnit(bg, g.ID, day(on))
			if err != nil || u.Code != want {
				t.Errorf("code on %s = %s, %v; want %s", on, u.Code, err, want)
			}
		}
		if u, err := st.GetUnit(bg, g.ID, day("2026-03-15")); err != nil || u.Description != "更正" {
			t.Errorf("description on 2026-03-15 = %q, %v", u.Description, err)
		}
	})
}

// TestMoveGrid: a grid moved to another community reads under its old
// community before the move and under the new one after.
func TestMoveGrid(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		wide := rect(West, North-Rows*Cell, West+2*Cols*Cell, North)
		// Widen the first community so the second one can share its east half.
		c2 := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "东邻社区", Geometry: communityAt(West + Cols*Cell), ValidFrom: Start})
		if _, err := st.ChangeUnit(bg, actor, tw.community.ID, org.UnitChange{From: Start, Geometry: &wide}); err != nil {
			t.Fatal(err)
		}
		g := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "边界网格", Geometry: cellAt(West+Cols*Cell, 0, 0), ValidFrom: Start})
		june := day("2026-06-01")
		code := c2.Code + "01"
		if _, err := st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: june, ParentID: &c2.ID, Code: &code}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			on     string
			parent string
			code   string
		}{
			{"2026-05-31", tw.community.ID, gridCode(1)},
			{"2026-06-01", c2.ID, code},
		} {
			u, err := st.GetUnit(bg, g.ID, day(tc.on))
			if err != nil || u.ParentID != tc.parent || u.Code != tc.code {
				t.Errorf("on %s: parent %s code %s (%v); want %s %s", tc.on, u.ParentID, u.Code, err, tc.parent, tc.code)
			}
			in1, _ := st.InSubtree(bg, g.ID, tw.community.ID, day(tc.on))
			in2, _ := st.InSubtree(bg, g.ID, c2.ID, day(tc.on))
			if in1 != (tc.parent == tw.community.ID) || in2 != (tc.parent == c2.ID) {
				t.Errorf("on %s: in 和平里社区 %v, in 东邻社区 %v", tc.on, in1, in2)
			}
		}
		// Back into the (wide) first community from July.
		_, err := st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: day("2026-07-01"), ParentID: &tw.community.ID,
			Code: ptr(gridCode(2))})
		if err != nil {
			t.Fatalf("moving back into the wide community: %v", err)
		}
		// Moving it to a community whose polygon does not hold it is refused.
		c3 := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "远处社区",
			Geometry: communityAt(West + Cols*Cell + Cell), ValidFrom: Start})
		_, err = st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: day("2026-08-01"), ParentID: &c3.ID, Code: ptr(c3.Code + "01")})
		e := wantErr(t, err, apperr.Invalid, "geometry")
		if !strings.Contains(e.Message, "边界网格") || !strings.Contains(e.Message, "远处社区") {
			t.Errorf("message %q should name the grid and the community", e.Message)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestEndUnit: a unit ends only without children in force, and not on its
// first day; ending a grid ends its assignments.
func TestEndUnit(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		gs := tw.tile(t)
		w := tw.worker(t, "张伟", tw.community.ID, day("2025-06-01"))
		a := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: gs[0].ID, Kind: org.Primary, ValidFrom: Start})
		june := day("2026-06-01")
		for _, tc := range []struct {
			name  string
			id    string
			on    dates.Date
			code  apperr.Code
			field string
			msg   string
		}{
			{"community with grids", tw.community.ID, june, apperr.Conflict, "", "still has 6 units"},
			{"street with a community", tw.street.ID, june, apperr.Conflict, "", "still has 1 units"},
			{"grid on its first day", gs[0].ID, Start, apperr.Conflict, "", "cannot end the same day"},
			{"no date", gs[0].ID, dates.Date{}, apperr.Invalid, "on", ""},
			{"before the grid exists", gs[0].ID, day("2025-12-31"), apperr.NotFound, "", ""},
			{"no such unit", "nope", june, apperr.NotFound, "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				err := st.EndUnit(bg, actor, tc.id, tc.on)
				e := wantErr(t, err, tc.code, tc.field)
				if !strings.Contains(e.Message, tc.msg) {
					t.Errorf("message %q does not say %q", e.Message, tc.msg)
				}
				wantCounts(t, tw.db, before)
			})
		}

		t.Run("grid", func(t *testing.T) {
			if err := st.EndUnit(bg, actor, gs[0].ID, june); err != nil {
				t.Fatal(err)
			}
			if h := history(t, st, gs[0].ID); !slices.Equal(spans(h), []span{{"2026-01-01", "2026-06-01"}}) {
				t.Fatalf("History = %v", spans(h))
			}
			got, err := st.GetAssignment(bg, a.ID)
			if err != nil || got.ValidTo != june {
				t.Fatalf("assignment after the grid ended = %+v, %v; want it to end %s", got, err, june)
			}
			// Ending again, or changing it after its end, finds nothing.
			wantErr(t, st.EndUnit(bg, actor, gs[0].ID, june), apperr.NotFound, "")
			_, err = st.ChangeUnit(bg, actor, gs[0].ID, org.UnitChange{From: day("2026-07-01"), Name: ptr("x")})
			wantErr(t, err, apperr.NotFound, "")
			// A change before the end keeps the end.
			u, err := st.ChangeUnit(bg, actor, gs[0].ID, org.UnitChange{From: day("2026-03-01"), Name: ptr("改名")})
			if err != nil {
				t.Fatal(err)
			}
			if u.ValidTo != june {
				t.Fatalf("changed version ends %s, want %s", u.ValidTo, june)
			}
			if h := history(t, st, gs[0].ID); !slices.Equal(spans(h), []span{{"2026-01-01", "2026-03-01"}, {"2026-03-01", "2026-06-01"}}) {
				t.Fatalf("History = %v", spans(h))
			}
		})
		t.Run("community once its grids have ended", func(t *testing.T) {
			for _, g := range gs[1:] {
				if err := st.EndUnit(bg, actor, g.ID, june); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.EndUnit(bg, actor, tw.community.ID, june); err != nil {
				t.Fatal(err)
			}
			if got := listUnits(t, st, org.UnitQuery{On: june, WithinID: tw.street.ID}); !slices.Equal(ids(got), []string{tw.street.ID}) {
				t.Fatalf("within the street on %s: %s", june, names(got))
			}
			if got := listUnits(t, st, org.UnitQuery{On: day("2026-05-31"), WithinID: tw.street.ID}); len(got) != 8 {
				t.Fatalf("within the street on 2026-05-31: %d units (%s), want 8", len(got), names(got))
			}
		})
	})
}

// A unit cannot end while a child is scheduled to start after the end date,
// and an assignment cannot run past the end of its grid.
func TestEndsBoundWhatComesAfter(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "七月网格", Geometry: cell(0, 0), ValidFrom: day("2026-07-01")})
		wantErr(t, tw.st.EndUnit(bg, actor, tw.community.ID, day("2026-06-01")), apperr.Conflict, "")

		g := tw.grid(t, "将撤网格", 1, 0)
		if err := tw.st.EndUnit(bg, actor, g.ID, day("2026-09-01")); err != nil {
			t.Fatal(err)
		}
		w := tw.worker(t, "赵一", tw.community.ID, Start)
		_, err := tw.st.Assign(bg, actor, org.NewAssignment{WorkerID: w.ID, GridID: g.ID, Kind: org.Primary, ValidFrom: day("2026-03-01")})
		wantErr(t, err, apperr.Invalid, "valid_to")
		a := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: g.ID, Kind: org.Primary, ValidFrom: day("2026-03-01"), ValidTo: day("2026-09-01")})
		if a.ValidTo != day("2026-09-01") {
			t.Fatalf("assignment ends %s", a.ValidTo)
		}
	})
}
