package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"gridwork/internal/api"
	"gridwork/internal/app"
	"gridwork/internal/apperr"
	"gridwork/internal/audit"
	"gridwork/internal/auth"
	"gridwork/internal/dates"
	"gridwork/internal/demo"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build information.
var version = ""

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
		if v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	db, data string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.db, "db", "", "database: a postgres:// URL or an SQLite file path (default $GRIDWORK_DB, else <data>/gridwork.db)")
	fs.StringVar(&f.data, "data", "", "data directory: the SQLite database, the field key (field.key) and uploaded files\n(default: the directory of an SQLite --db file, else ./gridwork-data)")
}

// dataDir returns the data directory: --data, else the directory of an
// SQLite database file named by --db or $GRIDWORK_DB, else ./gridwork-data.
func (f *dbFlags) dataDir() string {
	if f.data != "" {
		return f.data
	}
	db := f.db
	if db == "" {
		db = os.Getenv("GRIDWORK_DB")
	}
	if db != "" && !store.IsPostgresURL(db) {
		return filepath.Dir(strings.TrimPrefix(db, "file:"))
	}
	return "gridwork-data"
}

func (f *dbFlags) dsn() string {
	switch {
	case f.db != "":
		return f.db
	case os.Getenv("GRIDWORK_DB") != "":
		return os.Getenv("GRIDWORK_DB")
	}
	return filepath.Join(f.dataDir(), "gridwork.db")
}

