package runs_test

// Benchmarks of an assessment at scale: 30,000 grid workers for one month
// under the built-in template 001 (seed001-town-quarterly), from stored
// facts. Fact collection (Store.Inputs: the org, the stored facts, the
// findings) and evaluation (Evaluate, pure) are measured separately, each
// with its time and its peak heap. They run only with -bench:
//
//	go test -run '^$' -bench 'Evaluate001|Inputs001' -benchtime 3x ./internal/runs/
//
// With GRIDWORK_TEST_POSTGRES set, BenchmarkInputs001 runs on PostgreSQL
// too. docs/performance.md records the figures.
//
// Template 001 is quarterly, and Evaluate assesses only a scheme's own
// period. "One month" is read as the quarter 2026-Q2 with facts stored for
// April only: May and June have none, as on 30 April, when the quarter is
// one month old and a provisional run is made. Every rule reads April's
// facts; the per-month quota (`each: month`) scores April and says that
// May and June have no data. A run at the quarter's end reads three months'
// rows: about three times the fact collection's work.

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	_ "gridwork/internal/catalog" // every fact the template names is defined
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/schemes"
)

const (
	benchTemplate = "seed001-town-quarterly.yaml"
	benchSpan     = "2026-Q2"
	benchMonth    = "2026-04"
	benchWorkers  = 30_000
	// The org: one district, 60 streets of 10 communities of 50 grids,
	// one grid worker per grid.
	benchStreets     = 60
	benchCommunities = 10 // per street
	benchGrids       = 50 // per community
	// maxRefs is the evidence kept per nonzero fact of a grid: a few refs.
	// A real collector keeps one per record counted (metric.Tally.Add):
	// for events.reported, some 55 a worker, rolled up to every unit above.
	maxRefs = 3
)

// benchWorker is one generated grid worker with the grid it answers for.
type benchWorker struct {
	ID, Name, Employment    string
	InPost, Left            dates.Date
	Grid, Community, Home   string
	GridName, CommunityName string
}

// benchTown is a generated town: its units and workers, and the facts of
// April as the collector stores them (metric.Rollup: every worker, every
// grid and every unit above it, each with every fact the template reads).
type benchTown struct {
	district string
	units    []benchUnit // parents before children
	workers  []benchWorker
	facts    []metric.Fact
	names    []string
}

type benchUnit struct {
	ID, Parent, Level, Name, Code string
}

// detUUID returns a deterministic UUID-shaped id.
func detUUID(kind string, i int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "gridwork-bench/%s/%d", kind, i)).String()
}

