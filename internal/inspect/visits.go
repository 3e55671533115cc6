package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Visit is one grid inspection of a round: drawn, then done.
type Visit struct {
	ID          string     `json:"id"`
	RoundID     string     `json:"round_id"`
	Seq         int        `json:"seq"`
	GridID      string     `json:"grid_id"`
	WorkerID    string     `json:"worker_id"`
	InspectorID string     `json:"inspector_id"`
	PlannedAt   time.Time  `json:"planned_at"`
	Households  []string   `json:"households"`
	Status      string     `json:"status"` // planned, done
	DoneAt      *time.Time `json:"done_at,omitempty"`
	Lat         *float64   `json:"lat,omitempty"`
	Lon         *float64   `json:"lon,omitempty"`
	Photos      []string   `json:"photos"`
	Note        string     `json:"note,omitempty"`
	Verdict     string     `json:"verdict,omitempty"` // pass, fail
	RecordedBy  string     `json:"recorded_by,omitempty"`
	Checks      []Check    `json:"checks,omitempty"`
}

// Check is what one item found, on one household or on the grid.
type Check struct {
	ID      string `json:"id,omitempty"`
	Item    string `json:"item"`
	HouseID string `json:"house_id,omitempty"`
	OK      bool   `json:"ok"`
	// Count is how many people a failure concerns (unregistered people
	// found, moved-out people still on file); a failure counts at least 1.
	Count int    `json:"count,omitempty"`
	Note  string `json:"note,omitempty"`
	Photo string `json:"photo,omitempty"` // sha256 of an uploaded file
}

// Result is what an inspector records for a visit.
type Result struct {
	// ClientID is the phone's ID of this submission: sent again, it
	// changes nothing and returns the visit as recorded.
	ClientID string `json:"client_id,omitempty"`
	// At is when the visit was made; default now.
	At     time.Time `json:"at,omitempty"`
	Lat    *float64  `json:"lat,omitempty"`
	Lon    *float64  `json:"lon,omitempty"`
	Photos []string  `json:"photos,omitempty"`
	Note   string    `json:"note,omitempty"`
	Checks []Check   `json:"checks"`
}

const roundColumns = `id, title, unit_id, form, first_day, last_day, seed, input_hash, created_by, created_at, published_at`

func scanRound(row store.Row) (Round, error) {
	var r Round
	var form, seed string
	err := row.Scan(&r.ID, &r.Title, &r.UnitID, &form, &r.From, &r.To, &seed, &r.InputHash, &r.CreatedBy, &r.CreatedAt, &r.PublishedAt)
	if err != nil {
		return r, err
	}
	r.Seed = &seed
	return r, json.Unmarshal([]byte(form), &r.Form)
}

