// Package schemes holds gridwork's built-in assessment templates, one YAML
// document per seed rule in ../shared/seeds, embedded in the binary. Each
// template quotes the seed's sentence beside every rule and says, in a
// comment, which reading it takes where the seed is cut off, ambiguous or
// contradicts itself.
package schemes

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Names returns the file names of the built-in templates, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Read returns the text of the built-in template name.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
