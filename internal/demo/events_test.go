package demo_test

import (
	"context"
	"testing"
	"time"

	"gridwork/internal/demo"
	"gridwork/internal/events"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

// loadEvents loads the demo's events at scale into db, a copy of the demo
// town.
func loadEvents(t testing.TB, db *store.DB, scale float64) (demo.EventSummary, *events.Store, *org.Store) {
	t.Helper()
	ctx := context.Background()
	orgs := org.NewStore(db)
	town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	ev := events.NewStore(db, workcal.NewStore(db), events.Options{})
	sum, err := demo.LoadEvents(ctx, db, orgs, ev, files.NewStore(db, t.TempDir()), town, demo.EventOptions{Seed: demo.DefaultSeed, Scale: scale})
	if err != nil {
		t.Fatal(err)
	}
	return sum, ev, orgs
}

// TestLoadEvents loads a tenth of the demo's events on each engine and
// checks that every miss the demo promises is there, and that the same
// seed gives the same events.
func TestLoadEvents(t *testing.T) {
	t.Parallel()
	var first demo.EventSummary
	town.Each(t, func(t *testing.T, own storetest.Copy[demo.Summary]) {
		db := own.DB
		sum, ev, orgs := loadEvents(t, db, 0.1)
		t.Logf("%+v", sum)
		for name, n := range map[string]int{"events": sum.Events, "by residents": sum.ByResidents, "self-handled": sum.SelfHandled,
			"upward": sum.Upward, "closed": sum.Closed, "open": sum.Open, "duplicates": sum.Duplicates, "badly described": sum.BadlyDescribed,
			"yellow cards": sum.YellowCards, "red cards": sum.RedCards, "mediation": sum.Mediation} {
			if n == 0 {
				t.Errorf("no %s", name)
			}
		}
		if sum.Major != 2 || sum.MajorLate != 1 {
			t.Errorf("major %d, late %d; want 2 and 1", sum.Major, sum.MajorLate)
		}
		sum.Took = 0
		if first.Events == 0 {
			first = sum
		} else if sum != first {
			t.Errorf("another engine, the same seed: %+v, want %+v", sum, first)
		}
		// The facts show the misses: quotas short, late acceptances over
		// the Spring Festival, a late major event in April.
		c := facts.NewCollector(db, orgs, ev)
		feb, err := c.Collect(context.Background(), metric.Period{Year: 2026, Month: 2})
		if err != nil {
			t.Fatal(err)
		}
		apr, err := c.Collect(context.Background(), metric.Period{Year: 2026, Month: 4})
		if err != nil {
			t.Fatal(err)
		}
		worst := map[string]float64{}
		for _, f := range feb {
			if f.Subject == metric.Worker && (f.Name == "events.quota_short" || f.Name == "events.yellow_cards") {
				worst[f.Name] = max(worst[f.Name], f.Value)
			}
			if f.Subject == metric.Unit && f.Name == "events.accept_rate" && f.Den > 0 && f.Value < 100 {
				worst["late acceptance"]++
			}
		}
		for _, f := range apr {
			if f.Subject == metric.Worker && f.Name == "events.major_late" {
				worst[f.Name] += f.Value
			}
		}
		for _, name := range []string{"events.quota_short", "late acceptance", "events.major_late"} {
			if worst[name] == 0 {
				t.Errorf("February/April: no %s in any subject", name)
			}
		}
	})
}

// BenchmarkLoadEvents loads the demo's events at full scale.
func BenchmarkLoadEvents(b *testing.B) {
	for range b.N {
		start := time.Now()
		sum, _, _ := loadEvents(b, town.SQLite(b).DB, 1)
		b.ReportMetric(float64(sum.Events), "events")
		b.ReportMetric(time.Since(start).Seconds(), "s")
	}
}
