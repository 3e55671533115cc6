package care

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// Status is where a subject is.
type Status string

// The statuses.
const (
	Active Status = "active" // in the group and under control
	Lost   Status = "lost"   // in the group, lost from control (脱管失控) since LostOn
	Ended  Status = "ended"  // left the group on EndedOn
)

// Subject is one person in one special-care group. Details and LostReason
// are filled only by Get; lists and writes leave them empty.
type Subject struct {
	ID             string     `json:"id"`
	PersonID       string     `json:"person_id"`
	PersonName     string     `json:"person_name"`
	PersonIDMasked string     `json:"person_id_number_masked" doc:"e.g. 1101**********123X"`
	GroupCode      string     `json:"group_code"`
	GridID         string     `json:"grid_id" doc:"the person's grid when the subject was registered"`
	Risk           Risk       `json:"risk" enum:"low,medium,high"`
	Details        string     `json:"details,omitempty" doc:"offence, treatment, guardian…; only when read one by one (audited)"`
	Status         Status     `json:"status" enum:"active,lost,ended"`
	BeganOn        dates.Date `json:"began_on" doc:"when they entered the group in the world, e.g. the release date"`
	EndedOn        dates.Date `json:"ended_on" doc:"the last day in the group"`
	LostOn         dates.Date `json:"lost_on" doc:"when they were last lost from control; kept after they are found"`
	LostReason     string     `json:"lost_reason,omitempty" doc:"only when read one by one (audited)"`
	EnteredAt      time.Time  `json:"entered_at" doc:"when the subject was entered into gridwork"`
	Version        int        `json:"version" doc:"send it back with a change; a stale version is refused (409)"`
	ClientID       string     `json:"client_id,omitempty"`
	CreatedBy      string     `json:"created_by"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// NewSubject describes a person entering a special-care group.
type NewSubject struct {
	ClientID  string     `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	PersonID  string     `json:"person_id" doc:"a living person record"`
	GroupCode string     `json:"group_code"`
	Risk      Risk       `json:"risk" enum:"low,medium,high"`
	Details   string     `json:"details,omitempty" doc:"free text: offence, treatment, guardian…; stored encrypted"`
	BeganOn   dates.Date `json:"began_on" doc:"when they entered the group in the world, e.g. the release date"`
}

const subjectColumns = `s.id, s.person_id, p.name, p.id_masked, s.group_code, s.grid_id, s.risk, s.status, s.began_on, s.ended_on, s.lost_on,
	s.entered_at, s.version, COALESCE(s.client_id, ''), s.created_by, s.updated_at`

const subjectFrom = ` FROM care_subjects s JOIN ` + records.PersonRows + ` p ON p.id = s.person_id`

func (x *Subject) scanTargets() []any {
	return []any{&x.ID, &x.PersonID, &x.PersonName, &x.PersonIDMasked, &x.GroupCode, &x.GridID, &x.Risk, &x.Status, &x.BeganOn,
		&x.EndedOn, &x.LostOn, &x.EnteredAt, &x.Version, &x.ClientID, &x.CreatedBy, &x.UpdatedAt}
}

func scanSubject(row store.Row) (Subject, error) {
	var x Subject
	err := row.Scan(x.scanTargets()...)
	return x, err
}

// getSubject returns a subject without its sealed fields. Errors: NotFound.
func getSubject(ctx context.Context, q store.Queryer, id string) (Subject, error) {
	x, err := scanSubject(q.QueryRowContext(ctx, `SELECT `+subjectColumns+subjectFrom+` WHERE s.id = $1`, id))
	if store.IsNoRows(err) {
		return Subject{}, apperr.New(apperr.NotFound, "no care subject %s", id)
	}
	if err != nil {
		return Subject{}, fmt.Errorf("care: get subject %s: %w", id, err)
	}
	return x, nil
}

// subjectChange is what the audit log keeps of a change: the subject
// without its sealed fields, and which fields changed (so that a change of
// details is recorded without its text).
type subjectChange struct {
	Subject
	On      dates.Date `json:"on,omitempty"`
	Changed []string   `json:"changed,omitempty"`
}

