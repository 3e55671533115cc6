package org

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridwork/internal/dates"
	"gridwork/internal/geo"
	"gridwork/internal/store"
)

// This file is what other packages read of the org tables. Only this package
// names org_units, org_unit_versions, workers and assignments in its SQL (a
// test in internal/store checks it); the others call these.
//
// The functions take a store.Queryer rather than hanging off Store: a caller
// checking a worker or a grid inside its own transaction passes its tx, so
// the read sees what the transaction sees and takes no second connection
// while the first is held. The SQL fragments are for the few queries that
// must join org's rows to the caller's for speed (lists and scopes over many
// rows): the caller puts them in its FROM or IN (…) as they are.

// InForce is the SQL condition "the row alias (a unit version or an
// assignment) holds on the date at placeholder on": valid on [valid_from,
// valid_to).
func InForce(alias, on string) string {
	return alias + ".valid_from <= " + on + " AND (" + alias + ".valid_to IS NULL OR " + alias + ".valid_to > " + on + ")"
}

// Overlapping is the SQL condition "the row alias holds on some day of
// [first, last]" (placeholders; both days included).
func Overlapping(alias, first, last string) string {
	return alias + ".valid_from <= " + last + " AND (" + alias + ".valid_to IS NULL OR " + alias + ".valid_to > " + first + ")"
}

// WorkersHomedInSub selects the ids of the workers whose home unit is in
// "sub", the subtree SubtreeCTE defines: a list's worker column IN (…) it.
const WorkersHomedInSub = `SELECT w.id FROM workers w WHERE w.home_unit_id IN (SELECT id FROM sub)`

// AssignmentsInForce is a derived table of the assignments holding on the
// date at placeholder on, with the columns worker_id, grid_id, kind and
// share_pct: FROM `+AssignmentsInForce(d)+` a.
func AssignmentsInForce(on string) string {
	return `(SELECT x.worker_id, x.grid_id, x.kind, x.share_pct FROM assignments x WHERE ` + InForce("x", on) + `)`
}

// WorkersInPost is a derived table of the workers with one of posts in post
// on some day of [first, last] (placeholders), with the columns id,
// employment, in_post_since and left_post_on.
func WorkersInPost(first, last string, posts ...Post) string {
	quoted := make([]string, len(posts))
	for i, p := range posts {
		if strings.ContainsAny(string(p), `'\`) {
			panic(fmt.Sprintf("org: post %q in SQL", p)) // posts are this package's constants
		}
		quoted[i] = "'" + string(p) + "'"
	}
	return `(SELECT x.id, x.employment, x.in_post_since, x.left_post_on FROM workers x
		WHERE x.post IN (` + strings.Join(quoted, ", ") + `) AND x.in_post_since <= ` + last + ` AND (x.left_post_on IS NULL OR x.left_post_on > ` + first + `))`
}

// NoUnits reports whether the tree is empty (a fresh database).
func NoUnits(ctx context.Context, q store.Queryer) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_units`).Scan(&n); err != nil {
		return false, fmt.Errorf("org: count units: %w", err)
	}
	return n == 0, nil
}

// UnitOn returns unit id as it stood on d. Errors: NotFound.
func UnitOn(ctx context.Context, q store.Queryer, id string, d dates.Date) (Unit, error) {
	return getUnit(ctx, q, id, d)
}

// UnitLevel returns a unit's level, on any date, or "" when there is no such
// unit.
func UnitLevel(ctx context.Context, q store.Queryer, id string) (Level, error) {
	var l Level
	err := q.QueryRowContext(ctx, `SELECT level FROM org_units WHERE id = $1`, id).Scan(&l)
	if store.IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("org: level of unit %s: %w", id, err)
	}
	return l, nil
}

// GridsByCode maps the code of every grid in force on d to its id (the
// smallest id, should two grids share a code).
func GridsByCode(ctx context.Context, q store.Queryer, d dates.Date) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.code, u.id FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE u.level = 'grid' AND `+InForce("v", "$1")+` ORDER BY u.id DESC`, d)
	if err != nil {
		return nil, fmt.Errorf("org: grid codes on %s: %w", d, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, id string
		if err := rows.Scan(&code, &id); err != nil {
			return nil, fmt.Errorf("org: grid codes on %s: %w", d, err)
		}
		out[code] = id // the last, smallest id wins
	}
	return out, rows.Err()
}

// LocateGrid returns the grid in force on d whose polygon contains the
// point, or "" if none does (the first by id, should polygons overlap).
func LocateGrid(ctx context.Context, q store.Queryer, lat, lon float64, d dates.Date) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, v.geometry FROM org_units u JOIN org_unit_versions v ON v.unit_id = u.id
		WHERE u.level = 'grid' AND `+InForce("v", "$1")+`
		AND v.min_lon <= $2 AND v.max_lon >= $2 AND v.min_lat <= $3 AND v.max_lat >= $3 ORDER BY u.id`, d, lon, lat)
	if err != nil {
		return "", fmt.Errorf("org: locate grid: %w", err)
	}
	defer rows.Close()
	pt := orb.Point{lon, lat}
	for rows.Next() {
		var id, g string
		if err := rows.Scan(&id, &g); err != nil {
			return "", fmt.Errorf("org: locate grid: %w", err)
		}
		p, err := geo.ParsePolygon([]byte(g))
		if err != nil {
			return "", fmt.Errorf("org: stored polygon of %s: %w", id, err)
		}
		if planar.PolygonContains(p, pt) {
			return id, nil
		}
	}
	return "", rows.Err()
}

