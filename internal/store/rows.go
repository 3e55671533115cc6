package store

import "github.com/google/uuid"

// Row is what a row scanner reads from: a *sql.Row, or *sql.Rows positioned
// on a row. Every store's scanX(Row) function takes it, so one scanner
// serves a get by id and a list alike.
type Row interface{ Scan(dest ...any) error }

// NewID returns a new record id: a UUIDv7, so ids sort by creation time
// and index well on both engines.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NullIfEmpty stores an empty string as NULL, for optional text columns
// (a unique client id, an optional reference).
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
