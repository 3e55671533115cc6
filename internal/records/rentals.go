package records

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// Rental is a rented house (出租房屋) with its landlord, lease and QR code.
type Rental struct {
	ID            string     `json:"id"`
	HouseID       string     `json:"house_id"`
	GridID        string     `json:"grid_id"`
	Code          string     `json:"code" doc:"short code printed under the QR, e.g. R-3F2A9CKD"`
	QRToken       string     `json:"qr_token" doc:"what the QR code opens: /r/{qr_token}"`
	LandlordName  string     `json:"landlord_name"`
	LandlordPhone string     `json:"landlord_phone"`
	LeaseFrom     dates.Date `json:"lease_from"`
	LeaseTo       dates.Date `json:"lease_to"`
	QRPostedOn    dates.Date `json:"qr_posted_on" doc:"when the QR code was posted at the door; null if not posted"`
	Lifecycle
}

// NewRental describes a rental to register on a house.
type NewRental struct {
	ClientID      string     `json:"client_id,omitempty"`
	HouseID       string     `json:"house_id"`
	LandlordName  string     `json:"landlord_name"`
	LandlordPhone string     `json:"landlord_phone,omitempty"`
	LeaseFrom     dates.Date `json:"lease_from,omitempty"`
	LeaseTo       dates.Date `json:"lease_to,omitempty"`
	BeganOn       dates.Date `json:"began_on"`
}

const rentalColumns = `id, house_id, grid_id, code, qr_token, landlord_name, landlord_phone, lease_from, lease_to, qr_posted_on, ` + lifecycleColumns

func scanRental(row store.Row) (Rental, error) {
	var r Rental
	err := row.Scan(append([]any{&r.ID, &r.HouseID, &r.GridID, &r.Code, &r.QRToken, &r.LandlordName, &r.LandlordPhone, &r.LeaseFrom, &r.LeaseTo, &r.QRPostedOn},
		r.Lifecycle.scanTargets()...)...)
	return r, err
}

var codeAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return codeAlphabet.EncodeToString(b)
}

// CreateRental registers a rental on a living house and marks the house as
// rented. Errors: Invalid; Conflict if the house already has a living rental.
func (s *Store) CreateRental(ctx context.Context, actor string, in NewRental) (Rental, error) {
	var out Rental
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if id, err := store.ByClientID(ctx, tx, "rentals", in.ClientID); err != nil || id != "" {
			if err == nil {
				out, err = getRental(ctx, tx, id)
			}
			return err
		}
		in.LandlordName = strings.TrimSpace(in.LandlordName)
		var bad []apperr.FieldError
		if in.LandlordName == "" {
			bad = append(bad, apperr.FieldError{Field: "landlord_name", Reason: "is required"})
		}
		bad = append(bad, checkPhone("landlord_phone", in.LandlordPhone)...)
		bad = append(bad, s.checkWorldDate("began_on", in.BeganOn)...)
		if !in.LeaseFrom.IsZero() && !in.LeaseTo.IsZero() && !in.LeaseTo.After(in.LeaseFrom) {
			bad = append(bad, apperr.FieldError{Field: "lease_to", Reason: fmt.Sprintf("%s is not after lease_from %s", in.LeaseTo, in.LeaseFrom)})
		}
		h, err := getHouse(ctx, tx, in.HouseID)
		if err != nil {
			bad = append(bad, apperr.FieldError{Field: "house_id", Reason: "no house " + in.HouseID})
		} else if h.Status != Active {
			bad = append(bad, apperr.FieldError{Field: "house_id", Reason: "house " + in.HouseID + " has ended"})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot register rental", bad...)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rentals WHERE house_id = $1 AND status = 'active'`, h.ID).Scan(&n); err != nil {
			return fmt.Errorf("records: register rental: %w", err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "house %s already has a living rental; end it first", h.ID)
		}
		now := s.now()
		r := Rental{ID: store.NewID(), HouseID: h.ID, GridID: h.GridID, Code: "R-" + randomText(5), QRToken: strings.ToLower(randomText(15)),
			LandlordName: in.LandlordName, LandlordPhone: in.LandlordPhone, LeaseFrom: in.LeaseFrom, LeaseTo: in.LeaseTo,
			Lifecycle: Lifecycle{Status: Active, BeganOn: in.BeganOn, EnteredAt: now, Version: 1, ClientID: in.ClientID, CreatedBy: actor, UpdatedAt: now}}
		_, err = tx.ExecContext(ctx, `INSERT INTO rentals (id, house_id, grid_id, code, qr_token, landlord_name, landlord_phone, lease_from, lease_to,
			status, began_on, entered_at, version, client_id, created_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, 1, $12, $13, $14)`,
			r.ID, r.HouseID, r.GridID, r.Code, r.QRToken, r.LandlordName, r.LandlordPhone, r.LeaseFrom, r.LeaseTo, r.BeganOn, now, store.NullIfEmpty(r.ClientID), actor, now)
		if err != nil {
			return fmt.Errorf("records: register rental: %w", err)
		}
		if h.Purpose != ForRent {
			if _, err := tx.ExecContext(ctx, `UPDATE houses SET purpose = 'rental', version = version + 1, updated_at = $1 WHERE id = $2`, now, h.ID); err != nil {
				return fmt.Errorf("records: mark house rented: %w", err)
			}
		}
		out = r
		return s.registered(ctx, tx, actor, "rental", r.ID, r.GridID, r.BeganOn, now, r)
	})
	return out, err
}

