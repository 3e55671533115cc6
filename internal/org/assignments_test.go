package org_test

import (
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// assignFixture is a tiled community with four workers in post since
// 2025-06-01 and one who joins on 2026-03-01.
type assignFixture struct {
	*town
	grids   []org.Unit
	workers []org.Worker // 0..3 in post since 2025-06-01; 4 from 2026-03-01
}

func newAssignFixture(t *testing.T, db *store.DB) *assignFixture {
	t.Helper()
	tw := newTown(t, db)
	f := &assignFixture{town: tw, grids: tw.tile(t)}
	for _, n := range []string{"王芳", "李强", "张伟", "刘洋"} {
		f.workers = append(f.workers, tw.worker(t, n, tw.community.ID, day("2025-06-01")))
	}
	f.workers = append(f.workers, tw.worker(t, "陈新", tw.community.ID, day("2026-03-01")))
	return f
}

// step is one Assign call by worker index on grid index.
type step struct {
	worker, grid int
	kind         org.AssignmentKind
	share        int
	from, to     string
	// The expected outcome: code "" for success (then wantShare is the
	// stored share), or the apperr code and field.
	code      apperr.Code
	field     string
	wantShare int
}

// TestAssignRules pins 一人一格 and seed 004's 减员增效 rules.
func TestAssignRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"primary defaults to share 100", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", wantShare: 100},
		}},
		{"primary with explicit share 100", []step{
			{worker: 0, grid: 0, kind: org.Primary, share: 100, from: "2026-01-01", wantShare: 100},
		}},
		{"primary share must be 100", []step{
			{worker: 0, grid: 0, kind: org.Primary, share: 50, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 0, kind: org.Primary, share: 101, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
		}},
		{"a second overlapping primary is refused", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", wantShare: 100},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-02-01", code: apperr.Invalid, field: "kind"},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-01-01", to: "2026-01-02", code: apperr.Invalid, field: "kind"},
		}},
		{"a primary that starts before an existing one and runs into it is refused", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-03-01", wantShare: 100},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-01-01", code: apperr.Invalid, field: "kind"},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-01-01", to: "2026-03-02", code: apperr.Invalid, field: "kind"},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-01-01", to: "2026-03-01", wantShare: 100},
		}},
		{"non-overlapping primaries: Jan–Mar, then from April", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", to: "2026-04-01", wantShare: 100},
			{worker: 0, grid: 1, kind: org.Primary, from: "2026-04-01", wantShare: 100},
			{worker: 1, grid: 0, kind: org.Primary, from: "2026-04-01", wantShare: 100},
			{worker: 1, grid: 0, kind: org.Primary, from: "2026-03-31", code: apperr.Invalid, field: "grid_id"},
		}},
		{"two primaries on one grid are refused", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", wantShare: 100},
			{worker: 1, grid: 0, kind: org.Primary, from: "2026-06-01", code: apperr.Invalid, field: "share_pct"},
		}},
		{"extra defaults to 50", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", wantShare: 100},
			{worker: 0, grid: 1, kind: org.Extra, from: "2026-01-01", wantShare: 50},
		}},
		{"extra of 51 is refused", []step{
			{worker: 0, grid: 1, kind: org.Extra, share: 51, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 1, kind: org.Extra, share: -1, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 1, kind: org.Extra, share: 1, from: "2026-01-01", wantShare: 1},
		}},
		{"a worker's extras add up to at most 50", []step{
			{worker: 0, grid: 1, kind: org.Extra, share: 30, from: "2026-01-01", wantShare: 30},
			{worker: 0, grid: 2, kind: org.Extra, share: 30, from: "2026-02-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 2, kind: org.Extra, share: 21, from: "2025-12-01", code: apperr.Invalid, field: "grid_id"}, // grid not yet drawn
			{worker: 0, grid: 2, kind: org.Extra, share: 20, from: "2026-02-01", wantShare: 20},
			{worker: 0, grid: 3, kind: org.Extra, share: 1, from: "2026-02-01", code: apperr.Invalid, field: "share_pct"},
		}},
		{"extras that do not overlap in time may each be 50", []step{
			{worker: 0, grid: 1, kind: org.Extra, from: "2026-01-01", to: "2026-03-01", wantShare: 50},
			{worker: 0, grid: 2, kind: org.Extra, from: "2026-03-01", wantShare: 50},
			{worker: 0, grid: 3, kind: org.Extra, from: "2025-12-01", to: "2026-01-01", code: apperr.Invalid, field: "grid_id"}, // grid not yet drawn
		}},
		{"an extra starting later counts against one already in force then", []step{
			{worker: 0, grid: 1, kind: org.Extra, share: 40, from: "2026-05-01", wantShare: 40},
			{worker: 0, grid: 2, kind: org.Extra, share: 20, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 2, kind: org.Extra, share: 20, from: "2026-01-01", to: "2026-05-01", wantShare: 20},
		}},
		{"extra on a grid already fully covered is refused", []step{
			{worker: 1, grid: 1, kind: org.Primary, from: "2026-01-01", wantShare: 100},
			{worker: 0, grid: 1, kind: org.Extra, share: 1, from: "2026-02-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 0, grid: 1, kind: org.Extra, from: "2026-01-01", code: apperr.Invalid, field: "share_pct"},
		}},
		{"two 50% extras fill a vacant grid; a third is refused", []step{
			{worker: 0, grid: 5, kind: org.Extra, from: "2026-01-01", wantShare: 50},
			{worker: 1, grid: 5, kind: org.Extra, from: "2026-01-01", wantShare: 50},
			{worker: 2, grid: 5, kind: org.Extra, share: 1, from: "2026-06-01", code: apperr.Invalid, field: "share_pct"},
			{worker: 2, grid: 5, kind: org.Primary, from: "2026-06-01", code: apperr.Invalid, field: "share_pct"},
		}},
		{"a vacant grid's extras and a later primary", []step{
			{worker: 0, grid: 5, kind: org.Extra, from: "2026-01-01", to: "2026-04-01", wantShare: 50},
			{worker: 1, grid: 5, kind: org.Extra, from: "2026-01-01", to: "2026-04-01", wantShare: 50},
			{worker: 2, grid: 5, kind: org.Primary, from: "2026-04-01", wantShare: 100},
		}},
		{"no extra share of one's own primary grid", []step{
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-01-01", wantShare: 100},
			{worker: 0, grid: 0, kind: org.Extra, share: 10, from: "2026-02-01", code: apperr.Invalid, field: "grid_id"},
		}},
		{"not before the worker is in post", []step{
			{worker: 4, grid: 0, kind: org.Primary, from: "2026-02-28", code: apperr.Invalid, field: "valid_from"},
			{worker: 4, grid: 0, kind: org.Extra, from: "2026-01-01", code: apperr.Invalid, field: "valid_from"},
			{worker: 4, grid: 0, kind: org.Primary, from: "2026-03-01", wantShare: 100},
		}},
		{"bad input", []step{
			{worker: 0, grid: 0, kind: "half", from: "2026-01-01", code: apperr.Invalid, field: "kind"},
			{worker: 0, grid: 0, kind: org.Primary, code: apperr.Invalid, field: "valid_from"},
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-02-01", to: "2026-02-01", code: apperr.Invalid, field: "valid_to"},
			{worker: 0, grid: 0, kind: org.Primary, from: "2026-02-01", to: "2026-01-31", code: apperr.Invalid, field: "valid_to"},
			{worker: -1, grid: 0, kind: org.Primary, from: "2026-02-01", code: apperr.Invalid, field: "worker_id"},
			{worker: 0, grid: -1, kind: org.Primary, from: "2026-02-01", code: apperr.Invalid, field: "grid_id"},
			{worker: 0, grid: -2, kind: org.Primary, from: "2026-02-01", code: apperr.Invalid, field: "grid_id"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newAssignFixture(t, db)
				for i, s := range tc.steps {
					in := org.NewAssignment{Kind: s.kind, SharePct: s.share}
					switch s.worker {
					case -1:
						in.WorkerID = "no-such-worker"
					default:
						in.WorkerID = f.workers[s.worker].ID
					}
					switch s.grid {
					case -1:
						in.GridID = f.community.ID // not a grid
					case -2:
						in.GridID = "no-such-grid"
					default:
						in.GridID = f.grids[s.grid].ID
					}
					if s.from != "" {
						in.ValidFrom = day(s.from)
					}
					if s.to != "" {
						in.ValidTo = day(s.to)
					}
					before := rowCounts(t, db)
					a, err := f.st.Assign(bg, actor, in)
					if s.code != "" {
						if err == nil {
							t.Fatalf("step %d (%+v): accepted, want %s naming %s", i, s, s.code, s.field)
						}
						wantErr(t, err, s.code, s.field)
						wantCounts(t, db, before)
						continue
					}
					if err != nil {
						t.Fatalf("step %d (%+v): %v", i, s, err)
					}
					got, err := f.st.GetAssignment(bg, a.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got != a || got.SharePct != s.wantShare || got.Kind != s.kind || got.WorkerID != in.WorkerID ||
						got.GridID != in.GridID || got.ValidFrom != in.ValidFrom || got.ValidTo != in.ValidTo {
						t.Fatalf("step %d: stored %+v, returned %+v, want share %d", i, got, a, s.wantShare)
					}
				}
			})
		})
	}
}

