package records

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/idnum"
	"gridwork/internal/store"
)

// Category is the kind of resident.
type Category string

// The categories.
const (
	Registered Category = "registered" // 户籍人口
	Floating   Category = "floating"   // 流动人口
	OtherPop   Category = "other"      // 其他 (e.g. 人户分离)
)

// IDKind is the kind of identity document.
type IDKind string

// The identity kinds.
const (
	ResidentID IDKind = "resident" // GB 11643, including the 81/82/83 residence permits
	Passport   IDKind = "passport"
)

// PermitStatus is a floating resident's residence permit (居住证).
type PermitStatus string

// The permit statuses.
const (
	PermitNone    PermitStatus = "none"
	PermitApplied PermitStatus = "applied"
	PermitValid   PermitStatus = "valid"
	PermitExpired PermitStatus = "expired"
)

// sealContext binds sealed identity numbers to their column.
const (
	idSealContext  = "person.id_number"
	idIndexContext = "person.id_number"
)

// Person is one resident record. The identity number is only ever shown
// masked here; Unmask returns it in full and audits that it did.
type Person struct {
	ID           string       `json:"id"`
	GridID       string       `json:"grid_id"`
	HouseID      string       `json:"house_id,omitempty"`
	Category     Category     `json:"category" enum:"registered,floating,other"`
	IDKind       IDKind       `json:"id_kind" enum:"resident,passport"`
	IDMasked     string       `json:"id_number_masked" doc:"e.g. 1101**********123X"`
	Name         string       `json:"name"`
	Male         bool         `json:"male"`
	BirthDate    dates.Date   `json:"birth_date"`
	Phone        string       `json:"phone"`
	Address      string       `json:"address"`
	PermitStatus PermitStatus `json:"permit_status" enum:"none,applied,valid,expired"`
	Lifecycle
}

