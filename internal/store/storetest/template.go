package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"gridwork/internal/store"
)

// A Template is a database that many tests start from, such as the demo
// town: Build fills it once per test binary and engine, and every test
// gets its own copy (SQLite: the file written by VACUUM INTO, copied;
// PostgreSQL: CREATE DATABASE … TEMPLATE). Loading the demo town under
// the race detector takes seconds to minutes; a copy takes milliseconds.
//
// Declare a template as a package variable, and call Main from the
// package's TestMain so that the templates are removed when the tests end:
//
//	var town = &storetest.Template[demo.Summary]{Name: "demo town", Build: …}
//	func TestMain(m *testing.M) { storetest.Main(m) }
type Template[T any] struct {
	// Name says what the template holds, in failures.
	Name string
	// Build fills db, a fresh migrated database. What it returns is given
	// to every copy: treat it as read-only. Files the rows refer to go
	// under db.Dir; every copy gets its own copy of it.
	Build func(ctx context.Context, db Database) (T, error)

	mu    sync.Mutex
	built map[store.Engine]*master[T]
}

// Database is one migrated database, open and closed when the test ends.
type Database struct {
	*store.DB
	// DSN names the same database for code that opens it itself (the
	// command line's --db): an SQLite file or a PostgreSQL URL.
	DSN string
	// Dir is the data directory: the files the database's rows refer to
	// (a files.Store's directory, the command line's --data), and on
	// SQLite the database file itself (DSN is Dir/gridwork.db, where the
	// command line looks by default). A copy has its own copy of the
	// template's.
	Dir string
}

// Copy is one test's own copy of a template.
type Copy[T any] struct {
	Database
	// Value is what the template's Build returned.
	Value T
}

// master is a template built on one engine.
type master[T any] struct {
	done   chan struct{} // closed when the build has ended
	err    error
	value  T
	file   string // SQLite: the template file
	dbname string // PostgreSQL: the template database
	dir    string // the template's files directory
	clone  sync.Mutex
}

// Each runs fn as a subtest once per engine, each time on a fresh copy of
// the template. Without GRIDWORK_TEST_POSTGRES the PostgreSQL subtest is
// skipped, and says so.
func (tp *Template[T]) Each(t *testing.T, fn func(t *testing.T, c Copy[T])) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, tp.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, tp.Postgres(t)) })
}

// SQLite returns a copy of the template on SQLite, building the template
// first if no test of this binary has.
func (tp *Template[T]) SQLite(t testing.TB) Copy[T] {
	t.Helper()
	m := tp.master(t, store.SQLite)
	dir := copyDir(t, m.dir)
	dsn := filepath.Join(dir, sqliteName)
	if err := copyFile(m.file, dsn); err != nil {
		t.Fatalf("storetest: copy %s: %v", tp.Name, err)
	}
	return Copy[T]{Database: Database{DB: openMigrated(t, dsn), DSN: dsn, Dir: dir}, Value: m.value}
}

