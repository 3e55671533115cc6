package events

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/store"
	"gridwork/internal/workcal"
)

// Stage is a timed part of an event's life, each with its own limit.
type Stage string

// The stages. Each runs from its start to the step that ends it:
//
//	accept   reported_at   → accepted_at
//	dispatch accepted_at   → dispatched_at
//	handle   dispatched_at → handled_at
//	verify   handled_at    → verified_at
//	close    reported_at   → closed_at (the whole event)
const (
	StageAccept   Stage = "accept"
	StageDispatch Stage = "dispatch"
	StageHandle   Stage = "handle"
	StageVerify   Stage = "verify"
	StageClose    Stage = "close"
)

// Stages lists the stages in order.
var Stages = []Stage{StageAccept, StageDispatch, StageHandle, StageVerify, StageClose}

// DefaultLimits are the limits of a stage a category does not set. Accept
// and close are seed 003's (受理 within 2 working days, 办结 within 7); the
// steps between share the 7 days so that a case moving at the default
// pace closes in time.
var DefaultLimits = map[Stage]workcal.Limit{
	StageAccept:   {N: 2, Unit: workcal.Workdays},
	StageDispatch: {N: 1, Unit: workcal.Workdays},
	StageHandle:   {N: 3, Unit: workcal.Workdays},
	StageVerify:   {N: 1, Unit: workcal.Workdays},
	StageClose:    {N: 7, Unit: workcal.Workdays},
}

// Line is the line of work a category belongs to.
type Line string

// The lines.
const (
	CityPart   Line = "city_part"  // 数字城管 部件: street furniture, manholes, lights
	CityEvent  Line = "city_event" // 数字城管 事件: garbage, parking, illegal building
	Governance Line = "governance" // 综治: disputes, hazards, livelihood, public security
)

// Category is one node of the category tree (大类 with no parent, 小类
// under one).
type Category struct {
	Code       string `json:"code" required:"false" doc:"lower-case letters, digits and _, starting with a letter; at most 40"`
	ParentCode string `json:"parent_code,omitempty" doc:"the 大类 of a 小类; empty for a 大类"`
	Name       string `json:"name"`
	Line       Line   `json:"line" enum:"city_part,city_event,governance"`
	// Mediation marks dispute and mediation categories: their reports count
	// in events.mediation (seed 003 item 6).
	Mediation bool `json:"mediation" required:"false"`
	// Public categories are offered to residents over Open311 and their
	// events listed there; disputes and public-security matters are not.
	Public bool `json:"public" required:"false"`
	// Limits override DefaultLimits per stage, e.g. {"accept":"4hours"}.
	Limits map[Stage]workcal.Limit `json:"limits,omitempty"`
	// PhotoRequired: a report without a photo is badly described.
	PhotoRequired bool `json:"photo_required" required:"false"`
	// MinDescription is the shortest clear description, in characters.
	MinDescription int `json:"min_description" required:"false"`
	// HandlePhotoRequired: handling must attach a photo of the result.
	HandlePhotoRequired bool `json:"handle_photo_required" required:"false"`
	// DupRadiusM and DupAgeHours bound the duplicate check: an earlier
	// event of the same category within this many metres and hours is a
	// near match.
	DupRadiusM  int  `json:"dup_radius_m" required:"false"`
	DupAgeHours int  `json:"dup_age_hours" required:"false"`
	Active      bool `json:"active" required:"false"`
	Sort        int  `json:"sort" required:"false"`
}

// Limit returns the category's limit for stage st.
func (c Category) Limit(st Stage) workcal.Limit {
	if l, ok := c.Limits[st]; ok && l.Valid() {
		return l
	}
	return DefaultLimits[st]
}

// AllLimits returns the limit of every stage, defaults included.
func (c Category) AllLimits() map[Stage]workcal.Limit {
	out := make(map[Stage]workcal.Limit, len(Stages))
	for _, st := range Stages {
		out[st] = c.Limit(st)
	}
	return out
}

var categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

const categoryColumns = `code, COALESCE(parent_code, ''), name, line, mediation, public, limits, photo_required, min_description,
	handle_photo_required, dup_radius_m, dup_age_hours, active, sort`

