package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gridwork/internal/audit"
	"gridwork/internal/auth"
	"gridwork/internal/care"
	"gridwork/internal/demo"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// recordTown is a loaded demo town with its stores.
type recordTown struct {
	db   *store.DB
	orgs *org.Store
	rec  *records.Store
	care *care.Store
	fs   *files.Store
	town demo.Town
}

// newRecordTown gives the test its own SQLite copy of the demo town (org
// tree, workers, accounts).
func newRecordTown(tb testing.TB) *recordTown {
	tb.Helper()
	c := town.SQLite(tb)
	return recordTownOn(tb, c.DB, c.Dir)
}

// recordTownOn wraps a copy of the demo town, its files in dir.
func recordTownOn(tb testing.TB, db *store.DB, dir string) *recordTown {
	tb.Helper()
	rt, err := newRecordStores(db, dir)
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}

func newRecordStores(db *store.DB, dir string) (*recordTown, error) {
	orgs := org.NewStore(db)
	town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	keys, err := seal.New("demo", bytes.Repeat([]byte{4}, seal.MaterialSize))
	if err != nil {
		return nil, err
	}
	rec := records.NewStore(db, orgs, keys)
	return &recordTown{db: db, orgs: orgs, rec: rec, care: care.NewStore(db, rec, keys), fs: files.NewStore(db, dir), town: town}, nil
}

// townWithRecords is the demo town with its records at 12 households a
// grid (seed demo.DefaultSeed), for the tests of the loaders that build on
// records (supervision, surveys); each gets its own SQLite copy.
var townWithRecords = &storetest.Template[struct{}]{
	Name: "the demo town with records at 12 households a grid",
	Build: func(ctx context.Context, db storetest.Database) (struct{}, error) {
		orgs := org.NewStore(db.DB)
		if _, err := demo.Load(ctx, db.DB, orgs, auth.NewStore(db.DB, orgs, auth.TestParams), demo.Generate(demo.DefaultSeed, demo.DefaultFrom)); err != nil {
			return struct{}{}, err
		}
		rt, err := newRecordStores(db.DB, db.Dir)
		if err != nil {
			return struct{}{}, err
		}
		_, err = demo.LoadRecords(ctx, rt.db, rt.orgs, rt.rec, rt.fs, rt.town, demo.RecordOptions{Seed: demo.DefaultSeed, HouseholdsPerGrid: 12})
		return struct{}{}, err
	},
}

// newTownWithRecords gives the test its own SQLite copy of townWithRecords.
func newTownWithRecords(tb testing.TB) *recordTown {
	tb.Helper()
	c := townWithRecords.SQLite(tb)
	return recordTownOn(tb, c.DB, c.Dir)
}

