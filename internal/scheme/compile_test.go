package scheme

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"sync"
	"testing"
)

// compileOnce has a formula in each place a scheme can hold one: a once
// rule's condition, a formula rule's expression, a category's zero_if and
// a veto; the quarter is scored month by month, so a formula compiled
// while evaluating would be compiled per subject, category and month.
const compileOnce = `
code: test-compile-once
version: 1
title: 编译一次
period: quarter
rollup: average
total: 100
vetoes:
  - {id: v, name: 一票否决, when: "t.flag > 1"}
categories:
  - id: a
    name: 条件
    max: 50
    floor: 0
    zero_if: "t.count == 0 && t.events == 0"
    rules:
      - {id: once, kind: once, when: "t.flag > 0", points: -10}
      - {id: per, kind: per, fact: t.count, points: -1}
  - id: b
    name: 公式
    max: 50
    floor: 0
    rules:
      - {id: f, kind: formula, expr: "-0.5 * max(t.count - t.part, 0)"}
      - {id: q, kind: short_quota, fact: t.events, quota: {all: 10}, points: -1, each: month}
`

// compileOnceInputs returns n workers with three months of facts.
func compileOnceInputs(n int) []Input {
	ins := make([]Input, n)
	for i := range ins {
		months := make([]Facts, 3)
		for m := range months {
			months[m] = Facts{"t.count": count(float64((i + m) % 4)), "t.part": count(float64(m % 2)),
				"t.flag": count(float64((i * m) % 3 / 2)), "t.events": count(float64(8 + (i+m)%5))}
		}
		ins[i] = Input{Subject: worker(fmt.Sprintf("w%04d", i), "full_time"), Months: months}
	}
	return ins
}

// TestCompileOnce: Compile compiles each formula of the scheme exactly
// once, Evaluate changes neither the program nor the parsed scheme, and
// one program serves several evaluations at once.
func TestCompileOnce(t *testing.T) {
	p := mustParse(t, compileOnce)
	// Four formulas: the veto, zero_if, once's when and the formula.
	if p.formulas != 4 {
		t.Errorf("Compile compiled %d formulas, want 4 (each once)", p.formulas)
	}
	before, err := json.Marshal(p.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	rules, zeroIf := len(p.rules), len(p.zeroIf)
	ins := compileOnceInputs(50)
	want, err := Evaluate(p, Span{Quarter, 2026, 1}, ins, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Evaluate(p, Span{Quarter, 2026, 1}, ins, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(want)
			if string(a) != string(b) {
				t.Error("evaluations of the same program differ")
			}
		})
	}
	wg.Wait()
	after, _ := json.Marshal(p.Scheme)
	if string(before) != string(after) {
		t.Errorf("Evaluate changed the scheme:\n%s\n%s", before, after)
	}
	if p.formulas != 4 || len(p.rules) != rules || len(p.zeroIf) != zeroIf {
		t.Errorf("Evaluate changed the program: %d formulas, %d rules, %d zero_if", p.formulas, len(p.rules), len(p.zeroIf))
	}
}

// TestEvaluationCompilesNothing reads the package's sources: only the
// linter (lint.go, which Compile runs) compiles formulas, and nothing in
// the package reads the process-wide fact catalogue; evaluation has only
// the Program.
func TestEvaluationCompilesNothing(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "metric" {
				switch sel.Sel.Name {
				case "Lookup", "All", "Current", "Define":
					t.Errorf("%s: metric.%s reads the process-wide catalogue; use the Program's or the linter's", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			if sel.Sel.Name == "formula" && name != "lint.go" {
				t.Errorf("%s: a formula is compiled outside the linter", fset.Position(sel.Pos()))
			}
			return true
		})
	}
}

// BenchmarkEvaluate scores 2,000 workers over a quarter month by month
// with the compile-once scheme: formulas, zero_if and a veto.
func BenchmarkEvaluate(b *testing.B) {
	s, err := Parse([]byte(compileOnce))
	if err != nil {
		b.Fatal(err)
	}
	p, err := Compile(s, testCatalog)
	if err != nil {
		b.Fatal(err)
	}
	ins := compileOnceInputs(2000)
	span := Span{Quarter, 2026, 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(p, span, ins, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
