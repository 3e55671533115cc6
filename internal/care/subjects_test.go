package care_test

import (
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/care"
	"gridwork/internal/records"
)

func TestGroups(t *testing.T) {
	eachEnv(t, day("2026-04-02"), func(t *testing.T, e *env) {
		gs, err := e.care.Groups(bg)
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != 6 || gs[0].Code != "correction" || gs[3].Code != "mental" || gs[3].RiskIntervals[care.High] != 7 {
			t.Fatalf("seeded groups: %+v", gs)
		}
		for _, tc := range []struct {
			name   string
			g      care.Group
			fields []string
		}{
			{"bad code", care.Group{Code: "Bad-Code", Name: "x", Plan: care.Monthly}, []string{"code"}},
			{"no name", care.Group{Code: "x", Plan: care.Monthly}, []string{"name"}},
			{"bad plan", care.Group{Code: "x", Name: "x", Plan: "weekly"}, []string{"plan"}},
			{"due day 30", care.Group{Code: "x", Name: "x", Plan: care.Monthly, DueDay: 30}, []string{"due_day"}},
			{"negative interval", care.Group{Code: "x", Name: "x", Plan: care.Interval, IntervalDays: -1}, []string{"interval_days"}},
			{"risk on monthly", care.Group{Code: "x", Name: "x", Plan: care.Monthly, RiskIntervals: map[care.Risk]int{care.High: 7}}, []string{"risk_intervals"}},
			{"bad risk key", care.Group{Code: "x", Name: "x", Plan: care.Interval, RiskIntervals: map[care.Risk]int{"extreme": 1}}, []string{"risk_intervals"}},
			{"bad risk days", care.Group{Code: "x", Name: "x", Plan: care.Interval, RiskIntervals: map[care.Risk]int{care.Low: 0}}, []string{"risk_intervals.low"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.care.SetGroup(bg, actor, tc.g)
				wantErr(t, err, apperr.Invalid, tc.fields...)
			})
		}
		g, err := e.care.SetGroup(bg, actor, care.Group{Code: "petition", Name: "重点信访人员", Plan: care.Interval, IntervalDays: 20,
			RiskIntervals: map[care.Risk]int{care.High: 5}, Active: true, Sort: 9})
		if err != nil {
			t.Fatal(err)
		}
		if g.DueDay != 28 {
			t.Errorf("default due day %d", g.DueDay)
		}
		g.Name = "重点信访对象"
		if _, err := e.care.SetGroup(bg, actor, g); err != nil {
			t.Fatal(err)
		}
		gs, _ = e.care.Groups(bg)
		last := gs[len(gs)-1]
		if last.Code != "petition" || last.Name != "重点信访对象" || last.IntervalDays != 20 || last.RiskIntervals[care.High] != 5 || !last.Active {
			t.Errorf("stored group %+v", last)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE entity = 'care_group' AND entity_id = 'petition'`); n != 2 {
			t.Errorf("%d audit entries for the group, want 2", n)
		}
	})
}

func TestSubjectLifecycle(t *testing.T) {
	eachEnv(t, day("2026-04-02"), func(t *testing.T, e *env) {
		p, _ := e.person(t, "张三", e.g1, complete)
		gone, _ := e.person(t, "李四", e.g1, complete)
		if _, err := e.rec.EndPerson(bg, actor, gone.ID, records.End{On: day("2026-03-01"), Reason: records.MovedOut, Version: gone.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.care.SetGroup(bg, actor, care.Group{Code: "old", Name: "旧类别", Plan: care.Monthly}); err != nil {
			t.Fatal(err)
		}
		const secret = "盗窃罪，判处有期徒刑三年，2026年2月刑满释放"

		// Refused registrations, each naming its field.
		for _, tc := range []struct {
			name   string
			in     care.NewSubject
			code   apperr.Code
			fields []string
		}{
			{"no person", care.NewSubject{GroupCode: "released", Risk: care.Low, BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"person_id"}},
			{"unknown person", care.NewSubject{PersonID: "nobody", GroupCode: "released", Risk: care.Low, BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"person_id"}},
			{"ended person", care.NewSubject{PersonID: gone.ID, GroupCode: "released", Risk: care.Low, BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"person_id"}},
			{"unknown group", care.NewSubject{PersonID: p.ID, GroupCode: "nope", Risk: care.Low, BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"group_code"}},
			{"inactive group", care.NewSubject{PersonID: p.ID, GroupCode: "old", Risk: care.Low, BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"group_code"}},
			{"no risk", care.NewSubject{PersonID: p.ID, GroupCode: "released", BeganOn: day("2026-02-01")}, apperr.Invalid, []string{"risk"}},
			{"future began_on", care.NewSubject{PersonID: p.ID, GroupCode: "released", Risk: care.Low, BeganOn: day("2026-04-03")}, apperr.Invalid, []string{"began_on"}},
			{"no began_on, bad risk", care.NewSubject{PersonID: p.ID, GroupCode: "released", Risk: "severe"}, apperr.Invalid, []string{"began_on", "risk"}},
			{"too long details", care.NewSubject{PersonID: p.ID, GroupCode: "released", Risk: care.Low, BeganOn: day("2026-02-01"), Details: strings.Repeat("长", care.MaxText+1)}, apperr.Invalid, []string{"details"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.care.Register(bg, actor, tc.in)
				wantErr(t, err, tc.code, tc.fields...)
			})
		}
		if n := e.count(t, `SELECT COUNT(*) FROM care_subjects`); n != 0 {
			t.Fatalf("%d subjects after refused registrations", n)
		}

		// Register, then resend: one subject.
		in := care.NewSubject{ClientID: "c-1", PersonID: p.ID, GroupCode: "released", Risk: care.Medium, Details: "  " + secret + " ", BeganOn: day("2026-02-10")}
		x := e.register(t, in)
		again := e.register(t, in)
		if again.ID != x.ID || x.GridID != e.g1.ID || x.Status != care.Active || x.Version != 1 || x.Details != "" || x.PersonName != "张三" ||
			!strings.Contains(x.PersonIDMasked, "*") {
			t.Fatalf("registered %+v, resent %+v", x, again)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM care_subjects`); n != 1 {
			t.Fatalf("%d subjects after a resend", n)
		}

		// Details are sealed at rest and never in the audit log.
		var raw string
		if err := e.db.QueryRowContext(bg, `SELECT details_sealed FROM care_subjects WHERE id = $1`, x.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if raw == "" || strings.Contains(raw, "盗窃") || !strings.HasPrefix(raw, "v1.") {
			t.Fatalf("details column holds %q", raw)
		}

		// Get unseals and audits the read.
		got, err := e.care.Get(bg, "reader", x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Details != secret {
			t.Fatalf("details %q, want %q", got.Details, secret)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'care_subject' AND entity_id = $1 AND actor = 'reader'`, x.ID); n != 1 {
			t.Fatalf("%d read audit entries, want 1", n)
		}
		_, err = e.care.Get(bg, "reader", "nope")
		wantErr(t, err, apperr.NotFound)

		// The same person in the same group again: Conflict naming both.
		_, err = e.care.Register(bg, actor, care.NewSubject{PersonID: p.ID, GroupCode: "released", Risk: care.Low, BeganOn: day("2026-02-10")})
		wantErr(t, err, apperr.Conflict, "person_id", "group_code")
		// Another group is fine.
		drug := e.register(t, care.NewSubject{PersonID: p.ID, GroupCode: "drug", Risk: care.High, BeganOn: day("2026-01-10")})

		// Update: stale version refused, then applied.
		high := care.High
		_, err = e.care.Update(bg, actor, x.ID, care.SubjectPatch{Version: 7, Risk: &high})
		wantErr(t, err, apperr.Conflict)
		_, err = e.care.Update(bg, actor, x.ID, care.SubjectPatch{Version: 1})
		wantErr(t, err, apperr.Invalid)
		details := "已报到"
		x, err = e.care.Update(bg, actor, x.ID, care.SubjectPatch{Version: 1, Risk: &high, Details: &details})
		if err != nil {
			t.Fatal(err)
		}
		if x.Risk != care.High || x.Version != 2 {
			t.Fatalf("updated %+v", x)
		}

		// Lost: a reason is required; a lost subject cannot be visited.
		_, err = e.care.MarkLost(bg, actor, x.ID, day("2026-03-20"), "  ")
		wantErr(t, err, apperr.Invalid, "reason")
		_, err = e.care.MarkLost(bg, actor, x.ID, day("2026-02-01"), "失联")
		wantErr(t, err, apperr.Invalid, "on")
		x, err = e.care.MarkLost(bg, actor, x.ID, day("2026-03-20"), "电话不通，人户分离")
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != care.Lost || x.LostOn != day("2026-03-20") {
			t.Fatalf("lost %+v", x)
		}
		_, err = e.care.MarkLost(bg, actor, x.ID, day("2026-03-21"), "again")
		wantErr(t, err, apperr.Conflict)
		_, err = e.care.RecordVisit(bg, "user1", "", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-03-25 10:00")})
		wantErr(t, err, apperr.Conflict)
		got, _ = e.care.Get(bg, "reader", x.ID)
		if got.LostReason != "电话不通，人户分离" || got.Details != details {
			t.Fatalf("read back %+v", got)
		}

		// Found: active again, lost_on kept, visits allowed.
		_, err = e.care.MarkFound(bg, actor, x.ID, day("2026-03-19"))
		wantErr(t, err, apperr.Invalid, "on")
		x, err = e.care.MarkFound(bg, actor, x.ID, day("2026-03-28"))
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != care.Active || x.LostOn != day("2026-03-20") {
			t.Fatalf("found %+v", x)
		}
		_, err = e.care.MarkFound(bg, actor, x.ID, day("2026-03-29"))
		wantErr(t, err, apperr.Conflict)
		e.visit(t, x.ID, "2026-03-29 09:00")

		// End: stale version refused; an ended subject cannot be visited or
		// changed, and the person may enter the group again.
		_, err = e.care.End(bg, actor, x.ID, day("2026-03-31"), x.Version-1)
		wantErr(t, err, apperr.Conflict)
		_, err = e.care.End(bg, actor, x.ID, day("2026-01-01"), x.Version)
		wantErr(t, err, apperr.Invalid, "on")
		x, err = e.care.End(bg, actor, x.ID, day("2026-03-31"), x.Version)
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != care.Ended || x.EndedOn != day("2026-03-31") {
			t.Fatalf("ended %+v", x)
		}
		_, err = e.care.RecordVisit(bg, "user1", "", care.NewVisit{SubjectID: x.ID, VisitedAt: at("2026-04-01 10:00")})
		wantErr(t, err, apperr.Conflict)
		_, err = e.care.Update(bg, actor, x.ID, care.SubjectPatch{Version: x.Version, Risk: &high})
		wantErr(t, err, apperr.Conflict)
		_, err = e.care.End(bg, actor, x.ID, day("2026-04-01"), x.Version)
		wantErr(t, err, apperr.Conflict)
		e.register(t, care.NewSubject{PersonID: p.ID, GroupCode: "released", Risk: care.Low, BeganOn: day("2026-04-01")})

		// No sealed text ever reached the audit log.
		for _, s := range []string{"盗窃", "已报到", "电话不通", "见面谈话"} {
			if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE after_json LIKE $1 OR before_json LIKE $1`, "%"+s+"%"); n != 0 {
				t.Errorf("%q appears in %d audit entries", s, n)
			}
		}

		// List: no details, names and masked numbers, one audit entry.
		before := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'list'`)
		list, total, err := e.care.List(bg, "lister", care.Query{WithinID: e.community.ID, Status: care.Active})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(list) != 2 {
			t.Fatalf("listed %d of %d: %+v", len(list), total, list)
		}
		for _, s := range list {
			if s.Details != "" || s.PersonName != "张三" || s.PersonIDMasked == "" {
				t.Errorf("listed %+v", s)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'list'`); n != before+1 {
			t.Errorf("%d list audit entries, want %d", n, before+1)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'list' AND actor = 'lister' AND after_json LIKE $1`, "%"+drug.ID+"%"); n != 1 {
			t.Errorf("the list entry does not name the ids returned")
		}
		list, total, _ = e.care.List(bg, "lister", care.Query{GridID: e.g2.ID})
		if total != 0 || len(list) != 0 {
			t.Errorf("grid 2 lists %+v", list)
		}
		list, total, _ = e.care.List(bg, "lister", care.Query{GroupCode: "released", Limit: 1})
		if total != 2 || len(list) != 1 {
			t.Errorf("paged: %d of %d", len(list), total)
		}
		_, _, err = e.care.List(bg, "lister", care.Query{Status: "gone"})
		wantErr(t, err, apperr.Invalid, "status")
	})
}
