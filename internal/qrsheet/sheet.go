package qrsheet

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"runtime"
	"sync"
)

// Label is one rental's cut-out QR label.
type Label struct {
	Title   string // e.g. "出租房屋"; empty means DefaultTitle
	Code    string // the rental's short code, e.g. "R-3F2A9C", printed large under the QR
	Address string // the rental's address
	Grid    string // the name of the grid the rental is in
	URL     string // what the QR encodes: the address of the rental's record
}

// DefaultTitle is printed at the top of a label whose Title is empty, and
// DefaultHeading at the top of a sheet whose heading is empty.
const (
	DefaultTitle   = "出租房屋"
	DefaultHeading = "出租房屋二维码"
)

// LabelsPerPage is how many labels fit one A4 page: 3 columns × 4 rows.
const LabelsPerPage = 12

// sheetPx is the least pixel size of the QR PNGs inlined in a sheet. Unlike
// PNG, a sheet's image is exactly the symbol and its standard 4-module quiet
// zone (a whole number of pixels per module, at least sheetPx in all), so the
// code fills as much of its 45 mm as it may. The page draws the modules with
// image-rendering: pixelated, so the print is sharp at any resolution.
const sheetPx = 256

// Sheet writes a self-contained, printable HTML5 page (zh-CN, UTF-8, no
// scripts and no external resources: the QR images are inlined as data:
// URIs) with one cut-out label per rental, laid out for A4 portrait: 3
// columns × 4 rows, 12 labels a page, each page headed by heading (empty
// means DefaultHeading) and "第 N 页 / 共 M 页". Each label has a dashed cut
// line, its Title, a QR code 45 mm square (quiet zone included) encoding its
// URL, its Code in large monospace text, its Address (at most two lines) and
// Grid (one line), and a footer asking that it not be torn down. URLs appear
// only inside the QR images, never as text. No labels gives one page saying "本网格暂无出租房屋".
// All text is HTML-escaped.
//
// Nothing is written unless every label can be encoded. It returns an apperr
// Invalid error naming the first label whose URL is empty or longer than
// MaxContentBytes bytes, a wrapped error if rendering fails, and a wrapped
// error (io.ErrShortWrite on a short write) if w fails.
func Sheet(w io.Writer, heading string, labels []Label) error {
	if heading == "" {
		heading = DefaultHeading
	}
	views, err := labelViews(labels)
	if err != nil {
		return err
	}
	total := (len(views) + LabelsPerPage - 1) / LabelsPerPage
	data := sheetData{Heading: heading, Total: max(total, 1)}
	if len(views) == 0 {
		data.Pages = []pageData{{Number: 1}}
	}
	for i := 0; i < len(views); i += LabelsPerPage {
		data.Pages = append(data.Pages, pageData{
			Number: len(data.Pages) + 1,
			Labels: views[i:min(i+LabelsPerPage, len(views))],
		})
	}

	var b bytes.Buffer
	b.Grow(len(views)*3000 + 4096)
	if err := sheetTemplate.Execute(&b, data); err != nil {
		return fmt.Errorf("qrsheet: render sheet: %w", err)
	}
	n, err := w.Write(b.Bytes())
	if err == nil && n < b.Len() {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("qrsheet: write sheet: %w", err)
	}
	return nil
}

type sheetData struct {
	Heading string
	Total   int
	Pages   []pageData
}

type pageData struct {
	Number int
	Labels []labelView
}

type labelView struct {
	Title, Code, Address, Grid string
	QR                         template.URL // a data: URI we made ourselves
}

// labelViews encodes every label's QR code, spread over the CPUs, keeping the
// labels' order. It returns the error of the first label that fails.
func labelViews(labels []Label) ([]labelView, error) {
	views := make([]labelView, len(labels))
	errs := make([]error, len(labels))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(labels)) {
		wg.Go(func() {
			for i := range next {
				views[i], errs[i] = labelViewOf(labels[i])
			}
		})
	}
	for i := range labels {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("qrsheet: label %d (%q): %w", i+1, labels[i].Code, err)
		}
	}
	return views, nil
}