// TestEndAssignment: an assignment ends after its start, and only once.
func TestEndAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAssignFixture(t, db)
		st := f.st
		a := f.assign(t, org.NewAssignment{WorkerID: f.workers[0].ID, GridID: f.grids[0].ID, Kind: org.Primary, ValidFrom: day("2026-02-01")})
		bounded := f.assign(t, org.NewAssignment{WorkerID: f.workers[1].ID, GridID: f.grids[1].ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-06-01")})
		for _, tc := range []struct {
			name  string
			id    string
			on    dates.Date
			code  apperr.Code
			field string
		}{
			{"no date", a.ID, dates.Date{}, apperr.Invalid, "on"},
			{"on its first day", a.ID, day("2026-02-01"), apperr.Invalid, "on"},
			{"before its first day", a.ID, day("2026-01-15"), apperr.Invalid, "on"},
			{"no such assignment", "nope", day("2026-03-01"), apperr.NotFound, ""},
			{"on its scheduled end", bounded.ID, day("2026-06-01"), apperr.Conflict, ""},
			{"after its scheduled end", bounded.ID, day("2026-07-01"), apperr.Conflict, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, db)
				_, err := st.EndAssignment(bg, actor, tc.id, tc.on)
				wantErr(t, err, tc.code, tc.field)
				wantCounts(t, db, before)
			})
		}
		t.Run("end", func(t *testing.T) {
			end := day("2026-03-01")
			got, err := st.EndAssignment(bg, actor, a.ID, end)
			if err != nil {
				t.Fatal(err)
			}
			if got.ValidTo != end || got.ValidFrom != a.ValidFrom {
				t.Fatalf("EndAssignment = %+v", got)
			}
			stored, err := st.GetAssignment(bg, a.ID)
			if err != nil || stored != got {
				t.Fatalf("stored %+v (%v), returned %+v", stored, err, got)
			}
			if !stored.ActiveOn(day("2026-02-28")) || stored.ActiveOn(end) || stored.ActiveOn(day("2026-01-31")) {
				t.Fatal("ActiveOn disagrees with the end date")
			}
			// Ending it again, on that day or later, is a Conflict.
			for _, on := range []string{"2026-03-01", "2026-04-01"} {
				_, err := st.EndAssignment(bg, actor, a.ID, day(on))
				e := wantErr(t, err, apperr.Conflict, "")
				if !strings.Contains(e.Message, "2026-03-01") {
					t.Errorf("message %q does not say when it ends", e.Message)
				}
			}
			// Bringing a scheduled end forward is allowed.
			got, err = st.EndAssignment(bg, actor, bounded.ID, day("2026-05-01"))
			if err != nil || got.ValidTo != day("2026-05-01") {
				t.Fatalf("bringing the end forward: %+v, %v", got, err)
			}
			// The worker may take a new primary from the end date.
			f.assign(t, org.NewAssignment{WorkerID: f.workers[0].ID, GridID: f.grids[2].ID, Kind: org.Primary, ValidFrom: end})
		})
	})
}

