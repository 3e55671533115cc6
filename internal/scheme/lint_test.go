package scheme

import (
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	head := "code: t\nversion: 1\ntitle: 测试\nperiod: month\ntotal: 10\n"
	cases := []struct {
		name string
		body string
		want string // "line:col: severity: text fragment"
	}{
		{"sums", "categories:\n  - {id: a, name: A, max: 6, rules: [{id: r, kind: per, fact: t.count, points: -1}]}\n",
			"6:1: error: the categories for worker subjects add up to 6 (a 6), but the total is 10"},
		{"unknown fact", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: per, fact: t.nope, points: -1}\n",
			`11:34: error: rule r: unknown fact "t.nope"`}, // at the fact, not the rule
		{"unknown fact in formula", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: formula, expr: \"-t.count - 测试无\"}\n",
			`11:9: error: rule r: expr: unknown fact "测试无"`},
		{"empty category", "categories:\n  - {id: a, name: A, max: 10, rules: []}\n",
			"7:5: error: category a (A) has no rules"},
		{"worst case", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: short_rate, fact: t.rate, target: 95, points: -1}\n",
			"11:9: warning: rule r can move 95 points, more than category a's 10 (nothing stops it going below 0)"},
		{"overlap", "categories:\n  - id: a\n    name: A\n    max: 10\n    floor: 0\n    rules:\n      - {id: r1, kind: per, fact: t.count, points: -1}\n      - {id: r2, kind: per, fact: t.part, points: -5}\n",
			"13:9: warning: rules r1 (line 12) and r2 overlap: r1 reads t.count and r2 reads t.part"},
		{"pending", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: per, fact: t.pending, points: -1}\n",
			"11:9: warning: rule r reads t.pending, which is declared but not measured yet (later)"},
		{"unknown key", "categories:\n  - id: a\n    name: A\n    maxx: 10\n",
			`line 9 column 5: unknown key "maxx"`},
		{"bad kind", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: perr, fact: t.count}\n",
			`11:9: error: rule r: kind "perr" is not one of`},
		{"quota", "categories:\n  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: short_quota, fact: t.events, quota: {fulltime: 5}, points: -1}\n",
			`rule r: quota: "fulltime" is not full_time, part_time or all`},
		{"withhold_if fact", "pay:\n  - {id: x, name: 兼格奖, monthly_fen: 100, scale: none, withhold_if: t.nope}\ncategories:\n  - {id: a, name: A, max: 10, rules: [{id: r, kind: per, fact: t.count, points: -1}]}\n",
			`7:5: error: pay item x: unknown fact "t.nope" in withhold_if`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(head + c.body))
			if err != nil {
				if !strings.Contains(err.Error(), c.want) {
					t.Fatalf("Parse error %q, want it to contain %q", err, c.want)
				}
				return
			}
			var all []string
			for _, m := range Lint(s, testCatalog) {
				all = append(all, m.String())
				if strings.Contains(m.String(), c.want) {
					return
				}
			}
			t.Errorf("no message contains %q; got:\n%s", c.want, strings.Join(all, "\n"))
		})
	}
}

func TestParseSpan(t *testing.T) {
	for _, c := range []struct {
		in, want string
		months   int
		prev     string
	}{
		{"2026-03", "2026-03", 1, "2026-02"},
		{"2026-01", "2026-01", 1, "2025-12"},
		{"2026-Q1", "2026-Q1", 3, "2025-Q4"},
		{"2026-H2", "2026-H2", 6, "2026-H1"},
		{"2026", "2026", 12, "2025"},
	} {
		s, err := ParseSpan(c.in)
		if err != nil || s.String() != c.want || len(s.Months()) != c.months || s.Prev().String() != c.prev {
			t.Errorf("ParseSpan(%q) = %v (%d months, prev %v), %v", c.in, s, len(s.Months()), s.Prev(), err)
		}
	}
	for _, bad := range []string{"", "2026-13", "2026-Q5", "26-01", "2026-1", "2026-H3", "abcd"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("ParseSpan(%q) succeeded, want an error", bad)
		}
	}
}
