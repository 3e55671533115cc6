package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gridwork/internal/apperr"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/qrsheet"
	"gridwork/internal/survey"
)

// surveyRoutes registers the satisfaction surveys: the centre's side and
// the residents' public side (no sign-in), which the grid's public board
// links to.
func (s *Server) surveyRoutes() {
	tags := []string{"surveys"}
	o := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	get, post := http.MethodGet, http.MethodPost
	op(s, o("list-survey-questionnaires", get, "/api/surveys/questionnaires", "The built-in questionnaire of each audience"), needs(auth.ReadSurveys), s.listSurveyQuestionnaires)
	op(s, created(o("create-survey", post, "/api/surveys", "Prepare a survey of a street or community for a month or quarter")), needs(auth.ManageSurveys), s.createSurvey)
	op(s, o("list-surveys", get, "/api/surveys", "Surveys over your scope, newest first"), needs(auth.ReadSurveys), s.listSurveys)
	op(s, o("get-survey", get, "/api/surveys/{id}", "One survey with its questionnaires"), needs(auth.ReadSurveys), s.getSurvey)
	op(s, o("open-survey", post, "/api/surveys/{id}/open", "Start taking answers"), needs(auth.ManageSurveys), s.openSurvey)
	op(s, o("close-survey", post, "/api/surveys/{id}/close", "Stop taking answers"), needs(auth.ManageSurveys), s.closeSurvey)
	op(s, o("survey-results", get, "/api/surveys/{id}/results", "Results per grid and worker: counts, rate, 95 % margin, flags (grids whose answers exceed their households)"), needs(auth.ReadSurveys), s.surveyResults)
	op(s, created(o("issue-survey-ballots", post, "/api/surveys/{id}/ballots", "Ballot codes for a community's cadres or unit representatives")), needs(auth.ManageSurveys), s.issueSurveyBallots)
	op(s, o("grid-household-codes", get, "/api/grids/{id}/household-codes", "A grid's household answer codes, to print on the contact cards (audited)"), needs(auth.PrintSurveyCodes), s.gridHouseholdCodes)
	op(s, o("grid-household-code-sheet", get, "/api/grids/{id}/household-codes/sheet", "A printable A4 sheet of a grid's contact-card labels: each household's code and a QR code that opens the grid's survey with it (audited)"), needs(auth.PrintSurveyCodes), s.gridHouseholdCodeSheet)

	pt := []string{"public"}
	p := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: pt,
			Errors: []int{http.StatusTooManyRequests}}
	}
	op(s, p("public-grid-survey", get, "/api/public/grids/{id}/survey", "The survey open for a grid, with its questionnaires (no sign-in)"), public(), s.publicGridSurvey)
	op(s, p("public-grid-survey-qr", get, "/api/public/grids/{id}/survey/qr.png", "The QR code of the grid's survey link, for its public board (no sign-in)"), public(), s.publicGridSurveyQR)
	op(s, p("public-survey-code", post, "/api/public/grids/{id}/survey/code", "Send an SMS code to a phone, to answer the grid's survey with it (no sign-in)"), public(), s.publicSurveyCode)
	op(s, created(p("public-survey-answer", post, "/api/public/grids/{id}/survey/answers",
		"Answer the grid's survey with a household code, a phone and its SMS code, or a ballot code (no sign-in); a second answer from the same household, phone or ballot is refused with 409 and the field that identified it")),
		public(), s.publicSurveyAnswer)
}

// surveyVisible says whether u may see survey v: its unit lies in u's
// scope, or u's scope lies in it (community staff see the street's).
func (s *Server) surveyVisible(ctx context.Context, u auth.User, v survey.Survey) bool {
	ok, err := s.scope(ctx).Overlaps(ctx, v.UnitID)
	return err == nil && ok
}

func (s *Server) visibleSurvey(ctx context.Context, u auth.User, id string) (survey.Survey, error) {
	v, err := s.survey.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if !s.surveyVisible(ctx, u, v) {
		return v, apperr.New(apperr.NotFound, "no survey %s", id)
	}
	return v, nil
}

