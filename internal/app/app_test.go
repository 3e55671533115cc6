package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridwork/internal/app"
	"gridwork/internal/app/apptest"
	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/idnum"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

var bg = context.Background()

// TestNewBuildsEverything: every store is there, the built-in schemes and
// quiz questions are installed, and a second start on the same database
// (built-ins already in place) works.
func TestNewBuildsEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.New(t, db)
		v := reflect.ValueOf(a).Elem()
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && v.Field(i).IsNil() {
				t.Errorf("App.%s is nil", f.Name)
			}
		}
		schemes, err := a.Assess.Schemes(bg)
		if err != nil {
			t.Fatal(err)
		}
		builtin := 0
		for _, s := range schemes {
			if s.Builtin {
				builtin++
			}
		}
		if builtin == 0 {
			t.Error("no built-in scheme installed")
		}
		if qs, err := a.Inspect.Questions(bg); err != nil || len(qs) == 0 {
			t.Errorf("quiz questions: %d, %v", len(qs), err)
		}
		again := apptest.New(t, db)
		if n, err := again.Assess.Schemes(bg); err != nil || len(n) != len(schemes) {
			t.Errorf("second start: %d schemes (%v), want %d", len(n), err, len(schemes))
		}
	})
}

// TestNewOpensItsOwnDatabase: given a DSN, New opens and migrates the
// database, creates the field key in the data directory, and Close closes
// the database; given an open database, Close leaves it open.
func TestNewOpensItsOwnDatabase(t *testing.T) {
	t.Setenv(seal.EnvKey, "") // the key file, not the environment
	os.Unsetenv(seal.EnvKey)
	dir := t.TempDir()
	a, err := app.New(bg, app.Config{DSN: filepath.Join(dir, "gridwork.db"), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, seal.KeyFile)); err != nil {
		t.Errorf("field key: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.PingContext(bg); err == nil {
		t.Error("the database New opened is still open after Close")
	}

	db := storetest.SQLite(t)
	b := apptest.New(t, db)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(bg); err != nil {
		t.Errorf("the caller's database was closed: %v", err)
	}
}

// TestNewRefusesAnotherKey: once identity numbers are sealed with one key,
// the app does not start with another.
func TestNewRefusesAnotherKey(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.New(t, db)
	person(t, a, dates.New(2026, 1, 2))
	cfg := apptest.Config(t, db)
	var err error
	if cfg.Keys, err = seal.New("other", bytes.Repeat([]byte{9}, seal.MaterialSize)); err != nil {
		t.Fatal(err)
	}
	if _, err := app.New(bg, cfg); err == nil || !strings.Contains(err.Error(), "not the key the stored identity numbers were sealed with") {
		t.Fatalf("another key: %v", err)
	}
}

// TestClockGoesToTheStores: the configured clock is the stores' time: a
// person who arrived after its today is refused as in the future.
func TestClockGoesToTheStores(t *testing.T) {
	db := storetest.SQLite(t)
	cfg := apptest.Config(t, db)
	cfg.Clock = func() time.Time { return time.Date(2026, 1, 10, 12, 0, 0, 0, dates.Shanghai) }
	a := apptest.With(t, cfg)
	grid := town(t, a)
	_, err := a.Records.CreatePerson(bg, "test", records.NewPerson{GridID: grid, Category: records.Registered,
		IDNumber: idNumber(2), Name: "李四", BeganOn: dates.New(2026, 2, 1)})
	if e := apperr.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "began_on" {
		t.Fatalf("a person who arrives after the clock's today: %v, want began_on refused", err)
	}
	if _, err := a.Records.CreatePerson(bg, "test", records.NewPerson{GridID: grid, Category: records.Registered,
		IDNumber: idNumber(3), Name: "王五", BeganOn: dates.New(2026, 1, 9)}); err != nil {
		t.Fatalf("a person who arrived before the clock's today: %v", err)
	}
}

// town makes a district, street, community and grid and returns the grid.
func town(t *testing.T, a *app.App) string {
	t.Helper()
	from := dates.New(2026, 1, 1)
	rect := func(w, s, e, n float64) string {
		return geo.Marshal(orb.Polygon{orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}})
	}
	must := func(u org.Unit, err error) org.Unit {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	d := must(a.Orgs.CreateUnit(bg, "test", org.NewUnit{Level: org.District, Name: "朝阳区", Code: "110105", ValidFrom: from}))
	s := must(a.Orgs.CreateUnit(bg, "test", org.NewUnit{Level: org.Street, ParentID: d.ID, Name: "测试街道", ValidFrom: from}))
	c := must(a.Orgs.CreateUnit(bg, "test", org.NewUnit{Level: org.Community, ParentID: s.ID, Name: "测试社区", ValidFrom: from,
		Geometry: rect(116.30, 39.90, 116.32, 39.91)}))
	g := must(a.Orgs.CreateUnit(bg, "test", org.NewUnit{Level: org.Grid, ParentID: c.ID, Name: "第一网格", ValidFrom: from,
		Geometry: rect(116.30, 39.90, 116.31, 39.91)}))
	return g.ID
}

// person stores one person (and the town around them).
func person(t *testing.T, a *app.App, began dates.Date) {
	t.Helper()
	if _, err := a.Records.CreatePerson(bg, "test", records.NewPerson{GridID: town(t, a), Category: records.Registered,
		IDNumber: idNumber(1), Name: "张三", BeganOn: began}); err != nil {
		t.Fatal(err)
	}
}

// idNumber is a valid resident identity number born 1980-01-02.
func idNumber(seq int) string {
	body := "11010519800102" + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10))
	return body + string(idnum.CheckChar(body))
}
