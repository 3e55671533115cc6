// Command gridwork is the one binary of gridwork, the system a street or town
// grid-management centre (网格化管理中心) runs on.
//
//	gridwork serve [--demo]      serve the API (and later the UI)
//	gridwork demo                load the demo town into an empty database
//	gridwork migrate             bring the database schema up to date
//	gridwork user add|reset-password
//	gridwork people import|export  base records from and to spreadsheets
//	gridwork platform import     store a platform's export for reconciliation
//	gridwork facts list|collect|show
//	gridwork scheme check|list|add|findings
//	gridwork assess run|rank|explain|export|whatif
//	gridwork audit verify        check the audit log's hash chain
//	gridwork seal-contacts       seal contacts an earlier version stored in plain text
//	gridwork bench gps           replay a city's day of patrol GPS and measure it
//	gridwork version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the API on 127.0.0.1:8080 (--demo loads the demo town into an empty database)", runServe},
		{"demo", "load the deterministic demo town into an empty database", runDemo},
		{"migrate", "bring the database schema up to date", runMigrate},
		{"user", "manage accounts: user add | user reset-password", runUser},
		{"people", "base records: people import --file FILE | people export --out FILE", runPeople},
		{"platform", "platform exports: platform import --platform CODE --as-of DATE --file FILE", runPlatform},
		{"facts", "the fact catalogue: facts list | facts collect --month M | facts show --month M --unit CODE", runFacts},
		{"scheme", "assessment schemes: scheme check FILE | scheme list | scheme add FILE | scheme findings", runScheme},
		{"assess", "assessment: assess run | rank | explain | export | whatif", runAssess},
		{"inspect", "spot checks: inspect plan | list | show | publish | verify | redraw --input FILE", runInspect},
		{"audit", "audit log: audit verify", runAudit},
		{"seal-contacts", "seal residents' contacts stored in plain text by an earlier version (once, after upgrading)", runSealContacts},
		{"bench", "benchmarks: bench gps --workers N (a city's day of patrol GPS, HTTP to stored facts)", runBench},
		{"version", "print the version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gridwork — 网格化管理中心 system for street and town grid-management centres")
	fmt.Fprintln(w, "\nUsage: gridwork <command> [flags]   (gridwork <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nThe database is --db, else $GRIDWORK_DB, else ./gridwork-data/gridwork.db (SQLite).")
	fmt.Fprintln(w, "A postgres://user@host:port/dbname URL selects PostgreSQL.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "gridwork %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "gridwork %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "gridwork: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
