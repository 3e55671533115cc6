package org

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/paulmach/orb"

	"gridwork/internal/geo"
	"gridwork/internal/store"
)

// BulkLoader writes a generated org straight into the org tables, without
// Store's checks and audit entries: for the benchmark's city of thousands of
// grids, whose building is not what is measured. The caller vouches that
// what it adds is consistent (parents before children, codes unique, one
// version per unit). Everything else writes through Store.
type BulkLoader struct {
	now                           time.Time
	unit, version, worker, assign *sql.Stmt
}

// NewBulkLoader prepares the loader's statements in tx; Close them when done.
func NewBulkLoader(ctx context.Context, tx store.Tx) (*BulkLoader, error) {
	b := &BulkLoader{now: store.Now()}
	var err error
	prepare := func(query string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, query)
		return st
	}
	b.unit = prepare(`INSERT INTO org_units (id, level, created_at) VALUES ($1, $2, $3)`)
	b.version = prepare(`INSERT INTO org_unit_versions (unit_id, valid_from, parent_id, name, code, kind, geometry, min_lon, min_lat, max_lon, max_lat)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`)
	b.worker = prepare(`INSERT INTO workers (id, name, employment, post, phone, in_post_since, home_unit_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`)
	b.assign = prepare(`INSERT INTO assignments (id, worker_id, grid_id, kind, share_pct, valid_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`)
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close releases the prepared statements.
func (b *BulkLoader) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{b.unit, b.version, b.worker, b.assign} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// Unit adds u (its ID, Level, ParentID, Name, Code, Kind and ValidFrom) with
// polygon p (nil for none), in force from u.ValidFrom on.
func (b *BulkLoader) Unit(ctx context.Context, u Unit, p orb.Polygon) error {
	if _, err := b.unit.ExecContext(ctx, u.ID, string(u.Level), b.now); err != nil {
		return err
	}
	var parent, g, minLon, minLat, maxLon, maxLat any
	if u.ParentID != "" {
		parent = u.ParentID
	}
	if p != nil {
		bd := p.Bound()
		g, minLon, minLat, maxLon, maxLat = geo.Marshal(p), bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]
	}
	_, err := b.version.ExecContext(ctx, u.ID, u.ValidFrom, parent, u.Name, u.Code, u.Kind, g, minLon, minLat, maxLon, maxLat)
	return err
}

// Worker adds w (its ID, Name, Employment, Post, Phone, InPostSince and
// HomeUnitID).
func (b *BulkLoader) Worker(ctx context.Context, w Worker) error {
	_, err := b.worker.ExecContext(ctx, w.ID, w.Name, string(w.Employment), string(w.Post), w.Phone, w.InPostSince, w.HomeUnitID, b.now)
	return err
}

// Assignment adds a (its ID, WorkerID, GridID, Kind, SharePct and
// ValidFrom), open-ended.
func (b *BulkLoader) Assignment(ctx context.Context, a Assignment) error {
	_, err := b.assign.ExecContext(ctx, a.ID, a.WorkerID, a.GridID, string(a.Kind), a.SharePct, a.ValidFrom, b.now)
	return err
}