// Register enters a person into a special-care group. The person must be a
// living record; the subject's grid is the person's. A resend with the same
// ClientID returns the first subject unchanged. Details are sealed; the
// result (like every result but Get's) leaves them out. Errors: Invalid
// naming each bad field (person_id for a missing or ended person,
// group_code for an unknown or inactive group); Conflict naming person_id
// and group_code when the person already has an open (active or lost)
// subject in the group.
func (s *Store) Register(ctx context.Context, actor string, in NewSubject) (Subject, error) {
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if id, err := store.ByClientID(ctx, tx, "care_subjects", in.ClientID); err != nil || id != "" {
			if err == nil {
				out, err = getSubject(ctx, tx, id)
			}
			return err
		}
		in.Details = strings.TrimSpace(in.Details)
		var bad []apperr.FieldError
		var person records.Person
		if in.PersonID == "" {
			bad = append(bad, apperr.FieldError{Field: "person_id", Reason: "is required"})
		} else {
			p, err := s.people.GetPerson(store.WithTx(ctx, tx), in.PersonID)
			switch {
			case apperr.CodeOf(err) == apperr.NotFound:
				bad = append(bad, apperr.FieldError{Field: "person_id", Reason: "no person " + in.PersonID})
			case err != nil:
				return err
			case p.Status != records.Active:
				bad = append(bad, apperr.FieldError{Field: "person_id", Reason: fmt.Sprintf("the record of %s has ended (%s); register the person again first", p.Name, p.EndedOn)})
			default:
				person = p
			}
		}
		if in.GroupCode == "" {
			bad = append(bad, apperr.FieldError{Field: "group_code", Reason: "is required"})
		} else if g, err := getGroup(ctx, tx, in.GroupCode); err != nil {
			return err
		} else if g == nil {
			bad = append(bad, apperr.FieldError{Field: "group_code", Reason: fmt.Sprintf("%q is not a configured care group", in.GroupCode)})
		} else if !g.Active {
			bad = append(bad, apperr.FieldError{Field: "group_code", Reason: fmt.Sprintf("the group %s (%s) is inactive and takes no new subjects", g.Code, g.Name)})
		}
		if !in.Risk.valid() {
			bad = append(bad, apperr.FieldError{Field: "risk", Reason: fmt.Sprintf("%q is not low, medium or high", in.Risk)})
		}
		bad = append(bad, checkText("details", in.Details)...)
		bad = append(bad, s.checkWorldDate("began_on", in.BeganOn)...)
		if person.ID != "" && !in.BeganOn.IsZero() && in.BeganOn.Before(person.BirthDate) {
			bad = append(bad, apperr.FieldError{Field: "began_on", Reason: fmt.Sprintf("%s is before the person's birth date %s", in.BeganOn, person.BirthDate)})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot register care subject", bad...)
		}
		var dup string
		err := tx.QueryRowContext(ctx, `SELECT id FROM care_subjects WHERE person_id = $1 AND group_code = $2 AND status <> 'ended'`, in.PersonID, in.GroupCode).Scan(&dup)
		if err == nil {
			reason := fmt.Sprintf("%s already has an open subject %s in group %s", person.Name, dup, in.GroupCode)
			return &apperr.Error{Code: apperr.Conflict, Message: "cannot register care subject",
				Fields: []apperr.FieldError{{Field: "person_id", Reason: reason}, {Field: "group_code", Reason: reason}}}
		}
		if !store.IsNoRows(err) {
			return fmt.Errorf("care: register: %w", err)
		}
		sealed, err := s.keys.Seal(in.Details, detailsContext)
		if err != nil {
			return fmt.Errorf("care: seal details: %w", err)
		}
		now := s.now()
		x := Subject{ID: store.NewID(), PersonID: person.ID, PersonName: person.Name, PersonIDMasked: person.IDMasked, GroupCode: in.GroupCode,
			GridID: person.GridID, Risk: in.Risk, Status: Active, BeganOn: in.BeganOn, EnteredAt: now, Version: 1, ClientID: in.ClientID,
			CreatedBy: actor, UpdatedAt: now}
		_, err = tx.ExecContext(ctx, `INSERT INTO care_subjects (id, person_id, group_code, grid_id, risk, details_sealed, status, began_on,
			entered_at, version, client_id, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, 1, $9, $10, $11)`,
			x.ID, x.PersonID, x.GroupCode, x.GridID, x.Risk, sealed, x.BeganOn, now, store.NullIfEmpty(x.ClientID), actor, now)
		if err != nil {
			return fmt.Errorf("care: register: %w", err)
		}
		out = x
		var changed []string
		if in.Details != "" {
			changed = []string{"details"}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "care_subject", EntityID: x.ID,
			After: subjectChange{Subject: x, Changed: changed}})
		return err
	})
	return out, err
}

