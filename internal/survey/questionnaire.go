package survey

import (
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"
)

// Audience is who answers a questionnaire.
type Audience string

// The audiences of seed 001 (五) and seed 004's 民主测评.
const (
	Residents Audience = "resident" // 居民群众: one answer per household or phone, about their own grid
	Cadres    Audience = "cadre"    // 村(社区)干部: one ballot per person, rating each grid of their community
	Units     Audience = "unit"     // 驻区单位代表: as cadres
)

// Audiences are the audiences in display order.
var Audiences = []Audience{Residents, Cadres, Units}

// Valid reports whether a is one of the audiences.
func (a Audience) Valid() bool { return slices.Contains(Audiences, a) }

// MaxTextRunes bounds a free-text answer.
const MaxTextRunes = 500

// Question is one question of a questionnaire.
type Question struct {
	Code string `json:"code" doc:"stable code, e.g. overall"`
	Text string `json:"text"`
	// Choices are the answer scale, e.g. 满意/基本满意/不满意; none makes a
	// free-text question.
	Choices []string `json:"choices,omitempty"`
	// Satisfied are the choices that count as satisfied; only the
	// questionnaire's key question has them.
	Satisfied []string `json:"satisfied,omitempty"`
	Optional  bool     `json:"optional,omitempty"`
}

// Questionnaire is what one audience is asked.
type Questionnaire struct {
	Audience Audience `json:"audience" enum:"resident,cadre,unit"`
	Title    string   `json:"title"`
	Intro    string   `json:"intro,omitempty"`
	// Key is the code of the question whose answer decides whether an
	// answer sheet counts as satisfied (the overall evaluation); the other
	// questions are for the centre to read, not scored.
	Key       string     `json:"key"`
	Questions []Question `json:"questions"`
}

// Validate checks q: question codes unique and non-empty, every choice
// question with distinct choices, and a key question that is required,
// has choices and at least one satisfied choice among them.
func (q Questionnaire) Validate() error {
	if !q.Audience.Valid() {
		return fmt.Errorf("audience %q is not resident, cadre or unit", q.Audience)
	}
	if q.Title == "" {
		return fmt.Errorf("questionnaire of %s has no title", q.Audience)
	}
	seen := map[string]bool{}
	var key *Question
	for i, x := range q.Questions {
		if x.Code == "" || x.Text == "" {
			return fmt.Errorf("question %d needs a code and a text", i+1)
		}
		if seen[x.Code] {
			return fmt.Errorf("question code %q is used twice", x.Code)
		}
		seen[x.Code] = true
		choices := map[string]bool{}
		for _, c := range x.Choices {
			if c == "" || choices[c] {
				return fmt.Errorf("question %s: choices must be distinct and non-empty", x.Code)
			}
			choices[c] = true
		}
		for _, c := range x.Satisfied {
			if !choices[c] {
				return fmt.Errorf("question %s: satisfied answer %q is not one of its choices", x.Code, c)
			}
		}
		if x.Code == q.Key {
			key = &q.Questions[i]
		} else if len(x.Satisfied) > 0 {
			return fmt.Errorf("question %s: only the key question %q has satisfied answers", x.Code, q.Key)
		}
	}
	switch {
	case key == nil:
		return fmt.Errorf("key question %q is not among the questions", q.Key)
	case key.Optional || len(key.Choices) == 0 || len(key.Satisfied) == 0:
		return fmt.Errorf("key question %q must be required, with choices and at least one satisfied choice", q.Key)
	}
	return nil
}

// Check checks an answer sheet against q and says whether it counts as
// satisfied. Every required question must be answered, a choice question
// with one of its choices, a free-text one with at most MaxTextRunes;
// unknown question codes are refused. The error names the question.
func (q Questionnaire) Check(answers map[string]string) (satisfied bool, err error) {
	known := map[string]Question{}
	for _, x := range q.Questions {
		known[x.Code] = x
	}
	codes := make([]string, 0, len(answers))
	for c := range answers {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		if _, ok := known[c]; !ok {
			return false, fmt.Errorf("answers.%s: no such question", c)
		}
	}
	for _, x := range q.Questions {
		a, ok := answers[x.Code]
		if !ok || a == "" {
			if !x.Optional {
				return false, fmt.Errorf("answers.%s: must be answered", x.Code)
			}
			continue
		}
		if len(x.Choices) > 0 {
			if !slices.Contains(x.Choices, a) {
				return false, fmt.Errorf("answers.%s: %q is not one of its choices", x.Code, a)
			}
		} else if !utf8.ValidString(a) || utf8.RuneCountInString(a) > MaxTextRunes {
			return false, fmt.Errorf("answers.%s: at most %d characters of text", x.Code, MaxTextRunes)
		}
	}
	return slices.Contains(known[q.Key].Satisfied, answers[q.Key]), nil
}

// overall is the overall question every built-in questionnaire ends on.
// 取舍: seed 001 says 满意率 without defining it; we count 满意 and 基本满意
// as satisfied, the usual reading of a 满意率 on a three-step scale.
func overall(text string) Question {
	return Question{Code: "overall", Text: text, Choices: []string{"满意", "基本满意", "不满意"}, Satisfied: []string{"满意", "基本满意"}}
}

var comment = Question{Code: "comment", Text: "意见和建议", Optional: true}

// Builtin returns the built-in questionnaire of audience a.
func Builtin(a Audience) Questionnaire {
	switch a {
	case Cadres:
		return Questionnaire{Audience: Cadres, Title: "网格员工作民主测评表(村/社区干部)", Key: "overall",
			Intro: "请对本村(社区)各网格的网格员逐一评价。",
			Questions: []Question{
				{Code: "duties", Text: "网格员日常工作(信息采集、巡查、事件上报)完成情况", Choices: []string{"好", "较好", "一般", "差"}},
				{Code: "obeys", Text: "服从工作安排、参加例会培训情况", Choices: []string{"好", "一般", "差"}},
				overall("对该网格员工作的总体评价"),
				comment,
			}}
	case Units:
		return Questionnaire{Audience: Units, Title: "网格员工作测评表(驻区单位代表)", Key: "overall",
			Intro: "请对贵单位所在社区各网格的网格员逐一评价。",
			Questions: []Question{
				{Code: "visits", Text: "网格员是否定期到贵单位走访、开展安全检查", Choices: []string{"是", "否", "不清楚"}},
				overall("对该网格员工作的总体评价"),
				comment,
			}}
	default:
		return Questionnaire{Audience: Residents, Title: "网格员工作满意度测评(居民)", Key: "overall",
			Intro: "本测评不记名,每户限答一次。请凭联系卡上的答卷码或手机验证码作答。",
			Questions: []Question{
				{Code: "knows", Text: "您是否知道本网格的网格员?", Choices: []string{"知道", "不知道"}},
				{Code: "visited", Text: "近三个月网格员是否上门走访过您家?", Choices: []string{"走访过", "没有", "不清楚"}},
				{Code: "handled", Text: "您向网格员反映的问题处理得怎样?", Choices: []string{"满意", "基本满意", "不满意", "未反映过问题"}},
				overall("您对本网格网格员工作的总体评价"),
				comment,
			}}
	}
}

// Builtins returns the built-in questionnaire of every audience.
func Builtins() []Questionnaire {
	out := make([]Questionnaire, len(Audiences))
	for i, a := range Audiences {
		out[i] = Builtin(a)
	}
	return out
}
