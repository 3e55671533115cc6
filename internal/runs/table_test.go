package runs_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// tableRow is a stored result row for the table tests.
type tableRow struct {
	kind, id, name, community string
	assessed                  bool
	total                     float64
	rank                      int
}

// insertRun stores a run and its rows with SQL: the table reads stored rows
// and need not compute them.
func insertRun(t testing.TB, db *store.DB, id, schemeID, span, unit, supersededBy string, created time.Time, rows []tableRow) {
	t.Helper()
	var sup any
	if supersededBy != "" {
		sup = supersededBy
	}
	err := db.Tx(bg, func(tx store.Tx) error {
		if _, err := tx.ExecContext(bg, `INSERT INTO runs (id, scheme_id, span, unit_id, subjects, superseded_by, reason, created_by, created_at, appeals_until)
			VALUES ($1, $2, $3, $4, $5, $6, 'table test', 'test', $7, $7)`, id, schemeID, span, unit, len(rows), sup, created); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(bg, `INSERT INTO run_results (run_id, subject_kind, subject_id, name, community_id, community_name,
				assessed, not_assessed, no_data, total, max_total, rank, of_total, bottom, vetoed, signals, result, input)
				VALUES ($1, $2, $3, $4, $5, '社区', $6, '', 0, $7, 100, $8, 10, FALSE, '', '{}', '{}', '{}')`,
				id, r.kind, r.id, r.name, r.community, r.assessed, r.total, r.rank); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert run %s: %v", id, err)
	}
}

// TestTablePaging: a run's table is filtered and paged by the database, in
// the table's order (assessed first by rank, then the rest by name), and
// each row of a page carries the previous period's total and rank from the
// previous period's current run of the same scheme code and unit only.
func TestTablePaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		as := newRunEnv(t, db).as
		v, _, err := as.SaveScheme(bg, "test", []byte(runScheme), false)
		if err != nil {
			t.Fatal(err)
		}
		// Workers w00…w11: w00…w09 assessed, ranked 1…10 with 100 − i
		// points; w10 and w11 not assessed. Even ones in c1, odd in c2.
		// w05's name holds LIKE's wildcards, taken literally.
		var rows []tableRow
		for i := range 12 {
			r := tableRow{kind: "worker", id: fmt.Sprintf("w%02d", i), name: fmt.Sprintf("网格员%02d", i), community: []string{"c1", "c2"}[i%2],
				assessed: i < 10, total: float64(100 - i)}
			if r.assessed {
				r.rank = i + 1
			}
			if i == 5 {
				r.name = "百分_之%五"
			}
			rows = append(rows, r)
		}
		rows = append(rows, tableRow{kind: "community", id: "c2", name: "乙社区", community: "c2", assessed: true, total: 80, rank: 2},
			tableRow{kind: "community", id: "c1", name: "甲社区", community: "c1", assessed: true, total: 90, rank: 1})
		t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		insertRun(t, db, "mar", v.ID, "2026-03", "u1", "", t0, rows)
		// February: the current run has w00…w05 (w03 not assessed there);
		// a superseded run and another unit's run have other values, which
		// must not show.
		var feb []tableRow
		for i := range 6 {
			feb = append(feb, tableRow{kind: "worker", id: fmt.Sprintf("w%02d", i), name: "x", community: "c1", assessed: i != 3, total: float64(90 - i), rank: i + 2})
		}
		insertRun(t, db, "feb-old", v.ID, "2026-02", "u1", "feb", t0.AddDate(0, -1, 0), []tableRow{{kind: "worker", id: "w06", name: "x", community: "c1", assessed: true, total: 50, rank: 9}})
		insertRun(t, db, "feb", v.ID, "2026-02", "u1", "", t0.AddDate(0, -1, 1), feb)
		insertRun(t, db, "feb-u2", v.ID, "2026-02", "u2", "", t0.AddDate(0, -1, 1), []tableRow{{kind: "worker", id: "w07", name: "x", community: "c1", assessed: true, total: 40, rank: 3}})
		prevTotal := map[string]float64{"w00": 90, "w01": 89, "w02": 88, "w04": 86, "w05": 85}

		ids := func(from, to int) []string {
			var out []string
			for i := from; i <= to; i++ {
				out = append(out, fmt.Sprintf("w%02d", i))
			}
			return out
		}
		for _, tc := range []struct {
			name  string
			q     runs.TableQuery
			total int
			want  []string
		}{
			{"everyone, communities first", runs.TableQuery{}, 14, append([]string{"c1", "c2"}, ids(0, 11)...)},
			{"first page of everyone", runs.TableQuery{Limit: 3}, 14, []string{"c1", "c2", "w00"}},
			{"workers, second page of 5", runs.TableQuery{Kind: scheme.Worker, Limit: 5, Offset: 5}, 12, ids(5, 9)},
			{"workers, last page: the not assessed", runs.TableQuery{Kind: scheme.Worker, Limit: 5, Offset: 10}, 12, ids(10, 11)},
			{"past the end", runs.TableQuery{Kind: scheme.Worker, Limit: 5, Offset: 20}, 12, nil},
			{"community c2", runs.TableQuery{Kind: scheme.Worker, CommunityID: "c2"}, 6, []string{"w01", "w03", "w05", "w07", "w09", "w11"}},
			{"community c2, page 2 of 4", runs.TableQuery{Kind: scheme.Worker, CommunityID: "c2", Limit: 4, Offset: 4}, 6, []string{"w09", "w11"}},
			{"name part", runs.TableQuery{Name: "网格员1"}, 2, []string{"w10", "w11"}},
			{"name with % taken literally", runs.TableQuery{Name: "%"}, 1, []string{"w05"}},
			{"name with _ taken literally", runs.TableQuery{Name: "_之"}, 1, []string{"w05"}},
			{"name matching nobody", runs.TableQuery{Name: "王"}, 0, nil},
			{"scope: c1 only", runs.TableQuery{Kind: scheme.Worker, Communities: []string{"c1"}, Limit: 4}, 6, []string{"w00", "w02", "w04", "w06"}},
			{"scope: none", runs.TableQuery{Communities: []string{}}, 0, nil},
			{"scope and name", runs.TableQuery{Communities: []string{"c1", "c2"}, Name: "社区"}, 2, []string{"c1", "c2"}},
			{"one subject", runs.TableQuery{SubjectID: "w04"}, 1, []string{"w04"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				info, got, total, err := as.TablePage(bg, "mar", tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if info.ID != "mar" {
					t.Errorf("run %q", info.ID)
				}
				var gotIDs []string
				for _, r := range got {
					gotIDs = append(gotIDs, r.SubjectID)
				}
				if total != tc.total || !slices.Equal(gotIDs, tc.want) {
					t.Errorf("total %d, rows %v; want %d, %v", total, gotIDs, tc.total, tc.want)
				}
				_, plain, err := as.Table(bg, "mar", tc.q)
				if err != nil || len(plain) != len(got) {
					t.Errorf("Table gives %d rows (%v), TablePage %d", len(plain), err, len(got))
				}
				for _, r := range got {
					want, ok := prevTotal[r.SubjectID]
					ok = ok && r.SubjectKind == scheme.Worker
					switch {
					case !ok && (r.PrevTotal != nil || r.Change != nil):
						t.Errorf("%s: previous %v, change %v; want none", r.SubjectID, r.PrevTotal, r.Change)
					case ok && (r.PrevTotal == nil || *r.PrevTotal != want || r.Change == nil || *r.Change != r.Total-want || r.PrevRank == nil):
						t.Errorf("%s: previous %v, change %v; want %v and %v", r.SubjectID, r.PrevTotal, r.Change, want, r.Total-want)
					}
				}
			})
		}
		if _, _, _, err := as.TablePage(bg, "nope", runs.TableQuery{}); err == nil {
			t.Error("an unknown run gives no error")
		}
	})
}

