package duty

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Client is where a worker signed in: the phone app or the PC system.
type Client string

// The clients.
const (
	App Client = "app" // 网格E通 or the worker's phone app
	PC  Client = "pc"  // the centre's PC system (office-based full-timers)
)

// Valid reports whether c is a known client.
func (c Client) Valid() bool { return c == App || c == PC }

// Login is one worker's first sign-in of a day on one client.
type Login struct {
	WorkerID  string     `json:"worker_id"`
	Day       dates.Date `json:"day"`
	Client    Client     `json:"client" enum:"app,pc"`
	FirstAt   time.Time  `json:"first_at"`
	Source    string     `json:"source" enum:"auto,manual" doc:"auto: seen by the API; manual: entered by staff"`
	EnteredBy string     `json:"entered_by"`
}

// loginCache remembers the (worker, client) pairs stored for the current
// day, so that NoteLogin, called on every authenticated request, touches
// the database once a day per worker and client. It forgets everything
// when the day changes.
type loginCache struct {
	mu   sync.Mutex
	day  dates.Date
	seen map[string]bool
}

// NoteLogin records that worker signed in on client at instant at (the
// Shanghai day of at), unless that day's login on that client is stored
// already: the first sign-in of the day is kept. It is the automatic
// capture the API calls when it authenticates a worker's request, and is
// not audited (the session or token it follows is). Cheap when repeated:
// after the first call of a day it does not touch the database.
func (s *Store) NoteLogin(ctx context.Context, workerID string, c Client, at time.Time) error {
	if workerID == "" || !c.Valid() {
		return nil
	}
	at = micro(at)
	day := dates.Of(at)
	key := workerID + "|" + string(c)
	s.logins.mu.Lock()
	if s.logins.day != day {
		if day.After(s.logins.day) {
			s.logins.day, s.logins.seen = day, map[string]bool{}
		} else {
			// An earlier day (the demo, or a clock in a test): do not
			// disturb today's cache.
			s.logins.mu.Unlock()
			return s.insertLogin(ctx, s.db.Q(ctx), workerID, day, c, at, "auto", "system")
		}
	}
	done := s.logins.seen[key]
	s.logins.mu.Unlock()
	if done {
		return nil
	}
	if err := s.insertLogin(ctx, s.db.Q(ctx), workerID, day, c, at, "auto", "system"); err != nil {
		return err
	}
	s.logins.mu.Lock()
	if s.logins.day == day {
		s.logins.seen[key] = true
	}
	s.logins.mu.Unlock()
	return nil
}

func (s *Store) insertLogin(ctx context.Context, q store.Queryer, workerID string, day dates.Date, c Client, at time.Time, source, by string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO duty_logins (worker_id, day, client, first_at, source, entered_by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (worker_id, day, client) DO NOTHING`, workerID, day, c, at, source, by)
	if err != nil {
		return fmt.Errorf("duty: note login: %w", err)
	}
	return nil
}

// NewLogin is a login staff enter by hand, e.g. from the platform's own
// login list when the worker used it rather than gridwork.
type NewLogin struct {
	WorkerID string    `json:"worker_id"`
	Client   Client    `json:"client" enum:"app,pc"`
	At       time.Time `json:"at" doc:"when the worker signed in"`
}

// RecordLogin stores a login entered by actor, audited. A login of the
// same worker, day and client already stored is kept (the earlier one
// wins) and returned. Errors: Invalid naming each bad field.
func (s *Store) RecordLogin(ctx context.Context, actor string, in NewLogin) (Login, error) {
	var out Login
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var p problems
		if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
			return err
		}
		if !in.Client.Valid() {
			p.add("client", "%q is not app or pc", in.Client)
		}
		if in.At.IsZero() {
			p.add("at", "is required")
		}
		s.notFuture(&p, "at", in.At)
		if err := p.err("cannot record login"); err != nil {
			return err
		}
		at := micro(in.At)
		day := dates.Of(at)
		existing, err := getLogin(ctx, tx, in.WorkerID, day, in.Client)
		if err != nil {
			return err
		}
		if existing != nil && !existing.FirstAt.After(at) {
			out = *existing
			return nil
		}
		if existing != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE duty_logins SET first_at = $1, source = 'manual', entered_by = $2
				WHERE worker_id = $3 AND day = $4 AND client = $5`, at, actor, in.WorkerID, day, in.Client); err != nil {
				return fmt.Errorf("duty: record login: %w", err)
			}
		} else if err := s.insertLogin(ctx, tx, in.WorkerID, day, in.Client, at, "manual", actor); err != nil {
			return err
		}
		out = Login{WorkerID: in.WorkerID, Day: day, Client: in.Client, FirstAt: at, Source: "manual", EnteredBy: actor}
		var before any
		if existing != nil {
			before = *existing
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "record_login", Entity: "duty_login",
			EntityID: in.WorkerID + "/" + day.String() + "/" + string(in.Client), Before: before, After: out})
		return err
	})
	return out, err
}

