package scheme

import (
	"fmt"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"gridwork/internal/metric"
)

// The attributes a formula may read besides facts.
const (
	attrEmployment   = "employment"     // "full_time" or "part_time"; "" for a unit
	attrMonthsInPost = "months_in_post" // whole months in post on the period's last day
	attrMonths       = "months"         // months in the period (1, 3, 6, 12)
)

// formula is a compiled expression with the facts it reads.
type formula struct {
	program *vm.Program
	facts   []string // canonical fact names, sorted
}

// maxFormulaNodes bounds a formula's size: schemes are uploaded by users.
const maxFormulaNodes = 500

// compiler compiles a scheme's formulas against one catalogue.
type compiler struct {
	catalog *metric.Catalog
	// env is the type-checking environment: every fact in the catalogue
	// as a number, and the attributes; built once per compiler.
	env map[string]any
	// compiled counts the formulas compiled, for the test that each is
	// compiled once.
	compiled int
}

func newCompiler(cat *metric.Catalog) *compiler {
	env := map[string]any{attrEmployment: "", attrMonthsInPost: 0.0, attrMonths: 0.0}
	for _, d := range cat.All() {
		env[d.Name] = 0.0
	}
	return &compiler{catalog: cat, env: env}
}

// factPatcher rewrites fact references to their canonical names: a dotted
// name (records.late_entry parses as member access) and a Chinese alias
// become one identifier. It records the facts read and the names it could
// not resolve.
type factPatcher struct {
	catalog    *metric.Catalog
	facts      map[string]bool
	resolved   []string // paths as written that named a fact
	candidates []string // names that named none (yet: a.b may be part of a.b.c)
}

// unknown returns the names that are not part of any fact reference.
func (p *factPatcher) unknown() []string {
	var out []string
	for _, c := range p.candidates {
		inside := false
		for _, r := range p.resolved {
			if strings.HasPrefix(r, c+".") {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, c)
		}
	}
	return dedupe(out)
}

func (p *factPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if n.Value == attrEmployment || n.Value == attrMonthsInPost || n.Value == attrMonths {
			return
		}
		if d, ok := p.catalog.Lookup(n.Value); ok {
			p.facts[d.Name] = true
			p.resolved = append(p.resolved, n.Value)
			if d.Name != n.Value {
				ast.Patch(node, &ast.IdentifierNode{Value: d.Name})
			}
			return
		}
		p.candidates = append(p.candidates, n.Value)
	case *ast.MemberNode:
		path, ok := memberPath(n)
		if !ok {
			return
		}
		if d, ok := p.catalog.Lookup(path); ok {
			p.facts[d.Name] = true
			p.resolved = append(p.resolved, path)
			ast.Patch(node, &ast.IdentifierNode{Value: d.Name})
			return
		}
		p.candidates = append(p.candidates, path)
	}
}

// memberPath spells a chain a.b.c of identifiers and constant properties.
func memberPath(n *ast.MemberNode) (string, bool) {
	prop, ok := n.Property.(*ast.StringNode)
	if !ok {
		return "", false
	}
	switch inner := n.Node.(type) {
	case *ast.IdentifierNode:
		return inner.Value + "." + prop.Value, true
	case *ast.MemberNode:
		head, ok := memberPath(inner)
		return head + "." + prop.Value, ok
	}
	return "", false
}

// compileFormula compiles src to return a number (asBool false) or a
// condition (asBool true). Errors say which fact is unknown, or quote
// expr's message with its position inside the formula.
func (c *compiler) formula(src string, asBool bool) (*formula, error) {
	c.compiled++
	p := &factPatcher{catalog: c.catalog, facts: map[string]bool{}}
	opts := []expr.Option{expr.Env(c.env), expr.Patch(p), expr.MaxNodes(maxFormulaNodes)}
	if asBool {
		opts = append(opts, expr.AsBool())
	} else {
		opts = append(opts, expr.AsFloat64())
	}
	prog, err := expr.Compile(src, opts...)
	if unknown := p.unknown(); len(unknown) > 0 {
		return nil, fmt.Errorf("unknown fact %q (see docs/metrics.md or `gridwork facts list`)", unknown[0])
	}
	if err != nil {
		return nil, fmt.Errorf("formula %q: %s", src, firstLine(err.Error()))
	}
	f := &formula{program: prog}
	for name := range p.facts {
		f.facts = append(f.facts, name)
	}
	sort.Strings(f.facts)
	return f, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// run evaluates f with the given environment.
func (f *formula) run(env map[string]any) (any, error) {
	return expr.Run(f.program, env)
}
