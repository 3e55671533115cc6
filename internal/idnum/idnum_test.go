package idnum

import (
	"errors"
	"testing"
	"time"

	"gridwork/internal/dates"
)

// today is the fixed "today" of these tests.
var today = dates.New(2025, time.June, 1)

// The valid numbers below were checked by hand (weights 7 9 10 5 8 4 2 1 6 3
// 7 9 10 5 8 4 2, check character "10X98765432"[sum mod 11]):
//
// 11010519491231002X, the example number of GB 11643-1999:
//
//	digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
//	weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2
//	product  7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4
//	sum 167; 167 mod 11 = 2; "10X98765432"[2] = 'X'
//
// 440524188001010014 (the standard's other example): sum 195, mod 11 = 8 → '4'.
// 110101200002290018: 7+9+0+5+0+4+4+0+0+0+0+18+20+45+0+0+2 = 114, mod 11 = 4 → '8'.
// 810000199001011230: 56+9+0+0+0+0+2+9+54+0+0+9+0+5+8+8+6 = 166, mod 11 = 1 → '0'.
// The rest were computed the same way.

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Number
	}{
		{"standard example, female, X check", "11010519491231002X", Number{Value: "11010519491231002X", Region: "110105", Birth: dates.New(1949, time.December, 31), Male: false}},
		{"lower-case x is normalised", "11010519491231002x", Number{Value: "11010519491231002X", Region: "110105", Birth: dates.New(1949, time.December, 31), Male: false}},
		{"surrounding spaces and line breaks are trimmed", "  11010519491231002x\t\r\n", Number{Value: "11010519491231002X", Region: "110105", Birth: dates.New(1949, time.December, 31), Male: false}},
		{"leap day 2000-02-29, male", "110101200002290018", Number{Value: "110101200002290018", Region: "110101", Birth: dates.New(2000, time.February, 29), Male: true}},
		{"earliest accepted birth date 1900-01-01", "110101190001010030", Number{Value: "110101190001010030", Region: "110101", Birth: dates.New(1900, time.January, 1), Male: true}},
		{"born in a far-west province, even sequence", "530102198705124563", Number{Value: "530102198705124563", Region: "530102", Birth: dates.New(1987, time.May, 12), Male: false}},
		{"Taiwan province code 71", "710000198001010010", Number{Value: "710000198001010010", Region: "710000", Birth: dates.New(1980, time.January, 1), Male: true}},
		{"Hong Kong residence permit", "810000199001011230", Number{Value: "810000199001011230", Region: "810000", Birth: dates.New(1990, time.January, 1), Male: true, Permit: true}},
		{"Macao residence permit", "820000198511110025", Number{Value: "820000198511110025", Region: "820000", Birth: dates.New(1985, time.November, 11), Male: false, Permit: true}},
		{"Taiwan residence permit, X check", "83000020010615005x", Number{Value: "83000020010615005X", Region: "830000", Birth: dates.New(2001, time.June, 15), Male: true, Permit: true}},
		{"born a year before today", "650102202406150020", Number{Value: "650102202406150020", Region: "650102", Birth: dates.New(2024, time.June, 15), Male: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, today)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseBornToday(t *testing.T) {
	// 650102202406150020 is valid with a birth date of 2024-06-15: a "today"
	// of that day accepts it and the day before refuses it.
	if _, err := Parse("650102202406150020", dates.New(2024, time.June, 15)); err != nil {
		t.Errorf("born today: %v", err)
	}
	_, err := Parse("650102202406150020", dates.New(2024, time.June, 14))
	want := "birth date 20240615 is in the future"
	if err == nil || err.Error() != want {
		t.Errorf("born tomorrow: err = %v, want %q", err, want)
	}
}

func TestParseZeroTodayMeansToday(t *testing.T) {
	if _, err := Parse("11010519491231002X", dates.Date{}); err != nil {
		t.Errorf("zero today: %v", err)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "is empty"},
		{"only spaces", "   ", "is empty"},
		{"17 characters", "11010519491231002", "has 17 characters; an identity number has 18"},
		{"19 characters", "11010519491231002X0", `has 'X' at position 18; X may only be the last character`},
		{"19 digits", "1101051949123100200", "has 19 characters; an identity number has 18"},
		{"old 15-digit number", "110105491231002", "has 15 characters; an identity number has 18 (15-digit numbers were replaced in 1999)"},
		{"inner space", "110105 19491231002X", "contains a space at position 7; an identity number has no spaces"},
		{"inner tab", "110105\t19491231002X", "contains a space at position 7; an identity number has no spaces"},
		{"full-width digit", "１10105194912310027", `contains the full-width character '１' at position 1; use half-width (ASCII) digits and X`},
		{"full-width X", "11010519491231002Ｘ", `contains the full-width character 'Ｘ' at position 18; use half-width (ASCII) digits and X`},
		{"ideographic space inside", "110105\u300019491231002X", `contains the full-width character '\u3000' at position 7; use half-width (ASCII) digits and X`},
		{"letter", "11010519491231A02X", `contains 'A' at position 15; only digits and a final X are allowed`},
		{"Chinese name", "张三", `contains '张' at position 1; only digits and a final X are allowed`},
		{"hyphen", "110105-19491231002X", `contains '-' at position 7; only digits and a final X are allowed`},
		{"X in the middle", "1101051949123100X2", `has 'X' at position 17; X may only be the last character`},
		{"invisible character", "110105\u200b19491231002X", `contains the invisible character U+200B at position 7; only digits and a final X are allowed`},
		{"invalid UTF-8", "110105\xff19491231002X", "contains a byte that is not UTF-8 text at position 7"},
		{"region 99", "990101199001011230", "region code 99 is not a province of China"},
		{"region 00", "000101199001011230", "region code 00 is not a province of China"},
		{"region 16", "160101199001011230", "region code 16 is not a province of China"},
		{"region 47", "470101199001011230", "region code 47 is not a province of China"},
		{"region 66", "660101199001011230", "region code 66 is not a province of China"},
		{"region 72", "720101199001011230", "region code 72 is not a province of China"},
		{"region 84", "840000199001011230", "region code 84 is not a province of China"},
		{"region 91", "910101199001011230", "region code 91 is not a province of China"},
		{"Hong Kong code with county digits", "811234199001011236", "region code 811234 is not valid: numbers for Hong Kong residents begin with 810000"},
		{"Macao code with county digits", "820100198511110025", "region code 820100 is not valid: numbers for Macao residents begin with 820000"},
		{"Taiwan permit code with county digits", "830001200106150050", "region code 830001 is not valid: numbers for Taiwan residents begin with 830000"},
		{"30 February", "320502199902300017", "birth date 19990230 is not a real date"},
		// 1900 is not a leap year; the check character (1) is correct, so
		// the date is what fails.
		{"1900-02-29", "110101190002290011", "birth date 19000229 is not a real date"},
		{"month 13", "110101199013011230", "birth date 19901301 is not a real date"},
		{"month 00", "110101199000011230", "birth date 19900001 is not a real date"},
		{"day 00", "110101199001001230", "birth date 19900100 is not a real date"},
		{"day 32", "110101199001321230", "birth date 19900132 is not a real date"},
		{"31 April", "110101199004311230", "birth date 19900431 is not a real date"},
		{"year 0000", "110101000001011230", "birth date 00000101 is before 1900-01-01"},
		// The check character 4 is correct for these 17 digits.
		{"1880, before 1900", "440524188001010014", "birth date 18800101 is before 1900-01-01"},
		{"1899-12-31", "110101189912311230", "birth date 18991231 is before 1900-01-01"},
		{"in the future", "110101203001011230", "birth date 20300101 is in the future"},
		{"tomorrow", "110101202506021230", "birth date 20250602 is in the future"},
		{"wrong check digit", "110105194912310025", "check character is 5; for these 17 digits it must be X"},
		{"X where a digit belongs", "11010120000229001X", "check character is X; for these 17 digits it must be 8"},
		{"two digits swapped", "110101200002920018", "birth date 20000292 is not a real date"},
		{"sequence typo", "110101200002290028", "check character is 8; for these 17 digits it must be 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, today)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %q", tt.in, got, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T is not *Error", tt.in, err)
			}
			if e.Reason != tt.want {
				t.Errorf("Parse(%q) reason\n got %q\nwant %q", tt.in, e.Reason, tt.want)
			}
			if err.Error() != e.Reason {
				t.Errorf("Error() = %q, want the reason %q", err.Error(), e.Reason)
			}
			if got != (Number{}) {
				t.Errorf("Parse(%q) returned %+v with the error, want the zero Number", tt.in, got)
			}
		})
	}
}

