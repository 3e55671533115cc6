package duty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// ---------------------------------------------------------------- publicity

// Level is the level of the outlet that published an article.
type Level string

// The publicity levels (seed 003 item 9).
const (
	District Level = "district" // 区级
	City     Level = "city"     // 市级
	Province Level = "province" // 省级
	National Level = "national" // 国家级 (中央级)
)

func (l Level) valid() bool { return l == District || l == City || l == Province || l == National }

// Article is a publicity article about a unit's work.
type Article struct {
	ID          string     `json:"id,omitempty"`
	ClientID    string     `json:"client_id,omitempty"`
	UnitID      string     `json:"unit_id" doc:"the community (or grid) the article is about"`
	Level       Level      `json:"level" enum:"district,city,province,national"`
	Title       string     `json:"title"`
	Outlet      string     `json:"outlet,omitempty" doc:"the paper, site or broadcaster"`
	URL         string     `json:"url,omitempty"`
	File        string     `json:"file,omitempty" doc:"sha256 of an uploaded scan"`
	PublishedOn dates.Date `json:"published_on"`
	EnteredBy   string     `json:"entered_by,omitempty"`
	EnteredAt   time.Time  `json:"entered_at,omitempty"`
}

const articleColumns = `id, COALESCE(client_id, ''), unit_id, level, title, outlet, url, COALESCE(file, ''), published_on, entered_by, entered_at`

func scanArticle(row store.Row) (Article, error) {
	var a Article
	err := row.Scan(&a.ID, &a.ClientID, &a.UnitID, &a.Level, &a.Title, &a.Outlet, &a.URL, &a.File, &a.PublishedOn, &a.EnteredBy, &a.EnteredAt)
	return a, err
}

var getArticle = byID("duty_publicity", articleColumns, "article", scanArticle)

// RecordArticle stores a publicity article. A resend with the same
// ClientID returns the first. Errors: Invalid naming each bad field.
func (s *Store) RecordArticle(ctx context.Context, actor string, in Article) (Article, error) {
	var out Article
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_publicity", in.ClientID, "cannot record article", getArticle, &out); done {
			return err
		}
		var p problems
		if err := unitOf(ctx, tx, &p, "unit_id", in.UnitID, org.Community, org.Area, org.Grid); err != nil {
			return err
		}
		if !in.Level.valid() {
			p.add("level", "%q is not district, city, province or national", in.Level)
		}
		in.Title, in.Outlet, in.URL = strings.TrimSpace(in.Title), strings.TrimSpace(in.Outlet), strings.TrimSpace(in.URL)
		p.text("title", in.Title, maxTitle, true)
		p.text("outlet", in.Outlet, maxTitle, false)
		p.text("url", in.URL, 2000, false)
		if err := fileExists(ctx, tx, &p, "file", in.File); err != nil {
			return err
		}
		if in.PublishedOn.IsZero() {
			p.add("published_on", "is required")
		} else if in.PublishedOn.After(s.today()) {
			p.add("published_on", "%s is in the future", in.PublishedOn)
		}
		if err := p.err("cannot record article"); err != nil {
			return err
		}
		in.ID, in.EnteredBy, in.EnteredAt = store.NewID(), actor, s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_publicity (id, client_id, unit_id, level, title, outlet, url, file, published_on, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			in.ID, store.NullIfEmpty(in.ClientID), in.UnitID, in.Level, in.Title, in.Outlet, in.URL, store.NullIfEmpty(in.File), in.PublishedOn, actor, in.EnteredAt)
		if err != nil {
			return fmt.Errorf("duty: record article: %w", err)
		}
		out = in
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_article", EntityID: in.ID, After: in})
		return err
	})
	return out, err
}

// Articles returns the articles about units in scope published from from
// to to (zero for no bound), by date.
func (s *Store) Articles(ctx context.Context, sc Scope, from, to dates.Date) ([]Article, error) {
	var args store.Args
	prefix, cond := unitScope(&args, sc, "unit_id", s.today())
	cond = onDays(&args, cond, "published_on", from, to)
	return store.All(ctx, s.db.Q(ctx), "duty articles", prefix+`SELECT `+articleColumns+` FROM duty_publicity WHERE `+cond+` ORDER BY published_on, id`, args, scanArticle)
}

// ---------------------------------------------------------------- systems

// SystemKind is a written system a community must have on file (seed 000 I).
type SystemKind string

// The system kinds.
const (
	MorningMeetingSystem  SystemKind = "morning_meeting"  // 晨会制度
	AnalysisMeetingSystem SystemKind = "analysis_meeting" // 研判会议制度
	EliminationSystem     SystemKind = "elimination"      // 年度末位淘汰制度
	QRGPSSystem           SystemKind = "qr_gps"           // 二维码手机、张贴、WiFi 器和手机 GPS 定位管理制度
	BackTracingSystem     SystemKind = "back_tracing"     // 漏登倒查制度
)

func (k SystemKind) valid() bool {
	switch k {
	case MorningMeetingSystem, AnalysisMeetingSystem, EliminationSystem, QRGPSSystem, BackTracingSystem:
		return true
	}
	return false
}