// Get returns a subject with its details and lost reason unsealed, and
// writes an audit entry (action "read") saying who read them. The caller
// checks that the role may. Errors: NotFound.
func (s *Store) Get(ctx context.Context, actor, id string) (Subject, error) {
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var details, reason string
		err := tx.QueryRowContext(ctx, `SELECT `+subjectColumns+`, s.details_sealed, s.lost_reason_sealed`+subjectFrom+` WHERE s.id = $1`, id).
			Scan(append(out.scanTargets(), &details, &reason)...)
		if store.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "no care subject %s", id)
		}
		if err != nil {
			return fmt.Errorf("care: get subject %s: %w", id, err)
		}
		if out.Details, err = s.keys.Open(details, detailsContext); err != nil {
			return fmt.Errorf("care: open details of subject %s: %w", id, err)
		}
		if out.LostReason, err = s.keys.Open(reason, lostReasonContext); err != nil {
			return fmt.Errorf("care: open lost reason of subject %s: %w", id, err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "read", Entity: "care_subject", EntityID: id,
			After: map[string]any{"fields": []string{"details", "lost_reason"}}})
		return err
	})
	if err != nil {
		return Subject{}, err
	}
	return out, nil
}

// Query filters a list of subjects.
type Query struct {
	WithinID  string // an org unit: only subjects of grids in its subtree (as it stands today)
	GridID    string
	GroupCode string
	Status    Status
	// Overdue keeps only the subjects Overdue lists for today.
	Overdue bool
	Limit   int
	Offset  int
}

// List returns the subjects matching q, newest entered first, without
// details, with the person's name and masked identity number, and the total
// before paging. It writes one audit entry (action "list", entity
// care_subject, id the scope or "*") naming the query and the ids returned.
// Errors: Invalid for a bad status.
func (s *Store) List(ctx context.Context, actor string, q Query) ([]Subject, int, error) {
	switch q.Status {
	case "", Active, Lost, Ended:
	default:
		return nil, 0, apperr.Field("status", fmt.Sprintf("%q is not active, lost or ended", q.Status))
	}
	var out []Subject
	var total int
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var args store.Args
		prefix := ""
		var where []string
		if q.WithinID != "" {
			prefix = org.SubtreeCTE(&args, q.WithinID, s.today())
			where = append(where, "s.grid_id IN (SELECT id FROM sub)")
		}
		for _, f := range []struct{ col, v string }{{"s.grid_id", q.GridID}, {"s.group_code", q.GroupCode}, {"s.status", string(q.Status)}} {
			if f.v != "" {
				where = append(where, f.col+" = "+args.Add(f.v))
			}
		}
		if q.Overdue {
			due, err := s.Overdue(store.WithTx(ctx, tx), s.today(), q.WithinID)
			if err != nil {
				return err
			}
			if len(due) == 0 {
				where = append(where, "1 = 0")
			} else {
				ph := make([]string, len(due))
				for i, d := range due {
					ph[i] = args.Add(d.SubjectID)
				}
				where = append(where, "s.id IN ("+strings.Join(ph, ", ")+")")
			}
		}
		from := subjectFrom
		if len(where) > 0 {
			from += " WHERE " + strings.Join(where, " AND ")
		}
		var err error
		out, total, err = store.List(ctx, tx, "care subjects", store.ListQuery{Prefix: prefix, Cols: subjectColumns, From: from,
			Order: "s.entered_at DESC, s.id", Limit: q.Limit, Offset: q.Offset}, args, scanSubject)
		if err != nil {
			return fmt.Errorf("care: %w", err)
		}
		ids := make([]string, len(out))
		for i, x := range out {
			ids[i] = x.ID
		}
		scope := q.WithinID
		if scope == "" {
			scope = "*"
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "list", Entity: "care_subject", EntityID: scope,
			After: map[string]any{"query": q, "ids": ids}})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if out == nil {
		out = []Subject{}
	}
	return out, total, nil
}

