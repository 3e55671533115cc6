package duty

import (
	"context"
	"fmt"

	"gridwork/internal/apperr"
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
