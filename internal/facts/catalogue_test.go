package facts_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	_ "gridwork/internal/care" // defines its facts
	"gridwork/internal/metric"
	_ "gridwork/internal/records" // defines its facts
)

// TestCatalogueDocumented keeps docs/metrics.md and the catalogue in step:
// every defined fact appears there by name (platform facts as
// platform.p.<fact>), and every name the page lists in backquotes exists.
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
