package records

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/store"
)

// HouseholdClass is one class of the four-class method and its visit
// interval.
type HouseholdClass struct {
	Code              string `json:"code"`
	Name              string `json:"name"`
	VisitIntervalDays int    `json:"visit_interval_days"`
}

// HouseholdClasses returns the configured classes.
func (s *Store) HouseholdClasses(ctx context.Context) ([]HouseholdClass, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code, name, visit_interval_days FROM household_classes ORDER BY sort, code`)
	if err != nil {
		return nil, fmt.Errorf("records: household classes: %w", err)
	}
	defer rows.Close()
	out := []HouseholdClass{}
	for rows.Next() {
		var c HouseholdClass
		if err := rows.Scan(&c.Code, &c.Name, &c.VisitIntervalDays); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// HomeVisit is one visit to a household, written in the visit book.
type HomeVisit struct {
	ID        string    `json:"id"`
	HouseID   string    `json:"house_id"`
	ClientID  string    `json:"client_id,omitempty" doc:"a UUID the phone made; resending the same is a no-op"`
	VisitedAt time.Time `json:"visited_at"`
	Lat       *float64  `json:"lat,omitempty"`
	Lon       *float64  `json:"lon,omitempty"`
	Notes     string    `json:"notes" doc:"what was found; an empty note counts as a visit not written up"`
	Signed    bool      `json:"signed" doc:"the resident signed the visit book"`
	WorkerID  string    `json:"worker_id,omitempty"`
}

// RecordHomeVisit logs a visit to a living house by userID (and workerID,
// for a grid worker). A resend with the same ClientID is a no-op that
// returns the first visit. Errors: Invalid, NotFound.
func (s *Store) RecordHomeVisit(ctx context.Context, userID, workerID string, v HomeVisit) (HomeVisit, error) {
	var out HomeVisit
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		if id, err := store.ByClientID(ctx, tx, "home_visits", v.ClientID); err != nil || id != "" {
			if err == nil {
				out, err = getHomeVisit(ctx, tx, id)
			}
			return err
		}
		h, err := getHouse(ctx, tx, v.HouseID)
		if err != nil {
			return err
		}
		var bad []apperr.FieldError
		if h.Status != Active {
			bad = append(bad, apperr.FieldError{Field: "house_id", Reason: "the house has ended"})
		}
		if v.VisitedAt.IsZero() {
			v.VisitedAt = s.now()
		}
		if v.VisitedAt.After(s.clock().Add(5 * time.Minute)) {
			bad = append(bad, apperr.FieldError{Field: "visited_at", Reason: "is in the future"})
		}
		if (v.Lat == nil) != (v.Lon == nil) {
			bad = append(bad, apperr.FieldError{Field: "lat", Reason: "lat and lon go together"})
		}
		if len(bad) > 0 {
			return apperr.InvalidFields("cannot record visit", bad...)
		}
		v.ID = store.NewID()
		v.Notes = strings.TrimSpace(v.Notes)
		v.VisitedAt = v.VisitedAt.UTC().Truncate(time.Microsecond)
		v.WorkerID = workerID
		_, err = tx.ExecContext(ctx, `INSERT INTO home_visits (id, house_id, visited_at, visited_on, lat, lon, notes, signed, user_id, worker_id, client_id, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, v.ID, v.HouseID, v.VisitedAt, dates.Of(v.VisitedAt), v.Lat, v.Lon, v.Notes, v.Signed,
			userID, store.NullIfEmpty(workerID), store.NullIfEmpty(v.ClientID), s.now())
		if err != nil {
			return fmt.Errorf("records: record visit: %w", err)
		}
		out = v
		return nil
	})
	return out, err
}

func getHomeVisit(ctx context.Context, q store.Queryer, id string) (HomeVisit, error) {
	var v HomeVisit
	err := q.QueryRowContext(ctx, `SELECT id, house_id, COALESCE(client_id, ''), visited_at, lat, lon, notes, signed, COALESCE(worker_id, '') FROM home_visits WHERE id = $1`, id).
		Scan(&v.ID, &v.HouseID, &v.ClientID, &v.VisitedAt, &v.Lat, &v.Lon, &v.Notes, &v.Signed, &v.WorkerID)
	if err != nil {
		return HomeVisit{}, fmt.Errorf("records: get visit: %w", err)
	}
	return v, nil
}

