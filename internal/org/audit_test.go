package org_test

import (
	"encoding/json"
	"slices"
	"testing"

	"gridwork/internal/audit"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestAuditTrail: every write leaves an audit row in the same transaction,
// the chain verifies, and a grid's rows show its states before and after.
func TestAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tw := newTown(t, db) // 3 creates
		st := tw.st
		g := tw.grid(t, "第1网格", 0, 0) // 1 create
		wider := rect(West, North-Cell, West+Cell+Cell/2, North)
		if _, err := st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: day("2026-03-01"), Geometry: &wider, Name: ptr("东一网格")}); err != nil {
			t.Fatal(err) // 1 change
		}
		w := tw.worker(t, "王芳", tw.community.ID, day("2025-06-01"))                                             // 1 create
		a := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: g.ID, Kind: org.Primary, ValidFrom: Start}) // 1 create
		if _, err := st.UpdateWorker(bg, actor, w.ID, org.WorkerPatch{LeftPostOn: ptr(day("2026-06-01"))}); err != nil {
			t.Fatal(err) // 1 end (assignment) + 1 update (worker)
		}
		// A refused write leaves no audit row.
		bad := "{}"
		if _, err := st.ChangeUnit(bg, actor, g.ID, org.UnitChange{From: day("2026-07-01"), Geometry: &bad}); err == nil {
			t.Fatal("a bad polygon was accepted")
		}

		rep, err := audit.Verify(bg, db)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Broken != nil || rep.Rows != 9 || rep.HeadSeq != 9 {
			t.Fatalf("Verify: %d rows, head %d, broken %v; want 9 intact rows", rep.Rows, rep.HeadSeq, rep.Broken)
		}

		rows, err := audit.List(bg, db, "grid", g.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range rows {
			actions = append(actions, r.Action)
			if r.Actor != actor || r.Entity != "grid" || r.EntityID != g.ID {
				t.Errorf("row %d: actor %q entity %q %q", r.Seq, r.Actor, r.Entity, r.EntityID)
			}
		}
		if !slices.Equal(actions, []string{"change", "create"}) {
			t.Fatalf("grid audit actions (newest first) = %v, want [change create]", actions)
		}
		change, create := rows[0], rows[1]
		if create.BeforeJSON != nil || create.AfterJSON == nil {
			t.Fatalf("create row: before %v, after %v; want only after", create.BeforeJSON, create.AfterJSON)
		}
		created := decodeUnit(t, *create.AfterJSON)
		if created.ID != g.ID || created.Code != gridCode(1) || created.Name != "第1网格" || created.ValidFrom != Start || !samePolygon(t, created.Geometry, cell(0, 0)) {
			t.Errorf("create row after = %+v", created)
		}
		if change.BeforeJSON == nil || change.AfterJSON == nil {
			t.Fatalf("change row: before %v, after %v; want both", change.BeforeJSON, change.AfterJSON)
		}
		was, is := decodeUnit(t, *change.BeforeJSON), decodeUnit(t, *change.AfterJSON)
		if was.Name != "第1网格" || !samePolygon(t, was.Geometry, cell(0, 0)) || was.ValidFrom != Start {
			t.Errorf("change row before = %+v", was)
		}
		if is.Name != "东一网格" || !samePolygon(t, is.Geometry, wider) || is.ValidFrom != day("2026-03-01") || is.Code != gridCode(1) {
			t.Errorf("change row after = %+v", is)
		}

		for _, tc := range []struct {
			entity, id string
			actions    []string
		}{
			{"worker", w.ID, []string{"update", "create"}},
			{"assignment", a.ID, []string{"end", "create"}},
			{"community", tw.community.ID, []string{"create"}},
			{"district", tw.district.ID, []string{"create"}},
		} {
			rows, err := audit.List(bg, db, tc.entity, tc.id, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Action)
			}
			if !slices.Equal(got, tc.actions) {
				t.Errorf("%s audit actions = %v, want %v", tc.entity, got, tc.actions)
			}
		}
	})
}

func decodeUnit(t *testing.T, s string) org.Unit {
	t.Helper()
	var u org.Unit
	if err := json.Unmarshal([]byte(s), &u); err != nil {
		t.Fatalf("audit JSON %s: %v", s, err)
	}
	return u
}
