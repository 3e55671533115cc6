//go:build no_ui

package ui

import (
	"io/fs"
	"net/http"
	"testing/fstest"
)

// Files returns a one-page stand-in: this binary was built with the no_ui
// tag, without the front end.
func Files() fs.FS {
	return fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>gridwork</title>` +
		`<p>此版本未包含网页界面（以 no_ui 构建）。请使用 <a href="/docs">API 文档</a>。</p>` +
		`<p>This build has no web interface (built with no_ui); see the <a href="/docs">API</a>.</p></html>`)}}
}

// Embedded serves the stand-in page.
func Embedded() http.Handler { return Handler(Files()) }
