// Package patrol will ingest the workers' phone GPS tracks, cut them into
// patrols and measure the time spent inside each worker's own grid, and
// will measure the patrol facts from them (issue 4).
//
// Today it only declares those facts, so that assessment schemes can name
// them: nothing measures them yet, and each is marked Pending.
package patrol

import "gridwork/internal/metric"

// pending says which work will measure the facts declared here.
const pending = "issue 4: patrols"

func init() {
	metric.Define(
		metric.Def{Name: "patrol.hours", Alias: "网格内巡查时长", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (two patrols a day, each ≥ 3 h); 003 item 3",
			Doc:   "hours (a decimal) patrolled inside the worker's own grid in the month, from the GPS track"},
		metric.Def{Name: "patrol.long_patrols", Alias: "3小时以上巡查次数", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (two patrols a day, each ≥ 3 h)",
			Doc:   "patrols in the month of 3 hours or more inside the own grid"},
		metric.Def{Name: "patrol.long_patrols_missing", Alias: "缺少巡查次数", Kind: metric.Count, Pending: pending,
			Seeds: "001 工作纪律 (−3 per missing patrol)",
			Doc:   "shortfall against two patrols of 3 hours or more each working day: Σ over the month's working days of max(0, 2 − such patrols that day)"},
		metric.Def{Name: "patrol.days_1h", Alias: "巡查满1小时天数", Kind: metric.Count, Pending: pending,
			Seeds: "003 item 3 (daily patrol ≥ 1 h)",
			Doc:   "days of the month with at least 1 hour patrolled inside the own grid"},
		metric.Def{Name: "patrol.daily_hours", Alias: "人均日巡查时长", Kind: metric.Mean, Pending: pending,
			Seeds: "003 item 3 (≥ 1 h per worker a day, ranked)",
			Doc:   "hours patrolled inside the own grid per worker per working day (num: hours, den: worker working days)"},
		metric.Def{Name: "patrol.out_of_area", Alias: "工作时间离开工作区域次数", Kind: metric.Count, Pending: pending,
			Seeds: "000 III (−1 each)",
			Doc:   "times in the month the worker's phone left the work area during working hours without an approved reason"},
		metric.Def{Name: "patrol.cheat_flags", Alias: "巡查轨迹异常数", Kind: metric.Count, Pending: pending,
			Seeds: "000 III (GPS on during working hours); 004 (attendance checks)",
			Doc:   "patrol tracks in the month flagged as implausible (impossible speed or jumps, a phone that never moves)"},
	)
}
