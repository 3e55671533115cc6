package inspect

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// Store plans spot-check rounds and keeps what the inspectors find.
type Store struct {
	db    *store.DB
	org   *org.Store
	rec   *records.Store
	users *auth.Store
	cal   *workcal.Store
	// clock is the time now; tests and the demo use a store of their own
	// with another (WithClock).
	clock func() time.Time
}

// NewStore returns a Store.
func NewStore(db *store.DB, orgs *org.Store, rec *records.Store, users *auth.Store, cal *workcal.Store) *Store {
	return &Store{db: db, org: orgs, rec: rec, users: users, cal: cal, clock: time.Now}
}

// WithClock returns a store like s that reads the time from clock, for
// tests and the demo, which enters history: s itself is left as it is.
func (s *Store) WithClock(clock func() time.Time) *Store {
	c := *s
	c.clock = clock
	return &c
}

func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// FixDays is how many days a worker has to fix what a check found (seed
// 004 does not say; 取舍: a week, the usual 整改 period).
const FixDays = 7

// Forms returns the built-in form and the stored ones, by code; a stored
// form of the built-in's code replaces it.
func (s *Store) Forms(ctx context.Context) ([]Form, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT body FROM inspect_forms ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("inspect: forms: %w", err)
	}
	defer rows.Close()
	out := []Form{BuiltinForm()}
	for rows.Next() {
		var body string
		var f Form
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, fmt.Errorf("inspect: stored form: %w", err)
		}
		if f.Code == builtinForm.Code {
			out[0] = f
		} else {
			out = append(out, f)
		}
	}
	return out, rows.Err()
}

// Form returns the form with code. Errors: NotFound.
func (s *Store) Form(ctx context.Context, code string) (Form, error) {
	fs, err := s.Forms(ctx)
	if err != nil {
		return Form{}, err
	}
	for _, f := range fs {
		if f.Code == code {
			return f, nil
		}
	}
	return Form{}, apperr.New(apperr.NotFound, "no check form %q", code)
}

// SaveForm stores f, replacing the stored form of its code. Rounds already
// drawn keep the form they were drawn with. Errors: Invalid.
func (s *Store) SaveForm(ctx context.Context, actor string, f Form) error {
	if err := f.Validate(); err != nil {
		return apperr.New(apperr.Invalid, "check form: %v", err)
	}
	body, _ := json.Marshal(f)
	return s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM inspect_forms WHERE code = $1`, f.Code); err != nil {
			return fmt.Errorf("inspect: save form: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_forms (code, body, updated_by, updated_at) VALUES ($1, $2, $3, $4)`,
			f.Code, string(body), actor, s.now()); err != nil {
			return fmt.Errorf("inspect: save form: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "save", Entity: "inspect_form", EntityID: f.Code, After: f})
		return err
	})
}

// NewRound asks for a round to be drawn.
type NewRound struct {
	// Title defaults to "<from> 至 <to> 网格实地督查".
	Title string `json:"title,omitempty"`
	// UnitID is the street (or community) whose grids are candidates.
	UnitID string     `json:"unit_id"`
	From   dates.Date `json:"from"`
	To     dates.Date `json:"to"`
	// Grids is how many grids to draw; 0 draws enough to visit every grid
	// about every 1.5 months (seed 004), ceil(candidates / 1.5).
	Grids int `json:"grids,omitempty"`
	// Households per grid; 0 means 10.
	Households int    `json:"households,omitempty"`
	Form       string `json:"form,omitempty"` // default: the built-in form
	// Seed is for tests and re-draws; 0 draws a fresh one from the
	// system's random source.
	Seed uint64 `json:"-"`
}

// Round is a drawn round.
type Round struct {
	ID     string     `json:"id"`
	Title  string     `json:"title"`
	UnitID string     `json:"unit_id"`
	Form   Form       `json:"form"`
	From   dates.Date `json:"from"`
	To     dates.Date `json:"to"`
	// Seed is shown once the round is published (nil before, unless the
	// caller may see it), so that nobody can predict a visit from it.
	Seed        *string    `json:"seed"`
	InputHash   string     `json:"input_hash"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at"`
	Visits      []Visit    `json:"visits,omitempty"`
}

