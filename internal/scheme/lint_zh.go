package scheme

import (
	"fmt"
	"strings"
)

// lintZh holds the Chinese text of each lint message, keyed by its English
// format: the console shows the Chinese (Message.TextZh), the CLI and the
// logs the English. The arguments are the same, in the same order.
// TestLintMessagesTranslated checks that every format in lint.go is here.
var lintZh = map[string]string{
	"category %q has no id":                                                   "类别 %q 缺少 id",
	"category id %q is used twice":                                            "类别 id %q 重复使用",
	"rule %q under vetoes: must be of kind veto":                              "vetoes 下的规则 %q：kind 必须是 veto",
	"veto id %q is used twice":                                                "否决项 id %q 重复使用",
	"%s reads %s, which is declared but not measured yet (%s): until then %s": "%s 读取的 %s 已声明但尚未采集（%s）：在此之前%s",
	"code %q must be lower-case ASCII letters, digits and hyphens (e.g. seed001-town-quarterly)": "code %q 只能由小写英文字母、数字和连字符组成（如 seed001-town-quarterly）",
	"version must be a whole number from 1":                                                      "version 必须是从 1 起的整数",
	"title is required (the scheme's Chinese name)":                                              "缺少 title（方案的中文名称）",
	"period %q is not month, quarter, half or year":                                              "period %q 不是 month、quarter、half 或 year",
	"rollup %q is not whole, average or sum":                                                     "rollup %q 不是 whole、average 或 sum",
	"subject kind %q is not worker or community":                                                 "考核对象 %q 不是 worker 或 community",
	"subject kind %q is listed twice":                                                            "考核对象 %q 列了两次",
	"the total for %s subjects must be positive (total: 100)":                                    "%s 考核对象的总分必须为正数（total: 100）",
	"post %q is not grid_worker, grid_leader or area_leader":                                     "岗位 %q 不是 grid_worker、grid_leader 或 area_leader",
	"employment %q is not full_time or part_time":                                                "用工类型 %q 不是 full_time 或 part_time",
	"the scheme has no categories":                                                               "方案没有任何考核类别",
	"category %s: start %q is not max or zero":                                                   "类别 %s：start %q 不是 max 或 zero",
	"category %s: max must not be negative":                                                      "类别 %s：max 不能为负数",
	"category %s: of %q is not community":                                                        "类别 %s：of %q 不是 community",
	"category %s: for %q is not one of the scheme's subjects":                                    "类别 %s：for %q 不是本方案的考核对象",
	"category %s (%s) has no rules: it would always score its start":                             "类别 %s（%s）没有规则：得分永远是起始分",
	"category %s: zero_if: %v":                                                                   "类别 %s：zero_if：%v",
	"a rule in category %s has no id":                                                            "类别 %s 中有一条规则缺少 id",
	"rule id %q is used twice in category %s":                                                    "规则 id %q 在类别 %s 中重复使用",
	"rule %s can move %g points, more than category %s's %g (%s)":                                "规则 %s 最多可变动 %g 分，超过类别 %s 的 %g 分（%s）",
	"category %s starts at zero but its rules award at most %g of its %g points":                 "类别 %s 从 0 分起算，但其规则最多只能加到 %g 分（满分 %g）",
	"rule %s: a grade needs points":                                                              "规则 %s：每个档次都需要 points",
	"rule %s: a part's target must be positive":                                                  "规则 %s：分项的 target 必须为正数",
	"the categories for %s subjects add up to %g (%s), but the total is %g":                      "%s 考核对象的各类别满分合计 %g（%s），但总分是 %g",
	"rules %s (line %d) and %s overlap: %s; a record may be deducted twice (write one formula for the rest if that is not meant)": "规则 %s（第 %d 行）与 %s 重叠：%s；同一条记录可能被扣两次（如非本意，请把其余部分写成一条公式）",
	"escalation %s: action %q is not talk, notice, training, veto, revoke_extra_grid or award":                                    "升级处理 %s：action %q 不是 talk、notice、training、veto、revoke_extra_grid 或 award",
	"an escalation needs an id and a name":                                                                 "升级处理需要 id 和 name",
	"escalation %s: unknown fact %q":                                                                       "升级处理 %s：未知指标 %q",
	"escalation %s: unknown fact %q in without":                                                            "升级处理 %s：without 中有未知指标 %q",
	"escalation %s: an award needs top: N":                                                                 "升级处理 %s：评优需要 top: N",
	"escalation %s: bottom needs consecutive: N periods":                                                   "升级处理 %s：bottom 需要 consecutive: N（连续期数）",
	"escalation %s: fact needs consecutive or cumulative":                                                  "升级处理 %s：fact 需要 consecutive 或 cumulative",
	"escalation %s: give bottom and consecutive, or fact with consecutive/cumulative, or top for an award": "升级处理 %s：请给出 bottom 和 consecutive，或 fact 和 consecutive/cumulative，评优则给出 top",
	"a pay item needs an id and a name":                                                                    "薪酬项需要 id 和 name",
	"pay item %s: monthly_fen must be a positive amount in fen (200 yuan = 20000)":                         "薪酬项 %s：monthly_fen 必须是以分为单位的正数（200 元 = 20000）",
	"pay item %s: scale %q is not score or none":                                                           "薪酬项 %s：scale %q 不是 score 或 none",
	"pay item %s: employment %q is not full_time or part_time":                                             "薪酬项 %s：用工类型 %q 不是 full_time 或 part_time",
	"pay item %s: unknown fact %q in withhold_if":                                                          "薪酬项 %s：withhold_if 中有未知指标 %q",
}

