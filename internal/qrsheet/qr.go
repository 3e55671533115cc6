// Package qrsheet makes the QR codes posted at rental houses (出租房屋二维码):
// one PNG per rental, which opens the rental's record when a grid worker scans
// it, and a printable A4 sheet per grid with all of that grid's codes laid
// out to be cut out and posted at the door.
package qrsheet

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"gridwork/internal/apperr"
)

// Size limits of a PNG, in pixels, and the size used when none is asked for.
const (
	MinPx     = 128
	MaxPx     = 1024
	DefaultPx = 256
)

// MaxContentBytes is the longest content PNG encodes. A QR code for a rental
// carries a short URL; anything near this long is a mistake, and would make a
// code too dense to scan from a door post.
const MaxContentBytes = 1000

// level is the error-correction level of every code: Medium (about 15% of
// the symbol may be lost), as the codes are posted outdoors and get dirty.
const level = qrcode.Medium

// PNG returns a PNG image of a QR code (error-correction level Medium) that
// encodes content. px is the width and height of the image: 0 means
// DefaultPx, and other values are clamped to MinPx..MaxPx. Every module is a
// whole number of pixels, so the code stays crisp when printed; the pixels
// left over widen the white quiet zone. Only if the content needs more
// modules than px has pixels (very long content at a small px) is the image
// larger than px: one pixel per module.
//
// It returns an apperr Invalid error if content is empty or longer than
// MaxContentBytes bytes, and a wrapped encoder error if the content cannot
// be encoded.
func PNG(content string, px int) ([]byte, error) {
	bitmap, err := modules(content)
	if err != nil {
		return nil, err
	}
	return encodePNG(draw(bitmap, clampPx(px)))
}

// modules checks content and returns its QR symbol as a bitmap of modules,
// the 4-module quiet zone included: bitmap[y][x] is true for a dark module.
func modules(content string) ([][]bool, error) {
	switch {
	case content == "":
		return nil, apperr.Field("content", "the QR code content must not be empty")
	case len(content) > MaxContentBytes:
		return nil, apperr.Field("content", fmt.Sprintf("the QR code content is %d bytes; at most %d are allowed", len(content), MaxContentBytes))
	}
	q, err := qrcode.New(content, level)
	if err != nil {
		return nil, fmt.Errorf("qrsheet: encode QR code: %w", err)
	}
	return q.Bitmap(), nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression, BufferPool: encoderPool{}}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qrsheet: encode PNG: %w", err)
	}
	return b.Bytes(), nil
}

// encoderPool lets PNG encodings reuse the encoder's buffers and compressor,
// most of the cost of a small image.
type encoderPool struct{}

var encoderBuffers sync.Pool

func (encoderPool) Get() *png.EncoderBuffer {
	b, _ := encoderBuffers.Get().(*png.EncoderBuffer)
	return b
}

func (encoderPool) Put(b *png.EncoderBuffer) { encoderBuffers.Put(b) }

// clampPx applies the default and the limits to a requested size.
func clampPx(px int) int {
	switch {
	case px == 0:
		return DefaultPx
	case px < MinPx:
		return MinPx
	case px > MaxPx:
		return MaxPx
	}
	return px
}

// palette is black on white; index 0 (white) is the zero value of the pixels.
var palette = color.Palette{color.White, color.Black}

// draw renders a module bitmap (quiet zone included) into a px×px image with
// square modules of a whole number of pixels each, centred. If the bitmap has
// more modules than px, the image is one pixel per module instead.
func draw(bitmap [][]bool, px int) *image.Paletted {
	n := len(bitmap)
	scale := px / n
	if scale < 1 {
		scale, px = 1, n
	}
	off := (px - scale*n) / 2
	img := image.NewPaletted(image.Rect(0, 0, px, px), palette)
	for y, row := range bitmap {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := off+x*scale, off+y*scale
			for dy := range scale {
				line := img.Pix[(y0+dy)*img.Stride+x0:]
				for dx := range scale {
					line[dx] = 1
				}
			}
		}
	}
	return img
}
