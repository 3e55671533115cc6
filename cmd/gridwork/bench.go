package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"gridwork/internal/api"
	"gridwork/internal/app"
	"gridwork/internal/patrol/replay"
)

// runBench runs a benchmark of the whole system: `bench gps` replays a
// city's day of patrol GPS (issue 4).
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "gps" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: gridwork bench gps [--workers N] [--db URL] [--clients N] [--batch N] [--direct] [--keep]")
			return nil
		}
		return fmt.Errorf("%w: bench gps [--workers N]", errUsage)
	}
	fs := newFlagSet("bench gps", "Replay one day of patrol GPS for a city: each grid worker walks 2 patrols of 3 h in their own grid at a fix\n"+
		"every 30 s (720 fixes a worker; 30,000 workers make 21.6 M fixes), sent an hour at a time as HTTP batches\n"+
		"through the real API handler with bearer tokens, stored, analysed, and the month's facts collected and stored.\n"+
		"Prints points/s over the whole path, the time of each stage and the peak RSS (VmHWM). Runs on a new SQLite\n"+
		"database in a temporary directory unless --db names one (an empty PostgreSQL database, say).")
	workers := fs.Int("workers", 30_000, "grid workers in the city")
	dsn := fs.String("db", "", "an empty database to run on (default: a temporary SQLite file, removed afterwards)")
	clients := fs.Int("clients", 8, "phones sending at once")
	batch := fs.Int("batch", 120, "fixes per batch")
	direct := fs.Bool("direct", false, "call the handler directly instead of through a loopback TCP listener")
	keep := fs.Bool("keep", false, "keep the temporary database")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *workers <= 0 {
		return fmt.Errorf("%w: --workers must be positive", errUsage)
	}
	// The temporary directory holds the field key and files too, also
	// when --db names the database.
	dir, err := os.MkdirTemp("", "gridwork-bench-")
	if err != nil {
		return err
	}
	if *dsn == "" {
		*dsn = filepath.Join(dir, "bench.db")
	}
	if *keep {
		fmt.Fprintf(stdout, "database kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	a, err := app.New(ctx, app.Config{DSN: *dsn, DataDir: dir})
	if err != nil {
		return err
	}
	defer a.Close()
	db, orgs, users := a.DB, a.Orgs, a.Users
	fmt.Fprintf(stdout, "gridwork %s, %s/%s, %d CPUs, %s on %s\n", currentVersion(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), db.Engine, db.Where)
	fmt.Fprintf(stdout, "building a city of %d grid workers (org, accounts, tokens)…\n", *workers)
	t := time.Now()
	city, err := replay.Build(ctx, db, users, *workers)
	if err != nil {
		return err
	}
	setup := time.Since(t)
	ps := a.Patrol
	h := api.New(a, api.Options{Version: currentVersion()})
	via := "loopback HTTP"
	if *direct {
		via = "the handler directly"
	}
	fmt.Fprintf(stdout, "built in %s; replaying %d fixes through %s with %d clients, %d fixes a batch…\n",
		setup.Round(time.Millisecond), *workers*720, via, *clients, *batch)
	res, err := replay.Run(ctx, db, orgs, ps, h, city, replay.Options{PerBatch: *batch, Clients: *clients, Loopback: !*direct, Progress: stdout})
	if err != nil {
		return err
	}
	res.Setup = setup
	fmt.Fprintln(stdout, res)
	return nil
}
