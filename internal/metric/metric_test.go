package metric

import (
	"strings"
	"testing"
	"time"
)

// The tests define their facts under "test."; the catalogue is global, so
// each name is defined once for the whole test binary.
func init() {
	Define(
		Def{Name: "test.count", Alias: "测试计数", Kind: Count, Doc: "d", Seeds: "s"},
		Def{Name: "test.part", Alias: "测试子集", Kind: Count, Doc: "d", Seeds: "s", Part: "test.count"},
		Def{Name: "test.rate", Alias: "测试比率", Kind: Rate, Doc: "d", Seeds: "s"},
		Def{Name: "test.flag", Alias: "测试标记", Kind: Flag, Doc: "d", Seeds: "s"},
		Def{Name: "test.mean", Alias: "测试均值", Kind: Mean, Doc: "d", Seeds: "s"},
		Def{Name: "test.pending", Alias: "测试待测", Kind: Count, Doc: "d", Seeds: "s", Pending: "issue 0: tests"},
	)
}

func TestDefinePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		defs []Def
		want string
	}{
		{"empty name", []Def{{Name: "", Kind: Count}}, "bad fact name"},
		{"space in name", []Def{{Name: "test.a b", Kind: Count}}, "bad fact name"},
		{"tab in name", []Def{{Name: "test.a\tb", Kind: Count}}, "bad fact name"},
		{"duplicate name", []Def{{Name: "test.count", Kind: Count}}, "defined twice"},
		{"duplicate in one call", []Def{{Name: "test.twice", Kind: Count}, {Name: "test.twice", Kind: Count}}, "defined twice"},
		{"name taken as an alias", []Def{{Name: "测试计数", Kind: Count}}, "defined twice"},
		{"duplicate alias", []Def{{Name: "test.alias", Alias: "测试比率", Kind: Count}}, "alias"},
		{"alias taken as a name", []Def{{Name: "test.alias", Alias: "test.rate", Kind: Count}}, "alias"},
		{"alias twice in one call", []Def{{Name: "test.x1", Alias: "测试重复", Kind: Count}, {Name: "test.x2", Alias: "测试重复", Kind: Count}}, "alias"},
		{"unknown kind", []Def{{Name: "test.kind", Kind: "percent"}}, "unknown kind"},
		{"no kind", []Def{{Name: "test.kind", Kind: ""}}, "unknown kind"},
		{"part of itself", []Def{{Name: "test.self", Kind: Count, Part: "test.self"}}, "part of itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("Define(%v) did not panic", tc.defs)
				}
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want it to mention %q", r, tc.want)
				}
				// A refused call defines none of its facts.
				for _, d := range tc.defs {
					if d.Name != "" && strings.HasPrefix(d.Name, "test.") && d.Name != "test.count" {
						if _, ok := Lookup(d.Name); ok {
							t.Errorf("%s was defined by a refused call", d.Name)
						}
					}
				}
			}()
			Define(tc.defs...)
		})
	}
}

func TestDefineReturnsNames(t *testing.T) {
	got := Define(Def{Name: "test.ret1", Kind: Count}, Def{Name: "test.ret2", Kind: Mean})
	if len(got) != 2 || got[0] != "test.ret1" || got[1] != "test.ret2" {
		t.Errorf("Define returned %v", got)
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		query, want string
	}{
		{"test.count", "test.count"},
		{"测试计数", "test.count"},
		{"test.mean", "test.mean"},
		{"测试均值", "test.mean"},
		{"测试待测", "test.pending"},
		{"test.missing", ""},
		{"", ""},
		{"测试", ""},
	} {
		t.Run(tc.query, func(t *testing.T) {
			d, ok := Lookup(tc.query)
			if ok != (tc.want != "") || d.Name != tc.want {
				t.Errorf("Lookup(%q) = %q, %v; want %q", tc.query, d.Name, ok, tc.want)
			}
		})
	}
	d, _ := Lookup("test.part")
	if d.Part != "test.count" || !d.Measured() {
		t.Errorf("test.part = %+v", d)
	}
	d, _ = Lookup("test.pending")
	if d.Measured() || d.Pending != "issue 0: tests" {
		t.Errorf("test.pending = %+v, want it not measured", d)
	}
}

