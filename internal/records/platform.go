package records

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/exchange"
	"gridwork/internal/idnum"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// Platform is an external platform whose exports are reconciled against the
// ledger (seed 000 III: residence permit, floating population, police,
// digital), or the care list of the special-care groups.
type Platform struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Population string `json:"population" doc:"which ledger people it should hold: floating, all, or care"`
	// Mapping is the saved column mapping: field → header text in this
	// platform's export, overriding PlatformMapping's defaults.
	Mapping exchange.Override `json:"mapping"`
}

// PlatformMapping is the column mapping of a platform export.
var PlatformMapping = exchange.Mapping{
	{Name: "id_number", Headers: []string{"身份证号", "公民身份号码", "身份证号码", "证件号码"}, Required: true},
	{Name: "name", Headers: []string{"姓名"}, Required: true},
	{Name: "birth_date", Headers: []string{"出生日期"}},
	{Name: "grid_code", Headers: []string{"网格编码", "所属网格"}},
	{Name: "photo", Headers: []string{"照片", "有无照片"}},
	{Name: "status", Headers: []string{"状态", "人员状态"}},
}

// reconciled lists the platforms of seed 000 III, reconciled against the ledger.
var reconciled = []struct{ code, name string }{
	{"permit", "居住证平台"}, {"floating", "流动人口平台"}, {"police", "公安平台"}, {"digital", "数字化平台"},
}

// platformFactNames are the facts each reconciled platform yields.
var platformFactNames = map[string][]string{}

func init() {
	for _, p := range reconciled {
		pre := "platform." + p.code + "."
		platformFactNames[p.code] = metric.Define(
			metric.Def{Name: pre + "entry_rate", Alias: p.name + "录入率", Kind: metric.Rate, Seeds: "000 III",
				Doc: "share of the ledger people this platform should hold (at its export's date) that it holds, not cancelled"},
			metric.Def{Name: pre + "missing", Alias: p.name + "漏录人数", Kind: metric.Count, Seeds: "000 III (−1 / −1.5 per missing or wrong person)",
				Doc: "ledger people this platform should hold that its export lacks"},
			metric.Def{Name: pre + "not_entered_1m", Alias: p.name + "超一个月未录入人数", Kind: metric.Count, Seeds: "000 III (−5 / −3)", Part: pre + "missing",
				Doc: "of the missing, those living here more than one month before the export's date"},
			metric.Def{Name: pre + "wrong", Alias: p.name + "错录人数", Kind: metric.Count, Seeds: "000 III",
				Doc: "people in both whose name or birth date differs"},
			metric.Def{Name: pre + "duplicates", Alias: p.name + "重复录入数", Kind: metric.Count, Seeds: "000 III (−1 / −0.2 each)",
				Doc: "extra rows of the export for an identity number it already holds"},
			metric.Def{Name: pre + "not_cancelled_3d", Alias: p.name + "迁出超3天未注销人数", Kind: metric.Count, Seeds: "000 III (−1.5 / −1)",
				Doc: "people who moved out or died more than 3 days and at most one month before the export's date and are still live in it"},
			metric.Def{Name: pre + "not_cancelled_1m", Alias: p.name + "迁出超一个月未注销人数", Kind: metric.Count, Seeds: "000 III (−5 / −3)",
				Doc: "people who moved out or died more than one month before the export's date and are still live in it"},
			metric.Def{Name: pre + "no_photo", Alias: p.name + "无照片人数", Kind: metric.Count, Seeds: "000 III (−0.5 / −0.1, age ≥ 2)",
				Doc: "live rows of the export without a photo for people aged 2 or more"},
			metric.Def{Name: pre + "unknown", Alias: p.name + "台账外人数", Kind: metric.Count, Seeds: "000 II (missed registration)",
				Doc: "live rows of the export for people our ledger has never held"},
		)
	}
}