// open opens and migrates the database.
func (f *dbFlags) open(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, f.dsn())
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// parseFiles is parse for commands that take file arguments after flags.
func parseFiles(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gridwork %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("serve", "Serve gridwork. Migrates the database at start; with --demo, loads the demo town if the database is empty.\nPrints the URL and, while the admin has not chosen a password, a fresh one-time admin password.")
	var f dbFlags
	f.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	withDemo := fs.Bool("demo", false, "load the demo town into an empty database")
	seed := fs.Uint64("seed", demo.DefaultSeed, "demo town seed (with --demo)")
	households := fs.Int("households", demoHouseholds, "demo households per grid (with --demo); 0 loads the org tree only")
	secure := fs.Bool("secure-cookies", false, "mark the session cookie Secure (when served behind HTTPS)")
	publicURL := fs.String("public-url", "", "the address phones reach this server at, e.g. https://grid.example.gov.cn (QR codes encode it; default http://<addr>)")
	verbose := fs.Bool("v", false, "log every request")
	proxies := fs.String("trusted-proxy", "", "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client (rate limits, login throttle, audit)")
	if err := parse(fs, args); err != nil {
		return err
	}
	trusted, err := api.ParseTrustedProxies(*proxies)
	if err != nil {
		return fmt.Errorf("%w: --trusted-proxy: %v", errUsage, err)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))

	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	db, users := a.DB, a.Users
	if *withDemo {
		if err := loadDemo(ctx, a, *seed, *households, stdout); err != nil {
			return err
		}
	}
	password, err := users.EnsureAdmin(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler: api.New(a, api.Options{Version: currentVersion(), SecureCookies: *secure,
			PublicURL: strings.TrimSuffix(*publicURL, "/"), TrustedProxies: trusted}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	url := "http://" + ln.Addr().String() + "/"
	if *publicURL == "" {
		*publicURL = strings.TrimSuffix(url, "/")
	}
	fmt.Fprintf(stdout, "gridwork %s on %s (%s)\n", currentVersion(), db.Engine, db.Where)
	fmt.Fprintf(stdout, "Open %s\n", url)
	fmt.Fprintf(stdout, "API documentation: %sdocs\n", url)
	if password != "" {
		fmt.Fprintf(stdout, "Sign in as %s with the one-time password: %s\n", auth.AdminUsername, password)
		fmt.Fprintln(stdout, "(it changes at every start until you choose your own: POST /api/me/password)")
	}
	// Event cards (黄牌/红牌) are stored by a sweep; run it every five
	// minutes while serving (reads of cards and fact collection sweep too).
	sweep, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go func() {
		tick := time.NewTicker(5 * time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-sweep.Done():
				return
			case <-tick.C:
				if _, err := a.Events.IssueCards(sweep, time.Now()); err != nil && sweep.Err() == nil {
					slog.Error("event cards sweep", "err", err)
				}
			}
		}
	}()
	// Patrol days touched by new GPS batches are analysed in the
	// background too, so that the first read after a busy day is quick.
	go a.Patrol.RunSettler(sweep, 5*time.Minute, func(format string, args ...any) { slog.Error(fmt.Sprintf(format, args...)) })
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// demoHouseholds is the demo's default number of households per grid
// (issue 3: "about 300 households per grid").
const demoHouseholds = 300

func loadDemo(ctx context.Context, a *app.App, seed uint64, households int, stdout io.Writer) error {
	db, orgs, users := a.DB, a.Orgs, a.Users
	empty, err := demo.IsEmpty(ctx, db)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "The database already holds data; the demo town is not loaded again.")
		return nil
	}
	start := time.Now()
	sum, err := demo.Load(ctx, db, orgs, users, demo.Generate(seed, demo.DefaultFrom))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo town (seed %d) in %s: %d communities, %d grids (%d without a worker), %d workers, %d assignments, %d accounts.\n",
		seed, time.Since(start).Round(time.Millisecond), sum.Communities, sum.Grids, sum.VacantGrids, sum.Workers, sum.Assignments, sum.Users)
	if households <= 0 {
		return nil
	}
	fmt.Fprintf(stdout, "Loading the demo records (%d households a grid, February to April 2026); at full size this takes about a minute…\n", households)
	rs, err := demo.LoadRecords(ctx, db, orgs, a.Records, a.Files, demo.Generate(seed, demo.DefaultFrom),
		demo.RecordOptions{Seed: seed, HouseholdsPerGrid: households, Care: a.Care})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo records in %s: %d houses, %d people (%d floating), %d rentals, %d places, %d special-care subjects, %d home visits, %d QR scans, %d platform exports.\n",
		rs.Took.Round(time.Second), rs.Houses, rs.People, rs.Floating, rs.Rentals, rs.Places, rs.CareSubjects, rs.HomeVisits, rs.Scans, rs.PlatformImports)
	// A quick look (--households 20) gets fewer events too: a tenth at the least.
	es, err := demo.LoadEvents(ctx, db, orgs, a.Events, a.Files, demo.Generate(seed, demo.DefaultFrom),
		demo.EventOptions{Seed: seed, Scale: min(1, max(0.1, float64(households)/100))})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo events in %s: %d events (%d by residents), %d handled on the spot, %d upward, %d still open, %d voided, %d near duplicates, %d badly described, %d mediation, %d major (%d late), %d yellow and %d red cards.\n",
		es.Took.Round(time.Millisecond), es.Events, es.ByResidents, es.SelfHandled, es.Upward, es.Open, es.Voided, es.Duplicates, es.BadlyDescribed,
		es.Mediation, es.Major, es.MajorLate, es.YellowCards, es.RedCards)
	ds, err := demo.LoadDuty(ctx, db, orgs, a.Duty, demo.Generate(seed, demo.DefaultFrom), demo.DutyOptions{Seed: seed, Files: a.Files})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo duty in %s: %d logins, %d work sheets (%d late), %d leave slips, %d meetings (%d absences), %d activities (%d invalid), %d articles, %d reports (%d late), %d systems, %d findings.\n",
		ds.Took.Round(time.Millisecond), ds.Logins, ds.Sheets, ds.LateArrivals, ds.Leave, ds.Meetings, ds.Absences, ds.Activities, ds.InvalidActivities,
		ds.Articles, ds.Reports, ds.LateReports, ds.Systems, ds.Findings)
	pt, err := demo.LoadPatrols(ctx, db, orgs, a.Patrol, demo.Generate(seed, demo.DefaultFrom), demo.PatrolOptions{Seed: seed, Leave: a.Duty})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo patrols in %s: %d worker-days, %d GPS fixes, %d patrols (%d of 3 h or more), %d cheat flags, %d times out of the work area.\n",
		pt.Took.Round(time.Millisecond), pt.Days, pt.Points, pt.Patrols, pt.LongPatrols, pt.CheatFlags, pt.OutOfArea)
	is, err := demo.LoadInspections(ctx, a.Inspect, orgs, users, demo.Generate(seed, demo.DefaultFrom), seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo supervision in %s: %d spot-check rounds, %d grid visits (%d failed), %d fix tasks (%d done), %d quizzes (%d unanswered), %d undercover findings and complaints.\n",
		is.Took.Round(time.Millisecond), is.Rounds, is.Visits, is.Failed, is.Tasks, is.TasksDone, is.Quizzes, is.QuizzesMissed, is.Reports)
	ss, err := demo.LoadSurveys(ctx, db, orgs, a.Records, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded the demo surveys in %s: %d surveys, %d answers, %d ballots, %d second votes refused, %d grid-months flagged for more answers than households.\n",
		ss.Took.Round(time.Millisecond), ss.Surveys, ss.Answers, ss.Ballots, ss.SecondVotes, ss.Flagged)
	for _, m := range []metric.Period{{Year: 2026, Month: 2}, {Year: 2026, Month: 3}, {Year: 2026, Month: 4}} {
		n, err := a.Facts.Refresh(ctx, m)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Collected %d facts for %s.\n", n, m)
	}
	return assessDemo(ctx, a, stdout)
}

