package images

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"

	"golang.org/x/image/draw"

	"switchyard/providers"
)

// minSide is the shortest long side Encode shrinks to while looking for
// an encoding under a byte limit; below it text in a mockup is unreadable
// and the error is more useful than the image.
const minSide = 256

// jpegQualities are tried in turn when an image is over the byte limit.
var jpegQualities = []int{90, 80, 70}

// Encode returns the image for t: scaled down with Catmull-Rom, keeping
// the aspect ratio, until it is inside t's dimensions, turned upright
// from its EXIF orientation, and re-encoded from the pixels, so no
// metadata of the original survives. Screenshots (PNG, GIF, WebP) stay
// PNG, which keeps text sharp; photos (JPEG) stay JPEG. When the result
// is over t.MaxBytes, JPEG at falling quality is tried, then smaller
// sizes.
func (d *Decoded) Encode(t Target) (providers.Image, error) {
	// The bounds are symmetric in width and height, so fitting the stored
	// size fits the upright one as well.
	sw, sh := d.img.Bounds().Dx(), d.img.Bounds().Dy()
	w, h := fit(sw, sh, t)
	var smallest int
	for {
		img := d.img
		if w != sw || h != sh {
			img = scale(d.img, w, h)
		}
		img = orient(img, d.orientation)
		for _, try := range encodings(d.Format) {
			data, err := try.encode(img)
			if err != nil {
				return providers.Image{}, err
			}
			if t.MaxBytes <= 0 || len(data) <= t.MaxBytes {
				return providers.Image{MIME: try.mime, Data: data}, nil
			}
			if smallest == 0 || len(data) < smallest {
				smallest = len(data)
			}
		}
		if max(w, h) <= minSide {
			return providers.Image{}, errorf(ErrCannotFit, "even at %dx%d it takes %s, the provider takes %s: crop the image to the part that matters", w, h, size(int64(smallest)), size(int64(t.MaxBytes)))
		}
		w, h = max(1, w*3/4), max(1, h*3/4)
	}
}

type encoding struct {
	mime   string
	encode func(image.Image) ([]byte, error)
}

func encodings(f Format) []encoding {
	var out []encoding
	if f != JPEG {
		out = append(out, encoding{"image/png", encodePNG})
	}
	for _, q := range jpegQualities {
		out = append(out, encoding{"image/jpeg", func(img image.Image) ([]byte, error) { return encodeJPEG(img, q) }})
	}
	return out
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	e := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := e.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flatten puts an image with transparency on white, as a browser shows
// it; JPEG has no alpha, and the encoder would otherwise darken
// transparent pixels to black.
func flatten(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}

// fit returns the largest size with w:h's aspect ratio inside t.
func fit(w, h int, t Target) (int, int) {
	s := 1.0
	long, short := max(w, h), min(w, h)
	if t.MaxLongSide > 0 && long > t.MaxLongSide {
		s = min(s, float64(t.MaxLongSide)/float64(long))
	}
	if t.MaxShortSide > 0 && short > t.MaxShortSide {
		s = min(s, float64(t.MaxShortSide)/float64(short))
	}
	if t.MaxPixels > 0 && w*h > t.MaxPixels {
		s = min(s, math.Sqrt(float64(t.MaxPixels)/float64(w*h)))
	}
	if s >= 1 {
		return w, h
	}
	return max(1, int(float64(w)*s)), max(1, int(float64(h)*s))
}

// scale resamples src to w x h with Catmull-Rom, which x/image/draw
// widens by the scale factor when shrinking, so fine text stays legible
// instead of aliasing.
func scale(src image.Image, w, h int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// orient turns an image stored in EXIF orientation o (1 to 8) upright.
func orient(src image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	in := image.NewRGBA(image.Rect(0, 0, sw, sh))
	draw.Draw(in, in.Bounds(), src, b.Min, draw.Src)
	dw, dh := sw, sh
	if o >= 5 {
		dw, dh = sh, sw
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = sw-1-x, y
			case 3: // upside down
				sx, sy = sw-1-x, sh-1-y
			case 4: // mirrored upside down
				sx, sy = x, sh-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // stored turned left: turn right
				sx, sy = y, sh-1-x
			case 7: // transversed
				sx, sy = sw-1-y, sh-1-x
			case 8: // stored turned right: turn left
				sx, sy = sw-1-y, x
			}
			copy(out.Pix[out.PixOffset(x, y):][:4], in.Pix[in.PixOffset(sx, sy):][:4])
		}
	}
	return out
}
