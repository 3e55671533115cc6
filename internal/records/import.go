package records

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/exchange"
	"gridwork/internal/idnum"
	"gridwork/internal/org"
	"gridwork/internal/store"
)

// PeopleMapping is the column mapping of a people import: the header texts
// the centres' own ledgers and the platforms' exports use.
var PeopleMapping = exchange.Mapping{
	{Name: "name", Headers: []string{"姓名", "人员姓名"}, Required: true},
	{Name: "id_number", Headers: []string{"身份证号", "公民身份号码", "身份证号码", "证件号码"}, Required: true},
	{Name: "id_kind", Headers: []string{"证件类型"}},
	{Name: "birth_date", Headers: []string{"出生日期"}},
	{Name: "sex", Headers: []string{"性别"}},
	{Name: "category", Headers: []string{"人员类别", "人口类型"}, Required: true},
	{Name: "grid", Headers: []string{"所属网格", "网格编码", "网格"}, Required: true},
	{Name: "phone", Headers: []string{"联系电话", "手机号码", "电话"}},
	{Name: "address", Headers: []string{"现住址", "居住地址", "地址"}},
	{Name: "house_id", Headers: []string{"房屋编号"}},
	{Name: "began_on", Headers: []string{"来本地日期", "登记日期", "入住日期"}, Required: true},
	{Name: "permit", Headers: []string{"居住证", "居住证状态"}},
	{Name: "client_id", Headers: []string{"记录编号"}},
}

var categoryWords = map[string]Category{"户籍": Registered, "户籍人口": Registered, "registered": Registered,
	"流动": Floating, "流动人口": Floating, "floating": Floating, "其他": OtherPop, "人户分离": OtherPop, "other": OtherPop}

var permitWords = map[string]PermitStatus{"": PermitNone, "无": PermitNone, "未办": PermitNone, "none": PermitNone,
	"办理中": PermitApplied, "已申请": PermitApplied, "applied": PermitApplied,
	"有": PermitValid, "有效": PermitValid, "已办": PermitValid, "valid": PermitValid, "过期": PermitExpired, "已过期": PermitExpired, "expired": PermitExpired}

// gridCache resolves grid codes (or ids) of an import once each.
type gridCache struct {
	s     *Store
	ctx   context.Context
	byRef map[string]string // code or id → grid id; "" = not a grid
}

func (c *gridCache) resolve(ref string) string {
	if id, ok := c.byRef[ref]; ok {
		return id
	}
	id := ""
	if ref == "" {
		return ""
	}
	if u, err := c.s.org.UnitByCode(c.ctx, ref, c.s.today()); err == nil && u.Level == org.Grid {
		id = u.ID
	} else if u, err := c.s.org.GetUnit(c.ctx, ref, c.s.today()); err == nil && u.Level == org.Grid {
		id = u.ID
	}
	c.byRef[ref] = id
	if id != "" {
		c.byRef[id] = id
	}
	return id
}

// ImportPeople reads a people file (xlsx or CSV) into the ledger. Bad rows
// are rejected one by one in the report (row, column, reason); the good
// ones are stored in one transaction with one audit entry for the file. A
// person already living in the same grid is skipped, so a file can be
// imported again without creating duplicates. allowed, when not nil, says
// whether the caller may write to a grid; a row for another grid is
// rejected. It is called inside the import's transaction with a ctx that
// carries it: its reads must use that ctx. Errors (nothing stored): Invalid
// for an unreadable file or missing columns.
func (s *Store) ImportPeople(ctx context.Context, actor, name string, r io.Reader, allowed func(ctx context.Context, gridID string) bool) (exchange.Report, error) {
	return s.ImportPeopleWith(ctx, actor, name, r, allowed, ImportOptions{})
}

