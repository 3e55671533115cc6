package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/paulmach/orb"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/store"
)

// Store reads and writes the org tree, workers and assignments. Its public
// methods own their transactions; every write is audited in the same
// transaction.
type Store struct {
	db *store.DB
}

// NewStore returns a Store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

// inForce is the SQL condition "version v is in force on date $N".
func inForce(alias string, param int) string {
	return InForce(alias, fmt.Sprintf("$%d", param))
}

const unitColumns = `u.id, u.level, COALESCE(v.parent_id, ''), v.name, v.code, v.kind, COALESCE(v.geometry, ''), v.description, v.valid_from, v.valid_to`

func scanUnit(row store.Row) (Unit, error) {
	var u Unit
	err := row.Scan(&u.ID, &u.Level, &u.ParentID, &u.Name, &u.Code, &u.Kind, &u.Geometry, &u.Description, &u.ValidFrom, &u.ValidTo)
	return u, err
}

// MaxPolygonPoints bounds a unit's polygon.
const MaxPolygonPoints = 5000

// NewUnit describes a unit to create.
type NewUnit struct {
	Level    Level
	ParentID string
	Name     string
	Kind     string
	// Code is optional: empty means "generate the next free code under the
	// parent" (CJ/T 349).
	Code        string
	Geometry    string // GeoJSON Polygon; required for grids
	Description string
	ValidFrom   dates.Date
}

// CreateUnit validates and stores a new unit in force from in.ValidFrom.
// Errors: apperr Invalid (naming each bad field, and for geometry the unit
// and the fault), NotFound for a missing parent, Conflict for a taken code.
func (s *Store) CreateUnit(ctx context.Context, actor string, in NewUnit) (Unit, error) {
	var out Unit
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		u, err := s.createUnit(ctx, tx, actor, in)
		out = u
		return err
	})
	return out, err
}