// PlanRound draws a round over the grids of in.UnitID in force on in.From
// and stores it with its seed and inputs. Candidates are every grid; each
// one's weight is the days since its last completed inspection (Weight).
// Inspectors are the inspector accounts (督查员) whose scope covers the
// whole unit; an account scoped to a community, or linked to a worker
// record whose home unit is a community, never inspects that community's
// grids (seed 004's team is
// drawn from the communities and inspects the others). Errors: Invalid
// (dates, sizes, a draw that cannot be made), NotFound (unit, form).
func (s *Store) PlanRound(ctx context.Context, actor string, in NewRound) (Round, error) {
	var bad []apperr.FieldError
	if in.From.IsZero() || in.To.IsZero() || in.To.Before(in.From) {
		bad = append(bad, apperr.FieldError{Field: "to", Reason: "the round needs a first day (from) and a last day (to), in order"})
	}
	if in.Grids < 0 {
		bad = append(bad, apperr.FieldError{Field: "grids", Reason: "must not be negative"})
	}
	if in.Households < 0 {
		bad = append(bad, apperr.FieldError{Field: "households", Reason: "must not be negative"})
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = fmt.Sprintf("%s 至 %s 网格实地督查", in.From, in.To)
	}
	if len(bad) > 0 {
		return Round{}, apperr.InvalidFields("invalid round", bad...)
	}
	if in.Households == 0 {
		in.Households = 10
	}
	if in.Form == "" {
		in.Form = builtinForm.Code
	}
	form, err := s.Form(ctx, in.Form)
	if err != nil {
		return Round{}, err
	}
	unit, err := s.org.GetUnit(ctx, in.UnitID, in.From)
	if err != nil {
		return Round{}, err
	}
	input, owners, err := s.candidates(ctx, unit, in.From)
	if err != nil {
		return Round{}, err
	}
	input.From, input.To, input.Households = in.From, in.To, in.Households
	input.Grids = in.Grids
	if input.Grids == 0 {
		input.Grids = GridsEveryMonths(len(input.Candidates), 1.5)
	}
	if input.Grids > len(input.Candidates) {
		return Round{}, apperr.Field("grids", fmt.Sprintf("%d grids asked for, but %s has %d", input.Grids, unit.Name, len(input.Candidates)))
	}
	input.Seed = in.Seed
	if input.Seed == 0 {
		var b [8]byte
		if _, err := crand.Read(b[:]); err != nil {
			return Round{}, fmt.Errorf("inspect: seed: %w", err)
		}
		input.Seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return Round{}, err
	}
	plan, err := Draw(input, cal)
	if err != nil {
		return Round{}, apperr.New(apperr.Invalid, "%s", strings.TrimPrefix(err.Error(), "inspect: draw: "))
	}
	seed := seedText(input.Seed)
	r := Round{ID: store.NewID(), Title: in.Title, UnitID: unit.ID, Form: form, From: in.From, To: in.To,
		Seed: &seed, InputHash: plan.InputHash, CreatedBy: actor, CreatedAt: s.now()}
	formJSON, _ := json.Marshal(form)
	inputJSON, _ := json.Marshal(input)
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_rounds (id, title, unit_id, form, first_day, last_day, seed, input, input_hash, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.ID, r.Title, r.UnitID, string(formJSON), r.From, r.To, seed, string(inputJSON), r.InputHash, actor, r.CreatedAt); err != nil {
			return fmt.Errorf("inspect: plan round: %w", err)
		}
		for i, v := range plan.Visits {
			hh, _ := json.Marshal(v.Households)
			x := Visit{ID: store.NewID(), RoundID: r.ID, Seq: i + 1, GridID: v.Grid, WorkerID: owners[v.Grid],
				InspectorID: v.Inspector, PlannedAt: v.At, Households: v.Households, Status: "planned"}
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_visits (id, round_id, seq, grid_id, worker_id, inspector_id, planned_at, households, status)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planned')`, x.ID, x.RoundID, x.Seq, x.GridID, x.WorkerID, x.InspectorID, x.PlannedAt, string(hh)); err != nil {
				return fmt.Errorf("inspect: plan round: %w", err)
			}
			r.Visits = append(r.Visits, x)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "plan", Entity: "inspect_round", EntityID: r.ID,
			After: map[string]any{"title": r.Title, "unit": r.UnitID, "from": r.From, "to": r.To, "grids": input.Grids,
				"households": input.Households, "input_hash": r.InputHash, "visits": len(r.Visits)}})
		return err
	})
	if err != nil {
		return Round{}, err
	}
	return r, nil
}

