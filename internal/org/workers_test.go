package org_test

import (
	"slices"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// TestCreateWorkerValidation: every bad field is named, and nothing is
// stored.
func TestCreateWorkerValidation(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		good := func() org.NewWorker {
			return org.NewWorker{Name: "王芳", Employment: org.FullTime, Post: org.GridWorker, Phone: "13800138000",
				InPostSince: day("2025-06-01"), HomeUnitID: tw.community.ID}
		}
		for _, tc := range []struct {
			name   string
			edit   func(*org.NewWorker)
			fields []string // nil: accepted
		}{
			{"valid", func(w *org.NewWorker) {}, nil},
			{"landline with dash", func(w *org.NewWorker) { w.Phone = "010-64123456" }, nil},
			{"landline without dash", func(w *org.NewWorker) { w.Phone = "075512345678" }, nil},
			{"part-time inspector", func(w *org.NewWorker) { w.Employment, w.Post = org.PartTime, org.Inspector }, nil},
			{"homed at the street", func(w *org.NewWorker) { w.HomeUnitID = tw.street.ID }, nil},
			{"blank name", func(w *org.NewWorker) { w.Name = "  " }, []string{"name"}},
			{"unknown employment", func(w *org.NewWorker) { w.Employment = "contract" }, []string{"employment"}},
			{"no employment", func(w *org.NewWorker) { w.Employment = "" }, []string{"employment"}},
			{"unknown post", func(w *org.NewWorker) { w.Post = "captain" }, []string{"post"}},
			{"phone too short", func(w *org.NewWorker) { w.Phone = "1380013800" }, []string{"phone"}},
			{"phone not a mobile prefix", func(w *org.NewWorker) { w.Phone = "12800138000" }, []string{"phone"}},
			{"phone with letters", func(w *org.NewWorker) { w.Phone = "1380013800a" }, []string{"phone"}},
			{"no phone", func(w *org.NewWorker) { w.Phone = "" }, []string{"phone"}},
			{"no in_post_since", func(w *org.NewWorker) { w.InPostSince = dates.Date{} }, []string{"in_post_since"}},
			{"no home unit", func(w *org.NewWorker) { w.HomeUnitID = "" }, []string{"home_unit_id"}},
			{"unknown home unit", func(w *org.NewWorker) { w.HomeUnitID = "nope" }, []string{"home_unit_id"}},
			{"everything wrong", func(w *org.NewWorker) { *w = org.NewWorker{Employment: "x", Post: "y", Phone: "z"} },
				[]string{"employment", "home_unit_id", "in_post_since", "name", "phone", "post"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := good()
				tc.edit(&in)
				before := rowCounts(t, tw.db)
				w, err := tw.st.CreateWorker(bg, actor, in)
				if tc.fields == nil {
					if err != nil {
						t.Fatal(err)
					}
					got, err := tw.st.GetWorker(bg, w.ID)
					if err != nil || got.Name != in.Name || got.Phone != in.Phone || got.Post != in.Post ||
						got.Employment != in.Employment || got.InPostSince != in.InPostSince || got.HomeUnitID != in.HomeUnitID || !got.LeftPostOn.IsZero() {
						t.Fatalf("GetWorker = %+v, %v; want %+v", got, err, in)
					}
					return
				}
				e := wantErr(t, err, apperr.Invalid, "")
				if got := fieldNames(e); !slices.Equal(got, tc.fields) {
					t.Fatalf("fields %v, want %v (%v)", got, tc.fields, err)
				}
				wantCounts(t, tw.db, before)
			})
		}
		_, err := tw.st.GetWorker(bg, "nope")
		wantErr(t, err, apperr.NotFound, "")
	})
}

