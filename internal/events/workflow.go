package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// ActInput carries what an action needs besides the event.
type ActInput struct {
	Note    string `json:"note,omitempty" doc:"what was done or why; required to send back and for requests"`
	Version int    `json:"version,omitempty" doc:"the version you read; a stale one is refused (0 skips the check)"`
	// Dispatch: the worker or the unit (a department, a community) that is
	// to handle the event.
	AssigneeWorkerID string `json:"assignee_worker_id,omitempty"`
	AssigneeUnitID   string `json:"assignee_unit_id,omitempty"`
	// Handle: photos of the result.
	Photos []string `json:"photos,omitempty"`
	// RequestExtension: how much more time, e.g. "3workdays", and for
	// which stage (default the current one).
	Extra string `json:"extra,omitempty"`
	Stage Stage  `json:"stage,omitempty" enum:"accept,dispatch,handle,verify,close"`
	// Accept: the acceptor judges the description unclear (seed 001: −1
	// per badly written event).
	Unclear bool `json:"unclear,omitempty"`
}

// currentStage is the stage an event in st is in: the one whose step is
// next.
func currentStage(st State) Stage {
	switch st {
	case Reported:
		return StageAccept
	case Accepted:
		return StageDispatch
	case Dispatched:
		return StageHandle
	case Handled:
		return StageVerify
	}
	return StageClose
}

// requestKind returns the kind of request an action files or decides.
func requestKind(a Action) string {
	switch a {
	case RequestExtension, ApproveExtension, RejectExtension:
		return "extension"
	case RequestPark, ApprovePark, RejectPark:
		return "park"
	case RequestVoid, ApproveVoid, RejectVoid:
		return "void"
	}
	return ""
}

// Act takes action a on event id as by, and returns the event with its
// timeline. Every action records a step (who, when, the note); the
// workflow refuses an action its state does not allow. Errors: NotFound;
// Conflict naming the state and the action when the action is not
// allowed, when version is stale, when a request of the kind is already
// pending (or, to approve or reject, none is); Invalid naming each bad
// field (a missing note or assignee, an unknown photo, a bad limit).
func (s *Store) Act(ctx context.Context, by Actor, id string, a Action, in ActInput) (Event, error) {
	var out Event
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		if _, err := s.act(ctx, tx, by, id, a, in); err != nil {
			return err
		}
		e, err := s.get(ctx, tx, id, true)
		out = e
		return err
	})
	return out, err
}

// Step takes action a on event id as Act does, without reading the event
// back: for bulk loads such as the demo's. Errors: as Act's.
func (s *Store) Step(ctx context.Context, by Actor, id string, a Action, in ActInput) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		_, err := s.act(ctx, tx, by, id, a, in)
		return err
	})
}

