package api

import (
	"context"
	"strings"

	"gridwork/internal/assess"
	"gridwork/internal/auth"
)

// LeaguePage is one page of a run's league table: what the console shows,
// so that a table of 30,000 workers never travels whole.
type LeaguePage struct {
	Run     assess.RunInfo `json:"run"`
	Items   []assess.Row   `json:"items"`
	Total   int            `json:"total" doc:"rows matching, before paging"`
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"`
}

// leaguePage serves GET /api/assess/runs/{id}/rows: the rows the caller may
// see (the same scope as run-table), filtered by kind, community and a part
// of the name, best first, one page of them.
func (s *Server) leaguePage(ctx context.Context, u auth.User, in *struct {
	ID          string `path:"id"`
	Kind        string `query:"kind" enum:"worker,community"`
	CommunityID string `query:"community_id"`
	Name        string `query:"q" maxLength:"50" doc:"only subjects whose name contains this"`
	Page
}) (*struct{ Body LeaguePage }, error) {
	info, rows, err := s.assess.Table(ctx, in.ID, assess.TableQuery{Kind: assess.SubjectKind(in.Kind), CommunityID: in.CommunityID})
	if err != nil {
		return nil, err
	}
	if rows, err = s.scopeRows(ctx, u, info, rows); err != nil {
		return nil, err
	}
	if q := strings.TrimSpace(in.Name); q != "" {
		kept := rows[:0:0]
		for _, r := range rows {
			if strings.Contains(r.Name, q) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	limit, offset := in.Page.limitOffset()
	out := LeaguePage{Run: info, Items: []assess.Row{}, Total: len(rows), Page: in.Page.Page, PerPage: in.Page.PerPage}
	if offset < len(rows) {
		out.Items = rows[offset:min(offset+limit, len(rows))]
	}
	return &struct{ Body LeaguePage }{out}, nil
}