func (s *Server) listSurveyQuestionnaires(ctx context.Context, u auth.User, in *struct{}) (*struct{ Body []survey.Questionnaire }, error) {
	return &struct{ Body []survey.Questionnaire }{survey.Builtins()}, nil
}

func (s *Server) createSurvey(ctx context.Context, u auth.User, in *struct{ Body survey.NewSurvey }) (*struct{ Body survey.Survey }, error) {
	if err := s.readGrid(ctx, u, in.Body.UnitID); err != nil {
		return nil, err
	}
	return reply(s.survey.Create(ctx, u.ID, in.Body))
}

func (s *Server) listSurveys(ctx context.Context, u auth.User, in *struct {
	Status string `query:"status" enum:"draft,open,closed"`
	Month  string `query:"month" doc:"YYYY-MM: only surveys whose facts count in this month"`
}) (*struct{ Body []survey.Survey }, error) {
	vs, err := s.survey.List(ctx, survey.Query{Status: in.Status, FactMonth: in.Month})
	if err != nil {
		return nil, err
	}
	out := []survey.Survey{}
	for _, v := range vs {
		if s.surveyVisible(ctx, u, v) {
			out = append(out, v)
		}
	}
	return &struct{ Body []survey.Survey }{out}, nil
}

func (s *Server) getSurvey(ctx context.Context, u auth.User, in *idInput) (*struct{ Body survey.Survey }, error) {
	return reply(s.visibleSurvey(ctx, u, in.ID))
}

func (s *Server) moveSurvey(ctx context.Context, u auth.User, id string, open bool) (*struct{ Body survey.Survey }, error) {
	v, err := s.visibleSurvey(ctx, u, id)
	if err != nil {
		return nil, err
	}
	// Only the staff of the whole survey's unit open and close it.
	if err := s.readGrid(ctx, u, v.UnitID); err != nil {
		return nil, err
	}
	if open {
		v, err = s.survey.Open(ctx, u.ID, id)
	} else {
		v, err = s.survey.Close(ctx, u.ID, id)
	}
	if err != nil {
		return nil, err
	}
	return &struct{ Body survey.Survey }{v}, nil
}

func (s *Server) openSurvey(ctx context.Context, u auth.User, in *idInput) (*struct{ Body survey.Survey }, error) {
	return s.moveSurvey(ctx, u, in.ID, true)
}

func (s *Server) closeSurvey(ctx context.Context, u auth.User, in *idInput) (*struct{ Body survey.Survey }, error) {
	return s.moveSurvey(ctx, u, in.ID, false)
}

// surveyResults shows the whole survey to staff of its unit, and to staff
// of a community within it only their own grids and workers.
func (s *Server) surveyResults(ctx context.Context, u auth.User, in *idInput) (*struct{ Body survey.Results }, error) {
	v, err := s.visibleSurvey(ctx, u, in.ID)
	if err != nil {
		return nil, err
	}
	res, err := s.survey.Results(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	if s.readGrid(ctx, u, v.UnitID) != nil {
		keep := map[string]bool{}
		grids := []survey.GridResult{}
		res.Total, res.Flagged = survey.Count{}, 0
		units, err := s.scope(ctx).Units(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range res.Grids {
			if units == nil || units[g.GridID] {
				keep[g.GridID] = true
				grids = append(grids, g)
				res.Total.Valid += g.Valid
				res.Total.Satisfied += g.Satisfied
				if len(g.Flags) > 0 {
					res.Flagged++
				}
			}
		}
		workers := []survey.WorkerResult{}
		for _, w := range res.Workers {
			all := true
			for _, g := range w.Grids {
				all = all && keep[g]
			}
			if all {
				workers = append(workers, w)
			}
		}
		res.Grids, res.Workers = grids, workers
	}
	return &struct{ Body survey.Results }{res}, nil
}

func (s *Server) issueSurveyBallots(ctx context.Context, u auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Audience    survey.Audience `json:"audience" enum:"cadre,unit"`
		CommunityID string          `json:"community_id"`
		Count       int             `json:"count" minimum:"1" maximum:"200"`
	}
}) (*struct{ Body []survey.Ballot }, error) {
	if _, err := s.visibleSurvey(ctx, u, in.ID); err != nil {
		return nil, err
	}
	if err := s.readGrid(ctx, u, in.Body.CommunityID); err != nil {
		return nil, err
	}
	return reply(s.survey.IssueBallots(ctx, u.ID, in.ID, in.Body.Audience, in.Body.CommunityID, in.Body.Count))
}

