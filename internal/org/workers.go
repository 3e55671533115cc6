package org

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// phoneShape accepts a mainland mobile number or a landline with area code.
var phoneShape = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

// ValidPhone reports whether s is an 11-digit mainland mobile number or a
// landline with its area code, the phone numbers gridwork records.
func ValidPhone(s string) bool { return phoneShape.MatchString(s) }

// NewWorker describes a worker to add to the staff list.
type NewWorker struct {
	Name        string     `json:"name"`
	Employment  Employment `json:"employment"`
	Post        Post       `json:"post"`
	Phone       string     `json:"phone"`
	InPostSince dates.Date `json:"in_post_since"`
	HomeUnitID  string     `json:"home_unit_id"`
}

func (w *NewWorker) validate() []apperr.FieldError {
	var bad []apperr.FieldError
	w.Name = strings.TrimSpace(w.Name)
	w.Phone = strings.TrimSpace(w.Phone)
	if w.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
	}
	switch w.Employment {
	case FullTime, PartTime:
	default:
		bad = append(bad, apperr.FieldError{Field: "employment", Reason: fmt.Sprintf("%q is not full_time (专职) or part_time (兼职)", w.Employment)})
	}
	switch w.Post {
	case GridWorker, GridLeader, AreaLeader, Inspector, CentreStaff:
	default:
		bad = append(bad, apperr.FieldError{Field: "post", Reason: fmt.Sprintf("%q is not one of grid_worker, grid_leader, area_leader, inspector, centre_staff", w.Post)})
	}
	if !phoneShape.MatchString(w.Phone) {
		bad = append(bad, apperr.FieldError{Field: "phone", Reason: fmt.Sprintf("%q is not an 11-digit mobile number or a landline with area code", w.Phone)})
	}
	if w.InPostSince.IsZero() {
		bad = append(bad, apperr.FieldError{Field: "in_post_since", Reason: "is required (seed 001 assesses only workers in post ≥ 6 months)"})
	}
	if w.HomeUnitID == "" {
		bad = append(bad, apperr.FieldError{Field: "home_unit_id", Reason: "is required: the community or street the worker belongs to"})
	}
	return bad
}

const workerColumns = `id, name, employment, post, phone, in_post_since, left_post_on, home_unit_id, created_at, updated_at`

func scanWorker(row store.Row) (Worker, error) {
	var w Worker
	err := row.Scan(&w.ID, &w.Name, &w.Employment, &w.Post, &w.Phone, &w.InPostSince, &w.LeftPostOn, &w.HomeUnitID, &w.CreatedAt, &w.UpdatedAt)
	return w, err
}

// CreateWorker adds a worker. Errors: Invalid naming each bad field.
func (s *Store) CreateWorker(ctx context.Context, actor string, in NewWorker) (Worker, error) {
	var out Worker
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		w, err := s.createWorker(ctx, tx, actor, in)
		out = w
		return err
	})
	return out, err
}