// NewPerson describes a resident to register.
type NewPerson struct {
	ClientID string   `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	GridID   string   `json:"grid_id"`
	HouseID  string   `json:"house_id,omitempty"`
	Category Category `json:"category" enum:"registered,floating,other"`
	IDKind   IDKind   `json:"id_kind,omitempty" enum:"resident,passport" doc:"default resident"`
	IDNumber string   `json:"id_number"`
	Name     string   `json:"name"`
	// BirthDate and Male are read from a resident identity number; give
	// them for a passport.
	BirthDate    dates.Date   `json:"birth_date,omitempty"`
	Male         *bool        `json:"male,omitempty"`
	Phone        string       `json:"phone,omitempty"`
	Address      string       `json:"address,omitempty"`
	PermitStatus PermitStatus `json:"permit_status,omitempty" enum:"none,applied,valid,expired"`
	// BeganOn is when the person arrived (floating) or was registered here.
	BeganOn dates.Date `json:"began_on"`
}

var passportShape = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)

// checkIdentity validates an identity number of kind k and returns its
// normalised form, birth date and sex (for resident numbers).
func (s *Store) checkIdentity(kind IDKind, number string) (string, *idnum.Number, []apperr.FieldError) {
	switch kind {
	case ResidentID:
		n, err := idnum.Parse(number, s.today())
		if err != nil {
			var ie *idnum.Error
			reason := err.Error()
			if errors.As(err, &ie) {
				reason = ie.Reason
			}
			if looksMangled(number) {
				reason += `; the spreadsheet column holding it must be formatted as text`
			}
			return "", nil, []apperr.FieldError{{Field: "id_number", Reason: reason}}
		}
		return n.Value, &n, nil
	case Passport:
		v := strings.ToUpper(strings.TrimSpace(number))
		if !passportShape.MatchString(v) {
			return "", nil, []apperr.FieldError{{Field: "id_number", Reason: "a passport number has 5 to 20 letters and digits"}}
		}
		return v, nil, nil
	}
	return "", nil, []apperr.FieldError{{Field: "id_kind", Reason: fmt.Sprintf("%q is not resident or passport", kind)}}
}

// looksMangled spots an identity number Excel turned into a float.
func looksMangled(s string) bool {
	return strings.ContainsAny(s, "eE") && strings.Contains(s, "+")
}

func (in *NewPerson) normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Address = strings.TrimSpace(in.Address)
	if in.IDKind == "" {
		in.IDKind = ResidentID
	}
	if in.PermitStatus == "" {
		in.PermitStatus = PermitNone
	}
}

// validPerson checks in and returns the sealed identity and the birth date
// and sex to store.
func (s *Store) validPerson(ctx context.Context, in *NewPerson, grids *gridCache) (idValue string, birth dates.Date, male bool, bad []apperr.FieldError) {
	in.normalise()
	if in.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
	}
	switch in.Category {
	case Registered, Floating, OtherPop:
	default:
		bad = append(bad, apperr.FieldError{Field: "category", Reason: fmt.Sprintf("%q is not registered (户籍), floating (流动) or other", in.Category)})
	}
	switch in.PermitStatus {
	case PermitNone, PermitApplied, PermitValid, PermitExpired:
	default:
		bad = append(bad, apperr.FieldError{Field: "permit_status", Reason: fmt.Sprintf("%q is not none, applied, valid or expired", in.PermitStatus)})
	}
	value, n, idBad := s.checkIdentity(in.IDKind, in.IDNumber)
	bad = append(bad, idBad...)
	birth, male = in.BirthDate, in.Male != nil && *in.Male
	if n != nil {
		if !in.BirthDate.IsZero() && in.BirthDate != n.Birth {
			bad = append(bad, apperr.FieldError{Field: "birth_date", Reason: fmt.Sprintf("%s does not match the identity number, which says %s", in.BirthDate, n.Birth)})
		}
		if in.Male != nil && *in.Male != n.Male {
			bad = append(bad, apperr.FieldError{Field: "male", Reason: "does not match the identity number"})
		}
		birth, male = n.Birth, n.Male
	} else if in.IDKind == Passport {
		if in.BirthDate.IsZero() {
			bad = append(bad, apperr.FieldError{Field: "birth_date", Reason: "is required with a passport"})
		} else if in.BirthDate.After(s.today()) {
			bad = append(bad, apperr.FieldError{Field: "birth_date", Reason: fmt.Sprintf("%s is in the future", in.BirthDate)})
		}
		if in.Male == nil {
			bad = append(bad, apperr.FieldError{Field: "male", Reason: "is required with a passport"})
		}
	}
	bad = append(bad, checkPhone("phone", in.Phone)...)
	bad = append(bad, s.checkWorldDate("began_on", in.BeganOn)...)
	if !birth.IsZero() && !in.BeganOn.IsZero() && in.BeganOn.Before(birth) {
		bad = append(bad, apperr.FieldError{Field: "began_on", Reason: fmt.Sprintf("%s is before the birth date %s", in.BeganOn, birth)})
	}
	if grids != nil && in.GridID != "" && grids.resolve(in.GridID) == in.GridID {
		// An import has already resolved this grid.
	} else {
		bad = append(bad, s.checkGrid(ctx, in.GridID, s.today())...)
	}
	return value, birth, male, bad
}

const personColumns = `id, grid_id, COALESCE(house_id, ''), category, id_kind, id_masked, name, male, birth_date, phone, address, permit_status, ` + lifecycleColumns

func scanPerson(row store.Row) (Person, error) {
	var p Person
	err := row.Scan(append([]any{&p.ID, &p.GridID, &p.HouseID, &p.Category, &p.IDKind, &p.IDMasked, &p.Name, &p.Male, &p.BirthDate,
		&p.Phone, &p.Address, &p.PermitStatus}, p.Lifecycle.scanTargets()...)...)
	return p, err
}

// CreatePerson registers a resident. A resend with the same ClientID
// returns the first record unchanged. Errors: Invalid naming each bad field;
// Conflict (on field id_number) when a living record already holds the
// identity number.
func (s *Store) CreatePerson(ctx context.Context, actor string, in NewPerson) (Person, error) {
	var out Person
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		p, err := s.createPerson(ctx, tx, actor, in, true, nil)
		out = p
		return err
	})
	return out, err
}

func (s *Store) createPerson(ctx context.Context, tx store.Tx, actor string, in NewPerson, auditEach bool, grids *gridCache) (Person, error) {
	if id, err := store.ByClientID(ctx, tx, "people", in.ClientID); err != nil || id != "" {
		if err != nil {
			return Person{}, err
		}
		return getPerson(ctx, tx, id)
	}
	prep, err := s.preparePerson(ctx, in, grids)
	if err != nil {
		return Person{}, err
	}
	dup, err := s.activeByIndex(ctx, tx, prep.index)
	if err != nil {
		return Person{}, err
	}
	if dup != nil {
		return Person{}, duplicateError(prep.in, dup)
	}
	return s.insertPerson(ctx, tx, actor, prep, auditEach)
}

// preparedPerson is a validated NewPerson with its normalised identity
// number and keyed hash, ready to insert.
type preparedPerson struct {
	in    NewPerson
	value string // the normalised identity number
	index string // its keyed hash
	birth dates.Date
	male  bool
}

// preparePerson validates in once: the identity number is parsed and hashed
// here and nowhere else. Errors: Invalid naming each bad field.
func (s *Store) preparePerson(ctx context.Context, in NewPerson, grids *gridCache) (preparedPerson, error) {
	value, birth, male, bad := s.validPerson(ctx, &in, grids)
	if len(bad) > 0 {
		return preparedPerson{}, apperr.InvalidFields("cannot register "+quote(in.Name), bad...)
	}
	return preparedPerson{in: in, value: value, index: s.keys.Index(idIndexContext, string(in.IDKind)+":"+value), birth: birth, male: male}, nil
}

// duplicateError is the Conflict for registering in while dup, a living
// record, holds the same identity number.
func duplicateError(in NewPerson, dup *Person) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "cannot register " + quote(in.Name),
		Fields: []apperr.FieldError{{Field: "id_number", Reason: fmt.Sprintf("is already registered: %s, grid %s, record %s", dup.Name, dup.GridID, dup.ID)}}}
}

// insertPerson stores a prepared person whose identity number no living
// record holds (the caller has checked).
func (s *Store) insertPerson(ctx context.Context, tx store.Tx, actor string, prep preparedPerson, auditEach bool) (Person, error) {
	in := prep.in
	if in.HouseID != "" {
		if err := checkHouseInGrid(ctx, tx, in.HouseID, in.GridID); err != nil {
			return Person{}, err
		}
	}
	sealed, err := s.keys.Seal(prep.value, idSealContext)
	if err != nil {
		return Person{}, fmt.Errorf("records: seal identity: %w", err)
	}
	now := s.now()
	p := Person{ID: store.NewID(), GridID: in.GridID, HouseID: in.HouseID, Category: in.Category, IDKind: in.IDKind,
		IDMasked: idnum.Mask(prep.value), Name: in.Name, Male: prep.male, BirthDate: prep.birth, Phone: in.Phone, Address: in.Address,
		PermitStatus: in.PermitStatus,
		Lifecycle:    Lifecycle{Status: Active, BeganOn: in.BeganOn, EnteredAt: now, Version: 1, ClientID: in.ClientID, CreatedBy: actor, UpdatedAt: now}}
	_, err = tx.ExecContext(ctx, `INSERT INTO people (id, grid_id, house_id, category, id_kind, id_sealed, id_index, id_masked, name, male,
		birth_date, phone, address, permit_status, status, began_on, entered_at, version, client_id, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active', $15, $16, 1, $17, $18, $19)`,
		p.ID, p.GridID, store.NullIfEmpty(p.HouseID), p.Category, p.IDKind, sealed, prep.index, p.IDMasked, p.Name, p.Male,
		p.BirthDate, p.Phone, p.Address, p.PermitStatus, p.BeganOn, now, store.NullIfEmpty(p.ClientID), actor, now)
	if err != nil {
		return Person{}, fmt.Errorf("records: register person: %w", err)
	}
	var after any
	if auditEach {
		after = p
	}
	return p, s.registered(ctx, tx, actor, "person", p.ID, p.GridID, p.BeganOn, now, after)
}