// bump applies set to subject id if version is current, and bumps the
// version. Errors: NotFound, Conflict for a stale version.
func (s *Store) bump(ctx context.Context, tx store.Tx, id string, version int, set string, args store.Args) error {
	q := fmt.Sprintf(`UPDATE care_subjects SET %s, version = version + 1, updated_at = %s WHERE id = %s AND version = %s`,
		set, args.Add(s.now()), args.Add(id), args.Add(version))
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("care: update subject %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var cur int
	err = tx.QueryRowContext(ctx, `SELECT version FROM care_subjects WHERE id = $1`, id).Scan(&cur)
	if store.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "no care subject %s", id)
	}
	if err != nil {
		return fmt.Errorf("care: update subject %s: %w", id, err)
	}
	return apperr.New(apperr.Conflict, "care subject %s has changed since you read it (version %d, yours %d); reload and try again", id, cur, version)
}

// SubjectPatch changes a subject's risk or details; nil fields stay.
type SubjectPatch struct {
	Version int     `json:"version" doc:"the version you read"`
	Risk    *Risk   `json:"risk,omitempty" enum:"low,medium,high"`
	Details *string `json:"details,omitempty" doc:"replaces the details; stored encrypted"`
}

// Update changes the risk level or the details of an open (active or lost)
// subject. Errors: Invalid naming each bad field, or when nothing changes;
// NotFound; Conflict for a stale version or an ended subject.
func (s *Store) Update(ctx context.Context, actor, id string, p SubjectPatch) (Subject, error) {
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getSubject(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status == Ended {
			return apperr.New(apperr.Conflict, "care subject %s has left the group (%s)", id, cur.EndedOn)
		}
		var bad []apperr.FieldError
		var args store.Args
		var set, changed []string
		if p.Risk != nil {
			if !p.Risk.valid() {
				bad = append(bad, apperr.FieldError{Field: "risk", Reason: fmt.Sprintf("%q is not low, medium or high", *p.Risk)})
			}
			set = append(set, "risk = "+args.Add(*p.Risk))
			changed = append(changed, "risk")
		}
		if p.Details != nil {
			d := strings.TrimSpace(*p.Details)
			bad = append(bad, checkText("details", d)...)
			sealed, err := s.keys.Seal(d, detailsContext)
			if err != nil {
				return fmt.Errorf("care: seal details: %w", err)
			}
			set = append(set, "details_sealed = "+args.Add(sealed))
			changed = append(changed, "details")
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot change care subject "+id, bad...)
		}
		if len(set) == 0 {
			return apperr.New(apperr.Invalid, "nothing to change")
		}
		if err := s.bump(ctx, tx, id, p.Version, strings.Join(set, ", "), args); err != nil {
			return err
		}
		if out, err = getSubject(ctx, tx, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "update", Entity: "care_subject", EntityID: id,
			Before: cur, After: subjectChange{Subject: out, Changed: changed}})
		return err
	})
	return out, err
}