// TestMonthsInPost counts whole months, a month being complete when the day
// of month is reached.
func TestMonthsInPost(t *testing.T) {
	for _, tc := range []struct {
		since, on string
		want      int
	}{
		{"2025-10-15", "2026-04-14", 5},
		{"2025-10-15", "2026-04-15", 6},
		{"2025-10-15", "2026-04-16", 6},
		{"2025-10-15", "2025-10-15", 0},
		{"2025-10-15", "2025-11-14", 0},
		{"2025-10-15", "2025-11-15", 1},
		{"2025-10-15", "2025-10-14", 0}, // before joining
		{"2025-10-15", "2027-10-15", 24},
		{"2025-01-31", "2025-02-28", 0},
		{"2025-01-31", "2025-03-31", 2},
		{"", "2026-04-15", 0}, // no joining date
	} {
		t.Run(tc.since+" to "+tc.on, func(t *testing.T) {
			var w org.Worker
			if tc.since != "" {
				w.InPostSince = day(tc.since)
			}
			if got := w.MonthsInPost(day(tc.on)); got != tc.want {
				t.Fatalf("MonthsInPost = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestUpdateWorker: fields change; leaving the post ends open assignments
// that day and cancels those that would start later.
func TestUpdateWorker(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		gs := tw.tile(t)
		w := tw.worker(t, "王芳", tw.community.ID, day("2025-10-15"))
		primary := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: gs[0].ID, Kind: org.Primary, ValidFrom: Start})
		extra := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: gs[1].ID, Kind: org.Extra, SharePct: 25, ValidFrom: day("2026-02-01")})
		ended := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: gs[2].ID, Kind: org.Extra, SharePct: 25, ValidFrom: Start, ValidTo: day("2026-03-01")})
		future := tw.assign(t, org.NewAssignment{WorkerID: w.ID, GridID: gs[3].ID, Kind: org.Extra, SharePct: 25, ValidFrom: day("2026-06-01")})

		for _, tc := range []struct {
			name   string
			patch  org.WorkerPatch
			fields []string
		}{
			{"blank name", org.WorkerPatch{Name: ptr("")}, []string{"name"}},
			{"bad phone", org.WorkerPatch{Phone: ptr("110")}, []string{"phone"}},
			{"bad post", org.WorkerPatch{Post: ptr(org.Post("boss"))}, []string{"post"}},
			{"bad employment", org.WorkerPatch{Employment: ptr(org.Employment("temp"))}, []string{"employment"}},
			{"zero in_post_since", org.WorkerPatch{InPostSince: ptr(dates.Date{})}, []string{"in_post_since"}},
			{"left before joining", org.WorkerPatch{LeftPostOn: ptr(day("2025-10-14"))}, []string{"left_post_on"}},
			{"unknown home unit", org.WorkerPatch{HomeUnitID: ptr("nope")}, []string{"home_unit_id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, tw.db)
				_, err := st.UpdateWorker(bg, actor, w.ID, tc.patch)
				e := wantErr(t, err, apperr.Invalid, "")
				if got := fieldNames(e); !slices.Equal(got, tc.fields) {
					t.Fatalf("fields %v, want %v (%v)", got, tc.fields, err)
				}
				wantCounts(t, tw.db, before)
			})
		}
		_, err := st.UpdateWorker(bg, actor, "nope", org.WorkerPatch{Name: ptr("x")})
		wantErr(t, err, apperr.NotFound, "")

		t.Run("plain change", func(t *testing.T) {
			got, err := st.UpdateWorker(bg, actor, w.ID, org.WorkerPatch{Phone: ptr("13900139000"), Post: ptr(org.GridLeader)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Phone != "13900139000" || got.Post != org.GridLeader || got.Name != "王芳" || !got.LeftPostOn.IsZero() {
				t.Fatalf("UpdateWorker = %+v", got)
			}
			if as, _, _ := st.ListAssignments(bg, org.AssignmentQuery{WorkerID: w.ID}); len(as) != 4 {
				t.Fatalf("a plain change touched assignments: %d left", len(as))
			}
		})

		t.Run("leaving the post", func(t *testing.T) {
			left := day("2026-05-01")
			got, err := st.UpdateWorker(bg, actor, w.ID, org.WorkerPatch{LeftPostOn: &left})
			if err != nil {
				t.Fatal(err)
			}
			if got.LeftPostOn != left {
				t.Fatalf("LeftPostOn = %s, want %s", got.LeftPostOn, left)
			}
			for _, tc := range []struct {
				a    org.Assignment
				to   string
				gone bool
			}{
				{primary, "2026-05-01", false},
				{extra, "2026-05-01", false},
				{ended, "2026-03-01", false},
				{future, "", true},
			} {
				a, err := st.GetAssignment(bg, tc.a.ID)
				if tc.gone {
					wantErr(t, err, apperr.NotFound, "")
					continue
				}
				if err != nil || a.ValidTo.String() != tc.to || a.ValidFrom != tc.a.ValidFrom {
					t.Errorf("assignment on %s: %s–%s (%v), want %s–%s", tc.a.GridID, a.ValidFrom, a.ValidTo, err, tc.a.ValidFrom, tc.to)
				}
			}
			// Still on the grid the day before leaving, not on the day.
			for on, want := range map[string]int{"2026-04-30": 2, "2026-05-01": 0} {
				as, _, err := st.ListAssignments(bg, org.AssignmentQuery{WorkerID: w.ID, On: day(on)})
				if err != nil || len(as) != want {
					t.Errorf("assignments on %s: %d (%v), want %d", on, len(as), err, want)
				}
			}
			// A worker who has left cannot be assigned from then on.
			_, err = st.Assign(bg, actor, org.NewAssignment{WorkerID: w.ID, GridID: gs[4].ID, Kind: org.Primary, ValidFrom: left})
			wantErr(t, err, apperr.Invalid, "valid_from")
			// The grid is free for someone else.
			other := tw.worker(t, "李强", tw.community.ID, day("2025-06-01"))
			tw.assign(t, org.NewAssignment{WorkerID: other.ID, GridID: gs[0].ID, Kind: org.Primary, ValidFrom: left})
		})
	})
}