const loginColumns = `worker_id, day, client, first_at, source, entered_by`

func scanLogin(row store.Row) (Login, error) {
	var l Login
	err := row.Scan(&l.WorkerID, &l.Day, &l.Client, &l.FirstAt, &l.Source, &l.EnteredBy)
	return l, err
}

func getLogin(ctx context.Context, q store.Queryer, worker string, day dates.Date, c Client) (*Login, error) {
	l, err := scanLogin(q.QueryRowContext(ctx, `SELECT `+loginColumns+` FROM duty_logins WHERE worker_id = $1 AND day = $2 AND client = $3`, worker, day, c))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("duty: login: %w", err)
	}
	return &l, nil
}

// Logins returns the logins in scope from from to to (both included; zero
// for no bound), by day, worker and client.
func (s *Store) Logins(ctx context.Context, sc Scope, from, to dates.Date) ([]Login, error) {
	var args store.Args
	prefix, cond := workerScope(&args, sc, "worker_id", s.today())
	cond = onDays(&args, cond, "day", from, to)
	out, err := store.All(ctx, s.db.Q(ctx), "duty: logins", prefix+`SELECT `+loginColumns+` FROM duty_logins WHERE `+cond+` ORDER BY day, worker_id, client`, args, scanLogin)
	if out == nil {
		out = []Login{}
	}
	return out, err
}

// Profile is a worker's duty settings.
type Profile struct {
	WorkerID string `json:"worker_id,omitempty"`
	// OfficeBased marks a full-timer based at the community office (居委会
	// 驻地专职网格员), who must sign in to the PC system every working day
	// as well as the app (seed 001).
	OfficeBased bool `json:"office_based"`
	// AppInstalledOn is when the app was installed on the work phone (seed
	// 003 item 7); null if not recorded. A worker's first app login also
	// shows the app installed.
	AppInstalledOn dates.Date `json:"app_installed_on,omitempty"`
	AppDevice      string     `json:"app_device,omitempty"`
	UpdatedBy      string     `json:"updated_by,omitempty"`
	UpdatedAt      time.Time  `json:"updated_at,omitempty"`
}

func getProfile(ctx context.Context, q store.Queryer, worker string) (*Profile, error) {
	var p Profile
	err := q.QueryRowContext(ctx, `SELECT worker_id, office_based, app_installed_on, app_device, updated_by, updated_at FROM duty_profiles WHERE worker_id = $1`, worker).
		Scan(&p.WorkerID, &p.OfficeBased, &p.AppInstalledOn, &p.AppDevice, &p.UpdatedBy, &p.UpdatedAt)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("duty: profile: %w", err)
	}
	return &p, nil
}

// Profile returns a worker's duty profile; a worker without one gets the
// defaults (not office-based, no app installation recorded).
func (s *Store) Profile(ctx context.Context, workerID string) (Profile, error) {
	p, err := getProfile(ctx, s.db.Q(ctx), workerID)
	if err != nil || p != nil {
		if p == nil {
			return Profile{}, err
		}
		return *p, err
	}
	return Profile{WorkerID: workerID}, nil
}

// SetProfile replaces a worker's duty profile, audited. Errors: Invalid
// for an unknown worker, an installation date in the future or a device
// name too long.
func (s *Store) SetProfile(ctx context.Context, actor string, in Profile) (Profile, error) {
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var p problems
		if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
			return err
		}
		if in.AppInstalledOn.After(s.today()) {
			p.add("app_installed_on", "%s is in the future", in.AppInstalledOn)
		}
		p.text("app_device", in.AppDevice, maxTitle, false)
		if err := p.err("cannot set duty profile"); err != nil {
			return err
		}
		before, err := getProfile(ctx, tx, in.WorkerID)
		if err != nil {
			return err
		}
		in.UpdatedBy, in.UpdatedAt = actor, s.now()
		var installed any
		if !in.AppInstalledOn.IsZero() {
			installed = in.AppInstalledOn
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO duty_profiles (worker_id, office_based, app_installed_on, app_device, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (worker_id) DO UPDATE SET office_based = excluded.office_based, app_installed_on = excluded.app_installed_on,
				app_device = excluded.app_device, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			in.WorkerID, in.OfficeBased, installed, in.AppDevice, actor, in.UpdatedAt)
		if err != nil {
			return fmt.Errorf("duty: set profile: %w", err)
		}
		action, b := "create", any(nil)
		if before != nil {
			action, b = "update", *before
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Entity: "duty_profile", EntityID: in.WorkerID, Before: b, After: in})
		return err
	})
	if err != nil {
		return Profile{}, err
	}
	return in, nil
}
