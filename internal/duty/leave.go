package duty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// LeaveKind is the kind of a leave slip.
type LeaveKind string

// The leave kinds.
const (
	PersonalLeave LeaveKind = "personal" // 事假
	SickLeave     LeaveKind = "sick"     // 病假
	AnnualLeave   LeaveKind = "annual"   // 年休假
	OfficialLeave LeaveKind = "official" // 公出 (away on official business)
	OtherLeave    LeaveKind = "other"
)

func (k LeaveKind) valid() bool {
	switch k {
	case PersonalLeave, SickLeave, AnnualLeave, OfficialLeave, OtherLeave:
		return true
	}
	return false
}

// LeaveStatus is where a leave slip stands.
type LeaveStatus string

// The leave statuses: a slip is requested, then approved or rejected by
// community or centre staff, or withdrawn by the worker while requested.
const (
	Requested LeaveStatus = "requested"
	Approved  LeaveStatus = "approved"
	Rejected  LeaveStatus = "rejected"
	Withdrawn LeaveStatus = "withdrawn"
)

// MaxLeave is the longest leave one slip may cover.
const MaxLeave = 366 * 24 * time.Hour

// Leave is a leave slip (请假单) for [From, To).
type Leave struct {
	ID          string      `json:"id"`
	ClientID    string      `json:"client_id,omitempty"`
	WorkerID    string      `json:"worker_id"`
	Kind        LeaveKind   `json:"kind" enum:"personal,sick,annual,official,other"`
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	Reason      string      `json:"reason,omitempty"`
	Status      LeaveStatus `json:"status" enum:"requested,approved,rejected,withdrawn"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	DecidedBy   string      `json:"decided_by,omitempty"`
	DecidedAt   *time.Time  `json:"decided_at,omitempty"`
	Decision    string      `json:"decision,omitempty" doc:"the approver's note"`
}

// NewLeave is a leave request.
type NewLeave struct {
	ClientID string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	WorkerID string    `json:"worker_id,omitempty" doc:"default: the caller's own worker"`
	Kind     LeaveKind `json:"kind" enum:"personal,sick,annual,official,other"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to" doc:"the end, exclusive: 17:30 for a day ending at 17:30"`
	Reason   string    `json:"reason,omitempty"`
}

const leaveColumns = `id, COALESCE(client_id, ''), worker_id, kind, from_at, to_at, reason, status, requested_by, requested_at,
	COALESCE(decided_by, ''), decided_at, decision`

func scanLeave(row store.Row) (Leave, error) {
	var l Leave
	err := row.Scan(&l.ID, &l.ClientID, &l.WorkerID, &l.Kind, &l.From, &l.To, &l.Reason, &l.Status, &l.RequestedBy, &l.RequestedAt,
		&l.DecidedBy, &l.DecidedAt, &l.Decision)
	return l, err
}

var getLeave = byID("duty_leave", leaveColumns, "leave slip", scanLeave)

// GetLeave returns one leave slip. Errors: NotFound.
func (s *Store) GetLeave(ctx context.Context, id string) (Leave, error) {
	return getLeave(ctx, s.db.Q(ctx), id)
}