// Platforms returns the configured platforms.
func (s *Store) Platforms(ctx context.Context) ([]Platform, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code, name, population, mapping FROM platforms ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("records: platforms: %w", err)
	}
	defer rows.Close()
	out := []Platform{}
	for rows.Next() {
		var p Platform
		var m string
		if err := rows.Scan(&p.Code, &p.Name, &p.Population, &m); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(m), &p.Mapping); err != nil {
			return nil, fmt.Errorf("records: platform %s mapping: %w", p.Code, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) platform(ctx context.Context, code string) (Platform, error) {
	ps, err := s.Platforms(ctx)
	if err != nil {
		return Platform{}, err
	}
	for _, p := range ps {
		if p.Code == code {
			return p, nil
		}
	}
	return Platform{}, apperr.New(apperr.NotFound, "no platform %q", code)
}

// SetPlatformMapping saves the column mapping of a platform's exports.
// Errors: NotFound, Invalid for an unknown field.
func (s *Store) SetPlatformMapping(ctx context.Context, actor, code string, m exchange.Override) error {
	known := map[string]bool{}
	for _, f := range PlatformMapping {
		known[f.Name] = true
	}
	for field := range m {
		if !known[field] {
			return apperr.Field("mapping."+field, "is not a platform field; use id_number, name, birth_date, grid_code, photo or status")
		}
	}
	if m == nil {
		m = exchange.Override{}
	}
	return audit.Write(ctx, s.db, func(tx store.Tx) error {
		if _, err := s.platform(store.WithTx(ctx, tx), code); err != nil {
			return err
		}
		b, _ := json.Marshal(m)
		if _, err := tx.ExecContext(ctx, `UPDATE platforms SET mapping = $1 WHERE code = $2`, string(b), code); err != nil {
			return fmt.Errorf("records: set mapping: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "set_mapping", Entity: "platform", EntityID: code, After: m})
		return err
	})
}

// PlatformImport is one stored export of a platform.
type PlatformImport struct {
	ID         string          `json:"id"`
	Platform   string          `json:"platform"`
	SHA256     string          `json:"sha256"`
	File       string          `json:"file"`
	AsOf       dates.Date      `json:"as_of"`
	ImportedAt time.Time       `json:"imported_at"`
	Report     exchange.Report `json:"report"`
	// Again is true when this exact file had been imported before: nothing
	// was stored, and the first import is returned.
	Again bool `json:"again"`
}

// ImportPlatform stores a platform's export as of a date, for
// reconciliation. Bad rows are reported one by one; the good ones are
// stored in one transaction. Importing the same file again stores nothing
// and returns the first import. Errors (nothing stored): NotFound platform;
// Invalid for an unreadable file, missing columns or a bad as_of.
func (s *Store) ImportPlatform(ctx context.Context, actor, code string, asOf dates.Date, name string, r io.Reader) (PlatformImport, error) {
	p, err := s.platform(ctx, code)
	if err != nil {
		return PlatformImport{}, err
	}
	if bad := s.checkWorldDate("as_of", asOf); len(bad) > 0 {
		return PlatformImport{}, apperr.InvalidFields("cannot import", bad...)
	}
	data, err := io.ReadAll(io.LimitReader(r, exchange.DefaultMaxBytes+1))
	if err != nil {
		return PlatformImport{}, fmt.Errorf("records: read import: %w", err)
	}
	sum := sha256.Sum256(data)
	imp := PlatformImport{ID: store.NewID(), Platform: code, SHA256: hex.EncodeToString(sum[:]), File: name, AsOf: asOf, ImportedAt: s.now(),
		Report: exchange.Report{File: name}}
	if prev, err := s.importBySum(ctx, code, imp.SHA256); err != nil || prev != nil {
		if prev != nil {
			prev.Again = true
			return *prev, nil
		}
		return PlatformImport{}, err
	}
	format, err := exchange.DetectFormat(name, data)
	if err != nil {
		return PlatformImport{}, apperr.Field("file", err.Error())
	}
	tab, err := exchange.Open(bytes.NewReader(data), format, PlatformMapping, p.Mapping, exchange.Limits{})
	if err != nil {
		return PlatformImport{}, apperr.Field("file", err.Error())
	}
	defer tab.Close()
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_imports (id, platform, sha256, file_name, as_of, imported_at, actor, rows_total, rows_stored, report)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, '{}')`, imp.ID, code, imp.SHA256, name, asOf, imp.ImportedAt, actor); err != nil {
			return fmt.Errorf("records: import %s: %w", code, err)
		}
		for {
			row, ok := tab.Next()
			if !ok {
				break
			}
			imp.Report.Rows++
			rejected := len(imp.Report.Errors)
			n, err := idnum.Parse(row.Get("id_number"), asOf)
			if err != nil {
				reason := err.Error()
				if exchange.LooksMangledByExcel(row.Get("id_number")) {
					reason += "; format the column as text"
				}
				imp.Report.Reject(row, "id_number", reason)
			}
			if row.Get("name") == "" {
				imp.Report.Reject(row, "name", "is required")
			}
			birth, err := exchange.ParseDate(row.Get("birth_date"))
			if err != nil {
				imp.Report.Reject(row, "birth_date", err.Error())
			}
			photo, why := yesNo(row.Get("photo"), true)
			if why != "" {
				imp.Report.Reject(row, "photo", why)
			}
			cancelled := false
			switch st := row.Get("status"); st {
			case "", "正常", "在住", "有效":
			case "注销", "已注销", "迁出", "已迁出":
				cancelled = true
			default:
				imp.Report.Reject(row, "status", fmt.Sprintf("%q is not 正常 or 注销", st))
			}
			for _, f := range row.TooLong {
				imp.Report.Reject(row, f, "is too long")
			}
			if len(imp.Report.Errors) > rejected {
				imp.Report.Skipped++
				continue
			}
			if birth.IsZero() {
				birth = n.Birth
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO platform_rows (import_id, row_no, id_index, id_masked, name, birth_date, grid_code, has_photo, cancelled)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, imp.ID, row.Number, s.keys.Index(idIndexContext, string(ResidentID)+":"+n.Value),
				idnum.Mask(n.Value), row.Get("name"), birth, row.Get("grid_code"), photo, cancelled)
			if err != nil {
				return fmt.Errorf("records: import %s row %d: %w", code, row.Number, err)
			}
			imp.Report.Stored++
		}
		if err := tab.Err(); err != nil {
			return apperr.Field("file", err.Error())
		}
		rep, _ := json.Marshal(imp.Report)
		if _, err := tx.ExecContext(ctx, `UPDATE platform_imports SET rows_total = $1, rows_stored = $2, report = $3 WHERE id = $4`,
			imp.Report.Rows, imp.Report.Stored, string(rep), imp.ID); err != nil {
			return fmt.Errorf("records: import %s: %w", code, err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "import", Entity: "platform_import", EntityID: imp.ID,
			After: map[string]any{"platform": code, "file": name, "sha256": imp.SHA256, "as_of": asOf.String(), "rows": imp.Report.Rows, "stored": imp.Report.Stored}})
		return err
	})
	if err != nil {
		return PlatformImport{}, err
	}
	return imp, nil
}

// yesNo reads a 有/无 cell; empty gives def.
func yesNo(s string, def bool) (bool, string) {
	switch s {
	case "":
		return def, ""
	case "有", "是", "Y", "y", "1":
		return true, ""
	case "无", "否", "N", "n", "0":
		return false, ""
	}
	return false, fmt.Sprintf("%q is not 有 or 无", s)
}

func (s *Store) importBySum(ctx context.Context, code, sum string) (*PlatformImport, error) {
	var imp PlatformImport
	var rep string
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, platform, sha256, file_name, as_of, imported_at, report FROM platform_imports WHERE platform = $1 AND sha256 = $2`, code, sum).
		Scan(&imp.ID, &imp.Platform, &imp.SHA256, &imp.File, &imp.AsOf, &imp.ImportedAt, &rep)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("records: look up import: %w", err)
	}
	if err := json.Unmarshal([]byte(rep), &imp.Report); err != nil {
		return nil, fmt.Errorf("records: import report: %w", err)
	}
	return &imp, nil
}

