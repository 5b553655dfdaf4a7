package images

import "fmt"

// errorf wraps kind with a message that says what to do; errors.Is finds
// kind, and the message reads as one sentence.
func errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}
