package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gridwork/internal/auth"
	"gridwork/internal/care"
	_ "gridwork/internal/catalog" // every fact, measured or declared
	"gridwork/internal/dates"
	"gridwork/internal/duty"
	"gridwork/internal/events"
	"gridwork/internal/exchange"
	"gridwork/internal/facts"
	"gridwork/internal/files"
	"gridwork/internal/inspect"
	"gridwork/internal/metric"
	"gridwork/internal/org"
	"gridwork/internal/patrol"
	"gridwork/internal/records"
	"gridwork/internal/runs"
	"gridwork/internal/seal"
	"gridwork/internal/store"
	"gridwork/internal/survey"
	"gridwork/internal/workcal"
)

// app is the open database with every store on it.
type app struct {
	db      *store.DB
	orgs    *org.Store
	users   *auth.Store
	keys    *seal.Keys
	files   *files.Store
	records *records.Store
	care    *care.Store
	facts   *facts.Collector
	assess  *runs.Store
	workcal *workcal.Store
	inspect *inspect.Store
	patrol  *patrol.Store
	events  *events.Store
	duty    *duty.Store
	survey  *survey.Store
}

// openApp opens and migrates the database, loads (or creates) the field
// key from the data directory, and builds the stores.
func (f *dbFlags) openApp(ctx context.Context) (*app, error) {
	db, err := f.open(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := seal.Load(f.dataDir())
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := checkKey(ctx, db, keys); err != nil {
		db.Close()
		return nil, err
	}
	a := &app{db: db, orgs: org.NewStore(db), keys: keys, files: files.NewStore(db, filepath.Join(f.dataDir(), "files"))}
	a.users = auth.NewStore(db, a.orgs, auth.DefaultParams)
	a.records = records.NewStore(db, a.orgs, keys)
	a.care = care.NewStore(db, a.records, keys)
	a.workcal = workcal.NewStore(db)
	a.inspect = inspect.NewStore(db, a.orgs, a.records, a.users, a.workcal)
	a.patrol = patrol.NewStore(db)
	a.events = events.NewStore(db, a.workcal)
	a.events.SealContacts(keys) // residents' contacts sealed at rest, as identity numbers are
	if n, err := a.events.SealStoredContacts(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		slog.Info("sealed residents' contacts stored in plain text", "events", n)
	}
	a.duty = duty.NewStore(db, a.orgs)
	a.patrol.SetLeaveSource(a.duty) // points during approved leave are flagged
	a.survey = survey.NewStore(db, a.orgs, a.records)
	a.facts = facts.NewCollector(db, a.orgs, a.records, a.care, a.inspect, a.patrol, a.events, a.duty, a.survey)
	a.assess = runs.NewStore(db, a.orgs)
	if err := a.assess.InstallBuiltins(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.inspect.InstallQuestions(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// checkKey refuses to start when the stored identity numbers were sealed
// with another key: a lost or replaced key file would otherwise make every
// sealed value unreadable while new ones are sealed with the new key.
func checkKey(ctx context.Context, db *store.DB, keys *seal.Keys) error {
	var sealed string
	err := db.QueryRowContext(ctx, `SELECT id_sealed FROM people LIMIT 1`).Scan(&sealed)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check field key: %w", err)
	}
	if _, err := keys.Open(sealed, "person.id_number"); errors.Is(err, seal.ErrKeyID) || errors.Is(err, seal.ErrTampered) {
		return fmt.Errorf("the field key (%s or $%s) is not the key the stored identity numbers were sealed with: restore the data directory's %s from backup (%v)",
			filepath.Join("<data>", seal.KeyFile), seal.EnvKey, seal.KeyFile, err)
	}
	return nil
}

func (a *app) Close() { a.db.Close() }

// cliActor is the audit actor of a command-line change.
func cliActor() string {
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func runPeople(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return fmt.Errorf("%w: people import --file FILE | people export --out FILE [--grid CODE]", errUsage)
	}
	fs := newFlagSet("people "+args[0], "import: read people from an xlsx or CSV file into the ledger; bad rows are reported with row, column and reason and the good ones stored.\nexport: write the people of a grid (or all) to an xlsx file, identity numbers masked.")
	var f dbFlags
	f.register(fs)
	file := fs.String("file", "", "the file to import (xlsx or CSV)")
	out := fs.String("out", "people.xlsx", "the xlsx file to write (export)")
	grid := fs.String("grid", "", "a grid code: export only this grid")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "import" {
		if *file == "" {
			return fmt.Errorf("%w: --file is required", errUsage)
		}
		r, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer r.Close()
		rep, err := a.records.ImportPeople(ctx, cliActor(), filepath.Base(*file), r, nil)
		if err != nil {
			return cliError(err)
		}
		printReport(stdout, rep)
		return nil
	}
	q := records.PersonQuery{Status: records.Active}
	if *grid != "" {
		u, err := a.orgs.UnitByCode(ctx, *grid, dates.Today())
		if err != nil {
			return fmt.Errorf("no grid with code %s", *grid)
		}
		q.GridID = u.ID
	}
	ps, _, err := a.records.ListPeople(ctx, q)
	if err != nil {
		return err
	}
	w, err := os.Create(*out)
	if err != nil {
		return err
	}
	err = records.WritePeopleXLSX(w, ps)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d people to %s\n", len(ps), *out)
	return nil
}

func printReport(w io.Writer, rep exchange.Report) {
	fmt.Fprintf(w, "%s: %d rows, %d stored, %d skipped\n", rep.File, rep.Rows, rep.Stored, rep.Skipped)
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "  row %d, column %s (%s): %s\n", e.Row, e.Column, e.Field, e.Reason)
	}
}

func runPlatform(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("%w: platform import --platform CODE --as-of YYYY-MM-DD --file FILE", errUsage)
	}
	fs := newFlagSet("platform import", "Store a platform's export (permit, floating, police, digital, care) as of a date, for reconciliation against the ledger.")
	var f dbFlags
	f.register(fs)
	code := fs.String("platform", "", "platform code: permit, floating, police, digital or care")
	asOf := fs.String("as-of", "", "the date the export was taken (YYYY-MM-DD)")
	file := fs.String("file", "", "the export (xlsx or CSV)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	d, err := dates.Parse(*asOf)
	if err != nil || *code == "" || *file == "" {
		return fmt.Errorf("%w: --platform, --as-of YYYY-MM-DD and --file are required", errUsage)
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer r.Close()
	imp, err := a.records.ImportPlatform(ctx, cliActor(), *code, d, filepath.Base(*file), r)
	if err != nil {
		return cliError(err)
	}
	if imp.Again {
		fmt.Fprintf(stdout, "this file was already imported on %s; nothing stored\n", imp.ImportedAt.In(dates.Shanghai).Format("2006-01-02 15:04"))
	}
	printReport(stdout, imp.Report)
	return nil
}

func runFacts(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "collect" && args[0] != "show" && args[0] != "list") {
		return fmt.Errorf("%w: facts collect --month YYYY-MM | facts show --month YYYY-MM (--worker ID | --unit CODE) [--name NAME] [--evidence] | facts list", errUsage)
	}
	if args[0] == "list" {
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tALIAS\tMEASURED\tSEEDS")
		for _, d := range metric.All() {
			measured := "yes"
			if !d.Measured() {
				measured = "not yet (" + d.Pending + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Name, d.Kind, d.Alias, measured, d.Seeds)
		}
		return tw.Flush()
	}
	fs := newFlagSet("facts "+args[0], "collect: measure a month's facts from the records and store them.\nshow: print a worker's or a unit's stored facts for a month.")
	var f dbFlags
	f.register(fs)
	month := fs.String("month", "", "the month, YYYY-MM")
	worker := fs.String("worker", "", "a worker id (show)")
	unit := fs.String("unit", "", "an org unit code (show)")
	name := fs.String("name", "", "only this fact (show)")
	evidence := fs.Bool("evidence", false, "print the records behind each value (show)")
	asJSON := fs.Bool("json", false, "print JSON (show)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	p, err := metric.ParsePeriod(*month)
	if err != nil {
		return fmt.Errorf("%w: --month: %v", errUsage, err)
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "collect" {
		n, err := a.facts.Refresh(ctx, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "collected %d facts for %s\n", n, p)
		return nil
	}
	q := facts.Query{Period: p, Name: *name, WithEvidence: *evidence}
	switch {
	case *worker != "":
		q.Subject, q.SubjectID = metric.Worker, *worker
	case *unit != "":
		u, err := a.orgs.UnitByCode(ctx, *unit, p.Last())
		if err != nil {
			return fmt.Errorf("no unit with code %s on %s", *unit, p.Last())
		}
		q.Subject, q.SubjectID = metric.Unit, u.ID
	default:
		return fmt.Errorf("%w: --worker or --unit is required", errUsage)
	}
	if *name != "" {
		d, ok := metric.Lookup(*name)
		if !ok {
			return fmt.Errorf("no fact %q; `gridwork facts list` shows them", *name)
		}
		q.Name = d.Name
	}
	fsv, err := facts.List(ctx, a.db, q)
	if err != nil {
		return err
	}
	if len(fsv) == 0 {
		fmt.Fprintf(stdout, "no facts stored for %s; run `gridwork facts collect --month %s` first\n", p, p)
		return nil
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(fsv)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	for _, v := range fsv {
		d, _ := metric.Lookup(v.Name)
		val := fmt.Sprintf("%g", v.Value)
		if d.Kind == metric.Rate {
			val = fmt.Sprintf("%.1f%% (%g/%g)", v.Value, v.Num, v.Den)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, d.Alias, val)
		for _, e := range v.Evidence {
			fmt.Fprintf(tw, "\t  %s %s\t%s\n", e.Entity, e.ID, strings.TrimSpace(e.Note))
		}
	}
	return tw.Flush()
}
