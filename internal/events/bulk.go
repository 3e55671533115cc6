package events

import (
	"context"
	"database/sql"
	"sync"

	"gridwork/internal/store"
)

// SetBulk switches the store to bulk mode for a long single-transaction
// load such as the demo's: statements are prepared once per transaction and
// reused (SQLite spends a third of such a load parsing the same SQL again),
// and the calendar should be pinned (PinCalendar). Bulk mode keeps one
// transaction's statements at a time: leave it off for concurrent use.
func (s *Store) SetBulk(on bool) {
	s.bulk.Lock()
	defer s.bulk.Unlock()
	s.bulk.on, s.bulk.q = on, nil
}

// bulkState is the bulk mode and its statement cache.
type bulkState struct {
	sync.Mutex
	on bool
	q  *stmtQueryer
}

// q returns what the store's statements in tx run through: tx itself, or
// in bulk mode a statement cache on it.
func (s *Store) q(tx store.Tx) store.Queryer {
	s.bulk.Lock()
	defer s.bulk.Unlock()
	if !s.bulk.on {
		return tx
	}
	if s.bulk.q == nil || s.bulk.q.tx != tx {
		s.bulk.q = &stmtQueryer{tx: tx, stmts: map[string]*sql.Stmt{}}
	}
	return s.bulk.q
}

// stmtQueryer runs statements prepared once on its transaction. They are
// closed with it.
type stmtQueryer struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (c *stmtQueryer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// ExecContext implements store.Queryer.
func (c *stmtQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext implements store.Queryer.
func (c *stmtQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext implements store.Queryer; a statement that does not
// prepare runs unprepared, so that its row carries the error.
func (c *stmtQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
