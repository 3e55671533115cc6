package duty

import (
	"context"
	"fmt"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// getRow reads the row of table with id through scan; a missing one is
// NotFound as "no <what> <id>". Every record of this package is read by id
// this way, so that a missing record reads the same everywhere.
func getRow[T any](ctx context.Context, q store.Queryer, table, columns, what, id string, scan func(store.Row) (T, error)) (T, error) {
	x, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM `+table+` WHERE id = $1`, id))
	if store.IsNoRows(err) {
		var none T
		return none, apperr.New(apperr.NotFound, "no %s %s", what, id)
	}
	if err != nil {
		var none T
		return none, fmt.Errorf("duty: %s %s: %w", what, id, err)
	}
	return x, nil
}

// byID makes the reader of one record of table by id (getRow).
func byID[T any](table, columns, what string, scan func(store.Row) (T, error)) func(context.Context, store.Queryer, string) (T, error) {
	return func(ctx context.Context, q store.Queryer, id string) (T, error) {
		return getRow(ctx, q, table, columns, what, id, scan)
	}
}

// resent handles the start of a create that a phone may send again: a
// malformed clientID is Invalid (refused as refusal says); a clientID
// already stored in table means the first send's record, read by get into
// out. done says the create stops here (with err, nil for a resend).
func resent[T any](ctx context.Context, tx store.Tx, table, clientID, refusal string,
	get func(context.Context, store.Queryer, string) (T, error), out *T) (done bool, err error) {
	var p problems
	p.clientID(clientID)
	if err := p.err(refusal); err != nil {
		return true, err
	}
	id, err := store.ByClientID(ctx, tx, table, clientID)
	if err != nil || id == "" {
		return err != nil, err
	}
	*out, err = get(ctx, tx, id)
	return true, err
}

// onDays narrows cond to rows whose date column col is from from to to,
// both included; a zero bound is no bound.
func onDays(args *store.Args, cond, col string, from, to dates.Date) string {
	if !from.IsZero() {
		cond += " AND " + col + " >= " + args.Add(from)
	}
	if !to.IsZero() {
		cond += " AND " + col + " <= " + args.Add(to)
	}
	return cond
}

// edit changes the record id in one audited transaction: it reads the
// record with get and lets apply change it and store the change. apply
// returns the audit action, or "" when nothing changed (a resend, which
// is not logged); a change is logged on entity with the record before and
// after. edit returns the record as it stands after.
func edit[T any](ctx context.Context, s *Store, actor, id, entity string,
	get func(context.Context, store.Queryer, string) (T, error), apply func(tx store.Tx, x *T) (action string, err error)) (T, error) {
	var out T
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		x, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		before := x
		action, err := apply(tx, &x)
		if err != nil {
			return err
		}
		out = x
		if action == "" {
			return nil
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Entity: entity, EntityID: id, Before: before, After: x})
		return err
	})
	return out, err
}
