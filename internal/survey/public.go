package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/store"
)

// PublicSurvey is what the public page of a grid shows: the open survey
// and its questionnaires, nothing about who answered.
type PublicSurvey struct {
	SurveyID       string          `json:"survey_id"`
	Title          string          `json:"title"`
	Period         string          `json:"period"`
	GridID         string          `json:"grid_id"`
	GridName       string          `json:"grid_name"`
	Questionnaires []Questionnaire `json:"questionnaires"`
}

// grid returns grid gridID today, refusing anything that is not a grid.
func (s *Store) grid(ctx context.Context, gridID string) (org.Unit, error) {
	g, err := s.org.GetUnit(ctx, gridID, dates.Of(s.clock()))
	if err != nil {
		return org.Unit{}, err
	}
	if g.Level != org.Grid {
		return org.Unit{}, apperr.New(apperr.NotFound, "no grid %s", gridID)
	}
	return g, nil
}

// PublicFor returns the open survey of grid for its public page. Errors:
// NotFound (no such grid, or no survey open for it).
func (s *Store) PublicFor(ctx context.Context, gridID string) (PublicSurvey, error) {
	g, err := s.grid(ctx, gridID)
	if err != nil {
		return PublicSurvey{}, err
	}
	v, err := s.OpenFor(ctx, gridID)
	if err != nil {
		return PublicSurvey{}, err
	}
	return PublicSurvey{SurveyID: v.ID, Title: v.Title, Period: v.Period, GridID: g.ID, GridName: g.Name, Questionnaires: v.Questionnaires}, nil
}

// tooMany is the rate-limit error.
func tooMany(what string, wait time.Duration) error {
	e := apperr.New(apperr.TooMany, "too many %s; try again later", what)
	e.RetryAfterSeconds = max(1, int(math.Ceil(wait.Seconds())))
	return e
}

func (s *Store) limit(key string, n int, what string) error {
	if ok, wait := s.limits.Allow(key, n, s.clock()); !ok {
		return tooMany(what, wait)
	}
	return nil
}

// RequestCode sends a verification code to phone for answering grid's
// open survey, and returns when it expires. Only a hash of the code and of
// the phone is stored. Errors: Invalid (phone), NotFound, TooMany.
func (s *Store) RequestCode(ctx context.Context, gridID, phone, ip string) (time.Time, error) {
	if err := s.limit("ip:"+ip, s.limits.cfg.PerIP, "requests from this address"); err != nil {
		return time.Time{}, err
	}
	p := normalizePhone(phone)
	if p == "" {
		return time.Time{}, apperr.Field("phone", "an 11-digit mobile number")
	}
	if _, err := s.grid(ctx, gridID); err != nil {
		return time.Time{}, err
	}
	v, err := s.OpenFor(ctx, gridID)
	if err != nil {
		return time.Time{}, err
	}
	key := phoneKey(v.ID, p)
	if err := s.limit("phone:"+key, s.limits.cfg.PerPhone, "codes sent to this phone"); err != nil {
		return time.Time{}, err
	}
	id := store.NewID()
	code := sixDigits()
	now := s.now()
	exp := now.Add(SMSValidity)
	if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO survey_sms_codes (id, survey_id, phone_key, code_hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, v.ID, key, codeHash(id, code), exp, now); err != nil {
		return time.Time{}, fmt.Errorf("survey: request code: %w", err)
	}
	if err := s.Sender.Send(ctx, p, code); err != nil {
		return time.Time{}, fmt.Errorf("survey: send code: %w", err)
	}
	return exp, nil
}

// PublicAnswer is one answer sheet sent from a grid's public page.
// Residents prove their household with the code on its contact card, or
// their phone with an SMS code; cadres and unit representatives with their
// ballot code.
type PublicAnswer struct {
	// SurveyID is the survey the page showed; an answer to a survey closed
	// meanwhile is refused rather than counted in another.
	SurveyID string `json:"survey_id"`
	// ClientID is made by the page once per answer sheet: a resend is a
	// no-op.
	ClientID      string            `json:"client_id" maxLength:"64"`
	Audience      Audience          `json:"audience" enum:"resident,cadre,unit"`
	HouseholdCode string            `json:"household_code,omitempty" maxLength:"16"`
	Phone         string            `json:"phone,omitempty" maxLength:"20"`
	SMSCode       string            `json:"sms_code,omitempty" maxLength:"6"`
	BallotCode    string            `json:"ballot_code,omitempty" maxLength:"16"`
	Answers       map[string]string `json:"answers"`
}

// Receipt acknowledges a stored answer.
type Receipt struct {
	ID        string    `json:"id"`
	SurveyID  string    `json:"survey_id"`
	GridID    string    `json:"grid_id"`
	Audience  Audience  `json:"audience"`
	Method    string    `json:"method" enum:"household,phone,ballot"`
	CreatedAt time.Time `json:"created_at"`
	// Resent is true when this answer had been stored before (same
	// client_id): nothing was added.
	Resent bool `json:"resent"`
}

