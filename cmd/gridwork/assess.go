package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"gridwork/internal/app"
	"gridwork/internal/org"
	"gridwork/internal/runs"
	"gridwork/internal/scheme"
	"gridwork/schemes"
)

// runScheme handles `gridwork scheme check|list|add|findings`.
func runScheme(ctx context.Context, args []string, stdout io.Writer) error {
	use := fmt.Errorf("%w: scheme check FILE... | scheme check --builtin | scheme list | scheme add FILE | scheme findings", errUsage)
	if err := needVerb(args, stdout, use, "Usage: gridwork scheme check FILE... | check --builtin | list | add FILE | findings (each takes --help)"); err != nil {
		return err
	}
	switch args[0] {
	case "check":
		fs := newFlagSet("scheme check", "Check schemes: category maxima against the total, unknown facts, rules whose worst case\nexceeds their category, overlapping rules, empty categories. Messages name FILE:line:column.\nExit status 1 when any file has an error.")
		builtin := fs.Bool("builtin", false, "check the built-in templates")
		if err := parseFiles(fs, args[1:]); err != nil {
			return err
		}
		type doc struct {
			name string
			body []byte
		}
		var docs []doc
		if *builtin {
			for _, n := range schemes.Names() {
				b, _ := schemes.Read(n)
				docs = append(docs, doc{"schemes/" + n, b})
			}
		}
		for _, path := range fs.Args() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			docs = append(docs, doc{path, b})
		}
		if len(docs) == 0 {
			return fmt.Errorf("%w: give scheme files, or --builtin", errUsage)
		}
		failed := 0
		for _, d := range docs {
			s, msgs, err := runs.CheckScheme(d.body)
			if err != nil {
				fmt.Fprintf(stdout, "%s: error: %v\n", d.name, err)
				failed++
				continue
			}
			errs, warns := 0, 0
			for _, m := range msgs {
				fmt.Fprintf(stdout, "%s:%d:%d: %s: %s\n", d.name, m.Pos.Line, m.Pos.Column, m.Severity, m.Text)
				if m.Severity == scheme.Error {
					errs++
				} else {
					warns++
				}
			}
			if errs > 0 {
				failed++
			}
			fmt.Fprintf(stdout, "%s: %s v%d %s: %d errors, %d warnings\n", d.name, s.Code, s.Version, s.Title, errs, warns)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d schemes have errors", failed, len(docs))
		}
		return nil
	case "findings":
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tNAME\tSEEDS")
		for _, t := range scheme.FindingTypes() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Code, t.Name, t.Seeds)
		}
		return tw.Flush()
	case "list", "add":
		fs := newFlagSet("scheme "+args[0], "list: the stored scheme versions. add FILE: store a new version (it must pass its check).")
		var f dbFlags
		f.register(fs)
		if err := parseFiles(fs, args[1:]); err != nil {
			return err
		}
		if args[0] == "list" && fs.NArg() > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
		}
		a, err := f.openApp(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		if args[0] == "add" {
			if fs.NArg() != 1 {
				return fmt.Errorf("%w: scheme add FILE", errUsage)
			}
			body, err := os.ReadFile(fs.Arg(0))
			if err != nil {
				return err
			}
			v, msgs, err := a.Assess.SaveScheme(ctx, cliActor(), body, false)
			for _, m := range msgs {
				fmt.Fprintf(stdout, "%s:%d:%d: %s: %s\n", fs.Arg(0), m.Pos.Line, m.Pos.Column, m.Severity, m.Text)
			}
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(stdout, "stored %s v%d (%s)\n", v.Code, v.Version, v.ID)
			return nil
		}
		vs, err := a.Assess.Schemes(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tVERSION\tPERIOD\tBUILT-IN\tTITLE")
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%v\t%s\n", v.Code, v.Version, v.Period, v.Builtin, v.Title)
		}
		return tw.Flush()
	}
	return use
}

