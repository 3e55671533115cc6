// Package apptest builds the whole app (app.New) on a test database: the
// one wiring of the stores, with a fixed field key, cheap password hashing
// and a temporary data directory.
package apptest

import (
	"bytes"
	"context"
	"testing"

	"gridwork/internal/app"
	"gridwork/internal/auth"
	"gridwork/internal/seal"
	"gridwork/internal/store"
)

// Config is the test configuration on db: a fixed field key, auth.TestParams,
// a temporary data directory and the system clock. Change it before app.New
// (a clock, say) when a test needs to.
func Config(tb testing.TB, db *store.DB) app.Config {
	tb.Helper()
	return app.Config{DB: db, DataDir: tb.TempDir(), Keys: Keys(), AuthParams: auth.TestParams}
}

// Keys is the tests' fixed field key: a fixture built once and copied
// (storetest.Template) seals with it, so that the app each test builds on
// its copy opens what the fixture sealed.
func Keys() *seal.Keys {
	keys, err := seal.New("test", bytes.Repeat([]byte{1}, seal.MaterialSize))
	if err != nil {
		panic(err) // a constant key of the right size: cannot fail
	}
	return keys
}

// New builds the app on db with Config.
func New(tb testing.TB, db *store.DB) *app.App {
	tb.Helper()
	return With(tb, Config(tb, db))
}

// With builds the app with cfg and closes it when the test ends.
func With(tb testing.TB, cfg app.Config) *app.App {
	tb.Helper()
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("app: %v", err)
	}
	tb.Cleanup(func() { a.Close() })
	return a
}
