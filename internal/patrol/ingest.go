package patrol

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Receipt says what Ingest made of a batch.
type Receipt struct {
	ClientID string `json:"client_id"`
	// Duplicate: the batch had been received before; nothing was stored
	// this time. Points and Markers are then what the first one stored.
	Duplicate bool         `json:"duplicate"`
	Points    int          `json:"points"`
	Markers   int          `json:"markers"`
	Days      []dates.Date `json:"days" doc:"the Shanghai days the batch touched"`
}

// Ingest validates and stores a batch of workerID's fixes and markers, and
// marks the days it touches for analysis. A batch is stored whole or not at
// all, with an audit entry (its counts and span, not the positions). A
// resend of a stored batch (same client_id, same worker) is a no-op that
// reports Duplicate.
//
// Errors: Invalid naming points[i].field (Validate); NotFound for an unknown
// worker; Conflict when the client_id was used by another worker.
func (s *Store) Ingest(ctx context.Context, actor, workerID string, b Batch) (Receipt, error) {
	if err := Validate(b, s.clock()); err != nil {
		return Receipt{}, err
	}
	// Group by Shanghai day, each day's fixes in time order: one chunk a day.
	byDay := map[dates.Date][]Point{}
	var days []dates.Date
	for _, p := range b.Points {
		q := Quantize(p)
		d := dates.Of(q.At)
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], q)
	}
	markerDays := map[dates.Date]bool{}
	for _, m := range b.Markers {
		d := dates.Of(m.At)
		if _, ok := byDay[d]; !ok && !markerDays[d] {
			days = append(days, d)
		}
		markerDays[d] = true
	}
	slices.SortFunc(days, func(x, y dates.Date) int { return x.Start().Compare(y.Start()) })
	r := Receipt{ClientID: b.ClientID, Points: len(b.Points), Markers: len(b.Markers), Days: days}
	now := s.clock().UTC().Truncate(time.Microsecond)
	// SQLite's single writer: store.DB.Tx queues every writer of the
	// process for its turn (this lock used to be here, for batches only).
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		exists, err := org.WorkerExists(ctx, tx, workerID)
		if err != nil {
			return fmt.Errorf("patrol: ingest: %w", err)
		}
		if !exists {
			return apperr.New(apperr.NotFound, "no worker %s", workerID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO patrol_batches (client_id, worker_id, received_at, points, markers)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id) DO NOTHING`, b.ClientID, workerID, now, len(b.Points), len(b.Markers))
		if err != nil {
			return fmt.Errorf("patrol: ingest %s: %w", b.ClientID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("patrol: ingest %s: %w", b.ClientID, err)
		} else if n == 0 {
			return s.duplicate(ctx, tx, workerID, &r)
		}
		var buf []byte
		for _, d := range days {
			pts := byDay[d]
			if len(pts) == 0 {
				continue
			}
			slices.SortStableFunc(pts, func(x, y Point) int { return x.At.Compare(y.At) })
			buf = Encode(buf[:0], pts)
			if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_chunks (worker_id, day, batch_id, points, first_at, last_at, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, workerID, d, b.ClientID, len(pts), pts[0].At, pts[len(pts)-1].At, buf); err != nil {
				return fmt.Errorf("patrol: ingest %s: store %s: %w", b.ClientID, d, err)
			}
		}
		for _, m := range b.Markers {
			at := time.UnixMilli(m.At.UnixMilli()).UTC()
			if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_markers (worker_id, day, at, kind, batch_id) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (worker_id, day, at, kind) DO NOTHING`, workerID, dates.Of(at), at, string(m.Kind), b.ClientID); err != nil {
				return fmt.Errorf("patrol: ingest %s: store marker: %w", b.ClientID, err)
			}
		}
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_days (worker_id, day, rev) VALUES ($1, $2, 1)
				ON CONFLICT (worker_id, day) DO UPDATE SET rev = patrol_days.rev + 1`, workerID, d); err != nil {
				return fmt.Errorf("patrol: ingest %s: mark %s: %w", b.ClientID, d, err)
			}
		}
		var first, last time.Time
		for i, p := range b.Points {
			if i == 0 || p.At.Before(first) {
				first = p.At
			}
			if i == 0 || p.At.After(last) {
				last = p.At
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "ingest", Entity: "patrol_batch", EntityID: b.ClientID,
			After: map[string]any{"worker_id": workerID, "points": len(b.Points), "markers": len(b.Markers), "first_at": first.UTC(), "last_at": last.UTC()}})
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	return r, nil
}

// duplicate fills r from the stored batch with r.ClientID, refusing one
// another worker sent.
func (s *Store) duplicate(ctx context.Context, tx store.Tx, workerID string, r *Receipt) error {
	var owner string
	if err := tx.QueryRowContext(ctx, `SELECT worker_id, points, markers FROM patrol_batches WHERE client_id = $1`, r.ClientID).
		Scan(&owner, &r.Points, &r.Markers); err != nil {
		return fmt.Errorf("patrol: ingest %s: %w", r.ClientID, err)
	}
	if owner != workerID {
		return apperr.New(apperr.Conflict, "batch %s was sent by another worker: make a new UUID for each batch", r.ClientID)
	}
	r.Duplicate = true
	days, err := store.All(ctx, tx, "patrol days", `SELECT day FROM patrol_chunks WHERE batch_id = $1
		UNION SELECT day FROM patrol_markers WHERE batch_id = $1 ORDER BY day`, store.Args{r.ClientID},
		func(row store.Row) (dates.Date, error) {
			var d dates.Date
			return d, row.Scan(&d)
		})
	if err != nil {
		return fmt.Errorf("patrol: ingest %s: %w", r.ClientID, err)
	}
	r.Days = days
	return nil
}