// runAssess handles `gridwork assess run|rank|explain|export|whatif`.
func runAssess(ctx context.Context, args []string, stdout io.Writer) error {
	use := fmt.Errorf("%w: assess run --scheme CODE --period P [--unit CODE] | assess rank --run ID | assess explain --run ID --subject ID | assess export --run ID --what notice|notice-html|payroll|explanations --out FILE | assess whatif --file DRAFT --period P", errUsage)
	if err := needVerb(args, stdout, use, "Usage: gridwork assess run | rank | explain | export | whatif (each takes --help)"); err != nil {
		return err
	}
	sub := args[0]
	fs := newFlagSet("assess "+sub, "run: assess a period under a stored scheme and store the run.\nrank: print a run's league table. explain: a subject's score down to the records.\nexport: write a run's notice, payroll or explanations. whatif: try a draft scheme on a past period.")
	var f dbFlags
	f.register(fs)
	schemeRef := fs.String("scheme", "", "scheme code, code@version or id (run)")
	period := fs.String("period", "", "the period: 2026-03, 2026-Q1, 2026-H1 or 2026")
	unit := fs.String("unit", "", "org unit code of the subtree (default: the one street/town)")
	runID := fs.String("run", "", "run id")
	subject := fs.String("subject", "", "worker id or community id (explain; export explanations)")
	what := fs.String("what", "", "export: notice, notice-html, payroll or explanations")
	out := fs.String("out", "", "export: the file to write")
	file := fs.String("file", "", "whatif: the draft scheme")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := f.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	unitID := func() (string, error) {
		span, err := scheme.ParseSpan(*period)
		if err != nil {
			return "", fmt.Errorf("%w: --period: %v", errUsage, err)
		}
		if *unit != "" {
			u, err := a.Orgs.UnitByCode(ctx, *unit, span.Last())
			if err != nil {
				return "", fmt.Errorf("no unit with code %s on %s", *unit, span.Last())
			}
			return u.ID, nil
		}
		streets, _, err := a.Orgs.ListUnits(ctx, org.UnitQuery{On: span.Last(), Level: org.Street, WithoutGeometry: true})
		if err != nil {
			return "", err
		}
		if len(streets) != 1 {
			return "", fmt.Errorf("%w: %d streets/towns on %s: give --unit CODE", errUsage, len(streets), span.Last())
		}
		return streets[0].ID, nil
	}
	switch sub {
	case "run":
		if *schemeRef == "" {
			return fmt.Errorf("%w: --scheme is required (gridwork scheme list)", errUsage)
		}
		uid, err := unitID()
		if err != nil {
			return err
		}
		info, err := a.Assess.Run(ctx, cliActor(), *schemeRef, *period, uid, "")
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "run %s: %s v%d %s %s, %d subjects", info.ID, info.SchemeCode, info.SchemeVersion, info.SchemeTitle, info.Span, info.Subjects)
		if info.Supersedes != "" {
			fmt.Fprintf(stdout, " (supersedes %s)", info.Supersedes)
		}
		fmt.Fprintln(stdout)
		escs, err := a.Assess.Escalations(ctx, runs.EscalationQuery{RunID: info.ID})
		if err != nil {
			return err
		}
		for _, e := range escs {
			fmt.Fprintf(stdout, "  %s: %s — %s\n", e.Name, e.SubjectName, e.Evidence)
		}
		return nil
	case "rank":
		if *runID == "" {
			return fmt.Errorf("%w: --run is required", errUsage)
		}
		info, rows, err := a.Assess.Table(ctx, *runID, runs.TableQuery{})
		if err != nil {
			return cliError(err)
		}
		if *asJSON {
			return printJSON(stdout, map[string]any{"run": info, "rows": rows})
		}
		fmt.Fprintf(stdout, "%s %s (run %s)\n", info.SchemeTitle, info.Span, info.ID)
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tNAME\tCOMMUNITY\tSCORE\tCHANGE\tNO DATA\tID (for explain)\tNOTE")
		for _, r := range rows {
			rank, change, note := "-", "", r.NotAssessed
			if r.Assessed {
				rank = fmt.Sprintf("%d/%d", r.Rank, r.Of)
			}
			if r.Change != nil {
				change = fmt.Sprintf("%+.1f", *r.Change)
			}
			if r.Bottom {
				note = strings.TrimSpace(note + " 后位")
			}
			if r.Vetoed != "" {
				note = strings.TrimSpace(note + " 一票否决:" + r.Vetoed)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f/%g\t%s\t%d\t%s\t%s\n", rank, r.Name, r.CommunityName, r.Total, r.Max, change, r.NoData, r.SubjectID, note)
		}
		return tw.Flush()
	case "explain":
		if *runID == "" || *subject == "" {
			return fmt.Errorf("%w: --run and --subject are required", errUsage)
		}
		_, rows, err := a.Assess.Table(ctx, *runID, runs.TableQuery{SubjectID: *subject})
		if err != nil {
			return cliError(err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("run %s has no result for %s", *runID, *subject)
		}
		_, res, err := a.Assess.Explain(ctx, *runID, rows[0].SubjectKind, *subject)
		if err != nil {
			return cliError(err)
		}
		if *asJSON {
			return printJSON(stdout, res)
		}
		printExplanation(stdout, res)
		return nil
	case "whatif":
		if *file == "" {
			return fmt.Errorf("%w: --file is required", errUsage)
		}
		body, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		uid, err := unitID()
		if err != nil {
			return err
		}
		rows, msgs, err := a.Assess.WhatIf(ctx, body, *period, uid, *runID)
		for _, m := range msgs {
			fmt.Fprintf(stdout, "%s:%d:%d: %s: %s\n", *file, m.Pos.Line, m.Pos.Column, m.Severity, m.Text)
		}
		if err != nil {
			return cliError(err)
		}
		if *asJSON {
			return printJSON(stdout, rows)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tOLD\tNEW\tOLD RANK\tNEW RANK\tMOVED")
		for _, r := range rows {
			old, oldRank, moved := "-", "-", ""
			if r.OldTotal != nil {
				old, oldRank = fmt.Sprintf("%.1f", *r.OldTotal), fmt.Sprint(*r.OldRank)
			}
			if r.Moved != nil {
				moved = fmt.Sprintf("%+d", *r.Moved)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%d\t%s\n", r.Name, old, r.NewTotal, oldRank, r.NewRank, moved)
		}
		return tw.Flush()
	case "export":
		return runAssessExport(ctx, a, *runID, *what, *out, *subject, stdout)
	}
	return use
}

// printExplanation prints a result from total to category to rule to the
// facts and the records behind them.
func printExplanation(w io.Writer, res scheme.Result) {
	fmt.Fprintf(w, "%s (%s)", res.Subject.Name, res.Subject.ID)
	if !res.Assessed {
		fmt.Fprintf(w, ": not assessed — %s\n", res.NotAssessed)
		return
	}
	fmt.Fprintf(w, ": %.1f / %g, rank %d of %d\n", res.Total, res.Max, res.Rank, res.Of)
	if res.Vetoed != "" {
		fmt.Fprintf(w, "  一票否决: %s\n", res.Vetoed)
	}
	for _, c := range res.Categories {
		fmt.Fprintf(w, "  %s %s: %.1f / %g", c.ID, c.Name, c.Score, c.Max)
		if c.Note != "" {
			fmt.Fprintf(w, " (%s)", c.Note)
		}
		fmt.Fprintln(w)
		for _, r := range c.Rules {
			fmt.Fprintf(w, "    %s %s: %+.2f [%s] %s\n", r.ID, r.Name, r.Points, r.Status, r.Explain)
			for _, f := range r.Facts {
				month := ""
				if f.Month != "" {
					month = " " + f.Month
				}
				fmt.Fprintf(w, "      %s%s = %g", f.Name, month, f.Value)
				if f.Den > 0 {
					fmt.Fprintf(w, " (%g/%g)", f.Num, f.Den)
				}
				fmt.Fprintln(w)
				for _, e := range f.Evidence {
					fmt.Fprintf(w, "        %s %s %s\n", e.Entity, e.ID, e.Note)
				}
			}
			for _, fd := range r.Findings {
				fmt.Fprintf(w, "      finding %s %s %+.2f by %s: %s\n", fd.ID, fd.Month, fd.Points, fd.By, fd.Note)
			}
		}
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runAssessExport writes one of a run's exports to a file.
func runAssessExport(ctx context.Context, a *app.App, runID, what, out, subject string, stdout io.Writer) error {
	if runID == "" || out == "" {
		return fmt.Errorf("%w: --run and --out are required", errUsage)
	}
	write := map[string]func(io.Writer) error{
		"notice":       func(w io.Writer) error { return a.Assess.WriteNotice(ctx, w, runID) },
		"notice-html":  func(w io.Writer) error { return a.Assess.WriteNoticeHTML(ctx, w, runID) },
		"payroll":      func(w io.Writer) error { return a.Assess.WritePayroll(ctx, w, runID) },
		"explanations": func(w io.Writer) error { return a.Assess.WriteExplanations(ctx, w, runID, subject) },
	}[what]
	if write == nil {
		return fmt.Errorf("%w: --what must be notice, notice-html, payroll or explanations", errUsage)
	}
	tmp := out + ".part"
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(fh); err != nil {
		fh.Close()
		os.Remove(tmp)
		return cliError(err)
	}
	if err := fh.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", out)
	return nil
}
