package records_test

import (
	"strings"
	"testing"

	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/records"
)

// TestFacts measures every record fact for March 2026 on a hand-made grid
// pair. The expected values are worked out in the comments from the
// definitions in docs/metrics.md.
func TestFacts(t *testing.T) {
	eachTown(t, func(t *testing.T, tw *town) {
		r := tw.rec
		end := func(p records.Person, on, entered string) {
			t.Helper()
			tw.onDay(entered)
			if _, err := r.EndPerson(bg, actor, p.ID, records.End{On: day(on), Reason: records.MovedOut, Version: p.Version}); err != nil {
				t.Fatal(err)
			}
		}
		// Entered on 2026-01-05: P2-P7.
		tw.onDay("2026-01-05")
		p2 := tw.person(t, tw.g1, records.Floating, "1990-03-07", 12, "2025-06-01")
		p3 := tw.person(t, tw.g1, records.Floating, "1991-04-08", 13, "2025-08-01")
		tw.person(t, tw.g1, records.Registered, "2025-06-01", 14, "2025-06-01") // P4, under 2 all year
		p5 := tw.person(t, tw.g1, records.Registered, "1960-01-01", 15, "2020-01-01")
		p6 := tw.person(t, tw.g1, records.Registered, "1961-01-01", 16, "2020-01-01")
		p7 := tw.person(t, tw.g1, records.Registered, "1962-01-01", 17, "2020-01-01")
		if _, err := r.UpdatePerson(bg, actor, p2.ID, records.PersonPatch{Version: p2.Version, PermitStatus: ptr(records.PermitValid)}); err != nil {
			t.Fatal(err)
		}
		tw.attach(t, "person", p2.ID, "photo", 2)
		tw.onDay("2026-02-10")
		tw.attach(t, "person", p3.ID, "photo", 3)
		// Houses H1 (关注户, every 30 days), H2 (重点户, every 7 days) in G1;
		// H3 unclassed in G2.
		tw.onDay("2026-01-05")
		h1, err := r.CreateHouse(bg, actor, records.NewHouse{GridID: tw.g1, Address: "一号楼1单元101", Purpose: records.OwnUse, Class: "attention", BeganOn: day("2020-01-01")})
		must(t, err)
		h2, err := r.CreateHouse(bg, actor, records.NewHouse{GridID: tw.g1, Address: "一号楼1单元102", Purpose: records.OwnUse, Class: "key", BeganOn: day("2020-01-01")})
		must(t, err)
		_, err = r.CreateHouse(bg, actor, records.NewHouse{GridID: tw.g2, Address: "二号楼101", Purpose: records.OwnUse, BeganOn: day("2020-01-01")})
		must(t, err)
		// R1 on H1: lease filed, QR posted 2026-02-01, scanned 2026-03-05,
		// rated for 2026Q1; P3 rents there from 2026-01-05.
		r1, err := r.CreateRental(bg, actor, records.NewRental{HouseID: h1.ID, LandlordName: "李房东", BeganOn: day("2026-01-05")})
		must(t, err)
		tw.attach(t, "rental", r1.ID, "lease", 9)
		must(t, r.AddTenant(bg, actor, r1.ID, p3.ID, day("2026-01-05")))
		tw.onDay("2026-02-01")
		r1, err = r.GetRental(bg, r1.ID)
		must(t, err)
		_, err = r.MarkQRPosted(bg, actor, r1.ID, day("2026-02-01"), r1.Version)
		must(t, err)
		tw.onDay("2026-03-05")
		must(t, r.RecordScan(bg, "u1", tw.worker, r1.ID, records.Scan{ScannedAt: at("2026-03-05")}))
		must(t, r.Rate(bg, actor, r1.ID, "2026Q1", 4, ""))
		// P1: floating, began 2026-01-10, entered 2026-03-15: late entry.
		tw.onDay("2026-03-15")
		p1 := tw.person(t, tw.g1, records.Floating, "1992-05-09", 11, "2026-01-10")
		// P8 in G2: floating, began 2026-03-01, entered 2026-03-02.
		tw.onDay("2026-03-02")
		tw.person(t, tw.g2, records.Floating, "1993-06-10", 18, "2026-03-01")
		// Moves-out: P5 on 03-01 entered 03-10 (> 3 days); P6 on 01-20
		// entered 03-05 (> 1 month); P7 on 03-29 entered 04-02 (after March).
		end(p5, "2026-03-01", "2026-03-10")
		end(p6, "2026-01-20", "2026-03-05")
		end(p7, "2026-03-29", "2026-04-02")
		// Changes: P2's phone changed 03-01, entered 03-10 (late); P3's
		// address changed 03-07, entered 03-10 (exactly 3 days: in time).
		tw.onDay("2026-03-10")
		p2, _ = r.GetPerson(bg, p2.ID)
		_, err = r.UpdatePerson(bg, actor, p2.ID, records.PersonPatch{Version: p2.Version, HappenedOn: day("2026-03-01"), Phone: ptr("13900000002")})
		must(t, err)
		p3, _ = r.GetPerson(bg, p3.ID)
		_, err = r.UpdatePerson(bg, actor, p3.ID, records.PersonPatch{Version: p3.Version, HappenedOn: day("2026-03-07"), Address: ptr("一号楼1单元101")})
		must(t, err)
		// R2 on H2, entered 03-20: no lease, QR not posted, never scanned.
		tw.onDay("2026-03-20")
		_, err = r.CreateRental(bg, actor, records.NewRental{HouseID: h2.ID, LandlordName: "赵房东", BeganOn: day("2026-03-20")})
		must(t, err)
		// Home visits: H1 on 03-02 written up and signed; H2 on 03-24 signed
		// but with no notes.
		tw.onDay("2026-03-25")
		_, err = r.RecordHomeVisit(bg, "u1", tw.worker, records.HomeVisit{HouseID: h1.ID, VisitedAt: at("2026-03-02"), Notes: "正常", Signed: true})
		must(t, err)
		_, err = r.RecordHomeVisit(bg, "u1", tw.worker, records.HomeVisit{HouseID: h2.ID, VisitedAt: at("2026-03-24"), Signed: true})
		must(t, err)
		tw.onDay("2026-04-05")

		march := metric.Period{Year: 2026, Month: 3}
		got, err := facts.NewCollector(tw.db, tw.orgs, r).Collect(bg, march)
		must(t, err)
		value := func(kind metric.SubjectKind, id, name string) metric.Fact {
			for _, f := range got {
				if f.Subject == kind && f.SubjectID == id && f.Name == name {
					return f
				}
			}
			t.Fatalf("no fact %s for %s %s", name, kind, id)
			return metric.Fact{}
		}
		// The ledger at the end of March: G1 holds P1, P2, P3, P4 and P7 (P7's
		// move-out was entered in April); G2 holds P8.
		cases := []struct {
			name     string
			g1, g2   float64
			evidence []string // G1's evidence, by record
		}{
			{"records.people", 5, 1, nil},
			{"records.floating", 3, 1, nil},
			// P1: began 01-10, entered 03-15 > 02-10. P8: 03-01 → 03-02, in time.
			{"records.late_entry", 1, 0, []string{p1.ID}},
			// P5: ended 03-01, entered 03-10 > 03-04 and ≤ 04-01.
			{"records.late_end_3d", 1, 0, []string{p5.ID}},
			// P6: ended 01-20, entered 03-05 > 02-20.
			{"records.late_end_1m", 1, 0, []string{p6.ID}},
			// P2's phone: 03-01 → 03-10 > 03-04. P3's address: 03-07 → 03-10
			// is not after 03-10. The tenancy and the QR posting were entered
			// on the day they happened.
			{"records.changes_late", 1, 0, []string{p2.ID}},
			// P1 and P7 have no photo; P4 is under 2; P2 and P3 have one. G2: P8.
			{"records.no_photo", 2, 1, []string{p1.ID, p7.ID}},
			// Records with requirements in G1: P1 ✗ photo, P2 ✓, P3 ✗ tenant
			// items (id_copy, responsibility letter, registration form; the
			// lease is on R1), P4 ✓ (under 2), P7 ✗ photo, R1 ✓ lease, R2 ✗
			// lease: 3 of 7 complete. G2: P8 ✗: 0 of 1.
			{"records.incomplete", 4, 1, nil},
			{"records.completeness", 100 * 3.0 / 7, 0, nil},
			{"records.tenant_incomplete", 1, 0, []string{p3.ID}},
			// Floating people here ≥ 6 months at 03-31 (began ≤ 2025-09-30):
			// P2 (valid) and P3 (none): 1 of 2. G2: P8 is not due: 100 % of nothing.
			{"records.permit_rate", 50, 100, []string{p3.ID}},
			{"rentals.qr_not_posted", 1, 0, nil},
			// R1 scanned, R2 not.
			{"rentals.scan_rate", 50, 100, nil},
			// March ends 2026Q1: R2 has no rating.
			{"rentals.unrated", 1, 0, nil},
			// H1 (30 days) visited 03-02, after 03-01: covered. H2 (7 days)
			// last visited 03-24, not after 03-24: not covered. H3 unclassed.
			{"households.visit_rate", 50, 100, []string{h2.ID}},
			{"households.not_visited", 1, 0, []string{h2.ID}},
			{"households.visits_unwritten", 1, 0, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f1 := value(metric.Unit, tw.g1, c.name)
				if diff := f1.Value - c.g1; diff > 1e-9 || diff < -1e-9 {
					t.Errorf("G1 = %v, want %v (evidence %v)", f1.Value, c.g1, f1.Evidence)
				}
				if f2 := value(metric.Unit, tw.g2, c.name); f2.Value != c.g2 {
					t.Errorf("G2 = %v, want %v (evidence %v)", f2.Value, c.g2, f2.Evidence)
				}
				// W1 answers for G1: the same value.
				if fw := value(metric.Worker, tw.worker, c.name); fw.Value != f1.Value {
					t.Errorf("worker = %v, want G1's %v", fw.Value, f1.Value)
				}
				if c.evidence != nil {
					var ids []string
					for _, e := range f1.Evidence {
						ids = append(ids, e.ID)
					}
					for _, want := range c.evidence {
						if !strings.Contains(strings.Join(ids, " "), want) {
							t.Errorf("evidence %v lacks %s", ids, want)
						}
					}
					if len(ids) != len(c.evidence) {
						t.Errorf("evidence %v, want %d records", ids, len(c.evidence))
					}
				}
			})
		}
		// The community sums both grids: rates from their numerators and
		// denominators.
		if f := value(metric.Unit, tw.community, "records.completeness"); f.Num != 3 || f.Den != 8 {
			t.Errorf("community completeness %v/%v, want 3/8", f.Num, f.Den)
		}
		if f := value(metric.Unit, tw.community, "records.no_photo"); f.Value != 3 {
			t.Errorf("community no_photo %v, want 3", f.Value)
		}
		// Stored and read back.
		must(t, facts.Save(bg, tw.db, march, got))
		stored, err := facts.List(bg, tw.db, facts.Query{Period: march, Subject: metric.Worker, SubjectID: tw.worker, Name: "records.late_entry", WithEvidence: true})
		must(t, err)
		if len(stored) != 1 || stored[0].Value != 1 || len(stored[0].Evidence) != 1 || stored[0].Evidence[0].ID != p1.ID {
			t.Errorf("stored late_entry = %+v", stored)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
