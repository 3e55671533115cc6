package org_test

import (
	"slices"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestQueries checks what other packages read of the org tables, against a
// town of two grids: one worker on both (the second an extra share from
// February), one on the first grid in January only.
func TestQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := db.Q(bg)
		if empty, err := org.NoUnits(bg, q); err != nil || !empty {
			t.Fatalf("NoUnits on a fresh database = %v, %v", empty, err)
		}
		tw := newTown(t, db)
		g1, g2 := tw.grid(t, "一网格", 0, 0), tw.grid(t, "二网格", 1, 0)
		w1 := tw.worker(t, "甲", tw.community.ID, Start)
		w2 := tw.worker(t, "乙", tw.community.ID, Start)
		tw.assign(t, org.NewAssignment{WorkerID: w2.ID, GridID: g1.ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-02-01")})
		tw.assign(t, org.NewAssignment{WorkerID: w1.ID, GridID: g1.ID, Kind: org.Primary, ValidFrom: day("2026-02-01")})
		tw.assign(t, org.NewAssignment{WorkerID: w1.ID, GridID: g2.ID, Kind: org.Extra, ValidFrom: day("2026-02-01")})

		if empty, err := org.NoUnits(bg, q); err != nil || empty {
			t.Errorf("NoUnits on a town = %v, %v", empty, err)
		}
		if l, err := org.UnitLevel(bg, q, g1.ID); err != nil || l != org.Grid {
			t.Errorf("UnitLevel(grid) = %q, %v", l, err)
		}
		if l, err := org.UnitLevel(bg, q, "nope"); err != nil || l != "" {
			t.Errorf("UnitLevel(nope) = %q, %v; want \"\"", l, err)
		}
		if u, err := org.UnitOn(bg, q, g2.ID, Start); err != nil || u.ParentID != tw.community.ID {
			t.Errorf("UnitOn = %+v, %v", u, err)
		}
		if _, err := org.UnitOn(bg, q, g2.ID, day("2025-12-31")); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("UnitOn before the grid = %v; want NotFound", err)
		}
		codes, err := org.GridsByCode(bg, q, Start)
		if err != nil || len(codes) != 2 || codes[g1.Code] != g1.ID || codes[g2.Code] != g2.ID {
			t.Errorf("GridsByCode = %v, %v", codes, err)
		}
		// The middle of cell (1, 0).
		if id, err := org.LocateGrid(bg, q, micro(North-Cell/2), micro(West+Cell+Cell/2), Start); err != nil || id != g2.ID {
			t.Errorf("LocateGrid = %q, %v; want %s", id, err, g2.ID)
		}
		if id, err := org.LocateGrid(bg, q, 10, 10, Start); err != nil || id != "" {
			t.Errorf("LocateGrid far away = %q, %v; want \"\"", id, err)
		}
		if ok, err := org.WorkerExists(bg, q, w1.ID); err != nil || !ok {
			t.Errorf("WorkerExists(w1) = %v, %v", ok, err)
		}
		if ok, err := org.WorkerExists(bg, q, "nope"); err != nil || ok {
			t.Errorf("WorkerExists(nope) = %v, %v", ok, err)
		}
		if w, err := org.WorkerByID(bg, q, w2.ID); err != nil || w.Name != "乙" {
			t.Errorf("WorkerByID = %+v, %v", w, err)
		}
		if known, err := org.KnownWorkers(bg, q, []string{w1.ID, "nope", w2.ID}); err != nil || len(known) != 2 || !known[w1.ID] || !known[w2.ID] {
			t.Errorf("KnownWorkers = %v, %v", known, err)
		}
		if ws, err := org.Workers(bg, q); err != nil || len(ws) != 2 || ws[w1.ID].Employment != org.FullTime {
			t.Errorf("Workers = %v, %v", ws, err)
		}

		workersOf := func(as []org.Assignment) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.WorkerID+"@"+a.GridID)
			}
			slices.Sort(out)
			return out
		}
		jan, err := org.AssignmentsOverlapping(bg, q, Start, day("2026-01-31"))
		if want := []string{w2.ID + "@" + g1.ID}; err != nil || !slices.Equal(workersOf(jan), want) {
			t.Errorf("AssignmentsOverlapping(January) = %v, %v; want %v", workersOf(jan), err, want)
		}
		both, err := org.AssignmentsOverlapping(bg, q, day("2026-01-31"), day("2026-02-01"))
		if err != nil || len(both) != 3 {
			t.Errorf("AssignmentsOverlapping(31 Jan–1 Feb) = %v, %v; want all three", workersOf(both), err)
		}

		feb, err := org.AssignedGridsOn(bg, q, day("2026-02-10"), "")
		if err != nil || len(feb) != 2 || feb[0].WorkerID != w1.ID || feb[0].Geometry == "" || feb[0].VersionFrom != Start {
			t.Errorf("AssignedGridsOn(February) = %+v, %v", feb, err)
		}
		if one, err := org.AssignedGridsOn(bg, q, Start, w1.ID); err != nil || len(one) != 0 {
			t.Errorf("AssignedGridsOn(w1, 1 January) = %+v, %v; want none", one, err)
		}

		// The fragments, as a list query joins them.
		var args store.Args
		d := args.Add(day("2026-02-10"))
		var n, shares int
		if err := q.QueryRowContext(bg, `SELECT COUNT(*), COALESCE(SUM(a.share_pct), 0) FROM `+org.AssignmentsInForce(d)+` a`, args...).Scan(&n, &shares); err != nil || n != 2 || shares != 150 {
			t.Errorf("AssignmentsInForce: %d rows, %d %% in all, %v; want 2, 150", n, shares, err)
		}
		args = nil
		prefix := org.SubtreeCTE(&args, tw.community.ID, Start)
		if err := q.QueryRowContext(bg, prefix+`SELECT COUNT(*) FROM (`+org.WorkersHomedInSub+`) x`, args...).Scan(&n); err != nil || n != 2 {
			t.Errorf("WorkersHomedInSub: %d, %v; want 2", n, err)
		}
		args = nil
		first, last := args.Add(day("2025-01-01")), args.Add(day("2025-12-31"))
		if err := q.QueryRowContext(bg, `SELECT COUNT(*) FROM `+org.WorkersInPost(first, last, org.GridWorker)+` w`, args...).Scan(&n); err != nil || n != 0 {
			t.Errorf("WorkersInPost(2025) = %d, %v; want 0", n, err)
		}
		args = nil
		first, last = args.Add(Start), args.Add(day("2026-01-31"))
		if err := q.QueryRowContext(bg, `SELECT COUNT(*) FROM `+org.WorkersInPost(first, last, org.GridWorker, org.Inspector)+` w`, args...).Scan(&n); err != nil || n != 2 {
			t.Errorf("WorkersInPost(January) = %d, %v; want 2", n, err)
		}
	})
}

