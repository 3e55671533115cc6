package runs_test

import "gridwork/internal/metric"

// Test facts, defined here so the store's tests do not depend on what the
// domain packages measure. A run compiles its scheme against the
// process-wide catalogue, so they are defined there.
var _ = metric.Define(
	metric.Def{Name: "t.count", Alias: "测试次数", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.part", Kind: metric.Count, Doc: "test", Part: "t.count"},
	metric.Def{Name: "t.rate", Alias: "测试率", Kind: metric.Rate, Doc: "test"},
	metric.Def{Name: "t.flag", Kind: metric.Flag, Doc: "test"},
	metric.Def{Name: "t.events", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.upward", Kind: metric.Count, Doc: "test"},
	metric.Def{Name: "t.mean", Kind: metric.Mean, Doc: "test"},
	metric.Def{Name: "t.pending", Kind: metric.Count, Doc: "test", Pending: "later"},
)
