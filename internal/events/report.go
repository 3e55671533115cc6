package events

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/files"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// NewEvent is an event to report.
type NewEvent struct {
	ClientID     string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op that returns the first event"`
	CategoryCode string    `json:"category_code"`
	Severity     Severity  `json:"severity,omitempty" enum:"ordinary,larger,major" doc:"default ordinary"`
	GridID       string    `json:"grid_id,omitempty" doc:"default: the grid that contains lat/lon"`
	Description  string    `json:"description"`
	Address      string    `json:"address,omitempty"`
	Lat          *float64  `json:"lat,omitempty"`
	Lon          *float64  `json:"lon,omitempty"`
	Photos       []string  `json:"photos,omitempty" doc:"sha256 of uploaded files"`
	HappenedAt   time.Time `json:"happened_at,omitempty" doc:"default: when reported"`
	// Upward: reported upward (上报) for the centre to handle, rather than
	// handled locally.
	Upward bool `json:"upward,omitempty"`
	// Escalated: the event has also been reported to the district and town
	// centres (a major event must be within 2 hours of happening).
	Escalated bool `json:"escalated,omitempty"`
	// SelfHandle: the reporter handled it on the spot (自办自结); it is
	// recorded as accepted, dispatched to the reporter, handled, verified
	// and closed by them, step by step.
	SelfHandle   bool     `json:"self_handle,omitempty"`
	HandleNote   string   `json:"handle_note,omitempty" doc:"what was done (self_handle)"`
	HandlePhotos []string `json:"handle_photos,omitempty" doc:"photos of the result (self_handle)"`
	// Source is who reported; default worker for a worker's account,
	// resident otherwise. Set by the API, not the client.
	Source   Source   `json:"-"`
	Contact  *Contact `json:"-"`
	MediaURL string   `json:"-"`
}

// ReportResult is what Report returns: the event, and whether this call stored
// it (false for a resend).
type ReportResult struct {
	Event Event `json:"event"`
	// New is false when the client_id was already known: nothing was
	// stored and the first event is returned.
	New bool `json:"new"`
}

// Report stores a new event in state reported (or closed, for a
// self-handled one) with its photos, runs the duplicate check (the near
// matches are stored and returned on the event) and the description check
// (badly_described with the reason). A resend with the same ClientID is a
// no-op that returns the first event. Errors: Invalid naming each bad
// field (unknown or inactive category, empty description, lat without
// lon, a position in no grid, unknown photos, happened_at in the future).
func (s *Store) Report(ctx context.Context, by Actor, in NewEvent) (ReportResult, error) {
	var out ReportResult
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		if id, err := store.ByClientID(ctx, tx, "events", in.ClientID); err != nil || id != "" {
			if err != nil {
				return err
			}
			e, err := s.get(ctx, tx, id, false)
			out = ReportResult{Event: e}
			return err
		}
		e, err := s.report(ctx, tx, by, in)
		out = ReportResult{Event: e, New: true}
		return err
	})
	return out, err
}

