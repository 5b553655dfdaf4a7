package imagestest

import (
	"encoding/binary"
	"math"
)

// CameraMake is the camera name WithEXIF writes, for tests to look for.
const CameraMake = "SwitchyardTestCam"

// EXIF is what WithEXIF writes: an orientation (0 leaves it out) and,
// when GPS is set, a GPS IFD with the latitude and longitude.
type EXIF struct {
	Orientation int
	GPS         bool
	Lat, Lon    float64 // degrees; north and east positive
}

// WithEXIF returns a copy of a JPEG with an APP1 Exif segment right
// after its start marker, as a phone camera writes it. The decoder skips
// the segment, so the pixels are unchanged.
func WithEXIF(jpegData []byte, e EXIF) []byte {
	tiff := buildTIFF(e)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(2+len(seg)))
	app1 = append(app1, seg...)
	out := append([]byte{}, jpegData[:2]...)
	out = append(out, app1...)
	return append(out, jpegData[2:]...)
}

// GPSBytes returns the GPS latitude as WithEXIF encodes it (three
// unsigned rationals, little-endian), for tests that look for it.
func GPSBytes(lat float64) []byte { return rationals(dms(math.Abs(lat))) }

type entry struct {
	tag, typ uint16
	count    uint32
	value    []byte
}

const (
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5
)

func buildTIFF(e EXIF) []byte {
	var ifd0 []entry
	ifd0 = append(ifd0, entry{0x010f, typeASCII, uint32(len(CameraMake) + 1), append([]byte(CameraMake), 0)})
	if e.Orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, typeShort, 1, le16(uint16(e.Orientation))})
	}
	if e.GPS {
		ifd0 = append(ifd0, entry{0x8825, typeLong, 1, le32u(0)}) // patched below
	}
	const headerLen = 8
	first := encodeIFD(ifd0, headerLen)
	out := []byte("II\x2a\x00")
	out = append(out, le32u(headerLen)...)
	if !e.GPS {
		return append(out, first...)
	}
	gpsAt := headerLen + len(first)
	ifd0[len(ifd0)-1].value = le32u(uint32(gpsAt))
	first = encodeIFD(ifd0, headerLen)
	latRef, lonRef := "N", "E"
	if e.Lat < 0 {
		latRef = "S"
	}
	if e.Lon < 0 {
		lonRef = "W"
	}
	gps := []entry{
		{0x0001, typeASCII, 2, []byte(latRef + "\x00")},
		{0x0002, typeRational, 3, rationals(dms(math.Abs(e.Lat)))},
		{0x0003, typeASCII, 2, []byte(lonRef + "\x00")},
		{0x0004, typeRational, 3, rationals(dms(math.Abs(e.Lon)))},
	}
	out = append(out, first...)
	return append(out, encodeIFD(gps, gpsAt)...)
}

// encodeIFD lays out one IFD at offset at, with values longer than four
// bytes after it.
func encodeIFD(es []entry, at int) []byte {
	head := le16(uint16(len(es)))
	var data []byte
	dataAt := at + 2 + 12*len(es) + 4
	for _, e := range es {
		head = append(head, le16(e.tag)...)
		head = append(head, le16(e.typ)...)
		head = append(head, le32u(e.count)...)
		if len(e.value) <= 4 {
			v := append(append([]byte{}, e.value...), make([]byte, 4-len(e.value))...)
			head = append(head, v...)
			continue
		}
		head = append(head, le32u(uint32(dataAt+len(data)))...)
		data = append(data, e.value...)
		if len(data)%2 == 1 {
			data = append(data, 0)
		}
	}
	head = append(head, le32u(0)...) // no next IFD
	return append(head, data...)
}

func dms(deg float64) [3]float64 {
	d := math.Floor(deg)
	m := math.Floor((deg - d) * 60)
	s := ((deg-d)*60 - m) * 60
	return [3]float64{d, m, s}
}

func rationals(v [3]float64) []byte {
	var out []byte
	for i, x := range v {
		den := uint32(1)
		if i == 2 {
			den = 10000
		}
		out = append(out, le32u(uint32(math.Round(x*float64(den))))...)
		out = append(out, le32u(den)...)
	}
	return out
}

func le16(v uint16) []byte  { return binary.LittleEndian.AppendUint16(nil, v) }
func le32u(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