// TestListAssignments filters by date, worker, grid and scope.
func TestListAssignments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAssignFixture(t, db)
		st := f.st
		y := f.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: f.street.ID, Name: "东邻社区", Geometry: communityAt(West + Cols*Cell), ValidFrom: Start})
		yg := f.mustCreate(t, org.NewUnit{Level: org.Grid, ParentID: y.ID, Name: "东邻第1网格", Geometry: cellAt(West+Cols*Cell, 0, 0), ValidFrom: Start})
		w0, w1, w2 := f.workers[0], f.workers[1], f.workers[2]
		p0 := f.assign(t, org.NewAssignment{WorkerID: w0.ID, GridID: f.grids[0].ID, Kind: org.Primary, ValidFrom: Start, ValidTo: day("2026-04-01")})
		p0b := f.assign(t, org.NewAssignment{WorkerID: w0.ID, GridID: f.grids[1].ID, Kind: org.Primary, ValidFrom: day("2026-04-01")})
		x0 := f.assign(t, org.NewAssignment{WorkerID: w0.ID, GridID: yg.ID, Kind: org.Extra, ValidFrom: day("2026-02-01")})
		p1 := f.assign(t, org.NewAssignment{WorkerID: w1.ID, GridID: f.grids[2].ID, Kind: org.Primary, ValidFrom: Start})
		x2 := f.assign(t, org.NewAssignment{WorkerID: w2.ID, GridID: yg.ID, Kind: org.Extra, ValidFrom: day("2026-03-01")})
		all := []org.Assignment{p0, p1, x0, x2, p0b} // by start date, then id

		checkList(t, st.ListAssignments, assignmentIDs, []listCase[org.AssignmentQuery, org.Assignment]{
			{"all", org.AssignmentQuery{}, all},
			{"on 2026-01-15", org.AssignmentQuery{On: day("2026-01-15")}, []org.Assignment{p0, p1}},
			{"on 2026-03-31", org.AssignmentQuery{On: day("2026-03-31")}, []org.Assignment{p0, p1, x0, x2}},
			{"on 2026-04-01", org.AssignmentQuery{On: day("2026-04-01")}, []org.Assignment{p1, x0, x2, p0b}},
			{"on 2025-12-31", org.AssignmentQuery{On: day("2025-12-31")}, nil},
			{"worker 0", org.AssignmentQuery{WorkerID: w0.ID}, []org.Assignment{p0, x0, p0b}},
			{"worker 0 on 2026-04-01", org.AssignmentQuery{WorkerID: w0.ID, On: day("2026-04-01")}, []org.Assignment{x0, p0b}},
			{"grid of Y", org.AssignmentQuery{GridID: yg.ID}, []org.Assignment{x0, x2}},
			{"grid of Y on 2026-02-15", org.AssignmentQuery{GridID: yg.ID, On: day("2026-02-15")}, []org.Assignment{x0}},
			{"grid 1 by worker 1", org.AssignmentQuery{GridID: f.grids[0].ID, WorkerID: w1.ID}, nil},
			{"within X on 2026-03-31", org.AssignmentQuery{WithinID: f.community.ID, On: day("2026-03-31")}, []org.Assignment{p0, p1}},
			{"within X on 2026-04-01", org.AssignmentQuery{WithinID: f.community.ID, On: day("2026-04-01")}, []org.Assignment{p1, p0b}},
			{"within Y on 2026-03-31", org.AssignmentQuery{WithinID: y.ID, On: day("2026-03-31")}, []org.Assignment{x0, x2}},
			{"within the street on 2026-03-31", org.AssignmentQuery{WithinID: f.street.ID, On: day("2026-03-31")}, []org.Assignment{p0, p1, x0, x2}},
			{"within one grid", org.AssignmentQuery{WithinID: f.grids[2].ID, On: day("2026-03-31")}, []org.Assignment{p1}},
			{"worker 0 within Y", org.AssignmentQuery{WorkerID: w0.ID, WithinID: y.ID, On: day("2026-03-31")}, []org.Assignment{x0}},
		})
		checkPage(t, st.ListAssignments, assignmentIDs, org.AssignmentQuery{Limit: 2, Offset: 1}, assignmentIDs(all[1:3]), 5)
	})
}

func assignmentIDs(as []org.Assignment) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}
