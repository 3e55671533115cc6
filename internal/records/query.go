package records

import (
	"context"
	"fmt"

	"gridwork/internal/store"
)

// What other packages read of the ledgers' tables. Only this package names
// people and houses in its SQL (a test in internal/store checks it); a
// package whose own rows point at a person or a house, and must join them
// for speed over many rows, joins these derived tables, whose columns are
// the ones records answers for.

// PersonRows is a derived table of the person records, with the columns id,
// grid_id, house_id, id_index, id_masked, name, phone, address, status,
// entered_at and end_entered_at: JOIN `+records.PersonRows+` p ON ….
const PersonRows = `(SELECT id, grid_id, house_id, id_index, id_masked, name, phone, address, status, entered_at, end_entered_at FROM people)`

// HouseRows is a derived table of the house records, with the columns id,
// grid_id, address, purpose and ended_on: JOIN `+records.HouseRows+` h ON ….
const HouseRows = `(SELECT id, grid_id, address, purpose, ended_on FROM houses)`

// AnySealedIDNumber returns one stored person's sealed identity number, or
// "" when there is no person yet: enough to check that the field key is
// the one the ledger was sealed with.
func AnySealedIDNumber(ctx context.Context, q store.Queryer) (string, error) {
	var sealed string
	err := q.QueryRowContext(ctx, `SELECT id_sealed FROM people LIMIT 1`).Scan(&sealed)
	if store.IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("records: a sealed identity number: %w", err)
	}
	return sealed, nil
}