func (s *Store) createUnit(ctx context.Context, tx store.Tx, actor string, in NewUnit) (Unit, error) {
	in.Name = strings.TrimSpace(in.Name)
	var bad []apperr.FieldError
	if !in.Level.Valid() {
		bad = append(bad, apperr.FieldError{Field: "level", Reason: fmt.Sprintf("unknown level %q; use one of district, street, community, area, grid", in.Level)})
	}
	if in.Name == "" {
		bad = append(bad, apperr.FieldError{Field: "name", Reason: "is required"})
	}
	if in.ValidFrom.IsZero() {
		bad = append(bad, apperr.FieldError{Field: "valid_from", Reason: "is required"})
	}
	if in.Level == Grid && in.Geometry == "" {
		bad = append(bad, apperr.FieldError{Field: "geometry", Reason: "a grid needs its polygon (GeoJSON, WGS84)"})
	}
	if len(bad) > 0 {
		return Unit{}, apperr.InvalidFields("cannot create unit "+quoteName(in.Name), bad...)
	}
	parent, err := s.checkParent(ctx, tx, in.Level, in.ParentID, in.ValidFrom)
	if err != nil {
		return Unit{}, err
	}
	u := Unit{
		ID: store.NewID(), Level: in.Level, ParentID: in.ParentID,
		Name: in.Name, Kind: in.Kind, Description: in.Description, ValidFrom: in.ValidFrom,
	}
	var bound *orb.Bound
	if in.Geometry != "" {
		p, err := s.checkGeometry(ctx, tx, u, in.Geometry, parent, in.ValidFrom)
		if err != nil {
			return Unit{}, err
		}
		u.Geometry = geo.Marshal(p)
		b := geo.Bound(p)
		bound = &b
	}
	if in.Code != "" {
		if err := s.checkCode(ctx, tx, in.Level, in.Code, parent, "", in.ValidFrom); err != nil {
			return Unit{}, err
		}
		u.Code = in.Code
	} else {
		code, err := s.nextCode(ctx, tx, in.Level, parent)
		if err != nil {
			return Unit{}, err
		}
		u.Code = code
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO org_units (id, level, created_at) VALUES ($1, $2, $3)`, u.ID, u.Level, store.Now()); err != nil {
		return Unit{}, fmt.Errorf("org: create unit: %w", err)
	}
	if err := insertVersion(ctx, tx, u, bound); err != nil {
		return Unit{}, err
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: string(u.Level), EntityID: u.ID, After: u}); err != nil {
		return Unit{}, err
	}
	return u, nil
}

func insertVersion(ctx context.Context, tx store.Tx, u Unit, b *orb.Bound) error {
	var geom any
	var minLon, minLat, maxLon, maxLat any
	if u.Geometry != "" {
		geom = u.Geometry
		if b == nil {
			p, err := geo.ParsePolygon([]byte(u.Geometry))
			if err != nil {
				return fmt.Errorf("org: stored geometry of %s: %w", u.ID, err)
			}
			bb := geo.Bound(p)
			b = &bb
		}
		minLon, minLat, maxLon, maxLat = b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat()
	}
	var parent any
	if u.ParentID != "" {
		parent = u.ParentID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO org_unit_versions
		(unit_id, valid_from, valid_to, parent_id, name, code, kind, geometry, min_lon, min_lat, max_lon, max_lat, description)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		u.ID, u.ValidFrom, u.ValidTo, parent, u.Name, u.Code, u.Kind, geom, minLon, minLat, maxLon, maxLat, u.Description)
	if err != nil {
		return fmt.Errorf("org: store version of %s: %w", u.ID, err)
	}
	return nil
}

func quoteName(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return "「" + name + "」"
}

// checkParent returns the parent in force on d, checking that a unit of
// level may hang under it.
func (s *Store) checkParent(ctx context.Context, q store.Queryer, level Level, parentID string, d dates.Date) (*Unit, error) {
	allowed := level.ParentLevels()
	if len(allowed) == 0 {
		if parentID != "" {
			return nil, apperr.Field("parent_id", "a district has no parent")
		}
		return nil, nil
	}
	if parentID == "" {
		return nil, apperr.Field("parent_id", fmt.Sprintf("a %s needs a parent of level %s", level, joinLevels(allowed)))
	}
	p, err := getUnit(ctx, q, parentID, d)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.Field("parent_id", fmt.Sprintf("no unit %s is in force on %s", parentID, d))
		}
		return nil, err
	}
	for _, l := range allowed {
		if p.Level == l {
			return &p, nil
		}
	}
	return nil, apperr.Field("parent_id", fmt.Sprintf("a %s cannot hang under a %s; its parent must be a %s", level, p.Level, joinLevels(allowed)))
}

func joinLevels(ls []Level) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, " or ")
}

// checkGeometry parses and validates a polygon for unit u, and checks it
// lies inside the nearest ancestor that has a polygon.
func (s *Store) checkGeometry(ctx context.Context, q store.Queryer, u Unit, geojson string, parent *Unit, d dates.Date) (orb.Polygon, error) {
	p, err := geo.ParsePolygon([]byte(geojson))
	if err != nil {
		return nil, apperr.InvalidFields(fmt.Sprintf("%s %s: bad geometry", u.Level, quoteName(u.Name)),
			apperr.FieldError{Field: "geometry", Reason: err.Error()})
	}
	// The self-intersection and containment checks are quadratic in the
	// number of points; a grid drawn by hand has tens of them.
	points := 0
	for _, ring := range p {
		points += len(ring)
	}
	if points > MaxPolygonPoints {
		return nil, apperr.InvalidFields(fmt.Sprintf("%s %s: bad geometry", u.Level, quoteName(u.Name)),
			apperr.FieldError{Field: "geometry", Reason: fmt.Sprintf("the polygon has %d points; at most %d are accepted (simplify it)", points, MaxPolygonPoints)})
	}
	for anc := parent; anc != nil; {
		if anc.Geometry != "" {
			outer, err := geo.ParsePolygon([]byte(anc.Geometry))
			if err != nil {
				return nil, fmt.Errorf("org: stored geometry of %s: %w", anc.ID, err)
			}
			if err := geo.Within(p, outer); err != nil {
				return nil, apperr.InvalidFields(fmt.Sprintf("%s %s lies outside its %s %s", u.Level, quoteName(u.Name), anc.Level, quoteName(anc.Name)),
					apperr.FieldError{Field: "geometry", Reason: err.Error()})
			}
			break
		}
		if anc.ParentID == "" {
			break
		}
		next, err := getUnit(ctx, q, anc.ParentID, d)
		if err != nil {
			return nil, err
		}
		anc = &next
	}
	return p, nil
}

// Code shapes per CJ/T 349: county (6) + street (3) + community (3) + grid
// sequence (2). 片区 are not in the standard; we give them the community code
// plus "P" and two digits, and their grids keep counting from the community.
var codeShape = map[Level]*regexp.Regexp{
	District:  regexp.MustCompile(`^\d{6}$`),
	Street:    regexp.MustCompile(`^\d{9}$`),
	Community: regexp.MustCompile(`^\d{12}$`),
	Area:      regexp.MustCompile(`^\d{12}P\d{2}$`),
	Grid:      regexp.MustCompile(`^\d{14}$`),
}

var codeShapeText = map[Level]string{
	District:  "6 digits (the county code)",
	Street:    "9 digits: the district code and 3 more",
	Community: "12 digits: the street code and 3 more",
	Area:      "the community code, P and 2 digits",
	Grid:      "14 digits: the community code and a 2-digit grid number",
}

// codeBase returns the code a child's code must start with: the parent's
// code, except that grids under a 片区 count from the community's code.
func codeBase(level Level, parent *Unit) string {
	if parent == nil {
		return ""
	}
	if level == Grid && parent.Level == Area {
		return parent.Code[:12]
	}
	return parent.Code
}

func (s *Store) checkCode(ctx context.Context, q store.Queryer, level Level, code string, parent *Unit, selfID string, d dates.Date) error {
	if re := codeShape[level]; re != nil && !re.MatchString(code) {
		return apperr.Field("code", fmt.Sprintf("%q is not a %s code: it must be %s", code, level, codeShapeText[level]))
	}
	if base := codeBase(level, parent); base != "" && !strings.HasPrefix(code, base) {
		return apperr.Field("code", fmt.Sprintf("%q must start with its parent's code %s", code, base))
	}
	// The code is taken if another unit carries it on d or on any later
	// date: the new version runs on from d, so a unit scheduled to take the
	// code later would share it from then.
	var other string
	var from dates.Date
	err := q.QueryRowContext(ctx, `SELECT v.unit_id, v.valid_from FROM org_unit_versions v
		WHERE v.code = $1 AND v.unit_id <> $2 AND (v.valid_to IS NULL OR v.valid_to > $3)
		ORDER BY v.valid_from LIMIT 1`, code, selfID, d).Scan(&other, &from)
	if err == nil {
		if from.After(d) {
			d = from
		}
		return apperr.New(apperr.Conflict, "code %s is already used by unit %s on %s", code, other, d)
	}
	if !store.IsNoRows(err) {
		return fmt.Errorf("org: check code: %w", err)
	}
	return nil
}

// nextCode generates the next free code under parent: one more than the
// largest sequence ever used there (never reusing a retired code, so a code
// keeps meaning one unit across history).
func (s *Store) nextCode(ctx context.Context, q store.Queryer, level Level, parent *Unit) (string, error) {
	base := codeBase(level, parent)
	width := map[Level]int{Street: 3, Community: 3, Area: 2, Grid: 2}[level]
	prefix := base
	if level == Area {
		prefix = base + "P"
	}
	if level == District {
		return "", apperr.Field("code", "a district's code is its 6-digit county code (GB/T 2260) and must be given")
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT v.code FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id
		WHERE u.level = $1 AND v.code LIKE $2`, level, prefix+"%")
	if err != nil {
		return "", fmt.Errorf("org: next code: %w", err)
	}
	defer rows.Close()
	max := 0
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		var n int
		if len(c) == len(prefix)+width {
			fmt.Sscanf(c[len(prefix):], "%d", &n)
		}
		if n > max {
			max = n
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	limit := map[int]int{2: 99, 3: 999}[width]
	if max+1 > limit {
		return "", apperr.New(apperr.Conflict, "no free %s code left under %s (all %d used); give a code explicitly", level, base, limit)
	}
	return fmt.Sprintf("%s%0*d", prefix, width, max+1), nil
}

func getUnit(ctx context.Context, q store.Queryer, id string, d dates.Date) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE u.id = $1 AND `+inForce("v", 2), id, d))
	if store.IsNoRows(err) {
		return Unit{}, apperr.New(apperr.NotFound, "no org unit %s in force on %s", id, d)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("org: get unit %s: %w", id, err)
	}
	return u, nil
}

// GetUnit returns unit id as it stood on d. Errors: NotFound.
func (s *Store) GetUnit(ctx context.Context, id string, d dates.Date) (Unit, error) {
	return getUnit(ctx, s.db.Q(ctx), id, d)
}

// History returns every version of unit id, oldest first.
func (s *Store) History(ctx context.Context, id string) ([]Unit, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+unitColumns+` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE u.id = $1 ORDER BY v.valid_from`, id)
	if err != nil {
		return nil, fmt.Errorf("org: history of %s: %w", id, err)
	}
	us, err := collectUnits(rows)
	if err == nil && len(us) == 0 {
		return nil, apperr.New(apperr.NotFound, "no org unit %s", id)
	}
	return us, err
}

func collectUnits(rows *sql.Rows) ([]Unit, error) {
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("org: read unit: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UnitQuery filters ListUnits. On is required.
type UnitQuery struct {
	On       dates.Date
	Level    Level  // optional
	ParentID string // optional: direct children of this unit
	// WithinID, when set, keeps only units in the subtree rooted at it
	// (itself included): the caller's scope.
	WithinID string
	// WithoutGeometry leaves the polygons out, for long lists.
	WithoutGeometry bool
	Limit, Offset   int
}

// SubtreeCTE returns a recursive query "sub(id)" over the units in force on
// date under root, root included, for other packages' queries scoped to a
// subtree. Its arguments are added to args.
func SubtreeCTE(args *store.Args, root string, date dates.Date) string {
	r, d := args.Add(root), args.Add(date)
	return `WITH RECURSIVE sub(id) AS (
	SELECT CAST(` + r + ` AS TEXT)
	UNION ALL
	SELECT v.unit_id FROM org_unit_versions v JOIN sub ON v.parent_id = sub.id
	WHERE ` + InForce("v", d) + `
) `
}

// ListUnits returns the units in force on q.On that match q, ordered by code,
// and the total before paging.
func (s *Store) ListUnits(ctx context.Context, q UnitQuery) ([]Unit, int, error) {
	var args store.Args
	prefix := ""
	var where []string
	if q.WithinID != "" {
		prefix = SubtreeCTE(&args, q.WithinID, q.On)
		where = append(where, "u.id IN (SELECT id FROM sub)")
	}
	on := args.Add(q.On)
	where = append(where, InForce("v", on))
	if q.Level != "" {
		where = append(where, "u.level = "+args.Add(q.Level))
	}
	if q.ParentID != "" {
		where = append(where, "v.parent_id = "+args.Add(q.ParentID))
	}
	from := ` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id WHERE ` + strings.Join(where, " AND ")
	cols := unitColumns
	if q.WithoutGeometry {
		cols = strings.Replace(cols, "COALESCE(v.geometry, '')", "''", 1)
	}
	return store.List(ctx, s.db.Q(ctx), "units", store.ListQuery{Prefix: prefix, Cols: cols, From: from, Order: "v.code, u.id",
		Limit: q.Limit, Offset: q.Offset}, args, scanUnit)
}

// Ancestors returns the chain from unit id up to the root as it stood on d,
// starting with the unit itself. Errors: NotFound.
func (s *Store) Ancestors(ctx context.Context, id string, d dates.Date) ([]Unit, error) {
	var chain []Unit
	for next := id; next != "" && len(chain) < len(Levels)+1; {
		u, err := getUnit(ctx, s.db.Q(ctx), next, d)
		if err != nil {
			return nil, err
		}
		chain = append(chain, u)
		next = u.ParentID
	}
	return chain, nil
}

// InSubtree reports whether unit id lies in the subtree rooted at root on d
// (a unit is in its own subtree). A unit not in force on d is in no subtree.
func (s *Store) InSubtree(ctx context.Context, id, root string, d dates.Date) (bool, error) {
	chain, err := s.Ancestors(ctx, id, d)
	if apperr.CodeOf(err) == apperr.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, u := range chain {
		if u.ID == root {
			return true, nil
		}
	}
	return false, nil
}

// UnitByCode returns the unit whose code is code on d. Errors: NotFound.
func (s *Store) UnitByCode(ctx context.Context, code string, d dates.Date) (Unit, error) {
	u, err := scanUnit(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+unitColumns+` FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE v.code = $1 AND `+inForce("v", 2), code, d))
	if store.IsNoRows(err) {
		return Unit{}, apperr.New(apperr.NotFound, "no org unit with code %s on %s", code, d)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("org: unit by code %s: %w", code, err)
	}
	return u, nil
}
