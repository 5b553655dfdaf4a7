package providertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchyard/providers/providertest"
)

// anthropicPost sends a raw Messages request and returns the response and
// its whole body.
func anthropicPost(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"model":"claude-x","max_tokens":16,"stream":true,"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestAnthropicWireFormat(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Text("Hi"))
	resp, body := anthropicPost(t, fake.URL+"/v1/messages")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	var events []string
	for _, block := range strings.Split(strings.TrimSpace(body), "\n\n") {
		name, data, ok := strings.Cut(block, "\ndata: ")
		if !ok || !strings.HasPrefix(name, "event: ") {
			t.Fatalf("event block %q is not `event: NAME\\ndata: JSON`", block)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			t.Fatalf("data of %s is not JSON: %v", name, err)
		}
		if v["type"] != strings.TrimPrefix(name, "event: ") {
			t.Errorf("%s carries type %v", name, v["type"])
		}
		events = append(events, strings.TrimPrefix(name, "event: "))
	}
	want := "message_start content_block_start ping content_block_delta content_block_stop message_delta message_stop"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events = %s\nwant %s", got, want)
	}
}

func TestAnthropicErrorBody(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.AnthropicRateLimited("12"))
	resp, body := anthropicPost(t, fake.URL+"/v1/messages")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "12" {
		t.Errorf("status %d, retry-after %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	var e struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	if e.Type != "error" || e.Error.Type != "rate_limit_error" || e.Error.Message == "" || e.RequestID == "" {
		t.Errorf("error body = %s", body)
	}
}

func TestAnthropicUnknownPathKeepsQueue(t *testing.T) {
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Text("kept"))
	resp, body := anthropicPost(t, fake.URL+"/v1/complete")
	if resp.StatusCode != 404 || !strings.Contains(body, "not_found_error") {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
	if _, body := anthropicPost(t, fake.URL+"/v1/messages"); !strings.Contains(body, `"text":"kept"`) {
		t.Errorf("the scripted reply was used up by the wrong path: %s", body)
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("recorded %d requests, want 2", n)
	}
}

func TestGeminiWireFormat(t *testing.T) {
	fake := providertest.NewGemini(t)
	fake.Enqueue(providertest.Text("Hi"), providertest.GeminiRateLimited("31s"))
	url := fake.URL + "/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
	post := func() (*http.Response, string) {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"contents":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	_, body := post()
	chunks := strings.Split(strings.TrimSuffix(body, "\r\n\r\n"), "\r\n\r\n")
	if len(chunks) != 2 {
		t.Fatalf("got %d chunks, want the text and the finish: %q", len(chunks), body)
	}
	var last struct {
		Candidates []struct {
			FinishReason string `json:"finishReason"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(chunks[1], "data: ")), &last); err != nil || len(last.Candidates) != 1 || last.Candidates[0].FinishReason != "STOP" {
		t.Errorf("last chunk = %s (%v), want finishReason STOP", chunks[1], err)
	}

	resp, body := post()
	var e struct {
		Error struct {
			Code    int              `json:"code"`
			Status  string           `json:"status"`
			Details []map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || e.Error.Code != 429 || e.Error.Status != "RESOURCE_EXHAUSTED" ||
		len(e.Error.Details) != 1 || e.Error.Details[0]["retryDelay"] != "31s" {
		t.Errorf("rate-limit answer: %d %s", resp.StatusCode, body)
	}
}
