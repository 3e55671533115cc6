package api

import (
	"context"
	"strings"
	"sync"
	"time"

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
	info, rows, err := leagueRows(ctx, s, in.ID, assess.TableQuery{Kind: assess.SubjectKind(in.Kind), CommunityID: in.CommunityID})
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

// leagueTTL is how long a read league table serves further pages. A run's
// rows never change (runs are immutable), but their "change since the
// previous period" follows the previous period's current run, which an
// upheld appeal can replace: for that column a page may be this old.
const leagueTTL = 2 * time.Minute

// leagueCacheSize bounds the tables kept: a 30,000-row table is a few MB.
const leagueCacheSize = 8

type leagueKey struct {
	s     *Server
	run   string
	query assess.TableQuery
}

type leagueEntry struct {
	rows []assess.Row
	at   time.Time
}

// leagueCache keeps recently read tables, so that paging through a large
// one reads it once: assess.Store.Table reads a whole table and its
// previous period (about half a second for 30,000 workers on SQLite,
// docs/performance.md), and the console asks for it a page at a time.
var leagueCache = struct {
	sync.Mutex
	m map[leagueKey]leagueEntry
}{m: map[leagueKey]leagueEntry{}}

// leagueRows returns the run (read afresh: it may have been superseded)
// and its table rows, from the cache when they are recent.
func leagueRows(ctx context.Context, s *Server, runID string, q assess.TableQuery) (assess.RunInfo, []assess.Row, error) {
	info, err := s.assess.GetRun(ctx, runID)
	if err != nil {
		return info, nil, err
	}
	key := leagueKey{s, runID, q}
	now := time.Now()
	leagueCache.Lock()
	e, ok := leagueCache.m[key]
	leagueCache.Unlock()
	if ok && now.Sub(e.at) < leagueTTL {
		return info, e.rows, nil
	}
	_, rows, err := s.assess.Table(ctx, runID, q)
	if err != nil {
		return info, nil, err
	}
	leagueCache.Lock()
	defer leagueCache.Unlock()
	for k, old := range leagueCache.m {
		if now.Sub(old.at) >= leagueTTL {
			delete(leagueCache.m, k)
		}
	}
	for len(leagueCache.m) >= leagueCacheSize {
		var oldest leagueKey
		first := true
		for k, old := range leagueCache.m {
			if first || old.at.Before(leagueCache.m[oldest].at) {
				oldest, first = k, false
			}
		}
		delete(leagueCache.m, oldest)
	}
	leagueCache.m[key] = leagueEntry{rows: rows, at: now}
	return info, rows, nil
}
