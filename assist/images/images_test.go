package images

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"switchyard/assist/images/imagestest"
)

// decodeOut decodes what Encode produced with the standard decoders, as
// a provider would.
func decodeOut(t *testing.T, mime string, data []byte) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch mime {
	case "image/png":
		img, err = png.Decode(bytes.NewReader(data))
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	default:
		t.Fatalf("MIME %q: want image/png or image/jpeg", mime)
	}
	if err != nil {
		t.Fatalf("output does not decode as %s: %v", mime, err)
	}
	return img
}

// near says whether two colours are within tol per channel (8-bit).
func near(a, b color.Color, tol int) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) int { return abs(int(x>>8) - int(y>>8)) }
	return d(ar, br) <= tol && d(ag, bg) <= tol && d(ab, bb) <= tol
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// looksLikeMockup checks the features a model would need: the header bar
// across the top and the button in the lower half, where they were drawn.
func looksLikeMockup(t *testing.T, img image.Image, tol int) {
	t.Helper()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if c := img.At(b.Min.X+w*3/4, b.Min.Y+h/40); !near(c, imagestest.HeaderBar, tol) {
		t.Errorf("top bar pixel = %v, want about %v", c, imagestest.HeaderBar)
	}
	if c := img.At(b.Min.X+w*3/8, b.Min.Y+h*3/5+h/40); !near(c, imagestest.Button, tol) {
		t.Errorf("button pixel = %v, want about %v", c, imagestest.Button)
	}
	if c := img.At(b.Min.X+w*15/16, b.Min.Y+h*15/16); !near(c, imagestest.Background, tol) {
		t.Errorf("background pixel = %v, want about %v", c, imagestest.Background)
	}
}

func TestDecodeAndEncodeEachFormat(t *testing.T) {
	m := imagestest.Mockup(480, 320)
	tests := []struct {
		name     string
		data     []byte
		format   Format
		wantMIME string
		tol      int
	}{
		{"png", imagestest.PNG(m), PNG, "image/png", 2},
		{"jpeg", imagestest.JPEG(m), JPEG, "image/jpeg", 24},
		{"gif", imagestest.GIF(m), GIF, "image/png", 40}, // Plan 9 palette
		{"webp", imagestest.WebP(m), WebP, "image/png", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode(tt.data, Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d.Format != tt.format || d.Width != 480 || d.Height != 320 {
				t.Fatalf("decoded %s %dx%d, want %s 480x320", d.Format, d.Width, d.Height, tt.format)
			}
			out, err := d.Encode(Target{MaxLongSide: 240})
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if out.MIME != tt.wantMIME {
				t.Errorf("MIME = %s, want %s", out.MIME, tt.wantMIME)
			}
			img := decodeOut(t, out.MIME, out.Data)
			if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 160 {
				t.Errorf("output is %dx%d, want 240x160 (long side 240, aspect kept)", b.Dx(), b.Dy())
			}
			looksLikeMockup(t, img, tt.tol)
		})
	}
}

func TestTargetsDownscaleToTheDocumentedLimits(t *testing.T) {
	d, err := Decode(imagestest.PNG(imagestest.Mockup(1600, 1200)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		provider string
		w, h     int
	}{
		{"openai", 1024, 768},    // short side to 768 (long side 2048 is not reached)
		{"azure", 1024, 768},     // same models, same limits
		{"anthropic", 1238, 928}, // 1.15 megapixels before the 1568 long edge
		{"bedrock", 1238, 928},
		{"vertex", 1600, 1200}, // under 3072
		{"mistral", 1024, 768},
		{"ollama", 1568, 1176},
		{"llamacpp", 1568, 1176},
	}
	encoded := map[Target]bool{}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			tg := TargetFor(tt.provider)
			if w, h := fit(d.Width, d.Height, tg); w != tt.w || h != tt.h {
				t.Fatalf("%s: fits to %dx%d, want %dx%d", tt.provider, w, h, tt.w, tt.h)
			}
			if encoded[tg] {
				return // the same limits were encoded for another type
			}
			encoded[tg] = true
			out, err := d.Encode(tg)
			if err != nil {
				t.Fatal(err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(out.Data))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != tt.w || cfg.Height != tt.h {
				t.Errorf("%s: %dx%d, want %dx%d", tt.provider, cfg.Width, cfg.Height, tt.w, tt.h)
			}
			if len(out.Data) > tg.MaxBytes {
				t.Errorf("%s: %d bytes, over the %d limit", tt.provider, len(out.Data), tg.MaxBytes)
			}
		})
	}
}

