package scheme

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
)

// Subject is one worker or community to assess, with what rules and
// eligibility need to know about it.
type Subject struct {
	Kind          SubjectKind `json:"kind"`
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	Grid          string      `json:"grid,omitempty"`      // a worker's grid in the period
	GridName      string      `json:"grid_name,omitempty"` // its name
	Community     string      `json:"community,omitempty"` // the community's id (itself for a community)
	CommunityName string      `json:"community_name,omitempty"`
	Employment    string      `json:"employment,omitempty"` // full_time, part_time
	Post          string      `json:"post,omitempty"`
	InPostSince   dates.Date  `json:"in_post_since,omitzero"`
	LeftPostOn    dates.Date  `json:"left_post_on,omitzero"`
}

// Facts are one subject's facts for one month, by canonical name.
type Facts map[string]metric.Fact

// FindingRecord is a confirmed manual finding as a rule sees it.
type FindingRecord struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Item     string       `json:"item,omitempty"`
	Month    string       `json:"month"` // YYYY-MM
	Points   float64      `json:"points"`
	Note     string       `json:"note"`
	By       string       `json:"by"`
	Evidence []metric.Ref `json:"evidence,omitempty"`
}

// Input is a subject with its facts for every month of the span.
type Input struct {
	Subject Subject `json:"subject"`
	// Months holds the subject's facts, aligned with Span.Months(); a nil
	// map means nothing was stored for that month.
	Months []Facts `json:"months"`
	// Community holds the subject's community's facts, for categories
	// `of: community`; for a community subject it is Months.
	Community []Facts         `json:"community,omitempty"`
	Findings  []FindingRecord `json:"findings,omitempty"`
}

// RuleKey names one rule's result for one subject: what an appeal is about.
type RuleKey struct {
	SubjectID string `json:"subject_id"`
	Category  string `json:"category"`
	Rule      string `json:"rule"`
}

// Options adjust an evaluation.
type Options struct {
	// Void lists rules whose points are removed for a subject (an upheld
	// appeal), with the reason shown in the explanation.
	Void map[RuleKey]string
}

// The statuses of a rule result.
const (
	Scored        = "scored"
	NoData        = "no_data"        // a fact it reads was not measured
	NotApplicable = "not_applicable" // e.g. a quota for a unit, which has no employment
	Voided        = "voided"         // removed by an upheld appeal
)

// FactUse is one fact a rule read, with its value and the records behind it.
type FactUse struct {
	Name     string       `json:"name"`
	Alias    string       `json:"alias,omitempty"`
	Month    string       `json:"month,omitempty"` // set when read month by month
	Value    float64      `json:"value"`
	Num      float64      `json:"num,omitempty"`
	Den      float64      `json:"den,omitempty"`
	Evidence []metric.Ref `json:"evidence,omitempty"`
}

// RuleResult is one rule's points for one subject, explained.
type RuleResult struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Kind     RuleKind        `json:"kind"`
	Points   float64         `json:"points"`
	Status   string          `json:"status"`
	Explain  string          `json:"explain"`
	Facts    []FactUse       `json:"facts,omitempty"`
	Findings []FindingRecord `json:"findings,omitempty"`
	// Original is the points before an upheld appeal voided them.
	Original float64 `json:"original,omitempty"`
	rankVal  float64
}

// CategoryResult is one category's score with its rules.
type CategoryResult struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Max    float64      `json:"max"`
	Score  float64      `json:"score"`
	Raw    float64      `json:"raw"` // before floor, cap and rounding
	Note   string       `json:"note,omitempty"`
	Of     string       `json:"of,omitempty"`
	Rules  []RuleResult `json:"rules"`
	source *Category
}

// Result is one subject's assessment.
type Result struct {
	Subject     Subject          `json:"subject"`
	Assessed    bool             `json:"assessed"`
	NotAssessed string           `json:"not_assessed,omitempty"` // why not
	Max         float64          `json:"max"`
	Total       float64          `json:"total"`
	Vetoed      string           `json:"vetoed,omitempty"`
	Categories  []CategoryResult `json:"categories,omitempty"`
	NoData      int              `json:"no_data"` // rules that found no data
	Rank        int              `json:"rank,omitempty"`
	Of          int              `json:"of,omitempty"`
	Bottom      bool             `json:"bottom,omitempty"`
}

