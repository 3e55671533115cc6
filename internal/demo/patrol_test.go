package demo_test

import (
	"context"
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

// fakeLeave is approved leave by worker id.
type fakeLeave map[string][]workcal.Interval

func (l fakeLeave) ApprovedLeave(_ context.Context, from, to time.Time) (map[string][]workcal.Interval, error) {
	return l, nil
}

// The demo patrols load on both engines with their misses and planted
// cheats, and a second run stores nothing new.
func TestLoadPatrols(t *testing.T) {
	t.Parallel()
	town.Each(t, func(t *testing.T, c storetest.Copy[demo.Summary]) {
		ctx := context.Background()
		db := c.DB
		orgs := org.NewStore(db)
		town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
		// Three workers on leave on Tuesday 3 March: their phones stay
		// quiet but for the one planted patrol during leave.
		leave := fakeLeave{}
		for _, w := range town.Workers[:3] {
			var id string
			if err := db.QueryRowContext(ctx, `SELECT worker_id FROM users WHERE username = $1`, w.Username).Scan(&id); err != nil {
				t.Fatal(err)
			}
			leave[id] = []workcal.Interval{{From: dates.New(2026, 3, 3).Start().Add(8 * time.Hour), To: dates.New(2026, 3, 3).Start().Add(18 * time.Hour)}}
		}
		ps := patrol.NewStore(db, patrol.Options{Leave: leave})
		sum, err := demo.LoadPatrols(ctx, db, orgs, ps, town, demo.PatrolOptions{Seed: demo.DefaultSeed, Leave: leave})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Workers != 87 || sum.Days == 0 || sum.LongPatrols == 0 || sum.Patrols <= sum.LongPatrols || sum.OutOfArea == 0 {
			t.Errorf("summary %+v", sum)
		}
		for _, k := range []patrol.FlagKind{patrol.FlagMock, patrol.FlagTeleport, patrol.FlagRepeat, patrol.FlagLeave} {
			fs, total, err := ps.Flags(ctx, patrol.FlagQuery{Kind: k})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 {
				t.Errorf("%d %s flags, want the one planted: %+v", total, k, fs)
			}
		}
		again, err := demo.LoadPatrols(ctx, db, orgs, ps, town, demo.PatrolOptions{Seed: demo.DefaultSeed, Leave: leave})
		if err != nil {
			t.Fatal(err)
		}
		var batches int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM patrol_batches`).Scan(&batches); err != nil {
			t.Fatal(err)
		}
		if batches != sum.Batches || again.Patrols != sum.Patrols {
			t.Errorf("after a second run: %d batches stored, %d sent first; patrols %d then %d", batches, sum.Batches, sum.Patrols, again.Patrols)
		}
	})
}
