package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"gridwork/internal/api"
	"gridwork/internal/app/apptest"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/org"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// seedRun stores a run of scheme with n worker rows, ranked 1…n and named
// 工作者000…, spread over communities in turn, written with SQL: the league
// page reads stored rows and need not compute them.
func seedRun(t testing.TB, db *store.DB, schemeID, span, unitID string, communities []org.Unit, n int) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7()).String()
	now := time.Now().UTC()
	err := db.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (id, scheme_id, span, unit_id, subjects, reason, created_by, created_at, appeals_until)
			VALUES ($1, $2, $3, $4, $5, 'league test', 'test', $6, $7)`, id, schemeID, span, unitID, n, now, now.Add(7*24*time.Hour)); err != nil {
			return err
		}
		for i := range n {
			c := communities[i%len(communities)]
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_results (run_id, subject_kind, subject_id, name, community_id, community_name,
				assessed, not_assessed, no_data, total, max_total, rank, of_total, bottom, vetoed, signals, result, input)
				VALUES ($1, 'worker', $2, $3, $4, $5, TRUE, '', 0, $6, 100, $7, $8, FALSE, '', '{}', '{}', '{}')`,
				id, fmt.Sprintf("w-%06d", i), fmt.Sprintf("工作者%03d", i), c.ID, c.Name, float64(100-i%100), i+1, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed run: %v", err)
	}
	return id
}

// TestLeaguePage: the league table comes a page at a time, filtered by
// kind and name, and each caller sees only the rows of their scope.
func TestLeaguePage(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		as := f.app.Assess
		v, _, err := as.SaveScheme(ctx, "test", []byte(apiScheme), false)
		if err != nil {
			t.Fatal(err)
		}
		on := dates.Today()
		streets, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Street, WithoutGeometry: true})
		if err != nil || len(streets) != 1 {
			t.Fatalf("street: %v %v", streets, err)
		}
		staff := f.setPassword(t, "c01staff")
		comms, _, err := f.orgs.ListUnits(ctx, org.UnitQuery{On: on, Level: org.Community, WithoutGeometry: true})
		if err != nil || len(comms) < 3 {
			t.Fatalf("communities: %v %v", comms, err)
		}
		// The staff's community first, then two others: rows 0, 3, 6 … are theirs.
		var mine org.Unit
		others := []org.Unit{}
		for _, c := range comms {
			if c.ID == staff.ScopeUnitID {
				mine = c
			} else if len(others) < 2 {
				others = append(others, c)
			}
		}
		if mine.ID == "" {
			t.Fatalf("c01staff's scope %s is not a community", staff.ScopeUnitID)
		}
		run := seedRun(t, f.db, v.ID, "2026-03", streets[0].ID, append([]org.Unit{mine}, others...), 45)
		admin := f.signIn(t, "admin")
		var page api.LeaguePage
		admin.get(t, "/api/assess/runs/"+run+"/rows?kind=worker&page=2&per_page=20", &page)
		if page.Total != 45 || len(page.Items) != 20 || page.Items[0].Rank != 21 || page.Items[19].Rank != 40 || page.Run.ID != run {
			t.Errorf("page 2 of 20: total %d, %d items from rank %v; want 45, 20 from rank 21 to 40", page.Total, len(page.Items), page.Items)
		}
		admin.get(t, "/api/assess/runs/"+run+"/rows?page=3&per_page=20", &page)
		if page.Total != 45 || len(page.Items) != 5 {
			t.Errorf("page 3: total %d, %d items; want 45, 5", page.Total, len(page.Items))
		}
		admin.get(t, "/api/assess/runs/"+run+"/rows?page=9&per_page=20", &page)
		if page.Total != 45 || page.Items == nil || len(page.Items) != 0 {
			t.Errorf("past the end: total %d, items %v; want 45 and []", page.Total, page.Items)
		}
		admin.get(t, "/api/assess/runs/"+run+"/rows?q=%E5%B7%A5%E4%BD%9C%E8%80%8504", &page) // 工作者04
		if page.Total != 5 || len(page.Items) != 5 || page.Items[0].Name != "工作者040" {
			t.Errorf("name filter 工作者04: total %d, %v; want 工作者040…044", page.Total, page.Items)
		}
		admin.get(t, "/api/assess/runs/"+run+"/rows?community_id="+mine.ID+"&per_page=10&page=2", &page)
		if page.Total != 15 || len(page.Items) != 5 || page.Items[0].Rank != 31 || page.Items[0].CommunityID != mine.ID {
			t.Errorf("community filter, page 2 of 10: total %d, %v; want 15, 5 from rank 31", page.Total, page.Items)
		}
		admin.get(t, "/api/assess/runs/"+run+"/rows?kind=community", &page)
		if page.Total != 0 {
			t.Errorf("kind=community: %d rows, want none", page.Total)
		}
		c := f.signIn(t, "c01staff")
		c.get(t, "/api/assess/runs/"+run+"/rows?per_page=100", &page)
		if page.Total != 15 {
			t.Errorf("community staff see %d rows, want their community's 15", page.Total)
		}
		for _, r := range page.Items {
			if r.CommunityID != mine.ID {
				t.Errorf("community staff see %s of %s", r.Name, r.CommunityName)
			}
		}
		// Another community's filter shows them nothing, not that community.
		c.get(t, "/api/assess/runs/"+run+"/rows?community_id="+others[0].ID, &page)
		if page.Total != 0 || len(page.Items) != 0 {
			t.Errorf("community staff filtering by another community see %d rows, want none", page.Total)
		}
		c.get(t, "/api/assess/runs/"+run+"/rows?q=%E5%B7%A5%E4%BD%9C%E8%80%8503&per_page=2", &page) // 工作者03
		if page.Total != 4 || len(page.Items) != 2 || page.Items[0].Name != "工作者030" || page.Items[1].Name != "工作者033" {
			t.Errorf("community staff's name search 工作者03: total %d, %v; want 4, 工作者030 and 033 first", page.Total, page.Items)
		}
		if r := f.anon().do(t, http.MethodGet, "/api/assess/runs/"+run+"/rows", nil); r.status != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", r.status)
		}
		if r := admin.do(t, http.MethodGet, "/api/assess/runs/nope/rows", nil); r.status != http.StatusNotFound {
			t.Errorf("unknown run: %d, want 404", r.status)
		}
	})
}

