package scheme

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestLintMessagesTranslated reads lint.go and checks that every message
// format passed to errorf, warnf or a rule's errf has its Chinese in
// lint_zh.go, with the same verbs in the same order, so that the console
// never shows a message in English only.
func TestLintMessagesTranslated(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "lint.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok {
			return true
		}
		var name string
		switch fn := call.Fun.(type) {
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		case *ast.Ident:
			name = fn.Name
		}
		pos := 1 // errorf(p, format, …), warnf(p, format, …)
		switch name {
		case "errorf", "warnf":
		case "errf":
			pos = 0
		default:
			return true
		}
		if len(call.Args) <= pos {
			return true
		}
		var format string
		switch a := call.Args[pos].(type) {
		case *ast.BasicLit:
			format, _ = strconv.Unquote(a.Value)
		case *ast.BinaryExpr: // "rule %s: "+format inside errf itself
			return true
		default:
			t.Errorf("%s with a format that is not a literal: %T", name, a)
			return true
		}
		n++
		if name == "errf" {
			format = rulePrefix + format
		}
		zh, ok := lintZh[format]
		if !ok {
			inner, _ := strings.CutPrefix(format, rulePrefix)
			if zh, ok = lintRuleZh[inner]; ok && strings.HasPrefix(format, rulePrefix) {
				zh = "%s " + zh // the rule's id, as zhText adds it
			}
		}
		if !ok {
			t.Errorf("no Chinese for lint message %q (add it to lint_zh.go)", format)
			return true
		}
		if v, w := verbs(format), verbs(zh); v != w {
			t.Errorf("lint message %q has verbs %q, its Chinese %q has %q", format, v, zh, w)
		}
		return true
	})
	if n < 60 {
		t.Errorf("found %d lint messages in lint.go; the parse missed some", n)
	}
}

// verbs lists the formatting verbs of a format in order ("%s%q%g").
func verbs(format string) string {
	var b strings.Builder
	for i := 0; i < len(format)-1; i++ {
		if format[i] == '%' {
			b.WriteString(format[i : i+2])
			i++
		}
	}
	return b.String()
}

// TestLintChinese: the messages of a broken scheme come in Chinese too,
// with the scheme's own names and numbers in them.
func TestLintChinese(t *testing.T) {
	s, err := Parse([]byte("code: t\nversion: 1\ntitle: 测试\nperiod: month\ntotal: 10\ncategories:\n" +
		"  - id: a\n    name: A\n    max: 10\n    rules:\n      - {id: r, kind: per, fact: t.nope, points: -1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := Lint(s, testCatalog)
	found := false
	for _, m := range msgs {
		if m.TextZh == "" {
			t.Errorf("message without Chinese: %s", m)
		}
		if m.TextZh == `规则 r：未知指标 "t.nope"（见 docs/metrics.md 或 `+"`gridwork facts list`"+`）` {
			found = true
		}
	}
	if !found {
		t.Errorf("no Chinese message for the unknown fact; got %+v", msgs)
	}
}
