package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestInspectRoundByCommandLine draws, verifies and publishes a round on a
// demo street, then re-draws it from its input alone, as an outsider would.
func TestInspectRoundByCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := orgTown.SQLite(t).DSN
	code, out, errOut := gridwork(t, "inspect", "plan", "--db", dsn, "--unit", "110105004", "--from", "2026-05-01", "--to", "2026-05-31", "--grids", "5")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	m := regexp.MustCompile(`Drew round (\S+) .*input hash ([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("plan printed %q", out)
	}
	round, hash := m[1], m[2]
	if n := strings.Count(out, "\tplanned") + strings.Count(out, " planned"); n != 5 {
		t.Errorf("plan lists %d planned visits, want 5:\n%s", n, out)
	}
	if code, out, errOut := gridwork(t, "inspect", "verify", "--db", dsn, "--round", round); code != 0 || !strings.Contains(out, "re-draws") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := gridwork(t, "inspect", "publish", "--db", dsn, "--round", round); code != 0 || !strings.Contains(out, hash) {
		t.Fatalf("publish: exit %d\n%s%s", code, out, errOut)
	}
	// The published input, re-drawn without the database, gives the same
	// hash and the same five visits.
	_, show, _ := gridwork(t, "inspect", "show", "--db", dsn, "--round", round)
	input := exportInput(t, dsn, round)
	file := filepath.Join(dir, "input.json")
	if err := os.WriteFile(file, input, 0o600); err != nil {
		t.Fatal(err)
	}
	code, redraw, errOut := gridwork(t, "inspect", "redraw", "--input", file)
	if code != 0 || !strings.Contains(redraw, hash) || !strings.Contains(redraw, "5 visits") {
		t.Fatalf("redraw: exit %d\n%s%s", code, redraw, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(show), "\n")[2:] {
		when := regexp.MustCompile(`2026-05-\d\d \d\d:\d\d`).FindString(line)
		if when == "" || !strings.Contains(redraw, when) {
			t.Errorf("visit %q is not in the re-draw:\n%s", line, redraw)
		}
	}
	if code, _, errOut := gridwork(t, "inspect", "publish", "--db", dsn, "--round", round); code != 1 || !strings.Contains(errOut, "already published") {
		t.Errorf("publishing twice: exit %d %s", code, errOut)
	}
	if code, _, errOut := gridwork(t, "inspect", "plan", "--db", dsn, "--unit", "110105004", "--from", "2026-05-31", "--to", "2026-05-01"); code != 1 || !strings.Contains(errOut, "in order") {
		t.Errorf("days out of order: exit %d %s", code, errOut)
	}
}

// exportInput reads a round's stored input, as GET …/input serves it.
func exportInput(t *testing.T, dsn, round string) []byte {
	t.Helper()
	db, err := sql.Open(driverFor(dsn), openArg(dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var input string
	if err := db.QueryRow(`SELECT input FROM inspect_rounds WHERE id = $1`, round).Scan(&input); err != nil {
		t.Fatal(err)
	}
	return []byte(input)
}
