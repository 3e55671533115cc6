package records_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/records"
)

// TestCreatePersonRefuses checks that each kind of bad input is refused
// with a message naming the field.
func TestCreatePersonRefuses(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		tw.onDay("2026-03-01")
		good := func() records.NewPerson {
			return records.NewPerson{GridID: tw.g1, Category: records.Floating, IDNumber: idNumber("1990-03-07", 21), Name: "张三", BeganOn: day("2026-02-01")}
		}
		if _, err := tw.rec.CreatePerson(bg, actor, good()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			change func(*records.NewPerson)
			code   apperr.Code
			field  string
			reason string
		}{
			{"bad check character", func(p *records.NewPerson) {
				p.IDNumber = p.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[p.IDNumber[17] != '1']
			}, apperr.Invalid, "id_number", "check character"},
			{"short number", func(p *records.NewPerson) { p.IDNumber = "11010519900307" }, apperr.Invalid, "id_number", "18"},
			{"mangled by Excel", func(p *records.NewPerson) { p.IDNumber = "1.10105E+17" }, apperr.Invalid, "id_number", "formatted as text"},
			{"duplicate person", func(p *records.NewPerson) {}, apperr.Conflict, "id_number", "already registered"},
			{"future arrival", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.BeganOn = day("2026-04-01") }, apperr.Invalid, "began_on", "future"},
			{"arrival before birth", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.BeganOn = day("1980-01-01") }, apperr.Invalid, "began_on", "before the birth"},
			{"birth date disagrees", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.BirthDate = day("1990-03-08") }, apperr.Invalid, "birth_date", "does not match"},
			{"unknown grid", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.GridID = tw.community }, apperr.Invalid, "grid_id", "no grid"},
			{"bad phone", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.Phone = "12345" }, apperr.Invalid, "phone", "11-digit"},
			{"no name", func(p *records.NewPerson) { p.IDNumber = idNumber("1990-03-07", 23); p.Name = " " }, apperr.Invalid, "name", "required"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := good()
				c.change(&in)
				_, err := tw.rec.CreatePerson(bg, actor, in)
				e := apperr.As(err)
				if e == nil || e.Code != c.code {
					t.Fatalf("err = %v, want %s", err, c.code)
				}
				found := false
				for _, f := range e.Fields {
					if f.Field == c.field && strings.Contains(f.Reason, c.reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("fields %+v lack %s: …%s…", e.Fields, c.field, c.reason)
				}
			})
		}
		// A resend with the same client id is a no-op.
		in := good()
		in.IDNumber, in.ClientID = idNumber("1990-03-07", 25), "0192f000-0000-7000-8000-000000000001"
		a, err := tw.rec.CreatePerson(bg, actor, in)
		must(t, err)
		b, err := tw.rec.CreatePerson(bg, actor, in)
		must(t, err)
		if a.ID != b.ID {
			t.Errorf("resend made a second record %s (first %s)", b.ID, a.ID)
		}
	})
}

// TestUnmask checks that identity numbers are sealed at rest, shown
// masked, and that each unmasking is audited.
func TestUnmask(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		tw.onDay("2026-03-01")
		number := idNumber("1990-03-07", 31)
		p := tw.person(t, tw.g1, records.Registered, "1990-03-07", 31, "2026-02-01")
		if p.IDMasked != number[:4]+"**********"+number[14:] {
			t.Errorf("masked = %s", p.IDMasked)
		}
		var raw string
		must(t, tw.db.QueryRowContext(bg, `SELECT id_sealed FROM people WHERE id = $1`, p.ID).Scan(&raw))
		if strings.Contains(raw, number) || strings.Contains(raw, number[6:14]) {
			t.Errorf("stored identity is not sealed: %s", raw)
		}
		got, err := tw.rec.Unmask(bg, "staff-1", p.ID, "核对身份")
		must(t, err)
		if got != number {
			t.Errorf("unmasked %s, want %s", got, number)
		}
		rows, err := audit.List(bg, tw.db, "person", p.ID, 100)
		must(t, err)
		seen := false
		for _, r := range rows {
			if r.Action == "unmask" && r.Actor == "staff-1" {
				seen = true
			}
		}
		if !seen {
			t.Errorf("no unmask audit entry in %+v", rows)
		}
		// Lookup by the keyed hash.
		found, err := tw.rec.FindByIdentity(bg, records.ResidentID, strings.ToLower(number))
		must(t, err)
		if found.ID != p.ID {
			t.Errorf("FindByIdentity = %s", found.ID)
		}
	})
}

