package qrsheet

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"

	"gridwork/internal/apperr"
)

const rentalURL = "https://grid.example.gov.cn/r/R-3F2A9C"

// longModules is the width in modules of the symbol (quiet zone included)
// for MaxContentBytes bytes at level Medium: version 26, 121 + 8 — just
// over MinPx, so PNG draws it at one pixel per module.
const longModules = 129

func TestPNGSize(t *testing.T) {
	tests := []struct {
		name    string
		content string
		px      int
		want    int
	}{
		{"default", rentalURL, 0, DefaultPx},
		{"exact", rentalURL, 300, 300},
		{"min", rentalURL, MinPx, MinPx},
		{"below min", rentalURL, 50, MinPx},
		{"negative", rentalURL, -5, MinPx},
		{"max", rentalURL, MaxPx, MaxPx},
		{"above max", rentalURL, 5000, MaxPx},
		{"chinese", "出租房屋 R-3F2A9C 幸福路12号", 256, 256},
		{"long at max", strings.Repeat("x", MaxContentBytes), MaxPx, MaxPx},
		{"long at min", strings.Repeat("x", MaxContentBytes), MinPx, longModules},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := PNG(tt.content, tt.px)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			r := img.Bounds()
			if r.Dx() != tt.want || r.Dy() != tt.want {
				t.Fatalf("size %dx%d, want %dx%d", r.Dx(), r.Dy(), tt.want, tt.want)
			}
			if (r.Dx() < MinPx || r.Dx() > MaxPx) && tt.want != longModules {
				t.Fatalf("size %d outside %d..%d", r.Dx(), MinPx, MaxPx)
			}
		})
	}
}

// The quiet zone is white and the code has dark modules: a sanity check that
// something was drawn, in the absence of a QR decoder.
func TestPNGDrawsACode(t *testing.T) {
	b, err := PNG(rentalURL, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	for y := range 256 {
		for x := range 256 {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			}
		}
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r < 0x8000 {
		t.Errorf("corner pixel is dark; want a white quiet zone")
	}
	if frac := float64(dark) / (256 * 256); frac < 0.15 || frac > 0.6 {
		t.Errorf("%.0f%% of pixels dark; want a QR-like 15-60%%", frac*100)
	}
}

func TestPNGDeterministicAndDistinct(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"same content", rentalURL, rentalURL, true},
		{"different code", rentalURL, "https://grid.example.gov.cn/r/R-3F2A9D", false},
		{"different case", rentalURL, "https://grid.example.gov.cn/r/R-3f2a9c", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := PNG(tt.a, 256)
			if err != nil {
				t.Fatal(err)
			}
			b, err := PNG(tt.b, 256)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Equal(a, b); got != tt.same {
				t.Fatalf("identical bytes = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestPNGRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"too long", strings.Repeat("x", MaxContentBytes+1)},
		{"too long multibyte", strings.Repeat("房", MaxContentBytes/3+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PNG(tt.content, 256)
			if err == nil {
				t.Fatal("no error")
			}
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("code %s, want %s: %v", apperr.CodeOf(err), apperr.Invalid, err)
			}
		})
	}
}

func labelsN(n int) []Label {
	ls := make([]Label, n)
	for i := range ls {
		code := fmt.Sprintf("R-%06X", 0x3F2A00+i)
		ls[i] = Label{
			Title:   "出租房屋",
			Code:    code,
			Address: fmt.Sprintf("幸福路%d号%d栋%d单元%d室", 10+i, i%7+1, i%3+1, 101+i%20),
			Grid:    "XX社区第3网格",
			URL:     "https://grid.example.gov.cn/r/" + code,
		}
	}
	return ls
}

func render(t testing.TB, heading string, labels []Label) string {
	t.Helper()
	var b bytes.Buffer
	if err := Sheet(&b, heading, labels); err != nil {
		t.Fatalf("Sheet: %v", err)
	}
	return b.String()
}

func TestSheetPages(t *testing.T) {
	tests := []struct {
		labels int
		pages  int
	}{
		{0, 1},
		{1, 1},
		{12, 1},
		{13, 2},
		{25, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.labels), func(t *testing.T) {
			out := render(t, "XX社区第3网格 出租房屋二维码", labelsN(tt.labels))
			if got := strings.Count(out, `<section class="page">`); got != tt.pages {
				t.Errorf("%d pages, want %d", got, tt.pages)
			}
			for p := 1; p <= tt.pages; p++ {
				if want := fmt.Sprintf("第 %d 页 / 共 %d 页", p, tt.pages); !strings.Contains(out, want) {
					t.Errorf("missing %q", want)
				}
			}
			if got := strings.Count(out, "共 "+fmt.Sprint(tt.pages)+" 页"); got != tt.pages {
				t.Errorf("page count shown on %d pages, want %d", got, tt.pages)
			}
			if got := strings.Count(out, "XX社区第3网格 出租房屋二维码</h1>"); got != tt.pages {
				t.Errorf("heading on %d pages, want %d", got, tt.pages)
			}
			if got := strings.Count(out, `<div class="label">`); got != tt.labels {
				t.Errorf("%d labels, want %d", got, tt.labels)
			}
			if got := strings.Count(out, `src="data:image/png;base64,`); got != tt.labels {
				t.Errorf("%d inlined QR images, want %d", got, tt.labels)
			}
			if got := strings.Count(out, "扫码查看房屋信息 · 请勿撕毁"); got != tt.labels {
				t.Errorf("%d footers, want %d", got, tt.labels)
			}
			empty := strings.Contains(out, "本网格暂无出租房屋")
			if empty != (tt.labels == 0) {
				t.Errorf("empty message shown = %v with %d labels", empty, tt.labels)
			}
			for _, l := range labelsN(tt.labels) {
				if !strings.Contains(out, `<div class="code">`+l.Code+`</div>`) {
					t.Errorf("label %s missing", l.Code)
				}
			}
		})
	}
}