// Evaluate scores every input under the compiled scheme p for span. It
// only reads p: nothing is looked up or compiled here. The result is
// deterministic: the same inputs give the same numbers, in the inputs'
// order, with ranks set (Rank).
func Evaluate(p *Program, span Span, inputs []Input, opt Options) ([]Result, error) {
	s := p.Scheme
	if span.Kind != s.Period {
		return nil, fmt.Errorf("scheme: %s is %sly; %s is not a %s", s.Code, s.Period, span, s.Period)
	}
	months := span.Months()
	for _, in := range inputs {
		if len(in.Months) != len(months) {
			return nil, fmt.Errorf("scheme: subject %s has facts for %d months; %s has %d", in.Subject.ID, len(in.Months), span, len(months))
		}
	}
	var out []Result
	if s.Rollup == Whole || len(months) == 1 {
		all := make([]int, len(months))
		for i := range all {
			all[i] = i
		}
		out = evalFrame(p, span, months, all, inputs, opt)
	} else {
		frames := make([][]Result, len(months))
		for i := range months {
			frames[i] = evalFrame(p, span, months, []int{i}, inputs, opt)
		}
		out = mergeFrames(s, months, frames)
	}
	RankResults(out, s.Ranking.Bottom)
	return out, nil
}

// frame is the evaluation of one subject over some months of the span.
type frame struct {
	p      *Program
	span   Span
	in     *Input
	months []int
	cache  map[string]aggregated
	ccache map[string]aggregated
}

func newFrame(p *Program, span Span, in *Input, months []int) *frame {
	return &frame{p: p, span: span, in: in, months: months, cache: map[string]aggregated{}, ccache: map[string]aggregated{}}
}

type aggregated struct {
	fact    metric.Fact
	present int // months it was measured in
}

// get returns fact name over the frame's months: counts and flags add up
// (a flag summed over a quarter is the number of months it was raised),
// rates and means add numerators and denominators.
func (f *frame) get(name string, community bool) (aggregated, bool) {
	cache, src := f.cache, f.in.Months
	if community {
		cache, src = f.ccache, f.in.Community
	}
	if a, ok := cache[name]; ok {
		return a, a.present > 0
	}
	var a aggregated
	a.fact.Name = name
	kind := f.p.kind(name)
	for _, i := range f.months {
		if i >= len(src) || src[i] == nil {
			continue
		}
		fact, ok := src[i][name]
		if !ok {
			continue
		}
		a.present++
		a.fact.Value += fact.Value
		a.fact.Num += fact.Num
		a.fact.Den += fact.Den
		a.fact.Evidence = append(a.fact.Evidence, fact.Evidence...)
	}
	switch kind {
	case metric.Count, metric.Flag:
	case metric.Rate:
		if a.present > 1 {
			a.fact.Value = 100
			if a.fact.Den > 0 {
				a.fact.Value = 100 * a.fact.Num / a.fact.Den
			}
		}
	default: // means
		if a.present > 1 {
			a.fact.Value = 0
			if a.fact.Den > 0 {
				a.fact.Value = a.fact.Num / a.fact.Den
			}
		}
	}
	cache[name] = a
	return a, a.present > 0
}

type rankSlot struct {
	result, category, rule int
	r                      *rule
}

