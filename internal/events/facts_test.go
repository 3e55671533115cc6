package events_test

import (
	"fmt"
	"slices"
	"testing"

	"gridwork/internal/events"
	"gridwork/internal/metric"
)

// TestFacts measures March 2026 on a small hand-made month (collected on
// 2026-04-15, when every March line has passed). The limits are the
// categories' (migration 00004): part_road and part_streetlight default
// (accept 2, dispatch 1, handle 3, verify 1, close 7 working days);
// event_garbage close 3; hazard_gas accept 4 h, dispatch 4 h, close 3;
// major_fire accept 2 h, dispatch 2 h, close 3; disputes default.
//
// The full-time worker (grid 1):
//
//	E1 part_road Mon 03-02 09:00, upward; accepted 03-03 09:00 (due 03-04
//	   09:00), dispatched 03-03 10:00, handled 03-04 09:00, verified 03-05
//	   09:00 (due exactly then: in time), closed 03-05 10:00 (due 03-11
//	   09:00). No card.
//	E2 event_ad Tue 03-10 10:00, handled on the spot (自办自结).
//	E3-E8 part_streetlight Fri 03-27 09:00 … 14:00, never accepted: six
//	   reports in the last 5 days (27-31); E8's description is too short.
//	   Accept due Tue 03-31 09:00 … 14:00: six late acceptances, six yellow
//	   cards to the community (red lines and close lines fall in April).
//
// The part-time worker (grid 2):
//
//	P1 dispute_neighbour Mon 03-16 10:00, never accepted: accept due Wed
//	   03-18 10:00 (yellow), red Fri 03-20 10:00; close due Wed 03-25 10:00
//	   (yellow), red Fri 04-03 10:00 (April). A mediation report.
//	P2 major_fire happened Fri 03-20 08:00, reported 09:00, accepted 10:00
//	   (due 11:00), reached the centres 11:00: 3 h after it happened, late.
//	   Never dispatched: dispatch due 12:00 (yellow), red 14:00; close due
//	   Wed 03-25 09:00 (yellow), red Mon 03-30 09:00.
//	P3 event_vendor Sat 03-21, voided 03-22: not counted anywhere.
//
// Other channels:
//
//	B1 part_road, resident, grid 1, Mon 02-02 09:00, all steps on 03-03
//	   10:00: closed late in March; its close was due Wed 02-11 09:00, so
//	   it counts only in March's closure rate (its cards are February's).
//	R1 event_garbage, resident, grid 1, Thu 03-12 10:00, accepted Fri
//	   03-13 09:00 (due Mon 03-16 10:00); never dispatched: dispatch due
//	   Mon 03-16 09:00 (yellow), red Tue 03-17 09:00; close due Tue 03-17
//	   10:00 (yellow), red Fri 03-20 10:00. Not reported by a worker.
//	R2 hazard_gas (larger), resident, grid 2, Fri 03-13 10:00: accept due
//	   14:00 (yellow), red 18:00; close due Wed 03-18 10:00 (yellow), red Mon
//	   03-23 10:00.
//	R3 part_streetlight, resident, grid 1, Fri 03-27 15:00, 11 m from E3:
//	   the worker had reported it, so it is not "unreported". Accept due
//	   Tue 03-31 15:00 (yellow).
//	R4 dispute_family, resident, grid 2, Sat 03-14 10:00 (the clock starts
//	   Mon 03-16): accept due Wed 03-18 00:00 (yellow), red Fri 03-20 00:00;
//	   close due Wed 03-25 00:00 (yellow), red Fri 04-03 00:00 (April).
func TestFacts(t *testing.T) {
	eachEnv(t, at("2026-02-02 09:00"), func(t *testing.T, e *env) {
		resident := events.Actor{UserID: "open311"}
		rep := func(when string, by events.Actor, in events.NewEvent) events.Event {
			t.Helper()
			e.set(when)
			if by.WorkerID == "" {
				in.Source = events.FromResident
			}
			return e.report(t, by, in)
		}
		step := func(when string, id string, a events.Action, in events.ActInput) {
			t.Helper()
			e.set(when)
			e.act(t, e.centre, id, a, in)
		}
		all := func(when, id string) {
			t.Helper()
			for _, a := range []events.Action{events.Accept, events.Dispatch, events.Handle, events.Verify, events.Close} {
				step(when, id, a, events.ActInput{AssigneeWorkerID: e.full.ID, Photos: []string{e.photo}})
			}
		}
		b1 := rep("2026-02-02 09:00", resident, events.NewEvent{CategoryCode: "part_road", GridID: e.g1.ID})
		all("2026-03-03 10:00", b1.ID)

		e1 := rep("2026-03-02 09:00", e.fullBy, events.NewEvent{CategoryCode: "part_road", Upward: true})
		step("2026-03-03 09:00", e1.ID, events.Accept, events.ActInput{})
		step("2026-03-03 10:00", e1.ID, events.Dispatch, events.ActInput{AssigneeWorkerID: e.full.ID})
		step("2026-03-04 09:00", e1.ID, events.Handle, events.ActInput{Photos: []string{e.photo}})
		step("2026-03-05 09:00", e1.ID, events.Verify, events.ActInput{})
		step("2026-03-05 10:00", e1.ID, events.Close, events.ActInput{})
		e2 := rep("2026-03-10 10:00", e.fullBy, events.NewEvent{CategoryCode: "event_ad", SelfHandle: true, HandleNote: "已清除",
			HandlePhotos: []string{e.photo}})
		var late []events.Event
		for k := range 6 {
			in := events.NewEvent{CategoryCode: "part_streetlight", Lat: f64(lat1 - 0.0008*float64(k)), Lon: f64(lon1)}
			if k == 5 {
				in.Description = "路灯坏"
			}
			late = append(late, rep(fmt.Sprintf("2026-03-27 %02d:00", 9+k), e.fullBy, in))
		}
		p1 := rep("2026-03-16 10:00", e.partBy, events.NewEvent{CategoryCode: "dispute_neighbour", GridID: e.g2.ID,
			Description: "302与402因漏水问题发生争执，需要调解", Photos: []string{}})
		p2 := rep("2026-03-20 09:00", e.partBy, events.NewEvent{CategoryCode: "major_fire", GridID: e.g2.ID, Severity: events.Major,
			HappenedAt: at("2026-03-20 08:00"), Description: "三号楼一层商铺起火，已疏散群众并拨打119"})
		step("2026-03-20 10:00", p2.ID, events.Accept, events.ActInput{})
		step("2026-03-20 11:00", p2.ID, events.Escalate, events.ActInput{})
		p3 := rep("2026-03-21 10:00", e.partBy, events.NewEvent{CategoryCode: "event_vendor", GridID: e.g2.ID})
		step("2026-03-22 09:00", p3.ID, events.RequestVoid, events.ActInput{Note: "重复"})
		step("2026-03-22 10:00", p3.ID, events.ApproveVoid, events.ActInput{Note: "同意"})
		r1 := rep("2026-03-12 10:00", resident, events.NewEvent{CategoryCode: "event_garbage", GridID: e.g1.ID, Description: "小区门口垃圾堆积无人清运"})
		step("2026-03-13 09:00", r1.ID, events.Accept, events.ActInput{})
		r2 := rep("2026-03-13 10:00", resident, events.NewEvent{CategoryCode: "hazard_gas", GridID: e.g2.ID, Severity: events.Larger,
			Description: "楼道内闻到燃气味，疑似管道泄漏"})
		r3 := rep("2026-03-27 15:00", resident, events.NewEvent{CategoryCode: "part_streetlight", Lat: f64(lat1 + 0.0001), Lon: f64(lon1),
			Description: "小区东门路灯不亮已一周"})
		r4 := rep("2026-03-14 10:00", resident, events.NewEvent{CategoryCode: "dispute_family", GridID: e.g2.ID,
			Description: "楼上夫妻经常争吵打闹，请社区调解", Photos: []string{}})

		e.set("2026-04-15 12:00")
		p := metric.Period{Year: 2026, Month: 3}
		g, names, err := e.ev.Facts(bg, p)
		if err != nil {
			t.Fatal(err)
		}
		w, _, err := e.ev.WorkerFacts(bg, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 17 {
			t.Errorf("%d names measured, want 17: %v", len(names), names)
		}
		type want struct{ num, den float64 }
		check := func(kind string, tallies metric.Tallies, subject, name string, x want, evidence ...string) {
			t.Helper()
			got := tallies[subject][name]
			if got == nil {
				got = &metric.Tally{}
			}
			if got.Num != x.num || got.Den != x.den {
				t.Errorf("%s %s: num %v den %v, want %v %v", kind, name, got.Num, got.Den, x.num, x.den)
			}
			for _, id := range evidence {
				if !slices.ContainsFunc(got.Evidence, func(r metric.Ref) bool { return r.ID == id && r.Entity == "event" }) {
					t.Errorf("%s %s: evidence lacks %s: %+v", kind, name, id, got.Evidence)
				}
			}
		}
		full, part := e.full.ID, e.part.ID
		// The full-time worker: 8 reports, 1 upward, 1 on the spot; 6 of 8
		// in the last 5 days (75 % > 50 %, and at least 5): bunched.
		check("full", w, full, "events.reported", want{8, 0}, e1.ID, e2.ID, late[0].ID)
		check("full", w, full, "events.reported_upward", want{1, 0}, e1.ID)
		check("full", w, full, "events.self_handled", want{1, 0}, e2.ID)
		check("full", w, full, "events.month_end_share", want{6, 8}, late[0].ID, late[5].ID)
		check("full", w, full, "events.month_end_bunching", want{1, 0})
		check("full", w, full, "events.badly_described", want{1, 0}, late[5].ID)
		// max(56 − 8, 8 − 1) = 48.
		check("full", w, full, "events.quota_short", want{48, 0})
		check("full", w, full, "events.per_worker", want{8, 1})
		check("full", w, full, "events.yellow_cards", want{0, 0})
		// The part-time worker: P1 and P2 (P3 was voided); max(52 − 2, 4 − 0).
		check("part", w, part, "events.reported", want{2, 0}, p1.ID, p2.ID)
		check("part", w, part, "events.mediation", want{1, 0}, p1.ID)
		check("part", w, part, "events.major_late", want{1, 0}, p2.ID)
		check("part", w, part, "events.quota_short", want{50, 0})
		check("part", w, part, "events.month_end_share", want{0, 2})
		check("part", w, part, "events.month_end_bunching", want{0, 0})
		check("part", w, part, "events.per_worker", want{2, 1})

		g1, g2 := e.g1.ID, e.g2.ID
		// Other channels: R1 (ordinary) unreported in g1; R3 was reported
		// by the worker first. R2 (larger) and R4 (ordinary) in g2.
		check("g1", g, g1, "events.unreported", want{1, 0}, r1.ID)
		check("g1", g, g1, "events.unreported_major", want{0, 0})
		check("g2", g, g2, "events.unreported", want{1, 0}, r4.ID)
		check("g2", g, g2, "events.unreported_major", want{1, 0}, r2.ID)
		check("g2", g, g2, "events.mediation", want{1, 0}, r4.ID)
		// Accept due in March: g1 E1 ✓, E2 ✓, E3-E8 ✗ (6), R1 ✓, R3 ✗: 3 of 10;
		// g2 P1 ✗, P2 ✓, R2 ✗, R4 ✗: 1 of 4.
		check("g1", g, g1, "events.accept_rate", want{3, 10}, late[0].ID, r3.ID)
		check("g2", g, g2, "events.accept_rate", want{1, 4}, p1.ID, r2.ID, r4.ID)
		// Close due in March: g1 E1 ✓, E2 ✓, R1 ✗; g2 P1, P2, R2, R4 ✗.
		check("g1", g, g1, "events.close_rate", want{2, 3}, r1.ID)
		check("g2", g, g2, "events.close_rate", want{0, 4}, p1.ID, p2.ID, r2.ID, r4.ID)
		// Closure adds B1 (due in February, open on 03-01, closed 03-03).
		check("g1", g, g1, "events.closure_rate", want{3, 4}, r1.ID)
		check("g2", g, g2, "events.closure_rate", want{0, 4})
		// Unit cards with March lines: g1 E3-E8 accept 6 yellow, R1
		// dispatch and close yellow and red, R3 accept yellow: 9 yellow, 2
		// red. g2 P1 2 yellow 1 red, P2 2 and 2, R2 2 and 2, R4 2 and 1:
		// 8 yellow, 6 red.
		check("g1", g, g1, "events.yellow_cards", want{9, 0}, r1.ID, r3.ID, late[3].ID)
		check("g1", g, g1, "events.red_cards", want{2, 0}, r1.ID)
		check("g2", g, g2, "events.yellow_cards", want{8, 0}, p1.ID, p2.ID, r2.ID, r4.ID)
		check("g2", g, g2, "events.red_cards", want{6, 0}, p1.ID, p2.ID, r2.ID, r4.ID)
		// Collecting again stores no new card and gives the same values.
		if n, err := e.ev.IssueCards(bg, at("2026-04-15 12:00")); err != nil || n != 0 {
			t.Errorf("sweep after collection stored %d cards, %v", n, err)
		}
	})
}