// TestImportPeople imports 1,000 rows of which 3 are bad: 997 are stored,
// the 3 reported with row, column and reason; importing again adds none.
func TestImportPeople(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		tw.onDay("2026-03-01")
		var csv bytes.Buffer
		csv.WriteString("第一网格人口台账\n姓名,身份证号,人员类别,所属网格,联系电话,来本地日期\n")
		for i := 0; i < 1000; i++ {
			id, date := idNumber(fmt.Sprintf("19%02d-01-15", 50+i%50), i), "2025-12-01"
			switch i {
			case 100:
				id = id[:17] + "0"
				if idNumber(fmt.Sprintf("19%02d-01-15", 50+i%50), i)[17] == '0' {
					id = id[:17] + "1"
				}
			case 500:
				date = "2025-02-30"
			case 900:
				id = idNumber(fmt.Sprintf("19%02d-01-15", 50+899%50), 899) // repeats row of i = 899
			}
			fmt.Fprintf(&csv, "人员%d,%s,流动,%s,,%s\n", i, id, tw.g1Code, date)
		}
		data := csv.Bytes()
		rep, err := tw.rec.ImportPeople(bg, actor, "台账.csv", bytes.NewReader(data), nil)
		must(t, err)
		if rep.Rows != 1000 || rep.Stored != 997 || rep.Skipped != 3 || len(rep.Errors) != 3 {
			t.Fatalf("report = rows %d stored %d skipped %d errors %+v", rep.Rows, rep.Stored, rep.Skipped, rep.Errors)
		}
		// Data rows start on line 3: i = 100 is line 103.
		want := []struct {
			row            int
			column, reason string
		}{{103, "2", "check character"}, {503, "6", "2025-02-30"}, {903, "2", "repeats row 902"}}
		for i, w := range want {
			e := rep.Errors[i]
			if e.Row != w.row || e.Column != w.column || !strings.Contains(e.Reason, w.reason) {
				t.Errorf("error %d = %+v, want row %d column %s …%s…", i, e, w.row, w.column, w.reason)
			}
		}
		_, total, err := tw.rec.ListPeople(bg, records.PersonQuery{GridID: tw.g1})
		must(t, err)
		if total != 997 {
			t.Errorf("stored %d people, want 997", total)
		}
		again, err := tw.rec.ImportPeople(bg, actor, "台账.csv", bytes.NewReader(data), nil)
		must(t, err)
		if again.Stored != 0 || again.Skipped != 1000 {
			t.Errorf("re-import stored %d skipped %d, want 0 and 1000", again.Stored, again.Skipped)
		}
		// A file without a required column is refused whole.
		_, err = tw.rec.ImportPeople(bg, actor, "x.csv", strings.NewReader("姓名,身份证号\n张三,110105199003070011\n"), nil)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || !strings.Contains(e.Error(), "人员类别") {
			t.Errorf("missing columns: %v", err)
		}
	})
}

