// Package idnum reads and checks Chinese resident identity numbers
// (公民身份号码, GB 11643-1999), including the residence-permit numbers issued
// since 2018 to Hong Kong, Macao and Taiwan residents living on the mainland.
//
// A number has 18 characters:
//
//	RRRRRR YYYYMMDD SSS C
//
// a 6-digit region code, the birth date, a 3-digit sequence (odd for men,
// even for women) and a check character computed with ISO 7064 MOD 11-2.
//
// Only the province-level part of the region code (its first two digits) is
// checked. The full county table (GB/T 2260) changes every year and numbers
// keep the code of the county as it was when they were issued, so checking the
// six digits against any one edition would refuse real numbers.
package idnum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gridwork/internal/dates"
)

// Length is the number of characters of an identity number.
const Length = 18

// weights are the ISO 7064 MOD 11-2 weights of the first 17 digits
// (2^(18-i) mod 11 for position i = 1..17).
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum mod 11 to the check character.
const checkChars = "10X98765432"

// earliest is the first birth date accepted.
var earliest = dates.New(1900, time.January, 1)

// provinces are the province-level region codes (first two digits).
// 71 is Taiwan; 81, 82 and 83 are only used by residence permits for
// residents of Hong Kong, Macao and Taiwan (see permitRegions).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true,
	"81": true, "82": true, "83": true,
}

// permitRegions are the full region codes of residence-permit numbers for
// residents of Hong Kong (810000), Macao (820000) and Taiwan (830000), keyed
// by their first two digits.
var permitRegions = map[string]string{
	"81": "810000",
	"82": "820000",
	"83": "830000",
}

var permitNames = map[string]string{
	"81": "Hong Kong",
	"82": "Macao",
	"83": "Taiwan",
}

// Number is a checked identity number and what it says about its holder.
type Number struct {
	// Value is the normalised number: 18 characters, digits and an upper-case
	// X as the only possible last character.
	Value string
	// Region is the 6-digit region code (only its first two digits are checked).
	Region string
	// Birth is the birth date written in the number.
	Birth dates.Date
	// Male is true for an odd sequence number, false for an even one.
	Male bool
	// Permit is true for a residence permit of a Hong Kong, Macao or Taiwan
	// resident (region code 810000, 820000 or 830000).
	Permit bool
}

// Error is why a text is not a valid identity number. Reason is an English
// sentence fragment that does not name the field ("has 17 characters; an
// identity number has 18"), so callers can put it into a field error as is.
type Error struct {
	Reason string
}

// Error returns the reason.
func (e *Error) Error() string { return e.Reason }

func fail(format string, args ...any) (Number, error) {
	return Number{}, &Error{Reason: fmt.Sprintf(format, args...)}
}

