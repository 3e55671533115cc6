package care_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gridwork/internal/care"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// The store is a source of the fact collector.
var _ facts.Source = (*care.Store)(nil)

// TestFacts measures March 2026 on a hand-made community of two grids.
// Groups: correction and released are monthly, due by the 28th; mental is
// an interval plan, every 7 / 15 / 30 days for high / medium / low risk.
//
// Grid 1:
//
//	A  correction, began 2025-06-01, entered 01-10, complete; visited 03-27.
//	B  correction, began 2025-10-01, entered 01-10; person without house
//	   and photo; visited 03-29 00:30 Shanghai (still the 28th in UTC).
//	C  mental, low (30 days), began 2025-12-01, entered 01-10, complete;
//	   visited 02-26 and 03-28.
//	D  released, began 2025-08-01, entered 01-10; lost 03-15, still lost.
//	Q  a living person of grid 1 with no subject.
//
// Grid 2:
//
//	E  correction, began 2026-01-20, entered 03-10 (late), complete;
//	   visited 03-28.
//	F  mental, high (7 days), began 2026-02-01, entered 02-02; no details,
//	   no phone; visited 02-25 and 03-03.
//	G  correction, began 2025-05-01, entered 01-10, ended 02-27.
//	H  correction, began 2026-03-20, entered 04-01 (after month end).
//
// The 重点人员名单 (care platform) as of 2026-03-31, rows:
//
//	1 A (has a subject)                     → entered
//	2 P, unknown to us, grid_code of grid 2 → grid 2
//	3 Q, grid_code of grid 2                → Q's own grid, grid 1
//	4 an unknown person, cancelled          → skipped
//	5 an unknown person, unknown grid code  → skipped: no grid
//	6 P again                               → counted once
//	7 G (subject ended 02-27, before 03-31) → G's grid, grid 2
//	8 H (subject entered after month end)   → H's grid, grid 2
//
// An earlier list as of 03-15 (a row for R in grid 1) and a police list as
// of 03-31 (a row for R) are not the month's latest care list: ignored.
func TestFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The story is entered as it happens: the clock moves, and entry
		// times come from it.
		e := newEnv(t, db, day("2026-01-05"))
		people := map[string]struct {
			id, num string
		}{}
		for _, p := range []struct {
			name string
			grid int
			f    full
		}{
			{"阿", 1, complete}, {"贝", 1, full{phone: true, address: true}}, {"丙", 1, complete}, {"丁", 1, complete}, {"秋", 1, complete},
			{"娥", 2, complete}, {"芳", 2, full{address: true, house: true, photo: true}}, {"戈", 2, complete}, {"禾", 2, complete},
		} {
			g := e.g1
			if p.grid == 2 {
				g = e.g2
			}
			rec, num := e.person(t, p.name, g, p.f)
			people[p.name] = struct{ id, num string }{rec.ID, num}
		}
		reg := func(when, name, group string, risk care.Risk, details, began string) care.Subject {
			e.clock = at(when)
			return e.register(t, care.NewSubject{PersonID: people[name].id, GroupCode: group, Risk: risk, Details: details, BeganOn: day(began)})
		}
		visit := func(id, when string) {
			e.clock = at(when).Add(time.Minute)
			e.visit(t, id, when)
		}
		a := reg("2026-01-10 10:00", "阿", "correction", care.Low, "矫正期一年", "2025-06-01")
		b := reg("2026-01-10 10:00", "贝", "correction", care.Low, "矫正期两年", "2025-10-01")
		c := reg("2026-01-10 10:00", "丙", "mental", care.Low, "服药稳定", "2025-12-01")
		d := reg("2026-01-10 10:00", "丁", "released", care.Medium, "刑满释放", "2025-08-01")
		g := reg("2026-01-10 10:00", "戈", "correction", care.Low, "已解矫", "2025-05-01")
		f := reg("2026-02-02 10:00", "芳", "mental", care.High, "", "2026-02-01")
		visit(f.ID, "2026-02-25 10:00")
		visit(c.ID, "2026-02-26 10:00")
		e.clock = at("2026-02-27 17:00")
		if _, err := e.care.End(bg, actor, g.ID, day("2026-02-27"), g.Version); err != nil {
			t.Fatal(err)
		}
		visit(f.ID, "2026-03-03 10:00")
		ee := reg("2026-03-10 10:00", "娥", "correction", care.Low, "缓刑", "2026-01-20")
		e.clock = at("2026-03-16 09:00")
		if _, err := e.care.MarkLost(bg, actor, d.ID, day("2026-03-15"), "外出务工失联"); err != nil {
			t.Fatal(err)
		}
		visit(a.ID, "2026-03-27 10:00")
		visit(c.ID, "2026-03-28 16:00")
		visit(ee.ID, "2026-03-28 23:30")
		visit(b.ID, "2026-03-29 00:30")
		reg("2026-04-01 09:00", "禾", "correction", care.Low, "新入矫", "2026-03-20")
		numA, numQ, numG, numH := people["阿"].num, people["秋"].num, people["戈"].num, people["禾"].num

		// The platform lists.
		idx := func(num string) string { return e.keys.Index("person.id_number", "resident:"+num) }
		numP, numX, numY, numR := number(101), number(102), number(103), number(104)
		imp := func(id, platform, asOf, sha string) {
			e.exec(t, `INSERT INTO platform_imports (id, platform, sha256, file_name, as_of, imported_at, actor, rows_total, rows_stored, report)
				VALUES ($1, $2, $3, 'list.xlsx', $4, $5, 'test', 0, 0, '')`, id, platform, sha, asOf, at("2026-04-01 09:00").UTC())
		}
		row := func(importID string, no int, num, gridCode string, cancelled bool) {
			e.exec(t, `INSERT INTO platform_rows (import_id, row_no, id_index, id_masked, name, grid_code, has_photo, cancelled)
				VALUES ($1, $2, $3, $4, 'x', $5, TRUE, $6)`, importID, no, idx(num), num[:4]+"**********"+num[14:], gridCode, cancelled)
		}
		imp("imp-early", "care", "2026-03-15", "s1")
		row("imp-early", 1, numR, e.g1.Code, false)
		imp("imp-police", "police", "2026-03-31", "s2")
		row("imp-police", 1, numR, e.g1.Code, false)
		imp("imp", "care", "2026-03-31", "s3")
		row("imp", 1, numA, e.g1.Code, false)
		row("imp", 2, numP, e.g2.Code, false)
		row("imp", 3, numQ, e.g2.Code, false)
		row("imp", 4, numX, e.g1.Code, true)
		row("imp", 5, numY, "99999999999999", false)
		row("imp", 6, numP, e.g2.Code, false)
		row("imp", 7, numG, e.g2.Code, false)
		row("imp", 8, numH, e.g2.Code, false)

		gf, names, err := e.care.Facts(bg, metric.Period{Year: 2026, Month: time.March})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 9 || !slices.Contains(names, "care.not_entered") {
			t.Errorf("March measured %v", names)
		}

		type want struct {
			num, den float64
			evidence []string // "id note", sorted
		}
		ev := func(id, note string) string { return id + " " + note }
		cases := []struct {
			grid, name string
			want       want
		}{
			// care.subjects: in the ledger (entered before 04-01) and in the
			// group at month end, active or lost. Grid 1: A, B, C, D (lost)
			// = 4. Grid 2: E, F = 2; G ended 02-27; H entered 04-01.
			{e.g1.ID, "care.subjects", want{num: 4}},
			{e.g2.ID, "care.subjects", want{num: 2}},
			// care.lost: D, lost 03-15.
			{e.g1.ID, "care.lost", want{num: 1, evidence: []string{ev(d.ID, "lost 2026-03-15")}}},
			{e.g2.ID, "care.lost", want{}},
			// care.late_entry: E entered 03-10, more than a month after
			// 01-20 (02-20). F was entered in February; H in April.
			{e.g1.ID, "care.late_entry", want{}},
			{e.g2.ID, "care.late_entry", want{num: 1, evidence: []string{ev(ee.ID, "began 2026-01-20, entered 2026-03-10")}}},
			// Visits. Grid 1: A monthly, due 03-28, visited 03-27: on time.
			// B monthly, due 03-28, visited 03-29 (Shanghai): missed. C
			// interval 30 days from 02-26: due 03-28, window 03-01..03-28,
			// visited 03-28 16:00: on time. D lost: left out. Due 3, on
			// time 2.
			{e.g1.ID, "care.visits_due", want{num: 3}},
			{e.g1.ID, "care.visits_on_time", want{num: 2}},
			{e.g1.ID, "care.visit_rate", want{num: 2, den: 3, evidence: []string{ev(b.ID, "due 2026-03-28")}}},
			{e.g1.ID, "care.visit_missed_month", want{num: 1, evidence: []string{ev(b.ID, "due 2026-03-28")}}},
			// Grid 2: E monthly, visited 03-28 23:30: on time. F interval 7
			// days from 02-25: due 03-04, window 03-01..03-04, visited
			// 03-03: on time (counted once in the month). G ended before
			// 03-01: not due. H not in the ledger at month end. Due 2, on
			// time 2.
			{e.g2.ID, "care.visits_due", want{num: 2}},
			{e.g2.ID, "care.visits_on_time", want{num: 2}},
			{e.g2.ID, "care.visit_rate", want{num: 2, den: 2}},
			{e.g2.ID, "care.visit_missed_month", want{}},
			// care.not_entered: grid 1 has Q (row 3, by Q's own grid);
			// grid 2 has P (row 2, by grid code; row 6 is the same
			// person), G (row 7: ended before the list's date) and H (row
			// 8: entered after month end).
			{e.g1.ID, "care.not_entered", want{num: 1, evidence: []string{ev("imp:3", numQ[:4]+"**********"+numQ[14:]+" on the care list of 2026-03-31")}}},
			{e.g2.ID, "care.not_entered", want{num: 3, evidence: []string{
				ev("imp:2", numP[:4]+"**********"+numP[14:]+" on the care list of 2026-03-31"),
				ev("imp:7", numG[:4]+"**********"+numG[14:]+" on the care list of 2026-03-31"),
				ev("imp:8", numH[:4]+"**********"+numH[14:]+" on the care list of 2026-03-31"),
			}}},
			// care.completeness over subjects in the group and not lost at
			// month end. Grid 1: A, C complete; B lacks house and photo; D
			// lost, left out: 2/3. Grid 2: E complete; F lacks details and
			// phone: 1/2.
			{e.g1.ID, "care.completeness", want{num: 2, den: 3, evidence: []string{ev(b.ID, "lacks house, photo")}}},
			{e.g2.ID, "care.completeness", want{num: 1, den: 2, evidence: []string{ev(f.ID, "lacks details, phone")}}},
		}
		for _, tc := range cases {
			t.Run(tc.name+" grid "+map[string]string{e.g1.ID: "1", e.g2.ID: "2"}[tc.grid], func(t *testing.T) {
				got := want{}
				if tl := gf[tc.grid][tc.name]; tl != nil {
					got.num, got.den = tl.Num, tl.Den
					for _, r := range tl.Evidence {
						got.evidence = append(got.evidence, r.ID+" "+r.Note)
					}
				}
				slices.Sort(got.evidence)
				slices.Sort(tc.want.evidence)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %+v\nwant %+v", got, tc.want)
				}
			})
		}
		// February, with no care list: care.not_entered is not measured.
		// Visits due by 02-28 (monthly) and the interval subjects' first due
		// dates. Grid 1: A, B never visited in February: missed. C (30
		// days, no visit before February): due 2025-12-01 + 30 =
		// 2025-12-31, before February, so the window is empty and the
		// 02-26 visit is late: missed. D was lost only in March: due,
		// missed. Grid 2: F (7 days) due 02-08, window 02-02..02-08,
		// visited 02-25: missed. G left the group on 02-27, after the
		// 1st: still owed February's visit: missed. E is not in the
		// ledger until March. In the group at month end: grid 1 A-D;
		// grid 2 only F (G's last day was 02-27).
		feb, names, err := e.care.Facts(bg, metric.Period{Year: 2026, Month: time.February})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 8 || slices.Contains(names, "care.not_entered") {
			t.Errorf("February measured %v", names)
		}
		for _, tc := range []struct {
			grid, name string
			num, den   float64
			evidence   []string
		}{
			{e.g1.ID, "care.subjects", 4, 0, nil},
			{e.g2.ID, "care.subjects", 1, 0, nil},
			{e.g1.ID, "care.visit_rate", 0, 4, []string{ev(a.ID, "due 2026-02-28"), ev(b.ID, "due 2026-02-28"), ev(c.ID, "due 2025-12-31"), ev(d.ID, "due 2026-02-28")}},
			{e.g2.ID, "care.visit_rate", 0, 2, []string{ev(f.ID, "due 2026-02-08"), ev(g.ID, "due 2026-02-28")}},
			{e.g2.ID, "care.visit_missed_month", 1, 0, []string{ev(f.ID, "due 2026-02-08"), ev(g.ID, "due 2026-02-28")}},
		} {
			tl := feb[tc.grid][tc.name]
			if tl == nil {
				t.Errorf("February %s: missing", tc.name)
				continue
			}
			var got []string
			for _, r := range tl.Evidence {
				got = append(got, r.ID+" "+r.Note)
			}
			slices.Sort(got)
			slices.Sort(tc.evidence)
			if tl.Num != tc.num || tl.Den != tc.den || !slices.Equal(got, tc.evidence) {
				t.Errorf("February %s: got %v/%v %v, want %v/%v %v", tc.name, tl.Num, tl.Den, got, tc.num, tc.den, tc.evidence)
			}
		}

		for grid, m := range gf {
			if grid != e.g1.ID && grid != e.g2.ID {
				t.Errorf("facts for an unexpected grid %s: %v", grid, m)
			}
			for name := range m {
				if !strings.HasPrefix(name, "care.") {
					t.Errorf("fact %s", name)
				}
				if _, ok := metric.Lookup(name); !ok {
					t.Errorf("fact %s is not defined", name)
				}
			}
		}
	})
}
