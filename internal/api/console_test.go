package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/api"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/events"
	"gridwork/internal/exchange"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store/storetest"
)

// TestConsoleSummary checks the home screen's counts against the stores'
// own lists on both engines: open events by light against the events
// queue's totals, due special-care visits against the overdue list,
// patrol coverage against a batch sent today, and that the counts follow
// the caller's scope and role.
func TestConsoleSummary(t *testing.T) {
	t.Parallel()
	demoTown.Each(t, func(t *testing.T, loaded storetest.Copy[demo.Summary]) {
		ctx := context.Background()
		db := loaded.DB
		f := newFixture(t, loaded)
		cs, fs := f.app.Care, f.app.Files
		if _, err := demo.LoadRecords(ctx, db, f.orgs, f.records, fs, f.town, demo.RecordOptions{Seed: demo.DefaultSeed, HouseholdsPerGrid: 3, Care: cs}); err != nil {
			t.Fatal(err)
		}
		ev := f.app.Events
		if _, err := demo.LoadEvents(ctx, db, f.orgs, ev, fs, f.town, demo.EventOptions{Seed: demo.DefaultSeed, Scale: 0.1}); err != nil {
			t.Fatal(err)
		}
		// March assessed under seed 000's template (a built-in): its scores
		// colour the map.
		as := f.app.Assess
		if _, err := f.app.Facts.Refresh(ctx, metric.Period{Year: 2026, Month: 3}); err != nil {
			t.Fatal(err)
		}
		streets, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 3, 31), Level: org.Street, WithoutGeometry: true})
		if err != nil || len(streets) != 1 {
			t.Fatalf("street: %v %v", streets, err)
		}
		run, err := as.Run(ctx, "system", "seed000-housing-station-monthly", "2026-03", streets[0].ID, "console test")
		if err != nil {
			t.Fatal(err)
		}

		// One worker patrols today.
		w := f.town.Workers[0]
		pts := circle(f, w.Key)
		if r := f.bearer(t, w.Username).do(t, http.MethodPost, "/api/patrol/batches", map[string]any{"client_id": uuid.NewString(), "points": pts}); r.status != http.StatusOK {
			t.Fatalf("patrol batch: %d %s", r.status, r.body)
		}
		patrolledToday := dates.Of(time.Now().Add(-11*time.Minute)) == dates.Today()

		centre := f.signIn(t, "centre01")
		var sum api.ConsoleSummary
		centre.get(t, "/api/console/summary", &sum)
		if sum.Events == nil || sum.Care == nil || sum.Patrol == nil {
			t.Fatalf("the centre's summary lacks a section: %+v", sum)
		}
		for light, got := range map[string]int{"green": sum.Events.Green, "yellow": sum.Events.Yellow, "red": sum.Events.Red, "parked": sum.Events.Parked} {
			var page list[events.Event]
			centre.get(t, "/api/events?per_page=1&light="+light, &page)
			if page.Total != got {
				t.Errorf("%s events: the summary says %d, the queue %d", light, got, page.Total)
			}
		}
		if sum.Events.Green+sum.Events.Yellow+sum.Events.Red == 0 {
			t.Error("the demo's open events show no light at all")
		}
		due, err := cs.Overdue(ctx, dates.Today(), "")
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		for _, d := range due {
			if d.DaysOverdue > 0 {
				overdue++
			}
		}
		if sum.Care.Overdue != overdue || sum.Care.Due+sum.Care.Overdue != len(due) || overdue == 0 {
			t.Errorf("care: the summary says %+v; the overdue list has %d, %d past due", *sum.Care, len(due), overdue)
		}
		if patrolledToday && (sum.Patrol.WorkersPatrolled != 1 || sum.Patrol.GridsPatrolled < 1) {
			t.Errorf("patrol coverage %+v, want the one worker who sent fixes today", *sum.Patrol)
		}
		if sum.Patrol.Workers == 0 || sum.Patrol.Grids == 0 || sum.Patrol.Grids > len(sum.Grids) {
			t.Errorf("patrol coverage %+v of %d grids", *sum.Patrol, len(sum.Grids))
		}
		// The grids add up to the totals.
		var red, care, without int
		for _, g := range sum.Grids {
			red += g.Events.Red
			care += g.CareOverdue
			if g.OverdueWork != g.Events.Red+g.CareOverdue {
				t.Errorf("grid %s: overdue work %d, red %d + care %d", g.Code, g.OverdueWork, g.Events.Red, g.CareOverdue)
			}
			if g.WithoutWorker {
				without++
			}
		}
		if len(sum.Grids) != len(f.town.Grids) || red != sum.Events.Red || care != sum.Care.Overdue {
			t.Errorf("%d grids (town %d), red %d of %d, care %d of %d", len(sum.Grids), len(f.town.Grids), red, sum.Events.Red, care, sum.Care.Overdue)
		}
		if without == 0 || without == len(sum.Grids) {
			t.Errorf("%d of %d grids without a worker; the demo leaves some, not all, without", without, len(sum.Grids))
		}

		// Each grid's score is its workers' totals weighted by their shares.
		if sum.Run == nil || sum.Run.ID != run.ID {
			t.Fatalf("the summary's run is %+v, want %s", sum.Run, run.ID)
		}
		_, rows, err := as.Table(ctx, run.ID, runs.TableQuery{Kind: scheme.Worker})
		if err != nil {
			t.Fatal(err)
		}
		totals := map[string]float64{}
		for _, r := range rows {
			if r.Assessed {
				totals[r.SubjectID] = r.Total
			}
		}
		as2, _, err := f.orgs.ListAssignments(ctx, org.AssignmentQuery{On: dates.Today()})
		if err != nil {
			t.Fatal(err)
		}
		weighted, shares := map[string]float64{}, map[string]int{}
		for _, a := range as2 {
			if tot, ok := totals[a.WorkerID]; ok {
				weighted[a.GridID] += tot * float64(a.SharePct)
				shares[a.GridID] += a.SharePct
			}
		}
		scored := 0
		for _, g := range sum.Grids {
			if shares[g.GridID] == 0 {
				if g.Score != nil {
					t.Errorf("grid %s has score %v without an assessed worker", g.Code, *g.Score)
				}
				continue
			}
			want := weighted[g.GridID] / float64(shares[g.GridID])
			if g.Score == nil || math.Abs(*g.Score-want) > 1e-9 {
				t.Errorf("grid %s: score %v, want %v", g.Code, g.Score, want)
			}
			scored++
		}
		if scored == 0 {
			t.Error("no grid has a score")
		}

		// Community staff see their community only.
		var mine api.ConsoleSummary
		f.signIn(t, "c01staff").get(t, "/api/console/summary", &mine)
		wantGrids, _ := f.townCounts("c01")
		if len(mine.Grids) != wantGrids || mine.Events == nil || mine.Events.Red > sum.Events.Red {
			t.Errorf("c01 staff: %d grids (want %d), events %+v", len(mine.Grids), wantGrids, mine.Events)
		}
		// An admin reads no special-care data, not even counts.
		var adm api.ConsoleSummary
		f.signIn(t, "admin").get(t, "/api/console/summary", &adm)
		if adm.Care != nil || adm.Events == nil || len(adm.Grids) != len(sum.Grids) {
			t.Errorf("admin: care %+v (want none), events %+v, %d grids", adm.Care, adm.Events, len(adm.Grids))
		}
		if r := f.anon().do(t, http.MethodGet, "/api/console/summary", nil); r.status != http.StatusUnauthorized {
			t.Errorf("anonymous summary: %d", r.status)
		}
	})
}