// evalFrame evaluates every input over the months idx of the span.
func evalFrame(p *Program, span Span, months []metric.Period, idx []int, inputs []Input, opt Options) []Result {
	s := p.Scheme
	out := make([]Result, len(inputs))
	var slots []rankSlot
	for i := range inputs {
		in := &inputs[i]
		res := &out[i]
		res.Subject = in.Subject
		spec, _ := s.Spec(in.Subject.Kind)
		res.Max = spec.Total
		if why := notEligible(s, span, in.Subject); why != "" {
			res.NotAssessed = why
			continue
		}
		res.Assessed = true
		fr := newFrame(p, span, in, idx)
		for ci, c := range s.CategoriesFor(in.Subject.Kind) {
			cres := CategoryResult{ID: c.ID, Name: c.Name, Max: c.Max, Of: c.Of, source: c}
			for ri, r := range c.Rules {
				cr := p.rules[r]
				rr := scoreRule(cr, fr, c.Of == "community" && in.Subject.Kind != Community, months, idx, in)
				if reason, ok := opt.Void[RuleKey{in.Subject.ID, c.ID, r.ID}]; ok {
					// An upheld appeal removes a deduction; against a rule
					// that awards points it gives the full points.
					rr.Original, rr.Status = rr.Points, Voided
					rr.Points = 0
					if awards(cr.Kind) {
						rr.Points = cr.Points
					}
					rr.Explain += ";申诉成立:" + reason
				}
				if rr.Status == NoData {
					res.NoData++
				}
				if cr.Kind == Rank && rr.Status == Scored {
					slots = append(slots, rankSlot{i, ci, ri, cr})
				}
				cres.Rules = append(cres.Rules, rr)
			}
			res.Categories = append(res.Categories, cres)
		}
		for _, v := range s.Vetoes {
			cr := p.rules[v]
			env, missing := formulaEnv(cr.when, fr, false, in.Subject)
			if len(missing) > 0 {
				continue
			}
			hit, err := cr.when.run(env)
			if err == nil && hit == true {
				res.Vetoed = fmt.Sprintf("%s(%s)", v.Name, v.When)
			}
		}
	}
	scoreRanks(out, slots)
	for i := range out {
		if out[i].Assessed {
			finish(p, span, &out[i], &inputs[i], idx)
		}
	}
	return out
}

// notEligible returns why a subject is not assessed, or "".
func notEligible(s *Scheme, span Span, sub Subject) string {
	if sub.Kind != Worker {
		return ""
	}
	last := span.Last()
	if !sub.LeftPostOn.IsZero() && !sub.LeftPostOn.After(last) {
		return fmt.Sprintf("%s 已离岗", sub.LeftPostOn)
	}
	if n := s.Eligible.InPostMonths; n > 0 {
		if sub.InPostSince.IsZero() || sub.InPostSince.AddMonths(n).After(last.AddDays(1)) {
			return fmt.Sprintf("在岗未满 %d 个月(%s 起)", n, sub.InPostSince)
		}
	}
	if len(s.Eligible.Employment) > 0 {
		ok := false
		for _, e := range s.Eligible.Employment {
			ok = ok || e == sub.Employment
		}
		if !ok {
			return fmt.Sprintf("用工类型 %s 不在考核范围", sub.Employment)
		}
	}
	return ""
}

// scoreRule scores one rule for one subject.
func scoreRule(cr *rule, fr *frame, community bool, months []metric.Period, idx []int, in *Input) RuleResult {
	rr := RuleResult{ID: cr.ID, Name: cr.Name, Kind: cr.Kind, Status: Scored}
	if cr.Kind == Finding {
		scoreFindings(cr, &rr, months, idx, in.Findings)
		return rr
	}
	if cr.Each == "month" && len(idx) > 1 {
		var parts []string
		for _, i := range idx {
			sub := newFrame(fr.p, fr.span, fr.in, []int{i})
			m := scoreOne(cr, sub, community, in.Subject)
			for j := range m.Facts {
				m.Facts[j].Month = months[i].String()
			}
			if m.Status == NoData {
				parts = append(parts, months[i].String()+" 无数据")
				rr.Status = NoData
				continue
			}
			rr.Points += m.Points
			rr.Facts = append(rr.Facts, m.Facts...)
			parts = append(parts, months[i].String()+":"+m.Explain)
		}
		if rr.Status == NoData && len(rr.Facts) > 0 {
			rr.Status = Scored // some months measured: score those, say which not
		}
		rr.Explain = strings.Join(parts, ";")
		return rr
	}
	return scoreOne(cr, fr, community, in.Subject)
}

