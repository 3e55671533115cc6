package exchange

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var peekMapping = Mapping{
	{Name: "name", Headers: []string{"姓名"}, Required: true},
	{Name: "id", Headers: []string{"身份证号", "证件号码"}, Required: true},
	{Name: "phone", Headers: []string{"联系电话"}},
}

func TestPeek(t *testing.T) {
	cases := []struct {
		name      string
		data      []byte
		format    Format
		n         int
		headerRow int
		columns   []string
		suggested map[string]string
		rows      [][]string
	}{
		{name: "known headers below a title", format: CSV, n: 5,
			data:      []byte("花名册\n\n 姓名 ,备注,证件号码\n张三,x," + id1 + "\n\n李四,,\n"),
			headerRow: 3, columns: []string{"1 姓名", "2 备注", "3 证件号码"},
			suggested: map[string]string{"name": "姓名", "id": "证件号码"},
			rows:      [][]string{{"张三", "x", id1}, {"李四", "", ""}}},
		{name: "headers nobody listed: the widest row", format: CSV, n: 1,
			data:      []byte("名单\n名字,号码,,电话\n张三," + id1 + ",,138\n李四,2,,139\n"),
			headerRow: 2, columns: []string{"1 名字", "2 号码", "4 电话"}, suggested: map[string]string{},
			rows: [][]string{{"张三", id1, "138"}}},
		{name: "an xlsx file", format: XLSX, n: 2, data: roundTripXLSX(t),
			headerRow: 1, columns: []string{"A 姓名", "B 身份证号", "C 联系电话", "D 出生日期"},
			suggested: map[string]string{"name": "姓名", "id": "身份证号", "phone": "联系电话"},
			rows:      [][]string{{"张三", id1, "13800138000", "1990-03-07"}, {"李四", id2, "", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Peek(bytes.NewReader(c.data), c.format, peekMapping, c.n, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, col := range s.Columns {
				cols = append(cols, col.Label+" "+col.Header)
			}
			if s.HeaderRow != c.headerRow || !reflect.DeepEqual(cols, c.columns) || !reflect.DeepEqual(s.Suggested, c.suggested) {
				t.Errorf("header row %d, columns %q, suggested %v; want %d, %q, %v", s.HeaderRow, cols, s.Suggested, c.headerRow, c.columns, c.suggested)
			}
			if len(s.Rows) < len(c.rows) || !reflect.DeepEqual(s.Rows[:len(c.rows)], c.rows) || len(s.Rows) > c.n {
				t.Errorf("rows %q, want %q (at most %d)", s.Rows, c.rows, c.n)
			}
		})
	}
	if _, err := Peek(strings.NewReader("\n ,\n"), CSV, peekMapping, 5, Limits{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("an empty file: %v, want ErrNoHeader", err)
	}
}

func FuzzPeekCSV(f *testing.F) {
	f.Add([]byte("姓名,身份证号\n张三," + id1 + "\n"))
	f.Add([]byte("标题\n\n名字,号码\n\"a\nb\",1\n,\n"))
	f.Add([]byte("\xEF\xBB\xBF" + strings.Repeat("x\n", 20) + "a,b,c\n1,2\n"))
	f.Add([]byte("姓名,身份证号\n\x00\xff,\xe4\xb8\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Peek(bytes.NewReader(data), CSV, peekMapping, 3, Limits{MaxBytes: 1 << 20, MaxCell: 50})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if s.HeaderRow < 1 || len(s.Rows) > 3 {
			t.Fatalf("header row %d, %d rows", s.HeaderRow, len(s.Rows))
		}
		for _, c := range s.Columns {
			if c.Header == "" || !utf8.ValidString(c.Header) || utf8.RuneCountInString(c.Header) > 50 {
				t.Fatalf("column %+v", c)
			}
		}
		for _, r := range s.Rows {
			if len(r) != len(s.Columns) {
				t.Fatalf("a row of %d cells under %d columns", len(r), len(s.Columns))
			}
			for _, v := range r {
				if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 50 || v != strings.TrimFunc(v, isSpace) {
					t.Fatalf("cell %q", v)
				}
			}
		}
		for field, h := range s.Suggested {
			found := false
			for _, c := range s.Columns {
				found = found || c.Header == h
			}
			if !found {
				t.Fatalf("suggested %s → %q, not a column", field, h)
			}
		}
	})
}
