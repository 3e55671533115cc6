package demo

import (
	"context"
	"fmt"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// DefaultSeed is the seed `serve --demo` and `gridwork demo` use.
const DefaultSeed = 20230601

// DefaultFrom is the date the demo town's tree and assignments start. It is
// fixed (not today) so that the same seed gives the same town on any day.
var DefaultFrom = dates.New(2026, 1, 1)

// Summary counts what Load stored.
type Summary struct {
	Communities, Grids, Workers, Assignments, Users int
	VacantGrids                                     int
}

// IsEmpty reports whether the database holds no org units yet.
func IsEmpty(ctx context.Context, db *store.DB) (bool, error) {
	empty, err := org.NoUnits(ctx, db.Q(ctx))
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return empty, nil
}

// Load stores town in one transaction, through the same store methods the
// API uses (so every rule and the audit apply): all of it, or nothing.
// Accounts are created without a password; an admin activates one with a
// password reset. The admin account itself is made by auth.EnsureAdmin.
func Load(ctx context.Context, db *store.DB, orgs *org.Store, users *auth.Store, town Town) (Summary, error) {
	const actor = "demo"
	var sum Summary
	err := db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		from := town.ValidFrom
		ids := map[string]string{}
		unit := func(level org.Level, spec UnitSpec) error {
			u, err := orgs.CreateUnit(ctx, actor, org.NewUnit{Level: level, ParentID: ids[spec.ParentKey], Name: spec.Name,
				Kind: spec.Kind, Code: spec.Code, Geometry: geo.Marshal(spec.Polygon), ValidFrom: from})
			if err != nil {
				return fmt.Errorf("demo: %s %s: %w", level, spec.Name, err)
			}
			ids[spec.Key] = u.ID
			return nil
		}
		if err := unit(org.District, town.District); err != nil {
			return err
		}
		if err := unit(org.Street, town.Street); err != nil {
			return err
		}
		for _, c := range town.Communities {
			if err := unit(org.Community, c); err != nil {
				return err
			}
		}
		sum.Communities = len(town.Communities)
		for _, g := range town.Grids {
			u, err := orgs.CreateUnit(ctx, actor, org.NewUnit{Level: org.Grid, ParentID: ids[g.CommunityKey], Name: g.Name,
				Geometry: geo.Marshal(g.Polygon), ValidFrom: from})
			if err != nil {
				return fmt.Errorf("demo: grid %s: %w", g.Name, err)
			}
			ids[g.Key] = u.ID
		}
		sum.Grids = len(town.Grids)
		for _, c := range town.Communities {
			if err := orgs.NumberGrids(ctx, actor, ids[c.Key], from); err != nil {
				return fmt.Errorf("demo: number grids of %s: %w", c.Name, err)
			}
		}
		workers := map[string]org.Worker{}
		for _, w := range town.Workers {
			created, err := orgs.CreateWorker(ctx, actor, org.NewWorker{Name: w.Name, Employment: w.Employment, Post: w.Post,
				Phone: w.Phone, InPostSince: w.InPostSince, HomeUnitID: ids[w.CommunityKey]})
			if err != nil {
				return fmt.Errorf("demo: worker %s: %w", w.Name, err)
			}
			workers[w.Key] = created
			if _, _, err := users.CreateUser(ctx, actor, auth.NewUser{Username: w.Username, DisplayName: w.Name,
				Role: auth.GridWorkerRole, WorkerID: created.ID, NoPassword: true}); err != nil {
				return fmt.Errorf("demo: account of %s: %w", w.Name, err)
			}
			sum.Users++
		}
		sum.Workers = len(town.Workers)
		covered := map[string]int{}
		for _, a := range town.Assignments {
			w := workers[a.WorkerKey]
			// A worker who joined after the town's start date takes
			// their grid from the day they joined.
			start := from
			if w.InPostSince.After(start) {
				start = w.InPostSince
			}
			if _, err := orgs.Assign(ctx, actor, org.NewAssignment{WorkerID: w.ID, GridID: ids[a.GridKey], Kind: a.Kind,
				SharePct: a.SharePct, ValidFrom: start}); err != nil {
				return fmt.Errorf("demo: assign %s to %s: %w", w.Name, a.GridKey, err)
			}
			covered[a.GridKey] += a.SharePct
		}
		sum.Assignments = len(town.Assignments)
		for _, g := range town.Grids {
			if covered[g.Key] == 0 {
				sum.VacantGrids++
			}
		}
		for _, st := range town.Staff {
			if _, _, err := users.CreateUser(ctx, actor, auth.NewUser{Username: st.Username, DisplayName: st.DisplayName,
				Role: auth.Role(st.Role), ScopeUnitID: ids[st.ScopeKey], NoPassword: true}); err != nil {
				return fmt.Errorf("demo: account %s: %w", st.Username, err)
			}
			sum.Users++
		}
		return nil
	})
	return sum, err
}