func labelViewOf(l Label) (labelView, error) {
	bitmap, err := modules(l.URL)
	if err != nil {
		return labelView{}, err
	}
	n := len(bitmap)
	img, err := encodePNG(draw(bitmap, n*((sheetPx+n-1)/n)))
	if err != nil {
		return labelView{}, err
	}
	title := l.Title
	if title == "" {
		title = DefaultTitle
	}
	return labelView{
		Title:   title,
		Code:    l.Code,
		Address: l.Address,
		Grid:    l.Grid,
		QR:      template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img)),
	}, nil
}

// The page is A4 portrait with 10 mm margins: 190 × 277 mm to draw in. A
// 7 mm heading and 4 rows of 67 mm take 275 mm; 3 columns of 63 mm take
// 189 mm. Inside a label (67 mm): 2.4 mm padding, title 3.4, QR 45, code 4.7,
// address 2 lines 5.7, grid 2.9, footer 2.3 = 66.4 mm.
var sheetTemplate = template.Must(template.New("sheet").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}}</title>
<style>
@page { size: A4; margin: 10mm }
* { box-sizing: border-box; margin: 0; padding: 0 }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; color: #000; background: #fff }
.page { width: 190mm; height: 276mm; overflow: hidden; break-after: page; page-break-after: always }
.page:last-child { break-after: auto; page-break-after: auto }
.head { height: 7mm; display: flex; justify-content: space-between; align-items: center; gap: 4mm }
.head h1 { font-size: 11pt; line-height: 1.2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
.head .no { font-size: 9pt; white-space: nowrap }
.labels { display: grid; grid-template-columns: repeat(3, 63mm); grid-template-rows: repeat(4, 67mm) }
.label { border-right: 0.3mm dashed #777; border-bottom: 0.3mm dashed #777; padding: 1.2mm 2mm; display: flex; flex-direction: column; align-items: center; text-align: center; overflow: hidden; break-inside: avoid }
.label:nth-child(-n+3) { border-top: 0.3mm dashed #777 }
.label:nth-child(3n+1) { border-left: 0.3mm dashed #777 }
.title { font-size: 8pt; line-height: 1.2; font-weight: bold; letter-spacing: 0.3em; height: 3.4mm }
.qr { display: block; width: 45mm; height: 45mm; flex: none; image-rendering: crisp-edges; image-rendering: pixelated }
.code { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, Menlo, monospace; font-size: 12pt; line-height: 1.1; font-weight: bold; letter-spacing: 0.05em; white-space: nowrap }
.addr { font-size: 7pt; line-height: 1.15; max-height: 2.3em; flex: none; width: 100%; overflow: hidden; word-break: break-all; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; line-clamp: 2 }
.grid { margin-top: auto; font-size: 7pt; line-height: 1.15; width: 100%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
.foot { font-size: 5.5pt; line-height: 1.2; color: #444 }
.empty { height: 268mm; display: flex; align-items: center; justify-content: center; font-size: 16pt; color: #555; border: 0.3mm dashed #777 }
@media screen {
  body { background: #ddd }
  .page { background: #fff; box-sizing: content-box; padding: 10mm; margin: 5mm auto }
}
</style>
</head>
<body>
{{- range .Pages}}
<section class="page">
<header class="head"><h1>{{$.Heading}}</h1><span class="no">第 {{.Number}} 页 / 共 {{$.Total}} 页</span></header>
{{- if .Labels}}
<div class="labels">
{{- range .Labels}}
<div class="label">
<div class="title">{{.Title}}</div>
<img class="qr" src="{{.QR}}" alt="{{.Code}}">
<div class="code">{{.Code}}</div>
<div class="addr">地址：{{.Address}}</div>
<div class="grid">网格：{{.Grid}}</div>
<div class="foot">扫码查看房屋信息 · 请勿撕毁</div>
</div>
{{- end}}
</div>
{{- else}}
<div class="empty">本网格暂无出租房屋</div>
{{- end}}
</section>
{{- end}}
</body>
</html>
`))
