package images

import "errors"

// The kinds of refusal, for errors.Is. Each returned error wraps one of
// them and says what the user can do.
var (
	// ErrFormat: the bytes are not PNG, JPEG, GIF or WebP.
	ErrFormat = errors.New("unsupported image format")
	// ErrCorrupt: the header was read but the image is truncated or damaged.
	ErrCorrupt = errors.New("image is truncated or corrupt")
	// ErrFileTooLarge: more bytes than Limits.MaxFileBytes.
	ErrFileTooLarge = errors.New("image file too large")
	// ErrTooManyPixels: the header declares more than Limits.MaxPixels, as
	// a decompression bomb does.
	ErrTooManyPixels = errors.New("image has too many pixels")
	// ErrTooManyImages: more images in one request than Limits.MaxImages.
	ErrTooManyImages = errors.New("too many images in one request")
	// ErrCannotFit: no re-encoding fits the provider's byte limit.
	ErrCannotFit = errors.New("image cannot be made small enough")
	// ErrBadDataURI: a pasted image is not a base64 data: URI.
	ErrBadDataURI = errors.New("not a base64 data: URI")
)
