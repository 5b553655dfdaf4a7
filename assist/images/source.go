package images

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadFile reads an image file, refusing one larger than
// lim.MaxFileBytes before reading it (and while reading, should it grow).
func ReadFile(path string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("image %s: not a regular file", path)
	}
	if st.Size() > lim.MaxFileBytes {
		return nil, fmt.Errorf("image %s: %w", path, errorf(ErrFileTooLarge, "%s, at most %s is read (%s): crop or shrink the image, export it as JPEG, or raise %s", size(st.Size()), size(lim.MaxFileBytes), settingMaxFileMB, settingMaxFileMB))
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, fmt.Errorf("image %s: %w", path, errorf(ErrFileTooLarge, "more than %s, at most that is read (%s): crop or shrink the image, or raise %s", size(lim.MaxFileBytes), settingMaxFileMB, settingMaxFileMB))
	}
	return data, nil
}

// ParseDataURI returns the bytes of a pasted image, a data: URI with
// base64 content (RFC 2397). The declared media type is not trusted:
// Decode reads the content. The size is checked from the encoded length
// before anything is decoded.
func ParseDataURI(uri string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, errorf(ErrBadDataURI, "a pasted image must start with \"data:\"")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errorf(ErrBadDataURI, "no comma between the media type and the data")
	}
	if !strings.HasSuffix(strings.ToLower(meta), ";base64") {
		return nil, errorf(ErrBadDataURI, "%q is not base64: paste the image as data:image/png;base64,...", meta)
	}
	// Editors wrap long base64 in lines, and some clipboards drop the
	// padding: both are accepted.
	payload = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, payload)
	payload = strings.TrimRight(payload, "=")
	if n := int64(base64.RawStdEncoding.DecodedLen(len(payload))); n > lim.MaxFileBytes {
		return nil, errorf(ErrFileTooLarge, "the pasted image is about %s, at most %s is read (%s): crop or shrink it, or raise %s", size(n), size(lim.MaxFileBytes), settingMaxFileMB, settingMaxFileMB)
	}
	data, err := base64.RawStdEncoding.DecodeString(payload)
	if err != nil {
		return nil, errorf(ErrBadDataURI, "the base64 data is damaged (%v): copy the image again", err)
	}
	return data, nil
}