func (s *Store) act(ctx context.Context, rawTx store.Tx, by Actor, id string, a Action, in ActInput) (Event, error) {
	tx := s.q(rawTx)
	e, err := s.getEvent(ctx, tx, id)
	if err != nil {
		return Event{}, err
	}
	if in.Version != 0 && in.Version != e.Version {
		return Event{}, apperr.New(apperr.Conflict, "event %s has changed since you read it (version %d, now %d); read it again", id, in.Version, e.Version)
	}
	to, ok := Next(e.State, a)
	if !ok {
		return Event{}, refuse(id, e.State, a)
	}
	in.Note = strings.TrimSpace(in.Note)
	if bad := checkText("note", in.Note, MaxText); len(bad) > 0 {
		return Event{}, apperr.InvalidFields("cannot "+string(a)+" event", bad...)
	}
	before := e
	now := s.now()
	from := e.State
	kind := requestKind(a)
	switch a {
	case Accept:
		e.AcceptedAt = &now
		if in.Unclear {
			e.BadlyDescribed = true
			e.QualityNotes = strings.TrimPrefix(e.QualityNotes+"; judged unclear when accepted: "+in.Note, "; ")
		}
	case Dispatch:
		if err := s.checkAssignee(ctx, tx, in); err != nil {
			return Event{}, err
		}
		e.DispatchedAt, e.AssigneeWorkerID, e.AssigneeUnitID = &now, in.AssigneeWorkerID, in.AssigneeUnitID
	case Handle:
		bad, err := checkPhotos(ctx, tx, "photos", in.Photos)
		if err != nil {
			return Event{}, err
		}
		if len(bad) > 0 {
			return Event{}, apperr.InvalidFields("cannot handle event", bad...)
		}
		cat, err := getCategory(ctx, tx, e.CategoryCode)
		if err != nil {
			return Event{}, err
		}
		if cat != nil && cat.HandlePhotoRequired && len(in.Photos) == 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_photos WHERE event_id = $1 AND stage = 'handle'`, id).Scan(&n); err != nil {
				return Event{}, fmt.Errorf("events: handle: %w", err)
			}
			if n == 0 {
				return Event{}, apperr.InvalidFields("cannot handle event", apperr.FieldError{Field: "photos",
					Reason: fmt.Sprintf("category %s needs a photo of the result", e.CategoryCode)})
			}
		}
		if err := addPhotos(ctx, tx, id, "handle", in.Photos, now); err != nil {
			return Event{}, err
		}
		e.HandledAt = &now
	case Verify:
		e.VerifiedAt = &now
	case Close:
		e.ClosedAt = &now
	case SendBack:
		if in.Note == "" {
			return Event{}, apperr.InvalidFields("cannot send event back", apperr.FieldError{Field: "note", Reason: "is required: why it goes back"})
		}
		// The stage sent back is open again; its clock never stopped.
		switch from {
		case Accepted:
			e.AcceptedAt = nil
		case Dispatched:
			e.DispatchedAt = nil
		case Handled:
			e.HandledAt = nil
		case Verified:
			e.VerifiedAt = nil
		}
	case Escalate:
		if e.UpwardAt != nil {
			return Event{}, apperr.New(apperr.Conflict, "event %s already reached the district and town centres at %s", id, shanghaiTime(*e.UpwardAt))
		}
		e.UpwardAt = &now
	case RequestExtension, RequestPark, RequestVoid:
		if err := s.request(ctx, tx, by, e, kind, in, now); err != nil {
			return Event{}, err
		}
	case ApproveExtension, RejectExtension, ApprovePark, RejectPark, ApproveVoid, RejectVoid:
		approve := a == ApproveExtension || a == ApprovePark || a == ApproveVoid
		if err := decide(ctx, tx, by, id, kind, approve, in.Note, now); err != nil {
			return Event{}, err
		}
		switch a {
		case ApprovePark:
			e.ParkedFrom = from
		case ApproveVoid:
			e.VoidedAt, e.ParkedFrom = &now, ""
		}
	case Resume:
		to, e.ParkedFrom = e.ParkedFrom, ""
		if to == "" {
			to = Reported
		}
	}
	e.State = to
	res, err := tx.ExecContext(ctx, `UPDATE events SET state = $1, parked_from = $2, upward_at = $3, accepted_at = $4, dispatched_at = $5,
		handled_at = $6, verified_at = $7, closed_at = $8, voided_at = $9, assignee_worker_id = $10, assignee_unit_id = $11,
		badly_described = $12, quality_notes = $13, version = version + 1 WHERE id = $14 AND version = $15`,
		e.State, e.ParkedFrom, e.UpwardAt, e.AcceptedAt, e.DispatchedAt, e.HandledAt, e.VerifiedAt, e.ClosedAt, e.VoidedAt,
		store.NullIfEmpty(e.AssigneeWorkerID), store.NullIfEmpty(e.AssigneeUnitID), e.BadlyDescribed, e.QualityNotes, id, e.Version)
	if err != nil {
		return Event{}, fmt.Errorf("events: %s %s: %w", a, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Event{}, apperr.New(apperr.Conflict, "event %s changed while you acted on it; read it again", id)
	}
	e.Version++
	if err := addStep(ctx, tx, id, a, from, to, now, by, in.Note); err != nil {
		return Event{}, err
	}
	_, err = audit.Append(ctx, rawTx, audit.Entry{Actor: by.UserID, Action: string(a), Entity: "event", EntityID: id, Before: auditView(before), After: auditView(e)})
	return e, err
}

// checkAssignee checks a dispatch names exactly one existing assignee.
func (s *Store) checkAssignee(ctx context.Context, tx store.Queryer, in ActInput) error {
	field := func(f, reason string) error {
		return apperr.InvalidFields("cannot dispatch event", apperr.FieldError{Field: f, Reason: reason})
	}
	switch {
	case in.AssigneeWorkerID == "" && in.AssigneeUnitID == "":
		return field("assignee_worker_id", "name the worker or the unit (assignee_unit_id) who is to handle it")
	case in.AssigneeWorkerID != "" && in.AssigneeUnitID != "":
		return field("assignee_unit_id", "name a worker or a unit, not both")
	}
	if in.AssigneeWorkerID != "" {
		known, err := org.WorkerExists(ctx, tx, in.AssigneeWorkerID)
		if err != nil {
			return fmt.Errorf("events: dispatch: %w", err)
		}
		if !known {
			return field("assignee_worker_id", "no such worker "+in.AssigneeWorkerID)
		}
		return nil
	}
	level, err := org.UnitLevel(ctx, tx, in.AssigneeUnitID)
	if err != nil {
		return fmt.Errorf("events: dispatch: %w", err)
	}
	if level == "" {
		return field("assignee_unit_id", "no such unit "+in.AssigneeUnitID)
	}
	return nil
}

// request files a request of kind for e.
func (s *Store) request(ctx context.Context, tx store.Queryer, by Actor, e Event, kind string, in ActInput, now time.Time) error {
	var bad []apperr.FieldError
	if in.Note == "" {
		bad = append(bad, apperr.FieldError{Field: "note", Reason: "is required: the reason for the request"})
	}
	stage, extra := Stage(""), ""
	if kind == "extension" {
		stage = in.Stage
		if stage == "" {
			stage = currentStage(e.State)
		}
		if !validStage(stage) {
			bad = append(bad, apperr.FieldError{Field: "stage", Reason: fmt.Sprintf("%q is not a stage", stage)})
		}
		l, err := workcal.ParseLimit(in.Extra)
		if err != nil {
			bad = append(bad, apperr.FieldError{Field: "extra", Reason: err.Error()})
		}
		extra = l.String()
	}
	if len(bad) > 0 {
		return apperr.InvalidFields("cannot request "+kind, bad...)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_requests WHERE event_id = $1 AND kind = $2 AND status = 'pending'`, e.ID, kind).Scan(&n); err != nil {
		return fmt.Errorf("events: request %s: %w", kind, err)
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "event %s already has a pending %s request; it must be approved or rejected first", e.ID, kind)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO event_requests (id, event_id, kind, stage, extra, reason, requested_by, requested_at, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`, store.NewID(), e.ID, kind, stage, extra, in.Note, by.UserID, now)
	if err != nil {
		return fmt.Errorf("events: request %s: %w", kind, err)
	}
	return nil
}

func validStage(st Stage) bool {
	for _, x := range Stages {
		if x == st {
			return true
		}
	}
	return false
}

// decide approves or rejects the pending request of kind.
func decide(ctx context.Context, tx store.Queryer, by Actor, id, kind string, approve bool, note string, now time.Time) error {
	status := "rejected"
	if approve {
		status = "approved"
	}
	res, err := tx.ExecContext(ctx, `UPDATE event_requests SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4
		WHERE event_id = $5 AND kind = $6 AND status = 'pending'`, status, by.UserID, now, note, id, kind)
	if err != nil {
		return fmt.Errorf("events: decide %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "event %s has no pending %s request to decide", id, kind)
	}
	return nil
}