func TestSheetDocument(t *testing.T) {
	out := render(t, "", labelsN(2))
	for _, want := range []string{
		"<!DOCTYPE html>",
		`<html lang="zh-CN">`,
		`<meta charset="utf-8">`,
		"@page { size: A4; margin: 10mm }",
		"dashed",
		"<title>" + DefaultHeading + "</title>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestSheetEscapes(t *testing.T) {
	tests := []struct {
		name    string
		heading string
		label   Label
		want    []string
		notWant []string
	}{
		{
			name:    "address",
			label:   Label{Code: "R-1", Address: `幸福路<script>alert(1)</script> & "12"号`, Grid: "第3网格", URL: rentalURL},
			want:    []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;12&#34;号"},
			notWant: []string{"<script>", "& \""},
		},
		{
			name:    "code in attribute",
			label:   Label{Code: `R-1" onerror="x`, Address: "a", Grid: "g", URL: rentalURL},
			want:    []string{`alt="R-1&#34; onerror=&#34;x"`},
			notWant: []string{`" onerror="`},
		},
		{
			name:    "heading and grid",
			heading: `<b>第3网格</b> & 二维码`,
			label:   Label{Code: "R-1", Address: "a", Grid: "<i>网格</i>", URL: rentalURL},
			want:    []string{"&lt;b&gt;第3网格&lt;/b&gt; &amp; 二维码", "网格：&lt;i&gt;网格&lt;/i&gt;"},
			notWant: []string{"<b>", "<i>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.heading, []Label{tt.label})
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("contains %q", w)
				}
			}
		})
	}
}

