// Package images turns a screenshot or mockup into an image a vision model
// may receive: it reads the bytes (a workspace file or a pasted data: URI)
// under size limits, recognises PNG, JPEG, GIF and WebP by their content
// with the real decoders, refuses decompression bombs from the header
// before any pixel is allocated, downscales to each provider's documented
// limits and re-encodes from the decoded pixels, so that no metadata (EXIF,
// GPS, text chunks, colour profiles) leaves the machine.
//
// It must not trust a file's extension or a data: URI's declared type,
// must not hand on the original bytes of any image, and knows nothing of
// LSP, prompts or routing.
package images
