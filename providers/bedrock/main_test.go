package bedrock_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// stream, probe or server left running is a leak in the code.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
