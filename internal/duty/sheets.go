package duty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Sheet is a daily work sheet (日工作单): the plan written at sign-in, the
// result at sign-out. Its day is the Shanghai day of the sign-in.
type Sheet struct {
	ID          string     `json:"id"`
	ClientID    string     `json:"client_id,omitempty"`
	WorkerID    string     `json:"worker_id"`
	Day         dates.Date `json:"day"`
	SignedInAt  time.Time  `json:"signed_in_at"`
	Plan        string     `json:"plan"`
	Lat         *float64   `json:"lat,omitempty"`
	Lon         *float64   `json:"lon,omitempty"`
	SignedOutAt *time.Time `json:"signed_out_at,omitempty"`
	Result      string     `json:"result,omitempty"`
	EnteredBy   string     `json:"entered_by"`
	EnteredAt   time.Time  `json:"entered_at"`
	// LateMinutes is how late the sign-in was against the day's start of
	// work (moved past approved leave); 0 when on time or on a day off.
	// Filled by Sheets and MonthView, not stored.
	LateMinutes int `json:"late_minutes"`
}

// NewSignIn signs a worker in with the day's plan.
type NewSignIn struct {
	ClientID string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	WorkerID string    `json:"worker_id,omitempty" doc:"default: the caller's own worker"`
	At       time.Time `json:"at,omitempty" doc:"default now"`
	Plan     string    `json:"plan" doc:"the day's plan: which households, what for"`
	Lat      *float64  `json:"lat,omitempty"`
	Lon      *float64  `json:"lon,omitempty"`
	// SignedOutAt and Result close the sheet at once: a paper sheet
	// entered after the day by staff.
	SignedOutAt *time.Time `json:"signed_out_at,omitempty" doc:"for a sheet entered after the day: when the worker signed out"`
	Result      string     `json:"result,omitempty" doc:"with signed_out_at: what was done"`
}

// SignOut signs a worker out with the day's result.
type SignOut struct {
	At     time.Time `json:"at,omitempty" doc:"default now"`
	Result string    `json:"result" doc:"what was done"`
}

const sheetColumns = `id, COALESCE(client_id, ''), worker_id, day, signed_in_at, plan, in_lat, in_lon, signed_out_at, result, entered_by, entered_at`

func scanSheet(row store.Row) (Sheet, error) {
	var x Sheet
	err := row.Scan(&x.ID, &x.ClientID, &x.WorkerID, &x.Day, &x.SignedInAt, &x.Plan, &x.Lat, &x.Lon, &x.SignedOutAt, &x.Result, &x.EnteredBy, &x.EnteredAt)
	return x, err
}

var getSheet = byID("duty_sheets", sheetColumns, "work sheet", scanSheet)

// GetSheet returns one work sheet. Errors: NotFound.
func (s *Store) GetSheet(ctx context.Context, id string) (Sheet, error) {
	return getSheet(ctx, s.db.Q(ctx), id)
}