// TestListWorkers: scoping by home unit subtree, in-post filtering, post
// filtering, ordering by name and paging.
func TestListWorkers(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		st := tw.st
		y := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: tw.street.ID, Name: "东邻社区", Geometry: communityAt(West + Cols*Cell), ValidFrom: Start})
		street2 := tw.mustCreate(t, org.NewUnit{Level: org.Street, ParentID: tw.district.ID, Name: "安贞街道", ValidFrom: Start})
		z := tw.mustCreate(t, org.NewUnit{Level: org.Community, ParentID: street2.ID, Name: "安贞里社区", ValidFrom: Start})
		area := tw.mustCreate(t, org.NewUnit{Level: org.Area, ParentID: tw.community.ID, Name: "东片区", ValidFrom: Start})

		a := tw.worker(t, "A王", tw.community.ID, day("2025-01-01"))
		b := tw.worker(t, "B李", tw.community.ID, day("2026-03-01")) // joins in March
		c := tw.worker(t, "C张", y.ID, day("2025-01-01"))
		d := tw.worker(t, "D赵", tw.street.ID, day("2025-01-01"))
		e := tw.worker(t, "E刘", z.ID, day("2025-01-01"))
		f := tw.worker(t, "F陈", area.ID, day("2025-01-01"))
		if _, err := st.UpdateWorker(bg, actor, c.ID, org.WorkerPatch{LeftPostOn: ptr(day("2026-02-01")), Post: ptr(org.Inspector)}); err != nil {
			t.Fatal(err)
		}
		all := []org.Worker{a, b, c, d, e, f}
		on := day("2026-01-15")
		checkList(t, st.ListWorkers, workerNames, []listCase[org.WorkerQuery, org.Worker]{
			{"everyone", org.WorkerQuery{}, all},
			{"within community X", org.WorkerQuery{WithinID: tw.community.ID, On: on}, []org.Worker{a, b, f}},
			{"within community Y", org.WorkerQuery{WithinID: y.ID, On: on}, []org.Worker{c}},
			{"within the 片区", org.WorkerQuery{WithinID: area.ID, On: on}, []org.Worker{f}},
			{"within the street", org.WorkerQuery{WithinID: tw.street.ID, On: on}, []org.Worker{a, b, c, d, f}},
			{"within the other street", org.WorkerQuery{WithinID: street2.ID, On: on}, []org.Worker{e}},
			{"within the district", org.WorkerQuery{WithinID: tw.district.ID, On: on}, all},
			{"within the district before it exists", org.WorkerQuery{WithinID: tw.district.ID, On: day("2025-12-31")}, nil},
			{"in post on 2026-01-15", org.WorkerQuery{InPostOnly: true, On: on}, []org.Worker{a, c, d, e, f}},
			{"in post on 2026-02-01", org.WorkerQuery{InPostOnly: true, On: day("2026-02-01")}, []org.Worker{a, d, e, f}},
			{"in post on 2026-03-01", org.WorkerQuery{InPostOnly: true, On: day("2026-03-01")}, []org.Worker{a, b, d, e, f}},
			{"in post within X on 2026-01-15", org.WorkerQuery{WithinID: tw.community.ID, InPostOnly: true, On: on}, []org.Worker{a, f}},
			{"in post within Y on 2026-02-01", org.WorkerQuery{WithinID: y.ID, InPostOnly: true, On: day("2026-02-01")}, nil},
			{"inspectors", org.WorkerQuery{Post: org.Inspector}, []org.Worker{c}},
			{"grid workers within the street", org.WorkerQuery{Post: org.GridWorker, WithinID: tw.street.ID, On: on}, []org.Worker{a, b, d, f}},
		})
		checkPage(t, st.ListWorkers, workerNames, org.WorkerQuery{Limit: 2, Offset: 2}, []string{"C张", "D赵"}, 6)
	})
}

func workerNames(ws []org.Worker) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Name)
	}
	return out
}
