// Package survey will run the satisfaction surveys of residents and of
// village and community cadres, and will measure the survey facts from
// their answers (issue 6, supervision).
//
// Today it only declares those facts, so that assessment schemes can name
// them: nothing measures them yet, and each is marked Pending.
package survey

import "gridwork/internal/metric"

// pending says which work will measure the facts declared here.
const pending = "issue 6: supervision (surveys)"

func init() {
	metric.Define(
		metric.Def{Name: "survey.satisfaction", Alias: "满意率", Kind: metric.Rate, Pending: pending,
			Seeds: "001 满意率 (20 points); 002 (forums with residents); 004 (民主测评)",
			Doc:   "satisfied answers over all answers in the month's surveys about the worker or unit"},
		metric.Def{Name: "survey.responses", Alias: "满意度测评答卷数", Kind: metric.Count, Pending: pending,
			Seeds: "001 满意率 (denominator)",
			Doc:   "survey answers received in the month about the worker or unit"},
	)
}