// TestPublicBoards: without signing in, the communities and a community's
// grid boards, naming each worker with their phone and nothing more.
func TestPublicBoards(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, f *fixture) {
		anon := f.anon()
		var comms []api.PublicUnit
		anon.get(t, "/api/public/communities", &comms)
		if len(comms) != f.summary.Communities {
			t.Fatalf("%d communities, want %d", len(comms), f.summary.Communities)
		}
		workers, withGeometry := 0, 0
		for _, c := range comms {
			var b api.PublicBoards
			anon.get(t, "/api/public/communities/"+c.ID+"/boards", &b)
			if b.Community.ID != c.ID {
				t.Errorf("boards of %s name %s", c.ID, b.Community.ID)
			}
			for _, g := range b.Grids {
				if g.Geometry != "" {
					withGeometry++
				}
				for _, w := range g.Workers {
					workers++
					if w.Name == "" || w.Phone == "" {
						t.Errorf("grid %s: a worker without name or phone: %+v", g.Name, w)
					}
				}
			}
			// Only the board's fields travel: no ids, no assignments.
			r := anon.do(t, http.MethodGet, "/api/public/communities/"+c.ID+"/boards", nil)
			var raw struct {
				Grids []struct {
					Workers []map[string]any `json:"workers"`
				} `json:"grids"`
			}
			r.decode(t, &raw)
			for _, g := range raw.Grids {
				for _, w := range g.Workers {
					for k := range w {
						if k != "name" && k != "phone" && k != "extra" && k != "share_pct" {
							t.Errorf("a public board shows a worker's %q", k)
						}
					}
				}
			}
		}
		if withGeometry != f.summary.Grids {
			t.Errorf("%d grids with a polygon on the boards, want %d", withGeometry, f.summary.Grids)
		}
		// Each assignment in force appears once, on its grid's board.
		if workers != f.summary.Assignments {
			t.Errorf("%d workers on the boards, want the %d assignments", workers, f.summary.Assignments)
		}
		if r := anon.do(t, http.MethodGet, "/api/public/communities/nope/boards", nil); r.status != http.StatusNotFound {
			t.Errorf("an unknown community: %d, want 404", r.status)
		}
		var streets []org.Unit
		streets, _, _ = f.orgs.ListUnits(context.Background(), org.UnitQuery{On: dates.Today(), Level: org.Street, WithoutGeometry: true})
		if r := anon.do(t, http.MethodGet, "/api/public/communities/"+streets[0].ID+"/boards", nil); r.status != http.StatusNotFound {
			t.Errorf("a street's boards: %d, want 404", r.status)
		}
	})
}

// BenchmarkLeaguePage: one page of a league table of 30,000 workers, with
// the previous period's run of the same size (for the change column), as
// the console asks for it: the first page, a page deep in the table, a
// name search, and one community's rows. Each request reads the database
// (nothing is kept between requests). docs/performance.md records the
// figures.
//
//	go test -run '^$' -bench LeaguePage -benchtime 20x ./internal/api/
func BenchmarkLeaguePage(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	a := apptest.New(b, db)
	users := a.Users
	if _, err := users.EnsureAdmin(ctx); err != nil {
		b.Fatal(err)
	}
	admin, err := users.GetUserByUsername(ctx, auth.AdminUsername)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := users.CreateToken(ctx, admin.ID, admin.ID, "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	v, _, err := a.Assess.SaveScheme(ctx, "test", []byte(apiScheme), false)
	if err != nil {
		b.Fatal(err)
	}
	comms := make([]org.Unit, 600)
	for i := range comms {
		comms[i] = org.Unit{ID: fmt.Sprintf("c-%03d", i), Name: fmt.Sprintf("社区%03d", i)}
	}
	const n = 30_000
	seedRun(b, db, v.ID, "2026-02", "street", comms, n)
	run := seedRun(b, db, v.ID, "2026-03", "street", comms, n)
	ts := httptest.NewServer(api.New(a, api.Options{Version: "bench"}))
	defer ts.Close()
	for _, bc := range []struct{ name, query string }{
		{"first", "?kind=worker&page=1&per_page=20"},
		{"deep", "?kind=worker&page=1200&per_page=20"},
		{"search", "?kind=worker&q=%E5%B7%A5%E4%BD%9C%E8%80%85123"},
		{"community", "?kind=worker&community_id=c-123&page=2&per_page=20"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/assess/runs/"+run+"/rows"+bc.query, nil)
				req.Header.Set("Authorization", "Bearer "+tok.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
