package providers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestErrorNamesWhatToFix(t *testing.T) {
	tests := []struct {
		err  *Error
		want []string
	}{
		{&Error{Provider: "p", Kind: KindRateLimited, Status: 429, RetryAfter: 20 * time.Second}, []string{"provider p", "rate-limited", "HTTP 429", "20s", "[routes]"}},
		{&Error{Provider: "p", Kind: KindAuth, Status: 401}, []string{"api_key_env", "[providers.p]"}},
		{&Error{Provider: "p", Kind: KindServer, Status: 500, Message: "boom"}, []string{"boom", "base_url in [providers.p]"}},
		{&Error{Provider: "p", Kind: KindNetwork}, []string{"base_url in [providers.p]"}},
		{&Error{Provider: "p", Kind: KindTimeout}, []string{"timeout in [providers.p]"}},
		{&Error{Provider: "p", Kind: KindContextWindow}, []string{"max_prefix_tokens", "context_window"}},
		{&Error{Provider: "p", Kind: KindNotFound}, []string{"[models]", "base_url"}},
		// The provider's own hint wins over the advice for the kind.
		{&Error{Provider: "p", Kind: KindAuth, Hint: "set OPENAI_API_KEY"}, []string{"set OPENAI_API_KEY"}},
	}
	for _, tt := range tests {
		got := tt.err.Error()
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s error %q lacks %q", tt.err.Kind, got, w)
			}
		}
	}
	if got := (&Error{Provider: "p", Kind: KindAuth, Hint: "set X"}).Error(); strings.Contains(got, "api_key_cmd") {
		t.Errorf("a provider's own hint must replace the generic one: %q", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		err  error
		want Kind
	}{
		{nil, KindUnknown},
		{fmt.Errorf("wrapped: %w", &Error{Kind: KindAuth}), KindAuth},
		{context.Canceled, KindCanceled},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), KindTimeout},
		{fmt.Errorf("plain"), KindUnknown},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
