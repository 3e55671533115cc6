package events_test

import (
	"fmt"
	"strings"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/events"
)

// legal is the workflow written out by hand: every (state, action) pair
// allowed and the state it leads to. Every pair not listed is illegal.
// resume leads back to the parked-from state; Next reports Parked for it.
var legal = map[events.State]map[events.Action]events.State{
	events.Reported:   working(events.Reported, events.Accept, events.Accepted, ""),
	events.Accepted:   working(events.Accepted, events.Dispatch, events.Dispatched, events.Reported),
	events.Dispatched: working(events.Dispatched, events.Handle, events.Handled, events.Accepted),
	events.Handled:    working(events.Handled, events.Verify, events.Verified, events.Dispatched),
	events.Verified:   working(events.Verified, events.Close, events.Closed, events.Handled),
	events.Parked: {
		events.Resume: events.Parked, events.RequestVoid: events.Parked, events.ApproveVoid: events.Voided, events.RejectVoid: events.Parked,
	},
	events.Closed: {},
	events.Voided: {},
}

// working is the row of a state an event is worked in: forward leads to
// next, send-back to back (none when back is empty), and the requests every
// such state allows (escalate; extension, park and void asked, approved or
// rejected) stay in st, but an approved park parks it and an approved void
// voids it.
func working(st events.State, forward events.Action, next, back events.State) map[events.Action]events.State {
	row := map[events.Action]events.State{
		forward: next, events.Escalate: st,
		events.RequestExtension: st, events.ApproveExtension: st, events.RejectExtension: st,
		events.RequestPark: st, events.ApprovePark: events.Parked, events.RejectPark: st,
		events.RequestVoid: st, events.ApproveVoid: events.Voided, events.RejectVoid: st,
	}
	if back != "" {
		row[events.SendBack] = back
	}
	return row
}

// TestNextEveryPair checks Next on every state and every action against
// the table above.
func TestNextEveryPair(t *testing.T) {
	if len(events.States) != len(legal) {
		t.Fatalf("%d states, table has %d", len(events.States), len(legal))
	}
	n := 0
	for _, st := range events.States {
		for _, a := range events.Actions {
			n++
			t.Run(fmt.Sprintf("%s/%s", st, a), func(t *testing.T) {
				want, ok := legal[st][a]
				got, gotOK := events.Next(st, a)
				if gotOK != ok || got != want {
					t.Errorf("Next(%s, %s) = %q, %v; want %q, %v", st, a, got, gotOK, want, ok)
				}
			})
		}
	}
	if n != 8*17 {
		t.Errorf("checked %d pairs, want 136", n)
	}
}

// inState returns an event brought to st through the store.
func inState(t *testing.T, e *env, st events.State) events.Event {
	t.Helper()
	ev := e.report(t, e.fullBy, events.NewEvent{})
	step := func(a events.Action, in events.ActInput) { ev = e.act(t, e.centre, ev.ID, a, in) }
	switch st {
	case events.Parked:
		step(events.RequestPark, events.ActInput{Note: "等待拆迁"})
		step(events.ApprovePark, events.ActInput{Note: "同意"})
	case events.Voided:
		step(events.RequestVoid, events.ActInput{Note: "重复上报"})
		step(events.ApproveVoid, events.ActInput{Note: "同意"})
	}
	path := []struct {
		a  events.Action
		st events.State
	}{{events.Accept, events.Accepted}, {events.Dispatch, events.Dispatched}, {events.Handle, events.Handled},
		{events.Verify, events.Verified}, {events.Close, events.Closed}}
	for _, p := range path {
		if ev.State == st {
			break
		}
		step(p.a, events.ActInput{Note: "ok", AssigneeWorkerID: e.full.ID, Photos: []string{e.photo}})
	}
	if ev.State != st {
		t.Fatalf("could not bring an event to %s (it is %s)", st, ev.State)
	}
	return ev
}

