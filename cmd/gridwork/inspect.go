package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"gridwork/internal/app"
	"gridwork/internal/dates"
	"gridwork/internal/inspect"
	"gridwork/internal/workcal"
)

// runInspect handles `gridwork inspect plan|list|show|publish|verify|redraw`.
func runInspect(ctx context.Context, args []string, stdout io.Writer) error {
	use := fmt.Errorf("%w: inspect plan --unit CODE --from D --to D [--grids N] [--households N] | list | show --round ID | publish --round ID | verify --round ID | redraw --input FILE", errUsage)
	if err := needVerb(args, stdout, use, "Usage: gridwork inspect plan | list | show | publish | verify | redraw (each takes --help)"); err != nil {
		return err
	}
	if args[0] == "redraw" {
		return runRedraw(args[1:], stdout)
	}
	var fs *flag.FlagSet
	var f dbFlags
	round := new(string)
	switch args[0] {
	case "plan":
		fs = newFlagSet("inspect plan", "Draw a spot-check round over a street's (or community's) grids: grids weighted by the days\nsince their last inspection, households, times and inspectors at random. The seed stays\nsecret until the round is published.")
	case "list":
		fs = newFlagSet("inspect list", "List the spot-check rounds, newest first.")
	case "show":
		fs = newFlagSet("inspect show", "Show a round's visits: grid, inspector, time, households, verdict.")
	case "publish":
		fs = newFlagSet("inspect publish", "Publish a round: its seed and inputs become readable, so anyone can re-draw it.")
	case "verify":
		fs = newFlagSet("inspect verify", "Re-draw a round from its stored seed and inputs and compare with the stored visits.\nExit 1 naming the first difference.")
	default:
		return use
	}
	f.register(fs)
	unit := fs.String("unit", "", "plan: the code of the street or community whose grids are drawn")
	from := fs.String("from", "", "plan: the round's first day, YYYY-MM-DD")
	to := fs.String("to", "", "plan: the round's last day, YYYY-MM-DD")
	grids := fs.Int("grids", 0, "plan: grids to visit (default: enough to visit each about every 1.5 months)")
	households := fs.Int("households", 0, "plan: households to sample a grid (default 10)")
	if args[0] != "plan" && args[0] != "list" {
		round = fs.String("round", "", "the round's ID")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if args[0] != "plan" && args[0] != "list" && *round == "" {
		return fmt.Errorf("%w: --round is required", errUsage)
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "plan":
		first, err := dates.Parse(*from)
		if err != nil {
			return fmt.Errorf("%w: --from: %v", errUsage, err)
		}
		last, err := dates.Parse(*to)
		if err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
		u, err := a.Orgs.UnitByCode(ctx, *unit, first)
		if err != nil {
			return fmt.Errorf("--unit %q: %w", *unit, err)
		}
		r, err := a.Inspect.PlanRound(ctx, cliActor(), inspect.NewRound{UnitID: u.ID, From: first, To: last, Grids: *grids, Households: *households})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Drew round %s (%s): %d visits; input hash %s. The seed stays secret until `gridwork inspect publish --round %s`.\n",
			r.ID, r.Title, len(r.Visits), r.InputHash, r.ID)
		return printVisits(ctx, a, stdout, r.Visits)
	case "list":
		rs, err := a.Inspect.ListRounds(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTITLE\tFROM\tTO\tPUBLISHED\tSEED")
		for _, r := range rs {
			pub, seed := "no", "(secret)"
			if r.PublishedAt != nil {
				pub, seed = r.PublishedAt.In(dates.Shanghai).Format("2006-01-02 15:04"), *r.Seed
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.From, r.To, pub, seed)
		}
		return tw.Flush()
	case "show":
		r, err := a.Inspect.GetRound(ctx, *round, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%s to %s), seed %s, input hash %s\n", r.Title, r.From, r.To, *r.Seed, r.InputHash)
		return printVisits(ctx, a, stdout, r.Visits)
	case "publish":
		r, err := a.Inspect.PublishRound(ctx, cliActor(), *round)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Published round %s: seed %s, input hash %s.\n", r.ID, *r.Seed, r.InputHash)
		return nil
	default: // verify
		if err := a.Inspect.VerifyRound(ctx, *round, true); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Round %s re-draws to its stored visits.\n", *round)
		return nil
	}
}

// printVisits prints a round's visits with the grids' codes and names and
// the inspectors' user names.
func printVisits(ctx context.Context, a *app.App, w io.Writer, vs []inspect.Visit) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tGRID\tINSPECTOR\tTIME\tHOUSEHOLDS\tVERDICT")
	for _, v := range vs {
		verdict := v.Verdict
		if verdict == "" {
			verdict = v.Status
		}
		grid, who := v.GridID, v.InspectorID
		if u, err := a.Orgs.GetUnit(ctx, v.GridID, dates.Of(v.PlannedAt)); err == nil {
			grid = u.Code + " " + u.Name
		}
		if u, err := a.Users.GetUser(ctx, v.InspectorID); err == nil {
			who = u.Username
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", v.Seq, grid, who, v.PlannedAt.In(dates.Shanghai).Format("2006-01-02 15:04"), len(v.Households), verdict)
	}
	return tw.Flush()
}

// runRedraw re-draws a published round from its input alone (the JSON of
// GET /api/inspect/rounds/{id}/input), with no database: what anyone can
// do to check a round was drawn as published.
func runRedraw(args []string, stdout io.Writer) error {
	fs := newFlagSet("inspect redraw", "Re-draw a published spot-check round from its input file (GET /api/inspect/rounds/{id}/input),\nwithout a database, and print its visits and input hash. Uses the built-in work calendar.")
	file := fs.String("input", "", "the round's input, as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: --input is required", errUsage)
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var in inspect.RoundInput
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("%s: not a round input: %w", *file, err)
	}
	plan, err := inspect.Draw(in, workcal.Default())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Input hash %s; %d visits:\n", plan.InputHash, len(plan.Visits))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GRID\tINSPECTOR\tTIME\tHOUSEHOLDS")
	for _, v := range plan.Visits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", v.Grid, v.Inspector, v.At.In(dates.Shanghai).Format("2006-01-02 15:04"), v.Households)
	}
	return tw.Flush()
}