func (s *Store) createWorker(ctx context.Context, tx store.Tx, actor string, in NewWorker) (Worker, error) {
	if bad := in.validate(); len(bad) > 0 {
		return Worker{}, apperr.InvalidFields("cannot add worker "+quoteName(in.Name), bad...)
	}
	// The worker may have joined before the unit was drawn (a redrawn
	// community); the unit must be in force today or on the joining date.
	if _, err := getUnit(ctx, tx, in.HomeUnitID, dates.Today()); err != nil {
		if _, err2 := getUnit(ctx, tx, in.HomeUnitID, in.InPostSince); err2 != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return Worker{}, apperr.Field("home_unit_id", fmt.Sprintf("no unit %s in force today or on %s", in.HomeUnitID, in.InPostSince))
			}
			return Worker{}, err
		}
	}
	now := store.Now()
	w := Worker{ID: store.NewID(), Name: in.Name, Employment: in.Employment, Post: in.Post,
		Phone: in.Phone, InPostSince: in.InPostSince, HomeUnitID: in.HomeUnitID, CreatedAt: now, UpdatedAt: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO workers (`+workerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		w.ID, w.Name, w.Employment, w.Post, w.Phone, w.InPostSince, w.LeftPostOn, w.HomeUnitID, w.CreatedAt, w.UpdatedAt)
	if err != nil {
		return Worker{}, fmt.Errorf("org: create worker: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "worker", EntityID: w.ID, After: w})
	return w, err
}

// WorkerPatch changes some of a worker's fields; nil fields stay.
type WorkerPatch struct {
	Name        *string     `json:"name,omitempty"`
	Employment  *Employment `json:"employment,omitempty"`
	Post        *Post       `json:"post,omitempty"`
	Phone       *string     `json:"phone,omitempty"`
	InPostSince *dates.Date `json:"in_post_since,omitempty"`
	LeftPostOn  *dates.Date `json:"left_post_on,omitempty"`
	HomeUnitID  *string     `json:"home_unit_id,omitempty"`
}

// UpdateWorker applies p. A worker who leaves their post (LeftPostOn) has
// their open assignments ended that day. Errors: Invalid, NotFound.
func (s *Store) UpdateWorker(ctx context.Context, actor, id string, p WorkerPatch) (Worker, error) {
	var out Worker
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getWorker(ctx, tx, id)
		if err != nil {
			return err
		}
		in := NewWorker{Name: cur.Name, Employment: cur.Employment, Post: cur.Post, Phone: cur.Phone, InPostSince: cur.InPostSince, HomeUnitID: cur.HomeUnitID}
		set(&in.Name, p.Name)
		set(&in.Employment, p.Employment)
		set(&in.Post, p.Post)
		set(&in.Phone, p.Phone)
		set(&in.InPostSince, p.InPostSince)
		set(&in.HomeUnitID, p.HomeUnitID)
		bad := in.validate()
		left := cur.LeftPostOn
		set(&left, p.LeftPostOn)
		if !left.IsZero() && left.Before(in.InPostSince) {
			bad = append(bad, apperr.FieldError{Field: "left_post_on", Reason: fmt.Sprintf("%s is before in_post_since %s", left, in.InPostSince)})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot update worker "+quoteName(cur.Name), bad...)
		}
		if p.HomeUnitID != nil {
			if _, err := getUnit(ctx, tx, in.HomeUnitID, dates.Today()); err != nil {
				return apperr.Field("home_unit_id", err.Error())
			}
		}
		next := cur
		next.Name, next.Employment, next.Post, next.Phone = in.Name, in.Employment, in.Post, in.Phone
		next.InPostSince, next.HomeUnitID, next.LeftPostOn, next.UpdatedAt = in.InPostSince, in.HomeUnitID, left, store.Now()
		_, err = tx.ExecContext(ctx, `UPDATE workers SET name = $1, employment = $2, post = $3, phone = $4, in_post_since = $5,
			left_post_on = $6, home_unit_id = $7, updated_at = $8 WHERE id = $9`,
			next.Name, next.Employment, next.Post, next.Phone, next.InPostSince, next.LeftPostOn, next.HomeUnitID, next.UpdatedAt, id)
		if err != nil {
			return fmt.Errorf("org: update worker %s: %w", id, err)
		}
		if !left.IsZero() && cur.LeftPostOn != left {
			if err := endAssignmentsOfWorker(ctx, tx, actor, id, left); err != nil {
				return err
			}
		}
		out = next
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "update", Entity: "worker", EntityID: id, Before: cur, After: next})
		return err
	})
	return out, err
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func getWorker(ctx context.Context, q store.Queryer, id string) (Worker, error) {
	w, err := scanWorker(q.QueryRowContext(ctx, `SELECT `+workerColumns+` FROM workers WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return Worker{}, apperr.New(apperr.NotFound, "no worker %s", id)
	}
	if err != nil {
		return Worker{}, fmt.Errorf("org: get worker %s: %w", id, err)
	}
	return w, nil
}

// GetWorker returns worker id. Errors: NotFound.
func (s *Store) GetWorker(ctx context.Context, id string) (Worker, error) {
	return getWorker(ctx, s.db.Q(ctx), id)
}

// WorkerQuery filters ListWorkers.
type WorkerQuery struct {
	// WithinID keeps workers whose home unit lies in this subtree on On.
	WithinID string
	On       dates.Date
	Post     Post // optional
	// InPostOnly keeps workers in post on On (joined, not left).
	InPostOnly bool
	// Name keeps workers whose name contains it (the console's search).
	Name          string
	Limit, Offset int
}

// ListWorkers returns workers matching q ordered by name, and the total
// before paging.
func (s *Store) ListWorkers(ctx context.Context, q WorkerQuery) ([]Worker, int, error) {
	var args store.Args
	prefix := ""
	where := []string{"1 = 1"}
	if q.WithinID != "" {
		prefix = SubtreeCTE(&args, q.WithinID, q.On)
		where = append(where, "w.home_unit_id IN (SELECT id FROM sub)")
	}
	if q.Post != "" {
		where = append(where, "w.post = "+args.Add(q.Post))
	}
	if q.InPostOnly {
		on := args.Add(q.On)
		where = append(where, "w.in_post_since <= "+on+" AND (w.left_post_on IS NULL OR w.left_post_on > "+on+")")
	}
	if n := strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(q.Name)); n != "" {
		where = append(where, "w.name LIKE "+args.Add("%"+n+"%"))
	}
	from := ` FROM workers w WHERE ` + strings.Join(where, " AND ")
	return store.List(ctx, s.db.Q(ctx), "workers", store.ListQuery{Prefix: prefix, Cols: "w." + strings.ReplaceAll(workerColumns, ", ", ", w."),
		From: from, Order: "w.name, w.id", Limit: q.Limit, Offset: q.Offset}, args, scanWorker)
}
