package exchange

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzOpenCSV(f *testing.F) {
	f.Add([]byte("姓名,身份证号,联系电话\n张三," + id1 + ",138\n"))
	f.Add([]byte("\xEF\xBB\xBF标题\n\n姓名,证件号码\n\"a\nb\",1\n,\n李\"四,2\n"))
	f.Add([]byte("姓名,身份证号,公民身份号码\n"))
	f.Add([]byte("姓名,身份证号\r\n\"unterminated,1\r\nx,2"))
	f.Add(gb18030(f, "名单\n姓名,身份证号\n欧阳娜,1\n"))
	f.Add([]byte("\xff\xfe姓\x00"))
	f.Add([]byte("姓名,身份证号\n\x00\xff,\xe4\xb8\n"))
	m := Mapping{
		{Name: "name", Headers: []string{"姓名"}, Required: true},
		{Name: "id", Headers: []string{"身份证号", "证件号码"}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tbl, err := Open(bytes.NewReader(data), CSV, m, nil, Limits{MaxBytes: 1 << 20, MaxCell: 50})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		defer tbl.Close()
		last := tbl.HeaderRow()
		if last < 1 {
			t.Fatalf("HeaderRow = %d", last)
		}
		for r, ok := tbl.Next(); ok; r, ok = tbl.Next() {
			if r.Number <= last {
				t.Fatalf("row number %d after %d", r.Number, last)
			}
			last = r.Number
			for _, fd := range m {
				v := r.Get(fd.Name)
				if !utf8.ValidString(v) {
					t.Fatalf("row %d %s: invalid UTF-8 %q", r.Number, fd.Name, v)
				}
				if v != strings.TrimFunc(v, isSpace) {
					t.Fatalf("row %d %s: untrimmed %q", r.Number, fd.Name, v)
				}
				if utf8.RuneCountInString(v) > 50 {
					t.Fatalf("row %d %s: %d runes, over MaxCell", r.Number, fd.Name, utf8.RuneCountInString(v))
				}
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"", "2024-01-05", "2024/1/5", "2024.01.05", "20240105", "2024年1月5日",
		"2024-01-05 00:00:00", "45296", "60", "2023-02-29", "２０２４－０１－０５", "9999-12-31", "1000-01-01", "0001-01-01", "2958465"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) returned %v with error %v", s, d, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if d.IsZero() {
			if strings.TrimFunc(s, isSpace) != "" && trimCell(foldWidth(s)) != "" {
				t.Fatalf("ParseDate(%q) = zero Date without error", s)
			}
			return
		}
		// The canonical form reads back as the same date.
		again, err := ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, but ParseDate(%q) = %v, %v", s, d, d.String(), again, err)
		}
	})
}
