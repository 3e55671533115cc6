package exchange

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestReportReject(t *testing.T) {
	xlsx := xlsxOf(t, []any{"名单"}, []any{"序号", "姓名", "联系电话", "身份证号"}, []any{1, "张三", "138", "1.1E+17"})
	tests := []struct {
		name   string
		format Format
		data   []byte
		field  string
		want   RowError
	}{
		{"xlsx letter", XLSX, xlsx, "id", RowError{Row: 3, Column: "D", Field: "id", Reason: "bad"}},
		{"xlsx second column", XLSX, xlsx, "name", RowError{Row: 3, Column: "B", Field: "name", Reason: "bad"}},
		{"unmapped field", XLSX, xlsx, "birth", RowError{Row: 3, Column: "", Field: "birth", Reason: "bad"}},
		{"unknown field", XLSX, xlsx, "nope", RowError{Row: 3, Column: "", Field: "nope", Reason: "bad"}},
		{"csv number", CSV, []byte("\n姓名,,身份证号\n张三,,1\n"), "id", RowError{Row: 3, Column: "3", Field: "id", Reason: "bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := Open(bytes.NewReader(tt.data), tt.format, personMapping, nil, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			row, ok := tbl.Next()
			if !ok {
				t.Fatalf("no row: %v", tbl.Err())
			}
			var rep Report
			rep.Reject(row, tt.field, "bad")
			if len(rep.Errors) != 1 || rep.Errors[0] != tt.want {
				t.Errorf("Errors = %+v, want [%+v]", rep.Errors, tt.want)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	tests := []struct {
		name string
		rep  Report
		want string
	}{
		{"empty errors", Report{File: "a.xlsx", Rows: 2, Stored: 2}, `{"file":"a.xlsx","rows":2,"stored":2,"skipped":0,"errors":[]}`},
		{"one error", Report{File: "b.csv", Rows: 1, Skipped: 1, Errors: []RowError{{Row: 3, Column: "C", Field: "id", Reason: "bad check digit"}}},
			`{"file":"b.csv","rows":1,"stored":0,"skipped":1,"errors":[{"row":3,"column":"C","field":"id","reason":"bad check digit"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []any{tt.rep, &tt.rep} {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.TrimSpace(string(b)); got != tt.want {
					t.Errorf("json = %s\nwant   %s", got, tt.want)
				}
			}
		})
	}
}