// The sheet is printed offline: it may load nothing. Label URLs appear only
// inside the base64 QR images, never as text or references.
func TestSheetSelfContained(t *testing.T) {
	labels := labelsN(13)
	labels = append(labels, Label{Code: "R-X", Address: "http://evil.example/x.js", Grid: "g", URL: "http://grid.example.gov.cn/r/R-X"})
	out := render(t, "https://heading.example", labels)
	bad := regexp.MustCompile(`(?i)<link|<script|<iframe|<object|<embed|@import|url\(|src="(?:https?:)?//|href=`)
	if m := bad.FindString(out); m != "" {
		t.Errorf("external reference %q", m)
	}
	for _, m := range regexp.MustCompile(`src="([^"]*)"`).FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[1], "data:image/png;base64,") {
			t.Errorf("image source %.40q is not an inline PNG", m[1])
		}
	}
	// Outside the QR images, "http" appears only in the escaped text fields.
	stripped := regexp.MustCompile(`data:image/png;base64,(?:[A-Za-z0-9+/=]|&#43;)*`).ReplaceAllString(out, "")
	// The <title>, the <h1> of each of the 2 pages, and the one address.
	if got := strings.Count(stripped, "http"); got != 4 {
		t.Errorf("%d occurrences of http outside QR data, want 4 (text only)", got)
	}
	if strings.Contains(stripped, "grid.example.gov.cn") {
		t.Error("a label URL appears outside its QR image")
	}
}

// A sheet's QR image is the symbol with exactly its 4-module quiet zone, so
// the code itself fills as much of the 45 mm as it may: the finder pattern's
// corner is dark at 4 modules in and white just before.
func TestSheetQRImage(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"short", "https://g.cn/r/1"},
		{"typical", rentalURL},
		{"long", rentalURL + "?" + strings.Repeat("x", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "h", []Label{{Code: "R-1", URL: tt.url}})
			m := regexp.MustCompile(`src="data:image/png;base64,([^"]*)"`).FindStringSubmatch(out)
			if m == nil {
				t.Fatal("no inline image")
			}
			// html/template writes '+' as "&#43;" in attributes.
			raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			bitmap, err := modules(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			size, n := img.Bounds().Dx(), len(bitmap)
			if size < sheetPx || size%n != 0 || img.Bounds().Dy() != size {
				t.Fatalf("image %v for %d modules; want square, a multiple of %d, at least %d", img.Bounds(), n, n, sheetPx)
			}
			scale := size / n
			isDark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
			if !isDark(4*scale, 4*scale) || isDark(4*scale-1, 4*scale-1) {
				t.Errorf("quiet zone is not exactly 4 modules of %d px", scale)
			}
		})
	}
}

func TestSheetErrors(t *testing.T) {
	writeErr := errors.New("disk full")
	tests := []struct {
		name    string
		w       io.Writer
		labels  []Label
		wantErr error
		invalid bool
	}{
		{"writer fails", failWriter{writeErr}, labelsN(3), writeErr, false},
		{"short write", shortWriter{}, labelsN(1), io.ErrShortWrite, false},
		{"empty URL", &bytes.Buffer{}, append(labelsN(2), Label{Code: "R-BAD"}), nil, true},
		{"URL too long", &bytes.Buffer{}, []Label{{Code: "R-BAD", URL: strings.Repeat("x", 1001)}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Sheet(tt.w, "h", tt.labels)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if tt.invalid {
				if apperr.CodeOf(err) != apperr.Invalid {
					t.Errorf("code %s, want %s", apperr.CodeOf(err), apperr.Invalid)
				}
				if !strings.Contains(err.Error(), "R-BAD") {
					t.Errorf("error %q does not name the label", err)
				}
			}
			if b, ok := tt.w.(*bytes.Buffer); ok && b.Len() > 0 {
				t.Errorf("%d bytes written before the error", b.Len())
			}
		})
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func BenchmarkSheet300(b *testing.B) {
	labels := labelsN(300)
	b.ReportAllocs()
	for b.Loop() {
		if err := Sheet(io.Discard, "XX社区第3网格 出租房屋二维码", labels); err != nil {
			b.Fatal(err)
		}
	}
}
