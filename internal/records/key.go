package records

import (
	"context"
	"errors"
	"fmt"

	"gridwork/internal/seal"
	"gridwork/internal/store"
)

// WrongKeyError is CheckKey's answer when the stored identity numbers were
// sealed with another key than the store's.
type WrongKeyError struct {
	Err error // what seal said: seal.ErrKeyID or seal.ErrTampered
}

func (e *WrongKeyError) Error() string {
	return "records: the field key is not the key the stored identity numbers were sealed with: " + e.Err.Error()
}

func (e *WrongKeyError) Unwrap() error { return e.Err }

// CheckKey opens one stored identity number with the store's key and
// returns a *WrongKeyError when it cannot: a lost or
// replaced key would otherwise leave every sealed value unreadable while
// new ones were sealed with the new key. An empty ledger passes.
func (s *Store) CheckKey(ctx context.Context) error {
	var sealed string
	err := s.db.QueryRowContext(ctx, `SELECT id_sealed FROM people LIMIT 1`).Scan(&sealed)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("records: check field key: %w", err)
	}
	if _, err := s.keys.Open(sealed, idSealContext); errors.Is(err, seal.ErrKeyID) || errors.Is(err, seal.ErrTampered) {
		return &WrongKeyError{Err: err}
	}
	return nil
}
