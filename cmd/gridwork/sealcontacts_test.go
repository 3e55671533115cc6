package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// seal-contacts runs on a database with nothing to seal and says so; a
// second run changes nothing either.
func TestSealContactsOnce(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "gridwork.db")
	for range 2 {
		code, out, errOut := gridwork(t, "seal-contacts", "--db", dsn)
		if code != 0 || !strings.Contains(out, "sealed the contacts of 0 events") {
			t.Fatalf("seal-contacts: exit %d\n%s%s", code, out, errOut)
		}
	}
}
