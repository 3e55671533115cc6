// Package scheme is gridwork's assessment engine. A scheme is a versioned
// YAML document (see docs/schemes.md): categories with maximum points and
// rules of a dozen shapes over named facts. Parse reads it, Lint checks it
// against a fact catalogue, Compile checks it and compiles every rule and
// formula once into a Program, and Evaluate scores subjects from their
// facts with a Program: pure functions that know nothing of storage and
// hold no process-wide state, so a run can be replayed and a draft tried on
// history. Escalate and Pay read results the same way. Package runs stores
// schemes, runs, results, appeals and escalations.
package scheme

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SubjectKind is who a scheme assesses.
type SubjectKind string

// The subject kinds. A leader is a worker whose post is grid_leader or
// area_leader; schemes select them with a worker subject and a posts filter.
const (
	Worker    SubjectKind = "worker"
	Community SubjectKind = "community" // 社区/村
)

// PeriodKind is how long a scheme's period is.
type PeriodKind string

// The period kinds.
const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Half    PeriodKind = "half" // 半年
	Year    PeriodKind = "year"
)

// Months returns how many calendar months a period of kind k spans.
func (k PeriodKind) Months() int {
	switch k {
	case Month:
		return 1
	case Quarter:
		return 3
	case Half:
		return 6
	case Year:
		return 12
	}
	return 0
}

// RollupKind says how a period longer than a month is scored.
type RollupKind string

// The roll-ups.
const (
	// Whole scores the period once, on its facts summed over its months
	// (counts and flags add up, rates add numerators and denominators).
	// Rules marked `each: month` still score each month and add up.
	Whole RollupKind = "whole"
	// Average scores each month and averages the monthly results.
	Average RollupKind = "average"
	// Sum scores each month and adds the monthly results.
	Sum RollupKind = "sum"
)

// RuleKind is the shape of a rule.
type RuleKind string

// The rule shapes; docs/schemes.md explains each with a seed's example.
const (
	Present      RuleKind = "present"      // +points when a fact is non-zero (a system exists)
	Per          RuleKind = "per"          // points per occurrence, graded by fact; bonuses with a cap
	ShortRate    RuleKind = "short_rate"   // points per percentage point below a target rate
	ShortQuota   RuleKind = "short_quota"  // points per unit below a quota that depends on employment
	Once         RuleKind = "once"         // points once when a condition holds
	Proportional RuleKind = "proportional" // points × done/target, averaged over parts
	Rank         RuleKind = "rank"         // full points on target, else less per rank below it
	Survey       RuleKind = "survey"       // points × satisfaction rate / 100
	Finding      RuleKind = "finding"      // points of manual findings with evidence
	Veto         RuleKind = "veto"         // 一票否决: the total becomes 0 when a condition holds
	Formula      RuleKind = "formula"      // a free expression over facts
)

// Pos is where something sits in the scheme's YAML, for messages.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// Scheme is a parsed assessment scheme.
type Scheme struct {
	// Code is the scheme's stable ASCII identifier; versions share it.
	Code     string        `yaml:"code"`
	Version  int           `yaml:"version"`
	Title    string        `yaml:"title"`
	Issuer   string        `yaml:"issuer"`
	Source   string        `yaml:"source"` // the document it implements
	Subjects []SubjectSpec `yaml:"-"`
	// Total is shorthand for a scheme with one subject kind.
	Total      float64     `yaml:"total"`
	Period     PeriodKind  `yaml:"period"`
	Rollup     RollupKind  `yaml:"rollup"`
	Eligible   Eligibility `yaml:"eligible"`
	Categories []*Category `yaml:"categories"`
	// Vetoes are one-vote vetoes (一票否决): when one holds, the subject's
	// total is 0 whatever its categories score.
	Vetoes      []*Rule        `yaml:"vetoes"`
	Ranking     Ranking        `yaml:"ranking"`
	Escalations []*Escalation  `yaml:"escalations"`
	Pay         []*PayItem     `yaml:"pay"`
	Appeals     AppealPolicy   `yaml:"appeals"`
	RawSubjects []SubjectSpec  `yaml:"subjects"`
	Pos         map[string]Pos `yaml:"-"` // header keys
	text        []byte         `yaml:"-"`
}

