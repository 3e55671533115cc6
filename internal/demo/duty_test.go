package demo_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"gridwork/internal/demo"
	"gridwork/internal/duty"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// loadDutyFacts loads the duty months into db, a copy of the demo town,
// and returns the collected duty facts of the three months, by subject
// and name (subject ids differ between loads, so workers and units are
// named by their order in the sorted list).
func loadDutyFacts(t *testing.T, db *store.DB, seed uint64) (demo.DutySummary, map[string]float64) {
	t.Helper()
	ctx := context.Background()
	orgs := org.NewStore(db)
	town := demo.Generate(seed, demo.DefaultFrom)
	ds := duty.NewStore(db, orgs)
	sum, err := demo.LoadDuty(ctx, db, orgs, ds, town, demo.DutyOptions{Seed: seed, Files: files.NewStore(db, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{} // worker and unit id → username or code, stable across loads
	rows, err := db.QueryContext(ctx, `SELECT worker_id, username FROM users WHERE worker_id IS NOT NULL
		UNION ALL SELECT unit_id, code FROM org_unit_versions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		names[id] = name
	}
	rows.Close()
	out := map[string]float64{}
	c := facts.NewCollector(db, orgs, ds)
	for m := 2; m <= 4; m++ {
		fs, err := c.Collect(ctx, metric.Period{Year: 2026, Month: time.Month(m)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			out[fmt.Sprintf("%d/%s/%s/%s", m, f.Subject, names[f.SubjectID], f.Name)] = f.Value
		}
	}
	return sum, out
}

// The same seed gives the same duty facts, on either engine, and they show
// every kind of miss. The loader's draws are interleaved with its writes,
// so what is compared is two loads, the second on the other engine
// (otherTown), run at the same time.
func TestLoadDutyIsDeterministicWithMisses(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the duty months twice")
	}
	t.Parallel()
	var sum1, sum2 demo.DutySummary
	var f1, f2 map[string]float64
	var streetCode string
	t.Run("load", func(t *testing.T) {
		t.Run("sqlite", func(t *testing.T) {
			t.Parallel()
			db := town.SQLite(t).DB
			sum1, f1 = loadDutyFacts(t, db, demo.DefaultSeed)
			streetCode = streetCodeOf(t, db)
		})
		t.Run("again", func(t *testing.T) {
			t.Parallel()
			sum2, f2 = loadDutyFacts(t, otherTown(t), demo.DefaultSeed)
		})
	})
	if t.Failed() {
		return
	}
	same := func(t *testing.T, sum2 demo.DutySummary, f2 map[string]float64) {
		t.Helper()
		sum1.Took, sum2.Took = 0, 0
		if sum1 != sum2 {
			t.Fatalf("summaries differ: %+v, %+v", sum1, sum2)
		}
		if len(f1) != len(f2) {
			t.Fatalf("%d facts, then %d", len(f1), len(f2))
		}
		for k, v := range f1 {
			if math.Abs(f2[k]-v) > 1e-9 {
				t.Errorf("%s = %g, then %g", k, v, f2[k])
			}
		}
	}
	same(t, sum2, f2)
	// Realistic misses: every kind shows up somewhere in the street.
	street := map[string]float64{}
	for k, v := range f1 {
		parts := strings.SplitN(k, "/", 4)
		if parts[1] == "unit" && parts[2] == streetCode {
			street[parts[3]] += v
		}
	}
	for _, fact := range []string{"duty.login_missed", "duty.late_arrivals", "duty.late_flag", "duty.meetings_missed", "duty.checks_absent",
		"duty.analysis_absent", "duty.analysis_unreported", "duty.work_sheets_missing", "duty.reports_late", "duty.plans_late",
		"duty.publicity_district", "duty.volunteer_shortfall", "duty.morning_meetings", "duty.analysis_meetings", "duty.system_elimination",
		"duty.phone_not_carried", "duty.app_activities"} {
		if street[fact] == 0 {
			t.Errorf("the street's %s is 0 in all three months", fact)
		}
	}
	t.Logf("summary %+v; the street over three months: %v", sum1, street)
	if sum1.InvalidActivities == 0 || sum1.LateReports == 0 || sum1.Leave == 0 {
		t.Errorf("summary lacks misses: %+v", sum1)
	}
	if street["duty.app_installed_rate"] >= 300 {
		t.Errorf("every worker had the app in every month: %g", street["duty.app_installed_rate"])
	}
}

// streetCodeOf returns the code the demo street got when loaded into db.
func streetCodeOf(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var code string
	if err := db.QueryRowContext(ctx, `SELECT code FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id WHERE u.level = 'street'`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	return code
}
