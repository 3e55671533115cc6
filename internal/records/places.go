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

// PlaceKind is the kind of a unit, enterprise, facility or place.
type PlaceKind string

// The place kinds.
const (
	OrgUnitPlace PlaceKind = "unit"       // 单位 (offices, schools, hospitals)
	Enterprise   PlaceKind = "enterprise" // 企业, 个体工商户
	Facility     PlaceKind = "facility"   // 设施 (部件: hydrants, manholes, cameras)
	PublicPlace  PlaceKind = "place"      // 场所 (markets, internet cafés, hostels)
)

// Place is a unit, enterprise, facility or place in a grid.
type Place struct {
	ID           string    `json:"id"`
	GridID       string    `json:"grid_id"`
	Kind         PlaceKind `json:"kind" enum:"unit,enterprise,facility,place"`
	Name         string    `json:"name"`
	CreditCode   string    `json:"credit_code" doc:"统一社会信用代码, if any"`
	Address      string    `json:"address"`
	ContactName  string    `json:"contact_name"`
	ContactPhone string    `json:"contact_phone"`
	Lifecycle
}

// NewPlace describes a place to register.
type NewPlace struct {
	ClientID     string     `json:"client_id,omitempty"`
	GridID       string     `json:"grid_id"`
	Kind         PlaceKind  `json:"kind" enum:"unit,enterprise,facility,place"`
	Name         string     `json:"name"`
	CreditCode   string     `json:"credit_code,omitempty"`
	Address      string     `json:"address,omitempty"`
	ContactName  string     `json:"contact_name,omitempty"`
	ContactPhone string     `json:"contact_phone,omitempty"`
	BeganOn      dates.Date `json:"began_on"`
}

const placeColumns = `id, grid_id, kind, name, credit_code, address, contact_name, contact_phone, ` + lifecycleColumns

func scanPlace(row store.Row) (Place, error) {
	var p Place
	err := row.Scan(append([]any{&p.ID, &p.GridID, &p.Kind, &p.Name, &p.CreditCode, &p.Address, &p.ContactName, &p.ContactPhone}, p.Lifecycle.scanTargets()...)...)
	return p, err
}

// creditCodeShape is the 18-character unified social credit code (GB 32100);
// its check character is not verified here.
func validCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// CreatePlace registers a place. Errors: Invalid naming each bad field.
func (s *Store) CreatePlace(ctx context.Context, actor string, in NewPlace) (Place, error) {
	var out Place
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		if done, err := resent(ctx, tx, "places", in.ClientID, getPlace, &out); done {
			return err
		}
		in.Name = strings.TrimSpace(in.Name)
		in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
		var bad []apperr.FieldError
		if in.Name == "" {
			bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
		}
		switch in.Kind {
		case OrgUnitPlace, Enterprise, Facility, PublicPlace:
		default:
			bad = append(bad, apperr.FieldError{Field: "kind", Reason: fmt.Sprintf("%q is not unit, enterprise, facility or place", in.Kind)})
		}
		if in.CreditCode != "" && !validCreditCode(in.CreditCode) {
			bad = append(bad, apperr.FieldError{Field: "credit_code", Reason: "a unified social credit code has 18 digits and capital letters"})
		}
		bad = append(bad, checkPhone("contact_phone", in.ContactPhone)...)
		bad = append(bad, s.checkWorldDate("began_on", in.BeganOn)...)
		bad = append(bad, s.checkGrid(ctx, in.GridID, s.today())...)
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot register "+quote(in.Name), bad...)
		}
		now := s.now()
		p := Place{ID: store.NewID(), GridID: in.GridID, Kind: in.Kind, Name: in.Name, CreditCode: in.CreditCode, Address: strings.TrimSpace(in.Address),
			ContactName: strings.TrimSpace(in.ContactName), ContactPhone: in.ContactPhone,
			Lifecycle: registering(in.BeganOn, now, in.ClientID, actor)}
		_, err := tx.ExecContext(ctx, `INSERT INTO places (id, grid_id, kind, name, credit_code, address, contact_name, contact_phone, status,
			began_on, entered_at, version, client_id, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, 1, $11, $12, $13)`,
			p.ID, p.GridID, p.Kind, p.Name, p.CreditCode, p.Address, p.ContactName, p.ContactPhone, p.BeganOn, now, store.NullIfEmpty(p.ClientID), actor, now)
		if err != nil {
			return fmt.Errorf("records: register place: %w", err)
		}
		out = p
		return s.registered(ctx, tx, actor, "place", p.ID, p.GridID, p.BeganOn, now, p)
	})
	return out, err
}

func getPlace(ctx context.Context, q store.Queryer, id string) (Place, error) {
	return getRow(ctx, q, "places", "place", placeColumns, id, scanPlace)
}

// GetPlace returns a place. Errors: NotFound.
func (s *Store) GetPlace(ctx context.Context, id string) (Place, error) {
	return getPlace(ctx, s.db.Q(ctx), id)
}

// EndPlace records that a place closed. Errors: Invalid, NotFound, Conflict.
func (s *Store) EndPlace(ctx context.Context, actor, id string, e End) (Place, error) {
	return endAudited(ctx, s, actor, "places", "place", id, e, getPlace, nil)
}

// PlaceQuery filters a list of places.
type PlaceQuery struct {
	WithinID, GridID string
	Kind             PlaceKind
	Status           Status
	Limit, Offset    int
}

// ListPlaces returns places matching q, by name, and the total.
func (s *Store) ListPlaces(ctx context.Context, q PlaceQuery) ([]Place, int, error) {
	f := s.filter(q.WithinID)
	f.eq("grid_id", q.GridID)
	f.eq("kind", string(q.Kind))
	f.eq("status", string(q.Status))
	return list(ctx, s.db.Q(ctx), "places", f, "name, id", q.Limit, q.Offset, placeColumns, scanPlace)
}
