package api

import (
	"context"
	"strings"

	"gridwork/internal/runs"

	"gridwork/internal/auth"
	"gridwork/internal/scheme"
)

// LeaguePage is one page of a run's league table: what the console shows,
// so that a table of 30,000 workers never travels whole.
type LeaguePage struct {
	Run     runs.RunInfo `json:"run"`
	Items   []runs.Row   `json:"items"`
	Total   int          `json:"total" doc:"rows matching, before paging"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

// leaguePage serves GET /api/assess/runs/{id}/rows: the rows the caller may
// see (the same scope as run-table), filtered by kind, community and a part
// of the name, best first, one page of them. The database does the
// filtering and paging (runs.Store.TablePage): a page of a 30,000-row run
// costs a few milliseconds, so nothing is kept between requests.
func (s *Server) leaguePage(ctx context.Context, u auth.User, in *struct {
	ID          string `path:"id"`
	Kind        string `query:"kind" enum:"worker,community"`
	CommunityID string `query:"community_id"`
	Name        string `query:"q" maxLength:"50" doc:"only subjects whose name contains this"`
	Page
}) (*struct{ Body LeaguePage }, error) {
	sc, err := s.runScope(ctx, false)
	if err != nil {
		return nil, err
	}
	limit, offset := in.Page.limitOffset()
	info, rows, total, err := s.assess.TablePage(ctx, in.ID, runs.TableQuery{Kind: scheme.SubjectKind(in.Kind), CommunityID: in.CommunityID,
		Name: strings.TrimSpace(in.Name), Scope: sc, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return &struct{ Body LeaguePage }{LeaguePage{Run: info, Items: rows, Total: total, Page: in.Page.Page, PerPage: in.Page.PerPage}}, nil
}