// lintRuleZh holds the Chinese of the messages about one rule, keyed by
// the English after "rule %s: " (the rule's id comes first).
var lintRuleZh = map[string]string{
	"%s is required": "缺少 %s",
	"unknown fact %q (see docs/metrics.md or `gridwork facts list`)": "未知指标 %q（见 docs/metrics.md 或 `gridwork facts list`）",
	"%s: %v":             "%s：%v",
	"points is required": "缺少 points",
	"give fact and points, or grades, not both":                                                                             "请给出 fact 和 points，或者 grades，不要同时给出",
	"target must be a rate between 0 and 100 (e.g. target: 95)":                                                             "target 必须是 0 到 100 之间的比率（如 target: 95）",
	"short_rate needs a rate fact; %s is a %s":                                                                              "short_rate 需要比率类指标；%s 是 %s",
	"%s is required, by employment (full_time: 56, part_time: 52)":                                                          "缺少 %s，按用工类型给出（full_time: 56, part_time: 52）",
	"%s: %q is not full_time, part_time or all":                                                                             "%s：%q 不是 full_time、part_time 或 all",
	"points (the full marks) must be positive":                                                                              "points（满分）必须为正数",
	"target must be positive":                                                                                               "target 必须为正数",
	"step must be the share lost per rank, between 0 and 1 (step: 0.05)":                                                    "step 是每落后一名扣去的比例，须在 0 和 1 之间（step: 0.05）",
	"better %q is not higher or lower":                                                                                      "better %q 不是 higher 或 lower",
	"a rank rule ranks the whole period; each: month is not allowed (use rollup: average)":                                  "排名规则按整个考核期排名，不能用 each: month（请用 rollup: average）",
	"survey needs a rate fact; %s is a %s":                                                                                  "survey 需要比率类指标；%s 是 %s",
	"type is required: a finding type (see `gridwork scheme findings`)":                                                     "缺少 type：应为一种人工认定类型（见 `gridwork scheme findings`）",
	"unknown finding type %q (see `gridwork scheme findings`)":                                                              "未知的人工认定类型 %q（见 `gridwork scheme findings`）",
	"range must be [low, high]":                                                                                             "range 必须写成 [低, 高]",
	"range must be two numbers [low, high]":                                                                                 "range 必须是两个数 [低, 高]",
	"a veto goes under the scheme's vetoes:, not in a category":                                                             "否决项应写在方案的 vetoes: 下，不能写在类别里",
	"kind is required (present, per, short_rate, short_quota, once, proportional, rank, survey, finding, formula)":          "缺少 kind（present、per、short_rate、short_quota、once、proportional、rank、survey、finding、formula）",
	"kind %q is not one of present, per, short_rate, short_quota, once, proportional, rank, survey, finding, veto, formula": "kind %q 不是 present、per、short_rate、short_quota、once、proportional、rank、survey、finding、veto、formula 之一",
	"each %q is not month":                                                                                                  "each %q 不是 month",
	"missing %q is not none or full":                                                                                        "missing %q 不是 none 或 full",
	"cap is a size: write it positive":                                                                                      "cap 是一个额度：请写正数",
}

// rulePrefix begins the English format of every message about one rule.
const rulePrefix = "rule %s: "

// zhText returns the Chinese of a message made from format and args, or ""
// when the format has none (a message added without its translation).
func zhText(format string, args ...any) string {
	if zh, ok := lintZh[format]; ok {
		return fmt.Sprintf(zh, args...)
	}
	if inner, ok := strings.CutPrefix(format, rulePrefix); ok {
		if zh, ok := lintRuleZh[inner]; ok {
			return fmt.Sprintf("规则 %s："+zh, args...)
		}
	}
	return ""
}
