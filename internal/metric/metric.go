// Package metric is gridwork's catalogue of measurable facts: one stable
// name per fact (e.g. "records.late_entry"), what it means, and the values
// collected per subject and period, each with the records behind it (the
// evidence). Domain packages compute facts from their own tables and return
// them as Facts; the assessment reads them by name and never touches
// storage. docs/metrics.md documents every name; a test keeps the two in
// step.
package metric

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gridwork/internal/dates"
)

// SubjectKind is what a fact is about.
type SubjectKind string

// The subject kinds. A unit is any org unit: a grid, a community, a street.
const (
	Worker SubjectKind = "worker"
	Unit   SubjectKind = "unit"
)

// Kind says how a fact's value reads and how it rolls up from grids to a
// worker or a community.
type Kind string

// The fact kinds.
const (
	// Count is a number of occurrences; it rolls up by summing.
	Count Kind = "count"
	// Rate is a percentage 0-100 computed as 100·Num/Den; it rolls up by
	// summing Num and Den. With Den = 0 (nothing to measure) it is 100.
	Rate Kind = "rate"
	// Flag is 1 when a condition holds in the period and 0 otherwise; it
	// rolls up by taking the largest (any grid flagged flags the subject).
	Flag Kind = "flag"
	// Mean is an average Num/Den (not a percentage), e.g. daily patrol
	// hours per worker; it rolls up by summing Num and Den. With Den = 0
	// (nothing to average over) it is 0.
	Mean Kind = "mean"
)

// Def defines one fact.
type Def struct {
	Name  string // stable identifier, e.g. "records.late_entry"
	Alias string // Chinese name usable in formulas, unique in the catalogue, e.g. "超一个月未录入人数"
	Kind  Kind
	Doc   string // one sentence: what is counted, over what
	Seeds string // where the seeds ask for it, e.g. "000 III; 001 (一)"
	// Pending is empty when a source measures the fact. Otherwise the fact
	// is declared (so that schemes can name it) but nothing measures it
	// yet, and Pending says which work will, e.g. "issue 4: events".
	Pending string
	// Part names the fact this one counts a subset of, e.g.
	// "platform.floating.not_entered_1m" is part of
	// "platform.floating.missing": every record counted here is counted
	// there too, so two rules on both count those records twice. Empty
	// when the fact is no such subset.
	Part string
}

// Measured reports whether a source measures the fact today, that is
// whether it is not Pending.
func (d Def) Measured() bool { return d.Pending == "" }

var (
	mu      sync.RWMutex
	defined = map[string]Def{}
	aliases = map[string]string{} // alias → name
)

// Define adds defs to the catalogue and returns their names, for the package
// that measures them (or declares them, when Pending). It panics, adding
// none of defs, on an empty or malformed name, a name or alias already
// defined (as a name or an alias), an unknown kind, or a fact that is Part
// of itself: the catalogue is fixed at program start. Part is not checked
// against the catalogue here, since the fact it names may be defined later;
// the catalogue test checks it.
func Define(defs ...Def) []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(defs))
	taken := func(s string) bool {
		_, n := defined[s]
		_, a := aliases[s]
		return n || a || slices.Contains(names, s)
	}
	var newAliases []string
	for _, d := range defs {
		if d.Name == "" || strings.ContainsAny(d.Name, " \t") {
			panic(fmt.Sprintf("metric: bad fact name %q", d.Name))
		}
		if taken(d.Name) || slices.Contains(newAliases, d.Name) {
			panic("metric: fact defined twice: " + d.Name)
		}
		if d.Alias != "" {
			if d.Alias == d.Name || taken(d.Alias) || slices.Contains(newAliases, d.Alias) {
				panic(fmt.Sprintf("metric: fact %s: alias %q is already taken", d.Name, d.Alias))
			}
			newAliases = append(newAliases, d.Alias)
		}
		switch d.Kind {
		case Count, Rate, Flag, Mean:
		default:
			panic(fmt.Sprintf("metric: fact %s has unknown kind %q", d.Name, d.Kind))
		}
		if d.Part == d.Name {
			panic("metric: fact " + d.Name + " is part of itself")
		}
		names = append(names, d.Name)
	}
	for _, d := range defs {
		defined[d.Name] = d
		if d.Alias != "" {
			aliases[d.Alias] = d.Name
		}
	}
	forgetCurrent()
	return names
}

