package records

import (
	"context"
	"time"

	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// resent reads into out the record that an earlier send with clientID
// stored in table, read by get. done says the create stops here: there was
// one (a resend is a no-op that returns the first) or err.
func resent[T any](ctx context.Context, q store.Queryer, table, clientID string,
	get func(context.Context, store.Queryer, string) (T, error), out *T) (done bool, err error) {
	id, err := store.ByClientID(ctx, q, table, clientID)
	if err != nil || id == "" {
		return err != nil, err
	}
	*out, err = get(ctx, q, id)
	return true, err
}

// registering is the lifecycle of a record registered now by actor.
func registering(began dates.Date, now time.Time, clientID, actor string) Lifecycle {
	return Lifecycle{Status: Active, BeganOn: began, EnteredAt: now, Version: 1, ClientID: clientID, CreatedBy: actor, UpdatedAt: now}
}

// endAudited ends the record id of table (endRecord, logged as entity) in
// one audited transaction and returns it as it then stands, read by get.
// check, if not nil, runs first in the transaction and may refuse.
func endAudited[T any](ctx context.Context, s *Store, actor, table, entity, id string, e End,
	get func(context.Context, store.Queryer, string) (T, error), check func(tx store.Tx) error) (T, error) {
	var out T
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if err := s.endRecord(ctx, tx, actor, table, entity, id, e); err != nil {
			return err
		}
		var err error
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}
