package assist

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchyard/config"
)

// A call that ran out of its own time names the setting to raise; the
// caller's own cancellation stays a cancellation; anything else is the
// provider's error as it came.
func TestCallError(t *testing.T) {
	timedOut, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-timedOut.Done()
	err := callError(context.Background(), timedOut, config.TaskNextEdit, "next edit", 10*time.Second, errors.New("stream closed"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no next edit within 10s: raise timeout in [next_edit]") {
		t.Errorf("timed out: %v", err)
	}
	gone, stop := context.WithCancel(context.Background())
	stop()
	if err := callError(gone, timedOut, config.TaskCompletion, "completion", time.Second, errors.New("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled by the caller: %v", err)
	}
	provider := errors.New("provider fake: 500")
	if err := callError(context.Background(), context.Background(), config.TaskCompletion, "completion", time.Second, provider); err != provider {
		t.Errorf("provider error: %v", err)
	}
}