// WorkerByID returns worker id. Errors: NotFound.
func WorkerByID(ctx context.Context, q store.Queryer, id string) (Worker, error) {
	return getWorker(ctx, q, id)
}

// WorkerExists reports whether worker id is on the staff list.
func WorkerExists(ctx context.Context, q store.Queryer, id string) (bool, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM workers WHERE id = $1)`, id).Scan(&exists); err != nil {
		return false, fmt.Errorf("org: look up worker %s: %w", id, err)
	}
	return exists, nil
}

// KnownWorkers returns which of ids are on the staff list, in one query.
func KnownWorkers(ctx context.Context, q store.Queryer, ids []string) (map[string]bool, error) {
	known := map[string]bool{}
	if len(ids) == 0 {
		return known, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	found, err := store.All(ctx, q, "workers", `SELECT id FROM workers WHERE id IN (`+strings.Join(ph, ", ")+`)`, args,
		func(r store.Row) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
	if err != nil {
		return nil, fmt.Errorf("org: look up workers: %w", err)
	}
	for _, id := range found {
		known[id] = true
	}
	return known, nil
}

// Workers returns every worker on the staff list, by id.
func Workers(ctx context.Context, q store.Queryer) (map[string]Worker, error) {
	ws, err := store.All(ctx, q, "workers", `SELECT `+workerColumns+` FROM workers`, nil, scanWorker)
	if err != nil {
		return nil, fmt.Errorf("org: workers: %w", err)
	}
	out := make(map[string]Worker, len(ws))
	for _, w := range ws {
		out[w.ID] = w
	}
	return out, nil
}

// AssignmentsOverlapping returns the assignments (primary and extra shares)
// holding on some day of [first, last], by worker, start and id.
func AssignmentsOverlapping(ctx context.Context, q store.Queryer, first, last dates.Date) ([]Assignment, error) {
	as, err := store.All(ctx, q, "assignments", `SELECT `+assignmentColumns+` FROM assignments a
		WHERE `+Overlapping("a", "$1", "$2")+` ORDER BY a.worker_id, a.valid_from, a.id`, store.Args{first, last}, scanAssignment)
	if err != nil {
		return nil, fmt.Errorf("org: assignments from %s to %s: %w", first, last, err)
	}
	return as, nil
}

// AssignedGrid is one grid a worker holds on a date (primary or extra
// share), with the version of the grid in force then.
type AssignedGrid struct {
	WorkerID, GridID string
	// VersionFrom is when the grid's version began: a grid's polygon is
	// the same for as long as its version is.
	VersionFrom dates.Date
	Geometry    string // GeoJSON Polygon; "" for a grid drawn without one
}

// AssignedGridsOn returns the grids held on d, of one worker or, with
// worker "", of every worker, by worker and grid.
func AssignedGridsOn(ctx context.Context, q store.Queryer, d dates.Date, worker string) ([]AssignedGrid, error) {
	args := store.Args{d}
	cond := ""
	if worker != "" {
		cond = " AND a.worker_id = " + args.Add(worker)
	}
	out, err := store.All(ctx, q, "assigned grids", `SELECT a.worker_id, a.grid_id, v.valid_from, COALESCE(v.geometry, '') FROM assignments a
		JOIN org_unit_versions v ON v.unit_id = a.grid_id AND `+InForce("v", "$1")+`
		WHERE `+InForce("a", "$1")+cond+` ORDER BY a.worker_id, a.grid_id`, args,
		func(r store.Row) (AssignedGrid, error) {
			var g AssignedGrid
			return g, r.Scan(&g.WorkerID, &g.GridID, &g.VersionFrom, &g.Geometry)
		})
	if err != nil {
		return nil, fmt.Errorf("org: grids held on %s: %w", d, err)
	}
	return out, nil
}
