package survey_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/org/orgtest"
	"gridwork/internal/records"
	"gridwork/internal/seal/sealtest"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
	"gridwork/internal/survey"
)

var bg = context.Background()

// sender keeps the codes it is asked to send, by phone.
type sender struct {
	mu   sync.Mutex
	sent map[string]string
}

func (s *sender) Send(_ context.Context, phone, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[phone] = code
	return nil
}

func (s *sender) code(phone string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[phone]
}

// fixture is a street with one community of two grids: grid A has 5
// households and a vacant house, grid B 2 households; a worker each.
type fixture struct {
	st        *survey.Store
	org       *org.Store
	rec       *records.Store
	sms       *sender
	street    org.Unit
	community org.Unit
	a, b      org.Unit
	worker    map[string]string // grid → worker
	now       time.Time
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	keys := sealtest.Keys(t, 7)
	f := &fixture{org: org.NewStore(db), sms: &sender{sent: map[string]string{}}, worker: map[string]string{},
		now: time.Date(2026, 3, 20, 10, 0, 0, 0, dates.Shanghai)}
	f.rec = records.NewStore(db, f.org, keys)
	f.st = survey.NewStore(db, f.org, f.rec)
	f.st.Sender = f.sms
	f.st = f.st.WithClock(func() time.Time { return f.now })
	from := dates.MustParse("2026-01-01")
	b := orgtest.New(t, f.org, from)
	_, f.street = b.Street()
	f.community = b.Community(f.street, "第一社区", orgtest.RectDegrees(116.3, 39.9, 116.32, 39.91))
	for i, n := range []int{5, 2} {
		x := 116.3 + float64(i)*0.01
		g := b.Grid(f.community, fmt.Sprintf("第%d网格", i+1), orgtest.RectDegrees(x, 39.9, x+0.01, 39.91))
		w := b.GridWorker(org.NewWorker{Name: fmt.Sprintf("网格员%d", i+1), Employment: org.FullTime,
			Phone: "13800138000", InPostSince: from, HomeUnitID: f.community.ID}, g, from)
		f.worker[g.ID] = w.ID
		for h := range n + 1 {
			purpose := records.Purpose("own")
			if h == n {
				purpose = "vacant" // not a household: no code, not counted
			}
			if _, err := f.rec.CreateHouse(bg, "test", records.NewHouse{GridID: g.ID, Address: fmt.Sprintf("%d号", h+1), Purpose: purpose, BeganOn: from}); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			f.a = g
		} else {
			f.b = g
		}
	}
	return f
}

// eachFixture runs fn once per engine on a fresh fixture.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newFixture(t, db)) })
}

// open creates and opens a survey of the street for period.
func (f *fixture) open(t *testing.T, period string) survey.Survey {
	t.Helper()
	v, err := f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.street.ID, Period: period})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = f.st.Open(bg, "centre", v.ID); err != nil {
		t.Fatal(err)
	}
	return v
}

