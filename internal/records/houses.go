package records

import (
	"context"
	"fmt"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Purpose is what a house is used for.
type Purpose string

// The purposes.
const (
	OwnUse   Purpose = "own"
	ForRent  Purpose = "rental"
	Vacant   Purpose = "vacant"
	Business Purpose = "business"
	OtherUse Purpose = "other"
)

// House is a dwelling (实有房屋): the household of the four-class method.
type House struct {
	ID         string  `json:"id"`
	GridID     string  `json:"grid_id"`
	Address    string  `json:"address"`
	Purpose    Purpose `json:"purpose" enum:"own,rental,vacant,business,other"`
	OwnerName  string  `json:"owner_name"`
	OwnerPhone string  `json:"owner_phone"`
	// Class is the household's four-class code (四类管理法), "" if not yet classed.
	Class string `json:"class"`
	Lifecycle
}

// NewHouse describes a house to register.
type NewHouse struct {
	ClientID   string     `json:"client_id,omitempty"`
	GridID     string     `json:"grid_id"`
	Address    string     `json:"address"`
	Purpose    Purpose    `json:"purpose" enum:"own,rental,vacant,business,other"`
	OwnerName  string     `json:"owner_name,omitempty"`
	OwnerPhone string     `json:"owner_phone,omitempty"`
	Class      string     `json:"class,omitempty"`
	BeganOn    dates.Date `json:"began_on"`
}

const houseColumns = `id, grid_id, address, purpose, owner_name, owner_phone, COALESCE(household_class, ''), ` + lifecycleColumns

func scanHouse(row store.Row) (House, error) {
	var h House
	err := row.Scan(append([]any{&h.ID, &h.GridID, &h.Address, &h.Purpose, &h.OwnerName, &h.OwnerPhone, &h.Class}, h.Lifecycle.scanTargets()...)...)
	return h, err
}

func validPurpose(p Purpose) bool {
	switch p {
	case OwnUse, ForRent, Vacant, Business, OtherUse:
		return true
	}
	return false
}

func checkClass(ctx context.Context, q store.Queryer, code string) []apperr.FieldError {
	if code == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM household_classes WHERE code = $1`, code).Scan(&n); err != nil || n == 0 {
		return []apperr.FieldError{{Field: "class", Reason: fmt.Sprintf("%q is not a configured household class", code)}}
	}
	return nil
}

// CreateHouse registers a house. Errors: Invalid naming each bad field.
func (s *Store) CreateHouse(ctx context.Context, actor string, in NewHouse) (House, error) {
	var out House
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		if done, err := resent(ctx, tx, "houses", in.ClientID, getHouse, &out); done {
			return err
		}
		in.Address = strings.TrimSpace(in.Address)
		var bad []apperr.FieldError
		if in.Address == "" {
			bad = append(bad, apperr.FieldError{Field: "address", Reason: "is required"})
		}
		if !validPurpose(in.Purpose) {
			bad = append(bad, apperr.FieldError{Field: "purpose", Reason: fmt.Sprintf("%q is not own, rental, vacant, business or other", in.Purpose)})
		}
		bad = append(bad, checkPhone("owner_phone", in.OwnerPhone)...)
		bad = append(bad, checkClass(ctx, tx, in.Class)...)
		bad = append(bad, s.checkWorldDate("began_on", in.BeganOn)...)
		bad = append(bad, s.checkGrid(ctx, in.GridID, s.today())...)
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot register house "+quote(in.Address), bad...)
		}
		now := s.now()
		h := House{ID: store.NewID(), GridID: in.GridID, Address: in.Address, Purpose: in.Purpose, OwnerName: strings.TrimSpace(in.OwnerName),
			OwnerPhone: in.OwnerPhone, Class: in.Class,
			Lifecycle: registering(in.BeganOn, now, in.ClientID, actor)}
		_, err := tx.ExecContext(ctx, `INSERT INTO houses (id, grid_id, address, purpose, owner_name, owner_phone, household_class, status,
			began_on, entered_at, version, client_id, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, 1, $10, $11, $12)`,
			h.ID, h.GridID, h.Address, h.Purpose, h.OwnerName, h.OwnerPhone, store.NullIfEmpty(h.Class), h.BeganOn, now, store.NullIfEmpty(h.ClientID), actor, now)
		if err != nil {
			return fmt.Errorf("records: register house: %w", err)
		}
		out = h
		return s.registered(ctx, tx, actor, "house", h.ID, h.GridID, h.BeganOn, now, h)
	})
	return out, err
}

func getHouse(ctx context.Context, q store.Queryer, id string) (House, error) {
	return getRow(ctx, q, "houses", "house", houseColumns, id, scanHouse)
}

// GetHouse returns a house. Errors: NotFound.
func (s *Store) GetHouse(ctx context.Context, id string) (House, error) {
	return getHouse(ctx, s.db.Q(ctx), id)
}

// checkHouseInGrid refuses a house that is not a living house of grid.
func checkHouseInGrid(ctx context.Context, q store.Queryer, houseID, gridID string) error {
	h, err := getHouse(ctx, q, houseID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.Field("house_id", "no house "+houseID)
	}
	if err != nil {
		return err
	}
	if h.GridID != gridID {
		return apperr.Field("house_id", fmt.Sprintf("house %s lies in grid %s, not %s", houseID, h.GridID, gridID))
	}
	if h.Status != Active {
		return apperr.Field("house_id", fmt.Sprintf("house %s has ended", houseID))
	}
	return nil
}

// HousePatch changes some of a house's fields.
type HousePatch struct {
	Version    int        `json:"version"`
	HappenedOn dates.Date `json:"happened_on,omitempty"`
	Address    *string    `json:"address,omitempty"`
	Purpose    *Purpose   `json:"purpose,omitempty" enum:"own,rental,vacant,business,other"`
	OwnerName  *string    `json:"owner_name,omitempty"`
	OwnerPhone *string    `json:"owner_phone,omitempty"`
	Class      *string    `json:"class,omitempty" doc:"four-class code; empty to unclass"`
}

// UpdateHouse applies p. Errors: Invalid, NotFound, Conflict.
func (s *Store) UpdateHouse(ctx context.Context, actor, id string, p HousePatch) (House, error) {
	var out House
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		cur, err := getHouse(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status != Active {
			return apperr.New(apperr.Conflict, "house %s has ended", id)
		}
		if p.HappenedOn.IsZero() {
			p.HappenedOn = s.today()
		}
		next := cur
		var fields []string
		bad := s.checkWorldDate("happened_on", p.HappenedOn)
		if p.Address != nil {
			next.Address = strings.TrimSpace(*p.Address)
			if next.Address == "" {
				bad = append(bad, apperr.FieldError{Field: "address", Reason: "cannot be empty"})
			}
			fields = append(fields, "address")
		}
		if p.Purpose != nil {
			next.Purpose = *p.Purpose
			if !validPurpose(next.Purpose) {
				bad = append(bad, apperr.FieldError{Field: "purpose", Reason: fmt.Sprintf("%q is not own, rental, vacant, business or other", next.Purpose)})
			}
			fields = append(fields, "purpose")
		}
		if p.OwnerName != nil {
			next.OwnerName = strings.TrimSpace(*p.OwnerName)
			fields = append(fields, "owner_name")
		}
		if p.OwnerPhone != nil {
			next.OwnerPhone = strings.TrimSpace(*p.OwnerPhone)
			bad = append(bad, checkPhone("owner_phone", next.OwnerPhone)...)
			fields = append(fields, "owner_phone")
		}
		if p.Class != nil {
			next.Class = *p.Class
			bad = append(bad, checkClass(ctx, tx, next.Class)...)
			fields = append(fields, "class")
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot change house "+id, bad...)
		}
		if len(fields) == 0 {
			return apperr.New(apperr.Invalid, "nothing to change")
		}
		var args store.Args
		set := fmt.Sprintf(`address = %s, purpose = %s, owner_name = %s, owner_phone = %s, household_class = %s`,
			args.Add(next.Address), args.Add(next.Purpose), args.Add(next.OwnerName), args.Add(next.OwnerPhone), args.Add(store.NullIfEmpty(next.Class)))
		if err := bumpVersion(ctx, tx, s.now(), "houses", "house", id, p.Version, set, args); err != nil {
			return err
		}
		if err := logChange(ctx, tx, "house", id, cur.GridID, "update", p.HappenedOn, s.now(), actor, fields); err != nil {
			return err
		}
		out, err = getHouse(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "update", Entity: "house", EntityID: id, Before: cur, After: out})
		return err
	})
	return out, err
}

// EndHouse records that a house was demolished, merged or entered in
// error. Errors: Invalid, NotFound, Conflict (also while people or a rental
// still live there).
func (s *Store) EndHouse(ctx context.Context, actor, id string, e End) (House, error) {
	return endAudited(ctx, s, actor, "houses", "house", id, e, getHouse, func(tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM people WHERE house_id = $1 AND status = 'active')
			+ (SELECT COUNT(*) FROM rentals WHERE house_id = $1 AND status = 'active')`, id).Scan(&n); err != nil {
			return fmt.Errorf("records: end house: %w", err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "house %s still has %d living people or rentals; end or move them first", id, n)
		}
		return nil
	})
}

// HouseQuery filters a list of houses.
type HouseQuery struct {
	WithinID, GridID, Class string
	Purpose                 Purpose
	Status                  Status
	Limit, Offset           int
}

// ListHouses returns houses matching q, by address, and the total.
func (s *Store) ListHouses(ctx context.Context, q HouseQuery) ([]House, int, error) {
	f := s.filter(q.WithinID)
	f.eq("grid_id", q.GridID)
	f.eq("household_class", q.Class)
	f.eq("purpose", string(q.Purpose))
	f.eq("status", string(q.Status))
	return list(ctx, s.db.Q(ctx), "houses", f, "address, id", q.Limit, q.Offset, houseColumns, scanHouse)
}
