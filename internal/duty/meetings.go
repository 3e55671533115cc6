package duty

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// MeetingKind is the kind of a meeting, training or check.
type MeetingKind string

// The meeting kinds.
const (
	Morning  MeetingKind = "morning"  // 晨会
	Analysis MeetingKind = "analysis" // 研判会 (daily analysis meeting)
	Regular  MeetingKind = "regular"  // 工作例会
	Training MeetingKind = "training" // 培训
	Check    MeetingKind = "check"    // 每周两次常态化清查
	Campaign MeetingKind = "campaign" // 集中大清查大排查 (排查整治)
)

func (k MeetingKind) valid() bool {
	switch k {
	case Morning, Analysis, Regular, Training, Check, Campaign:
		return true
	}
	return false
}

// isCheck tells the checks (排查, seed 000 IV 4) from the meetings and
// trainings (seed 001 工作纪律 5).
func (k MeetingKind) isCheck() bool { return k == Check || k == Campaign }

// Presence is a worker's attendance at a meeting.
type Presence string

// The attendance statuses.
const (
	Present     Presence = "present" // 出席
	OnLeave     Presence = "leave"   // 请假 (absent with leave)
	AbsentNoLvl Presence = "absent"  // 无故缺席 (absent without leave)
)

func (p Presence) valid() bool { return p == Present || p == OnLeave || p == AbsentNoLvl }

// Attendance is one worker at one meeting.
type Attendance struct {
	WorkerID string   `json:"worker_id"`
	Status   Presence `json:"status" enum:"present,leave,absent"`
}

// Meeting is a meeting, training or check held by a unit.
type Meeting struct {
	ID       string      `json:"id"`
	ClientID string      `json:"client_id,omitempty"`
	Kind     MeetingKind `json:"kind" enum:"morning,analysis,regular,training,check,campaign"`
	UnitID   string      `json:"unit_id" doc:"the community, 片区 or grid that held it"`
	HeldAt   time.Time   `json:"held_at"`
	HeldOn   dates.Date  `json:"held_on"`
	Title    string      `json:"title,omitempty"`
	// Minutes and MinutesFile are the minutes on file (会议记录): text, an
	// uploaded document, or both.
	Minutes     string `json:"minutes,omitempty"`
	MinutesFile string `json:"minutes_file,omitempty" doc:"sha256 of an uploaded file"`
	// Issues is how many prominent issues an analysis meeting took up.
	Issues int `json:"issues"`
	// ReportedUp says whether an analysis meeting's outcome was reported up
	// (研判信息上报).
	ReportedUp bool `json:"reported_up"`
	// ResponsibleID is the worker who answers for the minutes and the
	// report; the meeting's unreported outcome counts against them.
	ResponsibleID string       `json:"responsible_id,omitempty"`
	Attendance    []Attendance `json:"attendance"`
	EnteredBy     string       `json:"entered_by"`
	EnteredAt     time.Time    `json:"entered_at"`
}

// hasMinutes reports whether the meeting has minutes on file.
func (m Meeting) hasMinutes() bool { return strings.TrimSpace(m.Minutes) != "" || m.MinutesFile != "" }

// NewMeeting records a meeting with its attendance.
type NewMeeting struct {
	ClientID      string       `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	Kind          MeetingKind  `json:"kind" enum:"morning,analysis,regular,training,check,campaign"`
	UnitID        string       `json:"unit_id"`
	HeldAt        time.Time    `json:"held_at"`
	Title         string       `json:"title,omitempty"`
	Minutes       string       `json:"minutes,omitempty"`
	MinutesFile   string       `json:"minutes_file,omitempty"`
	Issues        int          `json:"issues,omitempty" minimum:"0"`
	ReportedUp    bool         `json:"reported_up,omitempty"`
	ResponsibleID string       `json:"responsible_id,omitempty"`
	Attendance    []Attendance `json:"attendance,omitempty"`
}

// MeetingPatch changes a meeting after the fact: minutes filed later, the
// outcome reported up, attendance corrected (the listed workers' entries
// are replaced or added).
type MeetingPatch struct {
	Minutes     *string      `json:"minutes,omitempty"`
	MinutesFile *string      `json:"minutes_file,omitempty"`
	Issues      *int         `json:"issues,omitempty"`
	ReportedUp  *bool        `json:"reported_up,omitempty"`
	Attendance  []Attendance `json:"attendance,omitempty"`
}

const meetingColumns = `id, COALESCE(client_id, ''), kind, unit_id, held_at, held_on, title, minutes, COALESCE(minutes_file, ''), issues, reported_up,
	COALESCE(responsible_id, ''), entered_by, entered_at`

func scanMeeting(row store.Row) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.ClientID, &m.Kind, &m.UnitID, &m.HeldAt, &m.HeldOn, &m.Title, &m.Minutes, &m.MinutesFile, &m.Issues, &m.ReportedUp,
		&m.ResponsibleID, &m.EnteredBy, &m.EnteredAt)
	return m, err
}

func getMeeting(ctx context.Context, q store.Queryer, id string) (Meeting, error) {
	m, err := getRow(ctx, q, "duty_meetings", meetingColumns, "meeting", id, scanMeeting)
	if err != nil {
		return Meeting{}, err
	}
	att, err := attendanceOf(ctx, q, []string{id})
	if err != nil {
		return Meeting{}, err
	}
	m.Attendance = att[id]
	if m.Attendance == nil {
		m.Attendance = []Attendance{}
	}
	return m, nil
}

func attendanceOf(ctx context.Context, q store.Queryer, ids []string) (map[string][]Attendance, error) {
	out := map[string][]Attendance{}
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	rows, err := q.QueryContext(ctx, `SELECT meeting_id, worker_id, status FROM duty_attendance WHERE meeting_id IN (`+strings.Join(ph, ", ")+`)
		ORDER BY meeting_id, worker_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("duty: attendance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a Attendance
		if err := rows.Scan(&id, &a.WorkerID, &a.Status); err != nil {
			return nil, fmt.Errorf("duty: attendance: %w", err)
		}
		out[id] = append(out[id], a)
	}
	return out, rows.Err()
}

