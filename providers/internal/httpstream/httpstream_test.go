package httpstream

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestErrorMessage(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name, body, want string
	}{
		{"the vendor's message", `{"error":"model 'nope' not found"}`, "model 'nope' not found"},
		{"JSON without a message shows the body", `{"error":""}`, `{"error":""}`},
		{"a proxy's page, trimmed", "  <html>502 Bad Gateway</html>\n", "<html>502 Bad Gateway</html>"},
		{"cut at 500 bytes", long, long[:500] + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body struct {
				Error string `json:"error"`
			}
			got := ErrorMessage(strings.NewReader(tt.body), &body, func() string { return body.Error })
			if got != tt.want {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		v        string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"20", 20 * time.Second, 20 * time.Second},
		{"-1", 0, 0},
		{"soon", 0, 0},
		{time.Now().Add(time.Minute).UTC().Format(http.TimeFormat), 50 * time.Second, time.Minute},
		{time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat), 0, 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.v); got < tt.min || got > tt.max {
			t.Errorf("RetryAfter(%q) = %v, want between %v and %v", tt.v, got, tt.min, tt.max)
		}
	}
}
