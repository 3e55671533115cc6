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

// Activity is a volunteer activity (志愿服务活动) a worker organised or took
// part in, with photos. A reviewer may mark it invalid (e.g. held without
// volunteer uniforms, seed 003 item 7) and records whether the photos show
// uniforms.
type Activity struct {
	ID       string     `json:"id"`
	ClientID string     `json:"client_id,omitempty"`
	WorkerID string     `json:"worker_id"`
	GridID   string     `json:"grid_id"`
	HeldAt   time.Time  `json:"held_at"`
	HeldOn   dates.Date `json:"held_on"`
	Title    string     `json:"title"`
	Photos   []string   `json:"photos" doc:"sha256 of uploaded files"`
	// Uniform is whether the activity was held in volunteer uniform: the
	// worker's claim, replaced by the reviewer's finding.
	Uniform bool `json:"uniform"`
	// Valid is the reviewer's verdict; null until reviewed (an unreviewed
	// activity counts).
	Valid      *bool      `json:"valid"`
	ReviewNote string     `json:"review_note,omitempty"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
	EnteredBy  string     `json:"entered_by"`
	EnteredAt  time.Time  `json:"entered_at"`
}

// NewActivity records an activity.
type NewActivity struct {
	ClientID string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	WorkerID string    `json:"worker_id,omitempty" doc:"default: the caller's own worker"`
	GridID   string    `json:"grid_id" doc:"the grid it was held in"`
	HeldAt   time.Time `json:"held_at"`
	Title    string    `json:"title"`
	Photos   []string  `json:"photos" doc:"at least one uploaded photo"`
	Uniform  bool      `json:"uniform" doc:"held in volunteer uniform"`
}

// ActivityReview is a reviewer's verdict.
type ActivityReview struct {
	Valid   bool   `json:"valid"`
	Uniform bool   `json:"uniform" doc:"the photos show volunteer uniforms"`
	Note    string `json:"note,omitempty" doc:"why, e.g. 未穿志愿者服装"`
}

// maxPhotos bounds the photos of one activity.
const maxPhotos = 20

const activityColumns = `id, COALESCE(client_id, ''), worker_id, grid_id, held_at, held_on, title, uniform, valid, review_note,
	COALESCE(reviewed_by, ''), reviewed_at, entered_by, entered_at`

func scanActivity(row store.Row) (Activity, error) {
	var a Activity
	err := row.Scan(&a.ID, &a.ClientID, &a.WorkerID, &a.GridID, &a.HeldAt, &a.HeldOn, &a.Title, &a.Uniform, &a.Valid, &a.ReviewNote,
		&a.ReviewedBy, &a.ReviewedAt, &a.EnteredBy, &a.EnteredAt)
	return a, err
}

func photosOf(ctx context.Context, q store.Queryer, as []Activity) error {
	byID := map[string]*Activity{}
	var args store.Args
	var ph []string
	for i := range as {
		as[i].Photos = []string{}
		byID[as[i].ID] = &as[i]
	}
	flush := func() error {
		if len(ph) == 0 {
			return nil
		}
		rows, err := q.QueryContext(ctx, `SELECT activity_id, sha256 FROM duty_activity_photos WHERE activity_id IN (`+strings.Join(ph, ", ")+`)
			ORDER BY activity_id, sha256`, args...)
		if err != nil {
			return fmt.Errorf("duty: activity photos: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, sha string
			if err := rows.Scan(&id, &sha); err != nil {
				return fmt.Errorf("duty: activity photos: %w", err)
			}
			byID[id].Photos = append(byID[id].Photos, sha)
		}
		args, ph = nil, nil
		return rows.Err()
	}
	for i := range as {
		ph = append(ph, args.Add(as[i].ID))
		if len(ph) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func getActivity(ctx context.Context, q store.Queryer, id string) (Activity, error) {
	a, err := getRow(ctx, q, "duty_activities", activityColumns, "activity", id, scanActivity)
	if err != nil {
		return Activity{}, err
	}
	as := []Activity{a}
	if err := photosOf(ctx, q, as); err != nil {
		return Activity{}, err
	}
	return as[0], nil
}

// GetActivity returns one activity. Errors: NotFound.
func (s *Store) GetActivity(ctx context.Context, id string) (Activity, error) {
	return getActivity(ctx, s.db.Q(ctx), id)
}

// RecordActivity stores an activity with its photos. A resend with the
// same ClientID returns the first. Errors: Invalid naming each bad field
// (no title, no photo or an unknown one, a grid that is not a grid, a time
// in the future).
func (s *Store) RecordActivity(ctx context.Context, actor string, in NewActivity) (Activity, error) {
	var out Activity
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_activities", in.ClientID, "cannot record activity", getActivity, &out); done {
			return err
		}
		var p problems
		if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
			return err
		}
		if err := unitOf(ctx, tx, &p, "grid_id", in.GridID, org.Grid); err != nil {
			return err
		}
		if in.HeldAt.IsZero() {
			p.add("held_at", "is required")
		}
		s.notFuture(&p, "held_at", in.HeldAt)
		in.Title = strings.TrimSpace(in.Title)
		p.text("title", in.Title, maxTitle, true)
		photos := slices.Compact(slices.Sorted(slices.Values(in.Photos)))
		switch {
		case len(photos) == 0:
			p.add("photos", "at least one photo of the activity is required")
		case len(photos) > maxPhotos:
			p.add("photos", "at most %d photos", maxPhotos)
		}
		for i, sha := range photos {
			if err := fileExists(ctx, tx, &p, fmt.Sprintf("photos[%d]", i), sha); err != nil {
				return err
			}
		}
		if err := p.err("cannot record activity"); err != nil {
			return err
		}
		at := micro(in.HeldAt)
		now := s.now()
		a := Activity{ID: store.NewID(), ClientID: in.ClientID, WorkerID: in.WorkerID, GridID: in.GridID, HeldAt: at, HeldOn: dates.Of(at),
			Title: in.Title, Photos: photos, Uniform: in.Uniform, EnteredBy: actor, EnteredAt: now}
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_activities (id, client_id, worker_id, grid_id, held_at, held_on, title, uniform, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			a.ID, store.NullIfEmpty(a.ClientID), a.WorkerID, a.GridID, a.HeldAt, a.HeldOn, a.Title, a.Uniform, actor, now)
		if err != nil {
			return fmt.Errorf("duty: record activity: %w", err)
		}
		for _, sha := range photos {
			if _, err := tx.ExecContext(ctx, `INSERT INTO duty_activity_photos (activity_id, sha256) VALUES ($1, $2)`, a.ID, sha); err != nil {
				return fmt.Errorf("duty: record activity: %w", err)
			}
		}
		out = a
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_activity", EntityID: a.ID, After: a})
		return err
	})
	return out, err
}

// ReviewActivity records a reviewer's verdict on an activity; a later
// review replaces an earlier one. Errors: NotFound; Invalid when an
// invalid verdict gives no reason.
func (s *Store) ReviewActivity(ctx context.Context, actor, id string, in ActivityReview) (Activity, error) {
	return edit(ctx, s, actor, id, "duty_activity", getActivity, func(tx store.Tx, a *Activity) (string, error) {
		var p problems
		in.Note = strings.TrimSpace(in.Note)
		p.text("note", in.Note, MaxText, !in.Valid)
		if err := p.err("cannot review activity"); err != nil {
			return "", err
		}
		now := s.now()
		valid := in.Valid
		a.Valid, a.Uniform, a.ReviewNote, a.ReviewedBy, a.ReviewedAt = &valid, in.Uniform, in.Note, actor, &now
		if _, err := tx.ExecContext(ctx, `UPDATE duty_activities SET valid = $1, uniform = $2, review_note = $3, reviewed_by = $4, reviewed_at = $5 WHERE id = $6`,
			valid, in.Uniform, in.Note, actor, now, id); err != nil {
			return "", fmt.Errorf("duty: review activity: %w", err)
		}
		return "review", nil
	})
}

// Activities returns the activities of workers in scope held from from to
// to (both included; zero for no bound), by time.
func (s *Store) Activities(ctx context.Context, sc Scope, from, to dates.Date) ([]Activity, error) {
	var args store.Args
	prefix, cond := workerScope(&args, sc, "worker_id", s.today())
	cond = onDays(&args, cond, "held_on", from, to)
	q := s.db.Q(ctx)
	out, err := store.All(ctx, q, "duty activities", prefix+`SELECT `+activityColumns+` FROM duty_activities WHERE `+cond+` ORDER BY held_at, id`, args, scanActivity)
	if err != nil {
		return nil, err
	}
	return out, photosOf(ctx, q, out)
}
