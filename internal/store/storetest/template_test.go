package storetest_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"gridwork/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var builds atomic.Int32

// one is a template with one row and one file.
var one = &storetest.Template[string]{
	Name: "one row",
	Build: func(ctx context.Context, db storetest.Database) (string, error) {
		builds.Add(1)
		if _, err := db.ExecContext(ctx, `CREATE TABLE things (name TEXT NOT NULL)`); err != nil {
			return "", err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO things (name) VALUES ($1)`, "template"); err != nil {
			return "", err
		}
		return "built on " + string(db.Engine), os.WriteFile(filepath.Join(db.Dir, "photo.png"), []byte("png"), 0o600)
	},
}

// Every copy starts from the template, and what one test writes no other
// sees; the template is built once per engine.
func TestTemplateCopies(t *testing.T) {
	// (Subtests named apart: a '#' that go test adds to a repeated name
	// would end the SQLite file's URI.)
	for _, name := range []string{"first", "second", "third"} {
		t.Run(name, func(t *testing.T) {
			one.Each(t, func(t *testing.T, c storetest.Copy[string]) {
				ctx := context.Background()
				if c.Value != "built on "+string(c.Engine) {
					t.Errorf("value %q", c.Value)
				}
				var n int
				if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM things`).Scan(&n); err != nil || n != 1 {
					t.Fatalf("%d rows (%v), want the template's one", n, err)
				}
				if _, err := c.ExecContext(ctx, `INSERT INTO things (name) VALUES ($1)`, "mine"); err != nil {
					t.Fatal(err)
				}
				if b, err := os.ReadFile(filepath.Join(c.Dir, "photo.png")); err != nil || string(b) != "png" {
					t.Fatalf("the template's file: %q %v", b, err)
				}
				if err := os.WriteFile(filepath.Join(c.Dir, "photo.png"), []byte("mine"), 0o600); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
	want := int32(1)
	if os.Getenv(storetest.EnvPostgres) != "" {
		want = 2
	}
	if n := builds.Load(); n != want {
		t.Errorf("built %d times, want %d (once per engine)", n, want)
	}
}

// Tests running in parallel share one build.
func TestTemplateParallel(t *testing.T) {
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := one.SQLite(t)
			var n int
			if err := c.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM things`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("%d rows (%v), want 1", n, err)
			}
		})
	}
}
