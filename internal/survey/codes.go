package survey

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// codeAlphabet leaves out 0/O, 1/I/L: the codes are read off paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a random 8-character code, printed as XXXX-XXXX. 31^8 ≈
// 8.5·10^11 codes: with the rate limits, guessing one is hopeless.
func newCode() string {
	var b strings.Builder
	for i := range 8 {
		if i == 4 {
			b.WriteByte('-')
		}
		n, err := crand.Int(crand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			panic("survey: system random source failed: " + err.Error())
		}
		b.WriteByte(codeAlphabet[n.Int64()])
	}
	return b.String()
}

// NormalizeCode reads a code as a resident types it: case, spaces and
// dashes do not matter. It returns "" for anything that cannot be a code.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 8 {
		return ""
	}
	c := b.String()
	return c[:4] + "-" + c[4:]
}

// HouseholdCode is the answer code printed on one household's contact
// card (联系卡).
type HouseholdCode struct {
	HouseID string `json:"house_id"`
	Address string `json:"address"`
	Code    string `json:"code"`
}

// GridCodes returns the answer code of every household of grid today (a
// house in force that is lived in), making the missing ones, ordered by
// address: the print-ready list staff print on the contact cards. A code
// is made once per house and kept, so a card printed once stays valid for
// every later survey. Errors: NotFound (grid), Invalid (not a grid).
func (s *Store) GridCodes(ctx context.Context, actor, gridID string) ([]HouseholdCode, error) {
	today := dates.Of(s.clock())
	g, err := s.org.GetUnit(ctx, gridID, today)
	if err != nil {
		return nil, err
	}
	if g.Level != org.Grid {
		return nil, apperr.Field("grid_id", fmt.Sprintf("%s is a %s, not a grid", g.Name, g.Level))
	}
	hs, err := s.rec.Households(ctx, []string{gridID}, today)
	if err != nil {
		return nil, err
	}
	var out []HouseholdCode
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		has := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT c.house_id FROM survey_household_codes c JOIN `+records.HouseRows+` h ON h.id = c.house_id WHERE h.grid_id = $1`, gridID)
		if err != nil {
			return fmt.Errorf("survey: household codes: %w", err)
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			has[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		made := 0
		for _, h := range hs[gridID] {
			if has[h] {
				continue
			}
			// A code taken by another house (1 in 10^11) is drawn again.
			for try := 0; ; try++ {
				res, err := tx.ExecContext(ctx, `INSERT INTO survey_household_codes (house_id, grid_id, code, created_at)
					VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, h, gridID, newCode(), s.now())
				if err != nil {
					return fmt.Errorf("survey: household code: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					made++
					break
				}
				if try == 5 {
					return fmt.Errorf("survey: household code for %s: no free code after 6 draws", h)
				}
			}
		}
		rows, err = tx.QueryContext(ctx, `SELECT c.house_id, h.address, c.code FROM survey_household_codes c
			JOIN `+records.HouseRows+` h ON h.id = c.house_id WHERE h.grid_id = $1 ORDER BY h.address, c.house_id`, gridID)
		if err != nil {
			return fmt.Errorf("survey: household codes: %w", err)
		}
		defer rows.Close()
		lived := map[string]bool{}
		for _, h := range hs[gridID] {
			lived[h] = true
		}
		for rows.Next() {
			var c HouseholdCode
			if err := rows.Scan(&c.HouseID, &c.Address, &c.Code); err != nil {
				return err
			}
			if lived[c.HouseID] {
				out = append(out, c)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The codes are secrets of the households: who printed them is
		// audited, the codes themselves are not copied into the log.
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "print_codes", Entity: "grid", EntityID: gridID,
			After: map[string]int{"households": len(out), "new_codes": made}})
		return err
	})
	return out, err
}

// Ballot is a code given to one cadre or unit representative: it rates
// each grid of its community once in its survey.
type Ballot struct {
	ID          string   `json:"id"`
	SurveyID    string   `json:"survey_id"`
	Audience    Audience `json:"audience" enum:"cadre,unit"`
	CommunityID string   `json:"community_id"`
	Code        string   `json:"code"`
}

