package records_test

import (
	"testing"

	"gridwork/internal/records"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// TestAnySealedIDNumber checks what the key check at start reads: nothing
// in an empty ledger, then a sealed number the field key opens.
func TestAnySealedIDNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if s, err := records.AnySealedIDNumber(bg, db.Q(bg)); err != nil || s != "" {
			t.Fatalf("AnySealedIDNumber of an empty ledger = %q, %v", s, err)
		}
		tw := newTown(t, db)
		tw.person(t, tw.g1, records.Registered, "1980-01-01", 1, "2026-01-01")
		s, err := records.AnySealedIDNumber(bg, db.Q(bg))
		if err != nil || s == "" {
			t.Fatalf("AnySealedIDNumber = %q, %v", s, err)
		}
		if n, err := tw.keys.Open(s, "person.id_number"); err != nil || n != idNumber("1980-01-01", 1) {
			t.Errorf("the sealed number opens to %q, %v", n, err)
		}
	})
}