// BenchmarkTablePage: one page of a run of 30,000 workers in 600
// communities, with the previous period's run of the same size, read by
// runs.Store.TablePage (count, page, previous values) as the league API
// asks for it: the first page, a page deep in the table, a name search, one
// community, and a community staff's scope. docs/performance.md records
// the figures.
//
//	go test -run '^$' -bench TablePage -benchtime 50x ./internal/runs/
func BenchmarkTablePage(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			as := runs.NewStore(db, org.NewStore(db))
			v, _, err := as.SaveScheme(bg, "test", []byte(runScheme), false)
			if err != nil {
				b.Fatal(err)
			}
			const n = 30_000
			rows := make([]tableRow, n)
			for i := range rows {
				rows[i] = tableRow{kind: "worker", id: fmt.Sprintf("w-%06d", i), name: fmt.Sprintf("工作者%05d", i),
					community: fmt.Sprintf("c-%03d", i%600), assessed: i%50 != 0, total: float64(100 - i%100)}
				if rows[i].assessed {
					rows[i].rank = i + 1
				}
			}
			t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
			insertRun(b, db, "feb", v.ID, "2026-02", "street", "", t0.AddDate(0, -1, 0), rows)
			insertRun(b, db, "mar", v.ID, "2026-03", "street", "", t0, rows)
			if db.Engine == store.Postgres {
				// What autovacuum does within a minute of a run's 30,000
				// inserts: without statistics the planner may read the
				// previous run through the table's index, not its key.
				if _, err := db.ExecContext(bg, `VACUUM ANALYZE run_results`); err != nil {
					b.Fatal(err)
				}
			}
			for _, bc := range []struct {
				name string
				q    runs.TableQuery
			}{
				{"first", runs.TableQuery{Kind: scheme.Worker, Limit: 20}},
				{"deep", runs.TableQuery{Kind: scheme.Worker, Limit: 20, Offset: 24_000}},
				{"search", runs.TableQuery{Kind: scheme.Worker, Name: "工作者123", Limit: 20}},
				{"community", runs.TableQuery{Kind: scheme.Worker, CommunityID: "c-123", Limit: 20, Offset: 20}},
				{"scope", runs.TableQuery{Kind: scheme.Worker, Communities: []string{"c-007"}, Limit: 20}},
			} {
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						_, page, total, err := as.TablePage(bg, "mar", bc.q)
						if err != nil || total == 0 || len(page) == 0 || (page[0].Assessed && page[0].PrevTotal == nil) {
							b.Fatalf("%d of %d rows (%v), first %+v", len(page), total, err, page)
						}
					}
				})
			}
		})
	}
}
