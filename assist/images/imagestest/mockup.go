package imagestest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Colours of the mockup, so tests can look for them after scaling.
var (
	Background = color.RGBA{0xf5, 0xf5, 0xf7, 0xff}
	HeaderBar  = color.RGBA{0x1e, 0x40, 0xaf, 0xff} // top bar, the top tenth
	Button     = color.RGBA{0x16, 0xa3, 0x4a, 0xff} // a button in the lower half
	Ink        = color.RGBA{0x11, 0x18, 0x27, 0xff}
)

// Mockup renders a w x h screen of a sign-in form: a header bar, two
// labelled fields and a button, with text drawn in a real bitmap font,
// as a designer's export would have. The top-left pixel is Background
// only below the header; the header spans the full width.
func Mockup(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), Background)
	fill(img, image.Rect(0, 0, w, max(1, h/10)), HeaderBar)
	text(img, 8, max(14, h/20), "Acme - Sign in", color.White)
	field := func(y int, label string) {
		text(img, w/8, y-4, label, Ink)
		r := image.Rect(w/8, y, w*7/8, y+max(4, h/16))
		fill(img, r, color.White)
		outline(img, r, Ink)
	}
	field(h/4, "Email")
	field(h*2/5, "Password")
	btn := image.Rect(w/8, h*3/5, w/2, h*3/5+max(4, h/12))
	fill(img, btn, Button)
	text(img, btn.Min.X+6, btn.Min.Y+13, "Sign in", color.White)
	return img
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func outline(img *image.RGBA, r image.Rectangle, c color.Color) {
	for x := r.Min.X; x < r.Max.X; x++ {
		img.Set(x, r.Min.Y, c)
		img.Set(x, r.Max.Y-1, c)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		img.Set(r.Min.X, y, c)
		img.Set(r.Max.X-1, y, c)
	}
}

func text(img draw.Image, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// PNG encodes img as PNG.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG encodes img as JPEG at quality 90.
func JPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// GIF encodes img as a one-frame GIF with the Plan 9 palette.
func GIF(img image.Image) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}