// templateFacts returns every fact sch reads, canonical and sorted.
func templateFacts(sch *scheme.Program) []string {
	var names []string
	add := func(n string) {
		if n == "" {
			return
		}
		if d, ok := metric.Lookup(n); ok {
			n = d.Name
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	rules := slices.Clone(sch.Vetoes)
	for _, c := range sch.Categories {
		rules = append(rules, c.Rules...)
	}
	for _, r := range rules {
		add(r.Fact)
		for _, g := range r.Grades {
			add(g.Fact)
		}
		if r.Within != nil {
			add(r.Within.Fact)
		}
		for _, p := range r.Parts {
			add(p.Fact)
		}
	}
	for _, n := range scheme.EscalationFacts(sch) {
		add(n)
	}
	slices.Sort(names)
	return names
}

// loadTemplate001 parses, checks and compiles template 001.
func loadTemplate001(tb testing.TB) *scheme.Program {
	tb.Helper()
	body, err := schemes.Read(benchTemplate)
	if err != nil {
		tb.Fatalf("template 001: %v", err)
	}
	sch, msgs, err := runs.CheckScheme(body)
	if err != nil {
		tb.Fatal(err)
	}
	if scheme.HasErrors(msgs) {
		tb.Fatalf("template 001 does not lint: %v", msgs)
	}
	p, err := scheme.Compile(sch, metric.Current())
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// factShape is how often a count is nonzero in a month and its range when
// it is: most workers lose nothing on most rules.
type factShape struct {
	p        float64 // chance of a nonzero value
	min, max int
}

var shapes = map[string]factShape{
	"records.changes_late":        {0.15, 1, 3},
	"records.incomplete":          {0.30, 1, 5},
	"events.yellow_cards":         {0.10, 1, 2},
	"events.red_cards":            {0.03, 1, 1},
	"events.badly_described":      {0.20, 1, 3},
	"events.unreported":           {0.10, 1, 2},
	"events.unreported_major":     {0.01, 1, 1},
	"events.major_late":           {0.005, 1, 1},
	"events.month_end_bunching":   {0.03, 1, 1},
	"care.not_entered":            {0.10, 1, 2},
	"care.visit_missed_month":     {0.05, 1, 1},
	"care.lost":                   {0.002, 1, 1},
	"duty.login_missed":           {0.20, 1, 3},
	"patrol.long_patrols_missing": {0.40, 1, 6},
	"duty.meetings_missed":        {0.10, 1, 1},
	"inspect.undercover":          {0.02, 1, 1},
	"inspect.complaints":          {0.03, 1, 1},
	"duty.assignment_refused":     {0.002, 1, 1},
	"duty.phone_not_carried":      {0.03, 1, 1},
	"inspect.quiz_wrong":          {0.15, 1, 4},
}

// genTown generates the town deterministically: n workers (n a multiple of
// benchGrids), their org, and April's facts for names.
func genTown(n int, names []string) *benchTown {
	rng := rand.New(rand.NewPCG(2026, 4))
	t := &benchTown{district: detUUID("district", 0), names: names}
	t.units = append(t.units, benchUnit{ID: t.district, Level: "district", Name: "XX区", Code: "110105"})
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given := []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志刚文斌海燕丹凤")
	g := metric.GridFacts{}
	at := map[string]metric.Attribution{}
	w := 0
	for s := 0; w < n; s++ {
		street := detUUID("street", s)
		t.units = append(t.units, benchUnit{ID: street, Parent: t.district, Level: "street", Name: fmt.Sprintf("第%d街道", s+1), Code: fmt.Sprintf("110105%03d", s+1)})
		for c := 0; c < benchCommunities && w < n; c++ {
			ci := s*benchCommunities + c
			comm := detUUID("community", ci)
			commName := fmt.Sprintf("第%d社区", ci+1)
			t.units = append(t.units, benchUnit{ID: comm, Parent: street, Level: "community", Name: commName, Code: fmt.Sprintf("110105%03d%03d", s+1, c+1)})
			for k := 0; k < benchGrids && w < n; k++ {
				grid := detUUID("grid", w)
				gridName := fmt.Sprintf("%s第%d网格", commName, k+1)
				t.units = append(t.units, benchUnit{ID: grid, Parent: comm, Level: "grid", Name: gridName, Code: fmt.Sprintf("110105%03d%03d%03d", s+1, c+1, k+1)})
				bw := benchWorker{ID: detUUID("worker", w), Grid: grid, Community: comm, Home: comm, GridName: gridName, CommunityName: commName,
					Name: string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))]), Employment: "full_time"}
				if rng.Float64() < 0.3 {
					bw.Employment = "part_time"
				}
				// In post since 2018-2025; 2 % joined in 2026 (under the
				// 6 months the template asks: not assessed); 1 % left in
				// May (not assessed either).
				bw.InPost = dates.New(2018, 1, 1).AddDays(rng.IntN(8 * 365))
				if rng.Float64() < 0.02 {
					bw.InPost = dates.New(2026, 1, 1).AddDays(rng.IntN(90))
				}
				if rng.Float64() < 0.01 {
					bw.Left = dates.New(2026, 5, 1).AddDays(rng.IntN(30))
				}
				t.workers = append(t.workers, bw)
				at[grid] = metric.Attribution{Worker: bw.ID, Ancestors: []string{comm, street, t.district}}
				genGridFacts(rng, g, grid, bw, names)
				w++
			}
		}
	}
	t.facts = metric.Rollup(g, nil, at, names)
	return t
}

