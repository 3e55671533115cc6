package duty_test

import (
	"fmt"
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/metric"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// BenchmarkMonthFacts measures one month's duty facts (Facts and
// WorkerFacts, as the collector calls them) for 3,000 workers with an app
// login and a work sheet on each of March 2026's 22 working days, on
// SQLite. Run with: go test -run - -bench MonthFacts ./internal/duty
func BenchmarkMonthFacts(b *testing.B) {
	const workers = 3000
	db := storetest.SQLite(b)
	e := newEnv(b, db, at("2026-04-10 12:00"))
	days := []string{}
	for d := dates.New(2026, 3, 1); d.Month() == time.March; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, d.String())
		}
	}
	now := store.Now()
	err := db.Tx(bg, func(tx store.Tx) error {
		for i := range workers {
			id := fmt.Sprintf("bench-%05d", i)
			if _, err := tx.ExecContext(bg, `INSERT INTO workers (id, name, employment, post, phone, in_post_since, home_unit_id, created_at, updated_at)
				VALUES ($1, $1, 'full_time', 'grid_worker', '13800000000', '2025-01-01', $2, $3, $3)`, id, e.community.ID, now); err != nil {
				return err
			}
			for _, d := range days {
				in := at(d + " 08:20")
				if i%50 == 0 {
					in = at(d + " 08:45")
				}
				if _, err := tx.ExecContext(bg, `INSERT INTO duty_logins (worker_id, day, client, first_at, source, entered_by) VALUES ($1, $2, 'app', $3, 'auto', 'system')`,
					id, d, in); err != nil {
					return err
				}
				if _, err := tx.ExecContext(bg, `INSERT INTO duty_sheets (id, worker_id, day, signed_in_at, plan, signed_out_at, result, entered_by, entered_at)
					VALUES ($1, $2, $3, $4, 'p', $5, 'r', 'test', $6)`, id+d, id, d, in, at(d+" 17:40"), now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	p := metric.Period{Year: 2026, Month: time.March}
	b.ResetTimer()
	for range b.N {
		if _, _, err := e.duty.Facts(bg, p); err != nil {
			b.Fatal(err)
		}
		w, _, err := e.duty.WorkerFacts(bg, p)
		if err != nil {
			b.Fatal(err)
		}
		if n := w["bench-00000"]["duty.late_arrivals"].Num; n != float64(len(days)) {
			b.Fatalf("late arrivals %g, want %d", n, len(days))
		}
	}
	b.ReportMetric(float64(workers), "workers")
}
