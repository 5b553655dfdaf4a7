package assist

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// refKind is the syntax an image reference was written in; it decides
// where the generated code goes.
type refKind int

const (
	refMarkdown refKind = iota // ![alt](mock.png)
	refHTML                    // <img src="mock.png">
	refCSS                     // url(mock.png)
	refImport                  // import mock from './mock.png', require('./mock.png')
	refPath                    // a plain path, as in a comment
)

// imageRef is an image reference found at a selection.
type imageRef struct {
	kind       refKind
	target     string // as written
	start, end int    // byte span of the whole reference in the text
}

// imageExt matches the extensions offered. They only pick what to offer:
// the content decides whether it is an image (assist/images).
const imageExt = `\.(?i:png|jpe?g|gif|webp)`

var refPatterns = []struct {
	kind refKind
	re   func() *regexp.Regexp
}{
	{refMarkdown, lazyRegexp(`!\[[^\]\n]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)`)},
	{refHTML, lazyRegexp(`(?i)<img\b[^>]*?\ssrc\s*=\s*(?:"([^"\n]+)"|'([^'\n]+)'|([^\s>]+))[^>]*>?`)},
	{refCSS, lazyRegexp(`(?i)url\(\s*(?:"([^"\n]+)"|'([^'\n]+)'|([^)\s'"]+))\s*\)`)},
	{refImport, lazyRegexp(`\bimport\s+(?:[\w$*{},\s]+\s+from\s+)?(?:"([^"\n]+)"|'([^'\n]+)')|\brequire\(\s*(?:"([^"\n]+)"|'([^'\n]+)')\s*\)|\bimport\(\s*(?:"([^"\n]+)"|'([^'\n]+)')\s*\)`)},
	{refPath, lazyRegexp(`(?:[\w@.+~-]+/)*[\w@.+~-]+` + imageExt + `\b`)},
}

var hasImageExt = lazyRegexp(imageExt + `$`)

// findImageRef returns the image reference that the selection
// [start, end) of text is on: the cursor inside it, or the selection
// overlapping it. Only the lines of the selection are searched, so it is
// cheap enough for every cursor move.
func findImageRef(text string, start, end int) (imageRef, bool) {
	if start < 0 || end > len(text) || start > end {
		return imageRef{}, false
	}
	lo := strings.LastIndexByte(text[:start], '\n') + 1
	hi := len(text)
	if i := strings.IndexByte(text[end:], '\n'); i >= 0 {
		hi = end + i
	}
	if hi-lo > 64<<10 { // a minified file's one line: not worth scanning
		return imageRef{}, false
	}
	region := text[lo:hi]
	best, found := imageRef{}, false
	for _, p := range refPatterns {
		for _, m := range p.re().FindAllStringSubmatchIndex(region, -1) {
			ms, me := lo+m[0], lo+m[1]
			on := ms <= start && start <= me
			if start != end {
				on = ms < end && start < me
			}
			if !on {
				continue
			}
			target := firstGroup(region, m)
			target = cleanTarget(target)
			if !hasImageExt().MatchString(target) || isRemote(target) {
				continue
			}
			r := imageRef{kind: p.kind, target: target, start: ms, end: me}
			// Prefer the construct that says the most (Markdown over the
			// plain path inside it), then the tightest one.
			if !found || r.kind < best.kind || r.kind == best.kind && me-ms < best.end-best.start {
				best, found = r, true
			}
		}
	}
	return best, found
}

// firstGroup returns the first non-empty submatch of m, or the whole
// match when the pattern has no groups.
func firstGroup(s string, m []int) string {
	for i := 2; i+1 < len(m); i += 2 {
		if m[i] >= 0 && m[i+1] > m[i] {
			return s[m[i]:m[i+1]]
		}
	}
	return s[m[0]:m[1]]
}

// cleanTarget drops what a URL adds to a path: a query or fragment
// (mock.png?v=2), percent-escapes (my%20mock.png) and a file: scheme.
func cleanTarget(t string) string {
	t = strings.TrimSpace(t)
	if u, err := url.Parse(t); err == nil && u.Scheme == "file" {
		return u.Path
	}
	if i := strings.IndexAny(t, "?#"); i >= 0 {
		t = t[:i]
	}
	if u, err := url.PathUnescape(t); err == nil {
		t = u
	}
	return t
}

// isRemote: an http(s) or other URL is not a workspace file.
func isRemote(t string) bool {
	i := strings.Index(t, "://")
	return i > 0 || strings.HasPrefix(t, "data:") || strings.HasPrefix(t, "//")
}

// resolveImage finds the file a reference names: relative to the
// document's folder, or for a root-relative web path ("/img/mock.png")
// under a workspace folder or its public/static folder, as web servers
// serve it. It returns "" when no such file exists.
func resolveImage(target, docPath string, folders []string) string {
	target = filepath.FromSlash(target)
	var tries []string
	switch {
	case filepath.IsAbs(target):
		tries = append(tries, target)
		for _, f := range folders {
			for _, sub := range []string{"", "public", "static", "src"} {
				tries = append(tries, filepath.Join(f, sub, target))
			}
		}
	case strings.HasPrefix(target, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			tries = append(tries, filepath.Join(home, target[2:]))
		}
	default:
		if docPath != "" {
			tries = append(tries, filepath.Join(filepath.Dir(docPath), target))
		}
		for _, f := range folders {
			tries = append(tries, filepath.Join(f, target))
		}
	}
	for _, p := range tries {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return filepath.Clean(p)
		}
	}
	return ""
}

// insideFolders reports whether path, with symbolic links resolved, is in
// one of folders (also resolved), so a link cannot lead a request out of
// the workspace.
func insideFolders(path string, folders []string) bool {
	real := resolveExisting(path)
	for _, f := range folders {
		rf := resolveExisting(f)
		rel, err := filepath.Rel(rf, real)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}

// resolveExisting resolves the symbolic links of the longest part of
// path that exists and keeps the rest as written: a file about to be
// created, or an unsaved document in a new folder.
func resolveExisting(path string) string {
	p, rest := filepath.Clean(path), ""
	for {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Clean(path)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}
