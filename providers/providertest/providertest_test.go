package providertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchyard/providers/providertest"
)

func postOpenAIStyle(t *testing.T, url, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// sseData splits an SSE body into its data payloads, failing on any other
// framing.
func sseData(t *testing.T, body string) []string {
	t.Helper()
	if !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Fatalf("stream does not end with data: [DONE]: %q", body)
	}
	var out []string
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok {
			t.Fatalf("event %q is not a data: line", ev)
		}
		out = append(out, data)
	}
	return out
}

func TestOpenAIChatWireFormat(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	fake.Enqueue(providertest.Text("Hi"))
	resp, body := postOpenAIStyle(t, fake.URL+"/chat/completions", `{"model":"gpt-4o","stream":true,"messages":[]}`)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	evs := sseData(t, body)
	if len(evs) != 4 { // role, piece, finish, [DONE]
		t.Fatalf("events = %q", evs)
	}
	var chunk struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Delta        map[string]string `json:"delta"`
			FinishReason *string           `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(evs[1]), &chunk); err != nil {
		t.Fatal(err)
	}
	if chunk.Object != "chat.completion.chunk" || chunk.Model != "gpt-4o" || chunk.Choices[0].Delta["content"] != "Hi" || chunk.Choices[0].FinishReason != nil {
		t.Errorf("piece chunk = %s", evs[1])
	}
	if err := json.Unmarshal([]byte(evs[2]), &chunk); err != nil || chunk.Choices[0].FinishReason == nil || *chunk.Choices[0].FinishReason != "stop" {
		t.Errorf("finish chunk = %s", evs[2])
	}
	if got := fake.Last(t); got.Endpoint != "chat" || got.Body["model"] != "gpt-4o" {
		t.Errorf("recorded %+v", got)
	}
}

func TestOpenAICompletionsWireFormat(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	fake.Enqueue(providertest.Text("x"))
	_, body := postOpenAIStyle(t, fake.URL+"/completions", `{"model":"m","prompt":"p","stream":true}`)
	evs := sseData(t, body)
	if len(evs) != 3 || !strings.Contains(evs[0], `"object":"text_completion"`) || !strings.Contains(evs[0], `"text":"x"`) {
		t.Fatalf("events = %q", evs)
	}
}

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name string
		url  func() string
		want string
	}{
		{"openai", func() string {
			f := providertest.NewOpenAI(t)
			f.Enqueue(providertest.Fail(401, "invalid_request_error", "invalid_api_key", "bad key"))
			return f.URL + "/chat/completions"
		}, `{"error":{"code":"invalid_api_key","message":"bad key","param":null,"type":"invalid_request_error"}}`},
		{"mistral 401", func() string {
			f := providertest.NewMistral(t)
			f.Enqueue(providertest.Reply{Status: 401})
			return f.URL + "/fim/completions"
		}, `{"message":"Unauthorized","request_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}`},
		{"mistral 400", func() string {
			f := providertest.NewMistral(t)
			f.Enqueue(providertest.Fail(400, "invalid_request_error", "", "too long"))
			return f.URL + "/fim/completions"
		}, `{"code":null,"message":"too long","object":"error","param":null,"type":"invalid_request_error"}`},
		{"azure without api-version", func() string {
			return providertest.NewAzure(t).URL + "/openai/deployments/d/chat/completions"
		}, `"status":404`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postOpenAIStyle(t, tt.url(), `{}`)
			if resp.StatusCode < 400 || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %s", resp.StatusCode, body, tt.want)
			}
		})
	}
}

func TestRateLimitedHeader(t *testing.T) {
	fake := providertest.NewOpenAI(t)
	fake.Enqueue(providertest.RateLimited("20"))
	resp, _ := postOpenAIStyle(t, fake.URL+"/chat/completions", `{}`)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "20" {
		t.Errorf("%d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestFixedServer(t *testing.T) {
	fake := providertest.NewOpenAIFixed(t, "a", "b")
	_, body := postOpenAIStyle(t, fake.URL+"/chat/completions", `{}`)
	if evs := sseData(t, body); len(evs) != 5 {
		t.Errorf("events = %q", evs)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("fixed server recorded %d requests", n)
	}
}