// assessDemo assesses the demo street under every built-in template, for
// each of its periods that overlaps the demo's activity (February to April
// 2026), and prints the runs.
func assessDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	streets, _, err := a.Orgs.ListUnits(ctx, org.UnitQuery{On: dates.New(2026, 4, 30), Level: org.Street, WithoutGeometry: true})
	if err != nil || len(streets) == 0 {
		return fmt.Errorf("assess the demo: no street: %v", err)
	}
	vs, err := a.Assess.Schemes(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if !v.Builtin {
			continue
		}
		seen := map[string]bool{}
		for _, m := range []metric.Period{{Year: 2026, Month: 2}, {Year: 2026, Month: 3}, {Year: 2026, Month: 4}} {
			span := scheme.SpanOf(scheme.PeriodKind(v.Period), m)
			if seen[span.String()] {
				continue
			}
			seen[span.String()] = true
			info, err := a.Assess.Run(ctx, "system", v.ID, span.String(), streets[0].ID, "demo")
			if err != nil {
				return fmt.Errorf("assess the demo under %s for %s: %w", v.Code, span, err)
			}
			escs, err := a.Assess.Escalations(ctx, runs.EscalationQuery{RunID: info.ID})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Assessed %s %s for %s: %d subjects, %d escalations (run %s).\n",
				v.Code, v.Title, span, info.Subjects, len(escs), info.ID)
		}
	}
	return nil
}

func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("demo", "Load the deterministic demo town (seed 004's street: 10 communities, 143 grids, 87 workers) into an empty database.")
	var f dbFlags
	f.register(fs)
	seed := fs.Uint64("seed", demo.DefaultSeed, "seed: the same seed gives the same town")
	households := fs.Int("households", demoHouseholds, "households per grid; 0 loads the org tree only")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return loadDemo(ctx, a, *seed, *households, stdout)
}

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("migrate", "Bring the database schema up to date (serve does this at every start too).")
	f, err := parseDBOnly(fs, args)
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s database %s is up to date\n", db.Engine, db.Where)
	return nil
}

func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "reset-password") {
		return fmt.Errorf("%w: gridwork user add|reset-password [flags]", errUsage)
	}
	sub := args[0]
	if sub == "reset-password" {
		fs := newFlagSet("user reset-password", "Give an account a new one-time password, printed once, and unlock it.")
		var f dbFlags
		f.register(fs)
		username := fs.String("username", "", "the account")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *username == "" {
			return fmt.Errorf("%w: --username is required", errUsage)
		}
		db, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		users := auth.NewStore(db, org.NewStore(db), auth.DefaultParams)
		u, err := users.GetUserByUsername(ctx, *username)
		if err != nil {
			return cliError(err)
		}
		pw := auth.GeneratePassword()
		if err := users.SetPassword(ctx, "cli", u.ID, pw, true); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "New one-time password for %s: %s\n", u.Username, pw)
		return nil
	}
	fs := newFlagSet("user add", "Create an account. Without --password a one-time password is generated and printed once.")
	var f dbFlags
	f.register(fs)
	var in auth.NewUser
	var role, scope string
	fs.StringVar(&in.Username, "username", "", "login name (lower-case letters, digits, . _ -)")
	fs.StringVar(&in.DisplayName, "name", "", "display name, e.g. 张三")
	fs.StringVar(&role, "role", "", "admin, centre_staff, community_staff, inspector or grid_worker")
	fs.StringVar(&scope, "scope", "", "the org unit (code or id) whose subtree the user may see; not for admin")
	fs.StringVar(&in.WorkerID, "worker", "", "for a grid_worker: the worker id")
	pwFromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	in.Role = auth.Role(role)
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	orgs := org.NewStore(db)
	if scope != "" {
		if u, err := orgs.UnitByCode(ctx, scope, dates.Today()); err == nil {
			scope = u.ID
		}
	}
	in.ScopeUnitID = scope
	if *pwFromStdin {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
		if err != nil {
			return err
		}
		in.Password = strings.TrimRight(string(b), "\r\n")
	}
	u, pw, err := auth.NewStore(db, orgs, auth.DefaultParams).CreateUser(ctx, "cli", in)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "Created %s (%s), id %s\n", u.Username, u.Role, u.ID)
	if pw != "" {
		fmt.Fprintf(stdout, "One-time password: %s\n", pw)
	}
	return nil
}

// cliError turns an application error into a plain English line, listing
// the bad fields.
func cliError(err error) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	msg := e.Message
	for _, f := range e.Fields {
		msg += fmt.Sprintf("\n  --%s: %s", strings.ReplaceAll(f.Field, "_unit_id", ""), f.Reason)
	}
	return errors.New(msg)
}

func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: gridwork audit verify [flags]", errUsage)
	}
	fs := newFlagSet("audit verify", "Check the audit log's hash chain from the first row to the head.\nExits 1 and names the first broken link if any row was altered or deleted.")
	f, err := parseDBOnly(fs, args[1:])
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if rep.Broken != nil {
		return fmt.Errorf("audit log BROKEN after checking %d rows: %s", rep.Rows, rep.Broken.Reason)
	}
	fmt.Fprintf(stdout, "audit log intact: %d rows, head %d %s\n", rep.Rows, rep.HeadSeq, rep.HeadHash)
	return nil
}

func runVersion(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("version", "Print the version.")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gridwork %s\n", currentVersion())
	return nil
}