func (s *Store) report(ctx context.Context, rawTx store.Tx, by Actor, in NewEvent) (Event, error) {
	tx := s.q(rawTx)
	now := s.now()
	in.Description = strings.TrimSpace(in.Description)
	in.Address = strings.TrimSpace(in.Address)
	in.HandleNote = strings.TrimSpace(in.HandleNote)
	if in.Severity == "" {
		in.Severity = Ordinary
	}
	if in.Source == "" {
		in.Source = FromResident
		if by.WorkerID != "" {
			in.Source = FromWorker
		}
	}
	if in.HappenedAt.IsZero() {
		in.HappenedAt = now
	}
	in.HappenedAt = in.HappenedAt.UTC().Truncate(time.Microsecond)
	var bad []apperr.FieldError
	cat, err := getCategory(ctx, tx, in.CategoryCode)
	if err != nil {
		return Event{}, err
	}
	switch {
	case in.CategoryCode == "":
		bad = append(bad, apperr.FieldError{Field: "category_code", Reason: "is required"})
	case cat == nil:
		bad = append(bad, apperr.FieldError{Field: "category_code", Reason: fmt.Sprintf("no category %q", in.CategoryCode)})
	case !cat.Active:
		bad = append(bad, apperr.FieldError{Field: "category_code", Reason: fmt.Sprintf("category %s is no longer in use", in.CategoryCode)})
	}
	if !in.Severity.valid() {
		bad = append(bad, apperr.FieldError{Field: "severity", Reason: fmt.Sprintf("%q is not ordinary, larger or major", in.Severity)})
	}
	if !in.Source.valid() {
		bad = append(bad, apperr.FieldError{Field: "source", Reason: fmt.Sprintf("%q is not a source", in.Source)})
	}
	if in.Description == "" {
		bad = append(bad, apperr.FieldError{Field: "description", Reason: "is required: what is where"})
	}
	bad = append(bad, checkText("description", in.Description, MaxText)...)
	bad = append(bad, checkText("address", in.Address, 300)...)
	bad = append(bad, checkText("handle_note", in.HandleNote, MaxText)...)
	if (in.Lat == nil) != (in.Lon == nil) {
		bad = append(bad, apperr.FieldError{Field: "lat", Reason: "lat and lon go together"})
	} else if in.Lat != nil && (math.IsNaN(*in.Lat) || math.IsNaN(*in.Lon) || *in.Lat < -90 || *in.Lat > 90 || *in.Lon < -180 || *in.Lon > 180) {
		bad = append(bad, apperr.FieldError{Field: "lat", Reason: "is not a WGS84 position"})
	}
	if in.HappenedAt.After(now.Add(clockSkew)) {
		bad = append(bad, apperr.FieldError{Field: "happened_at", Reason: shanghaiTime(in.HappenedAt) + " is in the future"})
	}
	if in.SelfHandle && in.Upward {
		bad = append(bad, apperr.FieldError{Field: "self_handle", Reason: "an event handled on the spot is not also reported upward"})
	}
	if in.SelfHandle && by.WorkerID == "" {
		bad = append(bad, apperr.FieldError{Field: "self_handle", Reason: "only a grid worker handles an event on the spot"})
	}
	if in.SelfHandle && in.HandleNote == "" {
		bad = append(bad, apperr.FieldError{Field: "handle_note", Reason: "is required: what was done on the spot"})
	}
	for _, f := range [][2]any{{"photos", in.Photos}, {"handle_photos", in.HandlePhotos}} {
		fb, err := checkPhotos(ctx, tx, f[0].(string), f[1].([]string))
		if err != nil {
			return Event{}, err
		}
		bad = append(bad, fb...)
	}
	if len(bad) > 0 {
		return Event{}, apperr.InvalidFields("cannot report event", bad...)
	}
	if cat.HandlePhotoRequired && in.SelfHandle && len(in.HandlePhotos) == 0 {
		return Event{}, apperr.InvalidFields("cannot report event", apperr.FieldError{Field: "handle_photos",
			Reason: fmt.Sprintf("category %s needs a photo of the result", cat.Code)})
	}
	// Where: the grid named, else the one containing the position.
	day := dates.Of(now)
	if in.GridID == "" && in.Lat != nil {
		g, err := org.LocateGrid(ctx, tx, *in.Lat, *in.Lon, day)
		if err != nil {
			return Event{}, err
		}
		in.GridID = g
	}
	if in.GridID == "" {
		return Event{}, apperr.InvalidFields("cannot report event", apperr.FieldError{Field: "grid_id",
			Reason: "is required: give the grid, or a position (lat, lon) inside one"})
	}
	community, err := communityOf(ctx, tx, in.GridID, day)
	if err != nil {
		return Event{}, err
	}

	e := Event{ID: store.NewID(), ClientID: in.ClientID, CategoryCode: cat.Code, Severity: in.Severity, State: Reported, Source: in.Source,
		GridID: in.GridID, CommunityID: community, Description: in.Description, Address: in.Address, Lat: in.Lat, Lon: in.Lon,
		MediaURL: in.MediaURL, ReporterUserID: by.UserID, ReporterWorkerID: by.WorkerID, Contact: in.Contact,
		Upward: in.Upward, SelfHandled: in.SelfHandle, HappenedAt: in.HappenedAt, ReportedAt: now, Version: 1, EnteredAt: now}
	if in.Escalated {
		e.UpwardAt = &now
	}
	// The description check (seed 001: −1 per unclear event).
	var notes []string
	if n := utf8.RuneCountInString(in.Description); n < cat.MinDescription {
		notes = append(notes, fmt.Sprintf("description has %d characters; category %s asks for at least %d", n, cat.Code, cat.MinDescription))
	}
	if cat.PhotoRequired && len(in.Photos) == 0 {
		notes = append(notes, fmt.Sprintf("no photo; category %s requires one", cat.Code))
	}
	e.BadlyDescribed, e.QualityNotes = len(notes) > 0, strings.Join(notes, "; ")
	c := Contact{}
	if in.Contact != nil {
		if c, err = s.sealContact(*in.Contact); err != nil {
			return Event{}, err
		}
	}
	// The steps of the new event, all at the time of the report. 自办自结
	// records every step as the reporter's, so the event is stored closed.
	steps := []Step{{Action: Report, To: Reported}}
	if e.UpwardAt != nil {
		steps = append(steps, Step{Action: Escalate, From: Reported, To: Reported, Note: "reported to the district and town centres when reported"})
	}
	if in.SelfHandle {
		note := "自办自结: " + in.HandleNote
		for _, a := range []Action{Accept, Dispatch, Handle, Verify, Close} {
			to, _ := Next(e.State, a)
			steps = append(steps, Step{Action: a, From: e.State, To: to, Note: note})
			e.State = to
		}
		e.AcceptedAt, e.DispatchedAt, e.HandledAt, e.VerifiedAt, e.ClosedAt = &now, &now, &now, &now, &now
		e.AssigneeWorkerID = by.WorkerID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO events (id, client_id, category_code, severity, state, source, grid_id, community_id, description, address,
		lat, lon, media_url, reporter_user_id, reporter_worker_id, contact_name, contact_phone, contact_email, upward, self_handled,
		happened_at, reported_at, upward_at, badly_described, quality_notes, version, entered_at,
		accepted_at, dispatched_at, handled_at, verified_at, closed_at, assignee_worker_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, 1, $26,
		$27, $28, $29, $30, $31, $32)`,
		e.ID, store.NullIfEmpty(e.ClientID), e.CategoryCode, e.Severity, e.State, e.Source, e.GridID, store.NullIfEmpty(community), e.Description, e.Address,
		e.Lat, e.Lon, e.MediaURL, e.ReporterUserID, store.NullIfEmpty(e.ReporterWorkerID), c.Name, c.Phone, c.Email, e.Upward, e.SelfHandled,
		e.HappenedAt, e.ReportedAt, e.UpwardAt, e.BadlyDescribed, e.QualityNotes, now,
		e.AcceptedAt, e.DispatchedAt, e.HandledAt, e.VerifiedAt, e.ClosedAt, store.NullIfEmpty(e.AssigneeWorkerID))
	if err != nil {
		return Event{}, fmt.Errorf("events: report: %w", err)
	}
	if err := addPhotos(ctx, tx, e.ID, "report", in.Photos, now); err != nil {
		return Event{}, err
	}
	if in.SelfHandle {
		if err := addPhotos(ctx, tx, e.ID, "handle", in.HandlePhotos, now); err != nil {
			return Event{}, err
		}
	}
	var args store.Args
	var rows []string
	for i, st := range steps {
		rows = append(rows, fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s, %s, %s)", args.Add(e.ID), args.Add(i+1), args.Add(st.Action),
			args.Add(st.From), args.Add(st.To), args.Add(now), args.Add(by.UserID), args.Add(store.NullIfEmpty(by.WorkerID)), args.Add(st.Note)))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_steps (event_id, seq, action, from_state, to_state, at, user_id, worker_id, note) VALUES `+
		strings.Join(rows, ", "), args...); err != nil {
		return Event{}, fmt.Errorf("events: record steps of %s: %w", e.ID, err)
	}
	if e.Matches, err = s.findMatches(ctx, tx, e, *cat); err != nil {
		return Event{}, err
	}
	if _, err := audit.Append(ctx, rawTx, audit.Entry{Actor: by.UserID, Action: "create", Entity: "event", EntityID: e.ID, After: auditView(e)}); err != nil {
		return Event{}, err
	}
	// The event as Get would read it, without reading it back.
	for _, x := range []struct {
		stage  string
		photos []string
	}{{"report", in.Photos}, {"handle", in.HandlePhotos}} {
		if x.stage == "handle" && !in.SelfHandle {
			continue
		}
		seen := map[string]bool{}
		for _, p := range x.photos {
			if !seen[p] {
				seen[p] = true
				e.Photos = append(e.Photos, Photo{SHA256: p, Stage: x.stage, AddedAt: now})
			}
		}
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Event{}, fmt.Errorf("events: calendar: %w", err)
	}
	e.clockAt = now
	e.Clocks = clocks(cal, &e, *cat, nil, now)
	e.MajorLate = e.majorLate(now)
	if e.Contact != nil && *e.Contact == (Contact{}) {
		e.Contact = nil
	}
	return e, nil
}

