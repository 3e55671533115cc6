// Package filestest records files for tests that need a stored file's hash
// but not its bytes.
package filestest

import (
	"context"
	"strings"
	"testing"

	"gridwork/internal/store"
)

// Photo records a one-byte JPEG named p.jpg, with no bytes on disk, and
// returns its hash: enough for a record, an event or a sheet to refer to it.
func Photo(tb testing.TB, db *store.DB) string {
	tb.Helper()
	sum := strings.Repeat("ab", 32)
	if _, err := db.ExecContext(context.Background(), `INSERT INTO files (sha256, size, mime, name, created_at, created_by) VALUES ($1, 1, 'image/jpeg', 'p.jpg', $2, 'test')`,
		sum, store.Now()); err != nil {
		tb.Fatal(err)
	}
	return sum
}