func TestFitKeepsAspectRatio(t *testing.T) {
	tests := []struct {
		w, h   int
		t      Target
		ww, wh int
	}{
		{100, 50, Target{MaxLongSide: 200}, 100, 50}, // never upscaled
		{4000, 1000, Target{MaxLongSide: 2048, MaxShortSide: 768}, 2048, 512},
		{1000, 4000, Target{MaxLongSide: 2048, MaxShortSide: 768}, 512, 2048},
		{3000, 3000, Target{MaxLongSide: 2048, MaxShortSide: 768}, 768, 768},
		{2000, 2000, Target{MaxPixels: 1_000_000}, 1000, 1000},
		{30000, 10, Target{MaxLongSide: 1000}, 1000, 1}, // a sliver keeps one row
	}
	for _, tt := range tests {
		w, h := fit(tt.w, tt.h, tt.t)
		if w != tt.ww || h != tt.wh {
			t.Errorf("fit(%d, %d, %+v) = %dx%d, want %dx%d", tt.w, tt.h, tt.t, w, h, tt.ww, tt.wh)
		}
	}
}

func TestRefusesWhatIsNotAnImage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"text", []byte("just some notes\n"), "it begins"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>`), "SVG"},
		{"empty", nil, "empty"},
		{"bmp", []byte("BM\x3e\x00\x00\x00\x00\x00\x00\x00"), "BMP"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), "TIFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, Limits{})
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("err = %v, want ErrFormat", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "PNG, JPEG, GIF or WebP") {
				t.Errorf("message %q should say what it is (%q) and what is taken", err, tt.want)
			}
		})
	}
}

func TestLyingExtension(t *testing.T) {
	dir := t.TempDir()
	// A PNG saved as .jpg is a PNG.
	lying := filepath.Join(dir, "mock.jpg")
	if err := os.WriteFile(lying, imagestest.PNG(imagestest.Mockup(64, 48)), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(lying, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Prepare(data, Limits{}, TargetFor("openai"))
	if err != nil {
		t.Fatalf("a PNG named .jpg: %v", err)
	}
	if out.MIME != "image/png" {
		t.Errorf("MIME = %s, want image/png from the content", out.MIME)
	}
	// A text file saved as .png is refused.
	fake := filepath.Join(dir, "mock.png")
	if err := os.WriteFile(fake, []byte("TODO: draw the mockup"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err = ReadFile(fake, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(data, Limits{}, TargetFor("openai")); !errors.Is(err, ErrFormat) {
		t.Errorf("a text file named .png: err = %v, want ErrFormat", err)
	}
}

func TestTruncated(t *testing.T) {
	m := imagestest.Mockup(200, 120)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"png", imagestest.PNG(m)},
		{"jpeg", imagestest.JPEG(m)},
		{"gif", imagestest.GIF(m)},
		{"webp", imagestest.WebP(m)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cut := tt.data[:len(tt.data)*6/10]
			_, err := Decode(cut, Limits{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), "save the image again") {
				t.Errorf("message %q should say what to do", err)
			}
		})
	}
}

func TestDecompressionBombRefusedBeforeAllocating(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"png", imagestest.BombPNG(100_000, 100_000)},
		{"jpeg", imagestest.BombJPEG(65_000, 65_000)},
		{"gif", imagestest.BombGIF(65_000, 65_000)},
		{"webp", imagestest.BombWebP(16384, 16384)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Decode(tt.data, Limits{})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrTooManyPixels", err)
			}
			if !strings.Contains(err.Error(), "megapixels") || !strings.Contains(err.Error(), "images.max_pixels") {
				t.Errorf("message %q should give the size and name the setting", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("refusing the bomb allocated %d bytes: the pixels were allocated", n)
			}
		})
	}
	// The same header under a raised limit is decoded (and found short).
	_, err := Decode(imagestest.BombPNG(3000, 3000), Limits{MaxPixels: 10_000_000})
	if errors.Is(err, ErrTooManyPixels) {
		t.Errorf("9 megapixels under a 10 megapixel limit: %v", err)
	}
}

func TestMetadataIsStripped(t *testing.T) {
	m := imagestest.Mockup(320, 200)
	const lat, lon = 48.858370, 2.294481
	withGPS := imagestest.WithEXIF(imagestest.JPEG(m), imagestest.EXIF{GPS: true, Lat: lat, Lon: lon})
	secret := []byte("Author: a.person@example.com")
	pngText := imagestest.WithPNGChunk(imagestest.PNG(m), "tEXt", append([]byte("Comment\x00"), secret...))
	pngEXIF := imagestest.WithPNGChunk(imagestest.PNG(m), "eXIf", imagestest.WithEXIF([]byte{0xff, 0xd8}, imagestest.EXIF{GPS: true, Lat: lat, Lon: lon})[10:])

	gps := imagestest.GPSBytes(lat)
	for _, tt := range []struct {
		name      string
		data      []byte
		forbidden [][]byte
	}{
		{"jpeg gps exif", withGPS, [][]byte{[]byte("Exif\x00\x00"), []byte(imagestest.CameraMake), gps}},
		{"png text", pngText, [][]byte{secret, []byte("tEXt")}},
		{"png exif", pngEXIF, [][]byte{[]byte("eXIf"), []byte(imagestest.CameraMake), gps}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range tt.forbidden {
				if !bytes.Contains(tt.data, f) {
					t.Fatalf("the input should carry %q", f)
				}
			}
			for _, provider := range []string{"openai", "anthropic", "bedrock", "vertex", "ollama"} {
				out, err := Prepare(tt.data, Limits{}, TargetFor(provider))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range tt.forbidden {
					if bytes.Contains(out.Data, f) {
						t.Errorf("%s: output still carries %q", provider, f)
					}
				}
				looksLikeMockup(t, decodeOut(t, out.MIME, out.Data), 24)
			}
		})
	}
}

// rotateLeft turns img a quarter to the left, as a camera held on its
// side stores a picture, which orientation 6 turns back to the right.
func rotateLeft(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(y, b.Dx()-1-x, img.At(x, y))
		}
	}
	return out
}

func TestEXIFOrientationIsApplied(t *testing.T) {
	m := imagestest.Mockup(320, 200)
	stored := imagestest.WithEXIF(imagestest.JPEG(rotateLeft(m)), imagestest.EXIF{Orientation: 6})
	d, err := Decode(stored, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Width != 320 || d.Height != 200 {
		t.Errorf("upright size %dx%d, want 320x200", d.Width, d.Height)
	}
	out, err := d.Encode(Target{MaxLongSide: 160})
	if err != nil {
		t.Fatal(err)
	}
	img := decodeOut(t, out.MIME, out.Data)
	if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 100 {
		t.Fatalf("output %dx%d, want 160x100", b.Dx(), b.Dy())
	}
	looksLikeMockup(t, img, 24)
}

func TestOrientations(t *testing.T) {
	// A 3x2 image with distinct pixels, stored in each orientation, must
	// come back as the same upright image.
	up := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		up.Set(i%3, i/3, color.RGBA{uint8(40 * i), 0, 0, 255})
	}
	store := map[int]func(x, y int) (int, int){ // upright (x,y) -> stored position
		2: func(x, y int) (int, int) { return 2 - x, y },
		3: func(x, y int) (int, int) { return 2 - x, 1 - y },
		4: func(x, y int) (int, int) { return x, 1 - y },
		5: func(x, y int) (int, int) { return y, x },
		6: func(x, y int) (int, int) { return y, 2 - x },
		7: func(x, y int) (int, int) { return 1 - y, 2 - x },
		8: func(x, y int) (int, int) { return 1 - y, x },
	}
	for o, f := range store {
		r := image.Rect(0, 0, 3, 2)
		if o >= 5 {
			r = image.Rect(0, 0, 2, 3)
		}
		s := image.NewRGBA(r)
		for y := 0; y < 2; y++ {
			for x := 0; x < 3; x++ {
				sx, sy := f(x, y)
				s.Set(sx, sy, up.At(x, y))
			}
		}
		got := orient(s, o)
		if !got.Bounds().Eq(up.Bounds()) {
			t.Errorf("orientation %d: bounds %v, want %v", o, got.Bounds(), up.Bounds())
			continue
		}
		for y := 0; y < 2; y++ {
			for x := 0; x < 3; x++ {
				if got.At(x, y) != up.At(x, y) {
					t.Errorf("orientation %d: pixel (%d,%d) = %v, want %v", o, x, y, got.At(x, y), up.At(x, y))
				}
			}
		}
	}
}

func noise(w, h int) *image.RGBA {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

func TestByteLimit(t *testing.T) {
	big := imagestest.PNG(noise(360, 240))
	const limit = 60_000
	if len(big) <= limit {
		t.Fatalf("the noise PNG is %d bytes; the test needs it over %d", len(big), limit)
	}
	out, err := Prepare(big, Limits{}, Target{MaxBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Data) > limit {
		t.Errorf("%d bytes, over the %d limit", len(out.Data), limit)
	}
	if out.MIME != "image/jpeg" {
		t.Errorf("MIME %s: an image over the byte limit as PNG should go as JPEG", out.MIME)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(out.Data))
	if err != nil {
		t.Fatal(err)
	}
	if abs(cfg.Width*240-cfg.Height*360) > 360 {
		t.Errorf("%dx%d lost the 3:2 aspect ratio", cfg.Width, cfg.Height)
	}

	_, err = Prepare(big, Limits{}, Target{MaxBytes: 300})
	if !errors.Is(err, ErrCannotFit) || !strings.Contains(err.Error(), "crop") {
		t.Errorf("err = %v, want ErrCannotFit saying to crop", err)
	}
}

func TestTransparencyGoesOnWhiteInJPEG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64)) // all transparent
	draw.Draw(img, image.Rect(0, 0, 32, 64), image.NewUniform(color.NRGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	data, err := encodeJPEG(img, 90)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jpeg.Decode(bytes.NewReader(data))
	if c := out.At(60, 32); !near(c, color.White, 8) {
		t.Errorf("transparent pixel became %v, want white", c)
	}
	if c := out.At(4, 32); !near(c, color.RGBA{0, 0, 255, 255}, 16) {
		t.Errorf("opaque pixel became %v, want blue", c)
	}
}

func TestFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.png")
	if err := os.WriteFile(path, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, Limits{MaxFileBytes: 1024})
	if !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "huge.png") {
		t.Errorf("err = %v, want ErrFileTooLarge naming the file", err)
	}
	if !strings.Contains(err.Error(), "images.max_file_mb") {
		t.Errorf("ReadFile: message %q should name the setting", err)
	}
	_, err = Decode(make([]byte, 2048), Limits{MaxFileBytes: 1024})
	if !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "images.max_file_mb") {
		t.Errorf("Decode: err = %v, want ErrFileTooLarge naming images.max_file_mb", err)
	}
	if _, err := ReadFile(t.TempDir(), Limits{}); err == nil {
		t.Error("a directory was read as an image")
	}
}

func TestDataURI(t *testing.T) {
	pngData := imagestest.PNG(imagestest.Mockup(40, 30))
	b64 := encodeStd(pngData)
	tests := []struct {
		name string
		uri  string
		err  error
	}{
		{"standard", "data:image/png;base64," + b64, nil},
		{"lying media type", "data:image/jpeg;base64," + b64, nil},
		{"no media type", "data:;base64," + b64, nil},
		{"wrapped lines", "data:image/png;base64," + wrap(b64, 76), nil},
		{"no padding", "data:image/png;base64," + strings.TrimRight(b64, "="), nil},
		{"not base64", "data:image/png," + "%89PNG", ErrBadDataURI},
		{"no comma", "data:image/png;base64", ErrBadDataURI},
		{"not data", "file:///tmp/x.png", ErrBadDataURI},
		{"damaged", "data:image/png;base64,@@@@", ErrBadDataURI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDataURI(tt.uri, Limits{})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pngData) {
				t.Errorf("decoded %d bytes, want the %d of the PNG", len(got), len(pngData))
			}
		})
	}
	_, err := ParseDataURI("data:image/png;base64,"+b64, Limits{MaxFileBytes: 100})
	if !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "images.max_file_mb") {
		t.Errorf("over the limit: err = %v, want ErrFileTooLarge naming images.max_file_mb", err)
	}
}

func TestCheckCount(t *testing.T) {
	if err := CheckCount(DefaultMaxImages, Limits{}); err != nil {
		t.Errorf("%d images: %v", DefaultMaxImages, err)
	}
	err := CheckCount(3, Limits{MaxImages: 2})
	if !errors.Is(err, ErrTooManyImages) || !strings.Contains(err.Error(), "at most 2") || !strings.Contains(err.Error(), "images.max_images") {
		t.Errorf("err = %v, want ErrTooManyImages saying at most 2 and naming images.max_images", err)
	}
}

func TestUnknownProviderGetsStrictLimits(t *testing.T) {
	tg := TargetFor("some-new-type")
	for _, known := range []string{"openai", "anthropic", "bedrock", "vertex", "mistral", "ollama"} {
		k := TargetFor(known)
		if tg.MaxBytes > k.MaxBytes || tg.MaxLongSide > k.MaxLongSide {
			t.Errorf("unknown type's %+v is looser than %s's %+v", tg, known, k)
		}
	}
}

// TestDownscaleFiltersFineDetail: one-pixel stripes shrunk four times
// must average to grey, as they look from afar; a filter that picks
// pixels (nearest neighbour) would give pure black or white, the moiré
// that makes thin text unreadable.
func TestDownscaleFiltersFineDetail(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 400, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 400; x += 2 {
			img.Pix[y*img.Stride+x] = 255
		}
	}
	out, err := Prepare(imagestest.PNG(img), Limits{}, Target{MaxLongSide: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeOut(t, out.MIME, out.Data)
	for _, x := range []int{10, 37, 64, 91} {
		if c := got.At(x, 12); !near(c, color.Gray{128}, 12) {
			t.Errorf("pixel (%d,12) = %v, want about grey 128", x, c)
		}
	}
}