// scoreOne scores a rule over the frame's months taken together.
func scoreOne(cr *rule, fr *frame, community bool, sub Subject) RuleResult {
	rr := RuleResult{ID: cr.ID, Name: cr.Name, Kind: cr.Kind, Status: Scored}
	vals := map[string]aggregated{}
	var missing []string
	for _, name := range cr.facts {
		a, ok := fr.get(name, community)
		if !ok {
			missing = append(missing, name)
			continue
		}
		vals[name] = a
	}
	if len(missing) > 0 {
		rr.Status = NoData
		rr.Explain = "无数据:" + strings.Join(missing, "、") + " 未采集"
		if cr.Missing == "full" && cr.Points > 0 {
			rr.Points = cr.Points
			rr.Explain += ",按规则给满分"
		}
		return rr
	}
	v := func(name string) float64 { return vals[name].fact.Value }
	switch cr.Kind {
	case Present:
		if v(cr.facts[0]) > 0 {
			rr.Points = cr.Points
			rr.Explain = fmt.Sprintf("已落实,得 %s 分", num(cr.Points))
		} else {
			rr.Explain = "未落实,不得分"
		}
	case Per:
		var terms []string
		for _, g := range cr.grades {
			n := v(g.Fact)
			rr.Points += n * g.Points
			if n != 0 {
				terms = append(terms, fmt.Sprintf("%s %s × %s", fr.p.alias(g.Fact), num(n), num(g.Points)))
			}
		}
		rr.Explain = strings.Join(terms, " + ")
		if len(terms) == 0 {
			rr.Explain = "无"
		}
		if cr.Cap > 0 && math.Abs(rr.Points) > cr.Cap {
			rr.Explain += fmt.Sprintf(",封顶 %s 分", num(cr.Cap))
			rr.Points = math.Copysign(cr.Cap, rr.Points)
		}
	case ShortRate:
		got := v(cr.facts[0])
		short := math.Max(0, *cr.Target-got)
		rr.Points = short * cr.Points
		rr.Explain = fmt.Sprintf("目标 %s%%,实际 %s%%", num(*cr.Target), num(round2(got)))
		if short > 0 {
			rr.Explain += fmt.Sprintf(",差 %s 个百分点 × %s", num(round2(short)), num(cr.Points))
		}
	case ShortQuota:
		quota, ok := quotaFor(cr.Quota, sub.Employment)
		if !ok {
			rr.Status = NotApplicable
			rr.Explain = "无该用工类型的任务数"
			return rr
		}
		main := fr.p.canonical(cr.Fact)
		short := math.Max(0, quota-v(main))
		rr.Explain = fmt.Sprintf("任务 %s,完成 %s", num(quota), num(v(main)))
		if cr.within != "" {
			if wq, ok := quotaFor(cr.Within.Quota, sub.Employment); ok {
				ws := math.Max(0, wq-v(cr.within))
				rr.Explain += fmt.Sprintf(";其中 %s 任务 %s,完成 %s", fr.p.alias(cr.within), num(wq), num(v(cr.within)))
				short = math.Max(short, ws)
			}
		}
		rr.Points = short * cr.Points
		if short > 0 {
			rr.Explain += fmt.Sprintf(";少 %s × %s", num(short), num(cr.Points))
		}
	case Once, Formula:
		f := cr.when
		if cr.Kind == Formula {
			f = cr.expr
		}
		env, _ := formulaEnv(f, fr, community, sub)
		got, err := f.run(env)
		if err != nil {
			rr.Status = NoData
			rr.Explain = "公式无法计算:" + firstLine(err.Error())
			return rr
		}
		if cr.Kind == Once {
			if got == true {
				rr.Points = cr.Points
				rr.Explain = fmt.Sprintf("条件成立(%s),%s 分", cr.When, num(cr.Points))
			} else {
				rr.Explain = "条件不成立"
			}
		} else {
			x, _ := got.(float64)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				x = 0
			}
			rr.Points = x
			rr.Explain = fmt.Sprintf("%s = %s", cr.Expr, num(round2(x)))
		}
		if cr.Cap > 0 && math.Abs(rr.Points) > cr.Cap {
			rr.Points = math.Copysign(cr.Cap, rr.Points)
			rr.Explain += fmt.Sprintf(",封顶 %s 分", num(cr.Cap))
		}
	case Proportional:
		sum := 0.0
		var terms []string
		for _, p := range cr.parts {
			r := math.Min(1, math.Max(0, v(p.Fact)/p.Target))
			sum += r
			terms = append(terms, fmt.Sprintf("%s %s/%s", fr.p.alias(p.Fact), num(round2(v(p.Fact))), num(p.Target)))
		}
		share := sum / float64(len(cr.parts))
		rr.Points = cr.Points * share
		rr.Explain = fmt.Sprintf("%s,完成 %s%% × %s 分", strings.Join(terms, ","), num(round2(100*share)), num(cr.Points))
	case Survey:
		got := v(cr.facts[0])
		rr.Points = cr.Points * got / 100
		rr.Explain = fmt.Sprintf("满意率 %s%% × %s 分", num(round2(got)), num(cr.Points))
	case Rank:
		rr.rankVal = v(cr.facts[0])
		rr.Explain = fmt.Sprintf("%s %s", fr.p.alias(cr.facts[0]), num(round2(rr.rankVal)))
	}
	for _, name := range cr.facts {
		a := vals[name]
		use := FactUse{Name: name, Value: a.fact.Value, Num: a.fact.Num, Den: a.fact.Den}
		use.Alias = fr.p.defs[name].Alias
		if rr.Points != 0 || cr.Kind == Rank {
			use.Evidence = a.fact.Evidence
		}
		rr.Facts = append(rr.Facts, use)
	}
	return rr
}

