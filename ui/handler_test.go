package ui

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestHandler: files are served, each app's paths fall back to its own
// index.html, and a missing asset is a 404 rather than a page.
func TestHandler(t *testing.T) {
	files := fstest.MapFS{
		"index.html":             {Data: []byte("console")},
		"m/index.html":           {Data: []byte("phone")},
		"p/index.html":           {Data: []byte("public")},
		"assets/app-abc1.js":     {Data: []byte("js")},
		"m/sw.js":                {Data: []byte("sw")},
		"m/manifest.webmanifest": {Data: []byte("{}")},
	}
	h := Handler(files)
	tests := []struct {
		method, path string
		status       int
		body         string
		cache        string
	}{
		{"GET", "/", 200, "console", "no-cache"},
		{"GET", "/assess/runs/123", 200, "console", "no-cache"},
		{"GET", "/login?next=/", 200, "console", "no-cache"},
		{"HEAD", "/records/person/1", 200, "", "no-cache"},
		{"GET", "/m/", 200, "phone", "no-cache"},
		{"GET", "/m/visit/new", 200, "phone", "no-cache"},
		{"GET", "/m/sw.js", 200, "sw", "no-cache"},
		{"GET", "/p/", 200, "public", "no-cache"},
		{"GET", "/p/board/abc", 200, "public", "no-cache"},
		{"GET", "/assets/app-abc1.js", 200, "js", "public, max-age=31536000, immutable"},
		{"GET", "/assets/gone-123.js", 404, "", ""},
		{"GET", "/favicon.ico", 404, "", ""},
		{"GET", "/m/old-chunk.js", 404, "", ""},
		{"POST", "/", 405, "", ""},
		{"GET", "/r/AbC_12-x", 302, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if got := rec.Body.String(); got != tt.body {
				t.Errorf("body %q, want %q", got, tt.body)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/m", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/m/" {
		t.Errorf("/m answers %d to %q, want a redirect to /m/", rec.Code, rec.Header().Get("Location"))
	}
	// A rental's QR code opens the phone app's rental view.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/r/AbC_12-x", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/m/?qr=AbC_12-x" {
		t.Errorf("/r/AbC_12-x answers %d to %q, want a redirect to /m/?qr=AbC_12-x", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/m/manifest.webmanifest", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("the manifest is served as %q", ct)
	}
}

// firstLoadLimit is issue 7's budget for the console's first load.
const firstLoadLimit = 1_000_000

// assetRef finds what an index.html makes the browser fetch at once: its
// module script, its stylesheets and the chunks Vite preloads.
var assetRef = regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`)

// firstLoad returns the gzip-compressed bytes (level 9, as a server or
// proxy would send them) of what the console's first screen needs: its
// index.html, everything that page loads or preloads, and the chunks of
// the screens a visitor lands on (the login page; the layout and home page
// after signing in). It also returns each file's share.
func firstLoad(files fs.FS) (int, map[string]int, error) {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return 0, nil, err
	}
	names := []string{"index.html"}
	for _, m := range assetRef.FindAllSubmatch(index, -1) {
		names = append(names, string(m[1]))
	}
	landing, err := fs.Glob(files, "assets/*")
	if err != nil {
		return 0, nil, err
	}
	for _, n := range landing {
		base := strings.TrimPrefix(n, "assets/")
		for _, screen := range []string{"Login-", "Layout-", "Home-"} {
			if strings.HasPrefix(base, screen) {
				names = append(names, n)
			}
		}
	}
	sizes := map[string]int{}
	total := 0
	for _, n := range names {
		if _, seen := sizes[n]; seen {
			continue
		}
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return 0, nil, err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		sizes[n] = buf.Len()
		total += buf.Len()
	}
	return total, sizes, nil
}

// TestFirstLoadSize measures the committed build (docs/performance.md):
// the console's first load must stay under 1 MB gzipped, which only
// code-splitting keeps true (ECharts alone is about 170 kB).
func TestFirstLoadSize(t *testing.T) {
	total, sizes, err := firstLoad(Files())
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) < 3 {
		t.Fatalf("the console's index.html loads %d files; the build looks wrong", len(sizes))
	}
	for n, s := range sizes {
		t.Logf("%8d  %s", s, n)
	}
	t.Logf("%8d  total gzipped (limit %d)", total, firstLoadLimit)
	if total >= firstLoadLimit {
		t.Errorf("the console's first load is %d bytes gzipped; the budget is under %d", total, firstLoadLimit)
	}
	for n := range sizes {
		if strings.Contains(n, "ScoreChart") || strings.Contains(n, "GridMap") {
			t.Errorf("%s is in the first load: charts and maps must load with their screens", n)
		}
	}
}