// GetRound returns a round with its visits. The seed is left out until the
// round is published, unless revealSeed. Errors: NotFound.
func (s *Store) GetRound(ctx context.Context, id string, revealSeed bool) (Round, error) {
	r, err := scanRound(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+roundColumns+` FROM inspect_rounds WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return Round{}, apperr.New(apperr.NotFound, "no spot-check round %s", id)
	}
	if err != nil {
		return Round{}, fmt.Errorf("inspect: round %s: %w", id, err)
	}
	if r.PublishedAt == nil && !revealSeed {
		r.Seed = nil
	}
	r.Visits, err = s.visits(ctx, "round_id = $1", id)
	return r, err
}

// ListRounds returns the rounds, newest first, without visits or seeds of
// unpublished rounds.
func (s *Store) ListRounds(ctx context.Context) ([]Round, error) {
	out, err := store.All(ctx, s.db.Q(ctx), "spot-check rounds", `SELECT `+roundColumns+` FROM inspect_rounds ORDER BY created_at DESC, id`, nil, scanRound)
	for i := range out {
		if out[i].PublishedAt == nil {
			out[i].Seed = nil
		}
	}
	return out, err
}

// PublishRound publishes a round: its seed and inputs become readable by
// everyone in scope, so anyone can re-draw it (VerifyRound). Errors:
// NotFound, Conflict (already published).
func (s *Store) PublishRound(ctx context.Context, actor, id string) (Round, error) {
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		res, err := tx.ExecContext(ctx, `UPDATE inspect_rounds SET published_at = $1 WHERE id = $2 AND published_at IS NULL`, s.now(), id)
		if err != nil {
			return fmt.Errorf("inspect: publish %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.GetRound(ctx, id, false); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "round %s is already published", id)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "publish", Entity: "inspect_round", EntityID: id})
		return err
	})
	if err != nil {
		return Round{}, err
	}
	return s.GetRound(ctx, id, true)
}

// RoundInput returns the stored input a round was drawn from, for a
// re-draw. Errors: NotFound, Conflict (not yet published and not
// revealSeed).
func (s *Store) RoundInput(ctx context.Context, id string, revealSeed bool) (RoundInput, error) {
	var body string
	var published *time.Time
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT input, published_at FROM inspect_rounds WHERE id = $1`, id).Scan(&body, &published)
	if store.IsNoRows(err) {
		return RoundInput{}, apperr.New(apperr.NotFound, "no spot-check round %s", id)
	}
	if err != nil {
		return RoundInput{}, fmt.Errorf("inspect: round input %s: %w", id, err)
	}
	if published == nil && !revealSeed {
		return RoundInput{}, apperr.New(apperr.Conflict, "round %s is not published yet: its seed and inputs are secret until then", id)
	}
	var in RoundInput
	return in, json.Unmarshal([]byte(body), &in)
}

// VerifyRound re-draws a round from its stored seed and inputs and checks
// that the stored visits are what the draw gives: nobody changed a grid,
// an inspector, a time or a household after the draw. Errors: as
// RoundInput, and Conflict naming the first difference.
func (s *Store) VerifyRound(ctx context.Context, id string, revealSeed bool) error {
	in, err := s.RoundInput(ctx, id, revealSeed)
	if err != nil {
		return err
	}
	r, err := s.GetRound(ctx, id, true)
	if err != nil {
		return err
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return err
	}
	plan := Plan{InputHash: r.InputHash}
	for _, v := range r.Visits {
		plan.Visits = append(plan.Visits, DrawnVisit{Grid: v.GridID, Inspector: v.InspectorID, At: v.PlannedAt, Households: v.Households})
	}
	if err := Verify(in, cal, plan); err != nil {
		return apperr.New(apperr.Conflict, "%s", strings.TrimPrefix(err.Error(), "inspect: verify: "))
	}
	return nil
}

const visitColumns = `id, round_id, seq, grid_id, worker_id, inspector_id, planned_at, households, status, done_at, lat, lon, photos, note, COALESCE(verdict, ''), COALESCE(recorded_by, '')`

func scanVisit(row store.Row) (Visit, error) {
	var v Visit
	var hh, photos string
	if err := row.Scan(&v.ID, &v.RoundID, &v.Seq, &v.GridID, &v.WorkerID, &v.InspectorID, &v.PlannedAt, &hh, &v.Status, &v.DoneAt,
		&v.Lat, &v.Lon, &photos, &v.Note, &v.Verdict, &v.RecordedBy); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(hh), &v.Households); err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(photos), &v.Photos)
}

// visits returns the visits matching where, by round and seq, with their
// checks (read in one query for all of them).
func (s *Store) visits(ctx context.Context, where string, args ...any) ([]Visit, error) {
	q := s.db.Q(ctx)
	vs, err := store.All(ctx, q, "spot-check visits", `SELECT `+visitColumns+` FROM inspect_visits WHERE `+where+` ORDER BY round_id, seq`, args, scanVisit)
	if err != nil || len(vs) == 0 {
		return vs, err
	}
	type visitCheck struct {
		visit string
		Check
	}
	checks, err := store.All(ctx, q, "checks", `SELECT visit_id, id, item, house_id, ok, count, note, photo FROM inspect_checks
		WHERE visit_id IN (SELECT id FROM inspect_visits WHERE `+where+`) ORDER BY visit_id, item, house_id`,
		args, func(r store.Row) (visitCheck, error) {
			var c visitCheck
			return c, r.Scan(&c.visit, &c.ID, &c.Item, &c.HouseID, &c.OK, &c.Count, &c.Note, &c.Photo)
		})
	if err != nil {
		return nil, err
	}
	byVisit := map[string][]Check{}
	for _, c := range checks {
		byVisit[c.visit] = append(byVisit[c.visit], c.Check)
	}
	for i := range vs {
		vs[i].Checks = byVisit[vs[i].ID]
	}
	return vs, nil
}

