package imagestest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// BombPNG returns a small PNG whose header declares w x h pixels of RGBA
// with a few bytes of image data: decoding it in full would allocate
// 4*w*h bytes, which is what a decompression bomb is after.
func BombPNG(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	chunk(&out, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<16)) // all zeros: compresses to almost nothing
	zw.Close()
	chunk(&out, "IDAT", z.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func chunk(out *bytes.Buffer, typ string, data []byte) {
	binary.Write(out, binary.BigEndian, uint32(len(data)))
	out.WriteString(typ)
	out.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(out, binary.BigEndian, crc.Sum32())
}

// BombJPEG returns a baseline JPEG whose frame header declares w x h
// pixels in three components, with no scan data.
func BombJPEG(w, h uint16) []byte {
	out := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 17, 8}
	out = binary.BigEndian.AppendUint16(out, h)
	out = binary.BigEndian.AppendUint16(out, w)
	out = append(out, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
	// A scan header, after which a reader knows the frame is complete.
	out = append(out, 0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0)
	return append(out, 0xff, 0xd9)
}

// BombGIF returns a GIF whose logical screen is w x h.
func BombGIF(w, h uint16) []byte {
	out := []byte("GIF89a")
	out = binary.LittleEndian.AppendUint16(out, w)
	out = binary.LittleEndian.AppendUint16(out, h)
	return append(out, 0, 0, 0, ';')
}

// BombWebP returns a lossless WebP whose header declares w x h (at most
// 16384 a side, the format's own limit).
func BombWebP(w, h int) []byte {
	var bw bitWriter
	bw.write(0x2f, 8)
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(0, 1)
	bw.write(0, 3)
	data := append(bw.bytes(), 0, 0, 0, 0)
	c := append([]byte("VP8L"), le32(len(data))...)
	c = append(c, data...)
	out := append([]byte("RIFF"), le32(4+len(c))...)
	out = append(out, "WEBP"...)
	return append(out, c...)
}

// WithPNGChunk returns a copy of a PNG with an ancillary chunk (tEXt,
// eXIf, iTXt...) inserted right after IHDR, where editors put metadata.
func WithPNGChunk(pngData []byte, typ string, data []byte) []byte {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	var out bytes.Buffer
	out.Write(pngData[:ihdrEnd])
	chunk(&out, typ, data)
	out.Write(pngData[ihdrEnd:])
	return out.Bytes()
}
