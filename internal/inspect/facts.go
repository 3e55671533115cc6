// Package inspect will run supervision: random spot checks of grids
// (sampling, inspector assignment, findings and appeals), handbook
// quizzes, undercover checks and verified complaints, and will measure the
// supervision facts from their findings (issue 6).
//
// Today it only declares those facts, so that assessment schemes can name
// them: nothing measures them yet, and each is marked Pending.
package inspect

import "gridwork/internal/metric"

// pending says which work will measure the facts declared here.
const pending = "issue 6: supervision"

func init() {
	metric.Define(
		metric.Def{Name: "inspect.checks", Alias: "网格督查次数", Kind: metric.Count, Pending: pending,
			Seeds: "004 (every grid inspected on the spot, about every 1.5 months)",
			Doc:   "on-the-spot grid inspections completed in the month"},
		metric.Def{Name: "inspect.failed", Alias: "督查不合格次数", Kind: metric.Count, Pending: pending, Part: "inspect.checks",
			Seeds: "004 (extra shares revoked after 2 consecutive or 3 cumulative failures a year)",
			Doc:   "of the grid inspections completed in the month, those failed (after any upheld appeal)"},
		metric.Def{Name: "inspect.quiz_wrong", Alias: "应知应会答错题数", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (−0.5 per wrong answer)",
			Doc:   "wrong answers in the month's spot quizzes on the worker's handbook"},
		metric.Def{Name: "inspect.undercover", Alias: "暗访查实问题数", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (−10 each)",
			Doc:   "failings found by higher-level undercover checks in the month and verified"},
		metric.Def{Name: "inspect.complaints", Alias: "群众投诉查实数", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (−10 each)",
			Doc:   "resident complaints about the worker verified in the month"},
		metric.Def{Name: "inspect.missed_registrations", Alias: "抽查漏登人数", Kind: metric.Count, Pending: pending,
			Seeds: "000 II (−1.5 per person living there 2+ days unregistered); 004",
			Doc:   "people found by spot checks in the month living in the grid but not in the ledger"},
		metric.Def{Name: "inspect.missed_cancellations", Alias: "抽查漏销人数", Kind: metric.Count, Pending: pending,
			Seeds: "000 II (−1.5 each, as a missed registration); 004 (sent back to the worker)",
			Doc:   "people found by spot checks in the month still in the ledger though they had moved out or died"},
		metric.Def{Name: "inspect.rating_falsified", Alias: "星级评定不实数", Kind: metric.Count, Pending: pending,
			Seeds: "000 IV (−2 each)",
			Doc:   "rental star ratings found by checks in the month to be perfunctory or falsified"},
	)
}