// TestBulkLoader loads a unit chain, a worker and an assignment straight
// into the tables and reads them back through the store.
func TestBulkLoader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.Tx(bg, func(tx store.Tx) error {
			b, err := org.NewBulkLoader(bg, tx)
			if err != nil {
				return err
			}
			defer b.Close()
			for _, u := range []struct {
				u    org.Unit
				poly bool
			}{
				{org.Unit{ID: "d", Level: org.District, Name: "区", Code: DistrictCode, ValidFrom: Start}, false},
				{org.Unit{ID: "s", Level: org.Street, ParentID: "d", Name: "街道", Code: StreetCode, Kind: "街道", ValidFrom: Start}, false},
				{org.Unit{ID: "c", Level: org.Community, ParentID: "s", Name: "社区", Code: CommunityCode, ValidFrom: Start}, false},
				{org.Unit{ID: "g", Level: org.Grid, ParentID: "c", Name: "网格", Code: CommunityCode + "01", ValidFrom: Start}, true},
			} {
				var p = rectPoly(West, North-Cell, West+Cell, North)
				if !u.poly {
					p = nil
				}
				if err := b.Unit(bg, u.u, p); err != nil {
					return err
				}
			}
			if err := b.Worker(bg, org.Worker{ID: "w", Name: "甲", Employment: org.PartTime, Post: org.GridWorker, Phone: "13800138000",
				InPostSince: Start, HomeUnitID: "c"}); err != nil {
				return err
			}
			return b.Assignment(bg, org.Assignment{ID: "a", WorkerID: "w", GridID: "g", Kind: org.Primary, SharePct: 100, ValidFrom: Start})
		})
		if err != nil {
			t.Fatal(err)
		}
		st := org.NewStore(db)
		anc, err := st.Ancestors(bg, "g", Start)
		if err != nil || len(anc) != 4 {
			t.Fatalf("Ancestors(g) = %v, %v; want g, c, s, d", ids(anc), err)
		}
		g, err := st.GetUnit(bg, "g", Start)
		if err != nil || g.Code != CommunityCode+"01" || g.Geometry == "" || g.ParentID != "c" {
			t.Errorf("GetUnit(g) = %+v, %v", g, err)
		}
		if id, err := org.LocateGrid(bg, db.Q(bg), micro(North-Cell/2), micro(West+Cell/2), Start); err != nil || id != "g" {
			t.Errorf("LocateGrid in the loaded grid = %q, %v", id, err)
		}
		w, err := st.GetWorker(bg, "w")
		if err != nil || w.Employment != org.PartTime || w.HomeUnitID != "c" {
			t.Errorf("GetWorker(w) = %+v, %v", w, err)
		}
		a, err := st.GetAssignment(bg, "a")
		if err != nil || a.GridID != "g" || !a.ValidTo.IsZero() {
			t.Errorf("GetAssignment(a) = %+v, %v", a, err)
		}
	})
}
