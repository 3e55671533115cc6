package care_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/apperr/apperrtest"
	"gridwork/internal/care"
	"gridwork/internal/dates"
	"gridwork/internal/files/filestest"
	"gridwork/internal/idnum"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/seal/sealtest"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

const actor = "test"

var bg = context.Background()

// day parses a 'YYYY-MM-DD' literal.
func day(s string) dates.Date { return dates.MustParse(s) }

// at returns the instant of a Shanghai wall-clock time "YYYY-MM-DD hh:mm".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, dates.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// env is a community with two grids, the people and care stores on it,
// and a fixed today.
type env struct {
	db        *store.DB
	keys      *seal.Keys
	org       *org.Store
	rec       *records.Store
	care      *care.Store
	community org.Unit
	g1, g2    org.Unit
	n         int // people made so far, for their identity numbers
	photo     string
	// clock is the time now for both stores: entry times and today.
	clock time.Time
}

// newEnv builds the fixture with the clock at noon of today.
func newEnv(t *testing.T, db *store.DB, today dates.Date) *env {
	t.Helper()
	keys := sealtest.Keys(t, 7)
	e := &env{db: db, keys: keys, org: org.NewStore(db), clock: today.Start().Add(12 * time.Hour)}
	e.rec = records.NewStore(db, e.org, keys).WithClock(func() time.Time { return e.clock })
	e.care = care.NewStore(db, e.rec, keys).WithClock(func() time.Time { return e.clock })
	const w, n, cell = 116_300_000, 39_920_000, 10_000
	b := orgtest.New(t, e.org, day("2026-01-01"))
	_, street := b.Street()
	e.community = b.Community(street, "和平里社区", orgtest.Rect(w, n-cell, w+2*cell, n))
	e.g1 = b.Grid(e.community, "第1网格", orgtest.Rect(w, n-cell, w+cell, n))
	e.g2 = b.Grid(e.community, "第2网格", orgtest.Rect(w+cell, n-cell, w+2*cell, n))
	e.photo = filestest.Photo(t, db)
	return e
}

// eachEnv runs fn once per engine on a fresh env whose today is today.
func eachEnv(t *testing.T, today dates.Date, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, today)) })
}

// exec runs a statement or fails the test.
func (e *env) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.db.ExecContext(bg, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// number returns the identity number of the nth test person.
func number(n int) string {
	body := fmt.Sprintf("11010519800101%03d", n)
	return body + string(idnum.CheckChar(body))
}

// full says what a test person's record carries.
type full struct{ phone, address, house, photo bool }

var complete = full{true, true, true, true}

// person registers a living person in grid and returns it with its
// identity number.
func (e *env) person(t *testing.T, name string, grid org.Unit, f full) (records.Person, string) {
	t.Helper()
	e.n++
	num := number(e.n)
	in := records.NewPerson{GridID: grid.ID, Category: records.Registered, IDNumber: num, Name: name, BeganOn: day("2020-01-01")}
	if f.phone {
		in.Phone = "13800138000"
	}
	if f.address {
		in.Address = "和平里" + name + "家"
	}
	if f.house {
		h, err := e.rec.CreateHouse(bg, actor, records.NewHouse{GridID: grid.ID, Address: "和平里" + name + "家", Purpose: records.OwnUse, BeganOn: day("2020-01-01")})
		if err != nil {
			t.Fatalf("CreateHouse: %v", err)
		}
		in.HouseID = h.ID
	}
	p, err := e.rec.CreatePerson(bg, actor, in)
	if err != nil {
		t.Fatalf("CreatePerson %s: %v", name, err)
	}
	if f.photo {
		if err := e.rec.Attach(bg, actor, "person", p.ID, "photo", e.photo); err != nil {
			t.Fatalf("Attach: %v", err)
		}
	}
	return p, num
}

// register registers a subject or fails the test.
func (e *env) register(t *testing.T, in care.NewSubject) care.Subject {
	t.Helper()
	x, err := e.care.Register(bg, actor, in)
	if err != nil {
		t.Fatalf("Register %+v: %v", in, err)
	}
	return x
}

// visit records a visit at a Shanghai wall-clock time or fails the test.
func (e *env) visit(t *testing.T, subjectID, when string) care.Visit {
	t.Helper()
	v, err := e.care.RecordVisit(bg, "user1", "", care.NewVisit{SubjectID: subjectID, VisitedAt: at(when), Notes: "见面谈话", Confirmed: true})
	if err != nil {
		t.Fatalf("RecordVisit %s %s: %v", subjectID, when, err)
	}
	return v
}

// wantErr checks that err is an apperr with code naming every field given.
func wantErr(t *testing.T, err error, code apperr.Code, fields ...string) {
	t.Helper()
	apperrtest.Want(t, err, code, fields...)
}

// count runs a COUNT query.
func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRowContext(bg, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
