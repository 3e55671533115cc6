package exchange

import (
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in     string
		want   string // "" for the zero Date
		errHas string
	}{
		{"", "", ""},
		{"  \u3000", "", ""},
		{"2024-01-05", "2024-01-05", ""},
		{"2024-1-5", "2024-01-05", ""},
		{"2024/1/5", "2024-01-05", ""},
		{"2024/01/05", "2024-01-05", ""},
		{"2024.01.05", "2024-01-05", ""},
		{"20240105", "2024-01-05", ""},
		{"2024年1月5日", "2024-01-05", ""},
		{"2024年01月05日", "2024-01-05", ""},
		{"2024年1月5号", "2024-01-05", ""},
		{"2024-01-05 00:00:00", "2024-01-05", ""},
		{"2024-01-05T08:30:00", "2024-01-05", ""},
		{"2024/1/5 12:00", "2024-01-05", ""},
		{"2024年1月5日 10:30", "2024-01-05", ""},
		{" 2024-01-05 ", "2024-01-05", ""},
		{"２０２４－０１－０５", "2024-01-05", ""},
		{"45296", "2024-01-05", ""},
		{"1", "1900-01-01", ""},
		{"59", "1900-02-28", ""},
		{"61", "1900-03-01", ""},
		{"99999", "2173-10-13", ""},
		{"60", "", "29 February 1900"},
		{"0", "", "between 1 and 2958465"},
		{"00000", "", "between 1 and 2958465"},
		{"2023-02-29", "", `"2023-02-29" is not a real date: February 2023 has 28 days`},
		{"2024-02-29", "2024-02-29", ""},
		{"1900-02-29", "", "February 1900 has 28 days"},
		{"2000-02-29", "2000-02-29", ""},
		{"2024-04-31", "", "April 2024 has 30 days"},
		{"20230229", "", "February 2023 has 28 days"},
		{"2024-13-01", "", "month 13 is out of range"},
		{"2024-00-10", "", "month 0 is out of range"},
		{"2024-01-00", "", "day 0 is out of range"},
		{"2024-01-32", "", "day 32 is out of range"},
		{"0000-01-01", "", "year 0 is out of range"},
		{"0001-01-01", "", "year 1 is out of range"},
		{"0999-12-31", "", "year 999 is out of range"},
		{"1000-01-01", "1000-01-01", ""},
		{"24-01-05", "", "year must have 4 digits"},
		{"01/05/2024", "", "not a date"},
		{"2024-01/05", "", "mixes"},
		{"2024-01-05 25", "", "not a date"},
		{"45296.5", "", "not a date"},
		{"123456", "", "not a date"},
		{"202401050", "", "not a date"},
		{"2024年1月", "", "not a date"},
		{"yesterday", "", "not a date"},
		{"1.10101E+17", "", "not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if tt.errHas != "" {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want error containing %q", tt.in, d, tt.errHas)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("ParseDate(%q) error %q, want it to contain %q", tt.in, err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if d.String() != tt.want {
				t.Errorf("ParseDate(%q) = %q, want %q", tt.in, d, tt.want)
			}
		})
	}
}

func TestLooksMangledByExcel(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1.10101E+17", true},
		{"1.10101199003078E+17", true},
		{" 1.1E+17 ", true},
		{"4.5E17", true},
		{"1e+11", true},
		{"110101199003077000", true},
		{"1101011990030770", true},
		{"110101199003077578", false},
		{"11010519491231002X", false},
		{"110101199003070000X", false},
		{"13800138000", false},
		{"100000000000000", false}, // 15 digits are kept exactly
		{"", false},
		{"E+17", false},
		{"1.1E", false},
		{"张三", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := LooksMangledByExcel(tt.in); got != tt.want {
				t.Errorf("LooksMangledByExcel(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