func (s *Server) gridHouseholdCodes(ctx context.Context, u auth.User, in *idInput) (*struct{ Body []survey.HouseholdCode }, error) {
	if err := s.readGrid(ctx, u, in.ID); err != nil {
		return nil, err
	}
	cs, err := s.survey.GridCodes(ctx, u.ID, in.ID)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []survey.HouseholdCode{}
	}
	return &struct{ Body []survey.HouseholdCode }{cs}, nil
}

func (s *Server) publicGridSurvey(ctx context.Context, _ auth.User, in *idInput) (*struct{ Body survey.PublicSurvey }, error) {
	return reply(s.survey.PublicFor(ctx, in.ID))
}

// SurveyCodeSent says until when an SMS code is valid.
type SurveyCodeSent struct {
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) publicSurveyCode(ctx context.Context, _ auth.User, in *struct {
	ID   string `path:"id"`
	Body struct {
		Phone string `json:"phone" maxLength:"20" doc:"an 11-digit mobile number"`
	}
}) (*struct{ Body SurveyCodeSent }, error) {
	exp, err := s.survey.RequestCode(ctx, in.ID, in.Body.Phone, remoteAddr(ctx))
	if err != nil {
		return nil, err
	}
	return &struct{ Body SurveyCodeSent }{SurveyCodeSent{ExpiresAt: exp}}, nil
}

func (s *Server) publicSurveyAnswer(ctx context.Context, _ auth.User, in *struct {
	ID   string `path:"id"`
	Body survey.PublicAnswer
}) (*struct{ Body survey.Receipt }, error) {
	return reply(s.survey.Answer(ctx, in.ID, in.Body, remoteAddr(ctx)))
}

// SurveyLink is the address of a grid's survey on the public side (the
// page reads the grid, and a contact card's code when its QR carries one,
// from the query).
func SurveyLink(publicURL, gridID, code string) string {
	q := url.Values{"survey": {gridID}}
	if code != "" {
		q.Set("code", code)
	}
	return publicURL + "/p/?" + q.Encode()
}

func (s *Server) gridHouseholdCodeSheet(ctx context.Context, u auth.User, in *idInput) (*fileOutput, error) {
	if err := s.readGrid(ctx, u, in.ID); err != nil {
		return nil, err
	}
	g, err := s.org.GetUnit(ctx, in.ID, dates.Today())
	if err != nil {
		return nil, err
	}
	cs, err := s.survey.GridCodes(ctx, u.ID, in.ID)
	if err != nil {
		return nil, err
	}
	labels := make([]qrsheet.Label, 0, len(cs))
	for _, c := range cs {
		labels = append(labels, qrsheet.Label{Title: "网格员工作满意度测评 联系卡", Code: c.Code, Address: c.Address, Grid: g.Name,
			URL: SurveyLink(s.publicURL, g.ID, c.Code)})
	}
	var buf bytes.Buffer
	if err := qrsheet.Sheet(&buf, g.Name+" 联系卡答卷码", labels); err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: "text/html; charset=utf-8", ContentDisposition: `inline; filename="household-codes.html"`, Body: buf.Bytes()}, nil
}

func (s *Server) publicGridSurveyQR(ctx context.Context, _ auth.User, in *struct {
	ID string `path:"id"`
	Px int    `query:"px" minimum:"128" maximum:"1024" default:"256"`
}) (*fileOutput, error) {
	g, err := s.org.GetUnit(ctx, in.ID, dates.Today())
	if err != nil {
		return nil, err
	}
	if g.Level != org.Grid {
		return nil, apperr.New(apperr.NotFound, "no grid %s", in.ID)
	}
	png, err := qrsheet.PNG(SurveyLink(s.publicURL, g.ID, ""), in.Px)
	if err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: "image/png", ContentDisposition: `inline; filename="survey-qr.png"`, Body: png}, nil
}