// TestPlatformReconcile reconciles a floating-population platform export
// against the ledger; the expected counts are worked out in the comments.
func TestPlatformReconcile(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		r := tw.rec
		tw.onDay("2026-01-05")
		p1 := tw.person(t, tw.g1, records.Floating, "1990-03-07", 41, "2026-01-01")
		p2 := tw.person(t, tw.g1, records.Floating, "1991-03-07", 42, "2025-01-01")
		p3 := tw.person(t, tw.g1, records.Floating, "1992-03-07", 43, "2025-08-01")
		p6 := tw.person(t, tw.g1, records.Registered, "1960-03-07", 46, "2020-01-01")
		tw.onDay("2026-01-21")
		_, err := r.EndPerson(bg, actor, p6.ID, records.End{On: day("2026-01-20"), Reason: records.MovedOut, Version: p6.Version})
		must(t, err)
		tw.onDay("2026-03-02")
		p8 := tw.person(t, tw.g2, records.Floating, "1993-03-07", 48, "2026-03-01")
		tw.onDay("2026-03-26")
		stranger := idNumber("1985-05-05", 49)
		csv := "姓名,身份证号,网格编码,照片,状态\n" +
			p1.Name + "," + idNumber("1990-03-07", 41) + ",,有,正常\n" +
			"张三丰," + idNumber("1991-03-07", 42) + ",,有,正常\n" + // P2, wrong name
			p2.Name + "," + idNumber("1991-03-07", 42) + ",,有,正常\n" + // P2 again: duplicate
			p6.Name + "," + idNumber("1960-03-07", 46) + ",,有,正常\n" + // moved out 01-20, still live
			"陌生人," + stranger + "," + tw.g1Code + ",无,正常\n" + // not in the ledger, no photo
			"坏行,110105199003071234,,有,正常\n" // bad check character
		imp, err := r.ImportPlatform(bg, actor, "floating", day("2026-03-25"), "流动人口.csv", strings.NewReader(csv))
		must(t, err)
		if imp.Report.Rows != 6 || imp.Report.Stored != 5 || len(imp.Report.Errors) != 1 || imp.Report.Errors[0].Row != 7 {
			t.Fatalf("report %+v", imp.Report)
		}
		again, err := r.ImportPlatform(bg, actor, "floating", day("2026-03-25"), "copy.csv", strings.NewReader(csv))
		must(t, err)
		if !again.Again || again.ID != imp.ID {
			t.Errorf("re-import made a new import %+v", again)
		}
		got, err := facts.NewCollector(tw.db, tw.orgs, r).Collect(bg, metric.Period{Year: 2026, Month: 3})
		must(t, err)
		val := func(grid, name string) float64 {
			for _, f := range got {
				if f.Subject == metric.Unit && f.SubjectID == grid && f.Name == "platform.floating."+name {
					return f.Value
				}
			}
			t.Fatalf("no fact %s for %s", name, grid)
			return 0
		}
		cases := []struct {
			name   string
			g1, g2 float64
		}{
			// Floating ledger at 03-25: G1 P1, P2, P3; G2 P8. Held: P1, P2.
			{"entry_rate", 100 * 2.0 / 3, 0},
			{"missing", 1, 1}, // P3; P8
			// P3 here since 2025-08-01; P8 only since 03-01.
			{"not_entered_1m", 1, 0},
			{"wrong", 1, 0},      // P2's name
			{"duplicates", 1, 0}, // P2's second row
			// P6 moved out 01-20: 03-25 is after 02-20.
			{"not_cancelled_1m", 1, 0},
			{"not_cancelled_3d", 0, 0},
			{"unknown", 1, 0},  // the stranger, placed by grid code
			{"no_photo", 1, 0}, // the stranger
		}
		for _, c := range cases {
			if v := val(tw.g1, c.name); v-c.g1 > 1e-9 || c.g1-v > 1e-9 {
				t.Errorf("%s G1 = %v, want %v", c.name, v, c.g1)
			}
			if v := val(tw.g2, c.name); v != c.g2 {
				t.Errorf("%s G2 = %v, want %v", c.name, v, c.g2)
			}
		}
		_ = p8
		_ = p3
	})
}
