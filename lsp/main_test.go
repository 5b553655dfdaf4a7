package lsp_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// stream, probe or server left running is a leak in the code.
func TestMain(m *testing.M) {
	// go.opencensus.io, which the Google Cloud libraries pull in, starts
	// a stats worker in its init that runs for the life of the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}
