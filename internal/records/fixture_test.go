package records_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"gridwork/internal/dates"
	"gridwork/internal/files"
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

func day(s string) dates.Date { return dates.MustParse(s) }

// at returns noon of a Shanghai calendar day.
func at(s string) time.Time { return day(s).Start().Add(12 * time.Hour) }

// town is a small tree: a district, a street, one community with two grids
// (G1 with worker W1 from 2026-01-01, G2 vacant).
type town struct {
	db                *store.DB
	orgs              *org.Store
	rec               *records.Store
	files             *files.Store
	keys              *seal.Keys
	clock             time.Time
	community, g1, g2 string
	g1Code, worker    string
}

func newTown(t *testing.T, db *store.DB) *town { return newTownTB(t, db) }

func newTownTB(t testing.TB, db *store.DB) *town {
	t.Helper()
	keys := sealtest.Keys(t, 7)
	tw := &town{db: db, orgs: org.NewStore(db), keys: keys, clock: at("2026-01-02")}
	tw.rec = records.NewStore(db, tw.orgs, keys).WithClock(func() time.Time { return tw.clock })
	tw.files = files.NewStore(db, t.TempDir())
	from := day("2026-01-01")
	b := orgtest.New(t, tw.orgs, from)
	d := b.Unit(org.NewUnit{Level: org.District, Name: "朝阳区", Code: "110105"})
	s := b.Unit(org.NewUnit{Level: org.Street, ParentID: d.ID, Name: "测试街道"})
	c := b.Unit(org.NewUnit{Level: org.Community, ParentID: s.ID, Name: "测试社区", Geometry: orgtest.RectDegrees(116.30, 39.90, 116.32, 39.91)})
	g1 := b.Grid(c, "第一网格", orgtest.RectDegrees(116.30, 39.90, 116.31, 39.91))
	g2 := b.Grid(c, "第二网格", orgtest.RectDegrees(116.31, 39.90, 116.32, 39.91))
	w := b.Worker(org.NewWorker{Name: "王网格", Employment: org.FullTime, Post: org.GridWorker,
		Phone: "13800000001", InPostSince: day("2025-01-01"), HomeUnitID: c.ID})
	b.Assign(org.NewAssignment{WorkerID: w.ID, GridID: g1.ID, Kind: org.Primary, SharePct: 100, ValidFrom: from})
	tw.community, tw.g1, tw.g2, tw.g1Code, tw.worker = c.ID, g1.ID, g2.ID, g1.Code, w.ID
	return tw
}

// eachTown runs fn once per engine on a fresh town.
func eachTown(t *testing.T, fn func(t *testing.T, tw *town)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newTown(t, db)) })
}

// idNumber makes a valid resident identity number.
func idNumber(birth string, seq int) string {
	body := "110105" + birth[0:4] + birth[5:7] + birth[8:10] + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10))
	return body + string(idnum.CheckChar(body))
}

// onDay sets the clock to noon of day s.
func (tw *town) onDay(s string) { tw.clock = at(s) }

// photo uploads a small PNG and attaches it as item of a record.
func (tw *town) attach(t testing.TB, entity, id, item string, seed uint8) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.Gray{Y: seed})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	f, err := tw.files.Put(bg, actor, "p.png", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.rec.Attach(bg, actor, entity, id, item, f.SHA256); err != nil {
		t.Fatal(err)
	}
}

func (tw *town) person(t *testing.T, grid string, cat records.Category, birth string, seq int, began string) records.Person {
	t.Helper()
	p, err := tw.rec.CreatePerson(bg, actor, records.NewPerson{GridID: grid, Category: cat, IDNumber: idNumber(birth, seq),
		Name: "人员" + string(rune('A'+seq%26)), BeganOn: day(began)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
