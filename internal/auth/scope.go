package auth

import (
	"context"
	"sync"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
)

// Scope is who may see what, resolved once per request: the caller, the org
// subtree they see and what their role allows (the permissions table). The
// API asks it instead of looking at the role, so that the one table decides.
type Scope struct {
	store *Store
	user  User

	// The units of the subtree today and the workers whose home unit lies
	// in it, each read once when first needed.
	unitsOnce, workersOnce, aboveOnce sync.Once
	units, workers, above             map[string]bool
	unitsErr, workersErr              error
}

// ScopeOf resolves u's scope.
func (s *Store) ScopeOf(u User) *Scope { return &Scope{store: s, user: u} }

// User returns the caller.
func (sc *Scope) User() User { return sc.user }

// Can reports whether the caller's role allows a.
func (sc *Scope) Can(a Action) bool { return Allowed(sc.user.Role, a) }

// Require returns Forbidden unless the caller's role allows a.
func (sc *Scope) Require(a Action) error { return Require(sc.user, a) }

// Everywhere reports whether the caller's scope is the whole tree.
func (sc *Scope) Everywhere() bool { return sc.Can(SeeEverywhere) }

// Root returns the root of the subtree lists are cut to, or "" for
// everything.
func (sc *Scope) Root() string {
	if sc.Everywhere() {
		return ""
	}
	return sc.user.ScopeUnitID
}

// OwnOnly reports whether the caller sees only their own personal records
// (duty, patrols, facts, quizzes, fix tasks, findings, appeals, scores), and
// returns their worker id, which may be empty for an account not linked to
// a worker.
func (sc *Scope) OwnOnly() (workerID string, only bool) {
	if sc.Can(SeeColleagues) {
		return "", false
	}
	return sc.user.WorkerID, true
}

// Check returns nil if unitID lies in the scope on d, Forbidden otherwise.
func (sc *Scope) Check(ctx context.Context, unitID string, d dates.Date) error {
	return sc.store.CheckScope(ctx, sc.user, unitID, d)
}

// CheckWrite returns nil if the caller may perform the write action a on
// unitID on d (see Store.CheckWrite).
func (sc *Scope) CheckWrite(ctx context.Context, a Action, unitID string, d dates.Date) error {
	return sc.store.CheckWrite(ctx, sc.user, a, unitID, d)
}

// Units returns the ids of the units in the scope today, or nil for
// everything. It reads the tree once per Scope, for the lists that are
// still cut in Go.
func (sc *Scope) Units(ctx context.Context) (map[string]bool, error) {
	if sc.Everywhere() {
		return nil, nil
	}
	sc.unitsOnce.Do(func() {
		units, _, err := sc.store.org.ListUnits(ctx, org.UnitQuery{On: dates.Today(), WithinID: sc.user.ScopeUnitID, WithoutGeometry: true})
		if err != nil {
			sc.unitsErr = err
			return
		}
		sc.units = make(map[string]bool, len(units))
		for _, u := range units {
			sc.units[u.ID] = true
		}
	})
	return sc.units, sc.unitsErr
}

// Workers returns the ids of the workers whose home unit lies in the scope
// today, or nil for everyone. It reads them once per Scope.
func (sc *Scope) Workers(ctx context.Context) (map[string]bool, error) {
	if sc.Everywhere() {
		return nil, nil
	}
	sc.workersOnce.Do(func() {
		ws, _, err := sc.store.org.ListWorkers(ctx, org.WorkerQuery{WithinID: sc.user.ScopeUnitID, On: dates.Today()})
		if err != nil {
			sc.workersErr = err
			return
		}
		sc.workers = make(map[string]bool, len(ws))
		for _, w := range ws {
			sc.workers[w.ID] = true
		}
	})
	return sc.workers, sc.workersErr
}

// Contains reports whether unitID lies in the scope today, from Units.
func (sc *Scope) Contains(ctx context.Context, unitID string) (bool, error) {
	units, err := sc.Units(ctx)
	if err != nil || units == nil {
		return err == nil, err
	}
	return units[unitID], nil
}

// Overlaps reports whether unitID lies in the scope today or above it (the
// scope lies in the unit's subtree): a street's survey or spot-check round
// covers its communities' staff too. The units above are read once per
// Scope.
func (sc *Scope) Overlaps(ctx context.Context, unitID string) (bool, error) {
	if in, err := sc.Contains(ctx, unitID); err != nil || in {
		return in, err
	}
	sc.aboveOnce.Do(func() {
		sc.above = map[string]bool{}
		if sc.user.ScopeUnitID == "" {
			return
		}
		// A scope unit not in force today has nothing above it.
		chain, err := sc.store.org.Ancestors(ctx, sc.user.ScopeUnitID, dates.Today())
		if err != nil {
			return
		}
		for _, u := range chain {
			sc.above[u.ID] = true
		}
	})
	return sc.above[unitID], nil
}

// SeesWholeRun reports whether the caller sees the whole league table of a
// run of unitID: their role reads whole runs and the run's unit is in their
// scope. Others see the rows of the communities in their scope.
func (sc *Scope) SeesWholeRun(ctx context.Context, runUnitID string) bool {
	return sc.Can(ReadWholeRuns) && sc.Check(ctx, runUnitID, dates.Today()) == nil
}

// CheckManages refuses to let the caller create or reset an account of
// role r with scope scopeUnitID above their own standing or outside their
// scope.
func (sc *Scope) CheckManages(ctx context.Context, r Role, scopeUnitID string) error {
	if sc.Everywhere() {
		return nil
	}
	if !sc.Can(ManageStaffAccounts) && (r == Admin || r == CentreStaff) {
		return apperr.New(apperr.Forbidden, "only an admin manages admin and centre staff accounts")
	}
	if scopeUnitID == "" {
		return apperr.Field("scope_unit_id", "is required")
	}
	return sc.Check(ctx, scopeUnitID, dates.Today())
}