func scanCategory(row store.Row) (Category, error) {
	var c Category
	var limits string
	if err := row.Scan(&c.Code, &c.ParentCode, &c.Name, &c.Line, &c.Mediation, &c.Public, &limits, &c.PhotoRequired, &c.MinDescription,
		&c.HandlePhotoRequired, &c.DupRadiusM, &c.DupAgeHours, &c.Active, &c.Sort); err != nil {
		return Category{}, err
	}
	if err := json.Unmarshal([]byte(limits), &c.Limits); err != nil {
		return Category{}, fmt.Errorf("stored limits %q of %s: %w", limits, c.Code, err)
	}
	return c, nil
}

// Categories returns the category tree as a list: each 大类 followed by its
// 小类, in sort order.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	cs, err := store.All(ctx, s.db.Q(ctx), "event categories", `SELECT `+categoryColumns+` FROM event_categories ORDER BY sort, code`, nil, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return cs, nil
}

func categoriesByCode(ctx context.Context, q store.Queryer) (map[string]Category, error) {
	cs, err := store.All(ctx, q, "event categories", `SELECT `+categoryColumns+` FROM event_categories`, nil, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	out := make(map[string]Category, len(cs))
	for _, c := range cs {
		out[c.Code] = c
	}
	return out, nil
}

func getCategory(ctx context.Context, q store.Queryer, code string) (*Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM event_categories WHERE code = $1`, code))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("events: category %s: %w", code, err)
	}
	return &c, nil
}

// Category returns one category. Errors: NotFound.
func (s *Store) Category(ctx context.Context, code string) (Category, error) {
	c, err := getCategory(ctx, s.db.Q(ctx), code)
	if err != nil {
		return Category{}, err
	}
	if c == nil {
		return Category{}, apperr.New(apperr.NotFound, "no event category %q", code)
	}
	return *c, nil
}

// validate normalises c and lists its faults.
func (c *Category) validate() []apperr.FieldError {
	c.Name = strings.TrimSpace(c.Name)
	var bad []apperr.FieldError
	if !categoryCode.MatchString(c.Code) {
		bad = append(bad, apperr.FieldError{Field: "code", Reason: fmt.Sprintf("%q must be 1 to 40 lower-case letters, digits and _, starting with a letter", c.Code)})
	}
	if c.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
	}
	bad = append(bad, checkText("name", c.Name, 100)...)
	switch c.Line {
	case CityPart, CityEvent, Governance:
	default:
		bad = append(bad, apperr.FieldError{Field: "line", Reason: fmt.Sprintf("%q is not city_part (部件), city_event (事件) or governance (综治)", c.Line)})
	}
	for st, l := range c.Limits {
		if !slices.Contains(Stages, st) {
			bad = append(bad, apperr.FieldError{Field: "limits", Reason: fmt.Sprintf("%q is not a stage (accept, dispatch, handle, verify, close)", st)})
		} else if !l.Valid() {
			bad = append(bad, apperr.FieldError{Field: "limits." + string(st), Reason: "is not a limit such as 2workdays, 7days or 4hours"})
		}
	}
	if c.MinDescription < 0 || c.MinDescription > 1000 {
		bad = append(bad, apperr.FieldError{Field: "min_description", Reason: fmt.Sprintf("%d is not from 0 to 1000", c.MinDescription)})
	}
	if c.DupRadiusM == 0 {
		c.DupRadiusM = 50
	}
	if c.DupAgeHours == 0 {
		c.DupAgeHours = 72
	}
	if c.DupRadiusM < 1 || c.DupRadiusM > 10_000 {
		bad = append(bad, apperr.FieldError{Field: "dup_radius_m", Reason: fmt.Sprintf("%d is not from 1 to 10000 metres", c.DupRadiusM)})
	}
	if c.DupAgeHours < 1 || c.DupAgeHours > 24*366 {
		bad = append(bad, apperr.FieldError{Field: "dup_age_hours", Reason: fmt.Sprintf("%d is not from 1 to 8784 hours", c.DupAgeHours)})
	}
	return bad
}

// SetCategory creates the category c.Code or replaces its settings. A 小类
// names an existing 大类 (itself without a parent) of the same line. New
// limits apply to the clocks of every event of the category, running or
// past, from then on; cards already issued stay. Errors: Invalid naming
// each bad field.
func (s *Store) SetCategory(ctx context.Context, actor string, c Category) (Category, error) {
	bad := c.validate()
	limits, err := json.Marshal(c.Limits) // map keys sorted: the text is stable
	if err != nil {
		return Category{}, fmt.Errorf("events: set category: %w", err)
	}
	if c.Limits == nil {
		limits = []byte("{}")
	}
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		if c.ParentCode != "" {
			p, err := getCategory(ctx, tx, c.ParentCode)
			if err != nil {
				return err
			}
			switch {
			case p == nil:
				bad = append(bad, apperr.FieldError{Field: "parent_code", Reason: fmt.Sprintf("no category %q", c.ParentCode)})
			case p.ParentCode != "":
				bad = append(bad, apperr.FieldError{Field: "parent_code", Reason: fmt.Sprintf("%q is itself a 小类; the tree has two levels", c.ParentCode)})
			case p.Code == c.Code:
				bad = append(bad, apperr.FieldError{Field: "parent_code", Reason: "a category cannot be its own parent"})
			case p.Line != c.Line:
				bad = append(bad, apperr.FieldError{Field: "line", Reason: fmt.Sprintf("must be the parent's line, %s", p.Line)})
			}
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot set event category "+c.Code, bad...)
		}
		before, err := getCategory(ctx, tx, c.Code)
		if err != nil {
			return err
		}
		if before != nil && before.ParentCode == "" && c.ParentCode != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_categories WHERE parent_code = $1`, c.Code).Scan(&n); err != nil {
				return fmt.Errorf("events: set category: %w", err)
			}
			if n > 0 {
				return apperr.InvalidFields("cannot set event category "+c.Code,
					apperr.FieldError{Field: "parent_code", Reason: fmt.Sprintf("%s has %d 小类 of its own", c.Code, n)})
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO event_categories (code, parent_code, name, line, mediation, public, limits, photo_required,
			min_description, handle_photo_required, dup_radius_m, dup_age_hours, active, sort)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, name = excluded.name, line = excluded.line,
				mediation = excluded.mediation, public = excluded.public, limits = excluded.limits, photo_required = excluded.photo_required,
				min_description = excluded.min_description, handle_photo_required = excluded.handle_photo_required,
				dup_radius_m = excluded.dup_radius_m, dup_age_hours = excluded.dup_age_hours, active = excluded.active, sort = excluded.sort`,
			c.Code, store.NullIfEmpty(c.ParentCode), c.Name, c.Line, c.Mediation, c.Public, string(limits), c.PhotoRequired, c.MinDescription,
			c.HandlePhotoRequired, c.DupRadiusM, c.DupAgeHours, c.Active, c.Sort)
		if err != nil {
			return fmt.Errorf("events: set category %s: %w", c.Code, err)
		}
		action := "create"
		var b any
		if before != nil {
			action, b = "update", *before
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Entity: "event_category", EntityID: c.Code, Before: b, After: c})
		return err
	})
	if err != nil {
		return Category{}, err
	}
	return c, nil
}

// DeleteCategory removes a category that no event and no 小类 uses;
// otherwise deactivate it (Active false). Errors: NotFound; Conflict when
// it is in use.
func (s *Store) DeleteCategory(ctx context.Context, actor, code string) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		c, err := getCategory(ctx, tx, code)
		if err != nil {
			return err
		}
		if c == nil {
			return apperr.New(apperr.NotFound, "no event category %q", code)
		}
		var events, children int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events WHERE category_code = $1), (SELECT COUNT(*) FROM event_categories WHERE parent_code = $1)`,
			code).Scan(&events, &children); err != nil {
			return fmt.Errorf("events: delete category: %w", err)
		}
		if events > 0 || children > 0 {
			return apperr.New(apperr.Conflict, "event category %s has %d events and %d 小类; deactivate it instead", code, events, children)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_categories WHERE code = $1`, code); err != nil {
			return fmt.Errorf("events: delete category: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "delete", Entity: "event_category", EntityID: code, Before: *c})
		return err
	})
}