// Lookup returns the fact named name, which may be its Chinese alias.
func Lookup(name string) (Def, bool) {
	mu.RLock()
	defer mu.RUnlock()
	if d, ok := defined[name]; ok {
		return d, true
	}
	if n, ok := aliases[name]; ok {
		return defined[n], true
	}
	return Def{}, false
}

// All returns every defined fact, sorted by name.
func All() []Def {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Def, 0, len(defined))
	for _, d := range defined {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Period is a calendar month, the unit of collection; quarters and years
// are rolled up from months by the assessment.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads "YYYY-MM". Errors name the expected form.
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, fmt.Errorf("%q is not a month of the form YYYY-MM", s)
	}
	return Period{t.Year(), t.Month()}, nil
}

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// First returns the period's first day.
func (p Period) First() dates.Date { return dates.New(p.Year, p.Month, 1) }

// Last returns the period's last day.
func (p Period) Last() dates.Date { return p.First().AddMonths(1).AddDays(-1) }

// Next returns the following month.
func (p Period) Next() Period {
	d := p.First().AddMonths(1)
	return Period{d.Year(), d.Month()}
}

// Start and End return the period's instants [Start, End) in Asia/Shanghai,
// for comparing stored UTC times.
func (p Period) Start() time.Time { return p.First().Start() }

// End returns the first instant after the period.
func (p Period) End() time.Time { return p.Next().First().Start() }

// Ref points at one record behind a fact: the evidence.
type Ref struct {
	Entity string `json:"entity"` // person, house, rental, care_subject, platform_row, …
	ID     string `json:"id"`
	Note   string `json:"note,omitempty"` // e.g. "arrived 2026-01-03, entered 2026-03-02"
}

// Fact is one collected value.
type Fact struct {
	Subject   SubjectKind `json:"subject_kind"`
	SubjectID string      `json:"subject_id"`
	Name      string      `json:"name"`
	Value     float64     `json:"value"`
	Num       float64     `json:"num"`
	Den       float64     `json:"den"`
	Evidence  []Ref       `json:"evidence"`
}

// Tally accumulates one fact for one grid while a domain package scans its
// records.
type Tally struct {
	Num, Den float64
	Evidence []Ref
}

// Add counts one occurrence with its evidence.
func (t *Tally) Add(r Ref) {
	t.Num++
	t.Evidence = append(t.Evidence, r)
}

// Tallies collects tallies per subject (a grid or a worker) and fact name.
type Tallies map[string]map[string]*Tally

// GridFacts are tallies per grid: what was found in a grid, whoever did it
// (a record's state, a resident's report). A grid's tallies roll up to the
// grid, its ancestors and the worker who answers for it.
type GridFacts = Tallies

// WorkerFacts are tallies per worker ID: what a worker did, wherever it
// happened (the events they reported, their patrols, their duty). A
// worker's tallies roll up to the worker and to their home grid and its
// ancestors (see Rollup). A source puts each occurrence in one of the two,
// never both, so that nothing is counted twice.
type WorkerFacts = Tallies

// At returns the tally of fact name for subject, creating it.
func (g Tallies) At(subject, name string) *Tally {
	m := g[subject]
	if m == nil {
		m = map[string]*Tally{}
		g[subject] = m
	}
	t := m[name]
	if t == nil {
		t = &Tally{}
		m[name] = t
	}
	return t
}

// Merge adds other's tallies into g.
func (g Tallies) Merge(other Tallies) {
	for grid, m := range other {
		for name, t := range m {
			dst := g.At(grid, name)
			dst.Num += t.Num
			dst.Den += t.Den
			dst.Evidence = append(dst.Evidence, t.Evidence...)
		}
	}
}

