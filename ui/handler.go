// Package ui serves gridwork's web front end: the centre's console at /, the
// grid worker's phone app at /m/ and the public side at /p/. The files are
// built by Vite from this directory (scripts/build-ui.sh) into dist/, which
// is committed and embedded, so that `go build` needs no Node.
package ui

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// apps are the single-page apps, each with the index.html that answers for
// every path under its prefix (the SPA fallback); the console is last and
// takes everything else.
var apps = []struct{ prefix, index string }{
	{"/m/", "m/index.html"},
	{"/p/", "p/index.html"},
	{"/", "index.html"},
}

// Handler serves the built front end from files (dist/'s contents). A path
// that names a file serves it; a path under an app's prefix that names no
// file (and does not look like one) serves that app's index.html, so that
// the apps' own routes survive a reload. Hashed assets are cached for a
// year; index pages and the service worker are revalidated every time.
func Handler(files fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			name += "/"
		}
		// What a rental's QR code opens (<publicURL>/r/<token>): the phone
		// app's rental view. A signed-in worker sees the rental and records
		// the scan; anyone else (a resident) gets a plain notice there.
		if token, ok := strings.CutPrefix(name, "r/"); ok && token != "" && !strings.Contains(token, "/") {
			http.Redirect(w, r, "/m/?qr="+url.QueryEscape(token), http.StatusFound)
			return
		}
		if name == "m" || name == "p" {
			http.Redirect(w, r, "/"+name+"/", http.StatusMovedPermanently)
			return
		}
		if serveFile(w, r, files, name) {
			return
		}
		// A missing asset is a 404, not an index page: a stale page asking
		// for an old chunk must fail visibly.
		if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" && !strings.HasSuffix(name, ".html") {
			http.NotFound(w, r)
			return
		}
		for _, a := range apps {
			if strings.HasPrefix("/"+name, a.prefix) || "/"+name+"/" == a.prefix {
				serveFile(w, r, files, a.index)
				return
			}
		}
	})
}

// serveFile serves name (a directory serves its index.html) and reports
// whether it existed.
func serveFile(w http.ResponseWriter, r *http.Request, files fs.FS, name string) bool {
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	b, err := fs.ReadFile(files, name)
	if err != nil {
		return false
	}
	h := w.Header()
	switch {
	case strings.HasPrefix(name, "assets/"):
		// Vite names every asset by its content's hash.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	default:
		h.Set("Cache-Control", "no-cache")
	}
	if strings.HasSuffix(name, ".webmanifest") {
		h.Set("Content-Type", "application/manifest+json")
	}
	if strings.HasSuffix(name, ".html") {
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
	}
	// A fixed modification time: the embedded files carry none, and
	// ServeContent then answers by content type and range only.
	http.ServeContent(w, r, name, time.Time{}, io.ReadSeeker(bytes.NewReader(b)))
	return true
}
