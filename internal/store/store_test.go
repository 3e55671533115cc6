package store_test

import (
	"context"
	"errors"
	"testing"

	"gridwork/internal/dates"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx store.Tx) error {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO org_units (id, level, created_at) VALUES ($1, $2, $3)`,
				"u1", "street", store.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want boom", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_units`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back insert left %d rows", n)
		}
	})
}

// Times and dates must read back the same on both engines.
func TestTimeAndDateRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.Now()
		from := dates.MustParse("2026-03-01")
		if _, err := db.ExecContext(ctx, `INSERT INTO org_units (id, level, created_at) VALUES ($1, 'street', $2)`, "s", now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO org_unit_versions (unit_id, valid_from, name, code) VALUES ($1, $2, $3, $4)`, "s", from, "街道", "110101001"); err != nil {
			t.Fatal(err)
		}
		var gotTime = now
		var gotFrom, gotTo dates.Date
		if err := db.QueryRowContext(ctx, `SELECT u.created_at, v.valid_from, v.valid_to FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id`).Scan(&gotTime, &gotFrom, &gotTo); err != nil {
			t.Fatal(err)
		}
		if !gotTime.Equal(now) {
			t.Errorf("time: got %v, want %v", gotTime, now)
		}
		if gotFrom != from || !gotTo.IsZero() {
			t.Errorf("dates: got %v %v, want %v and zero", gotFrom, gotTo, from)
		}
	})
}

func TestWhere(t *testing.T) {
	cases := []struct {
		name  string
		build func(w *store.Where)
		want  string
		args  int
	}{
		{"none", func(w *store.Where) {}, "1 = 1", 0},
		{"empty values do not filter", func(w *store.Where) { w.Eq("a", ""); w.Eq("b", "") }, "1 = 1", 0},
		{"eq and cond", func(w *store.Where) {
			w.Eq("a", "x")
			w.Cond("b LIKE " + w.Args.Add("y%"))
			w.Eq("c", "")
		}, "a = $1 AND b LIKE $2", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w store.Where
			c.build(&w)
			if got := w.String(); got != c.want || len(w.Args) != c.args {
				t.Errorf("Where = %q with %d args, want %q with %d", got, len(w.Args), c.want, c.args)
			}
		})
	}
}
