package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Who may do what is decided in one place, auth's permissions table, and
// asked through auth.Scope (issue 14). This reads the package's source and
// fails on any comparison, switch or map lookup on a role: a role compared
// here is a second permission table.
func TestNoRoleComparisons(t *testing.T) {
	roles := roleConstants(t)
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		isRole := func(e ast.Expr) bool { return mentionsRole(e, roles) }
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isRole(n.X) || isRole(n.Y)) {
					t.Errorf("%s: a role compared (%s); ask auth.Scope, and put the rule in auth's permissions table", fset.Position(n.Pos()), n.Op)
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isRole(n.Tag) {
					t.Errorf("%s: a switch on a role; ask auth.Scope", fset.Position(n.Pos()))
				}
			case *ast.CaseClause:
				for _, e := range n.List {
					if isRole(e) {
						t.Errorf("%s: a case on a role; ask auth.Scope", fset.Position(e.Pos()))
					}
				}
			case *ast.IndexExpr:
				if isRole(n.Index) {
					t.Errorf("%s: a lookup by role; ask auth.Scope", fset.Position(n.Pos()))
				}
			case *ast.MapType:
				if isRole(n.Key) {
					t.Errorf("%s: a map keyed by role: a second permission table; put it in auth's", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("read only %d source files of internal/api", checked)
	}
}

// mentionsRole reports whether e is a role: a .Role field, auth.Role (the
// type, or a conversion to it) or one of auth's role constants.
func mentionsRole(e ast.Expr, roles map[string]bool) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return mentionsRole(e.X, roles)
	case *ast.CallExpr:
		return mentionsRole(e.Fun, roles)
	case *ast.SelectorExpr:
		if e.Sel.Name == "Role" {
			return true
		}
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "auth" && roles[e.Sel.Name]
	}
	return false
}

// roleConstants returns the names of auth's constants of type Role.
func roleConstants(t *testing.T) map[string]bool {
	t.Helper()
	dir := filepath.Join("..", "auth")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); ok && id.Name == "Role" {
					for _, n := range v.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	if len(out) < 5 {
		t.Fatalf("found only %d role constants in internal/auth: %v", len(out), out)
	}
	return out
}
