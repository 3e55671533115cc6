package scheme

import (
	"fmt"
	"math"
)

// PayLine is one amount of the payroll sheet for one subject.
type PayLine struct {
	Item    string `json:"item"`
	Name    string `json:"name"`
	Fen     int64  `json:"fen"`
	Explain string `json:"explain"`
}

// Pay computes the payroll lines of one result under s for a period of
// `months` months. extraShares are the worker's extra grid shares (seed
// 004's 减员增效, e.g. 0.5); revoked says the extra grid was revoked in the
// period. Amounts are in fen. A scaled amount is base × total / max with
// the total's one decimal, rounded half up to the fen once; the share is
// at most 1 (withheld pay is at most paid back in full, whatever bonuses
// lift the score to). A subject not assessed gets no lines; a vetoed one
// scores 0. signals are the result's facts over the period (EscalationFacts):
// an item with withhold_if is not paid when its fact is non-zero.
func Pay(s *Program, res Result, months int, extraShares []float64, revoked bool, signals map[string]float64) []PayLine {
	if !res.Assessed {
		return nil
	}
	var out []PayLine
	for _, p := range s.Pay {
		if len(p.Employment) > 0 {
			ok := false
			for _, e := range p.Employment {
				ok = ok || e == res.Subject.Employment
			}
			if !ok {
				continue
			}
		}
		base := p.MonthlyFen * int64(months)
		line := PayLine{Item: p.ID, Name: p.Name}
		if p.PerExtraGrid && len(extraShares) == 0 {
			continue
		}
		if p.WithholdIf != "" {
			if n := signals[s.canonical(p.WithholdIf)]; n > 0 {
				line.Explain = fmt.Sprintf("本期%s %s,不发", s.alias(p.WithholdIf), num(n))
				out = append(out, line)
				continue
			}
		}
		scale := func(amount int64) (int64, string) {
			if p.Scale != "score" {
				return amount, ""
			}
			t10 := int64(math.Round(res.Total * 10))
			m10 := int64(math.Round(res.Max * 10))
			if t10 > m10 {
				t10 = m10
			}
			if t10 < 0 || m10 <= 0 {
				t10 = 0
			}
			if m10 == 0 {
				return 0, ""
			}
			return (2*amount*t10 + m10) / (2 * m10), fmt.Sprintf(" × %s/%s", num(float64(t10)/10), num(float64(m10)/10))
		}
		if p.PerExtraGrid {
			if revoked {
				line.Explain = "减员增效已取消,不发"
				out = append(out, line)
				continue
			}
			total := int64(0)
			expl := ""
			for _, sh := range extraShares {
				amount := int64(math.Round(float64(base) * sh))
				scaled, how := scale(amount)
				total += scaled
				expl += fmt.Sprintf("%s × %s 份%s;", yuan(base), num(sh), how)
			}
			line.Fen, line.Explain = total, expl[:len(expl)-len(";")]
			out = append(out, line)
			continue
		}
		scaled, how := scale(base)
		line.Fen = scaled
		line.Explain = fmt.Sprintf("%s/月 × %d 月%s", yuan(p.MonthlyFen), months, how)
		out = append(out, line)
	}
	return out
}

// yuan prints fen as yuan with two decimals.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d 元", sign, fen/100, fen%100)
}
