package workcal_test

import (
	"context"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/workcal"
)

func TestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := workcal.NewStore(db)
		monday := dates.MustParse("2026-03-09")
		holidayMonday := dates.MustParse("2026-02-16")
		check := func(d dates.Date, want bool) {
			t.Helper()
			c, err := s.Calendar(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.IsWorkday(d); got != want {
				t.Errorf("IsWorkday(%s) = %v, want %v", d, got, want)
			}
		}
		check(monday, true)
		check(holidayMonday, false)
		if err := s.SetDay(ctx, "u1", workcal.Override{Date: monday, Kind: workcal.Holiday, Name: "防汛停工"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDay(ctx, "u1", workcal.Override{Date: holidayMonday, Kind: workcal.Workday, Name: "值班"}); err != nil {
			t.Fatal(err)
		}
		check(monday, false)
		check(holidayMonday, true)
		days, err := s.Days(ctx, dates.MustParse("2026-03-01"), dates.MustParse("2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0].Name != "防汛停工" {
			t.Errorf("Days in March = %v, want the one stored day", days)
		}
		if err := s.DeleteDay(ctx, "u1", monday); err != nil {
			t.Fatal(err)
		}
		check(monday, true)
		if err := s.DeleteDay(ctx, "u1", monday); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("deleting a day not stored: %v, want ENOTFOUND", err)
		}
		for _, bad := range []workcal.Override{
			{Date: monday, Kind: "rest", Name: "x"},
			{Date: monday, Kind: workcal.Holiday, Name: " "},
			{Kind: workcal.Holiday, Name: "x"},
		} {
			if err := s.SetDay(ctx, "u1", bad); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("SetDay(%+v) = %v, want EINVALID", bad, err)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'workcal_day'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("%d audit rows for calendar days, want 3 (two sets, one delete)", n)
		}
	})
}