// ImportOptions change how ImportPeopleWith reads a file.
type ImportOptions struct {
	// Mapping, when not empty, is the column mapping the user chose:
	// field name (PeopleMapping) → the header text of its column. Only
	// those columns are read; the fields' usual headers are not looked
	// for, so a column the user left unmapped stays unread.
	Mapping exchange.Override
	// DryRun checks every row exactly as the import would, duplicates in
	// the ledger included, and stores nothing (the transaction is rolled
	// back): the report's Stored counts the rows that would be stored.
	DryRun bool
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("records: dry run")

// ImportPeopleWith is ImportPeople with a chosen column mapping, or as a
// dry run (see ImportOptions). Errors as ImportPeople's, and Invalid
// (field "mapping") for a mapping that names an unknown field, gives a
// field an empty header or gives two fields one header.
func (s *Store) ImportPeopleWith(ctx context.Context, actor, name string, r io.Reader, allowed func(ctx context.Context, gridID string) bool, opt ImportOptions) (exchange.Report, error) {
	rep := exchange.Report{File: name}
	mapping := PeopleMapping
	if len(opt.Mapping) > 0 {
		mapping = make(exchange.Mapping, len(PeopleMapping))
		for i, f := range PeopleMapping {
			mapping[i] = exchange.Field{Name: f.Name, Required: f.Required}
		}
		if err := exchange.CheckOverride(mapping, opt.Mapping); err != nil {
			return rep, apperr.Field("mapping", err.Error())
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, exchange.DefaultMaxBytes+1))
	if err != nil {
		return rep, fmt.Errorf("records: read import: %w", err)
	}
	format, err := exchange.DetectFormat(name, data)
	if err != nil {
		return rep, apperr.Field("file", err.Error())
	}
	var override exchange.Override
	if len(opt.Mapping) > 0 {
		override = opt.Mapping
	}
	tab, err := exchange.Open(bytes.NewReader(data), format, mapping, override, exchange.Limits{})
	if err != nil {
		return rep, apperr.Field("file", err.Error())
	}
	defer tab.Close()
	grids := &gridCache{s: s, ctx: ctx, byRef: map[string]string{}}
	seen := map[string]int{} // identity → first row in this file
	err = audit.Write(ctx, s.db, func(tx store.Tx) error {
		txctx := store.WithTx(ctx, tx)
		grids.ctx = txctx // the grid lookups read through tx, not the pool
		for {
			row, ok := tab.Next()
			if !ok {
				break
			}
			rep.Rows++
			in, bad := s.personFromRow(row, grids, allowed)
			for _, f := range row.TooLong {
				bad = append(bad, apperr.FieldError{Field: f, Reason: "is too long"})
			}
			if len(bad) == 0 {
				err := s.importPerson(txctx, tx, actor, in, row.Number, grids, seen, &rep)
				ae := apperr.As(err)
				switch {
				case err == nil:
					continue
				case ae == nil:
					return err
				case len(ae.Fields) > 0:
					bad = ae.Fields
				default:
					bad = []apperr.FieldError{{Field: "", Reason: ae.Message}}
				}
			}
			for _, b := range bad {
				rep.Reject(row, b.Field, b.Reason)
			}
			rep.Skipped++
		}
		if err := tab.Err(); err != nil {
			return apperr.Field("file", err.Error())
		}
		if opt.DryRun {
			return errDryRun
		}
		sum := sha256.Sum256(data)
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "import", Entity: "people_import", EntityID: hex.EncodeToString(sum[:]),
			After: map[string]any{"file": name, "rows": rep.Rows, "stored": rep.Stored, "skipped": rep.Skipped, "errors": len(rep.Errors)}})
		return err
	})
	if opt.DryRun && errors.Is(err, errDryRun) {
		return rep, nil
	}
	if err != nil {
		return exchange.Report{File: name}, err
	}
	return rep, nil
}

// importPerson stores one valid row, counting it in rep as stored or (a
// person already living in the same grid) skipped. Errors: Invalid or
// Conflict for the row's report; anything else aborts the import.
func (s *Store) importPerson(ctx context.Context, tx store.Tx, actor string, in NewPerson, rowNo int, grids *gridCache, seen map[string]int, rep *exchange.Report) error {
	if id, err := store.ByClientID(ctx, tx, "people", in.ClientID); err != nil || id != "" {
		if err == nil {
			rep.Stored++ // sent before: a no-op
		}
		return err
	}
	prep, err := s.preparePerson(ctx, in, grids)
	if err != nil {
		return err
	}
	if first, dup := seen[prep.index]; dup {
		return apperr.Field("id_number", fmt.Sprintf("repeats row %d of this file", first))
	}
	seen[prep.index] = rowNo
	existing, err := s.activeByIndex(ctx, tx, prep.index)
	switch {
	case err != nil:
		return err
	case existing != nil && existing.GridID == in.GridID:
		rep.Skipped++
		return nil
	case existing != nil:
		return duplicateError(in, existing)
	}
	if _, err := s.insertPerson(ctx, tx, actor, prep, false); err != nil {
		return err
	}
	rep.Stored++
	return nil
}

