package callctx

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchyard/providers"
)

func TestEnded(t *testing.T) {
	live := context.Background()
	canceled, cancel := context.WithCancel(live)
	cancel()
	expired, cancel2 := context.WithDeadline(live, time.Now().Add(-time.Second))
	defer cancel2()

	tests := []struct {
		name         string
		parent, call context.Context
		want         providers.Kind // KindUnknown: no error
		hint         string
	}{
		{"both live", live, live, providers.KindUnknown, ""},
		{"the editor cancelled: no fallback", canceled, canceled, providers.KindCanceled, ""},
		{"the editor's deadline", expired, expired, providers.KindTimeout, ""},
		{"the provider's timeout names the setting", live, expired, providers.KindTimeout, "raise timeout in [providers.p]"},
		{"Close cancelled only the call", live, canceled, providers.KindUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Ended("p", tt.parent, tt.call)
			if tt.want == providers.KindUnknown {
				if e != nil {
					t.Fatalf("Ended = %v, want nil", e)
				}
				return
			}
			if e == nil || e.Kind != tt.want || !strings.Contains(e.Hint, tt.hint) {
				t.Fatalf("Ended = %v, want kind %v with hint %q", e, tt.want, tt.hint)
			}
		})
	}
}

func TestWithTimeout(t *testing.T) {
	ctx, cancel := WithTimeout(context.Background(), 0)
	defer cancel()
	if _, ok := ctx.Deadline(); ok {
		t.Error("no timeout set a deadline")
	}
	ctx, cancel = WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > time.Minute {
		t.Errorf("deadline = %v, %v; want within a minute", d, ok)
	}
}
