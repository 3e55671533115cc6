package inspect_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/records"
	"gridwork/internal/seal/sealtest"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

var bg = context.Background()

// fixture is a street of two communities with two grids each, a worker
// per grid, 12 households a grid, and three inspectors: one of each
// community and one of the centre.
type fixture struct {
	st        *inspect.Store
	org       *org.Store
	street    org.Unit
	comm      [2]org.Unit
	grids     []org.Unit
	worker    map[string]string // grid → worker
	inspector map[string]string // inspector → community ('' for the centre)
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	keys := sealtest.Keys(t, 7)
	f := &fixture{org: org.NewStore(db), worker: map[string]string{}, inspector: map[string]string{}}
	rec := records.NewStore(db, f.org, keys)
	users := auth.NewStore(db, f.org, auth.TestParams)
	f.st = inspect.NewStore(db, f.org, rec, users, workcal.NewStore(db))
	from := dates.MustParse("2026-01-01")
	b := orgtest.New(t, f.org, from)
	_, f.street = b.Street()
	for c := range 2 {
		x := 116.3 + float64(c)*0.02
		f.comm[c] = b.Community(f.street, fmt.Sprintf("第%d社区", c+1), orgtest.RectDegrees(x, 39.9, x+0.02, 39.91))
		p := b.Worker(org.NewWorker{Name: fmt.Sprintf("督查员%d", c+1), Employment: org.FullTime, Post: org.Inspector,
			Phone: "13800138000", InPostSince: from, HomeUnitID: f.comm[c].ID})
		acc, _, err := users.CreateUser(bg, "test", auth.NewUser{Username: fmt.Sprintf("insp%d", c+1), DisplayName: p.Name, Role: auth.Inspector,
			ScopeUnitID: f.street.ID, WorkerID: p.ID, NoPassword: true})
		if err != nil {
			t.Fatal(err)
		}
		f.inspector[acc.ID] = f.comm[c].ID
		for g := range 2 {
			gx := x + float64(g)*0.01
			grid := b.Grid(f.comm[c], fmt.Sprintf("第%d网格", g+1), orgtest.RectDegrees(gx, 39.9, gx+0.01, 39.91))
			f.grids = append(f.grids, grid)
			w := b.GridWorker(org.NewWorker{Name: fmt.Sprintf("网格员%d%d", c+1, g+1), Employment: org.FullTime,
				Phone: "13800138000", InPostSince: from, HomeUnitID: f.comm[c].ID}, grid, from)
			f.worker[grid.ID] = w.ID
			for h := range 12 {
				purpose := records.Purpose("own")
				if h == 11 {
					purpose = "vacant" // not a household
				}
				if _, err := rec.CreateHouse(bg, "test", records.NewHouse{GridID: grid.ID, Address: fmt.Sprintf("%d号", h+1), Purpose: purpose, BeganOn: from}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	centre, _, err := users.CreateUser(bg, "test", auth.NewUser{Username: "insp-centre", DisplayName: "中心督查员", Role: auth.Inspector,
		ScopeUnitID: f.street.ID, NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	f.inspector[centre.ID] = ""
	// An inspector of one community only is no use to a street round.
	local, _, err := users.CreateUser(bg, "test", auth.NewUser{Username: "insp-local", DisplayName: "社区督查员", Role: auth.Inspector,
		ScopeUnitID: f.comm[0].ID, NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	f.inspector[local.ID] = f.comm[0].ID
	return f
}

// eachFixture runs fn once per engine on a fresh fixture.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newFixture(t, db)) })
}

// community returns the community of grid.
func (f *fixture) community(grid string) string {
	for i, g := range f.grids {
		if g.ID == grid {
			return f.comm[i/2].ID
		}
	}
	return ""
}

// allOK returns a result where every check passes.
func allOK(form inspect.Form, v inspect.Visit) inspect.Result {
	var res inspect.Result
	for _, it := range form.Items {
		if it.Scope == inspect.PerGrid {
			res.Checks = append(res.Checks, inspect.Check{Item: it.Code, OK: true})
			continue
		}
		for _, h := range v.Households {
			res.Checks = append(res.Checks, inspect.Check{Item: it.Code, HouseID: h, OK: true})
		}
	}
	return res
}

// fail marks item on household (or the grid, for "") as failed with count.
func fail(res inspect.Result, item, house string, count int, note string) inspect.Result {
	res.Checks = slices.Clone(res.Checks)
	for i, c := range res.Checks {
		if c.Item == item && c.HouseID == house {
			res.Checks[i].OK, res.Checks[i].Count, res.Checks[i].Note = false, count, note
		}
	}
	return res
}

func TestSpotCheckRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		now := time.Date(2026, 3, 31, 12, 0, 0, 0, dates.Shanghai)
		f.st = f.st.WithClock(func() time.Time { return now })
		march := inspect.NewRound{UnitID: f.street.ID, From: dates.MustParse("2026-03-01"), To: dates.MustParse("2026-03-31"), Households: 5, Seed: 7}
		r, err := f.st.PlanRound(bg, "centre", march)
		if err != nil {
			t.Fatal(err)
		}
		// 4 grids every 1.5 months: 3 a month.
		if len(r.Visits) != 3 {
			t.Fatalf("%d visits, want ceil(4 / 1.5) = 3", len(r.Visits))
		}
		for _, v := range r.Visits {
			if own := f.inspector[v.InspectorID]; own != "" && own == f.community(v.GridID) {
				t.Errorf("visit of grid %s drawn for inspector %s of its own community", v.GridID, v.InspectorID)
			}
			if v.WorkerID != f.worker[v.GridID] {
				t.Errorf("visit of grid %s carries worker %q, want %q", v.GridID, v.WorkerID, f.worker[v.GridID])
			}
			if len(v.Households) != 5 {
				t.Errorf("visit of grid %s samples %d households, want 5 of its 11", v.GridID, len(v.Households))
			}
		}
		// Before publication the seed is secret and nobody else may re-draw.
		if got, _ := f.st.GetRound(bg, r.ID, false); got.Seed != nil {
			t.Error("the seed of an unpublished round is shown")
		}
		if err := f.st.VerifyRound(bg, r.ID, false); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("re-drawing an unpublished round: %v, want ECONFLICT", err)
		}

		// The first visit fails: two households with people not
		// registered (3 and 1 people) and a moved-out person not cancelled.
		v := r.Visits[0]
		res := allOK(r.Form, v)
		res = fail(res, "registered", v.Households[0], 3, "租户3人未登记")
		res = fail(res, "registered", v.Households[1], 1, "新生儿未登记")
		res = fail(res, "moveouts_cancelled", v.Households[2], 1, "已迁出未注销")
		res.ClientID = "c-1"
		res.At = time.Date(2026, 3, 20, 10, 0, 0, 0, dates.Shanghai)
		got, err := f.st.RecordVisit(bg, "inspector", v.ID, res)
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict != "fail" {
			t.Errorf("verdict %q, want fail (3 household checks failed, FailAt 2)", got.Verdict)
		}
		// A resend is a no-op.
		if again, err := f.st.RecordVisit(bg, "inspector", v.ID, res); err != nil || again.DoneAt == nil || !again.DoneAt.Equal(*got.DoneAt) {
			t.Errorf("resend: %v, %v", again, err)
		}
		// The second visit passes with one household slip; the grid item of
		// the third fails it.
		v2 := r.Visits[1]
		if got, err := f.st.RecordVisit(bg, "inspector", v2.ID, fail(allOK(r.Form, v2), "qr_posted", v2.Households[0], 0, "二维码脱落")); err != nil || got.Verdict != "pass" {
			t.Errorf("one household slip: %q, %v; want pass", got.Verdict, err)
		}
		v3 := r.Visits[2]
		if got, err := f.st.RecordVisit(bg, "inspector", v3.ID, fail(allOK(r.Form, v3), "attendance", "", 0, "不在岗")); err != nil || got.Verdict != "fail" {
			t.Errorf("attendance failed: %q, %v; want fail", got.Verdict, err)
		}
		// Recording it again with another client ID is refused.
		if _, err := f.st.RecordVisit(bg, "inspector", v3.ID, allOK(r.Form, v3)); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("recording a done visit again: %v, want ECONFLICT", err)
		}

		// Fix tasks went back to the workers: 2 register + 1 cancel for the
		// first grid, 1 QR posting for the second; none for attendance.
		tasks, err := f.st.Tasks(bg, inspect.TaskQuery{WorkerID: v.WorkerID})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, tk := range tasks {
			kinds[tk.Kind]++
			if tk.DueOn != dates.MustParse("2026-03-27") {
				t.Errorf("task due %s, want 2026-03-27 (7 days after the visit)", tk.DueOn)
			}
		}
		if kinds["register"] != 2 || kinds["cancel"] != 1 || len(tasks) != 3 {
			t.Errorf("tasks of the failed grid's worker: %v, want 2 register and 1 cancel", kinds)
		}
		if _, err := f.st.CompleteTask(bg, v.WorkerID, tasks[0].ID, "已补登"); err != nil {
			t.Error(err)
		}
		if _, err := f.st.CompleteTask(bg, v.WorkerID, tasks[0].ID, "again"); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("completing a done task: %v, want ECONFLICT", err)
		}

		// Facts for March, per grid.
		g, names, err := f.st.Facts(bg, metric.Period{Year: 2026, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 5 {
			t.Errorf("measured %v", names)
		}
		for _, tc := range []struct {
			grid, name string
			want       float64
		}{
			{v.GridID, "inspect.checks", 1},
			{v.GridID, "inspect.failed", 1},
			{v.GridID, "inspect.missed_registrations", 4},
			{v.GridID, "inspect.missed_cancellations", 1},
			{v2.GridID, "inspect.failed", 0},
			{v2.GridID, "inspect.checks", 1},
			{v3.GridID, "inspect.failed", 1},
		} {
			if got := g.At(tc.grid, tc.name).Num; got != tc.want {
				t.Errorf("%s of grid %s = %v, want %v", tc.name, tc.grid, got, tc.want)
			}
		}
		if ev := g.At(v.GridID, "inspect.missed_registrations").Evidence; len(ev) != 2 || ev[0].Entity != "inspect_check" {
			t.Errorf("evidence of missed registrations: %v, want the two checks", ev)
		}
		if april, _, _ := f.st.Facts(bg, metric.Period{Year: 2026, Month: 4}); len(april) != 0 {
			t.Errorf("April has facts %v, want none", april)
		}

		// Published, the round re-draws to the stored visits; a visit moved
		// by hand afterwards is caught.
		if _, err := f.st.PublishRound(bg, "centre", r.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.st.VerifyRound(bg, r.ID, false); err != nil {
			t.Errorf("verify: %v", err)
		}
		if _, err := db.ExecContext(bg, `UPDATE inspect_visits SET inspector_id = 'someone' WHERE id = $1`, v2.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.st.VerifyRound(bg, r.ID, false); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("verify after tampering: %v, want ECONFLICT", err)
		}

		// The next round weighs the grids just inspected less: over many
		// seeds the one grid not visited in March is drawn most often.
		counts := map[string]int{}
		for seed := range uint64(60) {
			in := march
			in.From, in.To, in.Grids, in.Seed = dates.MustParse("2026-04-01"), dates.MustParse("2026-04-30"), 1, 100+seed
			nr, err := f.st.PlanRound(bg, "centre", in)
			if err != nil {
				t.Fatal(err)
			}
			counts[nr.Visits[0].GridID]++
		}
		var missed string
		for _, g := range f.grids {
			if !slices.ContainsFunc(r.Visits, func(v inspect.Visit) bool { return v.GridID == g.ID }) {
				missed = g.ID
			}
		}
		for grid, n := range counts {
			if grid != missed && n >= counts[missed] {
				t.Errorf("April draws: %v; the grid not inspected in March (%s, weight 90) should lead", counts, missed)
			}
		}
	})
}

func TestRecordVisitRejectsBadResults(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		r, err := f.st.PlanRound(bg, "centre", inspect.NewRound{UnitID: f.comm[0].ID, From: dates.MustParse("2026-03-01"),
			To: dates.MustParse("2026-03-31"), Grids: 1, Households: 3, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		v := r.Visits[0]
		// Only the centre's inspector may inspect a grid of community 1.
		if own := f.inspector[v.InspectorID]; own != "" {
			t.Errorf("inspector of community %s drawn for community 1's grid", own)
		}
		ok := allOK(r.Form, v)
		for name, res := range map[string]inspect.Result{
			"a household not drawn":  {Checks: append(slices.Clone(ok.Checks), inspect.Check{Item: "registered", HouseID: "elsewhere", OK: true})},
			"an unknown item":        {Checks: append(slices.Clone(ok.Checks), inspect.Check{Item: "beards", OK: true})},
			"an item left unchecked": {Checks: ok.Checks[1:]},
			"an item checked twice":  {Checks: append(slices.Clone(ok.Checks), ok.Checks[0])},
			"a grid item on a house": {Checks: append(slices.Clone(ok.Checks[:len(ok.Checks)-1]), inspect.Check{Item: "results", HouseID: v.Households[0], OK: true})},
			"lat without lon":        {Checks: ok.Checks, Lat: new(float64)},
			"a time in the future":   {Checks: ok.Checks, At: time.Now().Add(24 * time.Hour)},
		} {
			if _, err := f.st.RecordVisit(bg, "inspector", v.ID, res); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%s: %v, want EINVALID", name, err)
			}
		}
		if got, _ := f.st.GetVisit(bg, v.ID); got.Status != "planned" {
			t.Errorf("a rejected result changed the visit: %s", got.Status)
		}
		if _, err := f.st.PlanRound(bg, "centre", inspect.NewRound{UnitID: f.comm[0].ID, From: dates.MustParse("2026-03-01"),
			To: dates.MustParse("2026-03-31"), Grids: 3}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("3 grids of a community of 2: %v, want EINVALID", err)
		}
	})
}
