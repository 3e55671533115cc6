package org_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/org"
)

// TestNumberGrids: NumberGrids gives a 2×3 tiling the codes …01…06 in
// reading order (west→east, north→south), whatever order and codes the
// grids were created with; a second call changes nothing, and earlier dates
// keep the old codes.
func TestNumberGrids(t *testing.T) {
	// A cell is numbered by its position in reading order: k = row*Cols+col.
	for _, tc := range []struct {
		name  string
		order []int          // cells in creation order
		codes map[int]string // explicit grid-number suffix per cell; others generated
		from  string
	}{
		{"shuffled, generated codes, numbered from the first day", []int{4, 1, 5, 0, 3, 2}, nil, "2026-01-01"},
		{"shuffled, generated codes, numbered from February", []int{5, 4, 3, 2, 1, 0}, nil, "2026-02-01"},
		{"explicit codes in reverse", []int{0, 1, 2, 3, 4, 5}, map[int]string{0: "06", 1: "05", 2: "04", 3: "03", 4: "02", 5: "01"}, "2026-02-01"},
		{"explicit wrong codes and generated ones", []int{5, 2, 0, 4, 1, 3}, map[int]string{5: "01", 0: "40", 1: "03"}, "2026-03-01"},
		{"already numbered except two swapped", []int{0, 1, 2, 3, 4, 5}, map[int]string{0: "01", 1: "02", 2: "03", 3: "05", 4: "04", 5: "06"}, "2026-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachTown(t, func(t *testing.T, tw *town) {
				st := tw.st
				byCell := map[int]org.Unit{}
				for _, k := range tc.order {
					in := org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: fmt.Sprintf("格%d", k),
						Geometry: cell(k%Cols, k/Cols), ValidFrom: Start}
					if suffix, ok := tc.codes[k]; ok {
						in.Code = CommunityCode + suffix
					}
					byCell[k] = tw.mustCreate(t, in)
				}
				from := day(tc.from)
				before := rowCounts(t, tw.db)
				if err := st.NumberGrids(bg, actor, tw.community.ID, from); err != nil {
					t.Fatal(err)
				}
				changed := 0
				for k := range Rows * Cols {
					g := byCell[k]
					want := gridCode(k + 1)
					u, err := st.GetUnit(bg, g.ID, from)
					if err != nil {
						t.Fatal(err)
					}
					if u.Code != want {
						t.Errorf("cell %d (%s) has code %s from %s, want %s", k, g.Name, u.Code, from, want)
					}
					if g.Code != want {
						changed++
					}
					h := history(t, st, g.ID)
					switch {
					case from == Start || g.Code == want:
						if len(h) != 1 {
							t.Errorf("%s: %d versions, want 1", g.Name, len(h))
						}
					default:
						if want := []span{{"2026-01-01", tc.from}, {tc.from, ""}}; !slices.Equal(spans(h), want) {
							t.Errorf("%s: History %v, want %v", g.Name, spans(h), want)
						}
						old, err := st.GetUnit(bg, g.ID, from.AddDays(-1))
						if err != nil || old.Code != g.Code {
							t.Errorf("%s the day before: code %s (%v), want the old %s", g.Name, old.Code, err, g.Code)
						}
					}
				}
				// Listed by code, the grids now read in reading order.
				grids := listUnits(t, st, org.UnitQuery{On: from, ParentID: tw.community.ID})
				for k, g := range grids {
					if g.ID != byCell[k].ID {
						t.Errorf("grid %d by code is %s, want 格%d", k+1, g.Name, k)
					}
				}
				after := rowCounts(t, tw.db)
				if got := after["audit_log"] - before["audit_log"]; got != changed {
					t.Errorf("%d audit rows for %d renumbered grids", got, changed)
				}
				for k, g := range byCell {
					rows, err := audit.List(bg, tw.db, "grid", g.ID, 10)
					if err != nil || len(rows) == 0 {
						t.Fatalf("audit.List %s: %d rows, %v", g.Name, len(rows), err)
					}
					want, newest := "create", rows[0]
					if g.Code != gridCode(k+1) {
						want = "renumber"
					}
					if newest.Action != want {
						t.Errorf("%s: newest audit action %q, want %q", g.Name, newest.Action, want)
					}
					if want == "renumber" && (newest.BeforeJSON == nil || newest.AfterJSON == nil ||
						!strings.Contains(*newest.BeforeJSON, `"code":"`+g.Code+`"`) || !strings.Contains(*newest.AfterJSON, `"code":"`+gridCode(k+1)+`"`)) {
						t.Errorf("%s: renumber audit before %v after %v", g.Name, newest.BeforeJSON, newest.AfterJSON)
					}
				}

				// Again: nothing to do, nothing written.
				if err := st.NumberGrids(bg, actor, tw.community.ID, from); err != nil {
					t.Fatal(err)
				}
				wantCounts(t, tw.db, after)

				// The next generated code continues past every code used.
				n := tw.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: tw.community.ID, Name: "新格",
					Geometry: cell(0, 0), ValidFrom: from.AddDays(30)})
				max := 6
				for _, g := range byCell {
					var k int
					fmt.Sscanf(g.Code[12:], "%d", &k)
					max = maxInt(max, k)
				}
				if n.Code != gridCode(max+1) {
					t.Errorf("next generated code %s, want %s", n.Code, gridCode(max+1))
				}
			})
		})
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// TestNumberGridsErrors: numbering refuses an unknown parent and a grid with
// a change already scheduled after the date, and stores nothing then.
func TestNumberGridsErrors(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		var gs []org.Unit
		for _, k := range []int{2, 1, 0} {
			gs = append(gs, tw.grid(t, fmt.Sprintf("格%d", k), k, 0))
		}
		if _, err := st.ChangeUnit(bg, actor, gs[0].ID, org.UnitChange{From: day("2026-05-01"), Name: ptr("改名")}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			parent string
			from   string
			code   apperr.Code
		}{
			{"no such parent", "nope", "2026-02-01", apperr.NotFound},
			{"parent not yet in force", tw.community.ID, "2025-12-01", apperr.NotFound},
			{"a grid has a later change", tw.community.ID, "2026-02-01", apperr.Conflict},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				err := st.NumberGrids(bg, actor, tc.parent, day(tc.from))
				wantErr(t, err, tc.code, "")
				wantCounts(t, tw.db, before)
				for _, g := range gs {
					u, err := st.GetUnit(bg, g.ID, day("2026-03-01"))
					if err != nil || u.Code != g.Code {
						t.Errorf("%s: code %s (%v) after a refused numbering, want %s", g.Name, u.Code, err, g.Code)
					}
				}
			})
		}
		// From the date of the later change, numbering works.
		if err := st.NumberGrids(bg, actor, tw.community.ID, day("2026-05-01")); err != nil {
			t.Fatal(err)
		}
		grids := listUnits(t, st, org.UnitQuery{On: day("2026-05-01"), ParentID: tw.community.ID})
		if want := []string{gs[2].ID, gs[1].ID, gs[0].ID}; !slices.Equal(ids(grids), want) || !slices.Equal(codes(grids), []string{gridCode(1), gridCode(2), gridCode(3)}) {
			t.Fatalf("after numbering from May: %s %v", names(grids), codes(grids))
		}
	})
}
