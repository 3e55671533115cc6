// Package survey runs the satisfaction surveys (满意率, 民主测评; seed 001
// (五), seed 004): questionnaires for residents, village and community
// cadres and unit representatives; residents answer without an account
// through their grid's public link, proving their household with the code
// on its contact card or their phone with an SMS code, once per survey;
// cadres and unit representatives answer with ballot codes. A grid whose
// resident answers exceed its households is flagged and the excess not
// counted. The survey facts are measured from the answers.
package survey

import (
	"context"
	"fmt"

	"gridwork/internal/metric"
)

// measured are the facts Facts measures.
var measured = []string{"survey.satisfaction", "survey.responses"}

func init() {
	metric.Define(
		metric.Def{Name: "survey.satisfaction", Alias: "满意率", Kind: metric.Rate,
			Seeds: "001 满意率 (20 points); 002 (forums with residents); 004 (民主测评)",
			Doc:   "satisfied answers over all valid answers in the surveys counted in the month, about the grid's worker or unit"},
		metric.Def{Name: "survey.responses", Alias: "满意度测评答卷数", Kind: metric.Count,
			Seeds: "001 满意率 (denominator)",
			Doc:   "valid survey answers counted in the month about the grid's worker or unit"},
	)
}

// audienceName is how the evidence names an audience.
var audienceName = map[Audience]string{Residents: "居民", Cadres: "干部", Units: "驻区单位"}

// Facts measures the survey facts of month p per grid: every open or closed
// survey whose fact month is p (a monthly survey's own month, a quarterly
// one's last month) adds its valid answers about the grid. The evidence is
// the answers (audience and verdict only) and, for a flagged grid, the
// flag with its counts. The facts roll up to the grid's worker and units.
func (s *Store) Facts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g := metric.GridFacts{}
	vs, err := s.List(ctx, Query{FactMonth: p.String()})
	if err != nil {
		return nil, nil, fmt.Errorf("survey: facts %s: %w", p, err)
	}
	for _, v := range vs {
		if v.Status == Draft {
			continue
		}
		res, err := s.results(ctx, v)
		if err != nil {
			return nil, nil, fmt.Errorf("survey: facts %s: %w", p, err)
		}
		for _, gr := range res.Grids {
			if gr.Residents == 0 && gr.Valid == 0 {
				continue
			}
			sat := g.At(gr.GridID, "survey.satisfaction")
			n := g.At(gr.GridID, "survey.responses")
			for _, a := range gr.answers {
				verdict := "不满意"
				if a.satisfied {
					verdict = "满意"
					sat.Num++
				}
				sat.Den++
				ref := metric.Ref{Entity: "survey_answer", ID: a.id, Note: v.Period + " " + audienceName[a.audience] + " " + verdict}
				sat.Evidence = append(sat.Evidence, ref)
				n.Add(ref)
			}
			if len(gr.Flags) > 0 {
				flag := metric.Ref{Entity: "survey_flag", ID: v.ID + ":" + gr.GridID,
					Note: fmt.Sprintf("%s 居民答卷 %d 份超过户数 %d 户,超出的 %d 份不计", v.Period, gr.Residents, gr.Households, gr.Excluded)}
				sat.Evidence = append(sat.Evidence, flag)
				n.Evidence = append(n.Evidence, flag)
			}
		}
	}
	return g, measured, nil
}
