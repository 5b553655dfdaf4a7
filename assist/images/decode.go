package images

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"switchyard/providers"
)

// Format is an image format recognised from the content, never from a
// file name.
type Format string

const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
	GIF  Format = "gif"
	WebP Format = "webp"
)

type codec struct {
	decode       func(io.Reader) (image.Image, error)
	decodeConfig func(io.Reader) (image.Config, error)
}

// codecs are called by format rather than through image.Decode, whose
// registry is global: any package linked into the binary (x/image/bmp,
// tiff) would widen what is accepted.
var codecs = map[Format]codec{
	PNG:  {png.Decode, png.DecodeConfig},
	JPEG: {jpeg.Decode, jpeg.DecodeConfig},
	GIF:  {gif.Decode, gif.DecodeConfig},
	WebP: {webp.Decode, webp.DecodeConfig},
}

// Sniff names the format of data from its magic bytes, as the decoders
// themselves would recognise it.
func Sniff(data []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return JPEG, true
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF, true
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP, true
	}
	return "", false
}

// Decoded is an image that passed every check, decoded once so that it
// can be encoded for each provider the router tries.
type Decoded struct {
	Format Format // what the content was
	Width  int    // as displayed, after EXIF orientation
	Height int

	img         image.Image // as stored
	orientation int         // EXIF orientation, 1 when none
}

// Decode checks and decodes an image: the size of data, the format by
// content, then the header's dimensions against lim.MaxPixels before any
// pixel is allocated, then the whole image. GIF gives its first frame.
func Decode(data []byte, lim Limits) (*Decoded, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, errorf(ErrFileTooLarge, "%s, at most %s is read (%s): crop or shrink the image, export it as JPEG, or raise %s", size(int64(len(data))), size(lim.MaxFileBytes), settingMaxFileMB, settingMaxFileMB)
	}
	f, ok := Sniff(data)
	if !ok {
		return nil, errorf(ErrFormat, "the content is not PNG, JPEG, GIF or WebP, whatever its name says (%s): export it as PNG", describe(data))
	}
	c := codecs[f]
	cfg, err := c.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errorf(ErrCorrupt, "the %s header cannot be read (%v): save the image again", name(f), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errorf(ErrCorrupt, "the %s header says %dx%d pixels: save the image again", name(f), cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return nil, errorf(ErrTooManyPixels, "the %s header says %dx%d (%.1f megapixels), at most %.1f are decoded (%s): crop or scale the image down first, or raise %s",
			name(f), cfg.Width, cfg.Height, float64(px)/1e6, float64(lim.MaxPixels)/1e6, settingMaxPixels, settingMaxPixels)
	}
	img, err := c.decode(bytes.NewReader(data))
	if err != nil {
		return nil, errorf(ErrCorrupt, "the %s could not be decoded (%v): save the image again or take a new screenshot", name(f), err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, errorf(ErrCorrupt, "the %s header says %dx%d but the pixels are %dx%d: save the image again", name(f), cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	d := &Decoded{Format: f, Width: cfg.Width, Height: cfg.Height, img: img, orientation: 1}
	if f == JPEG {
		d.orientation = jpegOrientation(data)
		if d.orientation >= 5 {
			d.Width, d.Height = d.Height, d.Width
		}
	}
	return d, nil
}

// Prepare decodes data and encodes it for t in one step.
func Prepare(data []byte, lim Limits, t Target) (providers.Image, error) {
	d, err := Decode(data, lim)
	if err != nil {
		return providers.Image{}, err
	}
	return d.Encode(t)
}

func name(f Format) string {
	switch f {
	case PNG:
		return "PNG"
	case JPEG:
		return "JPEG"
	case GIF:
		return "GIF"
	case WebP:
		return "WebP"
	}
	return string(f)
}

// describe says what unrecognised content looks like, so that "it is an
// SVG" or "it is empty" reads better than a byte dump.
func describe(data []byte) string {
	head := bytes.TrimSpace(data[:min(len(data), 512)])
	switch {
	case len(data) == 0:
		return "the file is empty"
	case bytes.HasPrefix(head, []byte("<svg")), bytes.HasPrefix(head, []byte("<?xml")) && bytes.Contains(head, []byte("<svg")):
		return "it is SVG, which is text, not pixels"
	case bytes.HasPrefix(data, []byte("BM")):
		return "it looks like BMP"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "it looks like TIFF"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return "it looks like HEIC/AVIF"
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "it is a PDF"
	}
	return fmt.Sprintf("it begins % x", data[:min(len(data), 8)])
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
