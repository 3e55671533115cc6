package exchange

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// benchDir holds files the benchmarks write once; TestMain removes it.
var (
	benchDir     string
	benchXLSX    string
	benchXLSXErr error
	benchOnce    sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

const benchRows = 100_000

// benchFile writes the 100,000-row person workbook once.
func benchFile(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchXLSXErr = os.MkdirTemp("", "exchange-bench-")
		if benchXLSXErr != nil {
			return
		}
		benchXLSX = filepath.Join(benchDir, "people.xlsx")
		f, err := os.Create(benchXLSX)
		if err != nil {
			benchXLSXErr = err
			return
		}
		i := 0
		next := func() ([]any, bool) {
			if i == benchRows {
				return nil, false
			}
			i++
			return personRow(i - 1), true
		}
		start := time.Now()
		if err := WriteXLSX(f, "人员", personHeader, next); err != nil {
			benchXLSXErr = err
		}
		if err := f.Close(); err != nil && benchXLSXErr == nil {
			benchXLSXErr = err
		}
		if fi, err := os.Stat(benchXLSX); err == nil {
			b.Logf("wrote %d rows, %.1f MiB, in %v", benchRows, float64(fi.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
		}
	})
	if benchXLSXErr != nil {
		b.Fatal(benchXLSXErr)
	}
	return benchXLSX
}

var benchMapping = Mapping{
	{Name: "name", Headers: []string{"姓名"}, Required: true},
	{Name: "sex", Headers: []string{"性别"}},
	{Name: "nation", Headers: []string{"民族"}},
	{Name: "id", Headers: []string{"身份证号", "公民身份号码"}, Required: true},
	{Name: "birth", Headers: []string{"出生日期"}},
	{Name: "phone", Headers: []string{"联系电话"}},
	{Name: "home", Headers: []string{"户籍地址"}},
	{Name: "addr", Headers: []string{"现住址"}},
	{Name: "grid", Headers: []string{"所属网格"}},
	{Name: "kind", Headers: []string{"人员类别"}},
	{Name: "registered", Headers: []string{"登记日期"}},
}

// BenchmarkReadXLSX100k reads every row and field of a 100,000-row,
// 12-column workbook. It reports rows/s; peak-MiB, the largest heap in use
// (HeapInuse) sampled every 2 ms while opening and reading; and sys-MiB,
// the most memory obtained from the OS (which includes writing the file).
func BenchmarkReadXLSX100k(b *testing.B) {
	path := benchFile(b)
	runtime.GC()
	stop, peak := sampleMemory(2 * time.Millisecond)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		tbl, err := Open(f, XLSX, benchMapping, nil, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r, ok := tbl.Next(); ok; r, ok = tbl.Next() {
			for _, fd := range benchMapping {
				_ = r.Get(fd.Name)
			}
			n++
		}
		if err := tbl.Err(); err != nil {
			b.Fatal(err)
		}
		if n != benchRows {
			b.Fatalf("read %d rows, want %d", n, benchRows)
		}
		_ = f.Close()
	}
	b.StopTimer()
	close(stop)
	p := <-peak
	heap, sys := p[0], p[1]
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(heap)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(sys)/(1<<20), "sys-MiB")
}

// sampleMemory samples HeapInuse and Sys every interval until stop is
// closed, then sends their maxima, in that order, on peak.
func sampleMemory(interval time.Duration) (stop chan struct{}, peak chan [2]uint64) {
	stop, peak = make(chan struct{}), make(chan [2]uint64, 1)
	go func() {
		var ms runtime.MemStats
		var most [2]uint64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			most[0] = max(most[0], ms.HeapInuse)
			most[1] = max(most[1], ms.Sys)
			select {
			case <-stop:
				peak <- most
				return
			case <-t.C:
			}
		}
	}()
	return stop, peak
}
