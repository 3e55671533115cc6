package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gridwork/internal/dates"
	"gridwork/internal/store"
	"gridwork/internal/store/storetest"
)

// gridwork runs the command line in-process and returns its exit code and
// output.
func gridwork(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMain(m *testing.M) { storetest.Main(m) }

// demoTown returns a template that runs `gridwork demo --households n`
// once per engine (in the template's data directory, as --data); its value
// is what the command printed. Each test gets its own copy of the result.
func demoTown(households int) *storetest.Template[string] {
	n := strconv.Itoa(households)
	return &storetest.Template[string]{
		Name: "gridwork demo --households " + n,
		Build: func(ctx context.Context, db storetest.Database) (string, error) {
			var out, errOut bytes.Buffer
			if code := run(ctx, []string{"demo", "--db", db.DSN, "--data", db.Dir, "--households", n}, &out, &errOut); code != 0 {
				return "", fmt.Errorf("demo: exit %d\n%s%s", code, out.String(), errOut.String())
			}
			return out.String(), nil
		},
	}
}

// The demo towns the tests start from: the org tree alone, and a small
// street with every kind of activity.
var (
	orgTown   = demoTown(0)
	smallTown = demoTown(2)
)

// The "done when": audit verify passes on the demo database and
// fails, naming the row, after one audit row is edited by hand in SQL.
func TestAuditVerifyCatchesHandEdit(t *testing.T) {
	t.Parallel()
	smallTown.Each(t, func(t *testing.T, c storetest.Copy[string]) {
		dsn := c.DSN
		if out := c.Value; !strings.Contains(out, "143 grids") || !strings.Contains(out, "87 workers") {
			t.Fatalf("demo summary lacks 143 grids / 87 workers:\n%s", out)
		}
		code, out, errOut := gridwork(t, "audit", "verify", "--db", dsn)
		if code != 0 || !strings.Contains(out, "audit log intact") {
			t.Fatalf("verify on a fresh demo: exit %d\n%s%s", code, out, errOut)
		}

		db, err := sql.Open(driverFor(dsn), openArg(dsn))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 42`); err != nil {
			t.Fatal(err)
		}
		code, out, errOut = gridwork(t, "audit", "verify", "--db", dsn)
		if code != 1 {
			t.Fatalf("verify after tampering: exit %d, want 1\n%s%s", code, out, errOut)
		}
		if !strings.Contains(errOut, "row 42") {
			t.Fatalf("verify does not name row 42:\n%s", errOut)
		}
	})
}

func driverFor(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return "pgx"
	}
	return "sqlite"
}

func openArg(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return dsn
	}
	return "file:" + dsn
}

// Loading the demo twice leaves the first load alone.
func TestDemoLoadsOnlyIntoAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	dsn := orgTown.SQLite(t).DSN // the first load
	code, out, errOut := gridwork(t, "demo", "--db", dsn, "--households", "0")
	if code != 0 || !strings.Contains(out, "already holds data") {
		t.Fatalf("second demo: exit %d\n%s%s", code, out, errOut)
	}
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, 2, ""},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"migrate", "--nope"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"version", "extra"}, 2, `unexpected argument "extra"`},
		{"user without subcommand", []string{"user"}, 2, "user add|reset-password"},
		{"audit without subcommand", []string{"audit"}, 2, "audit verify"},
		{"user add with a bad role", []string{"user", "add", "--db", filepath.Join(dir, "a.db"), "--username", "zhang", "--role", "boss"}, 1, "--role"},
		{"reset an unknown user", []string{"user", "reset-password", "--db", filepath.Join(dir, "b.db"), "--username", "nobody"}, 1, "no user nobody"},
		{"unreachable postgres", []string{"migrate", "--db", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, 1, "connect to postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := gridwork(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("stderr %q lacks %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestUserAddPrintsAOneTimePassword(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "gridwork.db")
	code, out, errOut := gridwork(t, "user", "add", "--db", dsn, "--username", "ops", "--role", "admin")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "One-time password: ") {
		t.Fatalf("no password printed:\n%s", out)
	}
	if code, _, errOut := gridwork(t, "user", "add", "--db", dsn, "--username", "ops", "--role", "admin"); code != 1 || !strings.Contains(errOut, "taken") {
		t.Fatalf("duplicate username: exit %d %s", code, errOut)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := gridwork(t, "version"); code != 0 || !strings.HasPrefix(out, "gridwork ") {
		t.Fatalf("version: %d %q", code, out)
	}
	for _, c := range commands() {
		args := []string{c.name, "--help"}
		if c.name == "user" {
			args = []string{"user", "add", "--help"}
		}
		if c.name == "audit" {
			args = []string{"audit", "verify", "--help"}
		}
		switch c.name {
		case "people", "platform":
			args = []string{c.name, "import", "--help"}
		case "facts":
			args = []string{"facts", "collect", "--help"}
		}
		if code, _, _ := gridwork(t, args...); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

// TestPeopleImportAndFacts runs the records commands end to end: a file
// with one bad row is imported, the good rows stored and the bad one
// reported; the month's facts are collected and shown for the grid.
func TestPeopleImportAndFacts(t *testing.T) {
	t.Parallel()
	orgTown.Each(t, func(t *testing.T, c storetest.Copy[string]) {
		dsn, data := c.DSN, c.Dir
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var code string
		err = db.QueryRow(`SELECT v.code FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id WHERE u.level = 'grid' ORDER BY v.code LIMIT 1`).Scan(&code)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "people.csv")
		csv := "姓名,身份证号,人员类别,所属网格,来本地日期\n" +
			"甲,11010519491231002X,流动," + code + ",2026-01-05\n" +
			"乙,110105194912310021,流动," + code + ",2026-01-05\n"
		if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		exit, out, errOut := gridwork(t, "people", "import", "--db", dsn, "--data", data, "--file", file)
		if exit != 0 || !strings.Contains(out, "2 rows, 1 stored, 1 skipped") || !strings.Contains(out, "row 3, column 2 (id_number)") {
			t.Fatalf("import: exit %d\n%s%s", exit, out, errOut)
		}
		month := dates.Today().String()[:7]
		if exit, out, errOut := gridwork(t, "facts", "collect", "--db", dsn, "--data", data, "--month", month); exit != 0 || !strings.Contains(out, "collected") {
			t.Fatalf("collect: exit %d\n%s%s", exit, out, errOut)
		}
		exit, out, errOut = gridwork(t, "facts", "show", "--db", dsn, "--data", data, "--month", month, "--unit", code, "--name", "实有人口数")
		if exit != 0 || !strings.Contains(out, "records.people") || !strings.Contains(out, "1") {
			t.Fatalf("show: exit %d\n%s%s", exit, out, errOut)
		}
	})
}

// TestRefusesAnotherFieldKey: a database whose identity numbers were sealed
// with one field key is refused when opened with another, rather than mixing
// two keys.
func TestRefusesAnotherFieldKey(t *testing.T) {
	t.Parallel()
	// A demo with records (sealed identity numbers), its key in the
	// database's directory.
	dsn := smallTown.SQLite(t).DSN
	code, _, errOut := gridwork(t, "facts", "collect", "--db", dsn, "--data", t.TempDir(), "--month", "2026-03")
	if code != 1 || !strings.Contains(errOut, "not the key the stored identity numbers were sealed with") {
		t.Fatalf("another key: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := gridwork(t, "facts", "collect", "--db", dsn, "--month", "2026-03"); code != 0 {
		t.Fatalf("own key: exit %d\n%s", code, errOut)
	}
}
