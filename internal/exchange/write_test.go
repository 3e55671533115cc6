package exchange

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gridwork/internal/dates"
)

func TestWriteCSV(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		want   string
	}{
		{"header only", []string{"姓名", "身份证号"}, nil, "\xEF\xBB\xBF姓名,身份证号\r\n"},
		{"quoting", []string{"a"}, [][]string{{"x,y"}, {`say "hi"`}, {"two\nlines"}},
			"\xEF\xBB\xBFa\r\n\"x,y\"\r\n\"say \"\"hi\"\"\"\r\n\"two\r\nlines\"\r\n"},
		{"formulas defused", []string{"v"}, [][]string{{"=SUM(A1)"}, {"@cmd"}, {"+86 138"}, {"-2+3+cmd|' /C calc'!A0"}, {"-5"}, {"+3.5"}, {"-"}, {"="}, {"a=b"}},
			"\xEF\xBB\xBFv\r\n'=SUM(A1)\r\n'@cmd\r\n'+86 138\r\n'-2+3+cmd|' /C calc'!A0\r\n-5\r\n+3.5\r\n-\r\n=\r\na=b\r\n"},
		{"ragged rows", []string{"a", "b"}, [][]string{{"1"}, {"1", "2", "3"}}, "\xEF\xBB\xBFa,b\r\n1\r\n1,2,3\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, tt.header, rowsOf(tt.rows)); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	none := func() ([]any, bool) { return nil, false }
	tests := []struct {
		name   string
		write  func() error
		errHas string
	}{
		{"csv writer fails", func() error {
			return WriteCSV(&failWriter{after: 1}, []string{"a"}, func() ([]string, bool) { return nil, false })
		}, "disk full"},
		{"xlsx writer fails", func() error { return WriteXLSX(&failWriter{after: 100}, "", []string{"a"}, none) }, "disk full"},
		{"bad sheet name", func() error { return WriteXLSX(&bytes.Buffer{}, "a/b", []string{"a"}, none) }, "sheet name"},
		{"long sheet name", func() error { return WriteXLSX(&bytes.Buffer{}, strings.Repeat("名", 32), []string{"a"}, none) }, "sheet name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want it to contain %q", err, tt.errHas)
			}
		})
	}
}

func TestWriteXLSX(t *testing.T) {
	at := time.Date(2024, 1, 5, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
	rows := [][]any{
		{"张三", id1, "13800138000", dates.New(1990, 3, 7), at, 42, 3.5, true, nil, "=1+1"},
		{"李四", "012345678901", "", dates.Date{}, time.Time{}, int64(-1), 0.1, false, "x", strings.Repeat("长", 100)},
	}
	header := []string{"姓名", "身份证号", "联系电话", "出生日期", "登记时间", "数", "小数", "是否", "空", "备注"}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "人员名单", header, rowsOf(rows)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "人员名单" {
		t.Fatalf("sheets = %v", got)
	}
	const sh = "人员名单"
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want header frozen", panes, err)
	}
	styleOf := func(cell string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sh, cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := styleOf("A1"); s.Font == nil || !s.Font.Bold {
		t.Errorf("header A1 style %+v is not bold", s)
	}
	for _, c := range []string{"B2", "B3"} {
		if s := styleOf(c); s.NumFmt != 49 {
			t.Errorf("%s NumFmt = %d, want 49 (text)", c, s.NumFmt)
		}
	}
	if s := styleOf("C2"); s.NumFmt == 49 {
		t.Errorf("C2 (11 digits) has the text format; want it only beyond 11 digits")
	}
	cells := []struct{ cell, want string }{
		{"A1", "姓名"}, {"A2", "张三"}, {"B2", id1}, {"B3", "012345678901"}, {"C2", "13800138000"},
		{"D2", "1990-03-07"}, {"D3", ""}, {"E2", "2024-01-05 09:30:00"}, {"E3", ""},
		{"F2", "42"}, {"F3", "-1"}, {"G2", "3.5"}, {"H2", "TRUE"}, {"I2", ""}, {"I3", "x"}, {"J2", "=1+1"},
	}
	for _, c := range cells {
		got, err := f.GetCellValue(sh, c.cell)
		if err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.cell, got, err, c.want)
		}
	}
	if formula, _ := f.GetCellFormula(sh, "J2"); formula != "" {
		t.Errorf("J2 has formula %q; strings must stay values", formula)
	}
	widths := []struct {
		col      string
		min, max float64
	}{
		{"A", minColWidth, 12}, {"B", 20, 24}, {"J", maxColWidth, maxColWidth}, {"F", minColWidth, minColWidth},
	}
	for _, w := range widths {
		got, err := f.GetColWidth(sh, w.col)
		if err != nil || got < w.min || got > w.max {
			t.Errorf("width of %s = %v, %v; want %v..%v", w.col, got, err, w.min, w.max)
		}
	}
}

func TestWriteXLSXDefaultSheetAndManyRows(t *testing.T) {
	const n = 1000 // more than the width sample
	i := 0
	next := func() ([]any, bool) {
		if i == n {
			return nil, false
		}
		i++
		return personRow(i - 1), true
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "", personHeader, next); err != nil {
		t.Fatal(err)
	}
	tbl, err := Open(&buf, XLSX, Mapping{{Name: "seq", Headers: []string{"序号"}, Required: true}, {Name: "id", Headers: []string{"身份证号"}}}, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	count := 0
	for r, ok := tbl.Next(); ok; r, ok = tbl.Next() {
		count++
		if r.Number != count+1 || r.Get("seq") != strconv.Itoa(count) {
			t.Fatalf("row %d: Number %d seq %q", count, r.Number, r.Get("seq"))
		}
		if want := personRow(count - 1)[4].(string); r.Get("id") != want {
			t.Fatalf("row %d: id %q, want %q", count, r.Get("id"), want)
		}
	}
	if err := tbl.Err(); err != nil || count != n {
		t.Errorf("read %d rows, err %v; want %d", count, err, n)
	}
}