// platformRow is one stored row of an export.
type platformRow struct {
	no        int
	index     string
	name      string
	birth     dates.Date
	gridCode  string
	photo     bool
	cancelled bool
}

// ledgerPerson is what reconciliation needs of a ledger person.
type ledgerPerson struct {
	id, grid, name string
	category       Category
	birth, began   dates.Date
	ended          dates.Date
	reason         EndReason
	living         bool
}

// PlatformFacts (part of Facts) reconciles, for each platform of seed 000 III, its latest
// export dated within p against the ledger as it stood at the end of the
// export's date, and measures the platform facts per grid. A platform with
// no export in the month yields no facts: the assessment sees them as
// missing, not as zero. A row the ledger does not know is placed by its
// grid code; without one it is counted nowhere (and listed in no grid).
func (s *Store) PlatformFacts(ctx context.Context, p metric.Period) (metric.GridFacts, []string, error) {
	g := metric.GridFacts{}
	var measured []string
	q := s.db.Q(ctx)
	for _, pl := range reconciled {
		var importID string
		var asOf dates.Date
		err := q.QueryRowContext(ctx, `SELECT id, as_of FROM platform_imports WHERE platform = $1 AND as_of >= $2 AND as_of <= $3
			ORDER BY as_of DESC, imported_at DESC LIMIT 1`, pl.code, p.First(), p.Last()).Scan(&importID, &asOf)
		if store.IsNoRows(err) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("records: platform facts: %w", err)
		}
		var population string
		if err := q.QueryRowContext(ctx, `SELECT population FROM platforms WHERE code = $1`, pl.code).Scan(&population); err != nil {
			return nil, nil, fmt.Errorf("records: platform facts: %w", err)
		}
		measured = append(measured, platformFactNames[pl.code]...)
		if err := s.reconcile(ctx, q, g, "platform."+pl.code+".", importID, asOf, population); err != nil {
			return nil, nil, err
		}
	}
	return g, measured, nil
}