// checkPhotos checks that every photo was uploaded.
func checkPhotos(ctx context.Context, q store.Queryer, field string, photos []string) ([]apperr.FieldError, error) {
	var bad []apperr.FieldError
	if len(photos) > 20 {
		return []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("%d photos; at most 20", len(photos))}}, nil
	}
	for _, p := range photos {
		uploaded, err := files.Exists(ctx, q, p)
		if err != nil {
			return nil, fmt.Errorf("events: check photo: %w", err)
		}
		if !uploaded {
			bad = append(bad, apperr.FieldError{Field: field, Reason: "no uploaded file " + p + "; upload it first"})
		}
	}
	return bad, nil
}

func addPhotos(ctx context.Context, tx store.Queryer, id, stage string, photos []string, at time.Time) error {
	seen := map[string]bool{}
	for _, p := range photos {
		if seen[p] {
			continue
		}
		seen[p] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_photos (event_id, sha256, stage, added_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (event_id, stage, sha256) DO NOTHING`, id, p, stage, at); err != nil {
			return fmt.Errorf("events: add photo: %w", err)
		}
	}
	return nil
}

func addStep(ctx context.Context, tx store.Queryer, id string, a Action, from, to State, at time.Time, by Actor, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_steps (event_id, seq, action, from_state, to_state, at, user_id, worker_id, note)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM event_steps WHERE event_id = $1), $2, $3, $4, $5, $6, $7, $8)`,
		id, a, from, to, at, by.UserID, store.NullIfEmpty(by.WorkerID), note)
	if err != nil {
		return fmt.Errorf("events: record step %s of %s: %w", a, id, err)
	}
	return nil
}

// communityOf returns the community (社区/村) above grid on d, or "" if it
// is no grid in force then. Errors: Invalid when gridID is no grid.
func communityOf(ctx context.Context, q store.Queryer, gridID string, d dates.Date) (string, error) {
	id := gridID
	var first = true
	for range 6 {
		u, err := org.UnitOn(ctx, q, id, d)
		level, parent := u.Level, u.ParentID
		if apperr.CodeOf(err) == apperr.NotFound {
			if first {
				return "", apperr.InvalidFields("cannot report event", apperr.FieldError{Field: "grid_id", Reason: fmt.Sprintf("no grid %s in force on %s", gridID, d)})
			}
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("events: community of %s: %w", gridID, err)
		}
		if first && level != org.Grid {
			return "", apperr.InvalidFields("cannot report event", apperr.FieldError{Field: "grid_id", Reason: fmt.Sprintf("%s is a %s, not a grid", gridID, level)})
		}
		if level == org.Community {
			return id, nil
		}
		first = false
		if parent == "" {
			return "", nil
		}
		id = parent
	}
	return "", nil
}

// earthRadiusM is the mean Earth radius used for distances.
const earthRadiusM = 6_371_000.0

// distanceM is the great-circle (haversine) distance between two points.
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// findMatches stores e's near matches: earlier events of the same category,
// not voided, reported within the category's age before e, within its
// radius of e. An event without a position has none.
func (s *Store) findMatches(ctx context.Context, tx store.Queryer, e Event, cat Category) ([]Match, error) {
	if e.Lat == nil {
		return nil, nil
	}
	lat, lon := *e.Lat, *e.Lon
	// A bounding box in degrees first, then the exact distance.
	dLat := float64(cat.DupRadiusM) / earthRadiusM * 180 / math.Pi
	dLon := dLat / math.Max(math.Cos(lat*math.Pi/180), 0.01)
	since := e.ReportedAt.Add(-time.Duration(cat.DupAgeHours) * time.Hour)
	rows, err := tx.QueryContext(ctx, `SELECT id, lat, lon, state, reported_at FROM events WHERE category_code = $1 AND id <> $2 AND state <> 'voided'
		AND reported_at >= $3 AND reported_at <= $4 AND lat BETWEEN $5 AND $6 AND lon BETWEEN $7 AND $8`,
		e.CategoryCode, e.ID, since, e.ReportedAt, lat-dLat, lat+dLat, lon-dLon, lon+dLon)
	if err != nil {
		return nil, fmt.Errorf("events: duplicate check: %w", err)
	}
	var found []Match
	for rows.Next() {
		var m Match
		var la, lo float64
		if err := rows.Scan(&m.EventID, &la, &lo, &m.State, &m.ReportedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("events: duplicate check: %w", err)
		}
		m.ReportedAt = m.ReportedAt.UTC()
		if d := distanceM(lat, lon, la, lo); d <= float64(cat.DupRadiusM) {
			m.DistanceM = math.Round(d*10) / 10
			found = append(found, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: duplicate check: %w", err)
	}
	// Nearest first, as Get lists them.
	slices.SortFunc(found, func(a, b Match) int {
		if a.DistanceM != b.DistanceM {
			return cmp.Compare(a.DistanceM, b.DistanceM)
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	for _, f := range found {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_matches (event_id, match_id, distance_m) VALUES ($1, $2, $3)`, e.ID, f.EventID, f.DistanceM); err != nil {
			return nil, fmt.Errorf("events: duplicate check: %w", err)
		}
	}
	return found, nil
}

// Locate returns the grid in force today whose polygon contains the point,
// or "" if none does.
func (s *Store) Locate(ctx context.Context, lat, lon float64) (string, error) {
	return org.LocateGrid(ctx, s.db.Q(ctx), lat, lon, dates.Of(s.now()))
}
