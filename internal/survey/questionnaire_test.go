package survey_test

import (
	"math"
	"strings"
	"testing"

	"gridwork/internal/survey"
)

func TestBuiltinsValid(t *testing.T) {
	for _, q := range survey.Builtins() {
		if err := q.Validate(); err != nil {
			t.Errorf("built-in questionnaire of %s: %v", q.Audience, err)
		}
	}
}

func TestQuestionnaireValidate(t *testing.T) {
	ok := survey.Builtin(survey.Residents)
	mod := func(f func(q *survey.Questionnaire)) survey.Questionnaire {
		q := ok
		q.Questions = append([]survey.Question(nil), ok.Questions...)
		f(&q)
		return q
	}
	for _, tc := range []struct {
		name string
		q    survey.Questionnaire
		want string // part of the error; "" for none
	}{
		{"built-in", ok, ""},
		{"unknown audience", mod(func(q *survey.Questionnaire) { q.Audience = "mayor" }), "audience"},
		{"no key question", mod(func(q *survey.Questionnaire) { q.Key, q.Questions[3].Satisfied = "none", nil }), "not among"},
		{"key is free text", mod(func(q *survey.Questionnaire) { q.Key, q.Questions[3].Satisfied = "comment", nil }), "must be required"},
		{"duplicate code", mod(func(q *survey.Questionnaire) { q.Questions[1].Code = q.Questions[0].Code }), "used twice"},
		{"satisfied not a choice", mod(func(q *survey.Questionnaire) {
			q.Questions[3].Satisfied = []string{"非常满意"}
		}), "not one of its choices"},
		{"satisfied on another question", mod(func(q *survey.Questionnaire) {
			q.Questions[0].Satisfied = []string{"知道"}
		}), "only the key question"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.Validate()
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestQuestionnaireCheck(t *testing.T) {
	q := survey.Builtin(survey.Residents)
	base := map[string]string{"knows": "知道", "visited": "没有", "handled": "满意"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name      string
		answers   map[string]string
		satisfied bool
		err       string
	}{
		{"满意", with("overall", "满意"), true, ""},
		{"基本满意 counts", with("overall", "基本满意"), true, ""},
		{"不满意", with("overall", "不满意", "comment", "希望多来走访"), false, ""},
		{"overall missing", with(), false, "answers.overall: must be answered"},
		{"off the scale", with("overall", "很满意"), false, "not one of its choices"},
		{"unknown question", with("overall", "满意", "age", "60"), false, "answers.age: no such question"},
		{"text too long", with("overall", "满意", "comment", strings.Repeat("长", survey.MaxTextRunes+1)), false, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sat, err := q.Check(tc.answers)
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("Check: %v, want %q", err, tc.err)
			}
			if sat != tc.satisfied {
				t.Errorf("satisfied %v, want %v", sat, tc.satisfied)
			}
		})
	}
}

// TestWilson checks the interval against published values (Newcombe 1998,
// table I, method 3: 0/10 → 0–0.2775, 5/10 → 0.2366–0.7634, 81/263 →
// 0.2553–0.3662).
func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n      int
		low, high float64
	}{
		{0, 10, 0, 27.75},
		{5, 10, 23.66, 76.34},
		{81, 263, 25.53, 36.62},
		{0, 0, 0, 100},
	} {
		lo, hi := survey.Wilson(tc.k, tc.n, survey.Z95)
		if math.Abs(lo-tc.low) > 0.01 || math.Abs(hi-tc.high) > 0.01 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.2f, %.2f]", tc.k, tc.n, lo, hi, tc.low, tc.high)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct{ in, kind, from, to, fact string }{
		{"2026-03", "month", "2026-03-01", "2026-03-31", "2026-03"},
		{"2026-Q1", "quarter", "2026-01-01", "2026-03-31", "2026-03"},
		{"2026-Q4", "quarter", "2026-10-01", "2026-12-31", "2026-12"},
		{"2026-Q5", "", "", "", ""},
		{"2026-3", "", "", "", ""},
	} {
		kind, from, to, fact, err := survey.ParsePeriod(tc.in)
		if tc.kind == "" {
			if err == nil {
				t.Errorf("%s: no error", tc.in)
			}
			continue
		}
		if err != nil || kind != tc.kind || from.String() != tc.from || to.String() != tc.to || fact.String() != tc.fact {
			t.Errorf("%s: %s %s %s %s %v", tc.in, kind, from, to, fact, err)
		}
	}
}

// FuzzNormalizeCode: whatever a resident types, the result is "" or a
// well-formed code that normalizes to itself.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH", "abcd efgh", "2345-6789", "", "0000-0000", "ABCD-EFGHJ", "ÄBCD-EFGH"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := survey.NormalizeCode(s)
		if c == "" {
			return
		}
		if len(c) != 9 || c[4] != '-' || survey.NormalizeCode(c) != c {
			t.Errorf("NormalizeCode(%q) = %q", s, c)
		}
		for i, r := range c {
			if i != 4 && !strings.ContainsRune("23456789ABCDEFGHJKMNPQRSTUVWXYZ", r) {
				t.Errorf("NormalizeCode(%q) = %q has %q", s, c, r)
			}
		}
	})
}