func TestAllSorted(t *testing.T) {
	all := All()
	for i := 1; i < len(all); i++ {
		if all[i-1].Name >= all[i].Name {
			t.Fatalf("All is not sorted: %s before %s", all[i-1].Name, all[i].Name)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Period
		err  bool
	}{
		{"2026-03", Period{2026, time.March}, false},
		{"2024-12", Period{2024, time.December}, false},
		{"2026-13", Period{}, true},
		{"2026-00", Period{}, true},
		{"2026-3", Period{}, true},
		{"2026/03", Period{}, true},
		{"2026-03-01", Period{}, true},
		{"03-2026", Period{}, true},
		{"", Period{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePeriod(tc.in)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
					t.Errorf("ParsePeriod(%q) = %v, %v; want an error naming YYYY-MM", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestPeriodDays(t *testing.T) {
	for _, tc := range []struct {
		p                 Period
		first, last, next string
		start, end        string // instants in UTC
	}{
		{Period{2025, time.December}, "2025-12-01", "2025-12-31", "2026-01", "2025-11-30T16:00:00Z", "2025-12-31T16:00:00Z"},
		{Period{2024, time.February}, "2024-02-01", "2024-02-29", "2024-03", "2024-01-31T16:00:00Z", "2024-02-29T16:00:00Z"},
		{Period{2026, time.February}, "2026-02-01", "2026-02-28", "2026-03", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z"},
		{Period{2024, time.January}, "2024-01-01", "2024-01-31", "2024-02", "2023-12-31T16:00:00Z", "2024-01-31T16:00:00Z"},
		{Period{2026, time.April}, "2026-04-01", "2026-04-30", "2026-05", "2026-03-31T16:00:00Z", "2026-04-30T16:00:00Z"},
	} {
		t.Run(tc.p.String(), func(t *testing.T) {
			if got := tc.p.First().String(); got != tc.first {
				t.Errorf("First = %s, want %s", got, tc.first)
			}
			if got := tc.p.Last().String(); got != tc.last {
				t.Errorf("Last = %s, want %s", got, tc.last)
			}
			if got := tc.p.Next().String(); got != tc.next {
				t.Errorf("Next = %s, want %s", got, tc.next)
			}
			if got := tc.p.Start().UTC().Format(time.RFC3339); got != tc.start {
				t.Errorf("Start = %s, want %s", got, tc.start)
			}
			if got := tc.p.End().UTC().Format(time.RFC3339); got != tc.end {
				t.Errorf("End = %s, want %s", got, tc.end)
			}
		})
	}
}

func TestRollup(t *testing.T) {
	// Grids g1 and g2 in community c (street s), worked by w1 and w2; g3 in
	// c is vacant and has no tallies at all.
	grids := map[string]Attribution{
		"g1": {Worker: "w1", Ancestors: []string{"c", "s"}},
		"g2": {Worker: "w2", Ancestors: []string{"c", "s"}},
		"g3": {Ancestors: []string{"c", "s"}},
	}
	g := GridFacts{}
	g.At("g1", "test.count").Add(Ref{Entity: "person", ID: "p2"})
	g.At("g1", "test.count").Add(Ref{Entity: "person", ID: "p1"})
	g.At("g2", "test.count").Add(Ref{Entity: "house", ID: "h1"})
	*g.At("g1", "test.rate") = Tally{Num: 3, Den: 4, Evidence: []Ref{{Entity: "rental", ID: "r1"}}}
	*g.At("g2", "test.rate") = Tally{Num: 1, Den: 4}
	g.At("g2", "test.flag").Num = 1
	*g.At("g1", "test.mean") = Tally{Num: 30, Den: 20} // 1.5 h a worker-day
	*g.At("g2", "test.mean") = Tally{Num: 10, Den: 20} // 0.5
	g.At("g9", "test.count").Num = 7                   // a grid not attributed: ignored
	names := []string{"test.count", "test.rate", "test.flag", "test.mean"}

	facts := Rollup(g, nil, grids, names)
	got := map[string]Fact{}
	for _, f := range facts {
		got[string(f.Subject)+"/"+f.SubjectID+"/"+f.Name] = f
	}
	for _, tc := range []struct {
		key             string
		value, num, den float64
		evidence        int
	}{
		// Counts add up.
		{"unit/g1/test.count", 2, 2, 0, 2},
		{"unit/c/test.count", 3, 3, 0, 3},
		{"unit/s/test.count", 3, 3, 0, 3},
		{"worker/w2/test.count", 1, 1, 0, 1},
		{"unit/g3/test.count", 0, 0, 0, 0}, // measured: an explicit zero
		// Rates add num and den; den = 0 is 100 %.
		{"unit/g1/test.rate", 75, 3, 4, 1},
		{"unit/c/test.rate", 50, 4, 8, 1},
		{"worker/w2/test.rate", 25, 1, 4, 0},
		{"unit/g3/test.rate", 100, 0, 0, 0},
		// Flags take the largest.
		{"unit/g1/test.flag", 0, 0, 0, 0},
		{"unit/c/test.flag", 1, 1, 0, 0},
		{"worker/w2/test.flag", 1, 1, 0, 0},
		{"worker/w1/test.flag", 0, 0, 0, 0},
		// Means add num and den and divide, not ×100; den = 0 is 0.
		{"unit/g1/test.mean", 1.5, 30, 20, 0},
		{"worker/w2/test.mean", 0.5, 10, 20, 0},
		{"unit/c/test.mean", 1, 40, 40, 0},
		{"unit/g3/test.mean", 0, 0, 0, 0},
	} {
		t.Run(tc.key, func(t *testing.T) {
			f, ok := got[tc.key]
			if !ok {
				t.Fatalf("no fact %s", tc.key)
			}
			if f.Value != tc.value || f.Num != tc.num || f.Den != tc.den || len(f.Evidence) != tc.evidence {
				t.Errorf("%s = value %v num %v den %v evidence %d; want %v %v %v %d",
					tc.key, f.Value, f.Num, f.Den, len(f.Evidence), tc.value, tc.num, tc.den, tc.evidence)
			}
			if f.Evidence == nil {
				t.Errorf("%s has nil evidence, want an empty list", tc.key)
			}
		})
	}
	// Subjects: 3 grids, c, s, w1, w2 (no worker for the vacant g3, nothing
	// for the unattributed g9), each with every measured name and no other.
	if want := 7 * len(names); len(facts) != want {
		t.Errorf("%d facts, want %d", len(facts), want)
	}
	for k := range got {
		if strings.Contains(k, "g9") || strings.Contains(k, "test.part") {
			t.Errorf("unexpected fact %s", k)
		}
	}
	// Evidence sorted; facts sorted by subject kind, id and name.
	if ev := got["unit/g1/test.count"].Evidence; ev[0].ID != "p1" || ev[1].ID != "p2" {
		t.Errorf("evidence not sorted: %v", ev)
	}
	for i := 1; i < len(facts); i++ {
		a, b := facts[i-1], facts[i]
		if a.Subject > b.Subject || (a.Subject == b.Subject && (a.SubjectID > b.SubjectID || (a.SubjectID == b.SubjectID && a.Name >= b.Name))) {
			t.Fatalf("facts not sorted: %v before %v", a, b)
		}
	}
}

func TestRollupNothingMeasured(t *testing.T) {
	if fs := Rollup(GridFacts{}, nil, map[string]Attribution{"g1": {Worker: "w1"}}, nil); len(fs) != 0 {
		t.Errorf("Rollup with no names = %v, want nothing", fs)
	}
}

func TestRollupWorkerTallies(t *testing.T) {
	// w1 answers for g1 and g2 (moved within the month): g1 is home, the
	// smaller ID. w3 has no grid. w2's grid g3 has no worker tallies.
	grids := map[string]Attribution{
		"g2": {Worker: "w1", Ancestors: []string{"c", "s"}},
		"g1": {Worker: "w1", Ancestors: []string{"c", "s"}},
		"g3": {Worker: "w2", Ancestors: []string{"d", "s"}},
	}
	g := GridFacts{}
	g.At("g2", "test.count").Add(Ref{Entity: "event", ID: "resident"})
	w := WorkerFacts{}
	w.At("w1", "test.count").Add(Ref{Entity: "event", ID: "e1"})
	w.At("w1", "test.count").Add(Ref{Entity: "event", ID: "e2"})
	w.At("w3", "test.count").Add(Ref{Entity: "event", ID: "e3"})
	w.At("w2", "test.flag").Num = 1
	names := []string{"test.count", "test.flag"}
	got := map[string]float64{}
	for _, f := range Rollup(g, w, grids, names) {
		got[string(f.Subject)+"/"+f.SubjectID+"/"+f.Name] = f.Value
	}
	for key, want := range map[string]float64{
		"worker/w1/test.count": 3, // two own, one found in a grid w1 answers for
		"unit/g1/test.count":   2, // w1's home grid
		"unit/g2/test.count":   1, // only what was found there
		"unit/c/test.count":    3,
		"unit/s/test.count":    3, // w3's event reaches no unit
		"worker/w3/test.count": 1,
		"worker/w2/test.count": 0,
		"unit/d/test.flag":     1,
		"unit/g3/test.flag":    1,
		"unit/c/test.flag":     0,
	} {
		v, ok := got[key]
		if !ok {
			t.Errorf("no fact %s", key)
		} else if v != want {
			t.Errorf("%s = %v, want %v", key, v, want)
		}
	}
	if _, ok := got["unit//test.count"]; ok {
		t.Error("a worker without a grid rolled up to an empty unit")
	}
}
