// Package imagestest makes real images for tests, in the manner of
// net/http/httptest: a rendered mockup with text, its encodings as PNG,
// JPEG, GIF and (lossless) WebP, a JPEG carrying GPS EXIF, and headers
// that declare a decompression bomb. Nothing here is read from disk or
// the network, so tests can make exactly the image they need.
//
// It is for tests only and must not be imported by production code.
package imagestest
