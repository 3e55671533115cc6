// Package store opens gridwork's database, on embedded SQLite by default or
// on PostgreSQL, runs the embedded migrations, and runs transactions. One SQL
// text serves both engines: placeholders are $N, types are portable (TEXT,
// INTEGER/BIGINT, DOUBLE PRECISION, BOOLEAN, TIMESTAMP stored as UTC), and
// calendar dates are TEXT 'YYYY-MM-DD'.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open gridwork database.
type DB struct {
	*sql.DB
	Engine Engine
	// Where is a human description of the database (a file path, or the
	// PostgreSQL URL without its password) for logs.
	Where string
	// writer, on SQLite, is the queue for the single write turn (see
	// lockWriter); nil on PostgreSQL.
	writer chan struct{}
}

// busyTimeout is how long SQLite's busy handler waits for the write lock
// that another process holds.
const busyTimeout = 10 * time.Second

// writerWait is how long a writer waits in the process's queue for its turn
// on SQLite (lockWriter). The queue is first come, first served and a waiter
// holds no connection, so the wait is the writers ahead times a write: 64
// phones at once under the race detector on a busy two-core machine came
// near 10 s. Longer than busyTimeout, so that a burst is served rather
// than failed; a request's own context still ends its wait.
const writerWait = 30 * time.Second

// Pool sizes. Idle connections are kept up to the maximum: opening one costs
// a PostgreSQL backend, or on SQLite a re-read of the schema, and with the
// default of 2 idle a busy server opened and closed connections all the
// time. Every request holds at most one connection at a time (a transaction
// takes no second one: see guard.go), so requests beyond the pool wait in
// database/sql's queue instead of exhausting it.
const (
	postgresConns = 16
	sqliteConns   = 8
)

// IsPostgresURL reports whether dsn names a PostgreSQL server.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database that dsn names: a postgres:// URL, or otherwise a
// path to an SQLite file, whose directory is created if missing. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(postgresConns)
		db.SetMaxIdleConns(postgresConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect to postgres %s: %w", redact(dsn), err)
		}
		return &DB{DB: db, Engine: Postgres, Where: redact(dsn)}, nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory %s: %w", dir, err)
		}
	}
	// busy_timeout must come first so that switching to WAL waits for
	// other connections instead of failing. _txlock=immediate takes the
	// write lock at BEGIN, which avoids deadlocks when two transactions
	// would both upgrade from read to write. Writers in this process wait
	// their turn in lockWriter's queue before BEGIN, so the busy timeout
	// only meets other processes.
	q := "?_pragma=busy_timeout(" + strconv.Itoa(int(busyTimeout/time.Millisecond)) + ")&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	db, err := sql.Open("sqlite", "file:"+path+q)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(sqliteConns)
	db.SetMaxIdleConns(sqliteConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return &DB{DB: db, Engine: SQLite, Where: path, writer: make(chan struct{}, 1)}, nil
}

// redact hides the password in a PostgreSQL URL.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return dsn[:scheme+3] + userinfo[:i] + ":***" + dsn[at:]
	}
	return dsn
}

// Migrate brings the schema up to date. It is safe to run at every start.
func (db *DB) Migrate(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.DB, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate %s: %w", db.Where, err)
	}
	return nil
}

type txKey struct{}

// Tx runs fn in a transaction, committing if fn returns nil and rolling back
// otherwise, so nothing is half-written. If ctx already carries a
// transaction (see WithTx), fn joins it instead: the outermost caller
// commits or rolls back the whole, so several store calls can make one
// all-or-nothing change.
//
// Inside fn, every read and write goes through tx: a helper that takes a
// ctx is given store.WithTx(ctx, tx), never the bare ctx, or it would ask
// the pool for a second connection while this one is held (guard.go).
func (db *DB) Tx(ctx context.Context, fn func(tx Tx) error) (err error) {
	if outer, ok := ctx.Value(txKey{}).(Tx); ok {
		return fn(outer)
	}
	defer db.hold()()
	unlock, err := db.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// WithTx returns a context that makes DB.Tx and DB.Q use tx.
func WithTx(ctx context.Context, tx Tx) context.Context { return context.WithValue(ctx, txKey{}, tx) }

// Q returns the transaction ctx carries, or the database: reads made through
// it see the caller's uncommitted writes.
func (db *DB) Q(ctx context.Context) Queryer {
	if tx, ok := ctx.Value(txKey{}).(Tx); ok {
		return tx
	}
	return db
}

// Tx is an open transaction.
type Tx = *sql.Tx

// Queryer is what both *sql.DB and *sql.Tx offer, for helpers that run
// inside or outside a transaction.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrNoRows is sql.ErrNoRows, re-exported so callers need not import
// database/sql just to compare.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err is sql.ErrNoRows.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Now returns the current time as stored: UTC, truncated to microseconds,
// which is PostgreSQL's precision, so that both engines read back the same.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Args collects query arguments and hands out their $N placeholders, for
// queries whose filters are optional.
type Args []any

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// Where builds a WHERE clause from optional filters, with their arguments.
type Where struct {
	Args  Args
	conds []string
}

// Eq adds "col = $N" for v, unless v is empty (no filter).
func (w *Where) Eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = "+w.Args.Add(v))
	}
}

// Cond adds a condition as written; its placeholders come from w.Args.Add.
func (w *Where) Cond(cond string) { w.conds = append(w.conds, cond) }

// String returns the conditions joined by AND, or "1 = 1" without any.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(w.conds, " AND ")
}

// All runs query and reads every row with scan; no rows is an empty, non-nil
// slice. what names the rows in errors.
func All[T any](ctx context.Context, db Queryer, what, query string, args Args, scan func(Row) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ListQuery is a list query: an optional WITH prefix, the columns, the FROM
// and WHERE (starting with " FROM"), the order, and the page.
type ListQuery struct {
	Prefix, Cols, From, Order string
	Limit, Offset             int
}

// List runs q twice over the same FROM and WHERE: a count of all matches,
// then the requested page, each row read by scan. what names the rows in
// errors.
func List[T any](ctx context.Context, db Queryer, what string, q ListQuery, args Args, scan func(Row) (T, error)) ([]T, int, error) {
	var total int
	if err := db.QueryRowContext(ctx, q.Prefix+`SELECT COUNT(*)`+q.From, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", what, err)
	}
	query := q.Prefix + `SELECT ` + q.Cols + q.From + ` ORDER BY ` + q.Order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, q.Offset)
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// ByClientID returns the id of the row of table that a phone already sent
// with clientID (a client-made UUID), or "" when there is none or clientID is
// empty: the lookup that makes a resend a no-op.
func ByClientID(ctx context.Context, q Queryer, table, clientID string) (string, error) {
	if clientID == "" {
		return "", nil
	}
	var id string
	err := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT id FROM %s WHERE client_id = $1`, table), clientID).Scan(&id)
	if IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up client id in %s: %w", table, err)
	}
	return id, nil
}