func (rt *recordTown) load(tb testing.TB, opt demo.RecordOptions) demo.RecordSummary {
	tb.Helper()
	sum, err := demo.LoadRecords(context.Background(), rt.db, rt.orgs, rt.rec, rt.fs, rt.town, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return sum
}

// gridFact is one fact of one grid.
type gridFact struct {
	value, num, den float64
}

// gridFacts collects period p and returns the record facts of every grid by
// grid code and name, the street's facts by name, and the names measured.
func (rt *recordTown) gridFacts(tb testing.TB, p metric.Period) (map[string]map[string]gridFact, map[string]metric.Fact, []string) {
	tb.Helper()
	ctx := context.Background()
	fs, err := facts.NewCollector(rt.db, rt.orgs, rt.rec, rt.care).Collect(ctx, p)
	if err != nil {
		tb.Fatal(err)
	}
	_, names, err := rt.rec.Facts(ctx, p)
	if err != nil {
		tb.Fatal(err)
	}
	grids, _, err := rt.orgs.ListUnits(ctx, org.UnitQuery{On: p.Last(), Level: org.Grid, WithoutGeometry: true})
	if err != nil {
		tb.Fatal(err)
	}
	code := map[string]string{}
	for _, g := range grids {
		code[g.ID] = g.Code
	}
	street, err := rt.orgs.UnitByCode(ctx, rt.town.Street.Code, p.Last())
	if err != nil {
		tb.Fatal(err)
	}
	byGrid := map[string]map[string]gridFact{}
	streetFacts := map[string]metric.Fact{}
	for _, f := range fs {
		if f.Subject != metric.Unit {
			continue
		}
		if f.SubjectID == street.ID {
			streetFacts[f.Name] = f
		}
		c, ok := code[f.SubjectID]
		if !ok {
			continue
		}
		if byGrid[c] == nil {
			byGrid[c] = map[string]gridFact{}
		}
		byGrid[c][f.Name] = gridFact{f.Value, f.Num, f.Den}
	}
	if len(byGrid) != len(grids) {
		tb.Fatalf("facts for %d grids, want %d", len(byGrid), len(grids))
	}
	return byGrid, streetFacts, names
}

var march = metric.Period{Year: 2026, Month: 3}

// At a small scale (8 households a grid) every record fact of March 2026,
// the platforms' included, is non-zero in some grid; every count of a gap
// is zero in some grid; every rate is below 100 in some grid and 100 in
// another. The people and floating counts are denominators: every grid has
// people, so they are zero nowhere.
func TestLoadRecordsFacts(t *testing.T) {
	t.Parallel()
	rt := newRecordTown(t)
	sum := rt.load(t, demo.RecordOptions{Seed: 1, HouseholdsPerGrid: 8})
	t.Logf("summary: %s", summaryLine(sum))
	if sum.Houses < 143*7 || sum.People < sum.Houses || sum.Floating == 0 || sum.Rentals < 143 || sum.PlatformImports != 12 {
		t.Fatalf("summary %+v", sum)
	}
	byGrid, _, names := rt.gridFacts(t, march)
	for _, platform := range []string{"permit", "floating", "police", "digital"} {
		if !slices.Contains(names, "platform."+platform+".entry_rate") {
			t.Errorf("no facts of platform %s in %v: its export was not imported", platform, names)
		}
	}
	codes := make([]string, 0, len(byGrid))
	for c := range byGrid {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, name := range names {
		def, ok := metric.Lookup(name)
		if !ok {
			t.Errorf("%s is not defined", name)
			continue
		}
		var nonZero, zero, below, full []string
		for _, c := range codes {
			f, ok := byGrid[c][name]
			if !ok {
				t.Fatalf("grid %s has no %s", c, name)
			}
			if f.value != 0 {
				nonZero = append(nonZero, c)
			} else {
				zero = append(zero, c)
			}
			if f.value < 100 {
				below = append(below, c)
			} else {
				full = append(full, c)
			}
		}
		switch {
		case len(nonZero) == 0:
			t.Errorf("%s is zero in every grid", name)
		case def.Kind == metric.Rate && (len(below) == 0 || len(full) == 0):
			t.Errorf("rate %s is below 100 in %d grids and 100 in %d; want some of each", name, len(below), len(full))
		case def.Kind == metric.Count && name != "records.people" && name != "records.floating" && len(zero) == 0:
			t.Errorf("count %s is non-zero in every grid", name)
		}
	}
	rep, err := audit.Verify(context.Background(), rt.db)
	if err != nil || rep.Broken != nil {
		t.Fatalf("audit after loading records: %+v %v", rep, err)
	}
}

// With a care store, the demo also has special-care subjects, their visits
// and the monthly care list. At this small scale only a few people are
// under care, so only the street's totals are checked; the full-scale
// benchmark logs every care fact.
func TestLoadRecordsCare(t *testing.T) {
	t.Parallel()
	rt := newRecordTown(t)
	sum := rt.load(t, demo.RecordOptions{Seed: 1, HouseholdsPerGrid: 8, Care: rt.care})
	if sum.CareSubjects == 0 || sum.CareVisits < sum.CareSubjects || sum.PlatformImports != 15 {
		t.Fatalf("care: %d subjects, %d visits, %d imports", sum.CareSubjects, sum.CareVisits, sum.PlatformImports)
	}
	_, street, _ := rt.gridFacts(t, march)
	if f := street["care.subjects"]; f.Value == 0 {
		t.Errorf("care.subjects = %+v", f)
	}
	if f := street["care.visits_due"]; f.Value == 0 || street["care.visits_on_time"].Value > f.Value {
		t.Errorf("care visits due %+v, on time %+v", f, street["care.visits_on_time"])
	}
	if _, ok := street["care.not_entered"]; !ok {
		t.Error("care.not_entered not measured: the care list was not imported")
	}
	t.Logf("March care facts of the street: subjects %v, due %v, on time %v, rate %.1f, lost %v, not entered %v, completeness %.1f",
		street["care.subjects"].Value, street["care.visits_due"].Value, street["care.visits_on_time"].Value, street["care.visit_rate"].Value,
		street["care.lost"].Value, street["care.not_entered"].Value, street["care.completeness"].Value)
}

// The same seed gives the same records: two loads into two databases have
// the same summary counts and the same facts, grid by grid (compared by
// grid code: record and unit ids differ). The second load is on the other
// engine (otherTown), and the two run at the same time.
func TestLoadRecordsIsDeterministic(t *testing.T) {
	t.Parallel()
	opt := demo.RecordOptions{Seed: 42, HouseholdsPerGrid: 3}
	a, b := newRecordTown(t), recordTownOn(t, otherTown(t), t.TempDir())
	var sa, sb demo.RecordSummary
	t.Run("load", func(t *testing.T) {
		t.Run("sqlite", func(t *testing.T) { t.Parallel(); sa = a.load(t, opt) })
		t.Run("again", func(t *testing.T) { t.Parallel(); sb = b.load(t, opt) })
	})
	if t.Failed() {
		return
	}
	if summaryCounts(sa) != summaryCounts(sb) {
		t.Fatalf("summaries differ:\n%s\n%s", summaryCounts(sa), summaryCounts(sb))
	}
	for _, p := range []metric.Period{{Year: 2026, Month: 2}, march, {Year: 2026, Month: 4}} {
		fa, _, _ := a.gridFacts(t, p)
		fb, _, _ := b.gridFacts(t, p)
		for code, m := range fa {
			for name, x := range m {
				if y := fb[code][name]; x != y {
					t.Errorf("%s grid %s %s: %+v and %+v", p, code, name, x, y)
				}
			}
			if len(m) != len(fb[code]) {
				t.Errorf("%s grid %s: %d and %d facts", p, code, len(m), len(fb[code]))
			}
		}
	}
}

// A load that fails halfway (here: its context ends) stores nothing.
func TestLoadRecordsIsAllOrNothing(t *testing.T) {
	t.Parallel()
	rt := newRecordTown(t)
	ctx := context.Background()
	var before int
	if err := rt.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := demo.LoadRecords(ctx, rt.db, rt.orgs, rt.rec, rt.fs, rt.town, demo.RecordOptions{Seed: 1, HouseholdsPerGrid: 8})
	if err == nil {
		t.Fatal("a load whose context ended succeeded")
	}
	t.Logf("the load failed as it should: %v", err)
	ctx = context.Background()
	var houses, people, after int
	err = rt.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM houses), (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM audit_log)`).
		Scan(&houses, &people, &after)
	if err != nil || houses != 0 || people != 0 || after != before {
		t.Fatalf("after a failed load: %d houses, %d people, %d audit rows (%d before), %v", houses, people, after, before, err)
	}
}

func summaryCounts(s demo.RecordSummary) string {
	s.Took, s.Phases = 0, nil
	return fmt.Sprintf("%+v", s)
}

func summaryLine(s demo.RecordSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %v; by call:", summaryCounts(s), s.Took.Round(time.Millisecond))
	for _, ph := range s.Phases {
		fmt.Fprintf(&b, " %s %d×%v=%v;", ph.Name, ph.Calls, (ph.Took / time.Duration(max(1, ph.Calls))).Round(time.Microsecond), ph.Took.Round(time.Millisecond))
	}
	return b.String()
}

// BenchmarkLoadRecords loads the full street (300 households a grid) once
// per iteration and logs the counts, where the time went, and the street's
// record facts for March 2026. Run it with -bench LoadRecords -benchtime 1x.
func BenchmarkLoadRecords(b *testing.B) {
	for range b.N {
		b.StopTimer()
		rt := newRecordTown(b)
		b.StartTimer()
		sum := rt.load(b, demo.RecordOptions{Seed: demo.DefaultSeed})
		b.StopTimer()
		b.Logf("full scale: %s", summaryLine(sum))
		b.ReportMetric(sum.Took.Seconds(), "load-s")
		_, street, names := rt.gridFacts(b, march)
		var lines []string
		for _, n := range names {
			f := street[n]
			if def, _ := metric.Lookup(n); def.Kind == metric.Rate {
				lines = append(lines, fmt.Sprintf("%s=%.2f (%g/%g)", n, f.Value, f.Num, f.Den))
			} else {
				lines = append(lines, fmt.Sprintf("%s=%g", n, f.Value))
			}
		}
		b.Logf("street facts %s:\n%s", march, strings.Join(lines, "\n"))
		b.StartTimer()
	}
}
