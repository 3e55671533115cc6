//go:build !no_ui

package ui

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed all:dist
var dist embed.FS

// Files returns the built front end (the contents of dist/).
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time: cannot happen
	}
	return sub
}

// Embedded serves the front end built into the binary.
func Embedded() http.Handler { return Handler(Files()) }
