package duty_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/duty"
	"gridwork/internal/files/filestest"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

const actor = "test"

var bg = context.Background()

// day parses a 'YYYY-MM-DD' literal.
func day(s string) dates.Date { return dates.MustParse(s) }

// at returns the instant of a Shanghai wall-clock time "YYYY-MM-DD hh:mm"
// or "YYYY-MM-DD hh:mm:ss".
func at(s string) time.Time {
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout = "2006-01-02 15:04:05"
	}
	t, err := time.ParseInLocation(layout, s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// env is a community with four grids: g1, g2 and g3 with a primary worker
// each (w1 full-time, w2 part-time and in post from 2026-02-10, w3 left
// on 2026-02-05) and g4 vacant; a duty store on it with a fixed clock, and
// one uploaded photo.
type env struct {
	db             *store.DB
	org            *org.Store
	duty           *duty.Store
	community      org.Unit
	g1, g2, g3, g4 org.Unit
	w1, w2, w3     org.Worker
	photo          string
	clock          time.Time
}

func newEnv(t testing.TB, db *store.DB, now time.Time) *env {
	t.Helper()
	e := &env{db: db, org: org.NewStore(db), clock: now}
	e.duty = duty.NewStore(db, e.org).WithClock(func() time.Time { return e.clock })
	from := day("2025-01-01")
	const w, n, cell = 116_300_000, 39_920_000, 10_000
	b := orgtest.New(t, e.org, from)
	_, street := b.Street()
	e.community = b.Community(street, "和平里社区", orgtest.Rect(w, n-cell, w+4*cell, n))
	grid := func(i int, name string) org.Unit {
		return b.Grid(e.community, name, orgtest.Rect(w+i*cell, n-cell, w+(i+1)*cell, n))
	}
	e.g1, e.g2, e.g3, e.g4 = grid(0, "第1网格"), grid(1, "第2网格"), grid(2, "第3网格"), grid(3, "第4网格")
	worker := func(name string, emp org.Employment, since dates.Date, g org.Unit) org.Worker {
		t.Helper()
		return b.GridWorker(org.NewWorker{Name: name, Employment: emp, Phone: "13800000000", InPostSince: since, HomeUnitID: e.community.ID}, g, since)
	}
	e.w1 = worker("张一", org.FullTime, from, e.g1)
	e.w2 = worker("李二", org.PartTime, day("2026-02-10"), e.g2)
	e.w3 = worker("王三", org.FullTime, from, e.g3)
	left := day("2026-02-05")
	var err error
	if e.w3, err = e.org.UpdateWorker(bg, actor, e.w3.ID, org.WorkerPatch{LeftPostOn: &left}); err != nil {
		t.Fatal(err)
	}
	e.photo = filestest.Photo(t, db)
	return e
}

// eachEnv runs fn once per engine on a fresh env with the clock at now.
func eachEnv(t *testing.T, now time.Time, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, now)) })
}

// must returns v, or panics on an error: the test fails with the error
// and where it happened.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantCode fails unless err carries code (and, if field is given, names it).
func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	if field == "" {
		return
	}
	for _, f := range apperr.As(err).Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %s", err, field)
}

// count returns the rows of a table.
func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(bg, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