func getRental(ctx context.Context, q store.Queryer, id string) (Rental, error) {
	return getRow(ctx, q, "rentals", "rental", rentalColumns, id, scanRental)
}

// GetRental returns a rental. Errors: NotFound.
func (s *Store) GetRental(ctx context.Context, id string) (Rental, error) {
	return getRental(ctx, s.db.Q(ctx), id)
}

// RentalByToken returns the rental a QR code opens. Errors: NotFound.
func (s *Store) RentalByToken(ctx context.Context, token string) (Rental, error) {
	r, err := scanRental(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+rentalColumns+` FROM rentals WHERE qr_token = $1`, token))
	if store.IsNoRows(err) {
		return Rental{}, apperr.New(apperr.NotFound, "no rental for this QR code")
	}
	if err != nil {
		return Rental{}, fmt.Errorf("records: rental by token: %w", err)
	}
	return r, nil
}

// MarkQRPosted records the day a rental's QR code was posted at the door.
// Errors: Invalid, NotFound, Conflict.
func (s *Store) MarkQRPosted(ctx context.Context, actor, id string, on dates.Date, version int) (Rental, error) {
	var out Rental
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if bad := s.checkWorldDate("on", on); len(bad) > 0 {
			return apperr.InvalidFields("cannot mark QR code posted", bad...)
		}
		var args store.Args
		if err := bumpVersion(ctx, tx, s.now(), "rentals", "rental", id, version, "qr_posted_on = "+args.Add(on), args); err != nil {
			return err
		}
		var err error
		out, err = getRental(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := logChange(ctx, tx, "rental", id, out.GridID, "update", on, s.now(), actor, []string{"qr_posted_on"}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "qr_posted", Entity: "rental", EntityID: id, After: map[string]string{"on": on.String()}})
		return err
	})
	return out, err
}

