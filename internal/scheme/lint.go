package scheme

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"gridwork/internal/metric"
)

// Severity says whether a lint message stops a scheme from running.
type Severity string

// The severities. A scheme with an Error cannot be saved or run; a Warning
// is shown and left to the centre's judgement.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Message is one lint finding, at a line and column of the YAML.
type Message struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	Text     string   `json:"text"`
	// TextZh is the same message in Chinese, for the console (lint_zh.go).
	TextZh string `json:"text_zh"`
}

func (m Message) String() string { return fmt.Sprintf("%s: %s: %s", m.Pos, m.Severity, m.Text) }

// rule is a Rule compiled: its facts resolved to canonical names and its
// formulas compiled.
type rule struct {
	*Rule
	category *Category
	facts    []string // every fact the rule reads, canonical
	grades   []Grade  // canonical fact names
	parts    []Part   // canonical fact names
	within   string   // canonical
	when     *formula
	expr     *formula
}

var codeShape = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Lint checks s against the facts of cat. Messages come sorted by
// position; HasErrors tells whether any stops the scheme. Compile checks
// and compiles in one go.
func Lint(s *Scheme, cat *metric.Catalog) []Message {
	return lint(s, cat).msgs
}

// lint checks s and compiles its rules and formulas, each once.
func lint(s *Scheme, cat *metric.Catalog) *linter {
	l := &linter{s: s, cat: cat, compiler: newCompiler(cat), compiled: map[*Rule]*rule{}, zeroIf: map[*Category]*formula{}}
	l.header()
	seenCat := map[string]bool{}
	for _, c := range s.Categories {
		if c.ID == "" {
			l.errorf(c.Pos, "category %q has no id", c.Name)
		} else if seenCat[c.ID] {
			l.errorf(c.Pos, "category id %q is used twice", c.ID)
		}
		seenCat[c.ID] = true
		l.category(c)
	}
	seenVeto := map[string]bool{}
	for _, r := range s.Vetoes {
		if r.Kind != Veto {
			l.errorf(r.Pos, "rule %q under vetoes: must be of kind veto", r.ID)
		}
		if seenVeto[r.ID] {
			l.errorf(r.Pos, "veto id %q is used twice", r.ID)
		}
		seenVeto[r.ID] = true
		l.rule(nil, r)
	}
	l.totals()
	l.overlaps()
	for _, e := range s.Escalations {
		l.escalation(e)
	}
	for _, p := range s.Pay {
		l.pay(p)
	}
	sort.SliceStable(l.msgs, func(i, j int) bool {
		a, b := l.msgs[i].Pos, l.msgs[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return l
}

// HasErrors reports whether msgs hold an Error.
func HasErrors(msgs []Message) bool {
	for _, m := range msgs {
		if m.Severity == Error {
			return true
		}
	}
	return false
}

type linter struct {
	s        *Scheme
	cat      *metric.Catalog
	compiler *compiler
	msgs     []Message
	// compiled holds each rule that passed its check, compiled; zeroIf
	// each category's zero_if condition.
	compiled map[*Rule]*rule
	zeroIf   map[*Category]*formula
}

func (l *linter) errorf(p Pos, format string, args ...any) { l.add(p, Error, format, args) }

func (l *linter) warnf(p Pos, format string, args ...any) { l.add(p, Warning, format, args) }

// add stores a message in English and in Chinese; an argument that is
// itself words (both) goes in each language's own.
func (l *linter) add(p Pos, sev Severity, format string, args []any) {
	en, zh := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		en[i], zh[i] = a, a
		if b, ok := a.(both); ok {
			en[i], zh[i] = b.en, b.zh
		}
	}
	l.msgs = append(l.msgs, Message{Pos: p, Severity: sev, Text: fmt.Sprintf(format, en...), TextZh: zhText(format, zh...)})
}

// both is a phrase of a message in English and in Chinese.
type both struct{ en, zh string }

// pending warns about each of names that is declared but not measured yet.
func (l *linter) pending(p Pos, who, until both, names ...string) {
	for _, name := range names {
		if d, _ := l.cat.Lookup(name); d.Pending != "" {
			l.warnf(p, "%s reads %s, which is declared but not measured yet (%s): until then %s", who, d.Name, d.Pending, until)
		}
	}
}

func (l *linter) header() {
	s := l.s
	at := func(key string) Pos {
		if p, ok := s.Pos[key]; ok {
			return p
		}
		return Pos{1, 1}
	}
	if !codeShape.MatchString(s.Code) {
		l.errorf(at("code"), "code %q must be lower-case ASCII letters, digits and hyphens (e.g. seed001-town-quarterly)", s.Code)
	}
	if s.Version < 1 {
		l.errorf(at("version"), "version must be a whole number from 1")
	}
	if strings.TrimSpace(s.Title) == "" {
		l.errorf(at("title"), "title is required (the scheme's Chinese name)")
	}
	if s.Period.Months() == 0 {
		l.errorf(at("period"), "period %q is not month, quarter, half or year", s.Period)
	}
	switch s.Rollup {
	case Whole, Average, Sum:
	default:
		l.errorf(at("rollup"), "rollup %q is not whole, average or sum", s.Rollup)
	}
	seen := map[SubjectKind]bool{}
	for _, sp := range s.Subjects {
		p := sp.Pos
		if p.Line == 0 {
			p = at("subjects")
		}
		switch sp.Kind {
		case Worker, Community:
		default:
			l.errorf(p, "subject kind %q is not worker or community", sp.Kind)
		}
		if seen[sp.Kind] {
			l.errorf(p, "subject kind %q is listed twice", sp.Kind)
		}
		seen[sp.Kind] = true
		if sp.Total <= 0 {
			l.errorf(p, "the total for %s subjects must be positive (total: 100)", sp.Kind)
		}
		for _, post := range sp.Posts {
			switch post {
			case "grid_worker", "grid_leader", "area_leader":
			default:
				l.errorf(p, "post %q is not grid_worker, grid_leader or area_leader", post)
			}
		}
	}
	for _, e := range s.Eligible.Employment {
		if e != "full_time" && e != "part_time" {
			l.errorf(at("eligible"), "employment %q is not full_time or part_time", e)
		}
	}
	if len(s.Categories) == 0 {
		l.errorf(at("categories"), "the scheme has no categories")
	}
}

func (l *linter) category(c *Category) {
	switch c.Start {
	case "", "max", "zero":
	default:
		l.errorf(c.Pos, "category %s: start %q is not max or zero", c.ID, c.Start)
	}
	if c.Max < 0 {
		l.errorf(c.Pos, "category %s: max must not be negative", c.ID)
	}
	if c.Of != "" && c.Of != "community" {
		l.errorf(c.Pos, "category %s: of %q is not community", c.ID, c.Of)
	}
	for _, k := range c.For {
		if _, ok := l.s.Spec(k); !ok {
			l.errorf(c.Pos, "category %s: for %q is not one of the scheme's subjects", c.ID, k)
		}
	}
	if len(c.Rules) == 0 {
		l.errorf(c.Pos, "category %s (%s) has no rules: it would always score its start", c.ID, c.Name)
	}
	if c.ZeroIf != "" {
		f, err := l.compiler.formula(c.ZeroIf, true)
		if err != nil {
			l.errorf(c.Pos, "category %s: zero_if: %v", c.ID, err)
		} else {
			l.zeroIf[c] = f
			l.pending(c.Pos, both{"category " + c.ID + ": zero_if", "类别 " + c.ID + " 的 zero_if"}, both{"it never applies", "它不会生效"}, f.facts...)
		}
	}
	seen := map[string]bool{}
	best := 0.0
	for _, r := range c.Rules {
		if r.ID == "" {
			l.errorf(r.Pos, "a rule in category %s has no id", c.ID)
		} else if seen[r.ID] {
			l.errorf(r.Pos, "rule id %q is used twice in category %s", r.ID, c.ID)
		}
		seen[r.ID] = true
		l.rule(c, r)
		if cr := l.compiled[r]; cr != nil {
			worst, bounded := cr.worst(l.s.Period.Months(), l.cat)
			if bounded && worst > c.Max+c.BonusCap+1e-9 && c.Max > 0 {
				how := both{"nothing stops it going below 0", "没有下限，可能扣到 0 分以下"}
				if c.Floor != nil {
					how = both{fmt.Sprintf("the floor keeps the category at %g", *c.Floor), fmt.Sprintf("下限使该类别不低于 %g 分", *c.Floor)}
				}
				l.warnf(r.Pos, "rule %s can move %g points, more than category %s's %g (%s)", r.ID, round1(worst), c.ID, c.Max, how)
			}
			if b, ok := cr.best(); ok {
				best += b
			}
		}
	}
	if c.Start == "zero" && len(c.Rules) > 0 && best+1e-9 < c.Max {
		l.warnf(c.Pos, "category %s starts at zero but its rules award at most %g of its %g points", c.ID, round1(best), c.Max)
	}
}

// rule checks one rule and stores its compiled form.
func (l *linter) rule(c *Category, r *Rule) {
	cr := &rule{Rule: r, category: c}
	fail := false
	errf := func(format string, args ...any) {
		fail = true
		l.errorf(r.Pos, "rule %s: "+format, append([]any{r.ID}, args...)...)
	}
	fact := func(name, what string) string {
		if name == "" {
			errf("%s is required", what)
			return ""
		}
		d, ok := l.cat.Lookup(name)
		if !ok {
			// At the fact's own line when it is the rule's fact.
			at := r.Pos
			if name == r.Fact && r.FactPos.Line > 0 {
				at = r.FactPos
			}
			fail = true
			l.errorf(at, "rule %s: unknown fact %q (see docs/metrics.md or `gridwork facts list`)", r.ID, name)
			return ""
		}
		l.pending(r.Pos, both{"rule " + r.ID, "规则 " + r.ID}, both{"the rule finds no data", "该规则取不到数据"}, d.Name)
		cr.facts = append(cr.facts, d.Name)
		return d.Name
	}
	formulaOf := func(src, what string, asBool bool) *formula {
		if strings.TrimSpace(src) == "" {
			errf("%s is required", what)
			return nil
		}
		f, err := l.compiler.formula(src, asBool)
		if err != nil {
			errf("%s: %v", what, err)
			return nil
		}
		l.pending(r.Pos, both{"rule " + r.ID, "规则 " + r.ID}, both{"the rule finds no data", "该规则取不到数据"}, f.facts...)
		cr.facts = append(cr.facts, f.facts...)
		return f
	}
	needPoints := func() {
		if r.Points == 0 {
			errf("points is required")
		}
	}
	switch r.Kind {
	case Present, Once:
		needPoints()
		if r.Kind == Present {
			fact(r.Fact, "fact")
		} else {
			cr.when = formulaOf(r.When, "when", true)
		}
	case Per:
		if len(r.Grades) == 0 {
			needPoints()
			cr.grades = []Grade{{Fact: fact(r.Fact, "fact (or grades)"), Points: r.Points, Pos: r.Pos}}
		} else {
			if r.Fact != "" {
				errf("give fact and points, or grades, not both")
			}
			for _, g := range r.Grades {
				if g.Points == 0 {
					l.errorf(g.Pos, "rule %s: a grade needs points", r.ID)
					fail = true
				}
				cr.grades = append(cr.grades, Grade{Fact: fact(g.Fact, "a grade's fact"), Points: g.Points, Pos: g.Pos})
			}
		}
	case ShortRate:
		needPoints()
		fact(r.Fact, "fact")
		if r.Target == nil || *r.Target <= 0 || *r.Target > 100 {
			errf("target must be a rate between 0 and 100 (e.g. target: 95)")
		}
		if d, ok := l.cat.Lookup(r.Fact); ok && d.Kind != metric.Rate {
			errf("short_rate needs a rate fact; %s is a %s", d.Name, d.Kind)
		}
	case ShortQuota:
		needPoints()
		fact(r.Fact, "fact")
		checkQuota := func(q map[string]float64, what string) {
			if len(q) == 0 {
				errf("%s is required, by employment (full_time: 56, part_time: 52)", what)
			}
			for k := range q {
				if k != "full_time" && k != "part_time" && k != "all" {
					errf("%s: %q is not full_time, part_time or all", what, k)
				}
			}
		}
		checkQuota(r.Quota, "quota")
		if r.Within != nil {
			cr.within = fact(r.Within.Fact, "within.fact")
			checkQuota(r.Within.Quota, "within.quota")
		}
	case Proportional:
		if r.Points <= 0 {
			errf("points (the full marks) must be positive")
		}
		if len(r.Parts) == 0 {
			if r.Target == nil || *r.Target <= 0 {
				errf("target must be positive")
			}
			t := 0.0
			if r.Target != nil {
				t = *r.Target
			}
			cr.parts = []Part{{Fact: fact(r.Fact, "fact (or parts)"), Target: t, Pos: r.Pos}}
		} else {
			for _, p := range r.Parts {
				if p.Target <= 0 {
					l.errorf(p.Pos, "rule %s: a part's target must be positive", r.ID)
					fail = true
				}
				cr.parts = append(cr.parts, Part{Fact: fact(p.Fact, "a part's fact"), Target: p.Target, Pos: p.Pos})
			}
		}
	case Rank:
		if r.Points <= 0 {
			errf("points (the full marks) must be positive")
		}
		fact(r.Fact, "fact")
		if r.Step <= 0 || r.Step >= 1 {
			errf("step must be the share lost per rank, between 0 and 1 (step: 0.05)")
		}
		if r.Better != "" && r.Better != "higher" && r.Better != "lower" {
			errf("better %q is not higher or lower", r.Better)
		}
		if r.Each != "" {
			errf("a rank rule ranks the whole period; each: month is not allowed (use rollup: average)")
		}
	case Survey:
		if r.Points <= 0 {
			errf("points (the full marks) must be positive")
		}
		fact(r.Fact, "fact")
		if d, ok := l.cat.Lookup(r.Fact); ok && d.Kind != metric.Rate {
			errf("survey needs a rate fact; %s is a %s", d.Name, d.Kind)
		}
	case Finding:
		if r.Type == "" {
			errf("type is required: a finding type (see `gridwork scheme findings`)")
		} else if _, ok := LookupFindingType(r.Type); !ok {
			errf("unknown finding type %q (see `gridwork scheme findings`)", r.Type)
		}
		switch len(r.Range) {
		case 0:
			needPoints()
		case 2:
			if r.Range[0] > r.Range[1] {
				errf("range must be [low, high]")
			}
		default:
			errf("range must be two numbers [low, high]")
		}
	case Veto:
		cr.when = formulaOf(r.When, "when", true)
		if c != nil {
			errf("a veto goes under the scheme's vetoes:, not in a category")
		}
	case Formula:
		cr.expr = formulaOf(r.Expr, "expr", false)
	case "":
		errf("kind is required (present, per, short_rate, short_quota, once, proportional, rank, survey, finding, formula)")
	default:
		errf("kind %q is not one of present, per, short_rate, short_quota, once, proportional, rank, survey, finding, veto, formula", r.Kind)
	}
	switch r.Each {
	case "", "month":
	default:
		errf("each %q is not month", r.Each)
	}
	switch r.Missing {
	case "", "none", "full":
	default:
		errf("missing %q is not none or full", r.Missing)
	}
	if r.Cap < 0 {
		errf("cap is a size: write it positive")
	}
	cr.facts = dedupe(cr.facts)
	sort.Strings(cr.facts)
	if !fail {
		l.compiled[r] = cr
	}
}

// worst returns how many points the rule can move at most, when that is
// bounded (a count has no bound without a cap).
func (r *rule) worst(months int, cat *metric.Catalog) (float64, bool) {
	n := 1.0
	if r.Each == "month" {
		n = float64(months)
	}
	if r.Cap > 0 {
		return r.Cap, true
	}
	switch r.Kind {
	case Present, Once, Proportional, Rank, Survey:
		return math.Abs(r.Points) * n, true
	case ShortRate:
		return math.Abs(r.Points) * *r.Target * n, true
	case ShortQuota:
		q := 0.0
		for _, v := range r.Quota {
			q = math.Max(q, v)
		}
		return math.Abs(r.Points) * q * n, true
	case Per:
		total := 0.0
		for _, g := range r.grades {
			d, _ := cat.Lookup(g.Fact)
			if d.Kind != metric.Flag {
				return 0, false
			}
			total += math.Abs(g.Points)
		}
		// A flag summed over a longer period counts the months it was
		// raised, so it can reach the number of months either way.
		return total * float64(months), true
	}
	return 0, false
}

// best returns the most points the rule can award, for categories that
// start at zero.
func (r *rule) best() (float64, bool) {
	switch r.Kind {
	case Present, Once, Proportional, Rank, Survey:
		return math.Max(r.Points, 0), true
	case Per:
		if r.Cap > 0 {
			return r.Cap, true
		}
		return math.Inf(1), true
	case Finding, Formula:
		return math.Inf(1), true
	}
	return 0, true
}

// totals checks that, for each subject kind, the maxima of its categories
// add up to its total.
func (l *linter) totals() {
	for _, sp := range l.s.Subjects {
		sum := 0.0
		var parts []string
		for _, c := range l.s.CategoriesFor(sp.Kind) {
			sum += c.Max
			parts = append(parts, fmt.Sprintf("%s %g", c.ID, c.Max))
		}
		if sp.Total > 0 && math.Abs(sum-sp.Total) > 1e-9 {
			p := l.s.Pos["categories"]
			l.errorf(p, "the categories for %s subjects add up to %g (%s), but the total is %g", sp.Kind, round1(sum), strings.Join(parts, " + "), sp.Total)
		}
	}
}

// overlaps warns about two rules that count the same records: the same
// fact, or one fact that is part of the other (metric.Def.Part). A formula
// that reads both is how a scheme says "the rest": it is not an overlap.
func (l *linter) overlaps() {
	type use struct {
		r    *rule
		fact string
	}
	var uses []use
	var rules []*rule
	for _, c := range l.s.Categories {
		for _, r := range c.Rules {
			if cr := l.compiled[r]; cr != nil {
				rules = append(rules, cr)
			}
		}
	}
	for _, cr := range rules {
		if cr.Kind == Formula || cr.Kind == Once {
			continue
		}
		for _, f := range cr.facts {
			uses = append(uses, use{cr, f})
		}
	}
	related := func(a, b string) bool {
		if a == b {
			return true
		}
		da, _ := l.cat.Lookup(a)
		db, _ := l.cat.Lookup(b)
		return da.Part == b || db.Part == a
	}
	reported := map[[2]*rule]bool{}
	for i := range uses {
		for j := i + 1; j < len(uses); j++ {
			a, b := uses[i], uses[j]
			if a.r == b.r || !related(a.fact, b.fact) || reported[[2]*rule{a.r, b.r}] {
				continue
			}
			if a.r.category != nil && b.r.category != nil && !sameSubjects(a.r.category, b.r.category) {
				continue
			}
			reported[[2]*rule{a.r, b.r}] = true
			what := both{"both read " + a.fact, "都读取 " + a.fact}
			if a.fact != b.fact {
				what = both{fmt.Sprintf("%s reads %s and %s reads %s, which counts some of the same records", a.r.ID, a.fact, b.r.ID, b.fact),
					fmt.Sprintf("%s 读取 %s，%s 读取 %s，二者统计了部分相同的记录", a.r.ID, a.fact, b.r.ID, b.fact)}
			}
			l.warnf(b.r.Pos, "rules %s (line %d) and %s overlap: %s; a record may be deducted twice (write one formula for the rest if that is not meant)", a.r.ID, a.r.Pos.Line, b.r.ID, what)
		}
	}
}

// sameSubjects reports whether two categories score the same subjects on
// the same facts: the same `of`, and subject kinds in common.
func sameSubjects(a, b *Category) bool {
	if a.Of != b.Of {
		return false
	}
	if len(a.For) == 0 || len(b.For) == 0 {
		return true
	}
	for _, x := range a.For {
		for _, y := range b.For {
			if x == y {
				return true
			}
		}
	}
	return false
}

func (l *linter) escalation(e *Escalation) {
	switch e.Action {
	case "talk", "notice", "training", "veto", "revoke_extra_grid", "award":
	default:
		l.errorf(e.Pos, "escalation %s: action %q is not talk, notice, training, veto, revoke_extra_grid or award", e.ID, e.Action)
	}
	if e.ID == "" || e.Name == "" {
		l.errorf(e.Pos, "an escalation needs an id and a name")
	}
	if e.Fact != "" {
		if _, ok := l.cat.Lookup(e.Fact); !ok {
			l.errorf(e.Pos, "escalation %s: unknown fact %q", e.ID, e.Fact)
		}
	}
	for _, w := range e.Without {
		if _, ok := l.cat.Lookup(w); !ok {
			l.errorf(e.Pos, "escalation %s: unknown fact %q in without", e.ID, w)
		}
	}
	switch {
	case e.Action == "award":
		if e.Top <= 0 {
			l.errorf(e.Pos, "escalation %s: an award needs top: N", e.ID)
		}
	case e.Bottom > 0:
		if e.Consecutive <= 0 {
			l.errorf(e.Pos, "escalation %s: bottom needs consecutive: N periods", e.ID)
		}
	case e.Fact != "":
		if e.Consecutive <= 0 && e.Cumulative <= 0 {
			l.errorf(e.Pos, "escalation %s: fact needs consecutive or cumulative", e.ID)
		}
	default:
		l.errorf(e.Pos, "escalation %s: give bottom and consecutive, or fact with consecutive/cumulative, or top for an award", e.ID)
	}
}

func (l *linter) pay(p *PayItem) {
	if p.ID == "" || p.Name == "" {
		l.errorf(p.Pos, "a pay item needs an id and a name")
	}
	if p.MonthlyFen <= 0 {
		l.errorf(p.Pos, "pay item %s: monthly_fen must be a positive amount in fen (200 yuan = 20000)", p.ID)
	}
	switch p.Scale {
	case "score", "none":
	default:
		l.errorf(p.Pos, "pay item %s: scale %q is not score or none", p.ID, p.Scale)
	}
	for _, e := range p.Employment {
		if e != "full_time" && e != "part_time" {
			l.errorf(p.Pos, "pay item %s: employment %q is not full_time or part_time", p.ID, e)
		}
	}
	if p.WithholdIf != "" {
		if _, ok := l.cat.Lookup(p.WithholdIf); !ok {
			l.errorf(p.Pos, "pay item %s: unknown fact %q in withhold_if", p.ID, p.WithholdIf)
		}
	}
}
