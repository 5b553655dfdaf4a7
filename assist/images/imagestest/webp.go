package imagestest

import (
	"encoding/binary"
	"image"
	"image/color"
)

// WebP encodes img as lossless WebP (VP8L). The standard library and
// golang.org/x/image decode WebP but do not encode it, and tests need a
// real file the real decoder reads. This is the simplest valid stream:
// no transforms, no colour cache, and one prefix code per channel giving
// every byte value 8 bits, so each pixel costs 32 bits.
func WebP(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 1 || h < 1 || w > 1<<14 || h > 1<<14 {
		panic("imagestest: WebP dimensions must be 1 to 16384")
	}
	var bw bitWriter
	bw.write(0x2f, 8) // VP8L signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1)     // alpha is used
	bw.write(0, 3)     // version
	bw.write(0, 1)     // no transform
	bw.write(0, 1)     // no colour cache
	bw.write(0, 1)     // no meta prefix codes
	flat8(&bw, 256+24) // green, length prefixes (all unused)
	flat8(&bw, 256)    // red
	flat8(&bw, 256)    // blue
	flat8(&bw, 256)    // alpha
	// distance: a simple code with the one symbol 0, read in zero bits
	bw.write(1, 1)
	bw.write(0, 1)
	bw.write(0, 1)
	bw.write(0, 1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			for _, v := range []uint8{c.G, c.R, c.B, c.A} {
				bw.code(uint32(v), 8)
			}
		}
	}
	data := bw.bytes()
	chunk := append([]byte("VP8L"), le32(len(data))...)
	chunk = append(chunk, data...)
	if len(data)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), le32(4+len(chunk))...)
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

// flat8 writes a normal prefix code over n symbols where symbols 0-255
// have length 8 and the rest length 0. The code-length code has two
// symbols, 0 and 8, of one bit each.
func flat8(bw *bitWriter, n int) {
	bw.write(0, 1) // normal code
	// Code-length code lengths in the order 17, 18, 0, 1, 2, 3, 4, 5, 16,
	// 6, 7, 8: twelve of them, so the count is written as 12-4.
	bw.write(12-4, 4)
	for _, sym := range []int{17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8} {
		l := uint32(0)
		if sym == 0 || sym == 8 {
			l = 1
		}
		bw.write(l, 3)
	}
	bw.write(0, 1) // max_symbol: every length is written
	for i := 0; i < n; i++ {
		if i < 256 {
			bw.code(1, 1) // symbol 8
		} else {
			bw.code(0, 1) // symbol 0
		}
	}
}

func le32(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)) }

// bitWriter packs bits least significant first, as VP8L reads them.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (b *bitWriter) write(v uint32, n uint) {
	b.acc |= uint64(v) << b.nbits
	b.nbits += n
	for b.nbits >= 8 {
		b.out = append(b.out, byte(b.acc))
		b.acc >>= 8
		b.nbits -= 8
	}
}

// code writes a prefix code, whose first bit in the stream is its most
// significant one.
func (b *bitWriter) code(c uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		b.write(c>>uint(i)&1, 1)
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nbits > 0 {
		b.out = append(b.out, byte(b.acc))
		b.acc, b.nbits = 0, 0
	}
	return b.out
}