func (s *Store) reconcile(ctx context.Context, q store.Queryer, g metric.GridFacts, pre, importID string, asOf dates.Date, population string) error {
	rows, err := q.QueryContext(ctx, `SELECT row_no, id_index, name, birth_date, grid_code, has_photo, cancelled FROM platform_rows WHERE import_id = $1 ORDER BY row_no`, importID)
	if err != nil {
		return fmt.Errorf("records: reconcile: %w", err)
	}
	live := map[string][]platformRow{}
	for rows.Next() {
		var r platformRow
		if err := rows.Scan(&r.no, &r.index, &r.name, &r.birth, &r.gridCode, &r.photo, &r.cancelled); err != nil {
			rows.Close()
			return err
		}
		if !r.cancelled {
			live[r.index] = append(live[r.index], r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The ledger at the end of the export's date, by identity.
	endOfDay := asOf.AddDays(1).Start().UTC()
	rows, err = q.QueryContext(ctx, `SELECT id, grid_id, name, category, birth_date, began_on, id_index, status, ended_on, end_reason, end_entered_at
		FROM people WHERE entered_at < $1 ORDER BY entered_at`, endOfDay)
	if err != nil {
		return fmt.Errorf("records: reconcile: %w", err)
	}
	ledger := map[string]ledgerPerson{} // a living record wins over an ended one
	for rows.Next() {
		var lp ledgerPerson
		var index, status string
		var endEntered *time.Time
		if err := rows.Scan(&lp.id, &lp.grid, &lp.name, &lp.category, &lp.birth, &lp.began, &index, &status, &lp.ended, &lp.reason, &endEntered); err != nil {
			rows.Close()
			return err
		}
		lp.living = status == string(Active) || endEntered == nil || !endEntered.Before(endOfDay)
		if prev, ok := ledger[index]; ok && prev.living && !lp.living {
			continue
		}
		ledger[index] = lp
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	grids, err := s.gridsByCode(ctx, q, asOf)
	if err != nil {
		return err
	}
	rowRef := func(r platformRow, note string) metric.Ref {
		return metric.Ref{Entity: "platform_row", ID: fmt.Sprintf("%s:%d", importID, r.no), Note: note}
	}
	gridOf := func(index string, r platformRow) string {
		if lp, ok := ledger[index]; ok {
			return lp.grid
		}
		return grids[r.gridCode]
	}
	for index, lp := range ledger {
		if !lp.living || (population == "floating" && lp.category != Floating) {
			continue
		}
		t := g.At(lp.grid, pre+"entry_rate")
		t.Den++
		ref := metric.Ref{Entity: "person", ID: lp.id}
		rs := live[index]
		if len(rs) == 0 {
			t.Evidence = append(t.Evidence, ref)
			g.At(lp.grid, pre+"missing").Add(ref)
			if asOf.After(lp.began.AddMonths(1)) {
				g.At(lp.grid, pre+"not_entered_1m").Add(metric.Ref{Entity: "person", ID: lp.id, Note: "here since " + lp.began.String()})
			}
			continue
		}
		t.Num++
		if r := rs[0]; r.name != lp.name || (!r.birth.IsZero() && r.birth != lp.birth) {
			g.At(lp.grid, pre+"wrong").Add(rowRef(r, "ledger: "+lp.name+" "+lp.birth.String()+"; platform: "+r.name+" "+r.birth.String()))
		}
	}
	for index, rs := range live {
		grid := gridOf(index, rs[0])
		if grid == "" {
			continue
		}
		for _, r := range rs[1:] {
			g.At(grid, pre+"duplicates").Add(rowRef(r, fmt.Sprintf("repeats row %d", rs[0].no)))
		}
		lp, known := ledger[index]
		switch {
		case !known:
			g.At(grid, pre+"unknown").Add(rowRef(rs[0], "not in the ledger"))
		case !lp.living && (lp.reason == MovedOut || lp.reason == Died):
			note := "ended " + lp.ended.String()
			if asOf.After(lp.ended.AddMonths(1)) {
				g.At(grid, pre+"not_cancelled_1m").Add(rowRef(rs[0], note))
			} else if asOf.After(lp.ended.AddDays(EndGraceDays)) {
				g.At(grid, pre+"not_cancelled_3d").Add(rowRef(rs[0], note))
			}
		}
		birth := rs[0].birth
		if known {
			birth = lp.birth
		}
		if !rs[0].photo && idnum.AgeOn(birth, asOf) >= PhotoFromAge {
			g.At(grid, pre+"no_photo").Add(rowRef(rs[0], ""))
		}
	}
	return nil
}

// gridsByCode maps the codes of the grids in force on d to their ids.
func (s *Store) gridsByCode(ctx context.Context, q store.Queryer, d dates.Date) (map[string]string, error) {
	out, err := org.GridsByCode(ctx, q, d)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	return out, nil
}