func quotaFor(q map[string]float64, employment string) (float64, bool) {
	if v, ok := q[employment]; ok && employment != "" {
		return v, true
	}
	v, ok := q["all"]
	return v, ok
}

// scoreFindings adds up the confirmed findings of the rule's type in the
// frame's months.
func scoreFindings(cr *rule, rr *RuleResult, months []metric.Period, idx []int, fs []FindingRecord) {
	in := map[string]bool{}
	for _, i := range idx {
		in[months[i].String()] = true
	}
	var terms []string
	for _, f := range fs {
		if f.Type != cr.Type || !in[f.Month] || (cr.Item != "" && f.Item != cr.Item) {
			continue
		}
		p := cr.Points
		if len(cr.Range) == 2 {
			p = math.Min(cr.Range[1], math.Max(cr.Range[0], f.Points))
		}
		rr.Points += p
		rr.Findings = append(rr.Findings, f)
		terms = append(terms, num(p))
	}
	if len(terms) == 0 {
		rr.Explain = "无"
	} else {
		rr.Explain = fmt.Sprintf("%d 条:%s", len(terms), strings.Join(terms, " "))
	}
	if cr.Cap > 0 && math.Abs(rr.Points) > cr.Cap {
		rr.Points = math.Copysign(cr.Cap, rr.Points)
		rr.Explain += fmt.Sprintf(",封顶 %s 分", num(cr.Cap))
	}
}

// formulaEnv builds f's environment from the frame; missing lists the
// facts that were not measured.
func formulaEnv(f *formula, fr *frame, community bool, sub Subject) (map[string]any, []string) {
	env := make(map[string]any, len(f.facts)+3)
	var missing []string
	for _, name := range f.facts {
		a, ok := fr.get(name, community)
		if !ok {
			missing = append(missing, name)
			continue
		}
		env[name] = a.fact.Value
	}
	env[attrEmployment] = sub.Employment
	env[attrMonths] = float64(len(fr.months))
	months := 0.0
	if !sub.InPostSince.IsZero() && fr.span.Year > 0 {
		months = float64(sub.InPostSince.MonthsBetween(fr.span.Last()))
	}
	env[attrMonthsInPost] = months
	return env, missing
}