// RequestLeave files a leave request by actor. A resend with the same
// ClientID returns the first slip. Errors: Invalid naming each bad field
// (an unknown worker or kind, To not after From, more than a year);
// Conflict when it overlaps another requested or approved slip of the
// worker.
func (s *Store) RequestLeave(ctx context.Context, actor string, in NewLeave) (Leave, error) {
	var out Leave
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_leave", in.ClientID, "cannot request leave", getLeave, &out); done {
			return err
		}
		var p problems
		if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
			return err
		}
		if !in.Kind.valid() {
			p.add("kind", "%q is not personal, sick, annual, official or other", in.Kind)
		}
		if in.From.IsZero() {
			p.add("from", "is required")
		}
		if in.To.IsZero() {
			p.add("to", "is required")
		} else if !in.To.After(in.From) {
			p.add("to", "must be after from")
		} else if in.To.Sub(in.From) > MaxLeave {
			p.add("to", "one slip covers at most a year")
		}
		in.Reason = strings.TrimSpace(in.Reason)
		p.text("reason", in.Reason, MaxText, false)
		if err := p.err("cannot request leave"); err != nil {
			return err
		}
		from, to := micro(in.From), micro(in.To)
		var clash string
		err := tx.QueryRowContext(ctx, `SELECT id FROM duty_leave WHERE worker_id = $1 AND status IN ('requested', 'approved')
			AND from_at < $2 AND to_at > $3 ORDER BY from_at LIMIT 1`, in.WorkerID, to, from).Scan(&clash)
		if err == nil {
			return apperr.New(apperr.Conflict, "the worker already has leave slip %s over part of that time", clash)
		}
		if !store.IsNoRows(err) {
			return fmt.Errorf("duty: request leave: %w", err)
		}
		now := s.now()
		out = Leave{ID: store.NewID(), ClientID: in.ClientID, WorkerID: in.WorkerID, Kind: in.Kind, From: from, To: to, Reason: in.Reason,
			Status: Requested, RequestedBy: actor, RequestedAt: now}
		_, err = tx.ExecContext(ctx, `INSERT INTO duty_leave (id, client_id, worker_id, kind, from_at, to_at, reason, status, requested_by, requested_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			out.ID, store.NullIfEmpty(out.ClientID), out.WorkerID, out.Kind, out.From, out.To, out.Reason, out.Status, actor, now)
		if err != nil {
			return fmt.Errorf("duty: request leave: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "request", Entity: "duty_leave", EntityID: out.ID, After: out})
		return err
	})
	return out, err
}

// DecideLeave approves or rejects a requested slip, with a note. Deciding
// again the way it was decided is a no-op that returns the slip. Errors:
// NotFound; Conflict when the slip is withdrawn or was decided the other
// way.
func (s *Store) DecideLeave(ctx context.Context, actor, id string, approve bool, note string) (Leave, error) {
	var p problems
	note = strings.TrimSpace(note)
	p.text("decision", note, MaxText, false)
	if err := p.err("cannot decide leave"); err != nil {
		return Leave{}, err
	}
	want, action := Rejected, "reject"
	if approve {
		want, action = Approved, "approve"
	}
	return edit(ctx, s, actor, id, "duty_leave", getLeave, func(tx store.Tx, l *Leave) (string, error) {
		switch l.Status {
		case want:
			return "", nil
		case Requested:
		default:
			return "", apperr.New(apperr.Conflict, "leave slip %s is %s; it can no longer be %s", id, l.Status, want)
		}
		now := s.now()
		l.Status, l.DecidedBy, l.DecidedAt, l.Decision = want, actor, &now, note
		if _, err := tx.ExecContext(ctx, `UPDATE duty_leave SET status = $1, decided_by = $2, decided_at = $3, decision = $4 WHERE id = $5`,
			want, actor, now, note, id); err != nil {
			return "", fmt.Errorf("duty: decide leave: %w", err)
		}
		return action, nil
	})
}

// WithdrawLeave withdraws a slip still requested. Errors: NotFound;
// Conflict once decided.
func (s *Store) WithdrawLeave(ctx context.Context, actor, id string) (Leave, error) {
	return edit(ctx, s, actor, id, "duty_leave", getLeave, func(tx store.Tx, l *Leave) (string, error) {
		switch l.Status {
		case Withdrawn:
			return "", nil
		case Requested:
		default:
			return "", apperr.New(apperr.Conflict, "leave slip %s is %s already", id, l.Status)
		}
		l.Status = Withdrawn
		if _, err := tx.ExecContext(ctx, `UPDATE duty_leave SET status = 'withdrawn' WHERE id = $1`, id); err != nil {
			return "", fmt.Errorf("duty: withdraw leave: %w", err)
		}
		return "withdraw", nil
	})
}

// LeaveQuery selects leave slips.
type LeaveQuery struct {
	Scope
	Status LeaveStatus
	// From and To keep slips overlapping [From, To]'s days; zero for no
	// bound.
	From, To dates.Date
}

// ListLeave returns the slips matching q, by start.
func (s *Store) ListLeave(ctx context.Context, q LeaveQuery) ([]Leave, error) {
	var args store.Args
	prefix, cond := workerScope(&args, q.Scope, "worker_id", s.today())
	if q.Status != "" {
		cond += " AND status = " + args.Add(q.Status)
	}
	if !q.From.IsZero() {
		cond += " AND to_at > " + args.Add(q.From.Start().UTC())
	}
	if !q.To.IsZero() {
		cond += " AND from_at < " + args.Add(q.To.AddDays(1).Start().UTC())
	}
	return store.All(ctx, s.db.Q(ctx), "duty leave", prefix+`SELECT `+leaveColumns+` FROM duty_leave WHERE `+cond+` ORDER BY from_at, id`, args, scanLeave)
}

// ApprovedLeave returns, per worker ID, the approved leave intervals that
// overlap [from, to), in order of start. It is the leave source the
// patrol package reads (patrol.LeaveSource): points inside approved leave
// are suspect.
func (s *Store) ApprovedLeave(ctx context.Context, from, to time.Time) (map[string][]workcal.Interval, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT worker_id, from_at, to_at FROM duty_leave
		WHERE status = 'approved' AND from_at < $1 AND to_at > $2 ORDER BY worker_id, from_at`, micro(to), micro(from))
	if err != nil {
		return nil, fmt.Errorf("duty: approved leave: %w", err)
	}
	defer rows.Close()
	out := map[string][]workcal.Interval{}
	for rows.Next() {
		var w string
		var iv workcal.Interval
		if err := rows.Scan(&w, &iv.From, &iv.To); err != nil {
			return nil, fmt.Errorf("duty: approved leave: %w", err)
		}
		out[w] = append(out[w], iv)
	}
	return out, rows.Err()
}

// covered returns how much of [from, to) the intervals cover (they may
// overlap each other).
func covered(ivs []workcal.Interval, from, to time.Time) time.Duration {
	var total time.Duration
	cur := from
	// ivs are sorted by start; walk them once, never counting a stretch
	// twice.
	for _, iv := range ivs {
		a, b := iv.From, iv.To
		if a.Before(cur) {
			a = cur
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			total += b.Sub(a)
			cur = b
		}
	}
	return total
}

// leaveDay reports whether approved leave covers at least half of d's
// working hours: such a day is excused from the daily login and the work
// sheet.
func leaveDay(cal *workcal.Calendar, ivs []workcal.Interval, d dates.Date) bool {
	if len(ivs) == 0 {
		return false
	}
	start, end := cal.WorkStart(d), cal.WorkEnd(d)
	return 2*covered(ivs, start, end) >= end.Sub(start)
}

// dueStart returns when the worker was due to start work on d: the start
// of the working hours, moved past any approved leave that covers it (a
// worker on leave in the morning is due when the leave ends).
func dueStart(cal *workcal.Calendar, ivs []workcal.Interval, d dates.Date) time.Time {
	t := cal.WorkStart(d)
	for moved := true; moved; {
		moved = false
		for _, iv := range ivs {
			if iv.Contains(t) {
				t, moved = iv.To, true
			}
		}
	}
	return t
}

// onLeaveAt reports whether approved leave covers instant t.
func onLeaveAt(ivs []workcal.Interval, t time.Time) bool {
	for _, iv := range ivs {
		if iv.Contains(t) {
			return true
		}
	}
	return false
}