// System is a written system on file for a community, from FiledOn until
// the day before WithdrawnOn.
type System struct {
	ID          string     `json:"id,omitempty"`
	UnitID      string     `json:"unit_id"`
	Kind        SystemKind `json:"kind" enum:"morning_meeting,analysis_meeting,elimination,qr_gps,back_tracing"`
	Title       string     `json:"title,omitempty"`
	File        string     `json:"file,omitempty" doc:"sha256 of the uploaded document"`
	FiledOn     dates.Date `json:"filed_on"`
	WithdrawnOn dates.Date `json:"withdrawn_on,omitempty"`
	EnteredBy   string     `json:"entered_by,omitempty"`
	EnteredAt   time.Time  `json:"entered_at,omitempty"`
}

const systemColumns = `id, unit_id, kind, title, COALESCE(file, ''), filed_on, withdrawn_on, entered_by, entered_at`

func scanSystem(row store.Row) (System, error) {
	var x System
	err := row.Scan(&x.ID, &x.UnitID, &x.Kind, &x.Title, &x.File, &x.FiledOn, &x.WithdrawnOn, &x.EnteredBy, &x.EnteredAt)
	return x, err
}

// FileSystem puts a community's written system on file. Errors: Invalid
// naming each bad field (the unit must be a community, the document an
// uploaded file).
func (s *Store) FileSystem(ctx context.Context, actor string, in System) (System, error) {
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		var p problems
		if err := unitOf(ctx, tx, &p, "unit_id", in.UnitID, org.Community); err != nil {
			return err
		}
		if !in.Kind.valid() {
			p.add("kind", "%q is not morning_meeting, analysis_meeting, elimination, qr_gps or back_tracing", in.Kind)
		}
		in.Title = strings.TrimSpace(in.Title)
		p.text("title", in.Title, maxTitle, false)
		if err := fileExists(ctx, tx, &p, "file", in.File); err != nil {
			return err
		}
		if in.FiledOn.IsZero() {
			p.add("filed_on", "is required")
		} else if in.FiledOn.After(s.today()) {
			p.add("filed_on", "%s is in the future", in.FiledOn)
		}
		if !in.WithdrawnOn.IsZero() && !in.WithdrawnOn.After(in.FiledOn) {
			p.add("withdrawn_on", "must be after filed_on")
		}
		if err := p.err("cannot file system"); err != nil {
			return err
		}
		in.ID, in.EnteredBy, in.EnteredAt = store.NewID(), actor, s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_systems (id, unit_id, kind, title, file, filed_on, withdrawn_on, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			in.ID, in.UnitID, in.Kind, in.Title, store.NullIfEmpty(in.File), in.FiledOn, in.WithdrawnOn, actor, in.EnteredAt)
		if err != nil {
			return fmt.Errorf("duty: file system: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_system", EntityID: in.ID, After: in})
		return err
	})
	if err != nil {
		return System{}, err
	}
	return in, nil
}

// WithdrawSystem takes a system off file from a date. Errors: NotFound;
// Invalid for a date not after it was filed; Conflict when withdrawn
// already.
func (s *Store) WithdrawSystem(ctx context.Context, actor, id string, on dates.Date) (System, error) {
	var out System
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		x, err := scanSystem(tx.QueryRowContext(ctx, `SELECT `+systemColumns+` FROM duty_systems WHERE id = $1`, id))
		if store.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "no system %s on file", id)
		}
		if err != nil {
			return fmt.Errorf("duty: withdraw system: %w", err)
		}
		if !x.WithdrawnOn.IsZero() {
			return apperr.New(apperr.Conflict, "system %s was withdrawn on %s", id, x.WithdrawnOn)
		}
		if on.IsZero() || !on.After(x.FiledOn) {
			return apperr.Field("on", "must be after the day it was filed ("+x.FiledOn.String()+")")
		}
		before := x
		x.WithdrawnOn = on
		if _, err := tx.ExecContext(ctx, `UPDATE duty_systems SET withdrawn_on = $1 WHERE id = $2`, on, id); err != nil {
			return fmt.Errorf("duty: withdraw system: %w", err)
		}
		out = x
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "withdraw", Entity: "duty_system", EntityID: id, Before: before, After: x})
		return err
	})
	return out, err
}

// Systems returns the systems of communities in scope, by unit, kind and
// date filed.
func (s *Store) Systems(ctx context.Context, sc Scope) ([]System, error) {
	var args store.Args
	prefix, cond := unitScope(&args, sc, "unit_id", s.today())
	return store.All(ctx, s.db.Q(ctx), "duty systems", prefix+`SELECT `+systemColumns+` FROM duty_systems WHERE `+cond+` ORDER BY unit_id, kind, filed_on, id`, args, scanSystem)
}

// ---------------------------------------------------------------- findings

// FindingKind is a kind of duty finding staff record.
type FindingKind string

// The finding kinds.
const (
	AssignmentRefused FindingKind = "assignment_refused" // 不服从工作安排 (seed 001)
	PhoneNotCarried   FindingKind = "phone_not_carried"  // 未随身携带网格手机 (seed 001)
	IssueUnanalysed   FindingKind = "issue_unanalysed"   // 突出问题未及时研判 (seed 000 IV)
	TaskMissed        FindingKind = "task_missed"        // 漏处理平台事项 (seed 001)
)

