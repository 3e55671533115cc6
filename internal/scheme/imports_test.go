package scheme

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPure: the engine imports no storage, audit or org tree, directly or
// through another package, so that it stays a pure function of a scheme,
// a catalogue and facts (docs/architecture.md).
func TestPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	// database/sql itself: dates implements database/sql/driver's
	// Valuer and Scanner, which opens no database.
	forbidden := []string{"gridwork/internal/store", "gridwork/internal/audit", "gridwork/internal/org", "database/sql"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || (strings.HasPrefix(dep, f+"/") && f != "database/sql") {
				t.Errorf("package scheme depends on %s", dep)
			}
		}
	}
}