// HomeVisits returns a house's visits, newest first.
func (s *Store) HomeVisits(ctx context.Context, houseID string, limit int) ([]HomeVisit, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, house_id, COALESCE(client_id, ''), visited_at, lat, lon, notes, signed, COALESCE(worker_id, '')
		FROM home_visits WHERE house_id = $1 ORDER BY visited_at DESC LIMIT $2`, houseID, limit)
	if err != nil {
		return nil, fmt.Errorf("records: visits: %w", err)
	}
	defer rows.Close()
	out := []HomeVisit{}
	for rows.Next() {
		var v HomeVisit
		if err := rows.Scan(&v.ID, &v.HouseID, &v.ClientID, &v.VisitedAt, &v.Lat, &v.Lon, &v.Notes, &v.Signed, &v.WorkerID); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VisitDue is a classed household whose home visit is due: never visited,
// or last visited a class interval or more ago.
type VisitDue struct {
	HouseID      string     `json:"house_id"`
	GridID       string     `json:"grid_id"`
	Address      string     `json:"address"`
	Class        string     `json:"class"`
	IntervalDays int        `json:"interval_days"`
	LastVisit    dates.Date `json:"last_visit" doc:"null if never visited"`
	DueOn        dates.Date `json:"due_on" doc:"null if never visited (due at once)"`
	DaysOverdue  int        `json:"days_overdue" doc:"0 when due on the day asked about or never visited"`
}

// HomeVisitsDue lists the living classed households of grid gridID (or,
// when it is empty, of the grids under within) whose next visit falls on
// or before on, never-visited ones first, then the most overdue: a grid
// worker's home visits to make. It counts as the households.visit_rate
// fact does: a visit on day v covers v … v+interval-1.
func (s *Store) HomeVisitsDue(ctx context.Context, on dates.Date, within, gridID string) ([]VisitDue, error) {
	if on.IsZero() {
		return nil, apperr.Field("on", "is required")
	}
	f := s.filter(within)
	f.eq("h.grid_id", gridID)
	for i, w := range f.where {
		// filter names the table's grid_id bare; here it is the house's.
		if w == "grid_id IN (SELECT id FROM sub)" {
			f.where[i] = "h.grid_id IN (SELECT id FROM sub)"
		}
	}
	onP := f.args.Add(on)
	where := append([]string{"h.status = 'active'"}, f.where...)
	rows, err := s.db.Q(ctx).QueryContext(ctx, f.prefix+`SELECT h.id, h.grid_id, h.address, h.household_class, c.visit_interval_days,
		(SELECT MAX(v.visited_on) FROM home_visits v WHERE v.house_id = h.id AND v.visited_on <= `+onP+`)
		FROM houses h JOIN household_classes c ON c.code = h.household_class WHERE `+strings.Join(where, " AND "), f.args...)
	if err != nil {
		return nil, fmt.Errorf("records: visits due: %w", err)
	}
	defer rows.Close()
	out := []VisitDue{}
	for rows.Next() {
		var d VisitDue
		if err := rows.Scan(&d.HouseID, &d.GridID, &d.Address, &d.Class, &d.IntervalDays, &d.LastVisit); err != nil {
			return nil, fmt.Errorf("records: visits due: %w", err)
		}
		if !d.LastVisit.IsZero() {
			d.DueOn = d.LastVisit.AddDays(d.IntervalDays)
			if d.DueOn.After(on) {
				continue
			}
			d.DaysOverdue = int(math.Round(on.Start().Sub(d.DueOn.Start()).Hours() / 24))
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.LastVisit.IsZero() != b.LastVisit.IsZero() {
			return a.LastVisit.IsZero()
		}
		if a.DaysOverdue != b.DaysOverdue {
			return a.DaysOverdue > b.DaysOverdue
		}
		return a.Address < b.Address
	})
	return out, nil
}