func quote(name string) string {
	if name == "" {
		return "a record"
	}
	return "「" + name + "」"
}

func (s *Store) activeByIndex(ctx context.Context, q store.Queryer, index string) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id_index = $1 AND status = 'active'`, index))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("records: look up identity: %w", err)
	}
	return &p, nil
}

func getPerson(ctx context.Context, q store.Queryer, id string) (Person, error) {
	return getRow(ctx, q, "people", "person", personColumns, id, scanPerson)
}

// GetPerson returns a person, identity number masked. Errors: NotFound.
func (s *Store) GetPerson(ctx context.Context, id string) (Person, error) {
	return getPerson(ctx, s.db.Q(ctx), id)
}

// FindByIdentity returns the living record holding an identity number, or
// NotFound. The lookup uses the keyed hash; nothing is decrypted.
func (s *Store) FindByIdentity(ctx context.Context, kind IDKind, number string) (Person, error) {
	value, _, bad := s.checkIdentity(kind, number)
	if len(bad) > 0 {
		return Person{}, apperr.InvalidFields("cannot look up identity", bad...)
	}
	p, err := s.activeByIndex(ctx, s.db.Q(ctx), s.keys.Index(idIndexContext, string(kind)+":"+value))
	if err != nil {
		return Person{}, err
	}
	if p == nil {
		return Person{}, apperr.New(apperr.NotFound, "no living record holds that identity number")
	}
	return *p, nil
}

// Unmask returns a person's identity number in full and writes an audit
// entry saying who saw it. The caller checks that the role may. Errors:
// NotFound.
func (s *Store) Unmask(ctx context.Context, actor, id, reason string) (string, error) {
	var out string
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var sealed string
		err := tx.QueryRowContext(ctx, `SELECT id_sealed FROM people WHERE id = $1`, id).Scan(&sealed)
		if store.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "no person %s", id)
		}
		if err != nil {
			return fmt.Errorf("records: unmask: %w", err)
		}
		out, err = s.keys.Open(sealed, idSealContext)
		if err != nil {
			return fmt.Errorf("records: unmask person %s: %w", id, err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "unmask", Entity: "person", EntityID: id,
			After: map[string]string{"field": "id_number", "reason": reason}})
		return err
	})
	return out, err
}

// PersonPatch changes some of a person's fields; nil fields stay.
type PersonPatch struct {
	Version int `json:"version" doc:"the version you read"`
	// HappenedOn is when the change happened in the world; default today.
	HappenedOn   dates.Date    `json:"happened_on,omitempty"`
	Name         *string       `json:"name,omitempty"`
	Phone        *string       `json:"phone,omitempty"`
	Address      *string       `json:"address,omitempty"`
	HouseID      *string       `json:"house_id,omitempty"`
	GridID       *string       `json:"grid_id,omitempty" doc:"moved to another grid"`
	Category     *Category     `json:"category,omitempty" enum:"registered,floating,other"`
	PermitStatus *PermitStatus `json:"permit_status,omitempty" enum:"none,applied,valid,expired"`
}

// UpdatePerson applies p to a living record. Errors: Invalid, NotFound,
// Conflict (stale version, or the record has ended).
func (s *Store) UpdatePerson(ctx context.Context, actor, id string, p PersonPatch) (Person, error) {
	var out Person
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		cur, err := getPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status != Active {
			return apperr.New(apperr.Conflict, "person %s has ended; register them again instead", id)
		}
		if p.HappenedOn.IsZero() {
			p.HappenedOn = s.today()
		}
		next := cur
		var fields []string
		var bad []apperr.FieldError
		bad = append(bad, s.checkWorldDate("happened_on", p.HappenedOn)...)
		if p.Name != nil {
			next.Name = strings.TrimSpace(*p.Name)
			if next.Name == "" {
				bad = append(bad, apperr.FieldError{Field: "name", Reason: "cannot be empty"})
			}
			fields = append(fields, "name")
		}
		if p.Phone != nil {
			next.Phone = strings.TrimSpace(*p.Phone)
			bad = append(bad, checkPhone("phone", next.Phone)...)
			fields = append(fields, "phone")
		}
		if p.Address != nil {
			next.Address = strings.TrimSpace(*p.Address)
			fields = append(fields, "address")
		}
		if p.GridID != nil {
			next.GridID = *p.GridID
			bad = append(bad, s.checkGrid(ctx, next.GridID, s.today())...)
			fields = append(fields, "grid_id")
		}
		if p.HouseID != nil {
			next.HouseID = *p.HouseID
			fields = append(fields, "house_id")
		}
		if p.Category != nil {
			next.Category = *p.Category
			switch next.Category {
			case Registered, Floating, OtherPop:
			default:
				bad = append(bad, apperr.FieldError{Field: "category", Reason: fmt.Sprintf("%q is not registered, floating or other", next.Category)})
			}
			fields = append(fields, "category")
		}
		if p.PermitStatus != nil {
			next.PermitStatus = *p.PermitStatus
			switch next.PermitStatus {
			case PermitNone, PermitApplied, PermitValid, PermitExpired:
			default:
				bad = append(bad, apperr.FieldError{Field: "permit_status", Reason: fmt.Sprintf("%q is not none, applied, valid or expired", next.PermitStatus)})
			}
			fields = append(fields, "permit_status")
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot change person "+id, bad...)
		}
		if len(fields) == 0 {
			return apperr.New(apperr.Invalid, "nothing to change")
		}
		if next.HouseID != "" && (p.HouseID != nil || p.GridID != nil) {
			if err := checkHouseInGrid(ctx, tx, next.HouseID, next.GridID); err != nil {
				return err
			}
		}
		var args store.Args
		set := fmt.Sprintf(`name = %s, phone = %s, address = %s, grid_id = %s, house_id = %s, category = %s, permit_status = %s`,
			args.Add(next.Name), args.Add(next.Phone), args.Add(next.Address), args.Add(next.GridID), args.Add(store.NullIfEmpty(next.HouseID)),
			args.Add(next.Category), args.Add(next.PermitStatus))
		if err := bumpVersion(ctx, tx, s.now(), "people", "person", id, p.Version, set, args); err != nil {
			return err
		}
		if err := logChange(ctx, tx, "person", id, next.GridID, "update", p.HappenedOn, s.now(), actor, fields); err != nil {
			return err
		}
		out, err = getPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "update", Entity: "person", EntityID: id, Before: cur, After: out})
		return err
	})
	return out, err
}

// EndPerson records that a person moved out, died or was entered in error.
// Errors: Invalid, NotFound, Conflict.
func (s *Store) EndPerson(ctx context.Context, actor, id string, e End) (Person, error) {
	var out Person
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if err := s.endRecord(ctx, tx, actor, "people", "person", id, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rental_tenants SET to_on = $1 WHERE person_id = $2 AND to_on IS NULL`, e.On, id); err != nil {
			return fmt.Errorf("records: end tenancy: %w", err)
		}
		var err error
		out, err = getPerson(ctx, tx, id)
		return err
	})
	return out, err
}

// PersonQuery filters a list of people.
type PersonQuery struct {
	WithinID string // an org unit: only people of grids in its subtree
	GridID   string
	HouseID  string
	Category Category
	Status   Status
	Name     string // prefix
	Limit    int
	Offset   int
}

// ListPeople returns people matching q, newest first, and the total before
// paging.
func (s *Store) ListPeople(ctx context.Context, q PersonQuery) ([]Person, int, error) {
	f := s.filter(q.WithinID)
	f.eq("grid_id", q.GridID)
	f.eq("house_id", q.HouseID)
	f.eq("category", string(q.Category))
	f.eq("status", string(q.Status))
	if q.Name != "" {
		f.where = append(f.where, "name LIKE "+f.args.Add(strings.ReplaceAll(q.Name, "%", "")+"%"))
	}
	return list(ctx, s.db.Q(ctx), "people", f, "entered_at DESC, id", q.Limit, q.Offset, personColumns, scanPerson)
}
