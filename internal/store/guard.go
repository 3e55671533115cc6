package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A read or write sent to the pool (db.QueryContext, or db.Q(ctx) with a ctx
// that does not carry the transaction) by a goroutine that holds an open
// transaction of the same database is a stall waiting to happen: the
// transaction keeps its connection (on SQLite, the write lock) while the
// query waits for a second one, and when every pooled connection is held by
// a request doing the same, or waiting for the write lock, nobody moves until
// the busy timeout fails them all. That is how event reporting stopped at 8
// concurrent phones (issue 17). Inside a transaction, give helpers the
// transaction: store.WithTx(ctx, tx) makes DB.Q and DB.Tx use it.
//
// The strict check catches the mistake where it is made: with it on, such a
// query, or a second DB.Tx begun beside the first, panics, naming the rule,
// with the stack of the offending call. It finds the holder by goroutine,
// which costs a stack read (about a microsecond) per query while any
// transaction is open, so it is on in tests (storetest turns it on) and
// when GRIDWORK_STRICT_TX=1, and off in production, where the cost would
// buy nothing once the tests pass. Queries from goroutines that a
// transaction's holder starts are not caught.

// EnvStrictTx names the environment variable that turns the strict check on
// outside tests.
const EnvStrictTx = "GRIDWORK_STRICT_TX"

var strict atomic.Bool

func init() {
	if os.Getenv(EnvStrictTx) == "1" {
		strict.Store(true)
	}
}

// Strict turns the check for queries to the pool from inside a transaction
// on or off, process-wide. storetest turns it on.
func Strict(on bool) { strict.Store(on) }

// holder is one goroutine holding an open transaction of one pool.
type holder struct {
	pool *sql.DB
	g    uint64
}

var (
	holders sync.Map     // holder → struct{}
	open    atomic.Int64 // transactions registered in holders
)

// hold records that this goroutine holds a transaction of db, and returns
// the function that forgets it. A goroutine already holding one panics: its
// second transaction would wait for a connection, or on SQLite for the write
// lock, that the first holds.
func (db *DB) hold() (release func()) {
	if !strict.Load() {
		return func() {}
	}
	h := holder{db.DB, goid()}
	if _, dup := holders.LoadOrStore(h, struct{}{}); dup {
		panic(fmt.Sprintf("store: %s: a second transaction begun by a goroutine that holds one; "+
			"pass the first on with ctx = store.WithTx(ctx, tx) so that DB.Tx joins it", db.Where))
	}
	open.Add(1)
	return func() {
		holders.Delete(h)
		open.Add(-1)
	}
}

// guard panics, in strict mode, when this goroutine holds a transaction of
// db: the query it is about to send to the pool belongs in that transaction.
func (db *DB) guard(what string) {
	if !strict.Load() || open.Load() == 0 {
		return
	}
	if _, held := holders.Load(holder{db.DB, goid()}); held {
		panic(fmt.Sprintf("store: %s: %s sent to the pool by a goroutine holding a transaction of the same database; "+
			"read and write through the transaction (ctx = store.WithTx(ctx, tx), then db.Q(ctx))", db.Where, what))
	}
}

// goid returns the running goroutine's id, read from the first line of its
// stack ("goroutine 42 [running]:").
func goid() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("store: cannot read the goroutine id: " + err.Error())
	}
	return n
}

// QueryContext runs a query on the pool (see guard).
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db.guard("a query")
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query on the pool (see guard).
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	db.guard("a query")
	return db.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement on the pool (see guard). On SQLite it waits
// its turn for the write lock in the process's writer queue (see DB.Tx)
// rather than in SQLite's busy handler.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	db.guard("a statement")
	unlock, err := db.lockWriter(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return db.DB.ExecContext(ctx, query, args...)
}

// lockWriter takes the SQLite writer's turn, waiting in line up to
// writerWait or until ctx ends. On PostgreSQL, which has no single writer,
// it does nothing.
//
// Why a queue in the process: SQLite admits one writer at a time, and a
// transaction begins with BEGIN IMMEDIATE, so without the queue every
// waiting request holds a pooled connection while SQLite's busy handler
// sleeps and retries (sleeps grow to 100 ms, whoever polls first wins). The
// queue lets waiters wait without a connection and wakes the next one as
// soon as the writer commits. Other processes on the same file (the command
// line beside a server) still meet the busy timeout.
func (db *DB) lockWriter(ctx context.Context) (unlock func(), err error) {
	if db.writer == nil {
		return func() {}, nil
	}
	select {
	case db.writer <- struct{}{}:
		return db.unlockWriter, nil
	default:
	}
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case db.writer <- struct{}{}:
		return db.unlockWriter, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("store: wait for the writer: %w", ctx.Err())
	case <-t.C:
		return nil, fmt.Errorf("store: %s: the database is busy: no write turn within %s", db.Where, writerWait)
	}
}

func (db *DB) unlockWriter() { <-db.writer }