// Postgres returns a copy of the template in a new database on the server
// GRIDWORK_TEST_POSTGRES names (dropped when the test ends), building the
// template first if no test of this binary has; it skips the test if no
// server is named.
func (tp *Template[T]) Postgres(t testing.TB) Copy[T] {
	t.Helper()
	base := postgresBase(t)
	m := tp.master(t, store.Postgres)
	name := "gwtest_" + randomHex(8)
	// CREATE DATABASE … TEMPLATE copies the files of a database nobody is
	// connected to; one copy at a time keeps it so.
	m.clone.Lock()
	err := adminExec(base, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, m.dbname))
	m.clone.Unlock()
	if err != nil {
		t.Fatalf("storetest: copy %s: %v", tp.Name, err)
	}
	t.Cleanup(func() { adminExec(base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn := databaseURL(t, base, name)
	return Copy[T]{Database: Database{DB: openMigrated(t, dsn), DSN: dsn, Dir: copyDir(t, m.dir)}, Value: m.value}
}

// master returns the template built on engine, building it if needed.
// Tests running in parallel wait for one build; a failed build fails
// every test that asks for it.
func (tp *Template[T]) master(t testing.TB, engine store.Engine) *master[T] {
	t.Helper()
	if !mainRuns.Load() {
		t.Fatalf("storetest: template %s: the package's TestMain must call storetest.Main (it removes the templates afterwards)", tp.Name)
	}
	tp.mu.Lock()
	if tp.built == nil {
		tp.built = map[store.Engine]*master[T]{}
	}
	m, ok := tp.built[engine]
	if !ok {
		m = &master[T]{done: make(chan struct{})}
		tp.built[engine] = m
	}
	tp.mu.Unlock()
	if !ok {
		func() {
			defer close(m.done)
			m.value, m.err = tp.build(engine, m)
		}()
	}
	<-m.done
	if m.err != nil {
		t.Fatalf("storetest: build %s on %s: %v", tp.Name, engine, m.err)
	}
	return m
}

// build makes the template on engine. Its directory holds data/, the
// directory Build is given (with, on SQLite, the database itself, as the
// command line keeps it: <data>/gridwork.db), and on SQLite template.db.
func (tp *Template[T]) build(engine store.Engine, m *master[T]) (value T, err error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "gridwork-template-")
	if err != nil {
		return value, err
	}
	cleanups.add(func() { os.RemoveAll(dir) })
	m.dir = filepath.Join(dir, "data")
	if err := os.Mkdir(m.dir, 0o700); err != nil {
		return value, err
	}
	var dsn string
	switch engine {
	case store.SQLite:
		dsn = filepath.Join(m.dir, sqliteName)
	case store.Postgres:
		base := os.Getenv(EnvPostgres)
		m.dbname = "gwtemplate_" + randomHex(8)
		if err := adminExec(base, "CREATE DATABASE "+m.dbname); err != nil {
			return value, err
		}
		cleanups.add(func() { adminExec(base, "DROP DATABASE IF EXISTS "+m.dbname+" WITH (FORCE)") })
		if dsn, err = withDatabase(base, m.dbname); err != nil {
			return value, err
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return value, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return value, err
	}
	if value, err = tp.Build(ctx, Database{DB: db, DSN: dsn, Dir: m.dir}); err != nil {
		return value, err
	}
	if engine == store.SQLite {
		// VACUUM INTO writes one self-contained file (the WAL folded in);
		// the build's own files leave the data directory that is copied.
		m.file = filepath.Join(dir, "template.db")
		if _, err := db.ExecContext(ctx, "VACUUM INTO $1", m.file); err != nil {
			return value, fmt.Errorf("vacuum into: %w", err)
		}
		if err := db.Close(); err != nil {
			return value, err
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(dsn + suffix); err != nil && !os.IsNotExist(err) {
				return value, err
			}
		}
	}
	// The PostgreSQL template is closed (by the deferred Close) before
	// anyone copies it.
	return value, nil
}

// sqliteName is the SQLite database's file in its data directory.
const sqliteName = "gridwork.db"

// Main runs the package's tests, then removes the templates they built
// (files and PostgreSQL databases). Call it from TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
// A test binary that panics or times out leaves its templates behind: in
// the system's temporary directory (gridwork-template-*) and as
// PostgreSQL databases named gwtemplate_*.
func Main(m *testing.M) {
	mainRuns.Store(true)
	defer cleanups.run()
	m.Run()
}

var mainRuns atomic.Bool

// cleanups are what Main does after the tests.
var cleanups cleanupList

type cleanupList struct {
	mu  sync.Mutex
	fns []func()
}

func (c *cleanupList) add(fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fns = append(c.fns, fn)
}

func (c *cleanupList) run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
	c.fns = nil
}

// postgresBase returns GRIDWORK_TEST_POSTGRES, or skips the test.
func postgresBase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL skipped: %s is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres)
	}
	return base
}

// adminExec runs one statement on the server's GRIDWORK_TEST_POSTGRES
// database (CREATE and DROP DATABASE cannot run in the database they name).
func adminExec(base, statement string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), statement); err != nil {
		return fmt.Errorf("%s: %w", statement, err)
	}
	return nil
}

// withDatabase returns base with its database replaced by name.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func databaseURL(t testing.TB, base, name string) string {
	t.Helper()
	u, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

// copyDir copies the template's data directory into a new directory of
// the test's.
func copyDir(t testing.TB, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatalf("storetest: copy the template's files: %v", err)
	}
	return to
}