// GetVisit returns one visit with its checks. Errors: NotFound.
func (s *Store) GetVisit(ctx context.Context, id string) (Visit, error) {
	vs, err := s.visits(ctx, "id = $1", id)
	if err != nil {
		return Visit{}, err
	}
	if len(vs) == 0 {
		return Visit{}, apperr.New(apperr.NotFound, "no spot-check visit %s", id)
	}
	return vs[0], nil
}

// VisitQuery selects visits; empty fields do not filter.
type VisitQuery struct {
	InspectorID string
	WorkerID    string
	GridID      string
	Status      string
}

// ListVisits returns the visits matching q.
func (s *Store) ListVisits(ctx context.Context, q VisitQuery) ([]Visit, error) {
	var args store.Args
	where := []string{"1 = 1"}
	for col, v := range map[string]string{"inspector_id": q.InspectorID, "worker_id": q.WorkerID, "grid_id": q.GridID, "status": q.Status} {
		if v != "" {
			where = append(where, col+" = "+args.Add(v))
		}
	}
	return s.visits(ctx, strings.Join(where, " AND "), args...)
}

// RecordVisit records what the inspector found on a planned visit: one
// check per household item and sampled household, and one per grid item.
// It sets the verdict (Form.FailAt and FailsVisit), and sends a fix task
// to the grid's worker for each failed item that has one, due FixDays
// later. Errors: NotFound; Conflict (the visit is done already, with
// another client ID); Invalid naming each missing, unknown or repeated
// check.
func (s *Store) RecordVisit(ctx context.Context, actor, visitID string, res Result) (Visit, error) {
	if res.ClientID != "" {
		var id string
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM inspect_visits WHERE client_id = $1`, res.ClientID).Scan(&id)
		if err == nil {
			if id != visitID {
				return Visit{}, apperr.New(apperr.Conflict, "client_id %s was already used for visit %s", res.ClientID, id)
			}
			return s.GetVisit(ctx, id)
		}
		if !store.IsNoRows(err) {
			return Visit{}, fmt.Errorf("inspect: record visit: %w", err)
		}
	}
	v, err := s.GetVisit(ctx, visitID)
	if err != nil {
		return Visit{}, err
	}
	if v.Status == "done" {
		return Visit{}, apperr.New(apperr.Conflict, "visit %s was recorded already, at %s", v.ID, v.DoneAt.Format(time.DateTime))
	}
	round, err := s.GetRound(ctx, v.RoundID, true)
	if err != nil {
		return Visit{}, err
	}
	verdict, bad := judge(round.Form, v.Households, res)
	if res.At.IsZero() {
		res.At = s.now()
	}
	if res.At.After(s.now().Add(10 * time.Minute)) {
		bad = append(bad, apperr.FieldError{Field: "at", Reason: "is in the future"})
	}
	if (res.Lat == nil) != (res.Lon == nil) || (res.Lat != nil && (*res.Lat < -90 || *res.Lat > 90 || *res.Lon < -180 || *res.Lon > 180)) {
		bad = append(bad, apperr.FieldError{Field: "lat", Reason: "give both lat and lon, in degrees"})
	}
	if len(bad) > 0 {
		return Visit{}, apperr.InvalidFields("invalid spot-check result", bad...)
	}
	items := map[string]Item{}
	for _, it := range round.Form.Items {
		items[it.Code] = it
	}
	at := res.At.UTC().Truncate(time.Microsecond)
	due := dates.Of(at).AddDays(FixDays)
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		photos, _ := json.Marshal(nonNil(res.Photos))
		var client any
		if res.ClientID != "" {
			client = res.ClientID
		}
		r, err := tx.ExecContext(ctx, `UPDATE inspect_visits SET status = 'done', done_at = $1, lat = $2, lon = $3, photos = $4, note = $5, verdict = $6,
			recorded_by = $7, recorded_at = $8, client_id = $9 WHERE id = $10 AND status = 'planned'`,
			at, res.Lat, res.Lon, string(photos), res.Note, verdict, actor, s.now(), client, v.ID)
		if err != nil {
			return fmt.Errorf("inspect: record visit %s: %w", v.ID, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "visit %s was recorded meanwhile", v.ID)
		}
		tasks := 0
		for _, c := range res.Checks {
			id := store.NewID()
			count := c.Count
			if !c.OK && count < 1 {
				count = 1
			}
			if c.OK {
				count = 0
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_checks (id, visit_id, item, house_id, ok, count, note, photo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				id, v.ID, c.Item, c.HouseID, c.OK, count, c.Note, c.Photo); err != nil {
				return fmt.Errorf("inspect: record visit %s: %w", v.ID, err)
			}
			if it := items[c.Item]; !c.OK && it.Task != "" && v.WorkerID != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_tasks (id, visit_id, check_id, grid_id, worker_id, kind, house_id, note, due_on, status)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open')`,
					store.NewID(), v.ID, id, v.GridID, v.WorkerID, it.Task, c.HouseID, c.Note, due); err != nil {
					return fmt.Errorf("inspect: record visit %s: %w", v.ID, err)
				}
				tasks++
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "inspect", Entity: "inspect_visit", EntityID: v.ID,
			After: map[string]any{"verdict": verdict, "at": at, "checks": len(res.Checks), "tasks": tasks, "grid": v.GridID}})
		return err
	})
	if err != nil {
		return Visit{}, err
	}
	return s.GetVisit(ctx, v.ID)
}