// scoreRanks scores rank rules across the subjects that have a value:
// those on target get full points; the others, ordered best first, lose
// step × k of the points, k being their rank among those off target.
// Ties share a rank and the next rank skips (1, 2, 2, 4).
func scoreRanks(out []Result, slots []rankSlot) {
	byRule := map[*rule][]rankSlot{}
	var order []*rule
	for _, sl := range slots {
		if _, ok := byRule[sl.r]; !ok {
			order = append(order, sl.r)
		}
		byRule[sl.r] = append(byRule[sl.r], sl)
	}
	for _, r := range order {
		group := byRule[r]
		val := func(sl rankSlot) float64 { return out[sl.result].Categories[sl.category].Rules[sl.rule].rankVal }
		lower := r.Better == "lower"
		better := func(a, b float64) bool {
			if lower {
				return a < b
			}
			return a > b
		}
		onTarget := func(x float64) bool {
			if r.Target == nil {
				return false
			}
			if lower {
				return x <= *r.Target+1e-9
			}
			return x >= *r.Target-1e-9
		}
		var off []rankSlot
		for _, sl := range group {
			rr := &out[sl.result].Categories[sl.category].Rules[sl.rule]
			if onTarget(val(sl)) {
				rr.Points = r.Points
				rr.Explain += fmt.Sprintf(",达标,得满分 %s", num(r.Points))
				continue
			}
			off = append(off, sl)
		}
		sort.SliceStable(off, func(i, j int) bool { return better(val(off[i]), val(off[j])) })
		first := 1
		if r.Target == nil {
			first = 0 // with no target the best ranked keeps full marks
		}
		for i, sl := range off {
			k := i
			for k > 0 && math.Abs(val(off[k-1])-val(sl)) < 1e-9 {
				k--
			}
			steps := float64(k + first)
			share := math.Max(0, 1-r.Step*steps)
			rr := &out[sl.result].Categories[sl.category].Rules[sl.rule]
			if rr.Status == Voided {
				continue
			}
			rr.Points = r.Points * share
			rr.Explain += fmt.Sprintf(",未达标第 %d 名,少 %s%%,得 %s", k+1, num(round2(100*r.Step*steps)), num(round2(rr.Points)))
		}
	}
}

// finish turns rule points into category scores and the total.
func finish(p *Program, span Span, res *Result, in *Input, idx []int) {
	total := 0.0
	for i := range res.Categories {
		c := &res.Categories[i]
		src := c.source
		raw := c.Max
		if src.Start == "zero" {
			raw = 0
		}
		for _, r := range c.Rules {
			raw += r.Points
		}
		c.Raw = raw
		score := raw
		if f := p.zeroIf[src]; f != nil {
			fr := newFrame(p, span, in, idx)
			env, missing := formulaEnv(f, fr, src.Of == "community" && in.Subject.Kind != Community, in.Subject)
			if len(missing) == 0 {
				if hit, err := f.run(env); err == nil && hit == true {
					score = 0
					c.Note = "条件成立(" + src.ZeroIf + "),本项得 0 分"
				}
			}
		}
		if src.Floor != nil && score < *src.Floor {
			score = *src.Floor
			c.Note = fmt.Sprintf("扣完为止,不低于 %s 分", num(*src.Floor))
		}
		if ceiling := c.Max + src.BonusCap; score > ceiling {
			score = ceiling
			if src.BonusCap > 0 {
				c.Note = fmt.Sprintf("加分封顶 %s 分", num(src.BonusCap))
			} else {
				c.Note = fmt.Sprintf("不超过本项满分 %s 分", num(c.Max))
			}
		}
		c.Score = round1(score)
		total += c.Score
	}
	res.Total = round1(total)
	if res.Vetoed != "" {
		res.Total = 0
	}
}

