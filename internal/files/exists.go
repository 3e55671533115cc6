package files

import (
	"context"
	"fmt"

	"gridwork/internal/store"
)

// Exists reports whether a file with hash sha256 was uploaded: what a
// record naming a photo or document checks before it stores the name. It
// reads through q, so a caller checking inside its transaction passes its
// tx. Only this package names the files table in its SQL.
func Exists(ctx context.Context, q store.Queryer, sha256 string) (bool, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = $1)`, sha256).Scan(&exists); err != nil {
		return false, fmt.Errorf("files: look up %s: %w", sha256, err)
	}
	return exists, nil
}