// codes returns grid's household codes.
func (f *fixture) codes(t *testing.T, grid string) []survey.HouseholdCode {
	t.Helper()
	cs, err := f.st.GridCodes(bg, "staff", grid)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func sheet(overall string) map[string]string {
	return map[string]string{"knows": "知道", "visited": "走访过", "handled": "未反映过问题", "overall": overall}
}

var clientSeq int

func household(code, overall string) survey.PublicAnswer {
	clientSeq++
	return survey.PublicAnswer{ClientID: fmt.Sprintf("c%d", clientSeq), Audience: survey.Residents, HouseholdCode: code, Answers: sheet(overall)}
}

// byPhone asks for a code for phone and answers with it.
func (f *fixture) byPhone(t *testing.T, grid, phone, overall, ip string) (survey.Receipt, error) {
	t.Helper()
	if _, err := f.st.RequestCode(bg, grid, phone, ip); err != nil {
		t.Fatalf("request code: %v", err)
	}
	clientSeq++
	return f.st.Answer(bg, grid, survey.PublicAnswer{ClientID: fmt.Sprintf("c%d", clientSeq), Audience: survey.Residents,
		Phone: phone, SMSCode: f.sms.code(strings.ReplaceAll(phone, " ", "")), Answers: sheet(overall)}, ip)
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// wantSecondVote checks err is the second-vote conflict on field.
func wantSecondVote(t *testing.T, what string, err error, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Conflict || len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Reason != survey.ReasonAlreadyAnswered {
		t.Errorf("%s: %v, want ECONFLICT on %s (%s)", what, err, field, survey.ReasonAlreadyAnswered)
	}
}

func TestSurveyLifecycle(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		if _, err := f.st.PublicFor(bg, f.a.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("public survey with none open: %v, want ENOTFOUND", err)
		}
		_, err := f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.a.ID, Period: "2026-03"})
		wantCode(t, "a survey of a grid", err, apperr.Invalid)
		_, err = f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.street.ID, Period: "2026-13"})
		wantCode(t, "month 13", err, apperr.Invalid)
		_, err = f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.street.ID, Period: "2026-03",
			Questionnaires: []survey.Questionnaire{{Audience: survey.Residents, Title: "x", Key: "nope"}}})
		wantCode(t, "a questionnaire without its key question", err, apperr.Invalid)

		q1, err := f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.street.ID, Period: "2026-Q1", Audiences: []survey.Audience{survey.Residents, survey.Cadres}})
		if err != nil {
			t.Fatal(err)
		}
		if q1.PeriodKind != "quarter" || q1.FactMonth != "2026-03" || q1.From.String() != "2026-01-01" || q1.To.String() != "2026-03-31" || len(q1.Questionnaires) != 2 {
			t.Errorf("quarter survey: %+v", q1)
		}
		if _, err := f.st.Close(bg, "centre", q1.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("closing a draft: %v, want ECONFLICT", err)
		}
		if _, err := f.st.Open(bg, "centre", q1.ID); err != nil {
			t.Fatal(err)
		}
		// A community survey overlaps the street's open one.
		c, err := f.st.Create(bg, "centre", survey.NewSurvey{UnitID: f.community.ID, Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.st.Open(bg, "centre", c.ID)
		wantCode(t, "opening a survey over grids another open survey covers", err, apperr.Conflict)
		pub, err := f.st.PublicFor(bg, f.b.ID)
		if err != nil || pub.SurveyID != q1.ID || pub.GridName != f.b.Name {
			t.Errorf("public survey of grid B: %+v %v", pub, err)
		}
		if _, err := f.st.PublicFor(bg, f.community.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("public survey of a community: %v, want ENOTFOUND", err)
		}
		// A unit representative's answer to a survey that does not ask them.
		_, err = f.st.Answer(bg, f.a.ID, survey.PublicAnswer{ClientID: "u1", Audience: survey.Units, BallotCode: "ABCD-EFGH", Answers: map[string]string{"overall": "满意"}}, "ip")
		wantCode(t, "unit answer to a residents-and-cadres survey", err, apperr.Invalid)
		if _, err := f.st.Close(bg, "centre", q1.ID); err != nil {
			t.Fatal(err)
		}
		codes := f.codes(t, f.a.ID)
		_, err = f.st.Answer(bg, f.a.ID, household(codes[0].Code, "满意"), "ip")
		wantCode(t, "an answer after closing", err, apperr.NotFound)
		if _, err := f.st.Open(bg, "centre", c.ID); err != nil {
			t.Errorf("opening once the overlapping survey closed: %v", err)
		}
	})
}

