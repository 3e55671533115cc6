package events_test

import (
	"testing"
	"time"

	"gridwork/internal/events"
	"gridwork/internal/metric"
)

// TestCards follows one event across the 2026 Spring Festival and checks
// the sweep's cards against lines worked out by hand (part_road: accept 2
// working days, handle 3, close 7; 2026-02-14 and 2026-02-28 are swapped
// working days, 2026-02-15 to 2026-02-23 the holiday):
//
//   - reported Fri 2026-02-13 15:00. Accept due: Fri 9 h + Sat 14 (swapped)
//     24 h = 33 h; holiday; Tue 24 15 h more: 2026-02-24 15:00. Red line:
//     2 more working days, 2026-02-26 15:00.
//   - accepted Wed 02-25 10:00 (late: yellow to the community, no red);
//     dispatched to the full-time worker Wed 11:00. Handle due: Wed 13 h,
//     Thu 24 h, Fri 24 h (61 h), Sat 28 (swapped) 11 h: 2026-02-28 11:00.
//     Red: Sat 13 h, Mon 2 24 h, Tue 3 24 h, Wed 4 11 h: 2026-03-04 11:00.
//   - close due: Fri 13 9 h, Sat 14 24 h (33), Tue 24 - Fri 27 (129),
//     Sat 28 (153), Mon 2 15 h: 2026-03-02 15:00, while the worker is
//     still handling it: a yellow card to the worker.
//   - handled Wed 03-04 10:00, before the handle red line.
func TestCards(t *testing.T) {
	eachEnv(t, at("2026-02-13 15:00"), func(t *testing.T, e *env) {
		ev := e.report(t, e.fullBy, events.NewEvent{CategoryCode: "part_road"})
		sweep := func(when string, want int) {
			t.Helper()
			n, err := e.ev.IssueCards(bg, at(when))
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("sweep at %s stored %d cards, want %d", when, n, want)
			}
		}
		sweep("2026-02-24 15:00", 0) // exactly due: not past yet
		sweep("2026-02-24 15:01", 1) // accept yellow
		sweep("2026-02-24 16:00", 0) // idempotent
		e.set("2026-02-25 10:00")
		e.act(t, e.centre, ev.ID, events.Accept, events.ActInput{})
		e.set("2026-02-25 11:00")
		e.act(t, e.centre, ev.ID, events.Dispatch, events.ActInput{AssigneeWorkerID: e.full.ID})
		sweep("2026-02-28 11:00", 0)
		sweep("2026-03-01 08:00", 1) // handle yellow, line Sat 02-28 11:00
		sweep("2026-03-02 16:00", 1) // close yellow, line Mon 03-02 15:00
		e.set("2026-03-04 10:00")
		e.act(t, e.fullBy, ev.ID, events.Handle, events.ActInput{Photos: []string{e.photo}})
		sweep("2026-03-05 00:00", 0) // handled before its red line
		e.set("2026-03-05 09:00")
		e.act(t, e.centre, ev.ID, events.Verify, events.ActInput{})
		sweep("2026-03-06 00:00", 0)
		e.set("2026-03-12 09:00")
		e.act(t, e.centre, ev.ID, events.Close, events.ActInput{})
		// Close red line: 7 more working days from Mon 03-02 15:00: Mon 9
		// h, Tue 3 - Fri 6 (105 h), Mon 9, Tue 10 (153 h), Wed 11 15 h:
		// 2026-03-11 15:00. Closed Thu 03-12: a red card, to the community
		// (the handling was done by then).
		sweep("2026-03-20 00:00", 1)
		sweep("2026-04-20 00:00", 0)
		got, err := e.ev.Get(bg, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		type card struct {
			stage  events.Stage
			color  events.Color
			worker string
			unit   string
			line   string
		}
		want := map[card]bool{
			{events.StageAccept, events.YellowCard, "", e.community.ID, "2026-02-24 15:00"}: true,
			{events.StageHandle, events.YellowCard, e.full.ID, "", "2026-02-28 11:00"}:      true,
			{events.StageClose, events.YellowCard, e.full.ID, "", "2026-03-02 15:00"}:       true,
			{events.StageClose, events.RedCard, "", e.community.ID, "2026-03-11 15:00"}:     true,
		}
		if len(got.Cards) != len(want) {
			t.Fatalf("cards %+v", got.Cards)
		}
		for _, c := range got.Cards {
			k := card{c.Stage, c.Color, c.WorkerID, c.UnitID, c.LineAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")}
			if !want[k] {
				t.Errorf("unexpected card %+v", k)
			}
		}
		if got.State != events.Closed {
			t.Errorf("state %s", got.State)
		}
		// The cards stay after closing, and are listed per worker.
		cs, total, err := e.ev.Cards(bg, events.CardQuery{WorkerID: e.full.ID})
		if err != nil || total != 2 || len(cs) != 2 {
			t.Errorf("worker's cards: %d %+v %v", total, cs, err)
		}
		cs, total, err = e.ev.Cards(bg, events.CardQuery{WithinID: e.g2.ID})
		if err != nil || total != 0 || len(cs) != 0 {
			t.Errorf("cards in g2: %d %v", total, err)
		}
		// The facts count each card in the month of its line: the worker's
		// own (handle yellow 02-28, close yellow 03-02) as worker facts,
		// the community's (accept yellow 02-24, close red 03-11) in the grid.
		for _, c := range []struct {
			month                 time.Month
			workerY, gridY, gridR float64
		}{{2, 1, 1, 0}, {3, 1, 0, 1}, {4, 0, 0, 0}} {
			p := metric.Period{Year: 2026, Month: c.month}
			w, _, err := e.ev.WorkerFacts(bg, p)
			if err != nil {
				t.Fatal(err)
			}
			g, _, err := e.ev.Facts(bg, p)
			if err != nil {
				t.Fatal(err)
			}
			num := func(m metric.Tallies, subject, name string) float64 {
				if x := m[subject][name]; x != nil {
					return x.Num
				}
				return 0
			}
			if got := num(w, e.full.ID, "events.yellow_cards"); got != c.workerY {
				t.Errorf("%s: worker yellow cards %v, want %v", p, got, c.workerY)
			}
			if got := num(w, e.full.ID, "events.red_cards"); got != 0 {
				t.Errorf("%s: worker red cards %v, want 0", p, got)
			}
			if got := num(g, e.g1.ID, "events.yellow_cards"); got != c.gridY {
				t.Errorf("%s: grid yellow cards %v, want %v", p, got, c.gridY)
			}
			if got := num(g, e.g1.ID, "events.red_cards"); got != c.gridR {
				t.Errorf("%s: grid red cards %v, want %v", p, got, c.gridR)
			}
		}
	})
}

// TestExtensionMovesDue: an extension approved in time moves the due time,
// so no yellow card; parking stops the clock.
func TestExtensionMovesDue(t *testing.T) {
	eachEnv(t, at("2026-03-06 10:00"), func(t *testing.T, e *env) {
		ev := e.report(t, e.fullBy, events.NewEvent{})
		e.set("2026-03-09 12:00")
		e.act(t, e.fullBy, ev.ID, events.RequestExtension, events.ActInput{Note: "需要物业配合", Extra: "1workdays"})
		got := e.act(t, e.centre, ev.ID, events.ApproveExtension, events.ActInput{Note: "同意"})
		// Due Tue 03-10 10:00 + 1 working day = Wed 03-11 10:00 (see
		// TestLines "extension in time").
		if c := got.Clocks[0]; c.Stage != events.StageAccept || !c.Due.Equal(at("2026-03-11 10:00")) || !c.RedAt.Equal(at("2026-03-13 10:00")) {
			t.Errorf("accept clock %+v", c)
		}
		if n, _ := e.ev.IssueCards(bg, at("2026-03-11 09:00")); n != 0 {
			t.Errorf("%d cards before the extended due", n)
		}
		// Parked from Wed 09:00 to Fri 09:00 (48 h): the due moves to Fri
		// 03-13 10:00 and no card falls due meanwhile.
		e.set("2026-03-11 08:00")
		e.act(t, e.fullBy, ev.ID, events.RequestPark, events.ActInput{Note: "等待法院判决"})
		e.set("2026-03-11 09:00")
		e.act(t, e.centre, ev.ID, events.ApprovePark, events.ActInput{Note: "同意挂账"})
		if n, _ := e.ev.IssueCards(bg, at("2026-03-12 12:00")); n != 0 {
			t.Errorf("%d cards while parked", n)
		}
		e.set("2026-03-13 09:00")
		got = e.act(t, e.centre, ev.ID, events.Resume, events.ActInput{Note: "判决已出"})
		if got.State != events.Reported {
			t.Fatalf("resumed to %s", got.State)
		}
		if c := got.Clocks[0]; !c.Due.Equal(at("2026-03-13 10:00")) {
			t.Errorf("due after parking %s, want 2026-03-13 10:00", c.Due.In(time.FixedZone("CST", 8*3600)))
		}
	})
}