// SubjectSpec is one kind of subject a scheme assesses, with its total.
type SubjectSpec struct {
	Kind SubjectKind `yaml:"kind"`
	// Posts keeps workers in these posts (e.g. grid_leader, area_leader for
	// seed 002); empty keeps all grid workers.
	Posts []string `yaml:"posts"`
	Total float64  `yaml:"total"`
	Pos   Pos      `yaml:"-"`
}

// UnmarshalYAML accepts "worker" as well as {kind: worker, total: 100}.
func (s *SubjectSpec) UnmarshalYAML(n *yaml.Node) error {
	s.Pos = Pos{n.Line, n.Column}
	if n.Kind == yaml.ScalarNode {
		s.Kind = SubjectKind(n.Value)
		return nil
	}
	type plain SubjectSpec
	return decodeStrict(n, (*plain)(s))
}

// Eligibility says who is assessed; the others are listed as not assessed
// with the reason.
type Eligibility struct {
	// InPostMonths is the least number of whole months in post on the
	// period's last day (seed 001: 6).
	InPostMonths int      `yaml:"in_post_months"`
	Employment   []string `yaml:"employment"` // full_time, part_time; empty = both
}

// Category is a scored part of a scheme.
type Category struct {
	ID   string  `yaml:"id"`
	Name string  `yaml:"name"`
	Max  float64 `yaml:"max"`
	// Start is "max" (rules deduct from full marks, the default) or "zero"
	// (rules award points).
	Start string `yaml:"start"`
	// Floor, when set, is the lowest the category goes (扣完为止: 0).
	Floor *float64 `yaml:"floor"`
	// BonusCap is how far bonuses may lift the category above Max.
	BonusCap float64 `yaml:"bonus_cap"`
	// Of is "community" when the category is about the subject's community
	// (seed 000 §I): its facts are the community's.
	Of string `yaml:"of"`
	// For limits the category to some of the scheme's subject kinds.
	For []SubjectKind `yaml:"for"`
	// ZeroIf, a condition, sets the category to 0 (seed 003 item 2: none at
	// all scores 0).
	ZeroIf string  `yaml:"zero_if"`
	Rules  []*Rule `yaml:"rules"`
	Pos    Pos     `yaml:"-"`
}

// UnmarshalYAML records the category's position.
func (c *Category) UnmarshalYAML(n *yaml.Node) error {
	c.Pos = Pos{n.Line, n.Column}
	type plain Category
	return decodeStrict(n, (*plain)(c))
}

// Grade is one fact with its points per occurrence, in a graded rule.
type Grade struct {
	Fact   string  `yaml:"fact"`
	Points float64 `yaml:"points"`
	Pos    Pos     `yaml:"-"`
}

// UnmarshalYAML records the grade's position.
func (g *Grade) UnmarshalYAML(n *yaml.Node) error {
	g.Pos = Pos{n.Line, n.Column}
	type plain Grade
	return decodeStrict(n, (*plain)(g))
}

// Part is one target of a proportional rule.
type Part struct {
	Fact   string  `yaml:"fact"`
	Target float64 `yaml:"target"`
	Pos    Pos     `yaml:"-"`
}

// UnmarshalYAML records the part's position.
func (p *Part) UnmarshalYAML(n *yaml.Node) error {
	p.Pos = Pos{n.Line, n.Column}
	type plain Part
	return decodeStrict(n, (*plain)(p))
}

