package care

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/files"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Visit is one visit to a subject (走访), as the worker's phone sent it.
type Visit struct {
	ID        string     `json:"id"`
	SubjectID string     `json:"subject_id"`
	ClientID  string     `json:"client_id,omitempty"`
	VisitedAt time.Time  `json:"visited_at"`
	VisitedOn dates.Date `json:"visited_on" doc:"the Shanghai calendar day of visited_at"`
	Lat       *float64   `json:"lat,omitempty"`
	Lon       *float64   `json:"lon,omitempty"`
	Notes     string     `json:"notes,omitempty" doc:"only when read with Visits (audited)"`
	Photo     string     `json:"photo,omitempty" doc:"sha256 of an uploaded file"`
	Confirmed bool       `json:"confirmed" doc:"the resident confirmed (signed) the visit"`
	UserID    string     `json:"user_id"`
	WorkerID  string     `json:"worker_id,omitempty"`
	EnteredAt time.Time  `json:"entered_at"`
}

// NewVisit describes a visit to record.
type NewVisit struct {
	ClientID  string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	SubjectID string    `json:"subject_id"`
	VisitedAt time.Time `json:"visited_at" doc:"default now"`
	Lat       *float64  `json:"lat,omitempty"`
	Lon       *float64  `json:"lon,omitempty"`
	Notes     string    `json:"notes,omitempty" doc:"what was found; stored encrypted"`
	Photo     string    `json:"photo,omitempty" doc:"sha256 of an uploaded file, optional"`
	Confirmed bool      `json:"confirmed" doc:"the resident confirmed (signed) the visit"`
}

// clockSkew is how far ahead of the server's clock a phone's visited_at may
// be before it counts as "in the future".
const clockSkew = 5 * time.Minute

const visitColumns = `id, subject_id, COALESCE(client_id, ''), visited_at, visited_on, lat, lon, notes_sealed, COALESCE(photo, ''), confirmed,
	user_id, COALESCE(worker_id, ''), entered_at`

// scanVisit reads a visit; Notes holds the sealed text.
func scanVisit(row store.Row) (Visit, error) {
	var v Visit
	err := row.Scan(&v.ID, &v.SubjectID, &v.ClientID, &v.VisitedAt, &v.VisitedOn, &v.Lat, &v.Lon, &v.Notes, &v.Photo, &v.Confirmed,
		&v.UserID, &v.WorkerID, &v.EnteredAt)
	return v, err
}

