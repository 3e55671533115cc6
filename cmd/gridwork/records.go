package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gridwork/internal/app"
	"gridwork/internal/dates"
	"gridwork/internal/exchange"
	"gridwork/internal/facts"
	"gridwork/internal/metric"
	"gridwork/internal/records"
)

// openApp opens and migrates the database and builds the app on it, with
// the field key of the data directory (app.New).
func (f *dbFlags) openApp(ctx context.Context) (*app.App, error) {
	return app.New(ctx, app.Config{DSN: f.dsn(), DataDir: f.dataDir()})
}

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
		rep, err := a.Records.ImportPeople(ctx, cliActor(), filepath.Base(*file), r, nil)
		if err != nil {
			return cliError(err)
		}
		printReport(stdout, rep)
		return nil
	}
	q := records.PersonQuery{Status: records.Active}
	if *grid != "" {
		u, err := a.Orgs.UnitByCode(ctx, *grid, dates.Today())
		if err != nil {
			return fmt.Errorf("no grid with code %s", *grid)
		}
		q.GridID = u.ID
	}
	ps, _, err := a.Records.ListPeople(ctx, q)
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
	imp, err := a.Records.ImportPlatform(ctx, cliActor(), *code, d, filepath.Base(*file), r)
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
		n, err := a.Facts.Refresh(ctx, p)
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
		u, err := a.Orgs.UnitByCode(ctx, *unit, p.Last())
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
	fsv, err := facts.List(ctx, a.DB, q)
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