// Attribution says where a grid's facts roll up: the worker who answers for
// the grid in the period (empty for a vacant grid) and the grid's ancestors
// (片区, community, street, district).
type Attribution struct {
	Worker    string
	Ancestors []string
}

// Rollup turns per-grid and per-worker tallies into facts for every grid,
// every ancestor unit and every worker: counts and the Num and Den of rates
// and means add up, flags take the largest. A grid's tallies go to the grid,
// its ancestors and its attributed worker. A worker's tallies go to the
// worker and to their home grid and its ancestors, the home grid being the
// grid the worker is attributed to in grids (the smallest grid ID if more
// than one, as when a worker moved grids within the period); a worker
// attributed to no grid gets their own facts only. names lists every fact
// that was measured, so that a subject with nothing to report gets an
// explicit zero (or 100 % for a rate) rather than a missing value. Facts
// come out sorted by subject and name, so a collection is deterministic.
func Rollup(g GridFacts, w WorkerFacts, grids map[string]Attribution, names []string) []Fact {
	type key struct {
		kind SubjectKind
		id   string
	}
	kinds := make(map[string]Kind, len(names))
	for _, name := range names {
		def, _ := Lookup(name)
		kinds[name] = def.Kind
	}
	acc := map[key]map[string]*Tally{}
	add := func(k key, name string, t *Tally) {
		m := acc[k]
		if m == nil {
			m = map[string]*Tally{}
			acc[k] = m
		}
		dst := m[name]
		if dst == nil {
			dst = &Tally{}
			m[name] = dst
		}
		if t == nil {
			return
		}
		if kinds[name] == Flag {
			dst.Num = max(dst.Num, t.Num)
		} else {
			dst.Num += t.Num
			dst.Den += t.Den
		}
		dst.Evidence = append(dst.Evidence, t.Evidence...)
	}
	home := map[string]string{} // worker → home grid
	for grid, at := range grids {
		if at.Worker != "" {
			if h, ok := home[at.Worker]; !ok || grid < h {
				home[at.Worker] = grid
			}
		}
	}
	unitsOf := func(grid string) []key {
		at, ok := grids[grid]
		if !ok {
			return nil
		}
		subjects := []key{{Unit, grid}}
		for _, a := range at.Ancestors {
			subjects = append(subjects, key{Unit, a})
		}
		return subjects
	}
	for grid, at := range grids {
		subjects := unitsOf(grid)
		if at.Worker != "" {
			subjects = append(subjects, key{Worker, at.Worker})
		}
		for _, name := range names {
			t := g[grid][name]
			for _, k := range subjects {
				add(k, name, t)
			}
		}
	}
	for worker, m := range w {
		subjects := append([]key{{Worker, worker}}, unitsOf(home[worker])...)
		for _, name := range names {
			t := m[name]
			for _, k := range subjects {
				add(k, name, t)
			}
		}
	}
	var out []Fact
	for k, m := range acc {
		for name, t := range m {
			f := Fact{Subject: k.kind, SubjectID: k.id, Name: name, Num: t.Num, Den: t.Den, Evidence: t.Evidence}
			f.Value = t.Num
			switch kinds[name] {
			case Rate:
				f.Value = 100
				if t.Den > 0 {
					f.Value = 100 * t.Num / t.Den
				}
			case Mean:
				f.Value = 0
				if t.Den > 0 {
					f.Value = t.Num / t.Den
				}
			}
			if f.Evidence == nil {
				f.Evidence = []Ref{}
			}
			slices.SortFunc(f.Evidence, func(a, b Ref) int {
				return cmp.Or(strings.Compare(a.Entity, b.Entity), strings.Compare(a.ID, b.ID), strings.Compare(a.Note, b.Note))
			})
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		if a.SubjectID != b.SubjectID {
			return a.SubjectID < b.SubjectID
		}
		return a.Name < b.Name
	})
	return out
}