// The Field of a second vote's error: the UI words its message from it.
const ReasonAlreadyAnswered = "already answered"

// voter is who answers: the key unique per survey, and how it was proven.
type voter struct {
	key, method, field string
	challenge          string // the SMS challenge to check, for a phone
	phoneKey           string
}

// Answer stores an answer sheet about grid for its open survey. It
// refuses a second answer from the same household, phone or ballot (for a
// ballot: about the same grid) with Conflict and the field that identified
// the voter, reason ReasonAlreadyAnswered. A resend of a stored answer
// (same client_id and voter) is a no-op. Errors: Invalid (answers, codes),
// NotFound (grid, no open survey), Conflict (second vote, survey closed
// meanwhile), TooMany (rate limits, counted before anything is checked so
// that wrong guesses count too).
//
// Answers write no audit entry: they are anonymous and change nobody's
// record; the answer row itself, with its time, is the trace.
func (s *Store) Answer(ctx context.Context, gridID string, in PublicAnswer, ip string) (Receipt, error) {
	if err := s.limit("ip:"+ip, s.limits.cfg.PerIP, "answers from this address"); err != nil {
		return Receipt{}, err
	}
	if err := s.limit("grid:"+gridID, s.limits.cfg.PerGrid, "answers for this grid"); err != nil {
		return Receipt{}, err
	}
	if _, err := s.grid(ctx, gridID); err != nil {
		return Receipt{}, err
	}
	v, err := s.OpenFor(ctx, gridID)
	if err != nil {
		return Receipt{}, err
	}
	if in.SurveyID != "" && in.SurveyID != v.ID {
		return Receipt{}, apperr.New(apperr.Conflict, "survey %s is no longer open; reload the page", in.SurveyID)
	}
	if in.ClientID == "" || len(in.ClientID) > 64 {
		return Receipt{}, apperr.Field("client_id", "an identifier of at most 64 characters, made once per answer sheet")
	}
	q, ok := v.Questionnaire(in.Audience)
	if !ok {
		return Receipt{}, apperr.Field("audience", fmt.Sprintf("this survey does not ask %q", in.Audience))
	}
	satisfied, err := q.Check(in.Answers)
	if err != nil {
		return Receipt{}, apperr.Field("answers", err.Error())
	}
	who, err := s.identify(ctx, v, gridID, in)
	if err != nil {
		return Receipt{}, err
	}
	// A resend: the same sheet from the same voter is already stored.
	if r, found, err := s.stored(ctx, v.ID, in.ClientID); err != nil {
		return Receipt{}, err
	} else if found {
		if r.key != who.key {
			return Receipt{}, apperr.Field("client_id", "already used for another answer sheet")
		}
		r.Receipt.Resent = true
		return r.Receipt, nil
	}
	if who.challenge != "" {
		if err := s.verifySMS(ctx, who.challenge, in.SMSCode); err != nil {
			return Receipt{}, err
		}
	}
	body, _ := json.Marshal(in.Answers)
	r := Receipt{ID: store.NewID(), SurveyID: v.ID, GridID: gridID, Audience: in.Audience, Method: who.method, CreatedAt: s.now()}
	err = s.db.Tx(ctx, func(tx store.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (id, survey_id, grid_id, audience, method, voter_key, client_id, answers, satisfied, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
			r.ID, v.ID, gridID, in.Audience, who.method, who.key, in.ClientID, string(body), satisfied, r.CreatedAt)
		if err != nil {
			return fmt.Errorf("survey: answer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return secondVote(who)
		}
		if who.challenge != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE survey_sms_codes SET used = TRUE WHERE id = $1`, who.challenge); err != nil {
				return fmt.Errorf("survey: answer: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		// Two resends racing: the other one stored it.
		if apperr.CodeOf(err) == apperr.Conflict {
			if got, found, e := s.stored(ctx, v.ID, in.ClientID); e == nil && found && got.key == who.key {
				got.Receipt.Resent = true
				return got.Receipt, nil
			}
		}
		return Receipt{}, err
	}
	return r, nil
}

func secondVote(who voter) error {
	what := map[string]string{"household": "this household has", "phone": "this phone has", "ballot": "this ballot has"}[who.method]
	msg := what + " already answered this survey"
	if who.method == "ballot" {
		msg = "this ballot has already rated this grid in this survey"
	}
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: []apperr.FieldError{{Field: who.field, Reason: ReasonAlreadyAnswered}}}
}

type storedAnswer struct {
	Receipt
	key string
}

func (s *Store) stored(ctx context.Context, surveyID, clientID string) (storedAnswer, bool, error) {
	var a storedAnswer
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, survey_id, grid_id, audience, method, created_at, voter_key FROM survey_answers
		WHERE survey_id = $1 AND client_id = $2`, surveyID, clientID).Scan(&a.ID, &a.SurveyID, &a.GridID, &a.Audience, &a.Method, &a.CreatedAt, &a.key)
	if store.IsNoRows(err) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("survey: answer: %w", err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, true, nil
}

// identify works out who answers and checks their code, except an SMS code,
// which verifySMS checks once the answer is known not to be a resend.
func (s *Store) identify(ctx context.Context, v Survey, gridID string, in PublicAnswer) (voter, error) {
	q := s.db.Q(ctx)
	if in.Audience != Residents {
		code := NormalizeCode(in.BallotCode)
		if code == "" || in.HouseholdCode != "" || in.Phone != "" {
			return voter{}, apperr.Field("ballot_code", "cadres and unit representatives answer with the ballot code they were given")
		}
		var id, aud, community string
		err := q.QueryRowContext(ctx, `SELECT id, audience, community_id FROM survey_ballots WHERE code = $1 AND survey_id = $2`, code, v.ID).Scan(&id, &aud, &community)
		if store.IsNoRows(err) || (err == nil && Audience(aud) != in.Audience) {
			return voter{}, apperr.Field("ballot_code", "not a ballot code of this survey for this audience")
		}
		if err != nil {
			return voter{}, fmt.Errorf("survey: ballot: %w", err)
		}
		inside, err := s.org.InSubtree(ctx, gridID, community, dates.Of(s.clock()))
		if err != nil {
			return voter{}, err
		}
		if !inside {
			return voter{}, apperr.Field("ballot_code", "this ballot rates the grids of another community")
		}
		return voter{key: "b:" + id + ":" + gridID, method: "ballot", field: "ballot_code"}, nil
	}
	switch {
	case in.HouseholdCode != "" && in.Phone == "" && in.BallotCode == "":
		code := NormalizeCode(in.HouseholdCode)
		if code == "" {
			return voter{}, apperr.Field("household_code", "not a household code")
		}
		var house, grid, purpose string
		var endedNull *string
		err := q.QueryRowContext(ctx, `SELECT h.id, h.grid_id, h.purpose, h.ended_on FROM survey_household_codes c JOIN `+records.HouseRows+` h ON h.id = c.house_id
			WHERE c.code = $1`, code).Scan(&house, &grid, &purpose, &endedNull)
		if store.IsNoRows(err) {
			return voter{}, apperr.Field("household_code", "not a household code")
		}
		if err != nil {
			return voter{}, fmt.Errorf("survey: household code: %w", err)
		}
		if endedNull != nil {
			if ended, err := dates.Parse(*endedNull); err == nil && !dates.Of(s.clock()).Before(ended) {
				return voter{}, apperr.Field("household_code", "this household is no longer registered")
			}
		}
		// The household check counts lived-in houses only, so only they
		// answer (a house let go vacant since its card was printed not).
		if purpose != "own" && purpose != "rental" {
			return voter{}, apperr.Field("household_code", "this house is not registered as lived in")
		}
		if grid != gridID {
			return voter{}, apperr.Field("household_code", "this household belongs to another grid: answer through your own grid's link")
		}
		return voter{key: "h:" + house, method: "household", field: "household_code"}, nil
	case in.Phone != "" && in.HouseholdCode == "" && in.BallotCode == "":
		p := normalizePhone(in.Phone)
		if p == "" {
			return voter{}, apperr.Field("phone", "an 11-digit mobile number")
		}
		key := phoneKey(v.ID, p)
		var id string
		err := q.QueryRowContext(ctx, `SELECT id FROM survey_sms_codes WHERE survey_id = $1 AND phone_key = $2 AND NOT used
			ORDER BY created_at DESC, id DESC LIMIT 1`, v.ID, key).Scan(&id)
		if err != nil && !store.IsNoRows(err) {
			return voter{}, fmt.Errorf("survey: sms code: %w", err)
		}
		return voter{key: "p:" + key, method: "phone", field: "phone", challenge: id, phoneKey: key}, nil
	}
	return voter{}, apperr.Field("household_code", "a resident answers with either the household code on the contact card or a phone and its SMS code")
}

// verifySMS checks code against challenge: not expired, not used, fewer
// than SMSAttempts wrong tries. A wrong try is counted at once, whatever
// happens to the answer.
func (s *Store) verifySMS(ctx context.Context, challenge, code string) error {
	if challenge == "" {
		return apperr.Field("sms_code", "request a code for this phone first")
	}
	var hash string
	var exp time.Time
	var attempts int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT code_hash, expires_at, attempts FROM survey_sms_codes WHERE id = $1`, challenge).
		Scan(&hash, &exp, &attempts); err != nil {
		return fmt.Errorf("survey: sms code: %w", err)
	}
	switch {
	case !s.now().Before(exp):
		return apperr.Field("sms_code", "the code has expired; request a new one")
	case attempts >= SMSAttempts:
		return apperr.Field("sms_code", "too many wrong codes; request a new one")
	}
	if codeHash(challenge, code) != hash {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE survey_sms_codes SET attempts = attempts + 1 WHERE id = $1`, challenge); err != nil {
			return fmt.Errorf("survey: sms code: %w", err)
		}
		return apperr.Field("sms_code", "wrong code")
	}
	return nil
}
