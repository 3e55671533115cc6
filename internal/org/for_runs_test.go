package org_test

import (
	"testing"

	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestAssignmentsInForce: the assignments in force on a day, by grid;
// ended ones and later ones are not.
func TestAssignmentsInForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAssignFixture(t, db)
		w, g := f.workers, f.grids
		p0 := f.assign(t, org.NewAssignment{WorkerID: w[0].ID, GridID: g[0].ID, Kind: org.Primary, ValidFrom: Start})
		// A grid kept by two extra shares of 50 % (兼格).
		x0 := f.assign(t, org.NewAssignment{WorkerID: w[0].ID, GridID: g[3].ID, Kind: org.Extra, ValidFrom: Start})
		x3 := f.assign(t, org.NewAssignment{WorkerID: w[3].ID, GridID: g[3].ID, Kind: org.Extra, ValidFrom: Start})
		p1 := f.assign(t, org.NewAssignment{WorkerID: w[1].ID, GridID: g[1].ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-06-01")})
		later := f.assign(t, org.NewAssignment{WorkerID: w[2].ID, GridID: g[2].ID, Kind: org.Primary, ValidFrom: day("2026-04-01")})
		for _, tc := range []struct {
			on   string
			want []org.Assignment
		}{
			{"2025-12-31", nil},
			{"2026-03-01", []org.Assignment{p0, x0, x3, p1}},
			{"2026-06-01", []org.Assignment{p0, x0, x3, later}},
		} {
			got, err := f.st.AssignmentsInForce(bg, day(tc.on))
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []string
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			for _, a := range tc.want {
				wantIDs = append(wantIDs, a.ID)
			}
			byGrid := func(as []org.Assignment) map[string][]string {
				m := map[string][]string{}
				for _, a := range as {
					m[a.GridID] = append(m[a.GridID], a.ID)
				}
				return m
			}
			if len(gotIDs) != len(wantIDs) || !sameOrder(byGrid(got), byGrid(tc.want)) {
				t.Errorf("on %s: %v, want %v", tc.on, gotIDs, wantIDs)
			}
		}
	})
}

// sameOrder reports whether each grid lists the same assignments in the
// same order.
func sameOrder(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for g, xs := range a {
		ys := b[g]
		if len(xs) != len(ys) {
			return false
		}
		for i := range xs {
			if xs[i] != ys[i] {
				return false
			}
		}
	}
	return true
}
