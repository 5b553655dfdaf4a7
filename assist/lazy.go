package assist

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use rather than when the program
// starts: most runs of the server (and every `switchyard version`) never
// parse an edit or look for an image, and compiling every pattern up
// front was most of this package's share of start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
