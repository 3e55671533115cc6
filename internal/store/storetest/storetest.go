// Package storetest gives storage tests a fresh, migrated database on every
// engine: SQLite always, and PostgreSQL whenever GRIDWORK_TEST_POSTGRES names a
// server. Each PostgreSQL test gets its own schema, dropped afterwards, so
// tests never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gridwork/internal/store"
)

// Every test that uses this package runs with the store's strict check on:
// a query sent to the pool by a goroutine that holds a transaction panics
// (see store.Strict).
func init() { store.Strict(true) }

// EnvPostgres names the environment variable with the PostgreSQL test URL.
const EnvPostgres = "GRIDWORK_TEST_POSTGRES"

// Each runs fn as a subtest once per engine, each time on a fresh, migrated
// database. Without GRIDWORK_TEST_POSTGRES the PostgreSQL subtest is skipped,
// and says so.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh, migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return openMigrated(t, filepath.Join(t.TempDir(), "gridwork.db"))
}

// openMigrated opens dsn, migrates it and closes it when the test ends.
func openMigrated(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres returns a fresh, migrated PostgreSQL database (a new schema on the
// server GRIDWORK_TEST_POSTGRES names), or skips the test if none is named.
// A named server that cannot be reached fails the test: CI must not pass by
// silently testing one engine.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return openMigrated(t, PostgresURL(t))
}

// PostgresURL returns the URL of a fresh, empty schema on the server
// GRIDWORK_TEST_POSTGRES names (dropped when the test ends), for tests that
// open the database themselves, such as the command line's. It skips the
// test if no server is named.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL skipped: %s is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	schema := "gwtest_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: create schema: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