// GetMeeting returns one meeting with its attendance. Errors: NotFound.
func (s *Store) GetMeeting(ctx context.Context, id string) (Meeting, error) {
	return getMeeting(ctx, s.db.Q(ctx), id)
}

// checkAttendance checks a list of attendance entries.
func checkAttendance(ctx context.Context, q store.Queryer, p *problems, att []Attendance) error {
	// One query for all the workers: a meeting lists a whole community.
	ids := make([]string, len(att))
	for i, a := range att {
		ids[i] = a.WorkerID
	}
	known, err := org.KnownWorkers(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("duty: attendance: %w", err)
	}
	seen := map[string]bool{}
	for i, a := range att {
		f := fmt.Sprintf("attendance[%d]", i)
		switch {
		case a.WorkerID == "":
			p.add(f+".worker_id", "is required")
		case !known[a.WorkerID]:
			p.add(f+".worker_id", "no worker %s", a.WorkerID)
		}
		if seen[a.WorkerID] {
			p.add(f+".worker_id", "worker %s is listed twice", a.WorkerID)
		}
		seen[a.WorkerID] = true
		if !a.Status.valid() {
			p.add(f+".status", "%q is not present, leave or absent", a.Status)
		}
	}
	return nil
}

func putAttendance(ctx context.Context, tx store.Tx, meetingID string, att []Attendance) error {
	// One statement per 200 entries: a round trip per worker makes a
	// community's daily meetings slow on PostgreSQL.
	for len(att) > 0 {
		n := min(len(att), 200)
		var args store.Args
		rows := make([]string, n)
		for i, a := range att[:n] {
			rows[i] = "(" + args.Add(meetingID) + ", " + args.Add(a.WorkerID) + ", " + args.Add(a.Status) + ")"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_attendance (meeting_id, worker_id, status) VALUES `+strings.Join(rows, ", ")+`
			ON CONFLICT (meeting_id, worker_id) DO UPDATE SET status = excluded.status`, args...)
		if err != nil {
			return fmt.Errorf("duty: attendance: %w", err)
		}
		att = att[n:]
	}
	return nil
}

// RecordMeeting stores a meeting held by a community, 片区 or grid, with
// its attendance. A resend with the same ClientID returns the first.
// Errors: Invalid naming each bad field (kind, unit, time in the future,
// unknown workers or files, issues or a report on a meeting that is not an
// analysis meeting).
func (s *Store) RecordMeeting(ctx context.Context, actor string, in NewMeeting) (Meeting, error) {
	var out Meeting
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_meetings", in.ClientID, "cannot record meeting", getMeeting, &out); done {
			return err
		}
		var p problems
		if !in.Kind.valid() {
			p.add("kind", "%q is not morning, analysis, regular, training, check or campaign", in.Kind)
		}
		if err := unitOf(ctx, tx, &p, "unit_id", in.UnitID, org.Community, org.Area, org.Grid); err != nil {
			return err
		}
		if in.HeldAt.IsZero() {
			p.add("held_at", "is required")
		}
		s.notFuture(&p, "held_at", in.HeldAt)
		in.Title, in.Minutes = strings.TrimSpace(in.Title), strings.TrimSpace(in.Minutes)
		p.text("title", in.Title, maxTitle, false)
		p.text("minutes", in.Minutes, MaxText, false)
		if err := fileExists(ctx, tx, &p, "minutes_file", in.MinutesFile); err != nil {
			return err
		}
		if in.Issues < 0 {
			p.add("issues", "cannot be negative")
		}
		if in.Kind != Analysis && (in.Issues != 0 || in.ReportedUp) {
			p.add("kind", "only an analysis meeting takes up issues and reports its outcome up")
		}
		if in.ResponsibleID != "" {
			if err := workerExists(ctx, tx, &p, "responsible_id", in.ResponsibleID); err != nil {
				return err
			}
		}
		if err := checkAttendance(ctx, tx, &p, in.Attendance); err != nil {
			return err
		}
		if err := p.err("cannot record meeting"); err != nil {
			return err
		}
		at := micro(in.HeldAt)
		now := s.now()
		m := Meeting{ID: store.NewID(), ClientID: in.ClientID, Kind: in.Kind, UnitID: in.UnitID, HeldAt: at, HeldOn: dates.Of(at), Title: in.Title,
			Minutes: in.Minutes, MinutesFile: in.MinutesFile, Issues: in.Issues, ReportedUp: in.ReportedUp, ResponsibleID: in.ResponsibleID,
			Attendance: slices.Clone(in.Attendance), EnteredBy: actor, EnteredAt: now}
		if m.Attendance == nil {
			m.Attendance = []Attendance{}
		}
		slices.SortFunc(m.Attendance, func(a, b Attendance) int { return strings.Compare(a.WorkerID, b.WorkerID) })
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_meetings (id, client_id, kind, unit_id, held_at, held_on, title, minutes, minutes_file, issues,
			reported_up, responsible_id, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			m.ID, store.NullIfEmpty(m.ClientID), m.Kind, m.UnitID, m.HeldAt, m.HeldOn, m.Title, m.Minutes, store.NullIfEmpty(m.MinutesFile), m.Issues,
			m.ReportedUp, store.NullIfEmpty(m.ResponsibleID), actor, now)
		if err != nil {
			return fmt.Errorf("duty: record meeting: %w", err)
		}
		if err := putAttendance(ctx, tx, m.ID, m.Attendance); err != nil {
			return err
		}
		out = m
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_meeting", EntityID: m.ID, After: m})
		return err
	})
	return out, err
}

// UpdateMeeting applies a patch to meeting id. Errors: NotFound; Invalid
// naming each bad field.
func (s *Store) UpdateMeeting(ctx context.Context, actor, id string, in MeetingPatch) (Meeting, error) {
	var out Meeting
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		m, err := getMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		before := m
		before.Attendance = slices.Clone(m.Attendance)
		var p problems
		if in.Minutes != nil {
			m.Minutes = strings.TrimSpace(*in.Minutes)
			p.text("minutes", m.Minutes, MaxText, false)
		}
		if in.MinutesFile != nil {
			m.MinutesFile = *in.MinutesFile
			if err := fileExists(ctx, tx, &p, "minutes_file", m.MinutesFile); err != nil {
				return err
			}
		}
		if in.Issues != nil {
			m.Issues = *in.Issues
			if m.Issues < 0 {
				p.add("issues", "cannot be negative")
			}
		}
		if in.ReportedUp != nil {
			m.ReportedUp = *in.ReportedUp
		}
		if m.Kind != Analysis && (m.Issues != 0 || m.ReportedUp) {
			p.add("kind", "only an analysis meeting takes up issues and reports its outcome up")
		}
		if err := checkAttendance(ctx, tx, &p, in.Attendance); err != nil {
			return err
		}
		if err := p.err("cannot update meeting"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duty_meetings SET minutes = $1, minutes_file = $2, issues = $3, reported_up = $4 WHERE id = $5`,
			m.Minutes, store.NullIfEmpty(m.MinutesFile), m.Issues, m.ReportedUp, id); err != nil {
			return fmt.Errorf("duty: update meeting: %w", err)
		}
		if err := putAttendance(ctx, tx, id, in.Attendance); err != nil {
			return err
		}
		if out, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "update", Entity: "duty_meeting", EntityID: id, Before: before, After: out})
		return err
	})
	return out, err
}

