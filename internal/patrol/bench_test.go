package patrol_test

// The GPS benchmark of issue 4, scaled: a city of N grid workers (default
// 300; GRIDWORK_BENCH_WORKERS sets it) replays one day, 2 patrols of 3 h at
// a fix every 30 s, through the real API handler, storage, settling and the
// stored facts (internal/patrol/replay). It runs only with -bench:
//
//	go test -run '^$' -bench Replay -benchtime 1x ./internal/patrol/
//
// The full size is `gridwork bench gps --workers 30000`; docs/performance.md
// records the figures.

import (
	"os"
	"strconv"
	"testing"

	"gridwork/internal/api"
	"gridwork/internal/app/apptest"
	"gridwork/internal/patrol/replay"
	"gridwork/internal/store/storetest"
)

func BenchmarkReplay(b *testing.B) {
	n := 300
	if v, err := strconv.Atoi(os.Getenv("GRIDWORK_BENCH_WORKERS")); err == nil && v > 0 {
		n = v
	}
	for _, loop := range []bool{false, true} {
		name := "handler"
		if loop {
			name = "loopback"
		}
		b.Run(name, func(b *testing.B) {
			var last replay.Result
			for range b.N {
				b.StopTimer()
				db := storetest.SQLite(b)
				a := apptest.New(b, db)
				city, err := replay.Build(bg, db, a.Users, n)
				if err != nil {
					b.Fatal(err)
				}
				h := api.New(a, api.Options{Version: "bench"})
				b.StartTimer()
				last, err = replay.Run(bg, db, a.Orgs, a.Patrol, h, city, replay.Options{Loopback: loop})
				if err != nil {
					b.Fatal(err)
				}
				if last.Points != n*720 || last.LongPatrols != 2*n {
					b.Fatalf("replayed %d points and %d long patrols, want %d and %d", last.Points, last.LongPatrols, n*720, 2*n)
				}
			}
			b.ReportMetric(last.PointsPerSec, "points/s")
			b.ReportMetric(float64(last.PeakRSSKiB)/1024, "peakRSS-MiB")
			b.ReportMetric(float64(last.StoredBytes)/float64(last.Points), "bytes/point")
		})
	}
}
