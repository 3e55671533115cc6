package exchange

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gridwork/internal/dates"
)

const (
	id1 = "110101199003077578"
	id2 = "11010519491231002X"
)

type wantRow struct {
	n       int
	vals    map[string]string
	tooLong []string
}

func gb18030(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func roundTripXLSX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	rows := [][]any{
		{"张三", id1, "13800138000", dates.New(1990, 3, 7)},
		{"李四", id2, nil, dates.Date{}},
		{" 王五 ", "123", 13900139000, "1949/12/31"},
	}
	if err := WriteXLSX(&buf, "人员", []string{"姓名", "身份证号", "联系电话", "出生日期"}, rowsOf(rows)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpen(t *testing.T) {
	m := personMapping
	csvData := func(s string) func(testing.TB) []byte { return func(testing.TB) []byte { return []byte(s) } }
	tests := []struct {
		name    string
		format  Format
		data    func(testing.TB) []byte
		m       Mapping
		o       Override
		lim     Limits
		want    []wantRow
		cols    map[string]string
		header  int
		errHas  string // Open error contains
		errIs   error
		iterErr error // Err after iteration wraps
	}{
		{
			name:   "plain csv",
			format: CSV,
			data:   csvData("姓名,身份证号,联系电话\n张三," + id1 + ",13800138000\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"name": "张三", "id": id1, "phone": "13800138000", "birth": ""}}},
			cols:   map[string]string{"name": "1", "id": "2", "phone": "3"},
			header: 1,
		},
		{
			name:   "title rows above header",
			format: CSV,
			data:   csvData("西湖区北山街道重点人员名单,,\n导出时间：2024-01-05,,\n\n序号,姓名,证件号码\n1,李四," + id2 + "\n"),
			want:   []wantRow{{n: 5, vals: map[string]string{"name": "李四", "id": id2}}},
			cols:   map[string]string{"name": "2", "id": "3"},
			header: 4,
		},
		{
			name:   "header variants",
			format: CSV,
			data:   csvData(" 姓\u3000名 *,公民身份号码（必填）,＊手机号码(必填),ＸＸ\n  张三 ,\u00a0" + id1 + "\u3000,\ufeff138\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"name": "张三", "id": id1, "phone": "138"}}},
			cols:   map[string]string{"name": "1", "id": "2", "phone": "3"},
			header: 1,
		},
		{
			name:   "latin header case and full width",
			format: CSV,
			m:      Mapping{{Name: "id", Headers: []string{"ID Number"}, Required: true}},
			data:   csvData("ＩＤ　ｎｕｍｂｅｒ\nx\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"id": "x"}}},
			header: 1,
		},
		{
			name:   "missing required column",
			format: CSV,
			data:   csvData("标题\n姓名,电话,,地址\n张三,1,,x\n"),
			errHas: `missing required column: id (header "身份证号", "公民身份号码" or "证件号码"); headers found in row 2: 1 "姓名", 2 "电话", 4 "地址"`,
		},
		{
			name:   "two missing columns in xlsx",
			format: XLSX,
			m:      append(Mapping{{Name: "grid", Headers: []string{"所属网格"}, Required: true}}, m...),
			data:   func(t testing.TB) []byte { return xlsxOf(t, []any{"姓名", nil, "电话"}) },
			errHas: `missing required columns: grid (header "所属网格"); id (header "身份证号", "公民身份号码" or "证件号码"); headers found in row 1: A "姓名", C "电话"`,
		},
		{
			name:   "duplicate columns csv",
			format: CSV,
			data:   csvData("姓名,身份证号,证件号码\n"),
			errHas: `columns 2 ("身份证号") and 3 ("证件号码") in row 1 both map to field id`,
		},
		{
			name:   "duplicate columns xlsx",
			format: XLSX,
			data: func(t testing.TB) []byte {
				return xlsxOf(t, []any{"title"}, []any{"姓名", "身份证号", "电话", "身份证号 "})
			},
			errHas: `columns B ("身份证号") and D ("身份证号") in row 2 both map to field id`,
		},
		{
			name:   "empty rows keep numbering",
			format: CSV,
			data:   csvData("\n姓名,身份证号\n\n张三,1\n,\n \t, \n\n李四,2\n"),
			want: []wantRow{
				{n: 4, vals: map[string]string{"name": "张三", "id": "1"}},
				{n: 8, vals: map[string]string{"name": "李四", "id": "2"}},
			},
			header: 2,
		},
		{
			name:   "multi-line quoted field counts lines",
			format: CSV,
			data:   csvData("姓名,身份证号\r\n\"张\r\n三\",1\r\n李\"四,2\r\n"),
			want: []wantRow{
				{n: 2, vals: map[string]string{"name": "张\n三", "id": "1"}},
				{n: 4, vals: map[string]string{"name": `李"四`, "id": "2"}},
			},
			header: 1,
		},
		{
			name:   "short and long rows",
			format: CSV,
			data:   csvData("姓名,身份证号,联系电话\n张三\n李四,2,3,4,5\n"),
			want: []wantRow{
				{n: 2, vals: map[string]string{"name": "张三", "id": "", "phone": ""}},
				{n: 3, vals: map[string]string{"name": "李四", "id": "2", "phone": "3"}},
			},
			header: 1,
		},
		{
			name:   "gb18030 csv",
			format: CSV,
			data: func(t testing.TB) []byte {
				return gb18030(t, "人员名单\r\n姓名,身份证号,联系电话\r\n欧阳娜,"+id2+",手机\r\n")
			},
			want:   []wantRow{{n: 3, vals: map[string]string{"name": "欧阳娜", "id": id2, "phone": "手机"}}},
			header: 2,
		},
		{
			name:   "gb18030 csv cut at sniff boundary stays utf-8",
			format: CSV,
			data: func(t testing.TB) []byte {
				// UTF-8 whose 64 KiB prefix ends inside a character.
				s := "姓名,身份证号\n" + strings.Repeat("x", csvSniff-len("姓名,身份证号\n")-1) + ",1\n中,2\n"
				return []byte(s)
			},
			want: []wantRow{
				{n: 2, vals: map[string]string{"name": strings.Repeat("x", DefaultMaxCell), "id": "1"}, tooLong: []string{"name"}},
				{n: 3, vals: map[string]string{"name": "中", "id": "2"}},
			},
			header: 1,
		},
		{
			name:   "bom csv",
			format: CSV,
			data:   csvData("\xEF\xBB\xBF姓名,身份证号\n张三,1\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"name": "张三", "id": "1"}}},
			cols:   map[string]string{"name": "1", "id": "2"},
			header: 1,
		},
		{
			name:   "utf-16 csv",
			format: CSV,
			data:   csvData("\xFF\xFEx\x00"),
			errHas: "UTF-16",
		},
		{
			name:   "xlsx round trip",
			format: XLSX,
			data:   roundTripXLSX,
			want: []wantRow{
				{n: 2, vals: map[string]string{"name": "张三", "id": id1, "phone": "13800138000", "birth": "1990-03-07"}},
				{n: 3, vals: map[string]string{"name": "李四", "id": id2, "phone": "", "birth": ""}},
				{n: 4, vals: map[string]string{"name": "王五", "id": "123", "phone": "13900139000", "birth": "1949/12/31"}},
			},
			cols:   map[string]string{"name": "A", "id": "B", "phone": "C", "birth": "D"},
			header: 1,
		},
		{
			name:   "xlsx title rows, empty rows, mangled id number",
			format: XLSX,
			data: func(t testing.TB) []byte {
				return xlsxOf(t,
					[]any{"2024年第一季度重点人员"},
					nil,
					[]any{nil, "姓名", "身份证号"},
					nil,
					[]any{nil, "张三", 110101199003077578},
					[]any{nil, " "},
					[]any{nil, "李四", id2},
				)
			},
			want: []wantRow{
				{n: 5, vals: map[string]string{"name": "张三", "id": "1.10101199003078E+17"}},
				{n: 7, vals: map[string]string{"name": "李四", "id": id2}},
			},
			cols:   map[string]string{"name": "B", "id": "C"},
			header: 3,
		},
		{
			name:   "override picks another header and wins",
			format: CSV,
			o:      Override{"id": "证件号", "name": "联系电话"},
			data:   csvData("姓名,身份证号,证件号,联系电话\n张三,1,2,3\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"name": "3", "id": "2", "phone": ""}}},
			cols:   map[string]string{"name": "4", "id": "3"},
			header: 1,
		},
		{
			name:   "override header missing",
			format: CSV,
			o:      Override{"id": "证件号"},
			data:   csvData("姓名,身份证号\n"),
			errHas: `missing required column: id (header "证件号"); headers found in row 1: 1 "姓名", 2 "身份证号"`,
		},
		{
			name:   "override unknown field",
			format: CSV,
			o:      Override{"nope": "x"},
			data:   csvData("姓名,身份证号\n"),
			errHas: `override names unknown field "nope"`,
		},
		{
			name:   "mapping header listed twice",
			format: CSV,
			m:      Mapping{{Name: "a", Headers: []string{"号码"}}, {Name: "b", Headers: []string{"号 码"}}},
			data:   csvData("号码\n"),
			errHas: `header "号 码" is listed for both "a" and "b"`,
		},
		{
			name:   "no header within title rows",
			format: CSV,
			data:   csvData(strings.Repeat("标题\n", 11) + "姓名,身份证号\n"),
			errIs:  ErrNoHeader,
			errHas: `none of the first 11 non-empty rows has a known column header (expected headers such as "姓名", "身份证号")`,
		},
		{
			name:   "ten title rows are fine",
			format: CSV,
			data:   csvData(strings.Repeat("标题\n\n", 10) + "姓名,身份证号\n张三,1\n"),
			want:   []wantRow{{n: 22, vals: map[string]string{"name": "张三", "id": "1"}}},
			header: 21,
		},
		{
			name:   "empty file",
			format: CSV,
			data:   csvData(""),
			errIs:  ErrNoHeader,
			errHas: "the file has no data",
		},
		{
			name:   "header only",
			format: XLSX,
			data:   func(t testing.TB) []byte { return xlsxOf(t, []any{"姓名", "身份证号"}) },
			want:   nil,
			header: 1,
		},
		{
			name:   "cell too long",
			format: CSV,
			lim:    Limits{MaxCell: 3},
			data:   csvData("姓名,身份证号\n张三丰丰,1234\n"),
			want:   []wantRow{{n: 2, vals: map[string]string{"name": "张三丰", "id": "123"}, tooLong: []string{"name", "id"}}},
			header: 1,
		},
		{
			name:    "too many rows",
			format:  CSV,
			lim:     Limits{MaxRows: 2},
			data:    csvData("姓名,身份证号\na,1\nb,2\nc,3\n"),
			want:    []wantRow{{n: 2, vals: map[string]string{"name": "a"}}, {n: 3, vals: map[string]string{"name": "b"}}},
			header:  1,
			iterErr: ErrTooManyRows,
		},
		{
			name:   "small csv too large",
			format: CSV,
			lim:    Limits{MaxBytes: 30},
			data:   csvData("姓名,身份证号\na,1\nb,2\nc,3\nd,4\n"),
			errIs:  ErrTooLarge,
			errHas: "larger than 30 bytes",
		},
		{
			name:   "xlsx too large",
			format: XLSX,
			lim:    Limits{MaxBytes: 1000},
			data:   roundTripXLSX,
			errIs:  ErrTooLarge,
		},
		{
			name:   "xls content",
			format: XLSX,
			data:   csvData(string(oleMagic) + "rest"),
			errIs:  ErrOldExcel,
		},
		{
			name:   "csv named xlsx",
			format: XLSX,
			data:   csvData("姓名,身份证号\n"),
			errIs:  ErrUnknownFormat,
		},
		{
			name:   "damaged xlsx",
			format: XLSX,
			data:   func(t testing.TB) []byte { return roundTripXLSX(t)[:2000] },
			errHas: "the workbook cannot be read",
		},
		{
			name:   "unknown format",
			format: "ods",
			data:   csvData(""),
			errIs:  ErrUnknownFormat,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := tt.m
			if mp == nil {
				mp = m
			}
			tbl, err := Open(bytes.NewReader(tt.data(t)), tt.format, mp, tt.o, tt.lim)
			if tt.errHas != "" || tt.errIs != nil {
				if err == nil {
					tbl.Close()
					t.Fatalf("Open: no error, want %q / %v", tt.errHas, tt.errIs)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("Open error\n got %q\nwant it to contain %q", err, tt.errHas)
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("Open error %q does not wrap %v", err, tt.errIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tbl.Close()
			if got := tbl.HeaderRow(); got != tt.header {
				t.Errorf("HeaderRow = %d, want %d", got, tt.header)
			}
			if tt.cols != nil && !maps.Equal(tbl.Columns(), tt.cols) {
				t.Errorf("Columns = %v, want %v", tbl.Columns(), tt.cols)
			}
			var got []Row
			for {
				r, ok := tbl.Next()
				if !ok {
					break
				}
				got = append(got, r)
			}
			if err := tbl.Err(); !errors.Is(err, tt.iterErr) {
				t.Errorf("Err = %v, want %v", err, tt.iterErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				r := got[i]
				if r.Number != w.n {
					t.Errorf("row %d: Number = %d, want %d", i, r.Number, w.n)
				}
				for f, v := range w.vals {
					if g := r.Get(f); g != v {
						t.Errorf("row %d: Get(%q) = %q, want %q", w.n, f, g, v)
					}
				}
				if strings.Join(r.TooLong, ",") != strings.Join(w.tooLong, ",") {
					t.Errorf("row %d: TooLong = %v, want %v", w.n, r.TooLong, w.tooLong)
				}
			}
			if tbl.Rows() != len(tt.want) {
				t.Errorf("Rows() = %d, want %d", tbl.Rows(), len(tt.want))
			}
		})
	}
}

func TestOpenCSVTooLargeWhileStreaming(t *testing.T) {
	data := "姓名,身份证号\n" + strings.Repeat("a,1\n", 30000)
	tbl, err := Open(strings.NewReader(data), CSV, personMapping, nil, Limits{MaxBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r, ok := tbl.Next(); ok; r, ok = tbl.Next() {
		n++
		if r.Number != n+1 || r.Get("name") != "a" {
			t.Fatalf("row %d = %d %q", n, r.Number, r.Get("name"))
		}
	}
	if !errors.Is(tbl.Err(), ErrTooLarge) {
		t.Errorf("Err = %v, want ErrTooLarge", tbl.Err())
	}
	if max := (100 << 10) / 4; n < 1000 || n > max {
		t.Errorf("read %d rows before the limit, want 1000..%d", n, max)
	}
}

func TestOpenXLSXDateFormats(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	serial := 45296.5 // 2024-01-05 12:00
	custom := func(code string) int {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	builtin := func(n int) int {
		id, err := f.NewStyle(&excelize.Style{NumFmt: n})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tests := []struct {
		style int
		want  string
	}{
		{builtin(14), "2024/1/5"},
		{builtin(22), "2024/1/5 12:00"},
		{custom("yyyy-mm-dd"), "2024-01-05"},
		{custom("yyyy-mm-dd;@"), "2024-01-05"},
		{custom(`yyyy"年"m"月"d"日"`), "2024年1月5日"},
		{custom("yyyy/mm/dd hh:mm:ss"), "2024/01/05 12:00:00"},
		{custom("[$-409]yyyy-mm-dd"), "2024-01-05"},
		{custom("0.00"), "45296.50"},
	}
	_ = f.SetCellValue("Sheet1", "A1", "出生日期")
	_ = f.SetCellValue("Sheet1", "B1", "姓名")
	_ = f.SetCellValue("Sheet1", "C1", "身份证号")
	for i, tt := range tests {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetCellValue("Sheet1", cell, serial)
		if err := f.SetCellStyle("Sheet1", cell, cell, tt.style); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	m := Mapping{{Name: "birth", Headers: []string{"出生日期"}, Required: true}}
	tbl, err := Open(&buf, XLSX, m, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	for i, tt := range tests {
		r, ok := tbl.Next()
		if !ok {
			t.Fatalf("row %d missing: %v", i+2, tbl.Err())
		}
		if got := r.Get("birth"); got != tt.want {
			t.Errorf("row %d: %q, want %q", r.Number, got, tt.want)
		}
		if d, err := ParseDate(r.Get("birth")); i < 7 && (err != nil || d.String() != "2024-01-05") {
			t.Errorf("row %d: ParseDate(%q) = %v, %v", r.Number, r.Get("birth"), d, err)
		}
	}
}

func TestUntaggedDateFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"yyyy-mm-dd", true},
		{"m/d/yy h:mm", true},
		{"hh:mm:ss", true},
		{`yyyy"年"m"月"d"日"`, true},
		{"[$-804]yyyy-mm-dd", false},
		{"[$-F800]dddd, mmmm dd, yyyy", false},
		{"0.00", false},
		{"General", false},
		{"@", false},
		{`#,##0 "days"`, false},
		{`0\d`, false},
		{"[h]:mm", false},
		{"[Red]0.00;[Blue]-0.00", false},
		{"0.00E+00", false},
		{`"unterminated`, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := untaggedDateFormat(tt.code); got != tt.want {
			t.Errorf("untaggedDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestOpenErrorTypes(t *testing.T) {
	_, err := Open(strings.NewReader("姓名,电话\n"), CSV, personMapping, nil, Limits{})
	var me *MissingColumnsError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingColumnsError", err)
	}
	if len(me.Missing) != 1 || me.Missing[0].Name != "id" || strings.Join(me.Found, ",") != "姓名,电话" {
		t.Errorf("MissingColumnsError = %+v", me)
	}
	_, err = Open(strings.NewReader("姓名,身份证号,姓 名\n"), CSV, personMapping, nil, Limits{})
	var de *DuplicateColumnError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DuplicateColumnError", err)
	}
	if de.Field != "name" || de.Columns != [2]string{"1", "3"} {
		t.Errorf("DuplicateColumnError = %+v", de)
	}
}

func TestTableHeadersAndClose(t *testing.T) {
	tbl, err := Open(strings.NewReader("*姓名,证件号码（必填）\na,1\nb,2\n"), CSV, personMapping, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "*姓名", "id": "证件号码（必填）"}
	if got := tbl.Headers(); !maps.Equal(got, want) {
		t.Errorf("Headers = %v, want %v", got, want)
	}
	if _, ok := tbl.Next(); !ok {
		t.Fatal("no first row")
	}
	if err := tbl.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := tbl.Next(); ok {
		t.Error("Next after Close returned a row")
	}
	if err := tbl.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRowZeroValue(t *testing.T) {
	var r Row
	if r.Get("x") != "" || r.Column("x") != "" {
		t.Error("zero Row returns values")
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name  string
		head  []byte
		want  Format
		errIs error
	}{
		{"a.xlsx", []byte("PK\x03\x04rest"), XLSX, nil},
		{"renamed.csv", []byte("PK\x03\x04rest"), XLSX, nil},
		{"export", []byte("PK\x03\x04"), XLSX, nil},
		{"a.CSV", []byte("姓名,身份证号"), CSV, nil},
		{"a.txt", nil, CSV, nil},
		{"old.xls", oleMagic, "", ErrOldExcel},
		{"old.xlsx", oleMagic, "", ErrOldExcel}, // encrypted workbook
		{"html.xls", []byte("<html>"), "", ErrOldExcel},
		{"wps.et", nil, "", ErrOldExcel},
		{"broken.xlsx", []byte("<html>"), "", ErrUnknownFormat},
		{"a.pdf", []byte("%PDF-1.7"), "", ErrUnknownFormat},
		{"noext", []byte("x"), "", ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.name, tt.head)
			if !errors.Is(err, tt.errIs) {
				t.Fatalf("err = %v, want %v", err, tt.errIs)
			}
			if got != tt.want {
				t.Errorf("format = %q, want %q", got, tt.want)
			}
		})
	}
	_, err := DetectFormat("old.xls", nil)
	if !strings.Contains(err.Error(), "save it as .xlsx") {
		t.Errorf("xls error %q does not say to save as .xlsx", err)
	}
}