func (k FindingKind) valid() bool {
	return k == AssignmentRefused || k == PhoneNotCarried || k == IssueUnanalysed || k == TaskMissed
}

// Finding is a duty finding about a worker, or (issue_unanalysed) a unit.
type Finding struct {
	ID        string      `json:"id,omitempty"`
	ClientID  string      `json:"client_id,omitempty"`
	Kind      FindingKind `json:"kind" enum:"assignment_refused,phone_not_carried,issue_unanalysed,task_missed"`
	WorkerID  string      `json:"worker_id,omitempty" doc:"required except for issue_unanalysed"`
	UnitID    string      `json:"unit_id,omitempty" doc:"where: the worker's grid or community; default the worker's home unit"`
	FoundOn   dates.Date  `json:"found_on"`
	Note      string      `json:"note" doc:"what was found"`
	EnteredBy string      `json:"entered_by,omitempty"`
	EnteredAt time.Time   `json:"entered_at,omitempty"`
}

const findingColumns = `id, COALESCE(client_id, ''), kind, COALESCE(worker_id, ''), unit_id, found_on, note, entered_by, entered_at`

func scanFinding(row store.Row) (Finding, error) {
	var f Finding
	err := row.Scan(&f.ID, &f.ClientID, &f.Kind, &f.WorkerID, &f.UnitID, &f.FoundOn, &f.Note, &f.EnteredBy, &f.EnteredAt)
	return f, err
}

var getFinding = byID("duty_findings", findingColumns, "finding", scanFinding)

// RecordFinding stores a finding. A resend with the same ClientID returns
// the first. Errors: Invalid naming each bad field (a note is required; a
// worker for every kind but issue_unanalysed).
func (s *Store) RecordFinding(ctx context.Context, actor string, in Finding) (Finding, error) {
	var out Finding
	err := audit.Write(ctx, s.db, func(tx store.Tx) error {
		if done, err := resent(ctx, tx, "duty_findings", in.ClientID, "cannot record finding", getFinding, &out); done {
			return err
		}
		var p problems
		if !in.Kind.valid() {
			p.add("kind", "%q is not assignment_refused, phone_not_carried, issue_unanalysed or task_missed", in.Kind)
		}
		if in.WorkerID != "" || in.Kind != IssueUnanalysed {
			if err := workerExists(ctx, tx, &p, "worker_id", in.WorkerID); err != nil {
				return err
			}
		}
		if in.UnitID == "" && in.WorkerID != "" {
			if w, err := org.WorkerByID(ctx, tx, in.WorkerID); err == nil {
				in.UnitID = w.HomeUnitID
			}
		}
		// A finding about a worker may name their home unit, a street for
		// centre staff; one about a unit alone must name a community or
		// below, where its count lands (the unit's anchor grid).
		levels := []org.Level{org.Community, org.Area, org.Grid}
		if in.WorkerID != "" {
			levels = append(levels, org.Street, org.District)
		}
		if err := unitOf(ctx, tx, &p, "unit_id", in.UnitID, levels...); err != nil {
			return err
		}
		in.Note = strings.TrimSpace(in.Note)
		p.text("note", in.Note, MaxText, true)
		if in.FoundOn.IsZero() {
			p.add("found_on", "is required")
		} else if in.FoundOn.After(s.today()) {
			p.add("found_on", "%s is in the future", in.FoundOn)
		}
		if err := p.err("cannot record finding"); err != nil {
			return err
		}
		in.ID, in.EnteredBy, in.EnteredAt = store.NewID(), actor, s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO duty_findings (id, client_id, kind, worker_id, unit_id, found_on, note, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			in.ID, store.NullIfEmpty(in.ClientID), in.Kind, store.NullIfEmpty(in.WorkerID), in.UnitID, in.FoundOn, in.Note, actor, in.EnteredAt)
		if err != nil {
			return fmt.Errorf("duty: record finding: %w", err)
		}
		out = in
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "create", Entity: "duty_finding", EntityID: in.ID, After: in})
		return err
	})
	return out, err
}

// Findings returns the findings in scope (a worker's, or those about units
// or workers under Scope.WithinID) from from to to, by date.
func (s *Store) Findings(ctx context.Context, sc Scope, from, to dates.Date) ([]Finding, error) {
	var args store.Args
	cond := "1 = 1"
	prefix := ""
	if sc.WithinID != "" {
		prefix = org.SubtreeCTE(&args, sc.WithinID, s.today())
		cond = "(unit_id IN (SELECT id FROM sub) OR worker_id IN (" + org.WorkersHomedInSub + "))"
	}
	if sc.WorkerID != "" {
		cond += " AND worker_id = " + args.Add(sc.WorkerID)
	}
	cond = onDays(&args, cond, "found_on", from, to)
	return store.All(ctx, s.db.Q(ctx), "duty findings", prefix+`SELECT `+findingColumns+` FROM duty_findings WHERE `+cond+` ORDER BY found_on, id`, args, scanFinding)
}
