package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/files"
	"gridwork/internal/idnum"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

func TestScratchSpeed(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	orgs := org.NewStore(db)
	users := auth.NewStore(db, orgs, auth.TestParams)
	town := demo.Generate(demo.DefaultSeed, demo.DefaultFrom)
	if _, err := demo.Load(ctx, db, orgs, users, town); err != nil {
		t.Fatal(err)
	}
	keys, _ := seal.New("t", bytes.Repeat([]byte{1}, seal.MaterialSize))
	rec := records.NewStore(db, orgs, keys)
	fs := files.NewStore(db, t.TempDir())
	clock := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	records.SetClock(rec, func() time.Time { return clock })
	grids, _, _ := orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 1, 5), Level: org.Grid, WithoutGeometry: true})
	g := grids[0]
	err := db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		var hs []records.House
		t0 := time.Now()
		for i := range 2000 {
			h, err := rec.CreateHouse(ctx, "demo", records.NewHouse{GridID: g.ID, Address: fmt.Sprintf("x%d", i), Purpose: records.OwnUse, Class: "trust", BeganOn: dates.New(2010, 1, 1)})
			if err != nil {
				return err
			}
			hs = append(hs, h)
		}
		t.Logf("house %v", time.Since(t0)/2000)
		t0 = time.Now()
		var ps []records.Person
		for i := range 2000 {
			body := fmt.Sprintf("11010519800101%03d", i%1000)
			if i >= 1000 {
				body = fmt.Sprintf("11010519810101%03d", i%1000)
			}
			p, err := rec.CreatePerson(ctx, "demo", records.NewPerson{GridID: g.ID, HouseID: hs[i].ID, Category: records.Registered, IDNumber: body + string(idnum.CheckChar(body)), Name: "张三", BeganOn: dates.New(2010, 1, 1)})
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		t.Logf("person %v", time.Since(t0)/2000)
		var sb strings.Builder
		sb.WriteString("姓名,身份证号,人员类别,所属网格,联系电话,现住址,来本地日期,居住证\n")
		for i := range 20000 {
			body := fmt.Sprintf("110105199%d0101%03d", i/1000%10, i%1000)
			if i >= 10000 {
				body = fmt.Sprintf("110105198%d0101%03d", i/1000%10, i%1000)
			}
			fmt.Fprintf(&sb, "李四,%s,流动,%s,13800000000,某地,2020-01-01,有\n", body+string(idnum.CheckChar(body)), g.Code)
		}
		t0 = time.Now()
		rep, err := rec.ImportPeople(ctx, "demo", "a.csv", strings.NewReader(sb.String()), nil)
		if err != nil {
			return err
		}
		t.Logf("import %v %+v", time.Since(t0)/20000, rep.Stored)
		img := image.NewGray(image.Rect(0, 0, 2, 2))
		var buf bytes.Buffer
		png.Encode(&buf, img)
		f, err := fs.Put(ctx, "demo", "p.png", &buf)
		if err != nil {
			return err
		}
		t0 = time.Now()
		for _, p := range ps {
			if err := rec.Attach(ctx, "demo", "person", p.ID, "photo", f.SHA256); err != nil {
				return err
			}
		}
		t.Logf("attach %v", time.Since(t0)/2000)
		t0 = time.Now()
		for _, h := range hs {
			if _, err := rec.RecordHomeVisit(ctx, "u", "", records.HomeVisit{HouseID: h.ID, Notes: "ok", Signed: true}); err != nil {
				return err
			}
		}
		t.Logf("visit %v", time.Since(t0)/2000)
		sb.Reset()
		sb.WriteString("身份证号,姓名,网格编码,照片\n")
		for range 10 {
			for i := range 2000 {
				body := fmt.Sprintf("11010519900101%03d", i%1000)
				if i >= 1000 {
					body = fmt.Sprintf("11010519910101%03d", i%1000)
				}
				fmt.Fprintf(&sb, "%s,李四,%s,有\n", body+string(idnum.CheckChar(body)), g.Code)
			}
		}
		clock = time.Date(2026, 2, 26, 2, 0, 0, 0, time.UTC)
		t0 = time.Now()
		if _, err := rec.ImportPlatform(ctx, "demo", "police", dates.New(2026, 2, 25), "p.csv", strings.NewReader(sb.String())); err != nil {
			return err
		}
		t.Logf("platform row %v", time.Since(t0)/20000)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