// personFromRow turns one import row into a NewPerson.
func (s *Store) personFromRow(row exchange.Row, grids *gridCache, allowed func(context.Context, string) bool) (NewPerson, []apperr.FieldError) {
	var bad []apperr.FieldError
	in := NewPerson{Name: row.Get("name"), IDNumber: row.Get("id_number"), Phone: row.Get("phone"), Address: row.Get("address"),
		HouseID: row.Get("house_id"), ClientID: row.Get("client_id")}
	switch k := row.Get("id_kind"); k {
	case "", "居民身份证", "身份证", "resident", "港澳台居民居住证":
		in.IDKind = ResidentID
	case "护照", "passport":
		in.IDKind = Passport
	default:
		bad = append(bad, apperr.FieldError{Field: "id_kind", Reason: fmt.Sprintf("%q is not 居民身份证 or 护照", k)})
	}
	if c, ok := categoryWords[row.Get("category")]; ok {
		in.Category = c
	} else {
		bad = append(bad, apperr.FieldError{Field: "category", Reason: fmt.Sprintf("%q is not 户籍, 流动 or 其他", row.Get("category"))})
	}
	if p, ok := permitWords[row.Get("permit")]; ok {
		in.PermitStatus = p
	} else {
		bad = append(bad, apperr.FieldError{Field: "permit", Reason: fmt.Sprintf("%q is not 有, 无, 办理中 or 过期", row.Get("permit"))})
	}
	if ref := row.Get("grid"); ref == "" {
		bad = append(bad, apperr.FieldError{Field: "grid", Reason: "is required"})
	} else if in.GridID = grids.resolve(ref); in.GridID == "" {
		bad = append(bad, apperr.FieldError{Field: "grid", Reason: fmt.Sprintf("no grid with code %q", ref)})
	} else if allowed != nil && !allowed(grids.ctx, in.GridID) {
		bad = append(bad, apperr.FieldError{Field: "grid", Reason: fmt.Sprintf("grid %q is outside what you may write to", ref)})
	}
	for _, f := range []struct {
		field string
		dst   *dates.Date
	}{{"began_on", &in.BeganOn}, {"birth_date", &in.BirthDate}} {
		if d, err := exchange.ParseDate(row.Get(f.field)); err != nil {
			bad = append(bad, apperr.FieldError{Field: f.field, Reason: err.Error()})
		} else {
			*f.dst = d
		}
	}
	switch sex := row.Get("sex"); sex {
	case "":
	case "男":
		m := true
		in.Male = &m
	case "女":
		m := false
		in.Male = &m
	default:
		bad = append(bad, apperr.FieldError{Field: "sex", Reason: fmt.Sprintf("%q is not 男 or 女", sex)})
	}
	if in.ClientID != "" && len(in.ClientID) > 64 {
		bad = append(bad, apperr.FieldError{Field: "client_id", Reason: "is longer than 64 characters"})
	}
	in.Name = strings.TrimSpace(in.Name)
	return in, bad
}

var categoryLabel = map[Category]string{Registered: "户籍", Floating: "流动", OtherPop: "其他"}

// WritePeopleXLSX writes people as an xlsx sheet, identity numbers masked:
// the export of the API and of `gridwork people export`.
func WritePeopleXLSX(w io.Writer, ps []Person) error {
	i := 0
	return exchange.WriteXLSX(w, "人口", []string{"姓名", "身份证号(脱敏)", "性别", "出生日期", "人员类别", "所属网格", "联系电话", "现住址", "来本地日期", "居住证", "状态", "录入时间"},
		func() ([]any, bool) {
			if i >= len(ps) {
				return nil, false
			}
			p := ps[i]
			i++
			sex := "女"
			if p.Male {
				sex = "男"
			}
			return []any{p.Name, p.IDMasked, sex, p.BirthDate.String(), categoryLabel[p.Category], p.GridID, p.Phone, p.Address, p.BeganOn.String(),
				string(p.PermitStatus), string(p.Status), p.EnteredAt.In(dates.Shanghai).Format("2006-01-02 15:04")}, true
		})
}

// PeopleImportSample is the head of a people file for the import wizard's
// mapping step: its columns, the mapping the usual headers give, its first
// rows (identity numbers masked), and the fields an import reads.
type PeopleImportSample struct {
	File string `json:"file"`
	exchange.Sample
	Fields []ImportField `json:"fields"`
}

// ImportField is one field a people import reads.
type ImportField struct {
	Name     string   `json:"name"`
	Required bool     `json:"required"`
	Headers  []string `json:"headers" doc:"the header texts recognised without a mapping"`
}

// looksLikeIDNumber matches a resident identity number (18 or 15
// characters): such cells are masked in a sample, whichever column they
// are in, since the wizard shows the file before anyone has said which
// column holds the numbers.
var looksLikeIDNumber = regexp.MustCompile(`^(\d{17}[\dXx]|\d{15})$`)

// SamplePeopleImport reads the head of a people file (up to rows data
// rows) for the import wizard, storing nothing. Errors: Invalid (field
// "file") for an unreadable or empty file.
func (s *Store) SamplePeopleImport(name string, r io.Reader, rows int) (PeopleImportSample, error) {
	out := PeopleImportSample{File: name, Fields: make([]ImportField, len(PeopleMapping))}
	for i, f := range PeopleMapping {
		out.Fields[i] = ImportField{Name: f.Name, Required: f.Required, Headers: f.Headers}
	}
	data, err := io.ReadAll(io.LimitReader(r, exchange.DefaultMaxBytes+1))
	if err != nil {
		return out, fmt.Errorf("records: read import: %w", err)
	}
	format, err := exchange.DetectFormat(name, data)
	if err != nil {
		return out, apperr.Field("file", err.Error())
	}
	if out.Sample, err = exchange.Peek(bytes.NewReader(data), format, PeopleMapping, rows, exchange.Limits{}); err != nil {
		return out, apperr.Field("file", err.Error())
	}
	for _, row := range out.Rows {
		for i, c := range row {
			if looksLikeIDNumber.MatchString(c) {
				row[i] = idnum.Mask(c)
			}
		}
	}
	return out, nil
}