// EndRental records the end of a rental and of its tenancies. Errors:
// Invalid, NotFound, Conflict.
func (s *Store) EndRental(ctx context.Context, actor, id string, e End) (Rental, error) {
	var out Rental
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if err := s.endRecord(ctx, tx, actor, "rentals", "rental", id, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rental_tenants SET to_on = $1 WHERE rental_id = $2 AND to_on IS NULL`, e.On, id); err != nil {
			return fmt.Errorf("records: end tenancies: %w", err)
		}
		var err error
		out, err = getRental(ctx, tx, id)
		return err
	})
	return out, err
}

// Tenant is a person living in a rental over a period.
type Tenant struct {
	PersonID string     `json:"person_id"`
	Name     string     `json:"name"`
	IDMasked string     `json:"id_number_masked"`
	From     dates.Date `json:"from"`
	To       dates.Date `json:"to"`
}

// AddTenant records that a living person rents in a rental from a date.
// Errors: Invalid, NotFound, Conflict when already a current tenant.
func (s *Store) AddTenant(ctx context.Context, actor, rentalID, personID string, from dates.Date) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		r, err := getRental(ctx, tx, rentalID)
		if err != nil {
			return err
		}
		p, err := getPerson(ctx, tx, personID)
		if err != nil {
			return apperr.Field("person_id", "no person "+personID)
		}
		if bad := s.checkWorldDate("from", from); len(bad) > 0 {
			return apperr.InvalidFields("cannot add tenant", bad...)
		}
		if r.Status != Active || p.Status != Active {
			return apperr.New(apperr.Conflict, "both the rental and the person must be living records")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rental_tenants WHERE rental_id = $1 AND person_id = $2 AND to_on IS NULL`, rentalID, personID).Scan(&n); err != nil {
			return fmt.Errorf("records: add tenant: %w", err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "%s already rents here", p.Name)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rental_tenants (rental_id, person_id, from_on) VALUES ($1, $2, $3)`, rentalID, personID, from); err != nil {
			return fmt.Errorf("records: add tenant: %w", err)
		}
		if err := logChange(ctx, tx, "rental", rentalID, r.GridID, "update", from, s.now(), actor, []string{"tenants"}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "add_tenant", Entity: "rental", EntityID: rentalID, After: map[string]string{"person_id": personID, "from": from.String()}})
		return err
	})
}

// Tenants returns a rental's tenants, current and past.
func (s *Store) Tenants(ctx context.Context, rentalID string) ([]Tenant, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT t.person_id, p.name, p.id_masked, t.from_on, t.to_on FROM rental_tenants t
		JOIN people p ON p.id = t.person_id WHERE t.rental_id = $1 ORDER BY t.from_on, p.name`, rentalID)
	if err != nil {
		return nil, fmt.Errorf("records: tenants: %w", err)
	}
	defer rows.Close()
	out := []Tenant{}
	for rows.Next() {
		var t Tenant
		if err := rows.Scan(&t.PersonID, &t.Name, &t.IDMasked, &t.From, &t.To); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Scan is one scan of a rental's QR code by a worker.
type Scan struct {
	ClientID  string    `json:"client_id,omitempty"`
	ScannedAt time.Time `json:"scanned_at"`
	Lat       *float64  `json:"lat,omitempty"`
	Lon       *float64  `json:"lon,omitempty"`
	AccuracyM *float64  `json:"accuracy_m,omitempty"`
}

// RecordScan logs a QR scan of a rental by userID (and workerID, if the
// user is a grid worker). A resend with the same ClientID is a no-op.
// Errors: Invalid, NotFound.
func (s *Store) RecordScan(ctx context.Context, userID, workerID, rentalID string, sc Scan) error {
	return s.db.Tx(ctx, func(tx store.Tx) error {
		if id, err := store.ByClientID(ctx, tx, "rental_scans", sc.ClientID); err != nil || id != "" {
			return err
		}
		if _, err := getRental(ctx, tx, rentalID); err != nil {
			return err
		}
		if sc.ScannedAt.IsZero() {
			sc.ScannedAt = s.now()
		}
		if sc.ScannedAt.After(s.clock().Add(5 * time.Minute)) {
			return apperr.Field("scanned_at", "is in the future")
		}
		if (sc.Lat == nil) != (sc.Lon == nil) || (sc.Lat != nil && (*sc.Lat < -90 || *sc.Lat > 90 || *sc.Lon < -180 || *sc.Lon > 180)) {
			return apperr.Field("lat", "lat and lon must both be given, within ±90 and ±180")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO rental_scans (id, rental_id, user_id, worker_id, scanned_at, lat, lon, accuracy_m, client_id, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, store.NewID(), rentalID, userID, store.NullIfEmpty(workerID), sc.ScannedAt.UTC(), sc.Lat, sc.Lon, sc.AccuracyM,
			store.NullIfEmpty(sc.ClientID), s.now())
		if err != nil {
			return fmt.Errorf("records: record scan: %w", err)
		}
		return nil
	})
}

// Rate records a rental's star rating for a quarter ("2026Q1"), one per
// rental and quarter; rating again replaces it. Errors: Invalid, NotFound.
func (s *Store) Rate(ctx context.Context, actor, rentalID, quarter string, stars int, note string) error {
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		var bad []apperr.FieldError
		if _, err := time.Parse("2006", strings.SplitN(quarter, "Q", 2)[0]); err != nil || len(quarter) != 6 || quarter[4] != 'Q' || quarter[5] < '1' || quarter[5] > '4' {
			bad = append(bad, apperr.FieldError{Field: "quarter", Reason: fmt.Sprintf("%q is not a quarter like 2026Q1", quarter)})
		}
		if stars < 1 || stars > 5 {
			bad = append(bad, apperr.FieldError{Field: "stars", Reason: "must be 1 to 5"})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot rate rental", bad...)
		}
		if _, err := getRental(ctx, tx, rentalID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO rental_ratings (rental_id, quarter, stars, note, rated_by, rated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (rental_id, quarter) DO UPDATE SET stars = excluded.stars, note = excluded.note, rated_by = excluded.rated_by, rated_at = excluded.rated_at`,
			rentalID, quarter, stars, note, actor, s.now())
		if err != nil {
			return fmt.Errorf("records: rate rental: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "rate", Entity: "rental", EntityID: rentalID, After: map[string]any{"quarter": quarter, "stars": stars}})
		return err
	})
}

// RentalQuery filters a list of rentals.
type RentalQuery struct {
	WithinID, GridID string
	Status           Status
	// NotPosted lists only living rentals whose QR code is not posted.
	NotPosted     bool
	Limit, Offset int
}

// ListRentals returns rentals matching q, by code, and the total.
func (s *Store) ListRentals(ctx context.Context, q RentalQuery) ([]Rental, int, error) {
	f := s.filter(q.WithinID)
	f.eq("grid_id", q.GridID)
	f.eq("status", string(q.Status))
	if q.NotPosted {
		f.where = append(f.where, "qr_posted_on IS NULL AND status = 'active'")
	}
	return list(ctx, s.db.Q(ctx), "rentals", f, "code, id", q.Limit, q.Offset, rentalColumns, scanRental)
}