// SignIn opens the worker's work sheet of the day of in.At with the plan;
// with SignedOutAt and Result it also closes it (a paper sheet entered
// afterwards). A resend with the same ClientID returns the first sheet. Errors: Invalid
// naming each bad field (no plan, a time in the future, lat without lon, a
// result without signed_out_at or a sign-out before the sign-in);
// Conflict when the worker has signed in that day already.
func (s *Store) SignIn(ctx context.Context, actor string, in NewSignIn) (Sheet, error) {
	var out Sheet
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_sheets", in.ClientID, "cannot sign in", getSheet, &out); done {
			return err
		}
		var p problems
		if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
			return err
		}
		if in.At.IsZero() {
			in.At = s.now()
		}
		s.notFuture(&p, "at", in.At)
		in.Plan = strings.TrimSpace(in.Plan)
		p.text("plan", in.Plan, MaxText, true)
		if (in.Lat == nil) != (in.Lon == nil) {
			p.add("lat", "lat and lon go together")
		} else if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lon < -180 || *in.Lon > 180) {
			p.add("lat", "is not a WGS84 position")
		}
		var outAt *time.Time
		in.Result = strings.TrimSpace(in.Result)
		if in.SignedOutAt != nil {
			t := micro(*in.SignedOutAt)
			outAt = &t
			s.notFuture(&p, "signed_out_at", t)
			if t.Before(in.At) {
				p.add("signed_out_at", "is before the sign-in")
			}
			p.text("result", in.Result, MaxText, true)
		} else if in.Result != "" {
			p.add("result", "goes with signed_out_at; sign out to give the day's result")
		}
		if err := p.err("cannot sign in"); err != nil {
			return err
		}
		at := micro(in.At)
		day := dates.Of(at)
		var have string
		err := tx.QueryRowContext(ctx, `SELECT id FROM duty_sheets WHERE worker_id = $1 AND day = $2`, in.WorkerID, day).Scan(&have)
		if err == nil {
			return apperr.New(apperr.Conflict, "the worker signed in on %s already (work sheet %s)", day, have)
		}
		if !store.IsNoRows(err) {
			return fmt.Errorf("duty: sign in: %w", err)
		}
		now := s.now()
		out = Sheet{ID: store.NewID(), ClientID: in.ClientID, WorkerID: in.WorkerID, Day: day, SignedInAt: at, Plan: in.Plan, Lat: in.Lat, Lon: in.Lon,
			SignedOutAt: outAt, Result: in.Result, EnteredBy: actor, EnteredAt: now}
		_, err = tx.ExecContext(ctx, `INSERT INTO duty_sheets (id, client_id, worker_id, day, signed_in_at, plan, in_lat, in_lon, signed_out_at, result, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			out.ID, store.NullIfEmpty(out.ClientID), out.WorkerID, day, at, out.Plan, out.Lat, out.Lon, outAt, out.Result, actor, now)
		if err != nil {
			return fmt.Errorf("duty: sign in: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "sign_in", Entity: "duty_sheet", EntityID: out.ID, After: out})
		return err
	})
	return out, err
}

// SignOut closes work sheet id with the day's result. Signing out a sheet
// already signed out is a no-op that returns it (a resend). Errors:
// NotFound; Invalid for no result, or a time before the sign-in or in the
// future.
func (s *Store) SignOut(ctx context.Context, actor, id string, in SignOut) (Sheet, error) {
	return edit(ctx, s, actor, id, "duty_sheet", getSheet, func(tx store.Tx, x *Sheet) (string, error) {
		if x.SignedOutAt != nil {
			return "", nil
		}
		var p problems
		if in.At.IsZero() {
			in.At = s.now()
		}
		s.notFuture(&p, "at", in.At)
		if in.At.Before(x.SignedInAt) {
			p.add("at", "is before the sign-in")
		}
		in.Result = strings.TrimSpace(in.Result)
		p.text("result", in.Result, MaxText, true)
		if err := p.err("cannot sign out"); err != nil {
			return "", err
		}
		at := micro(in.At)
		x.SignedOutAt, x.Result = &at, in.Result
		if _, err := tx.ExecContext(ctx, `UPDATE duty_sheets SET signed_out_at = $1, result = $2 WHERE id = $3`, at, in.Result, id); err != nil {
			return "", fmt.Errorf("duty: sign out: %w", err)
		}
		return "sign_out", nil
	})
}

// Sheets returns the work sheets in scope from from to to (both included;
// zero for no bound), by day and worker, with their lateness.
func (s *Store) Sheets(ctx context.Context, sc Scope, from, to dates.Date) ([]Sheet, error) {
	var args store.Args
	prefix, cond := workerScope(&args, sc, "worker_id", s.today())
	cond = onDays(&args, cond, "day", from, to)
	out, err := store.All(ctx, s.db.Q(ctx), "duty work sheets", prefix+`SELECT `+sheetColumns+` FROM duty_sheets WHERE `+cond+` ORDER BY day, worker_id`, args, scanSheet)
	if err != nil || len(out) == 0 {
		return out, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := out[0].Day, out[0].Day
	for _, x := range out {
		if x.Day.Before(lo) {
			lo = x.Day
		}
		if x.Day.After(hi) {
			hi = x.Day
		}
	}
	leave, err := s.ApprovedLeave(ctx, lo.Start(), hi.AddDays(1).Start())
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].LateMinutes = lateMinutes(cal, leave[out[i].WorkerID], out[i])
	}
	return out, nil
}