func TestOneAnswerPerHousehold(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		v := f.open(t, "2026-03")
		codes := f.codes(t, f.a.ID)
		if len(codes) != 5 {
			t.Fatalf("%d household codes for grid A, want its 5 households (the vacant house has none)", len(codes))
		}
		again := f.codes(t, f.a.ID)
		for i := range codes {
			if again[i] != codes[i] {
				t.Errorf("the codes changed when printed again: %v then %v", codes[i], again[i])
			}
		}
		first := household(codes[0].Code, "满意")
		r, err := f.st.Answer(bg, f.a.ID, first, "ip1")
		if err != nil {
			t.Fatal(err)
		}
		if r.SurveyID != v.ID || r.Method != "household" || r.Resent {
			t.Errorf("receipt %+v", r)
		}
		// The page resends (lost response): a no-op with the same receipt.
		r2, err := f.st.Answer(bg, f.a.ID, first, "ip1")
		if err != nil || r2.ID != r.ID || !r2.Resent {
			t.Errorf("resend: %+v %v, want receipt %s marked resent", r2, err, r.ID)
		}
		// A second sheet from the same household, however the code is typed.
		typed := household(" "+codes[0].Code[:4]+codes[0].Code[5:]+" ", "不满意")
		_, err = f.st.Answer(bg, f.a.ID, typed, "ip2")
		wantSecondVote(t, "second vote of a household", err, "household_code")
		// Reusing a client id for another household's sheet.
		other := household(codes[1].Code, "满意")
		other.ClientID = first.ClientID
		_, err = f.st.Answer(bg, f.a.ID, other, "ip1")
		wantCode(t, "a client id reused for another voter", err, apperr.Invalid)
		// Grid B's household code through grid A's link.
		bcodes := f.codes(t, f.b.ID)
		_, err = f.st.Answer(bg, f.a.ID, household(bcodes[0].Code, "满意"), "ip1")
		wantCode(t, "another grid's household code", err, apperr.Invalid)
		_, err = f.st.Answer(bg, f.a.ID, household("2222-2222", "满意"), "ip1")
		wantCode(t, "an unknown code", err, apperr.Invalid)
		// A household that moved out since its card was printed.
		h, err := f.rec.GetHouse(bg, codes[4].HouseID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rec.EndHouse(bg, "test", h.ID, records.End{On: dates.MustParse("2026-03-10"), Reason: "moved_out", Version: h.Version}); err != nil {
			t.Fatal(err)
		}
		_, err = f.st.Answer(bg, f.a.ID, household(codes[4].Code, "满意"), "ip1")
		wantCode(t, "the code of a house ended", err, apperr.Invalid)
		bad := household(codes[2].Code, "非常满意")
		_, err = f.st.Answer(bg, f.a.ID, bad, "ip1")
		wantCode(t, "an answer not on the scale", err, apperr.Invalid)
		res, err := f.st.Results(bg, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total.Valid != 1 {
			t.Errorf("%d answers counted, want the one", res.Total.Valid)
		}
	})
}

func TestOneAnswerPerPhone(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		v := f.open(t, "2026-03")
		const phone = "13912345678"
		if _, err := f.st.RequestCode(bg, f.a.ID, "12345", "ip"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("a code for a bad phone: %v, want EINVALID", err)
		}
		if _, err := f.st.RequestCode(bg, f.a.ID, phone, "ip"); err != nil {
			t.Fatal(err)
		}
		code := f.sms.code(phone)
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		ans := survey.PublicAnswer{ClientID: "p1", Audience: survey.Residents, Phone: phone, SMSCode: wrong, Answers: sheet("满意")}
		_, err := f.st.Answer(bg, f.a.ID, ans, "ip")
		wantCode(t, "a wrong SMS code", err, apperr.Invalid)
		ans.SMSCode = code
		if _, err := f.st.Answer(bg, f.a.ID, ans, "ip"); err != nil {
			t.Fatalf("the right code after one wrong try: %v", err)
		}
		// The same phone, with a fresh code, for the other grid.
		_, err = f.byPhone(t, f.b.ID, "139 1234 5678", "不满意", "ip")
		wantSecondVote(t, "second vote of a phone", err, "phone")

		// Expiry and the attempt limit on another phone.
		const p2 = "13700000000"
		if _, err := f.st.RequestCode(bg, f.a.ID, p2, "ip"); err != nil {
			t.Fatal(err)
		}
		good := f.sms.code(p2)
		wrong = fmt.Sprintf("%06d", (atoi(good)+1)%1000000)
		for i := range survey.SMSAttempts {
			_, err := f.st.Answer(bg, f.a.ID, survey.PublicAnswer{ClientID: fmt.Sprintf("w%d", i), Audience: survey.Residents, Phone: p2, SMSCode: wrong, Answers: sheet("满意")}, "ip")
			wantCode(t, "a wrong code", err, apperr.Invalid)
		}
		_, err = f.st.Answer(bg, f.a.ID, survey.PublicAnswer{ClientID: "w-right", Audience: survey.Residents, Phone: p2, SMSCode: good, Answers: sheet("满意")}, "ip")
		if e := apperr.As(err); e == nil || len(e.Fields) == 0 || e.Fields[0].Reason != "too many wrong codes; request a new one" {
			t.Errorf("the right code after %d wrong ones: %v, want refused", survey.SMSAttempts, err)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.st.RequestCode(bg, f.a.ID, p2, "ip"); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(survey.SMSValidity)
		_, err = f.st.Answer(bg, f.a.ID, survey.PublicAnswer{ClientID: "late", Audience: survey.Residents, Phone: p2, SMSCode: f.sms.code(p2), Answers: sheet("满意")}, "ip")
		if e := apperr.As(err); e == nil || len(e.Fields) == 0 || e.Fields[0].Reason != "the code has expired; request a new one" {
			t.Errorf("an expired code: %v, want refused", err)
		}
		res, err := f.st.Results(bg, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total.Valid != 1 {
			t.Errorf("%d answers counted, want 1", res.Total.Valid)
		}
	})
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = 10*n + int(r-'0')
	}
	return n
}