// TestImportWizard walks the wizard's API on both engines: a file whose
// headers nobody listed is sampled (columns, first rows with identity
// numbers masked), refused without a mapping, checked as a dry run with
// one (nothing stored, the bad row reported), then imported.
func TestImportWizard(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		grid := f.listGrids(t, f.communityID(t, "c01"))[0].Code
		good := demoID(21)
		bad := demoID(22)[:17] + "0"
		if demoID(22)[17] == '0' {
			bad = demoID(22)[:17] + "1"
		}
		content := []byte("人口台账\n名字,号码,类型,网格号,到达\n测试甲," + good + ",流动," + grid + ",2026-03-01\n测试乙," + bad + ",流动," + grid + ",2026-03-01\n")
		c := f.signIn(t, "centre01")
		post := func(path string, values map[string]string) *response {
			body, ct := multipartBody(t, "people.csv", content, values)
			return c.do(t, http.MethodPost, path, body, "Content-Type", ct)
		}
		r := post("/api/people/import/sample", nil)
		if r.status != http.StatusOK {
			t.Fatalf("sample: %d %s", r.status, r.body)
		}
		var sample records.PeopleImportSample
		json.Unmarshal(r.body, &sample)
		if sample.HeaderRow != 2 || len(sample.Columns) != 5 || sample.Columns[1].Header != "号码" || len(sample.Rows) != 2 || len(sample.Suggested) != 0 {
			t.Fatalf("sample %+v", sample)
		}
		if strings.Contains(string(r.body), good) || sample.Rows[0][1] != "1101**********"+good[14:] {
			t.Errorf("the sample shows the identity number %q, want it masked", sample.Rows[0][1])
		}
		if len(sample.Fields) == 0 || sample.Fields[0].Name != "name" || !sample.Fields[0].Required {
			t.Errorf("fields %+v", sample.Fields)
		}

		if r := post("/api/people/import", nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("without a mapping the unknown headers give %d %s, want 422", r.status, r.body)
		}
		if r := post("/api/people/import", map[string]string{"mapping": `{"nosuch":"名字"}`}); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "mapping") {
			t.Errorf("a mapping naming an unknown field gives %d %s", r.status, r.body)
		}
		mapping := `{"name":"名字","id_number":"号码","category":"类型","grid":"网格号","began_on":"到达"}`
		count := func() int {
			var n int
			if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE name LIKE '测试%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		r = post("/api/people/import", map[string]string{"mapping": mapping, "dry_run": "true"})
		var rep exchange.Report
		json.Unmarshal(r.body, &rep)
		if r.status != http.StatusOK || rep.Rows != 2 || rep.Stored != 1 || rep.Skipped != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 4 || rep.Errors[0].Field != "id_number" || rep.Errors[0].Column != "2" {
			t.Fatalf("dry run: %d %s", r.status, r.body)
		}
		if n := count(); n != 0 {
			t.Fatalf("a dry run stored %d people", n)
		}
		r = post("/api/people/import", map[string]string{"mapping": mapping})
		json.Unmarshal(r.body, &rep)
		if r.status != http.StatusOK || rep.Stored != 1 || len(rep.Errors) != 1 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		if n := count(); n != 1 {
			t.Errorf("the import stored %d people, want 1", n)
		}
		if r := f.signIn(t, "insp01").do(t, http.MethodPost, "/api/people/import/sample", nil); r.status != http.StatusForbidden {
			t.Errorf("an inspector samples an import: %d", r.status)
		}
	})
}

// TestWorkerSearch checks the workers list's name search.
func TestWorkerSearch(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		w := f.town.Workers[3]
		part := string([]rune(w.Name)[1:])
		var got list[struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}]
		f.signIn(t, "centre01").get(t, "/api/workers?per_page=1000&q="+part, &got)
		found := false
		for _, x := range got.Items {
			found = found || x.Name == w.Name
			if !strings.Contains(x.Name, part) {
				t.Errorf("search %q lists %q", part, x.Name)
			}
		}
		if !found || got.Total != len(got.Items) {
			t.Errorf("search %q: %+v, want %s among them", part, got, w.Name)
		}
	})
}
