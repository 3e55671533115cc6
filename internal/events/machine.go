package events

import "gridwork/internal/apperr"

// State is where an event stands in its workflow.
type State string

// The states. Reported → accepted → dispatched → handled → verified →
// closed is the main line (上报 → 受理 → 派遣 → 处置 → 核查 → 结案); parked
// (挂账) stops the clocks until the event is resumed; voided (作废) ends an
// event that should never have been one.
const (
	Reported   State = "reported"   // 上报
	Accepted   State = "accepted"   // 受理
	Dispatched State = "dispatched" // 派遣
	Handled    State = "handled"    // 处置
	Verified   State = "verified"   // 核查
	Closed     State = "closed"     // 结案
	Parked     State = "parked"     // 挂账
	Voided     State = "voided"     // 作废
)

// States lists every state in workflow order.
var States = []State{Reported, Accepted, Dispatched, Handled, Verified, Closed, Parked, Voided}

// Open reports whether an event in s is still being worked on: neither
// closed nor voided.
func (s State) Open() bool { return s != Closed && s != Voided }

// Action is a step of the workflow.
type Action string

// The actions. Report is the first step and has no "from" state; the
// others move an existing event.
const (
	Report   Action = "report"   // 上报 (creates the event)
	Accept   Action = "accept"   // 受理
	Dispatch Action = "dispatch" // 派遣
	Handle   Action = "handle"   // 处置
	Verify   Action = "verify"   // 核查
	Close    Action = "close"    // 结案
	// SendBack (回退) returns the event one stage: accepted → reported,
	// dispatched → accepted, handled → dispatched, verified → handled.
	SendBack Action = "send_back"
	// Escalate records that the event reached the district and town
	// centres (上报区、镇中心); it changes no state.
	Escalate Action = "escalate"

	RequestExtension Action = "request_extension" // 延期申请
	ApproveExtension Action = "approve_extension"
	RejectExtension  Action = "reject_extension"
	RequestPark      Action = "request_park" // 挂账申请
	ApprovePark      Action = "approve_park"
	RejectPark       Action = "reject_park"
	Resume           Action = "resume"       // a parked event back to the state it was parked in
	RequestVoid      Action = "request_void" // 作废申请
	ApproveVoid      Action = "approve_void"
	RejectVoid       Action = "reject_void"
)

// Actions lists every action that moves an existing event, for the
// exhaustive state-machine test and the API's enumeration.
var Actions = []Action{Accept, Dispatch, Handle, Verify, Close, SendBack, Escalate,
	RequestExtension, ApproveExtension, RejectExtension,
	RequestPark, ApprovePark, RejectPark, Resume,
	RequestVoid, ApproveVoid, RejectVoid}

// working are the states in which the event is being worked on and its
// clocks run.
func working(s State) bool {
	switch s {
	case Reported, Accepted, Dispatched, Handled, Verified:
		return true
	}
	return false
}

// forward is the main line: the action that leaves each state and where it
// goes.
var forward = map[State]struct {
	action Action
	to     State
}{
	Reported:   {Accept, Accepted},
	Accepted:   {Dispatch, Dispatched},
	Dispatched: {Handle, Handled},
	Handled:    {Verify, Verified},
	Verified:   {Close, Closed},
}

// back is where SendBack goes from each state that has a stage before it.
var back = map[State]State{Accepted: Reported, Dispatched: Accepted, Handled: Dispatched, Verified: Handled}

// Next returns the state an event in from reaches by action a, and whether
// a is allowed in from at all. Whether a pending request exists (for the
// approve and reject actions, and to refuse a second request) is checked
// by the store, not here. For Resume the result is Parked's placeholder:
// the store resumes to the state the event was parked in.
//
// The table:
//   - accept, dispatch, handle, verify, close: one step along the main line
//     from reported, accepted, dispatched, handled, verified respectively;
//   - send_back: from accepted, dispatched, handled, verified, one step back;
//   - escalate and the requests (extension, park, void) and their approval
//     or rejection: from any working state (reported … verified), staying
//     there, except that an approved park goes to parked and an approved
//     void to voided;
//   - request_void, approve_void and reject_void also from parked (a parked
//     event may turn out void); resume only from parked;
//   - nothing from closed or voided.
func Next(from State, a Action) (State, bool) {
	switch a {
	case Accept, Dispatch, Handle, Verify, Close:
		f, ok := forward[from]
		if !ok || f.action != a {
			return "", false
		}
		return f.to, true
	case SendBack:
		to, ok := back[from]
		return to, ok
	case Escalate, RequestExtension, ApproveExtension, RejectExtension, RequestPark, RejectPark:
		if working(from) {
			return from, true
		}
	case ApprovePark:
		if working(from) {
			return Parked, true
		}
	case Resume:
		if from == Parked {
			return Parked, true
		}
	case RequestVoid, RejectVoid:
		if working(from) || from == Parked {
			return from, true
		}
	case ApproveVoid:
		if working(from) || from == Parked {
			return Voided, true
		}
	}
	return "", false
}

// refuse is the error for an action not allowed in a state: ECONFLICT
// naming both.
func refuse(id string, from State, a Action) error {
	hint := ""
	switch {
	case from == Closed || from == Voided:
		hint = "; the event is finished"
	case from == Parked:
		hint = "; a parked event must be resumed first"
	default:
		if f, ok := forward[from]; ok {
			hint = "; the next step is " + string(f.action)
		}
	}
	return apperr.New(apperr.Conflict, "event %s is %s: cannot %s%s", id, from, a, hint)
}
