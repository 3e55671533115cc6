package care_test

import (
	"reflect"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/care"
	"gridwork/internal/dates"
)

func TestRecordVisit(t *testing.T) {
	eachEnv(t, day("2026-04-02"), func(t *testing.T, e *env) {
		p, _ := e.person(t, "王五", e.g1, complete)
		x := e.register(t, care.NewSubject{PersonID: p.ID, GroupCode: "correction", Risk: care.Low, Details: "社区矫正", BeganOn: day("2026-02-01")})
		lat, lon := 39.915, 116.305

		for _, tc := range []struct {
			name   string
			in     care.NewVisit
			code   apperr.Code
			fields []string
		}{
			{"no subject", care.NewVisit{VisitedAt: at("2026-03-27 10:00")}, apperr.Invalid, []string{"subject_id"}},
			{"unknown subject", care.NewVisit{SubjectID: "nope", VisitedAt: at("2026-03-27 10:00")}, apperr.NotFound, nil},
			{"after today", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-04-03 00:10")}, apperr.Invalid, []string{"visited_at"}},
			{"before the group", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-01-31 23:59")}, apperr.Invalid, []string{"visited_at"}},
			{"lat without lon", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-03-27 10:00"), Lat: &lat}, apperr.Invalid, []string{"lat"}},
			{"unknown photo", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-03-27 10:00"), Photo: strings.Repeat("cd", 32)}, apperr.Invalid, []string{"photo"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.care.RecordVisit(bg, "user1", "", tc.in)
				wantErr(t, err, tc.code, tc.fields...)
			})
		}

		// 00:30 on the 29th in Shanghai is still the 28th in UTC: the day is
		// Shanghai's.
		in := care.NewVisit{ClientID: "v-1", SubjectID: x.ID, VisitedAt: at("2026-03-29 00:30"), Lat: &lat, Lon: &lon,
			Notes: "本人在家，情绪稳定", Photo: e.photo, Confirmed: true}
		v, err := e.care.RecordVisit(bg, "user1", "", in)
		if err != nil {
			t.Fatal(err)
		}
		if v.VisitedOn != day("2026-03-29") || v.Notes != "" || v.Photo != e.photo || !v.Confirmed {
			t.Fatalf("recorded %+v", v)
		}
		auditRows := e.count(t, `SELECT COUNT(*) FROM audit_log`)
		// A resend with the same client id, even with other content, is a no-op.
		in.Notes = "另一次"
		in.VisitedAt = at("2026-03-30 10:00")
		again, err := e.care.RecordVisit(bg, "user1", "", in)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != v.ID || again.VisitedOn != v.VisitedOn || !again.VisitedAt.Equal(v.VisitedAt) {
			t.Fatalf("resend returned %+v, first %+v", again, v)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM care_visits`); n != 1 {
			t.Fatalf("%d visits after a resend", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log`); n != auditRows {
			t.Fatalf("the resend wrote %d audit entries", n-auditRows)
		}
		var raw string
		if err := e.db.QueryRowContext(bg, `SELECT notes_sealed FROM care_visits WHERE id = $1`, v.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "情绪") || raw == "" {
			t.Fatalf("notes column holds %q", raw)
		}
		e.visit(t, x.ID, "2026-03-05 10:00")

		// WithToday moves the calendar alone: a visit after it is in the
		// future.
		_, err = e.care.WithToday(func() dates.Date { return day("2026-03-20") }).
			RecordVisit(bg, "user1", "", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-03-21 08:00")})
		wantErr(t, err, apperr.Invalid, "visited_at")

		vs, err := e.care.Visits(bg, "reader", x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].ID != v.ID || vs[0].Notes != "本人在家，情绪稳定" || vs[1].Notes != "见面谈话" {
			t.Fatalf("visits %+v", vs)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'read_visits' AND entity_id = $1 AND actor = 'reader'`, x.ID); n != 1 {
			t.Fatalf("%d read_visits audit entries", n)
		}
		_, err = e.care.Visits(bg, "reader", "nope")
		wantErr(t, err, apperr.NotFound)
	})
}

// TestOverdue works out each subject's next due date by hand. Groups:
// correction is monthly by the 28th; mental is every 7 / 15 / 30 days for
// high / medium / low risk.
func TestOverdue(t *testing.T) {
	eachEnv(t, day("2026-04-30"), func(t *testing.T, e *env) {
		reg := func(name, group string, risk care.Risk, began string, grid int) care.Subject {
			g := e.g1
			if grid == 2 {
				g = e.g2
			}
			p, _ := e.person(t, name, g, complete)
			return e.register(t, care.NewSubject{PersonID: p.ID, GroupCode: group, Risk: risk, Details: "d", BeganOn: day(began)})
		}
		// M1: monthly, last visited 03-10. On 04-02 the April visit is due
		// 04-28, not yet; on 04-30 it is 2 days overdue.
		m1 := reg("甲", "correction", care.Low, "2026-01-05", 1)
		e.visit(t, m1.ID, "2026-03-10 10:00")
		// M2: monthly, began 04-29, after April's due day: first due 05-28.
		reg("乙", "correction", care.Low, "2026-04-29", 1)
		// M3: monthly, visited 04-03: April done. On 04-02 that visit has
		// not happened yet, but April's due day has not come either.
		m3 := reg("丙", "correction", care.Low, "2026-01-05", 1)
		e.visit(t, m3.ID, "2026-04-03 10:00")
		// I1: high risk (7 days), began 04-01, never visited: due 04-08;
		// on 04-30 22 days overdue; on 04-02 not yet due.
		i1 := reg("丁", "mental", care.High, "2026-04-01", 2)
		// I2: medium (15), began 03-01, visited 04-20: due 05-05 as seen on
		// 04-30. As seen on 04-02 the visit is in the future: due
		// 03-01 + 15 = 03-16, 17 days overdue.
		i2 := reg("戊", "mental", care.Medium, "2026-03-01", 1)
		e.visit(t, i2.ID, "2026-04-20 10:00")
		// I3: low (30), visited 03-31: due 04-30, overdue by 0 days on 04-30.
		i3 := reg("己", "mental", care.Low, "2026-03-01", 1)
		e.visit(t, i3.ID, "2026-03-31 10:00")
		// L: monthly, never visited, but lost: left out.
		l := reg("庚", "correction", care.Low, "2026-01-05", 1)
		if _, err := e.care.MarkLost(bg, actor, l.ID, day("2026-04-10"), "失联"); err != nil {
			t.Fatal(err)
		}
		// N: monthly, never visited, but ended: left out.
		n := reg("辛", "correction", care.Low, "2026-01-05", 2)
		if _, err := e.care.End(bg, actor, n.ID, day("2026-04-10"), n.Version); err != nil {
			t.Fatal(err)
		}

		type row struct {
			id   string
			due  string
			days int
			last string
		}
		for _, tc := range []struct {
			on     string
			within string
			want   []row
		}{
			{"2026-04-30", "", []row{{i1.ID, "2026-04-08", 22, ""}, {m1.ID, "2026-04-28", 2, "2026-03-10"}, {i3.ID, "2026-04-30", 0, "2026-03-31"}}},
			{"2026-04-30", e.community.ID, []row{{i1.ID, "2026-04-08", 22, ""}, {m1.ID, "2026-04-28", 2, "2026-03-10"}, {i3.ID, "2026-04-30", 0, "2026-03-31"}}},
			{"2026-04-30", e.g2.ID, []row{{i1.ID, "2026-04-08", 22, ""}}},
			{"2026-04-02", "", []row{{i2.ID, "2026-03-16", 17, ""}}},
		} {
			t.Run(tc.on+" "+tc.within, func(t *testing.T) {
				ds, err := e.care.Overdue(bg, day(tc.on), tc.within)
				if err != nil {
					t.Fatal(err)
				}
				var got []row
				for _, d := range ds {
					got = append(got, row{d.SubjectID, d.DueOn.String(), d.DaysOverdue, d.LastVisit.String()})
					if d.PersonName == "" || d.GridID == "" || d.GroupCode == "" {
						t.Errorf("incomplete row %+v", d)
					}
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("overdue on %s:\n got %+v\nwant %+v", tc.on, got, tc.want)
				}
			})
		}

		// List's Overdue filter uses today (04-30).
		list, total, err := e.care.List(bg, actor, care.Query{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		if total != 3 || len(list) != 3 || !contains(ids, i1.ID) || !contains(ids, m1.ID) || !contains(ids, i3.ID) {
			t.Errorf("overdue list %v (total %d)", ids, total)
		}
		list, total, _ = e.care.List(bg, actor, care.Query{Overdue: true, GridID: e.g1.ID})
		if total != 2 || len(list) != 2 {
			t.Errorf("overdue in grid 1: %d", total)
		}
		_, err = e.care.Overdue(bg, dates.Date{}, "")
		wantErr(t, err, apperr.Invalid, "on")
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