// TestExceedsHouseholdsAndFacts works a survey by hand. Grid A (5
// households): household answers 满意, 基本满意, 不满意 and a cadre's 满意:
// 3 of 4 satisfied. Grid B (2 households): a household's 不满意, then
// phones 满意, 不满意, 满意: 4 resident answers for 2 households, so the
// grid is flagged and the two latest phone answers are not counted: 1 of
// 2 satisfied. The cadre's ballot is refused a second rating of grid A.
func TestExceedsHouseholdsAndFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		v := f.open(t, "2026-Q1")
		ca, cb := f.codes(t, f.a.ID), f.codes(t, f.b.ID)
		for i, o := range []string{"满意", "基本满意", "不满意"} {
			if _, err := f.st.Answer(bg, f.a.ID, household(ca[i].Code, o), "ip"); err != nil {
				t.Fatal(err)
			}
		}
		bs, err := f.st.IssueBallots(bg, "centre", v.ID, survey.Cadres, f.community.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		cadre := func(client, grid, overall string) error {
			_, err := f.st.Answer(bg, grid, survey.PublicAnswer{ClientID: client, Audience: survey.Cadres, BallotCode: bs[0].Code,
				Answers: map[string]string{"duties": "好", "obeys": "好", "overall": overall}}, "ip")
			return err
		}
		if err := cadre("k1", f.a.ID, "满意"); err != nil {
			t.Fatal(err)
		}
		wantSecondVote(t, "a ballot rating grid A twice", cadre("k2", f.a.ID, "不满意"), "ballot_code")
		_, err = f.st.Answer(bg, f.a.ID, survey.PublicAnswer{ClientID: "k3", Audience: survey.Units, BallotCode: bs[0].Code,
			Answers: map[string]string{"visits": "是", "overall": "满意"}}, "ip")
		wantCode(t, "a cadre ballot used as a unit representative's", err, apperr.Invalid)

		f.now = f.now.Add(time.Minute)
		if _, err := f.st.Answer(bg, f.b.ID, household(cb[0].Code, "不满意"), "ip"); err != nil {
			t.Fatal(err)
		}
		for i, o := range []string{"满意", "不满意", "满意"} {
			f.now = f.now.Add(time.Minute)
			if _, err := f.byPhone(t, f.b.ID, fmt.Sprintf("1360000000%d", i), o, "ip"); err != nil {
				t.Fatal(err)
			}
		}

		res, err := f.st.Results(bg, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Grids) != 2 || res.Flagged != 1 {
			t.Fatalf("%d grids, %d flagged, want 2 and 1", len(res.Grids), res.Flagged)
		}
		byGrid := map[string]survey.GridResult{}
		for _, g := range res.Grids {
			byGrid[g.GridID] = g
		}
		a, b := byGrid[f.a.ID], byGrid[f.b.ID]
		if a.Households != 5 || a.Residents != 3 || a.Valid != 4 || a.Satisfied != 3 || a.Rate != 75 || len(a.Flags) != 0 || a.WorkerID != f.worker[f.a.ID] || a.CommunityID != f.community.ID {
			t.Errorf("grid A: %+v", a)
		}
		if b.Households != 2 || b.Residents != 4 || b.Excluded != 2 || b.Valid != 2 || b.Satisfied != 1 || b.Rate != 50 ||
			len(b.Flags) != 1 || b.Flags[0] != survey.FlagExceedsHouseholds {
			t.Errorf("grid B: %+v", b)
		}
		if lo, hi := survey.Wilson(3, 4, survey.Z95); a.Low != lo || a.High != hi {
			t.Errorf("grid A margin [%v, %v], want Wilson [%v, %v]", a.Low, a.High, lo, hi)
		}
		if len(res.Workers) != 2 {
			t.Errorf("%d workers, want 2", len(res.Workers))
		}

		// The facts count in the quarter's last month only.
		if g, _, err := f.st.Facts(bg, metric.Period{Year: 2026, Month: 2}); err != nil || len(g) != 0 {
			t.Errorf("February facts of a Q1 survey: %v %v, want none", g, err)
		}
		g, names, err := f.st.Facts(bg, metric.Period{Year: 2026, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 2 {
			t.Errorf("measured %v", names)
		}
		check := func(grid, name string, num, den float64, refs int) {
			t.Helper()
			tl := g[grid][name]
			if tl == nil || tl.Num != num || tl.Den != den || len(tl.Evidence) != refs {
				t.Errorf("%s of grid %s: %+v, want %v/%v with %d refs", name, grid, tl, num, den, refs)
			}
		}
		check(f.a.ID, "survey.satisfaction", 3, 4, 4)
		check(f.a.ID, "survey.responses", 4, 0, 4)
		check(f.b.ID, "survey.satisfaction", 1, 2, 3) // two answers and the flag
		check(f.b.ID, "survey.responses", 2, 0, 3)
		flagged := false
		for _, r := range g[f.b.ID]["survey.satisfaction"].Evidence {
			flagged = flagged || r.Entity == "survey_flag"
		}
		if !flagged {
			t.Error("grid B's evidence does not show the flag")
		}

		// Rolled up: each worker their grid, the community both.
		all, err := facts.NewCollector(db, f.org, f.st).Collect(bg, metric.Period{Year: 2026, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{f.worker[f.a.ID]: 75, f.worker[f.b.ID]: 50, f.community.ID: 100 * 4.0 / 6}
		for _, fa := range all {
			if w, ok := want[fa.SubjectID]; ok && fa.Name == "survey.satisfaction" {
				if math.Abs(fa.Value-w) > 1e-9 {
					t.Errorf("satisfaction of %s %s: %v, want %v", fa.Subject, fa.SubjectID, fa.Value, w)
				}
				delete(want, fa.SubjectID)
			}
		}
		if len(want) != 0 {
			t.Errorf("no satisfaction fact for %v", want)
		}
	})
}

func TestRateLimits(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.open(t, "2026-03")
		f.st.SetLimits(survey.LimitConfig{Window: time.Hour, PerIP: 2, PerGrid: 3, PerPhone: 1})
		codes := f.codes(t, f.a.ID)
		for i := range 2 {
			if _, err := f.st.Answer(bg, f.a.ID, household(codes[i].Code, "满意"), "1.1.1.1"); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.st.Answer(bg, f.a.ID, household(codes[2].Code, "满意"), "1.1.1.1")
		if e := apperr.As(err); e == nil || e.Code != apperr.TooMany || e.RetryAfterSeconds < 1 || e.RetryAfterSeconds > 3600 {
			t.Errorf("a third answer from one address: %v, want ETOOMANY with a retry time", err)
		}
		// Another address answers; a fourth answer for the grid is one too many.
		if _, err := f.st.Answer(bg, f.a.ID, household(codes[2].Code, "满意"), "2.2.2.2"); err != nil {
			t.Fatal(err)
		}
		_, err = f.st.Answer(bg, f.a.ID, household(codes[3].Code, "满意"), "3.3.3.3")
		wantCode(t, "a fourth answer for one grid in the hour", err, apperr.TooMany)
		// One SMS code per phone in the hour.
		if _, err := f.st.RequestCode(bg, f.b.ID, "13911112222", "4.4.4.4"); err != nil {
			t.Fatal(err)
		}
		_, err = f.st.RequestCode(bg, f.b.ID, "13911112222", "5.5.5.5")
		wantCode(t, "a second SMS code for one phone", err, apperr.TooMany)
		// An hour later the windows are new.
		f.now = f.now.Add(time.Hour)
		if _, err := f.st.Answer(bg, f.a.ID, household(codes[3].Code, "满意"), "1.1.1.1"); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
}

func TestLimitsAllow(t *testing.T) {
	l := survey.NewLimits(survey.LimitConfig{Window: time.Minute})
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.Allow("k", 3, t0.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatalf("try %d refused", i+1)
		}
	}
	ok, wait := l.Allow("k", 3, t0.Add(10*time.Second))
	if ok || wait != 50*time.Second {
		t.Errorf("fourth try: %v, wait %v; want refused for the 50 s left of the window", ok, wait)
	}
	if ok, _ := l.Allow("other", 3, t0.Add(10*time.Second)); !ok {
		t.Error("another key refused")
	}
	if ok, _ := l.Allow("k", 3, t0.Add(time.Minute)); !ok {
		t.Error("refused in the next window")
	}
	if ok, _ := l.Allow("k", 0, t0); !ok {
		t.Error("a limit of 0 refused")
	}
}
