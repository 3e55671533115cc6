package facts_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	_ "gridwork/internal/catalog" // every package that defines facts
	"gridwork/internal/metric"
)

// TestCatalogueDocumented keeps docs/metrics.md and the catalogue in step:
// every defined fact appears there by name (platform facts as
// platform.p.<fact>), a fact not yet measured (Pending) only under a
// heading that says so and a measured one never, and every name the page
// lists in backquotes exists.
func TestCatalogueDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	platform := regexp.MustCompile(`^platform\.[a-z]+\.`)
	defined := map[string]bool{}
	for _, d := range metric.All() {
		name := platform.ReplaceAllString(d.Name, "platform.p.")
		defined[name] = true
		if !strings.Contains(text, "`"+name+"`") {
			t.Errorf("fact %s (%s) is not documented in docs/metrics.md", d.Name, d.Alias)
		}
		for _, sec := range strings.Split(text, "\n## ")[1:] {
			if !strings.Contains(sec, "| `"+name+"` |") {
				continue
			}
			heading, _, _ := strings.Cut(sec, "\n")
			if pending := strings.Contains(heading, "not yet measured"); pending == d.Measured() {
				t.Errorf("fact %s (pending %q) is documented under %q", d.Name, d.Pending, heading)
			}
		}
		if d.Alias == "" || d.Doc == "" || d.Seeds == "" {
			t.Errorf("fact %s lacks an alias, a definition or its seeds", d.Name)
		}
	}
	listed := regexp.MustCompile("\\| `([a-z_]+\\.[a-z_.]+)` \\|").FindAllStringSubmatch(text, -1)
	for _, m := range listed {
		if !defined[m[1]] {
			t.Errorf("docs/metrics.md lists %s, which no package defines", m[1])
		}
	}
}

// TestCatalogueParts checks that every Part names a defined count of the
// same kind, measured no later than the fact itself.
func TestCatalogueParts(t *testing.T) {
	for _, d := range metric.All() {
		if d.Part == "" {
			continue
		}
		whole, ok := metric.Lookup(d.Part)
		switch {
		case !ok || whole.Name != d.Part:
			t.Errorf("fact %s is part of %s, which no package defines", d.Name, d.Part)
		case d.Kind != metric.Count || whole.Kind != metric.Count:
			t.Errorf("fact %s (%s) is part of %s (%s): only a count can be part of a count", d.Name, d.Kind, d.Part, whole.Kind)
		case d.Measured() && !whole.Measured():
			t.Errorf("fact %s is measured but the fact it is part of, %s, is not", d.Name, d.Part)
		}
	}
}