func TestCheckChar(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"11010120000229001", '8'},
		{"81000019900101123", '0'},
		{"82000019851111002", '5'},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			if got := CheckChar(tt.body); got != tt.want {
				t.Errorf("CheckChar(%q) = %c, want %c", tt.body, got, tt.want)
			}
		})
	}
}

func TestCheckCharPanicsOnBadInput(t *testing.T) {
	for _, in := range []string{"", "1101051949123100", "1101051949123100A", "110105194912310021"} {
		t.Run(in, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("CheckChar(%q) did not panic", in)
				}
			}()
			CheckChar(in)
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"110101199003071234", "1101**********1234"},
		{"11010519491231002X", "1101**********002X"},
		{"123456789", "1234*6789"},
		{"12345678", "******78"},
		{"123", "*23"},
		{"12", "**"},
		{"1", "*"},
		{"", ""},
		{"张三李四王五赵六钱七", "张三李四**赵六钱七"},
		{"张三", "**"},
		{"\xff\xfe", "**"},
		{"11010\xff1990030712345", "1101***********2345"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		name      string
		birth, on dates.Date
		want      int
	}{
		{"day before 18th birthday", dates.New(2000, 6, 15), dates.New(2018, 6, 14), 17},
		{"on 18th birthday", dates.New(2000, 6, 15), dates.New(2018, 6, 15), 18},
		{"month before birthday month", dates.New(2000, 6, 15), dates.New(2018, 5, 31), 17},
		{"later in the year", dates.New(2000, 6, 15), dates.New(2018, 12, 31), 18},
		{"day of birth", dates.New(2000, 6, 15), dates.New(2000, 6, 15), 0},
		{"leap-day birth, 28 Feb of a common year", dates.New(2000, 2, 29), dates.New(2001, 2, 28), 0},
		{"leap-day birth, 1 Mar of a common year", dates.New(2000, 2, 29), dates.New(2001, 3, 1), 1},
		{"leap-day birth, next leap day", dates.New(2000, 2, 29), dates.New(2004, 2, 29), 4},
		{"before birth", dates.New(2000, 6, 15), dates.New(1999, 1, 1), 0},
		{"zero birth", dates.Date{}, dates.New(2018, 1, 1), 0},
		{"zero day", dates.New(2000, 6, 15), dates.Date{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AgeOn(tt.birth, tt.on); got != tt.want {
				t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
			}
		})
	}
}
