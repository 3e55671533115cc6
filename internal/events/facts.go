// Package events will hold the event model: report, accept, dispatch and
// close, with the SLA clock on the work calendar, and will measure the
// event facts from it (issue 4).
//
// Today it only declares those facts, so that assessment schemes can name
// them: nothing measures them yet, and each is marked Pending.
package events

import "gridwork/internal/metric"

// pending says which work will measure the facts declared here.
const pending = "issue 4: events"

func init() {
	metric.Define(
		metric.Def{Name: "events.reported", Alias: "上报事件数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (quota 56 full-time / 52 part-time a month); 003 items 4, 5, 7",
			Doc:   "events reported in the month, by the worker or in the unit's grids"},
		metric.Def{Name: "events.reported_upward", Alias: "上报上级事件数", Kind: metric.Count, Pending: pending, Part: "events.reported",
			Seeds: "001 事件办理 (8 full-time / 4 part-time of the quota reported upward)",
			Doc:   "of the events reported in the month, those reported upward (上报) to a higher centre rather than handled locally"},
		metric.Def{Name: "events.self_handled", Alias: "自办自结事件数", Kind: metric.Count, Pending: pending, Part: "events.reported",
			Seeds: "001 事件办理 (the quota's events handled locally)",
			Doc:   "of the events reported in the month, those the worker handled and closed themselves (自办自结)"},
		metric.Def{Name: "events.quota_short", Alias: "事件任务缺口数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−1 per missing event)",
			Doc:   "per worker, the larger of the shortfall of events reported against the worker type's monthly quota (full-time 56, part-time 52) and the shortfall of upward reports within it (8, 4); meaningful only per worker"},
		metric.Def{Name: "events.month_end_bunching", Alias: "月末集中上报", Kind: metric.Flag, Pending: pending,
			Seeds: "001 事件办理 (−10 once)",
			Doc:   "1 if the month's reporting is bunched into its last 5 days (events.month_end_share above the threshold the events package sets), else 0"},
		metric.Def{Name: "events.month_end_share", Alias: "月末5天上报占比", Kind: metric.Rate, Pending: pending,
			Seeds: "001 事件办理 (month-end bunching)",
			Doc:   "share of the month's reported events that were reported in its last 5 days"},
		metric.Def{Name: "events.yellow_cards", Alias: "事件黄牌数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−5 each)",
			Doc:   "yellow cards issued in the month for overdue events"},
		metric.Def{Name: "events.red_cards", Alias: "事件红牌数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−10 each)",
			Doc:   "red cards issued in the month for overdue events"},
		metric.Def{Name: "events.major_late", Alias: "重大事件超2小时未上报数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−10 each)",
			Doc:   "major events (mass incident, major case, natural disaster, fire) in the month not reported to both the district and town centres within 2 hours of happening"},
		metric.Def{Name: "events.badly_described", Alias: "事件描述不清数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−1 each)",
			Doc:   "events reported in the month whose description was judged unclear"},
		metric.Def{Name: "events.unreported", Alias: "动态信息未上报数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−1 each, ordinary)",
			Doc:   "ordinary events in the grid the worker should have reported and did not, found in the month by another channel (hotline, higher level, inspection)"},
		metric.Def{Name: "events.unreported_major", Alias: "较大动态信息未上报数", Kind: metric.Count, Pending: pending,
			Seeds: "001 事件办理 (−3 each, larger)",
			Doc:   "larger events in the grid the worker should have reported and did not, found in the month by another channel"},
		metric.Def{Name: "events.accept_rate", Alias: "事件按时受理率", Kind: metric.Rate, Pending: pending,
			Seeds: "003 (accept within 2 days); 003 item 8",
			Doc:   "share of the events whose acceptance fell due in the month that were accepted within the limit (default 2 working days)"},
		metric.Def{Name: "events.close_rate", Alias: "事件按时办结率", Kind: metric.Rate, Pending: pending,
			Seeds: "003 (close within 7 days); 003 item 8",
			Doc:   "share of the events whose closing fell due in the month that were closed within the limit (default 7 working days)"},
		metric.Def{Name: "events.closure_rate", Alias: "事件办结率", Kind: metric.Rate, Pending: pending,
			Seeds: "003 (close within 7 days)",
			Doc:   "share of the events due to be closed by month end that were closed by then, in time or late"},
		metric.Def{Name: "events.mediation", Alias: "矛盾纠纷调解上报数", Kind: metric.Count, Pending: pending,
			Seeds: "003 item 6 (≥ 2 a month, ranked)",
			Doc:   "mediation and dispute reports made in the month"},
		metric.Def{Name: "events.per_worker", Alias: "人均上报事件数", Kind: metric.Mean, Pending: pending,
			Seeds: "003 item 5 (≥ 10 a month, ranked); 003 item 7 (≥ 1 a person)",
			Doc:   "events reported in the month in the unit per worker (num: events, den: workers)"},
	)
}