// MarkLost records that an active subject was lost from control (脱管失控)
// on the date on, for reason (required; stored sealed). Errors: Invalid
// naming on or reason; NotFound; Conflict when the subject is already lost
// or has ended.
func (s *Store) MarkLost(ctx context.Context, actor, id string, on dates.Date, reason string) (Subject, error) {
	reason = strings.TrimSpace(reason)
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getSubject(ctx, tx, id)
		if err != nil {
			return err
		}
		switch cur.Status {
		case Lost:
			return apperr.New(apperr.Conflict, "care subject %s is already lost (since %s)", id, cur.LostOn)
		case Ended:
			return apperr.New(apperr.Conflict, "care subject %s has left the group (%s)", id, cur.EndedOn)
		}
		bad := s.checkWorldDate("on", on)
		if !on.IsZero() && on.Before(cur.BeganOn) {
			bad = append(bad, apperr.FieldError{Field: "on", Reason: fmt.Sprintf("%s is before the subject entered the group (%s)", on, cur.BeganOn)})
		}
		if reason == "" {
			bad = append(bad, apperr.FieldError{Field: "reason", Reason: "is required: how and why the subject was lost from control"})
		}
		bad = append(bad, checkText("reason", reason)...)
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot mark care subject "+id+" lost", bad...)
		}
		sealed, err := s.keys.Seal(reason, lostReasonContext)
		if err != nil {
			return fmt.Errorf("care: seal lost reason: %w", err)
		}
		var args store.Args
		set := fmt.Sprintf("status = 'lost', lost_on = %s, lost_reason_sealed = %s", args.Add(on), args.Add(sealed))
		if err := s.bump(ctx, tx, id, cur.Version, set, args); err != nil {
			return err
		}
		if out, err = getSubject(ctx, tx, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "lost", Entity: "care_subject", EntityID: id,
			Before: cur, After: subjectChange{Subject: out, On: on, Changed: []string{"status", "lost_on", "lost_reason"}}})
		return err
	})
	return out, err
}

// MarkFound records that a lost subject was found, under control again, on
// the date on; the subject is active again. LostOn and the reason are kept.
// Errors: Invalid naming on; NotFound; Conflict when the subject is not
// lost.
func (s *Store) MarkFound(ctx context.Context, actor, id string, on dates.Date) (Subject, error) {
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getSubject(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status != Lost {
			return apperr.New(apperr.Conflict, "care subject %s is not lost (it is %s)", id, cur.Status)
		}
		bad := s.checkWorldDate("on", on)
		if !on.IsZero() && on.Before(cur.LostOn) {
			bad = append(bad, apperr.FieldError{Field: "on", Reason: fmt.Sprintf("%s is before the subject was lost (%s)", on, cur.LostOn)})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot mark care subject "+id+" found", bad...)
		}
		if err := s.bump(ctx, tx, id, cur.Version, "status = 'active'", nil); err != nil {
			return err
		}
		if out, err = getSubject(ctx, tx, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "found", Entity: "care_subject", EntityID: id,
			Before: cur, After: subjectChange{Subject: out, On: on, Changed: []string{"status"}}})
		return err
	})
	return out, err
}

// End records that a subject left the group (sentence served, treatment
// ended, moved away, died) on the date on, its last day in the group.
// Errors: Invalid naming on; NotFound; Conflict for a stale version or a
// subject that has already ended.
func (s *Store) End(ctx context.Context, actor, id string, on dates.Date, version int) (Subject, error) {
	var out Subject
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getSubject(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status == Ended {
			return apperr.New(apperr.Conflict, "care subject %s has already left the group (%s)", id, cur.EndedOn)
		}
		bad := s.checkWorldDate("on", on)
		if !on.IsZero() && on.Before(cur.BeganOn) {
			bad = append(bad, apperr.FieldError{Field: "on", Reason: fmt.Sprintf("%s is before the subject entered the group (%s)", on, cur.BeganOn)})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot end care subject "+id, bad...)
		}
		var args store.Args
		if err := s.bump(ctx, tx, id, version, "status = 'ended', ended_on = "+args.Add(on), args); err != nil {
			return err
		}
		if out, err = getSubject(ctx, tx, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "end", Entity: "care_subject", EntityID: id,
			Before: cur, After: subjectChange{Subject: out, On: on, Changed: []string{"status", "ended_on"}}})
		return err
	})
	return out, err
}

// GridOf returns the grid of a subject, reading nothing sensitive and
// writing no audit entry, so that callers can check scope before an audited
// read. Errors: NotFound.
func (s *Store) GridOf(ctx context.Context, id string) (string, error) {
	var grid string
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT grid_id FROM care_subjects WHERE id = $1`, id).Scan(&grid)
	if store.IsNoRows(err) {
		return "", apperr.New(apperr.NotFound, "no special-care subject %s", id)
	}
	if err != nil {
		return "", fmt.Errorf("care: grid of %s: %w", id, err)
	}
	return grid, nil
}