// genGridFacts draws one grid's facts for April.
func genGridFacts(rng *rand.Rand, g metric.GridFacts, grid string, w benchWorker, names []string) {
	refs := func(entity string, k int) []metric.Ref {
		out := make([]metric.Ref, min(k, maxRefs))
		for i := range out {
			var id uuid.UUID
			binary.BigEndian.PutUint64(id[:8], rng.Uint64())
			binary.BigEndian.PutUint64(id[8:], rng.Uint64())
			out[i] = metric.Ref{Entity: entity, ID: id.String()}
		}
		return out
	}
	for _, name := range names {
		def, _ := metric.Lookup(name)
		entity, _, _ := cutDot(name)
		switch {
		case name == "events.reported":
			// The quota is 56 (full time) or 52 (part time) a month; most
			// meet it, some fall short.
			base := 56
			if w.Employment == "part_time" {
				base = 52
			}
			k := base - 8 + rng.IntN(20)
			t := g.At(grid, name)
			t.Num, t.Evidence = float64(k), refs("event", k)
		case name == "events.reported_upward":
			k := 3 + rng.IntN(10)
			t := g.At(grid, name)
			t.Num, t.Evidence = float64(k), refs("event", k)
		case def.Kind == metric.Rate || def.Kind == metric.Mean:
			// A survey: 20-40 answers, 80-100 % satisfied.
			t := g.At(grid, name)
			t.Den = float64(20 + rng.IntN(21))
			t.Num = float64(int(t.Den * (0.8 + 0.2*rng.Float64())))
		default:
			sh, ok := shapes[name]
			if !ok {
				sh = factShape{0.1, 1, 2}
			}
			if rng.Float64() >= sh.p {
				continue // an explicit zero, from Rollup
			}
			k := sh.min + rng.IntN(sh.max-sh.min+1)
			if def.Kind == metric.Flag {
				k = 1
			}
			t := g.At(grid, name)
			t.Num, t.Evidence = float64(k), refs(entity, k)
		}
	}
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// inputs assembles the evaluation's inputs in memory as Store.Inputs does:
// each worker with April's facts (May and June empty) and its community's.
func (t *benchTown) inputs(months int) []scheme.Input {
	by := map[string]scheme.Facts{}
	for _, f := range t.facts {
		k := string(f.Subject) + "/" + f.SubjectID
		if by[k] == nil {
			by[k] = scheme.Facts{}
		}
		by[k][f.Name] = f
	}
	community := map[string][]scheme.Facts{}
	out := make([]scheme.Input, len(t.workers))
	for i, w := range t.workers {
		ms := make([]scheme.Facts, months)
		ms[0] = by["worker/"+w.ID]
		cs, ok := community[w.Community]
		if !ok {
			cs = make([]scheme.Facts, months)
			cs[0] = by["unit/"+w.Community]
			community[w.Community] = cs
		}
		out[i] = scheme.Input{Subject: scheme.Subject{Kind: scheme.Worker, ID: w.ID, Name: w.Name, Grid: w.Grid, GridName: w.GridName,
			Community: w.Community, CommunityName: w.CommunityName, Employment: w.Employment, Post: string(org.GridWorker),
			InPostSince: w.InPost, LeftPostOn: w.Left}, Months: ms, Community: cs}
	}
	return out
}

// store writes the town's org straight into the tables (org.Store's checks
// and audit entries, one transaction per unit, would take minutes for
// 30,000 grids and workers and are not what is measured) and saves April's
// facts through facts.Save, as the collector does.
func (t *benchTown) store(tb testing.TB, db *store.DB) {
	tb.Helper()
	from := dates.New(2018, 1, 1)
	now := store.Now()
	err := db.Tx(bg, func(tx store.Tx) error {
		unit, err := tx.PrepareContext(bg, `INSERT INTO org_units (id, level, created_at) VALUES ($1, $2, $3)`)
		if err != nil {
			return err
		}
		defer unit.Close()
		version, err := tx.PrepareContext(bg, `INSERT INTO org_unit_versions (unit_id, valid_from, parent_id, name, code, kind)
			VALUES ($1, $2, $3, $4, $5, '')`)
		if err != nil {
			return err
		}
		defer version.Close()
		for _, u := range t.units {
			var parent any
			if u.Parent != "" {
				parent = u.Parent
			}
			if _, err := unit.ExecContext(bg, u.ID, u.Level, now); err != nil {
				return err
			}
			if _, err := version.ExecContext(bg, u.ID, from, parent, u.Name, u.Code); err != nil {
				return err
			}
		}
		worker, err := tx.PrepareContext(bg, `INSERT INTO workers (id, name, employment, post, phone, in_post_since, left_post_on,
			home_unit_id, created_at, updated_at) VALUES ($1, $2, $3, 'grid_worker', $4, $5, $6, $7, $8, $8)`)
		if err != nil {
			return err
		}
		defer worker.Close()
		assign, err := tx.PrepareContext(bg, `INSERT INTO assignments (id, worker_id, grid_id, kind, share_pct, valid_from, created_at)
			VALUES ($1, $2, $3, 'primary', 100, $4, $5)`)
		if err != nil {
			return err
		}
		defer assign.Close()
		for i, w := range t.workers {
			if _, err := worker.ExecContext(bg, w.ID, w.Name, w.Employment, fmt.Sprintf("138%08d", i), w.InPost, w.Left, w.Home, now); err != nil {
				return err
			}
			if _, err := assign.ExecContext(bg, detUUID("assignment", i), w.ID, w.Grid, w.InPost, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("store the org: %v", err)
	}
	p, _ := metric.ParsePeriod(benchMonth)
	if err := facts.Save(bg, db, p, t.facts); err != nil {
		tb.Fatalf("save the facts: %v", err)
	}
}

// peakHeap samples HeapInuse every 5 ms until stopped, keeping the largest.
type peakHeap struct {
	peak atomic.Uint64
	done chan struct{}
	wait chan struct{}
}

func startPeak() *peakHeap {
	p := &peakHeap{done: make(chan struct{}), wait: make(chan struct{})}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.peak.Store(ms.HeapInuse)
	go func() {
		defer close(p.wait)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > p.peak.Load() {
					p.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the peak in MiB, the last sample
// included.
func (p *peakHeap) stop() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	close(p.done)
	<-p.wait
	return float64(max(p.peak.Load(), ms.HeapInuse)) / (1 << 20)
}

// liveMiB returns the heap in use after a collection, in MiB.
func liveMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// measure runs op b.Loop times and reports, besides ns/op and the
// allocations: workers/s, the live heap before the phase (base-MiB), the
// largest heap in use during it (peak-MiB) and what its result keeps alive
// (result-MiB).
func measure[T any](b *testing.B, op func() T) {
	b.ReportAllocs()
	var peak, base, kept float64
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		res := *new(T)
		base = liveMiB()
		b.StartTimer()
		p := startPeak()
		start := time.Now()
		res = op()
		took += time.Since(start)
		peak = max(peak, p.stop())
		b.StopTimer()
		kept = liveMiB() - base
		runtime.KeepAlive(res)
		b.StartTimer()
	}
	b.ReportMetric(float64(benchWorkers*b.N)/took.Seconds(), "workers/s")
	b.ReportMetric(base, "base-MiB")
	b.ReportMetric(peak, "peak-MiB")
	b.ReportMetric(kept, "result-MiB")
}

// BenchmarkEvaluate001 evaluates 30,000 workers under template 001 for
// 2026-Q2 (April's facts) from inputs built in memory: the pure scoring,
// ranking and explanations, without storage.
func BenchmarkEvaluate001(b *testing.B) {
	sch := loadTemplate001(b)
	span, err := scheme.ParseSpan(benchSpan)
	if err != nil {
		b.Fatal(err)
	}
	town := genTown(benchWorkers, templateFacts(sch))
	inputs := town.inputs(len(span.Months()))
	town = nil
	measure(b, func() []scheme.Result {
		rs, err := scheme.Evaluate(sch, span, inputs, scheme.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != benchWorkers {
			b.Fatalf("%d results, want %d", len(rs), benchWorkers)
		}
		return rs
	})
}

// BenchmarkInputs001 measures fact collection: Store.Inputs reading the
// district's 30,000 workers, their grids and communities, and the stored
// facts of the quarter (April's, as the collector stores them) on SQLite
// and, when GRIDWORK_TEST_POSTGRES is set, PostgreSQL.
func BenchmarkInputs001(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			sch := loadTemplate001(b)
			span, err := scheme.ParseSpan(benchSpan)
			if err != nil {
				b.Fatal(err)
			}
			town := genTown(benchWorkers, templateFacts(sch))
			start := time.Now()
			town.store(b, db)
			b.Logf("stored %d units, %d workers and %d facts in %v", len(town.units), len(town.workers), len(town.facts), time.Since(start).Round(time.Millisecond))
			district := town.district
			town = nil
			as := runs.NewStore(db, org.NewStore(db))
			measure(b, func() []scheme.Input {
				in, err := as.Inputs(bg, sch, span, district)
				if err != nil {
					b.Fatal(err)
				}
				if len(in) != benchWorkers || len(in[0].Months[0]) == 0 {
					b.Fatalf("%d inputs (first with %d facts), want %d with April's", len(in), len(in[0].Months[0]), benchWorkers)
				}
				return in
			})
		})
	}
}

// TestBenchTown checks the benchmarks' generator on a small town, without
// storage: every fact the template reads is there for every worker, so no
// rule finds no data in April, and the same seed gives the same totals.
func TestBenchTown(t *testing.T) {
	sch := loadTemplate001(t)
	span, _ := scheme.ParseSpan(benchSpan)
	names := templateFacts(sch)
	if len(names) < 20 {
		t.Fatalf("template 001 reads %d facts: %v", len(names), names)
	}
	run := func() []scheme.Result {
		town := genTown(2*benchGrids, names)
		rs, err := scheme.Evaluate(sch, span, town.inputs(len(span.Months())), scheme.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	a, b := run(), run()
	assessed := 0
	for i, r := range a {
		if r.Total != b[i].Total {
			t.Fatalf("worker %d: %v then %v: the generator is not deterministic", i, r.Total, b[i].Total)
		}
		if !r.Assessed {
			continue
		}
		assessed++
		for _, c := range r.Categories {
			for _, rr := range c.Rules {
				// The quota is scored per month; May and June have no data.
				if rr.Status == scheme.NoData {
					t.Errorf("%s: %s/%s has no data: %s", r.Subject.Name, c.ID, rr.ID, rr.Explain)
				}
			}
		}
	}
	sum, low := 0.0, 100.0
	for _, r := range a {
		if r.Assessed {
			sum += r.Total
			low = min(low, r.Total)
		}
	}
	t.Logf("%d of %d assessed, mean total %.1f, lowest %.1f; %d facts stored for April", assessed, len(a), sum/float64(max(assessed, 1)), low, len(genTown(2*benchGrids, names).facts))
	if assessed < len(a)*9/10 {
		t.Errorf("%d of %d assessed, want about 97 %%", assessed, len(a))
	}
}