// TestActEveryPair drives every (state, action) pair through the store,
// with input that is valid for the action, and checks that exactly the
// legal pairs succeed and the others are refused with ECONFLICT naming the
// state and the action.
func TestActEveryPair(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		pending := map[events.Action]events.Action{
			events.ApproveExtension: events.RequestExtension, events.RejectExtension: events.RequestExtension,
			events.ApprovePark: events.RequestPark, events.RejectPark: events.RequestPark,
			events.ApproveVoid: events.RequestVoid, events.RejectVoid: events.RequestVoid,
		}
		for _, st := range events.States {
			for _, a := range events.Actions {
				ev := inState(t, e, st)
				in := events.ActInput{Note: "说明", AssigneeWorkerID: e.full.ID, Photos: []string{e.photo}, Extra: "2workdays"}
				if req, ok := pending[a]; ok {
					if _, ok := legal[st][req]; ok {
						e.act(t, e.centre, ev.ID, req, in)
					}
				}
				got, err := e.ev.Act(bg, e.centre, ev.ID, a, in)
				want, ok := legal[st][a]
				if !ok {
					if apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(err.Error(), string(st)) || !strings.Contains(err.Error(), string(a)) {
						t.Errorf("%s in %s: got %v, want ECONFLICT naming both", a, st, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s in %s: %v", a, st, err)
					continue
				}
				if a == events.Resume {
					want = events.Reported // parked from reported
				}
				if got.State != want {
					t.Errorf("%s in %s: state %s, want %s", a, st, got.State, want)
				}
				if last := got.Steps[len(got.Steps)-1]; last.Action != a || last.From != st || last.To != want || last.UserID != e.centre.UserID {
					t.Errorf("%s in %s: last step %+v", a, st, last)
				}
			}
		}
	})
}

// TestRequestsNeedPending checks the approval rules the state table does
// not cover: a second request of a kind while one is pending, and a
// decision without a pending request.
func TestRequestsNeedPending(t *testing.T) {
	eachEnv(t, at("2026-03-02 09:00"), func(t *testing.T, e *env) {
		ev := e.report(t, e.fullBy, events.NewEvent{})
		_, err := e.ev.Act(bg, e.centre, ev.ID, events.ApproveExtension, events.ActInput{})
		wantErr(t, err, apperr.Conflict)
		_, err = e.ev.Act(bg, e.fullBy, ev.ID, events.RequestExtension, events.ActInput{Note: "需要协调", Extra: "soon"})
		wantErr(t, err, apperr.Invalid, "extra")
		_, err = e.ev.Act(bg, e.fullBy, ev.ID, events.RequestPark, events.ActInput{})
		wantErr(t, err, apperr.Invalid, "note")
		e.act(t, e.fullBy, ev.ID, events.RequestExtension, events.ActInput{Note: "需要协调", Extra: "3workdays"})
		_, err = e.ev.Act(bg, e.fullBy, ev.ID, events.RequestExtension, events.ActInput{Note: "again", Extra: "3workdays"})
		wantErr(t, err, apperr.Conflict)
		got := e.act(t, e.centre, ev.ID, events.RejectExtension, events.ActInput{Note: "不同意"})
		if len(got.Requests) != 1 || got.Requests[0].Status != "rejected" || got.Requests[0].Stage != events.StageAccept || got.Requests[0].Extra != "3workdays" {
			t.Errorf("requests %+v", got.Requests)
		}
		_, err = e.ev.Act(bg, e.centre, ev.ID, events.Accept, events.ActInput{Version: ev.Version})
		wantErr(t, err, apperr.Conflict) // stale version
		_, err = e.ev.Act(bg, e.centre, ev.ID, events.SendBack, events.ActInput{})
		wantErr(t, err, apperr.Conflict) // reported has nothing to go back to
		acc := e.act(t, e.centre, ev.ID, events.Accept, events.ActInput{})
		_, err = e.ev.Act(bg, e.centre, ev.ID, events.SendBack, events.ActInput{})
		wantErr(t, err, apperr.Invalid, "note")
		_, err = e.ev.Act(bg, e.centre, ev.ID, events.Dispatch, events.ActInput{})
		wantErr(t, err, apperr.Invalid, "assignee_worker_id")
		_, err = e.ev.Act(bg, e.centre, ev.ID, events.Dispatch, events.ActInput{AssigneeWorkerID: "nobody"})
		wantErr(t, err, apperr.Invalid, "assignee_worker_id")
		if acc.AcceptedAt == nil {
			t.Fatal("accepted_at not set")
		}
	})
}
