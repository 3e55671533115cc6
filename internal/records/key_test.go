package records_test

import (
	"bytes"
	"errors"
	"testing"

	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestCheckKey: an empty ledger passes any key; once an identity number is
// stored, its own key passes and another is refused.
func TestCheckKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tw := newTown(t, db)
		other, err := seal.New("other", bytes.Repeat([]byte{8}, seal.MaterialSize))
		if err != nil {
			t.Fatal(err)
		}
		if err := records.NewStore(db, tw.orgs, other).CheckKey(bg); err != nil {
			t.Fatalf("empty ledger, another key: %v", err)
		}
		tw.person(t, tw.g1, records.Registered, "1980-01-02", 1, "2026-01-02")
		if err := tw.rec.CheckKey(bg); err != nil {
			t.Fatalf("own key: %v", err)
		}
		err = records.NewStore(db, tw.orgs, other).CheckKey(bg)
		var wrong *records.WrongKeyError
		if !errors.As(err, &wrong) || !errors.Is(err, seal.ErrKeyID) {
			t.Fatalf("another key: %v, want a WrongKeyError of seal.ErrKeyID", err)
		}
	})
}
