package scheme

import "sort"

// FindingType is a kind of manual finding: something an inspector, a
// higher-level check or a reviewer finds and records with evidence, which
// no record in gridwork can measure. Finding rules score them.
type FindingType struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Seeds string `json:"seeds"`
}

// findingTypes is the catalogue of finding types; schemes name them by code.
// Only what no record measures is here: what a duty record, an event or a
// spot check can count is a fact (docs/metrics.md) instead.
var findingTypes = []FindingType{
	{"change_not_passed", "流动人员变动信息未及时反映", "000 II 3: −0.5 each"},
	{"service_not_passed", "水电暖气物业服务问题未及时反映", "000 II 3: −0.5 each"},
	{"platform_not_passed", "信息未及时报给平台录入人员", "000 III 1: −0.5 each"},
	{"fugitive_unregistered", "抓获逃犯居住一个月以上未登记", "000 II 2: −5 per person"},
	{"suspect_found", "通过流动人口管理发现犯罪嫌疑人", "000 II 2: +5 per suspect"},
	{"dispatch_anomaly", "上级调度抽查异常", "003 item 8: −0.2 to −0.3 each"},
	{"discipline", "工作纪律作风问题", "000 V (text cut off)"},
	{"inspection", "督查考核评分", "002 听评看议: points per category from the year-end inspection"},
}

// FindingTypes returns the finding catalogue, sorted by code.
func FindingTypes() []FindingType {
	out := append([]FindingType(nil), findingTypes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// LookupFindingType returns the finding type with the given code.
func LookupFindingType(code string) (FindingType, bool) {
	for _, t := range findingTypes {
		if t.Code == code {
			return t, true
		}
	}
	return FindingType{}, false
}
