package images

import (
	"encoding/base64"
	"strings"
)

func encodeStd(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString("\r\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}