// Parse checks s as an identity number and returns what it says. Spaces,
// tabs and line breaks around s are ignored and a lower-case final x is
// accepted; Number.Value is the normalised form. The birth date must be a
// real date from 1900-01-01 up to today; a zero today means dates.Today().
//
// Every refusal is an *Error naming the first problem found, checked in this
// order: characters (full-width characters, inner spaces, letters), length,
// province code, permit region code, birth date, check character.
func Parse(s string, today dates.Date) (Number, error) {
	if today.IsZero() {
		today = dates.Today()
	}
	s = strings.Trim(s, " \t\r\n")
	if s == "" {
		return fail("is empty")
	}

	// Characters, counted in runes so that positions match what a person sees.
	var b strings.Builder
	n := 0
	for i, r := range s {
		n++
		switch {
		case r == utf8.RuneError && isInvalidAt(s, i):
			return fail("contains a byte that is not UTF-8 text at position %d", n)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'X' || r == 'x':
			if i != len(s)-1 {
				return fail("has %q at position %d; X may only be the last character", r, n)
			}
			b.WriteByte('X')
		case isFullWidth(r):
			return fail("contains the full-width character %q at position %d; use half-width (ASCII) digits and X", r, n)
		case unicode.IsSpace(r):
			return fail("contains a space at position %d; an identity number has no spaces", n)
		case unicode.IsPrint(r):
			return fail("contains %q at position %d; only digits and a final X are allowed", r, n)
		default:
			return fail("contains the invisible character %U at position %d; only digits and a final X are allowed", r, n)
		}
	}
	v := b.String()
	if len(v) != Length {
		if len(v) == 15 {
			return fail("has 15 characters; an identity number has 18 (15-digit numbers were replaced in 1999)")
		}
		return fail("has %d characters; an identity number has 18", len(v))
	}

	// Region.
	prov := v[:2]
	if !provinces[prov] {
		return fail("region code %s is not a province of China", prov)
	}
	permit := false
	if want, ok := permitRegions[prov]; ok {
		if v[:6] != want {
			return fail("region code %s is not valid: numbers for %s residents begin with %s", v[:6], permitNames[prov], want)
		}
		permit = true
	}

	// Birth date.
	ds := v[6:14]
	y, _ := strconv.Atoi(ds[:4])
	m, _ := strconv.Atoi(ds[4:6])
	d, _ := strconv.Atoi(ds[6:8])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return fail("birth date %s is not a real date", ds)
	}
	birth := dates.New(y, time.Month(m), d)
	if birth.Before(earliest) {
		return fail("birth date %s is before 1900-01-01", ds)
	}
	if birth.After(today) {
		return fail("birth date %s is in the future", ds)
	}

	// Check character.
	if want := CheckChar(v[:17]); v[17] != want {
		return fail("check character is %c; for these 17 digits it must be %c", v[17], want)
	}

	seq := int(v[16] - '0')
	return Number{
		Value:  v,
		Region: v[:6],
		Birth:  birth,
		Male:   seq%2 == 1,
		Permit: permit,
	}, nil
}

// CheckChar returns the ISO 7064 MOD 11-2 check character ('0'-'9' or 'X')
// for the first 17 digits of an identity number. It panics if body is not
// exactly 17 ASCII digits; Parse checks that before calling it.
func CheckChar(body string) byte {
	if len(body) != 17 {
		panic("idnum.CheckChar: need 17 digits, got " + strconv.Itoa(len(body)) + " bytes")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := body[i]
		if c < '0' || c > '9' {
			panic("idnum.CheckChar: not a digit at position " + strconv.Itoa(i+1))
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Mask hides the middle of an identity number for display: the first 4 and
// the last 4 characters stay and every other character becomes '*'
// ("110101199003071234" → "1101**********1234"). Texts shorter than 9
// characters keep only their last 2 characters, and texts of 1 or 2
// characters are masked completely. Characters are counted as runes (an
// invalid byte counts as one character and shows as U+FFFD), so the result
// has as many characters as s. Mask never fails and never panics.
func Mask(s string) string {
	r := []rune(s)
	n := len(r)
	keepHead, keepTail := 4, 4
	if n < 9 {
		keepHead, keepTail = 0, 2
		if n <= 2 {
			keepTail = 0
		}
	}
	for i := keepHead; i < n-keepTail; i++ {
		r[i] = '*'
	}
	return string(r)
}

// AgeOn returns the age in full years on day d of a person born on birth:
// the age goes up on the birthday itself, and for someone born on 29 February
// on 1 March in years without that day. It returns 0 if d is before birth or
// either date is zero.
func AgeOn(birth, d dates.Date) int {
	if birth.IsZero() || d.IsZero() || d.Before(birth) {
		return 0
	}
	age := d.Year() - birth.Year()
	if d.Month() < birth.Month() || (d.Month() == birth.Month() && d.Day() < birth.Day()) {
		age--
	}
	return age
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// isInvalidAt reports whether the U+FFFD decoded at byte i of s comes from an
// invalid byte rather than from a real U+FFFD in the text.
func isInvalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// isFullWidth reports whether r is a full-width form (ＡＢ１２, the
// ideographic space) that people type with a Chinese input method.
func isFullWidth(r rune) bool {
	return r == '\u3000' || (r >= '\uFF01' && r <= '\uFF5E')
}