// MaxBallots bounds one issue of ballots.
const MaxBallots = 200

// IssueBallots makes n ballot codes of audience (cadres or unit
// representatives) for community in survey. Errors: Invalid (audience not
// asked by the survey, n, a community outside the survey), NotFound,
// Conflict (survey closed).
func (s *Store) IssueBallots(ctx context.Context, actor, surveyID string, a Audience, communityID string, n int) ([]Ballot, error) {
	v, err := s.Get(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	if a == Residents || !a.Valid() {
		return nil, apperr.Field("audience", "ballots are for cadres (cadre) and unit representatives (unit); residents answer with their household code or phone")
	}
	if _, ok := v.Questionnaire(a); !ok {
		return nil, apperr.Field("audience", fmt.Sprintf("survey %s does not ask %s", v.ID, a))
	}
	if n < 1 || n > MaxBallots {
		return nil, apperr.Field("count", fmt.Sprintf("between 1 and %d", MaxBallots))
	}
	if v.Status == Closed {
		return nil, apperr.New(apperr.Conflict, "survey %s is closed", v.ID)
	}
	today := dates.Of(s.clock())
	c, err := s.org.GetUnit(ctx, communityID, today)
	if err != nil {
		return nil, err
	}
	in, err := s.org.InSubtree(ctx, communityID, v.UnitID, today)
	if err != nil {
		return nil, err
	}
	if c.Level != org.Community || !in {
		return nil, apperr.Field("community_id", fmt.Sprintf("%s is not a community of the survey's unit", c.Name))
	}
	var out []Ballot
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		for range n {
			b := Ballot{ID: store.NewID(), SurveyID: v.ID, Audience: a, CommunityID: communityID, Code: newCode()}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_ballots (id, survey_id, audience, community_id, code, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, b.SurveyID, b.Audience, b.CommunityID, b.Code, actor, s.now()); err != nil {
				return fmt.Errorf("survey: issue ballots: %w", err)
			}
			out = append(out, b)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "issue_ballots", Entity: "survey", EntityID: v.ID,
			After: map[string]any{"audience": a, "community_id": communityID, "count": n}})
		return err
	})
	return out, err
}

// CodeSender sends a verification code to a phone by SMS. A deployment
// plugs its SMS gateway in here.
type CodeSender interface {
	Send(ctx context.Context, phone, code string) error
}

// LogSender is the development CodeSender: it writes the code to the log
// instead of sending it.
type LogSender struct{}

// Send logs the code.
func (LogSender) Send(ctx context.Context, phone, code string) error {
	slog.InfoContext(ctx, "survey: SMS code (development: not sent)", "phone", maskPhone(phone), "code", code)
	return nil
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return "***"
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// SMS verification: a 6-digit code, valid for SMSValidity, tried at most
// SMSAttempts times.
const (
	SMSValidity = 10 * time.Minute
	SMSAttempts = 5
)

// normalizePhone returns an 11-digit mainland mobile number, or "".
func normalizePhone(p string) string {
	p = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimPrefix(strings.TrimSpace(p), "+86"))
	if len(p) != 11 || p[0] != '1' {
		return ""
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return p
}

// phoneKey identifies a phone within one survey without storing its
// number; it differs between surveys, so answers cannot be linked across
// them by phone.
func phoneKey(surveyID, phone string) string {
	h := sha256.Sum256([]byte("gridwork survey phone\x00" + surveyID + "\x00" + phone))
	return hex.EncodeToString(h[:])
}

func codeHash(challengeID, code string) string {
	h := sha256.Sum256([]byte("gridwork survey sms\x00" + challengeID + "\x00" + code))
	return hex.EncodeToString(h[:])
}

func sixDigits() string {
	n, err := crand.Int(crand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("survey: system random source failed: " + err.Error())
	}
	return fmt.Sprintf("%06d", n.Int64())
}