// judge checks a result against the form and the sampled households and
// returns the verdict: fail when a FailsVisit item fails, or when at least
// Form.FailAt household checks fail.
func judge(f Form, households []string, res Result) (string, []apperr.FieldError) {
	var bad []apperr.FieldError
	items := map[string]Item{}
	for _, it := range f.Items {
		items[it.Code] = it
	}
	sampled := map[string]bool{}
	for _, h := range households {
		sampled[h] = true
	}
	seen := map[string]bool{}
	fail, householdFails := false, 0
	for i, c := range res.Checks {
		field := fmt.Sprintf("checks[%d]", i)
		it, ok := items[c.Item]
		switch {
		case !ok:
			bad = append(bad, apperr.FieldError{Field: field + ".item", Reason: fmt.Sprintf("%q is not an item of form %s", c.Item, f.Code)})
			continue
		case it.Scope == PerHousehold && !sampled[c.HouseID]:
			bad = append(bad, apperr.FieldError{Field: field + ".house_id", Reason: fmt.Sprintf("%q is not a household drawn for this visit", c.HouseID)})
			continue
		case it.Scope == PerGrid && c.HouseID != "":
			bad = append(bad, apperr.FieldError{Field: field + ".house_id", Reason: "a grid item is checked on the grid, not a household"})
			continue
		case c.Count < 0:
			bad = append(bad, apperr.FieldError{Field: field + ".count", Reason: "must not be negative"})
		}
		key := c.Item + "/" + c.HouseID
		if seen[key] {
			bad = append(bad, apperr.FieldError{Field: field, Reason: "checked twice"})
		}
		seen[key] = true
		if !c.OK {
			if it.FailsVisit {
				fail = true
			}
			if it.Scope == PerHousehold {
				householdFails++
			}
		}
	}
	for _, it := range f.Items {
		targets := []string{""}
		if it.Scope == PerHousehold {
			targets = households
		}
		for _, h := range targets {
			if !seen[it.Code+"/"+h] {
				where := "the grid"
				if h != "" {
					where = "household " + h
				}
				bad = append(bad, apperr.FieldError{Field: "checks", Reason: fmt.Sprintf("item %s (%s) is not checked on %s", it.Code, it.Name, where)})
			}
		}
	}
	if f.FailAt > 0 && householdFails >= f.FailAt {
		fail = true
	}
	if fail {
		return "fail", bad
	}
	return "pass", bad
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Task is a fix sent back to a grid's worker.
type Task struct {
	ID       string     `json:"id"`
	VisitID  string     `json:"visit_id"`
	CheckID  string     `json:"check_id"`
	GridID   string     `json:"grid_id"`
	WorkerID string     `json:"worker_id"`
	Kind     string     `json:"kind"`
	Name     string     `json:"name"`
	HouseID  string     `json:"house_id,omitempty"`
	Note     string     `json:"note,omitempty"`
	DueOn    dates.Date `json:"due_on"`
	Status   string     `json:"status"` // open, done
	DoneAt   *time.Time `json:"done_at,omitempty"`
	DoneNote string     `json:"done_note,omitempty"`
}

// TaskQuery selects tasks; empty fields do not filter.
type TaskQuery struct {
	WorkerID, GridID, Status string
	// WithinID keeps the tasks of grids in this unit's subtree today.
	WithinID string
}

// Tasks returns the fix tasks matching q, open ones first, by due day.
func (s *Store) Tasks(ctx context.Context, q TaskQuery) ([]Task, error) {
	var args store.Args
	where := []string{"1 = 1"}
	for col, v := range map[string]string{"worker_id": q.WorkerID, "grid_id": q.GridID, "status": q.Status} {
		if v != "" {
			where = append(where, col+" = "+args.Add(v))
		}
	}
	prefix := ""
	if q.WithinID != "" {
		prefix = org.SubtreeCTE(&args, q.WithinID, dates.Today())
		where = append(where, "grid_id IN (SELECT id FROM sub)")
	}
	return store.All(ctx, s.db.Q(ctx), "fix tasks", prefix+`SELECT id, visit_id, check_id, grid_id, worker_id, kind, house_id, note, due_on, status, done_at, done_note
		FROM inspect_tasks WHERE `+strings.Join(where, " AND ")+` ORDER BY status DESC, due_on, id`, args, scanTask)
}

func scanTask(r store.Row) (Task, error) {
	var t Task
	err := r.Scan(&t.ID, &t.VisitID, &t.CheckID, &t.GridID, &t.WorkerID, &t.Kind, &t.HouseID, &t.Note, &t.DueOn, &t.Status, &t.DoneAt, &t.DoneNote)
	t.Name = TaskNames[t.Kind]
	return t, err
}

// GetTask returns one task. Errors: NotFound.
func (s *Store) GetTask(ctx context.Context, id string) (Task, error) {
	t, err := scanTask(s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, visit_id, check_id, grid_id, worker_id, kind, house_id, note, due_on, status, done_at, done_note
		FROM inspect_tasks WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return Task{}, apperr.New(apperr.NotFound, "no fix task %s", id)
	}
	return t, err
}

// CompleteTask marks a task done with a note of what was fixed. Errors:
// NotFound, Invalid (no note), Conflict (done already).
func (s *Store) CompleteTask(ctx context.Context, actor, id, note string) (Task, error) {
	if strings.TrimSpace(note) == "" {
		return Task{}, apperr.Field("note", "is required: say what was fixed")
	}
	err := s.db.Tx(ctx, func(tx store.Tx) error {
		ctx := store.WithTx(ctx, tx) // helpers read through tx, not the pool
		r, err := tx.ExecContext(ctx, `UPDATE inspect_tasks SET status = 'done', done_at = $1, done_by = $2, done_note = $3 WHERE id = $4 AND status = 'open'`,
			s.now(), actor, note, id)
		if err != nil {
			return fmt.Errorf("inspect: complete task %s: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			if _, err := s.GetTask(ctx, id); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "fix task %s is done already", id)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "complete", Entity: "inspect_task", EntityID: id, After: map[string]string{"note": note}})
		return err
	})
	if err != nil {
		return Task{}, err
	}
	return s.GetTask(ctx, id)
}

// Load is an inspector's work in a month (seed 004: about 500 person
// records an inspector a month).
type Load struct {
	InspectorID string `json:"inspector_id"`
	Visits      int    `json:"visits"`
	Households  int    `json:"households"`
	Checks      int    `json:"checks"`
	Failed      int    `json:"failed"`
}

// Workload returns each inspector's visits done in the month starting on
// first, with the households and checks, by inspector.
func (s *Store) Workload(ctx context.Context, first dates.Date) ([]Load, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT v.inspector_id, v.id, v.households, v.verdict, (SELECT COUNT(*) FROM inspect_checks c WHERE c.visit_id = v.id)
		FROM inspect_visits v WHERE v.status = 'done' AND v.done_at >= $1 AND v.done_at < $2 ORDER BY v.inspector_id`,
		first.Start(), first.AddMonths(1).Start())
	if err != nil {
		return nil, fmt.Errorf("inspect: workload: %w", err)
	}
	defer rows.Close()
	var out []Load
	for rows.Next() {
		var who, id, hh, verdict string
		var checks int
		if err := rows.Scan(&who, &id, &hh, &verdict, &checks); err != nil {
			return nil, err
		}
		var list []string
		_ = json.Unmarshal([]byte(hh), &list)
		if len(out) == 0 || out[len(out)-1].InspectorID != who {
			out = append(out, Load{InspectorID: who})
		}
		l := &out[len(out)-1]
		l.Visits++
		l.Households += len(list)
		l.Checks += checks
		if verdict == "fail" {
			l.Failed++
		}
	}
	return out, rows.Err()
}

// seedText is a seed as stored.
func seedText(seed uint64) string { return strconv.FormatUint(seed, 10) }

// CommunityResult is a round's outcome in one community, as published
// there (seed 004: "检查结果在社区公示").
type CommunityResult struct {
	CommunityID string        `json:"community_id"`
	Visits      int           `json:"visits"`
	Done        int           `json:"done"`
	Failed      int           `json:"failed"`
	Grids       []GridVerdict `json:"grids"`
}

// GridVerdict is one inspected grid's verdict.
type GridVerdict struct {
	GridID   string     `json:"grid_id"`
	WorkerID string     `json:"worker_id,omitempty"`
	DoneAt   *time.Time `json:"done_at,omitempty"`
	Verdict  string     `json:"verdict,omitempty"`
	Failures []string   `json:"failures,omitempty"` // the failed items' names
}

// Results returns a round's outcome per community (in the order of the
// communities' first visits), from its done visits; community maps a grid
// to its community.
func (s *Store) Results(ctx context.Context, roundID string, community func(grid string) string) ([]CommunityResult, error) {
	r, err := s.GetRound(ctx, roundID, true)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, it := range r.Form.Items {
		names[it.Code] = it.Name
	}
	var out []CommunityResult
	at := map[string]int{}
	for _, v := range r.Visits {
		c := community(v.GridID)
		i, ok := at[c]
		if !ok {
			i = len(out)
			at[c] = i
			out = append(out, CommunityResult{CommunityID: c})
		}
		cr := &out[i]
		cr.Visits++
		gv := GridVerdict{GridID: v.GridID, WorkerID: v.WorkerID}
		if v.Status == "done" {
			cr.Done++
			gv.DoneAt, gv.Verdict = v.DoneAt, v.Verdict
			if v.Verdict == "fail" {
				cr.Failed++
			}
			seen := map[string]bool{}
			for _, c := range v.Checks {
				if !c.OK && !seen[c.Item] {
					seen[c.Item] = true
					gv.Failures = append(gv.Failures, names[c.Item])
				}
			}
		}
		cr.Grids = append(cr.Grids, gv)
	}
	return out, nil
}
