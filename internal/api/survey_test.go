package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridwork/internal/apperr"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/records"
	"gridwork/internal/survey"
)

// TestSurveyAPI: the centre prepares and opens a survey; community staff
// print a grid's household codes; a resident answers without signing in,
// once; a second vote gets 409 naming the household code; the results
// show the answer; the public side is rate-limited with 429.
func TestSurveyAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		st, err := f.orgs.UnitByCode(ctx, f.town.Street.Code, f.town.ValidFrom)
		if err != nil {
			t.Fatal(err)
		}
		staff := f.user(t, "c01staff")
		grids, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: dates.Today(), Level: org.Grid, WithinID: staff.ScopeUnitID, WithoutGeometry: true})
		if err != nil || len(grids) == 0 {
			t.Fatalf("grids of c01: %v", err)
		}
		grid := grids[0].ID
		for i := range 2 {
			if _, err := f.records.CreateHouse(ctx, "test", records.NewHouse{GridID: grid, Address: fmt.Sprintf("幸福路%d号", i+1), Purpose: "own", BeganOn: f.town.ValidFrom}); err != nil {
				t.Fatal(err)
			}
		}
		centre := f.signIn(t, "centre01")
		community := f.signIn(t, "c01staff")
		anon := f.anon()

		body := map[string]any{"unit_id": st.ID, "period": "2026-03"}
		if r := community.do(t, http.MethodPost, "/api/surveys", body); r.status != http.StatusForbidden {
			t.Errorf("community staff created a survey: %d %s", r.status, r.body)
		}
		r := centre.do(t, http.MethodPost, "/api/surveys", body)
		if r.status != http.StatusCreated {
			t.Fatalf("create survey: %d %s", r.status, r.body)
		}
		var v survey.Survey
		r.decode(t, &v)
		if r := anon.do(t, http.MethodGet, "/api/public/grids/"+grid+"/survey", nil); r.status != http.StatusNotFound {
			t.Errorf("public survey of a draft: %d %s", r.status, r.body)
		}
		if r := centre.do(t, http.MethodPost, "/api/surveys/"+v.ID+"/open", nil); r.status != http.StatusOK {
			t.Fatalf("open: %d %s", r.status, r.body)
		}

		if r := f.signIn(t, "insp01").do(t, http.MethodGet, "/api/grids/"+grid+"/household-codes", nil); r.status != http.StatusForbidden {
			t.Errorf("an inspector printed household codes: %d %s", r.status, r.body)
		}
		var codes []survey.HouseholdCode
		community.get(t, "/api/grids/"+grid+"/household-codes", &codes)
		if len(codes) != 2 {
			t.Fatalf("%d codes, want one per household (2)", len(codes))
		}

		r = community.do(t, http.MethodGet, "/api/grids/"+grid+"/household-codes/sheet", nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), codes[1].Code) {
			t.Errorf("contact-card sheet: %d %s", r.status, r.header.Get("Content-Type"))
		}
		if r := anon.do(t, http.MethodGet, "/api/public/grids/"+grid+"/survey/qr.png", nil); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
			t.Errorf("the board's survey QR: %d %s", r.status, r.header.Get("Content-Type"))
		}

		var pub survey.PublicSurvey
		r = anon.do(t, http.MethodGet, "/api/public/grids/"+grid+"/survey", nil)
		if r.status != http.StatusOK {
			t.Fatalf("public survey: %d %s", r.status, r.body)
		}
		r.decode(t, &pub)
		if pub.SurveyID != v.ID || len(pub.Questionnaires) != 3 {
			t.Errorf("public survey %+v", pub)
		}
		answer := func(client, code, overall string) *response {
			return anon.do(t, http.MethodPost, "/api/public/grids/"+grid+"/survey/answers", map[string]any{
				"survey_id": v.ID, "client_id": client, "audience": "resident", "household_code": code,
				"answers": map[string]string{"knows": "知道", "visited": "走访过", "handled": "满意", "overall": overall}})
		}
		if r := answer("a1", codes[0].Code, "满意"); r.status != http.StatusCreated {
			t.Fatalf("answer: %d %s", r.status, r.body)
		}
		var rec survey.Receipt
		r = answer("a1", codes[0].Code, "满意")
		r.decode(t, &rec)
		if r.status != http.StatusCreated || !rec.Resent {
			t.Errorf("resend: %d %s, want the stored receipt marked resent", r.status, r.body)
		}
		r = answer("a2", codes[0].Code, "不满意")
		if p := r.problem(t); r.status != http.StatusConflict || p.Code != apperr.Conflict || len(p.Errors) != 1 ||
			p.Errors[0].Field != "household_code" || p.Errors[0].Reason != survey.ReasonAlreadyAnswered {
			t.Errorf("second vote: %d %s", r.status, r.body)
		}
		if r := answer("a3", "", "满意"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("an answer without proof: %d %s", r.status, r.body)
		}
		if r := anon.do(t, http.MethodPost, "/api/public/grids/"+grid+"/survey/code", map[string]string{"phone": "13912345678"}); r.status != http.StatusOK {
			t.Errorf("SMS code: %d %s", r.status, r.body)
		}

		var res survey.Results
		centre.get(t, "/api/surveys/"+v.ID+"/results", &res)
		var mine survey.GridResult
		for _, g := range res.Grids {
			if g.GridID == grid {
				mine = g
			}
		}
		if mine.Valid != 1 || mine.Satisfied != 1 || mine.Households != 2 || res.Total.Valid != 1 || mine.High != 100 || mine.Low <= 0 {
			t.Errorf("results of grid %s: %+v (total %+v)", grid, mine, res.Total)
		}
		var theirs survey.Results
		community.get(t, "/api/surveys/"+v.ID+"/results", &theirs)
		if len(theirs.Grids) != len(grids) || len(theirs.Grids) >= len(res.Grids) {
			t.Errorf("community staff see %d grids, want their %d of %d", len(theirs.Grids), len(grids), len(res.Grids))
		}

		// The rate limit: two tries an hour from one address.
		f.survey.SetLimits(survey.LimitConfig{Window: time.Hour, PerIP: 2, PerGrid: 100, PerPhone: 3})
		answer("b1", codes[1].Code, "满意")
		answer("b2", codes[1].Code, "满意")
		r = answer("b3", codes[1].Code, "满意")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Errorf("third answer in the hour: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
		}
	})
}