// mergeFrames combines monthly results into the period's (rollup average
// or sum).
func mergeFrames(s *Scheme, months []metric.Period, frames [][]Result) []Result {
	n := float64(len(frames))
	out := make([]Result, len(frames[0]))
	for i := range out {
		base := frames[0][i]
		res := Result{Subject: base.Subject, Assessed: base.Assessed, NotAssessed: base.NotAssessed, Max: base.Max}
		if s.Rollup == Sum {
			res.Max = base.Max * n
		}
		if !res.Assessed {
			out[i] = res
			continue
		}
		res.Categories = make([]CategoryResult, len(base.Categories))
		for ci, c := range base.Categories {
			cat := CategoryResult{ID: c.ID, Name: c.Name, Max: c.Max, Of: c.Of, Rules: make([]RuleResult, len(c.Rules))}
			if s.Rollup == Sum {
				cat.Max = c.Max * n
			}
			for ri, r := range c.Rules {
				cat.Rules[ri] = RuleResult{ID: r.ID, Name: r.Name, Kind: r.Kind, Status: NoData}
			}
			var notes []string
			for m, fr := range frames {
				fc := fr[i].Categories[ci]
				cat.Score += fc.Score
				cat.Raw += fc.Raw
				if fc.Note != "" {
					notes = append(notes, months[m].String()+" "+fc.Note)
				}
				for ri, r := range fc.Rules {
					dst := &cat.Rules[ri]
					dst.Points += r.Points
					dst.Original += r.Original
					if r.Status != NoData {
						dst.Status = r.Status
					}
					for _, f := range r.Facts {
						f.Month = months[m].String()
						dst.Facts = append(dst.Facts, f)
					}
					dst.Findings = append(dst.Findings, r.Findings...)
					sep := ""
					if dst.Explain != "" {
						sep = ";"
					}
					dst.Explain += sep + months[m].String() + ":" + r.Explain
				}
			}
			if s.Rollup == Average {
				cat.Score /= n
				cat.Raw /= n
				for ri := range cat.Rules {
					cat.Rules[ri].Points /= n
					cat.Rules[ri].Original /= n
				}
			}
			cat.Score = round1(cat.Score)
			cat.Note = strings.Join(notes, ";")
			res.Categories[ci] = cat
			res.Total += cat.Score
		}
		for _, fr := range frames {
			res.NoData += fr[i].NoData
			if fr[i].Vetoed != "" && res.Vetoed == "" {
				res.Vetoed = fr[i].Vetoed
			}
		}
		if s.Rollup == Average {
			// The total is the average of the monthly totals, so that a
			// vetoed month counts as 0 in it.
			t := 0.0
			for _, fr := range frames {
				t += fr[i].Total
			}
			res.Total = t / n
		} else {
			t := 0.0
			for _, fr := range frames {
				t += fr[i].Total
			}
			res.Total = t
		}
		res.Total = round1(res.Total)
		out[i] = res
	}
	return out
}

// RankResults ranks the assessed results of each subject kind by total,
// best first (vetoed subjects last); ties share a rank (1, 2, 2, 4). The
// last `bottom` ranks are marked.
func RankResults(rs []Result, bottom int) {
	byKind := map[SubjectKind][]int{}
	for i := range rs {
		rs[i].Rank, rs[i].Of, rs[i].Bottom = 0, 0, false
		if rs[i].Assessed {
			byKind[rs[i].Subject.Kind] = append(byKind[rs[i].Subject.Kind], i)
		}
	}
	for _, idx := range byKind {
		key := func(i int) float64 {
			if rs[i].Vetoed != "" {
				return math.Inf(-1)
			}
			return rs[i].Total
		}
		sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) > key(idx[b]) })
		for pos, i := range idx {
			rank := pos + 1
			if pos > 0 && key(idx[pos-1]) == key(i) {
				rank = rs[idx[pos-1]].Rank
			}
			rs[i].Rank, rs[i].Of = rank, len(idx)
		}
		if bottom > 0 && len(idx) > bottom {
			// The bottom N ranks: every subject whose rank is within the
			// last N places (a tie at the border marks all tied).
			cut := len(idx) - bottom + 1
			for _, i := range idx {
				if rs[i].Rank >= cut || rs[i].Vetoed != "" {
					rs[i].Bottom = true
				}
			}
		}
	}
}

// round1 rounds to one decimal, half away from zero (四舍五入): the one
// rounding rule, applied to each category's score and to the total.
func round1(x float64) float64 {
	return math.Copysign(math.Floor(math.Abs(x)*10+0.5+1e-9), x) / 10
}

func round2(x float64) float64 {
	return math.Copysign(math.Floor(math.Abs(x)*100+0.5+1e-9), x) / 100
}

// num prints a number without trailing zeros.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%d", int64(x))
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", x), "0"), ".")
}

// awards reports whether rules of kind k award points rather than deduct.
func awards(k RuleKind) bool {
	switch k {
	case Present, Proportional, Rank, Survey:
		return true
	}
	return false
}
