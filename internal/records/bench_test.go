package records_test

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"gridwork/internal/exchange"
	"gridwork/internal/store/storetest"
)

// BenchmarkImportPeople100k imports 100,000 people from one xlsx file into
// an SQLite ledger (the default engine) through ImportPeople: parse, check
// each identity number, seal it, look for duplicates and store, in one
// transaction. It reports rows/s and the peak heap in use, sampled.
//
//	go test -run '^$' -bench ImportPeople100k -benchtime 1x ./internal/records
func BenchmarkImportPeople100k(b *testing.B) {
	const n = 100_000
	for range b.N {
		b.StopTimer()
		db := storetest.SQLite(b)
		tw := newTownTB(b, db)
		tw.onDay("2026-03-01")
		var file bytes.Buffer
		i := 0
		err := exchange.WriteXLSX(&file, "人口", []string{"姓名", "身份证号", "人员类别", "所属网格", "联系电话", "现住址", "来本地日期"}, func() ([]any, bool) {
			if i >= n {
				return nil, false
			}
			birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/500)
			id := idNumber(birth.Format("2006-01-02"), i%500)
			cat := "户籍"
			if i%3 == 0 {
				cat = "流动"
			}
			i++
			return []any{fmt.Sprintf("人员%d", i), id, cat, tw.g1Code, fmt.Sprintf("138%08d", i), fmt.Sprintf("一号楼%d室", i), "2025-12-01"}, true
		})
		if err != nil {
			b.Fatal(err)
		}
		data := file.Bytes()
		runtime.GC()
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		rep, err := tw.rec.ImportPeople(bg, actor, "people.xlsx", bytes.NewReader(data), nil)
		took := time.Since(start)
		b.StopTimer()
		close(done)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Stored != n {
			b.Fatalf("stored %d of %d: %+v", rep.Stored, n, rep.Errors[:min(3, len(rep.Errors))])
		}
		b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(len(data))/(1<<20), "file-MiB")
	}
}