// Rule is one scoring rule. Which fields apply depends on Kind.
type Rule struct {
	ID    string   `yaml:"id"`
	Name  string   `yaml:"name"`
	Kind  RuleKind `yaml:"kind"`
	Quote string   `yaml:"seed"` // the seed's sentence it implements
	// Fact is the fact the rule reads (name or Chinese alias).
	Fact string `yaml:"fact"`
	// Points: per occurrence (per), per percentage point or unit short
	// (short_rate, short_quota), once (once, present), or full marks
	// (proportional, rank, survey). Deductions are negative.
	Points float64 `yaml:"points"`
	// Grades: several facts, each with its own points (yellow −5, red −10).
	Grades []Grade `yaml:"grades"`
	// Cap bounds the rule's points in absolute value (a bonus of at most 10).
	Cap float64 `yaml:"cap"`
	// Target is the rate to reach (short_rate, rank) or the amount to do
	// (proportional with one fact).
	Target *float64 `yaml:"target"`
	// Quota maps employment (full_time, part_time) to the quota.
	Quota map[string]float64 `yaml:"quota"`
	// Within is a smaller quota included in Quota (8 of the 56 events
	// reported upward); the shortfall is the larger of the two.
	Within *Within `yaml:"within"`
	// Step is the share of the points lost per rank below target (0.05).
	Step float64 `yaml:"step"`
	// Better is "higher" (default) or "lower": which way a rank improves.
	Better string `yaml:"better"`
	// Parts are the targets of a proportional rule, averaged.
	Parts []Part `yaml:"parts"`
	// When is a condition over facts (once, veto).
	When string `yaml:"when"`
	// Expr is a formula's expression; its value is the rule's points.
	Expr string `yaml:"expr"`
	// Type is the manual finding type (finding rules).
	Type string `yaml:"type"`
	// Item, when set, keeps only findings about this item (a category of
	// seed 002's year-end inspection).
	Item string `yaml:"item"`
	// Range bounds each finding's points when the seed gives a range
	// (−0.3 to −0.2); without it each finding scores Points.
	Range []float64 `yaml:"range"`
	// Each is "month" when the rule scores every month of a longer period
	// on that month's facts and adds up (monthly quotas in a quarterly
	// scheme).
	Each string `yaml:"each"`
	// Missing is what a rule scores when a fact it reads was not measured
	// for the subject: "none" (no points, the default) or "full" (its full
	// points: nobody loses marks for a survey that was not held).
	Missing string `yaml:"missing"`
	Pos     Pos    `yaml:"-"`
	// FactPos is where the fact's name is written, so that a message about
	// it points at that line rather than at the rule's first.
	FactPos Pos `yaml:"-"`
}

// Within is a quota included in a larger one.
type Within struct {
	Fact  string             `yaml:"fact"`
	Quota map[string]float64 `yaml:"quota"`
}

// UnmarshalYAML records the rule's position and its fact's.
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	type plain Rule
	if err := decodeStrict(n, (*plain)(r)); err != nil {
		return err
	}
	r.Pos = Pos{n.Line, n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "fact" {
			r.FactPos = Pos{n.Content[i+1].Line, n.Content[i+1].Column}
		}
	}
	return nil
}

// Ranking configures the league table.
type Ranking struct {
	// Bottom marks the last N of each table (seed 003: 后2位).
	Bottom int `yaml:"bottom"`
}

// Escalation is a consequence of repeated results (seed 003's 约谈 and
// 一票否决, seed 004's revocation of the extra grid) or an award (网格之星).
type Escalation struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	Action string `yaml:"action"` // talk, veto, revoke_extra_grid, award, notice, training
	Quote  string `yaml:"seed"`
	// Bottom and Consecutive: in the bottom N for this many consecutive
	// periods; BelowMean additionally needs the score to be more than this
	// many points below the table's mean in each of them (明显低于平均值).
	Bottom      int      `yaml:"bottom"`
	Consecutive int      `yaml:"consecutive"`
	BelowMean   *float64 `yaml:"below_mean"`
	// Fact, with Consecutive or Cumulative: the fact is non-zero in this
	// many consecutive periods, or in this many periods of the year.
	Fact       string `yaml:"fact"`
	Cumulative int    `yaml:"cumulative"`
	// Top, for awards: the first N of the table whose facts Without are all
	// zero over the period.
	Top     int      `yaml:"top"`
	Without []string `yaml:"without"`
	Pos     Pos      `yaml:"-"`
}

// UnmarshalYAML records the escalation's position.
func (e *Escalation) UnmarshalYAML(n *yaml.Node) error {
	e.Pos = Pos{n.Line, n.Column}
	type plain Escalation
	return decodeStrict(n, (*plain)(e))
}

