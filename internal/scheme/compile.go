package scheme

import (
	"fmt"
	"sort"

	"gridwork/internal/metric"
)

// Program is a scheme checked and compiled against a fact catalogue: every
// fact it names resolved to its canonical name and kind, every rule and
// formula compiled once. Evaluate, Escalate and Pay only read it, so one
// Program serves any number of evaluations, at once if need be.
//
// The parsed Scheme is embedded for its fields (Code, Period, Categories…);
// neither it nor the Program is changed after Compile.
type Program struct {
	*Scheme
	rules  map[*Rule]*rule
	zeroIf map[*Category]*formula
	// defs holds the definition of every fact the scheme names, under its
	// canonical name and under the name as the scheme wrote it (an alias).
	defs map[string]metric.Def
	// facts is every fact the scheme reads, canonical and sorted; signals
	// the facts its escalations and pay items name (EscalationFacts).
	facts   []string
	signals []string
	// formulas is how many formulas Compile compiled (the test checks it
	// against the scheme's).
	formulas int
}

// Compile checks s against cat (Lint) and compiles it. A scheme with a
// lint error does not compile: the error quotes the first.
func Compile(s *Scheme, cat *metric.Catalog) (*Program, error) {
	l := lint(s, cat)
	for _, m := range l.msgs {
		if m.Severity == Error {
			return nil, fmt.Errorf("scheme %s v%d does not pass its check: %s", s.Code, s.Version, m)
		}
	}
	p := &Program{Scheme: s, rules: l.compiled, zeroIf: l.zeroIf, defs: map[string]metric.Def{}, formulas: l.compiler.compiled}
	// Resolve every name the scheme writes, once: rules' facts (also
	// through their formulas), zero_if conditions, escalations, pay.
	resolve := func(name string) string {
		d, ok := cat.Lookup(name)
		if !ok {
			return name
		}
		p.defs[name], p.defs[d.Name] = d, d
		return d.Name
	}
	var names []string
	for _, cr := range p.rules {
		for _, n := range cr.facts {
			names = append(names, resolve(n))
		}
		if cr.Fact != "" {
			resolve(cr.Fact)
		}
	}
	for _, f := range p.zeroIf {
		for _, n := range f.facts {
			names = append(names, resolve(n))
		}
	}
	for _, pi := range s.Pay {
		if pi.WithholdIf != "" {
			p.signals = append(p.signals, resolve(pi.WithholdIf))
		}
	}
	for _, e := range s.Escalations {
		if e.Fact != "" {
			p.signals = append(p.signals, resolve(e.Fact))
		}
		for _, f := range e.Without {
			p.signals = append(p.signals, resolve(f))
		}
	}
	p.signals = dedupe(p.signals)
	names = dedupe(append(names, p.signals...))
	sort.Strings(names)
	p.facts = names
	return p, nil
}

// Facts returns every fact the program reads, canonical and sorted: its
// rules', its zero_if conditions' and its signals (EscalationFacts). A run
// reads just these from the stored facts.
func (p *Program) Facts() []string { return append([]string(nil), p.facts...) }

// canonical returns the catalogue name of a fact the scheme names (by name
// or alias).
func (p *Program) canonical(name string) string {
	if d, ok := p.defs[name]; ok {
		return d.Name
	}
	return name
}

// alias returns the Chinese name of a fact the scheme names, or the name
// itself when it has none.
func (p *Program) alias(name string) string {
	if d, ok := p.defs[name]; ok && d.Alias != "" {
		return d.Alias
	}
	return name
}

// kind returns the kind of a fact the scheme reads.
func (p *Program) kind(name string) metric.Kind { return p.defs[name].Kind }

// Awards reports whether rules of kind k award points rather than deduct:
// an upheld appeal against one gives its full points, and an appeal is
// only against one that gave less than those.
func (k RuleKind) Awards() bool { return awards(k) }

// Signals returns in's values over the whole span of the facts p's
// escalations and pay items name (EscalationFacts), aggregated as rules
// read them: what a run keeps with each result.
func (p *Program) Signals(span Span, in *Input) map[string]float64 {
	out := map[string]float64{}
	if len(p.signals) == 0 {
		return out
	}
	idx := make([]int, len(span.Months()))
	for i := range idx {
		idx[i] = i
	}
	fr := newFrame(p, span, in, idx)
	for _, n := range p.signals {
		if a, ok := fr.get(n, false); ok {
			out[n] = a.fact.Value
		}
	}
	return out
}

// Round1 rounds x to one decimal, half away from zero: the rounding of
// every score.
func Round1(x float64) float64 { return round1(x) }

// FormatNumber prints x as explanations do: without trailing zeros.
func FormatNumber(x float64) string { return num(x) }
