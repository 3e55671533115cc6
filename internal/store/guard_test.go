package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// mustPanic runs fn and returns its panic message, failing if it does not
// panic.
func mustPanic(t *testing.T, fn func()) (msg string) {
	t.Helper()
	defer func() {
		p := recover()
		if p == nil {
			t.Fatal("no panic")
		}
		msg, _ = p.(string)
	}()
	fn()
	return ""
}

// TestStrictTx: with the strict check on (storetest turns it on), a query
// sent to the pool, or a second transaction begun, by a goroutine holding a
// transaction panics; the same through the transaction, or from another
// goroutine, does not.
func TestStrictTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var n int
		for _, c := range []struct {
			name string
			fn   func(tx store.Tx) error
		}{
			{"pool query", func(store.Tx) error { return db.QueryRowContext(ctx, `SELECT 1`).Scan(&n) }},
			{"pool read through Q without the tx", func(store.Tx) error { return db.Q(ctx).QueryRowContext(ctx, `SELECT 1`).Scan(&n) }},
			{"pool statement", func(store.Tx) error {
				_, err := db.ExecContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`)
				return err
			}},
			{"second transaction", func(store.Tx) error { return db.Tx(ctx, func(store.Tx) error { return nil }) }},
		} {
			t.Run(c.name, func(t *testing.T) {
				msg := mustPanic(t, func() { db.Tx(ctx, c.fn) })
				if !strings.Contains(msg, "store.WithTx") {
					t.Errorf("panic %q does not say what to do", msg)
				}
			})
		}
		// The right ways: through the transaction, or joining it.
		err := db.Tx(ctx, func(tx store.Tx) error {
			ctx := store.WithTx(ctx, tx)
			if err := db.Q(ctx).QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
				return err
			}
			return db.Tx(ctx, func(inner store.Tx) error {
				if inner != tx {
					t.Error("the inner Tx did not join the outer")
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		// Another goroutine's pool query while this one holds a transaction
		// is no mistake.
		err = db.Tx(ctx, func(tx store.Tx) error {
			var wg sync.WaitGroup
			var err error
			wg.Go(func() { err = db.QueryRowContext(ctx, `SELECT 1`).Scan(&n) })
			wg.Wait()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// After the transaction, the pool is free to use again.
		if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWriterQueue: on SQLite one transaction at a time; a writer waiting
// for its turn gives up when its context ends, holding no connection.
func TestWriterQueue(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	inside := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Tx(ctx, func(store.Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := db.Tx(short, func(store.Tx) error { return nil }); err == nil || !strings.Contains(err.Error(), "wait for the writer") {
		t.Errorf("second writer while the first holds the turn: %v", err)
	}
	// Readers are not queued.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(store.Tx) error { return nil }); err != nil {
		t.Fatalf("after the first committed: %v", err)
	}
}