// PayItem is one line of the payroll sheet for the subjects it applies to.
type PayItem struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Employment limits the item (full_time, part_time); empty = all.
	Employment []string `yaml:"employment"`
	// MonthlyFen is the amount per month of the period, in fen (200 yuan
	// withheld a month = 20000).
	MonthlyFen int64 `yaml:"monthly_fen"`
	// Scale is "score" (amount × total / scheme total) or "none".
	Scale string `yaml:"scale"`
	// PerExtraGrid pays the amount for each extra grid share, times the
	// share, unless the worker's extra grid was revoked (seed 004).
	PerExtraGrid bool `yaml:"per_extra_grid"`
	// WithholdIf names a fact: in a period where it is non-zero for the
	// worker, the item is not paid (seed 004 pays the 减员增效奖 by "所兼格的
	// 考核情况": not for a month the extra grid failed its spot check).
	WithholdIf string `yaml:"withhold_if"`
	Quote      string `yaml:"seed"`
	Pos        Pos    `yaml:"-"`
}

// UnmarshalYAML records the item's position.
func (p *PayItem) UnmarshalYAML(n *yaml.Node) error {
	p.Pos = Pos{n.Line, n.Column}
	type plain PayItem
	return decodeStrict(n, (*plain)(p))
}

// AppealPolicy says how long after publication a deduction can be appealed.
type AppealPolicy struct {
	Days int `yaml:"days"` // default 7
}

// decodeStrict decodes n into v, refusing keys v has no field for, with
// the line and column of the unknown key.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind == yaml.MappingNode {
		known := yamlKeys(reflect.TypeOf(v).Elem())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !known[k.Value] {
				return fmt.Errorf("line %d column %d: unknown key %q", k.Line, k.Column, k.Value)
			}
		}
	}
	return n.Decode(v)
}

// yamlKeys returns the yaml keys of struct type t.
func yamlKeys(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for f := range t.Fields() {
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			out[tag] = true
		}
	}
	return out
}

// Parse reads a scheme. Errors name the line; Lint finds the rest.
func Parse(text []byte) (*Scheme, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the scheme is empty")
		}
		return nil, fmt.Errorf("the scheme is not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: a scheme is a mapping (code:, title:, categories: …)", doc.Line)
	}
	s := &Scheme{Pos: map[string]Pos{}, text: text}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		s.Pos[k.Value] = Pos{k.Line, k.Column}
	}
	if err := decodeStrict(root, (*schemeFields)(s)); err != nil {
		return nil, err
	}
	s.Subjects = s.RawSubjects
	if len(s.Subjects) == 0 {
		s.Subjects = []SubjectSpec{{Kind: Worker}}
	}
	if len(s.Subjects) == 1 && s.Subjects[0].Total == 0 {
		s.Subjects[0].Total = s.Total
	}
	if s.Rollup == "" {
		s.Rollup = Whole
	}
	if s.Appeals.Days == 0 {
		s.Appeals.Days = 7
	}
	for _, r := range s.Vetoes {
		if r.Kind == "" {
			r.Kind = Veto // a veto under vetoes: need not say so
		}
	}
	return s, nil
}

// schemeFields is Scheme without its methods, for decoding.
type schemeFields Scheme

// Text returns the YAML the scheme was parsed from.
func (s *Scheme) Text() []byte { return s.text }

// Spec returns the scheme's spec for subject kind k.
func (s *Scheme) Spec(k SubjectKind) (SubjectSpec, bool) {
	for _, sp := range s.Subjects {
		if sp.Kind == k {
			return sp, true
		}
	}
	return SubjectSpec{}, false
}

// CategoriesFor returns the categories that score subjects of kind k: those
// without a `for` list, or listing k.
func (s *Scheme) CategoriesFor(k SubjectKind) []*Category {
	var out []*Category
	for _, c := range s.Categories {
		if len(c.For) == 0 {
			out = append(out, c)
			continue
		}
		for _, f := range c.For {
			if f == k {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