// MeetingQuery selects meetings: held by units in Scope.WithinID, or (with
// Scope.WorkerID) attended or missed by that worker.
type MeetingQuery struct {
	Scope
	Kind     MeetingKind
	From, To dates.Date
}

// Meetings returns the meetings matching q with their attendance, by time.
func (s *Store) Meetings(ctx context.Context, q MeetingQuery) ([]Meeting, error) {
	var args store.Args
	prefix, cond := unitScope(&args, Scope{WithinID: q.WithinID}, "unit_id", s.today())
	if q.WorkerID != "" {
		cond += " AND id IN (SELECT meeting_id FROM duty_attendance WHERE worker_id = " + args.Add(q.WorkerID) + ")"
	}
	if q.Kind != "" {
		cond += " AND kind = " + args.Add(q.Kind)
	}
	cond = onDays(&args, cond, "held_on", q.From, q.To)
	q2 := s.db.Q(ctx)
	out, err := store.All(ctx, q2, "duty meetings", prefix+`SELECT `+meetingColumns+` FROM duty_meetings WHERE `+cond+` ORDER BY held_at, id`, args, scanMeeting)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(out))
	for i, m := range out {
		ids[i] = m.ID
	}
	att := map[string][]Attendance{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part, err := attendanceOf(ctx, q2, ids[:n])
		if err != nil {
			return nil, err
		}
		for k, v := range part {
			att[k] = v
		}
		ids = ids[n:]
	}
	for i := range out {
		out[i].Attendance = att[out[i].ID]
		if out[i].Attendance == nil {
			out[i].Attendance = []Attendance{}
		}
	}
	return out, nil
}
