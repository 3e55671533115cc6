package demo_test

import (
	"context"
	"os"
	"testing"

	"gridwork/internal/audit"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// town is the demo town of demo.DefaultSeed (org tree, workers, accounts)
// loaded once per engine; every test that needs it gets its own copy. Its
// value is what demo.Load returned.
var town = &storetest.Template[demo.Summary]{
	Name: "the demo town",
	Build: func(ctx context.Context, db storetest.Database) (demo.Summary, error) {
		orgs := org.NewStore(db.DB)
		return demo.Load(ctx, db.DB, orgs, auth.NewStore(db.DB, orgs, auth.TestParams), demo.Generate(demo.DefaultSeed, demo.DefaultFrom))
	},
}

// otherTown is the copy of the demo town that a determinism test loads a
// second time with the same seed, to compare with a load on SQLite: on
// PostgreSQL (which also checks that the engines agree), or, without one,
// on SQLite again.
func otherTown(t *testing.T) *store.DB {
	t.Helper()
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Logf("%s is not set: the second load is on SQLite too", storetest.EnvPostgres)
		return town.SQLite(t).DB
	}
	return town.Postgres(t).DB
}

// The demo loads through the store's own rules on both engines and gives
// seed 004's street: 10 communities, 143 grids, 87 workers, with the
// generator's codes and shares intact. (The load is the town template's
// build, once per engine.)
func TestLoad(t *testing.T) {
	t.Parallel()
	town.Each(t, func(t *testing.T, c storetest.Copy[demo.Summary]) {
		ctx := context.Background()
		db, sum := c.DB, c.Value
		orgs := org.NewStore(db)
		if sum.Communities != 10 || sum.Grids != 143 || sum.Workers != 87 || sum.VacantGrids != 32 {
			t.Fatalf("summary %+v", sum)
		}
		on := dates.MustParse("2026-06-01")
		grids, total, err := orgs.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Grid})
		if err != nil {
			t.Fatal(err)
		}
		if total != 143 {
			t.Fatalf("%d grids in force, want 143", total)
		}
		// NumberGrids (reading order from the polygons) must agree with
		// the generator's names, which are numbered in reading order too:
		// 富强社区第01网格 gets code …01.
		for _, g := range grids {
			num := g.Name[len(g.Name)-len("01网格"):][:2]
			if g.Code[len(g.Code)-2:] != num {
				t.Errorf("grid %s has code %s; its number in the name is %s", g.Name, g.Code, num)
			}
		}
		_, workers, err := orgs.ListWorkers(ctx, org.WorkerQuery{On: on})
		if err != nil || workers != 87 {
			t.Fatalf("%d workers (%v), want 87", workers, err)
		}
		extras := 0
		as, _, err := orgs.ListAssignments(ctx, org.AssignmentQuery{On: on})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Kind == org.Extra {
				extras++
			}
		}
		if extras != 48 || len(as) != 135 {
			t.Fatalf("%d assignments with %d extra shares on %s, want 135 with 48", len(as), extras, on)
		}
		if empty, err := demo.IsEmpty(ctx, db); err != nil || empty {
			t.Fatalf("IsEmpty after load = %v, %v", empty, err)
		}
		rep, err := audit.Verify(ctx, db)
		if err != nil || rep.Broken != nil || rep.Rows == 0 {
			t.Fatalf("audit after load: %+v %v", rep, err)
		}
	})
}

// A load that fails halfway leaves nothing behind.
func TestLoadIsAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		orgs := org.NewStore(db)
		users := auth.NewStore(db, orgs, auth.TestParams)
		town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
		town.Workers[50].Phone = "not a phone"
		if _, err := demo.Load(ctx, db, orgs, users, town); err == nil {
			t.Fatal("a town with a bad phone number loaded")
		}
		if empty, err := demo.IsEmpty(ctx, db); err != nil || !empty {
			t.Fatalf("after a failed load IsEmpty = %v, %v; want an empty database", empty, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d audit rows after a failed load (%v)", n, err)
		}
	})
}