// candidates reads the draw's input from storage: the unit's grids with
// their last inspection and households, and the street's inspectors. It
// also returns each grid's worker.
func (s *Store) candidates(ctx context.Context, unit org.Unit, on dates.Date) (RoundInput, map[string]string, error) {
	var in RoundInput
	grids, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Grid, WithinID: unit.ID, WithoutGeometry: true})
	if err != nil {
		return in, nil, err
	}
	comms, _, err := s.org.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Community, WithoutGeometry: true})
	if err != nil {
		return in, nil, err
	}
	isComm := map[string]bool{}
	for _, c := range comms {
		isComm[c.ID] = true
	}
	owners, err := s.org.GridOwners(ctx, on, on)
	if err != nil {
		return in, nil, err
	}
	community := func(grid string) string {
		for _, a := range owners[grid].Ancestors {
			if isComm[a] {
				return a
			}
		}
		return ""
	}
	ids := make([]string, len(grids))
	for i, g := range grids {
		ids[i] = g.ID
	}
	households, err := s.rec.Households(ctx, ids, on)
	if err != nil {
		return in, nil, err
	}
	last, err := s.lastInspected(ctx)
	if err != nil {
		return in, nil, err
	}
	workers := map[string]string{}
	for _, g := range grids {
		in.Candidates = append(in.Candidates, CandidateGrid{ID: g.ID, Community: community(g.ID), LastInspected: last[g.ID], Households: households[g.ID]})
		workers[g.ID] = owners[g.ID].Worker
	}
	team, err := s.users.ListUsers(ctx)
	if err != nil {
		return in, nil, err
	}
	for _, u := range team {
		if u.Role != auth.Inspector {
			continue
		}
		if u.ScopeUnitID != "" {
			covers, err := s.org.InSubtree(ctx, unit.ID, u.ScopeUnitID, on)
			if err != nil {
				return in, nil, err
			}
			if !covers {
				continue
			}
		}
		p := Inspector{ID: u.ID}
		if isComm[u.ScopeUnitID] {
			p.Community = u.ScopeUnitID
		}
		if u.WorkerID != "" {
			w, err := s.org.GetWorker(ctx, u.WorkerID)
			if err != nil {
				return in, nil, err
			}
			if isComm[w.HomeUnitID] {
				p.Community = w.HomeUnitID
			}
		}
		in.Inspectors = append(in.Inspectors, p)
	}
	return in, workers, nil
}

// lastInspected returns each grid's day of its latest completed visit.
func (s *Store) lastInspected(ctx context.Context) (map[string]dates.Date, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT grid_id, done_at FROM inspect_visits WHERE status = 'done'`)
	if err != nil {
		return nil, fmt.Errorf("inspect: last inspections: %w", err)
	}
	defer rows.Close()
	out := map[string]dates.Date{}
	for rows.Next() {
		var grid string
		var at time.Time
		if err := rows.Scan(&grid, &at); err != nil {
			return nil, fmt.Errorf("inspect: last inspections: %w", err)
		}
		if d := dates.Of(at); d.After(out[grid]) {
			out[grid] = d
		}
	}
	return out, rows.Err()
}