// RecordVisit logs a visit to an active subject by userID (and workerID,
// for a grid worker). visited_on is the Shanghai day of VisitedAt. A resend
// with the same ClientID is a no-op that returns the first visit. The notes
// are sealed, and left out of the result. Errors: Invalid naming each bad
// field (visited_at in the future or before the subject entered the group,
// lat without lon, an unknown photo); NotFound for the subject; Conflict
// when the subject is lost or has ended.
func (s *Store) RecordVisit(ctx context.Context, userID, workerID string, in NewVisit) (Visit, error) {
	var out Visit
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if id, err := store.ByClientID(ctx, tx, "care_visits", in.ClientID); err != nil || id != "" {
			if err != nil {
				return err
			}
			v, err := scanVisit(tx.QueryRowContext(ctx, `SELECT `+visitColumns+` FROM care_visits WHERE id = $1`, id))
			if err != nil {
				return fmt.Errorf("care: get visit %s: %w", id, err)
			}
			v.Notes = ""
			out = v
			return nil
		}
		if in.SubjectID == "" {
			return apperr.Field("subject_id", "is required")
		}
		sub, err := getSubject(ctx, tx, in.SubjectID)
		if err != nil {
			return err
		}
		switch sub.Status {
		case Lost:
			return apperr.New(apperr.Conflict, "care subject %s is lost from control (since %s); mark them found before recording a visit", sub.ID, sub.LostOn)
		case Ended:
			return apperr.New(apperr.Conflict, "care subject %s has left the group (%s)", sub.ID, sub.EndedOn)
		}
		if in.VisitedAt.IsZero() {
			in.VisitedAt = s.now()
		}
		in.VisitedAt = in.VisitedAt.UTC().Truncate(time.Microsecond)
		on := dates.Of(in.VisitedAt)
		in.Notes = strings.TrimSpace(in.Notes)
		var bad []apperr.FieldError
		switch {
		case in.VisitedAt.After(s.clock().Add(clockSkew)) || on.After(s.today()):
			bad = append(bad, apperr.FieldError{Field: "visited_at", Reason: fmt.Sprintf("%s is in the future", in.VisitedAt.In(dates.Shanghai).Format(time.DateTime))})
		case on.Before(sub.BeganOn):
			bad = append(bad, apperr.FieldError{Field: "visited_at", Reason: fmt.Sprintf("%s is before the subject entered the group (%s)", on, sub.BeganOn)})
		}
		if (in.Lat == nil) != (in.Lon == nil) {
			bad = append(bad, apperr.FieldError{Field: "lat", Reason: "lat and lon go together"})
		} else if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lon < -180 || *in.Lon > 180) {
			bad = append(bad, apperr.FieldError{Field: "lat", Reason: "is not a WGS84 position"})
		}
		bad = append(bad, checkText("notes", in.Notes)...)
		if in.Photo != "" {
			uploaded, err := files.Exists(ctx, tx, in.Photo)
			if err != nil {
				return fmt.Errorf("care: record visit: %w", err)
			}
			if !uploaded {
				bad = append(bad, apperr.FieldError{Field: "photo", Reason: "no uploaded file " + in.Photo + "; upload it first"})
			}
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot record visit", bad...)
		}
		sealed, err := s.keys.Seal(in.Notes, notesContext)
		if err != nil {
			return fmt.Errorf("care: seal visit notes: %w", err)
		}
		now := s.now()
		v := Visit{ID: store.NewID(), SubjectID: sub.ID, ClientID: in.ClientID, VisitedAt: in.VisitedAt, VisitedOn: on, Lat: in.Lat, Lon: in.Lon,
			Photo: in.Photo, Confirmed: in.Confirmed, UserID: userID, WorkerID: workerID, EnteredAt: now}
		_, err = tx.ExecContext(ctx, `INSERT INTO care_visits (id, subject_id, visited_at, visited_on, lat, lon, notes_sealed, photo, confirmed,
			user_id, worker_id, client_id, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			v.ID, v.SubjectID, v.VisitedAt, v.VisitedOn, v.Lat, v.Lon, sealed, store.NullIfEmpty(v.Photo), v.Confirmed,
			userID, store.NullIfEmpty(workerID), store.NullIfEmpty(v.ClientID), now)
		if err != nil {
			return fmt.Errorf("care: record visit: %w", err)
		}
		out = v
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: userID, Action: "create", Entity: "care_visit", EntityID: v.ID, After: v})
		return err
	})
	return out, err
}

// Visits returns a subject's visits, newest first, with their notes
// unsealed, and writes an audit entry (action "read_visits" on the subject)
// naming the visits read. Errors: NotFound.
func (s *Store) Visits(ctx context.Context, actor, subjectID string) ([]Visit, error) {
	out := []Visit{}
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if _, err := getSubject(ctx, tx, subjectID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+visitColumns+` FROM care_visits WHERE subject_id = $1 ORDER BY visited_at DESC, id`, subjectID)
		if err != nil {
			return fmt.Errorf("care: visits: %w", err)
		}
		for rows.Next() {
			v, err := scanVisit(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("care: visits: %w", err)
			}
			out = append(out, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("care: visits: %w", err)
		}
		ids := make([]string, len(out))
		for i := range out {
			if out[i].Notes, err = s.keys.Open(out[i].Notes, notesContext); err != nil {
				return fmt.Errorf("care: open notes of visit %s: %w", out[i].ID, err)
			}
			ids[i] = out[i].ID
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "read_visits", Entity: "care_subject", EntityID: subjectID,
			After: map[string]any{"visits": ids}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Due is a subject whose visit is due.
type Due struct {
	SubjectID   string     `json:"subject_id"`
	PersonName  string     `json:"person_name"`
	GridID      string     `json:"grid_id"`
	GroupCode   string     `json:"group_code"`
	DueOn       dates.Date `json:"due_on"`
	DaysOverdue int        `json:"days_overdue" doc:"0 when due on the day asked about"`
	LastVisit   dates.Date `json:"last_visit" doc:"null if never visited"`
}

// nextDue returns when a subject's next visit is due, as seen on the date
// on, given its last visit on or before on (zero if none):
//
//   - monthly plan: the group's due day of on's month, unless the subject
//     was visited in that month already (from the 1st to on) or began after
//     that due day; then the due day of the next month;
//   - interval plan: the last visit (or, before the first, BeganOn) plus the
//     interval for the subject's risk level.
func nextDue(g Group, risk Risk, began, lastVisit, on dates.Date) dates.Date {
	if g.Plan == Monthly {
		first := dates.New(on.Year(), on.Month(), 1)
		due := dates.New(on.Year(), on.Month(), g.DueDay)
		if began.After(due) || (!lastVisit.IsZero() && !lastVisit.Before(first)) {
			return due.AddMonths(1)
		}
		return due
	}
	base := lastVisit
	if base.IsZero() {
		base = began
	}
	return base.AddDays(g.interval(risk))
}

// Overdue returns every active subject (lost and ended ones are left out)
// whose next visit (see nextDue) is due on or before on, in the grids under
// within (today's tree; "" for all), most overdue first. Visits are those
// made on or before on; the groups' plans and the subjects' risk levels are
// today's.
func (s *Store) Overdue(ctx context.Context, on dates.Date, within string) ([]Due, error) {
	if on.IsZero() {
		return nil, apperr.Field("on", "is required")
	}
	q := s.db.Q(ctx)
	groups, err := groupsByCode(ctx, q)
	if err != nil {
		return nil, err
	}
	var args store.Args
	prefix := ""
	where := []string{"s.status = 'active'"}
	if within != "" {
		prefix = org.SubtreeCTE(&args, within, s.today())
		where = append(where, "s.grid_id IN (SELECT id FROM sub)")
	}
	onP := args.Add(on)
	rows, err := q.QueryContext(ctx, prefix+`SELECT s.id, p.name, s.grid_id, s.group_code, s.risk, s.began_on,
		(SELECT MAX(v.visited_on) FROM care_visits v WHERE v.subject_id = s.id AND v.visited_on <= `+onP+`)`+subjectFrom+
		` WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("care: overdue: %w", err)
	}
	defer rows.Close()
	out := []Due{}
	for rows.Next() {
		var d Due
		var risk Risk
		var began dates.Date
		if err := rows.Scan(&d.SubjectID, &d.PersonName, &d.GridID, &d.GroupCode, &risk, &began, &d.LastVisit); err != nil {
			return nil, fmt.Errorf("care: overdue: %w", err)
		}
		g, ok := groups[d.GroupCode]
		if !ok {
			return nil, fmt.Errorf("care: overdue: subject %s names unknown group %s", d.SubjectID, d.GroupCode)
		}
		d.DueOn = nextDue(g, risk, began, d.LastVisit, on)
		if d.DueOn.After(on) {
			continue
		}
		d.DaysOverdue = daysBetween(d.DueOn, on)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("care: overdue: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.DaysOverdue != b.DaysOverdue {
			return a.DaysOverdue > b.DaysOverdue
		}
		if a.GridID != b.GridID {
			return a.GridID < b.GridID
		}
		if a.PersonName != b.PersonName {
			return a.PersonName < b.PersonName
		}
		return a.SubjectID < b.SubjectID
	})
	return out, nil
}
