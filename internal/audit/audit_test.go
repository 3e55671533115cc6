package audit_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

type gridState struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

// entry returns the i-th test entry (i from 1). Entry 1 is a creation, with
// no Before.
func entry(i int) audit.Entry {
	e := audit.Entry{
		Actor:    fmt.Sprintf("u%d", i%3+1),
		Action:   "update",
		Entity:   "grid",
		EntityID: fmt.Sprintf("g%d", i%2+1),
		Before:   gridState{Name: fmt.Sprintf("第%d网格", i-1), Code: "110101001001"},
		After:    gridState{Name: fmt.Sprintf("第%d网格", i), Code: "110101001001"},
	}
	if i == 1 {
		e.Action, e.Before = "create", nil
	}
	return e
}

// seed appends entries 1..n, each in its own transaction.
func seed(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := db.Tx(ctx, func(tx store.Tx) error {
			seq, err := audit.Append(ctx, tx, entry(i))
			if err == nil && seq != int64(i) {
				err = fmt.Errorf("Append returned seq %d, want %d", seq, i)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, q store.Queryer) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), q)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func wantIntact(t *testing.T, rep audit.Report, rows int64) {
	t.Helper()
	if rep.Broken != nil {
		t.Fatalf("Verify reports a break on an untouched log: %v", rep.Broken)
	}
	if rep.Rows != rows || rep.HeadSeq != rows {
		t.Fatalf("Verify: rows %d, head %d; want %d and %d", rep.Rows, rep.HeadSeq, rows, rows)
	}
}

func head(t *testing.T, q store.Queryer) (int64, string) {
	t.Helper()
	var seq int64
	var hash string
	if err := q.QueryRowContext(context.Background(),
		`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	return seq, hash
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	res, err := db.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		t.Fatalf("%s: changed %d rows (%v)", query, n, err)
	}
}

func readRow(t *testing.T, db *store.DB, seq int64) audit.Row {
	t.Helper()
	var r audit.Row
	if err := db.QueryRowContext(context.Background(),
		`SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash
		 FROM audit_log WHERE seq = $1`, seq).Scan(
		&r.Seq, &r.At, &r.Actor, &r.Action, &r.Entity, &r.EntityID,
		&r.BeforeJSON, &r.AfterJSON, &r.PrevHash, &r.Hash); err != nil {
		t.Fatal(err)
	}
	return r
}

// rehash rewrites row seq with edit applied and its hash recomputed, as an
// attacker who knows the chain function would.
func rehash(t *testing.T, db *store.DB, seq int64, edit func(r *audit.Row)) {
	t.Helper()
	r := readRow(t, db, seq)
	edit(&r)
	r.Hash = audit.Hash(r)
	exec(t, db, `UPDATE audit_log SET actor = $1, after_json = $2, prev_hash = $3, hash = $4 WHERE seq = $5`,
		r.Actor, r.AfterJSON, r.PrevHash, r.Hash, seq)
}

// execing is a tamper that runs one statement.
func execing(q string, args ...any) func(*testing.T, *store.DB) {
	return func(t *testing.T, db *store.DB) { exec(t, db, q, args...) }
}

// rehashing is a tamper that rewrites row seq and recomputes its hash.
func rehashing(seq int64, edit func(r *audit.Row)) func(*testing.T, *store.DB) {
	return func(t *testing.T, db *store.DB) { rehash(t, db, seq, edit) }
}

var atFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$`)

func TestAppendAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		wantIntact(t, verify(t, db), 0)
		seq, hash := head(t, db)
		if seq != 0 || hash != audit.GenesisHash {
			t.Fatalf("empty head = %d %s", seq, hash)
		}

		const n = 6
		seed(t, db, n)
		rep := verify(t, db)
		wantIntact(t, rep, n)

		prev := audit.GenesisHash
		for i := int64(1); i <= n; i++ {
			r := readRow(t, db, i)
			e := entry(int(i))
			if r.Actor != e.Actor || r.Action != e.Action || r.Entity != e.Entity || r.EntityID != e.EntityID {
				t.Errorf("row %d = %+v, want %+v", i, r, e)
			}
			if !atFormat.MatchString(r.At) {
				t.Errorf("row %d at = %q, want RFC 3339 UTC with 6 fractional digits", i, r.At)
			}
			if r.PrevHash != prev || r.Hash != audit.Hash(r) {
				t.Errorf("row %d does not chain", i)
			}
			prev = r.Hash
		}
		if rep.HeadHash != prev {
			t.Errorf("report head hash %s, want last row's %s", rep.HeadHash, prev)
		}

		first := readRow(t, db, 1)
		if first.BeforeJSON != nil {
			t.Errorf("row 1 before_json = %q, want NULL", *first.BeforeJSON)
		}
		if first.AfterJSON == nil || *first.AfterJSON != `{"name":"第1网格","code":"110101001001"}` {
			t.Errorf("row 1 after_json = %v", first.AfterJSON)
		}

		// Verify also runs inside a transaction, one query at a time.
		err := db.Tx(ctx, func(tx store.Tx) error {
			wantIntact(t, verify(t, tx), n)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestVerifyFindsTampering(t *testing.T) {
	const n = 5 // rows 1..5; row 1 has a NULL before_json
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *store.DB)
		wantSeq    int64
		wantReason string
	}{
		{"update a middle row's actor", execing(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`), 3, "row 3 was altered: its stored hash does not match its contents"},
		{"update a row's after_json", execing(`UPDATE audit_log SET after_json = '{"name":"假网格"}' WHERE seq = 2`), 2, "row 2 was altered: its stored hash does not match its contents"},
		{"NULL before_json set to the text null", execing(`UPDATE audit_log SET before_json = 'null' WHERE seq = 1`), 1, "row 1 was altered: its stored hash does not match its contents"},
		{"before_json set to NULL", execing(`UPDATE audit_log SET before_json = NULL WHERE seq = 4`), 4, "row 4 was altered"},
		{"update a row's stored hash only", execing(`UPDATE audit_log SET hash = $1 WHERE seq = 3`, strings.Repeat("f", 64)), 3, "row 3 was altered"},
		{"update a row's prev_hash only", execing(`UPDATE audit_log SET prev_hash = $1 WHERE seq = 4`, strings.Repeat("e", 64)), 4, "row 4 was altered: its stored hash does not match its contents, and its prev_hash does not match row 3's hash"},
		{"delete a middle row", execing(`DELETE FROM audit_log WHERE seq = 3`), 3, "row 3 is missing (rows jump from 2 to 4): it was deleted"},
		{"delete two middle rows", execing(`DELETE FROM audit_log WHERE seq IN (2, 3)`), 2, "rows 2 to 3 are missing (rows jump from 1 to 4): they were deleted"},
		{"delete the first row", execing(`DELETE FROM audit_log WHERE seq = 1`), 1, "row 1 is missing (the log starts at row 2): it was deleted"},
		{"delete the last row", execing(`DELETE FROM audit_log WHERE seq = 5`), 5, "the head says 5 rows but the log ends at row 4: rows were deleted from the end"},
		{"delete every row", execing(`DELETE FROM audit_log`), 1, "the head says 5 rows but the log is empty: all rows were deleted"},
		{"update a middle row and recompute its hash", rehashing(3, func(r *audit.Row) { r.Actor = "mallory" }), 3, "row 3's hash was recomputed but row 4 still links to the old one"},
		{"update the first row and recompute its hash", rehashing(1, func(r *audit.Row) { r.AfterJSON = nil }), 1, "row 1's hash was recomputed but row 2 still links to the old one"},
		{"update the last row and recompute its hash", rehashing(5, func(r *audit.Row) { r.Actor = "mallory" }), 5, "the head's hash differs from row 5's hash: the head was altered, or row 5 was altered and its hash recomputed"},
		{"rewrite row 1's prev_hash and recompute its hash", rehashing(1, func(r *audit.Row) { r.PrevHash = strings.Repeat("1", 64) }), 1, "row 1 does not start from the genesis hash"},
		{"update the head's hash", execing(`UPDATE audit_head SET hash = $1 WHERE id = 1`, strings.Repeat("a", 64)), 5, "the head's hash differs from row 5's hash"},
		{"move the head forward", execing(`UPDATE audit_head SET seq = seq + 2 WHERE id = 1`), 6, "the head says 7 rows but the log ends at row 5"},
		{"move the head back", execing(`UPDATE audit_head SET seq = 3 WHERE id = 1`), 3, "the head's hash differs from row 3's hash"},
		{"move the head back to a consistent earlier state", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_head SET seq = 3, hash = $1 WHERE id = 1`, readRow(t, db, 3).Hash)
		}, 4, "row 4 lies past the head, which says 3 rows"},
		{
			name: "truncate the log and the head consistently",
			tamper: func(t *testing.T, db *store.DB) {
				exec(t, db, `DELETE FROM audit_log WHERE seq > 3`)
				exec(t, db, `UPDATE audit_head SET seq = 3, hash = $1 WHERE id = 1`, readRow(t, db, 3).Hash)
				// Undetectable by the chain alone, but the next append
				// must still chain on.
			},
			wantSeq: -1,
		},
		{
			name: "append a forged row without moving the head",
			tamper: func(t *testing.T, db *store.DB) {
				r := readRow(t, db, 5)
				f := audit.Row{Seq: 6, At: r.At, Actor: "mallory", Action: "create", Entity: "user",
					EntityID: "mallory", PrevHash: r.Hash}
				f.Hash = audit.Hash(f)
				exec(t, db, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
					f.Seq, f.At, f.Actor, f.Action, f.Entity, f.EntityID, f.PrevHash, f.Hash)
			},
			wantSeq:    6,
			wantReason: "row 6 lies past the head, which says 5 rows",
		},
		{
			name: "insert a row before row 1",
			tamper: func(t *testing.T, db *store.DB) {
				exec(t, db, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash)
					VALUES (0, 'x', 'mallory', 'create', 'user', 'm', $1, $1)`, audit.GenesisHash)
			},
			wantSeq:    0,
			wantReason: "row 0 cannot exist",
		},
		{"delete the head", execing(`DELETE FROM audit_head`), 0, "the audit head row is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				seed(t, db, n)
				wantIntact(t, verify(t, db), n)
				tc.tamper(t, db)
				rep := verify(t, db)
				if tc.wantSeq < 0 {
					if rep.Broken != nil {
						t.Fatalf("Verify reports %v, want intact", rep.Broken)
					}
					return
				}
				if rep.Broken == nil {
					t.Fatalf("Verify reports an intact chain (%d rows)", rep.Rows)
				}
				if rep.Broken.Seq != tc.wantSeq || !strings.Contains(rep.Broken.Reason, tc.wantReason) {
					t.Fatalf("Verify reports %q at row %d, want %q at row %d",
						rep.Broken.Reason, rep.Broken.Seq, tc.wantReason, tc.wantSeq)
				}
				if msg := rep.Broken.Error(); !strings.Contains(msg, rep.Broken.Reason) {
					t.Errorf("Break.Error() = %q lacks the reason", msg)
				}
				t.Logf("row %d: %s", rep.Broken.Seq, rep.Broken.Reason)
			})
		})
	}
}

func TestRollbackLeavesNoTrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, 2)
		seq0, hash0 := head(t, db)
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx store.Tx) error {
			seq, err := audit.Append(ctx, tx, entry(3))
			if err != nil {
				return err
			}
			if seq != 3 {
				t.Errorf("Append in the doomed transaction returned seq %d, want 3", seq)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want boom", err)
		}
		if seq, hash := head(t, db); seq != seq0 || hash != hash0 {
			t.Fatalf("head moved to %d %s after a rollback, want %d %s", seq, hash, seq0, hash0)
		}
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 2 {
			t.Fatalf("%d audit rows after a rollback, want 2", rows)
		}
		// The next append takes the seq the rolled-back one had.
		seed3 := func(tx store.Tx) error {
			seq, err := audit.Append(ctx, tx, entry(3))
			if err == nil && seq != 3 {
				err = fmt.Errorf("Append after the rollback returned seq %d, want 3", seq)
			}
			return err
		}
		if err := db.Tx(ctx, seed3); err != nil {
			t.Fatal(err)
		}
		wantIntact(t, verify(t, db), 3)
	})
}

// After a consistent truncation (which the chain alone cannot detect),
// appending still works and chains on from the head.
func TestAppendChainsFromHead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db, 3)
		exec(t, db, `DELETE FROM audit_log WHERE seq = 3`)
		exec(t, db, `UPDATE audit_head SET seq = 2, hash = $1 WHERE id = 1`, readRow(t, db, 2).Hash)
		seed3 := func(tx store.Tx) error { _, err := audit.Append(context.Background(), tx, entry(3)); return err }
		if err := db.Tx(context.Background(), seed3); err != nil {
			t.Fatal(err)
		}
		wantIntact(t, verify(t, db), 3)
	})
}

func TestAppendRefusesBadEntries(t *testing.T) {
	good := entry(2)
	tests := []struct {
		name string
		edit func(e *audit.Entry)
		want string
	}{
		{"no actor", func(e *audit.Entry) { e.Actor = "" }, "no Actor"},
		{"no action", func(e *audit.Entry) { e.Action = "" }, "no Action"},
		{"no entity", func(e *audit.Entry) { e.Entity = "" }, "no Entity"},
		{"no entity id", func(e *audit.Entry) { e.EntityID = "" }, "no EntityID"},
		{"invalid UTF-8", func(e *audit.Entry) { e.Actor = "u\xff" }, "not valid UTF-8"},
		{"NUL byte", func(e *audit.Entry) { e.EntityID = "g\x001" }, "NUL"},
		{"unmarshalable before", func(e *audit.Entry) { e.Before = make(chan int) }, "Before"},
		{"unmarshalable after", func(e *audit.Entry) { e.After = func() {} }, "After"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := good
				tc.edit(&e)
				err := db.Tx(ctx, func(tx store.Tx) error {
					_, err := audit.Append(ctx, tx, e)
					return err
				})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Append = %v, want an error about %s", err, tc.want)
				}
				if apperr.CodeOf(err) != apperr.Internal {
					t.Errorf("a bad entry is a programming error, got code %s", apperr.CodeOf(err))
				}
			})
		}
		if seq, _ := head(t, db); seq != 0 {
			t.Fatalf("refused entries moved the head to %d", seq)
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, 7) // entity ids alternate: odd i → g2, even i → g1
		tests := []struct {
			name     string
			entity   string
			id       string
			limit    int
			wantSeqs []int64
		}{
			{"all of g2", "grid", "g2", 10, []int64{7, 5, 3, 1}},
			{"newest two of g1", "grid", "g1", 2, []int64{6, 4}},
			{"exactly the limit", "grid", "g1", 3, []int64{6, 4, 2}},
			{"other entity", "worker", "g1", 10, nil},
			{"unknown id", "grid", "g9", 10, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rows, err := audit.List(ctx, db, tc.entity, tc.id, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range rows {
					got = append(got, r.Seq)
					if r.Entity != tc.entity || r.EntityID != tc.id || r.Hash != audit.Hash(r) {
						t.Errorf("row %d = %+v", r.Seq, r)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.wantSeqs) {
					t.Fatalf("seqs %v, want %v", got, tc.wantSeqs)
				}
			})
		}
		t.Run("bad limit", func(t *testing.T) {
			_, err := audit.List(ctx, db, "grid", "g1", 0)
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("List with limit 0 = %v, want an Invalid error", err)
			}
		})
		t.Run("row contents", func(t *testing.T) {
			rows, err := audit.List(ctx, db, "grid", "g2", 1)
			if err != nil || len(rows) != 1 {
				t.Fatalf("List = %v, %v", rows, err)
			}
			r := rows[0]
			if r.BeforeJSON == nil || *r.BeforeJSON != `{"name":"第6网格","code":"110101001001"}` ||
				r.AfterJSON == nil || *r.AfterJSON != `{"name":"第7网格","code":"110101001001"}` {
				t.Fatalf("row 7 before %v after %v", r.BeforeJSON, r.AfterJSON)
			}
		})
	})
}

func TestConcurrentAppends(t *testing.T) {
	const workers, each = 8, 25
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			seqs = map[int64]bool{}
			errs = make(chan error, workers)
		)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					var seq int64
					err := db.Tx(ctx, func(tx store.Tx) error {
						var err error
						seq, err = audit.Append(ctx, tx, audit.Entry{
							Actor: fmt.Sprintf("w%d", w), Action: "update", Entity: "grid",
							EntityID: fmt.Sprintf("g%d", w), After: map[string]int{"i": i},
						})
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("worker %d append %d: %w", w, i, err)
						return
					}
					mu.Lock()
					if seqs[seq] {
						errs <- fmt.Errorf("seq %d handed out twice", seq)
					}
					seqs[seq] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		if len(seqs) != workers*each {
			t.Fatalf("%d distinct seqs, want %d", len(seqs), workers*each)
		}
		wantIntact(t, verify(t, db), workers*each)
	})
}

// Appends that commit while Verify walks the log are not tampering.
func TestVerifyDuringAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, 50)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := db.Tx(ctx, func(tx store.Tx) error {
					_, err := audit.Append(ctx, tx, entry(i+1))
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
		for range 20 {
			if rep := verify(t, db); rep.Broken != nil {
				t.Errorf("Verify during appends: %v", rep.Broken)
				break
			}
		}
		close(stop)
		wg.Wait()
		rep := verify(t, db)
		seq, _ := head(t, db)
		wantIntact(t, rep, seq)
	})
}

// engines are the databases the benchmarks run on.
var engines = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{"sqlite", storetest.SQLite},
	{"postgres", storetest.Postgres},
}

func BenchmarkAppend(b *testing.B) {
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			db := eng.open(b)
			ctx := context.Background()
			e := entry(2)
			for b.Loop() {
				err := db.Tx(ctx, func(tx store.Tx) error {
					_, err := audit.Append(ctx, tx, e)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	const rows = 10000
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			db := eng.open(b)
			ctx := context.Background()
			err := db.Tx(ctx, func(tx store.Tx) error {
				for i := 1; i <= rows; i++ {
					if _, err := audit.Append(ctx, tx, entry(i)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := audit.Verify(ctx, db)
				if err != nil || rep.Broken != nil || rep.Rows != rows {
					b.Fatalf("Verify = %+v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
