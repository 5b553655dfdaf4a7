package providertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Azure is a fake Azure OpenAI resource: POST
// /openai/deployments/{deployment}/chat/completions?api-version=... and
// .../completions, GET /openai/models; a request without api-version is
// answered 404 as Azure does. Chat streams open with the
// prompt_filter_results chunk (empty choices) that Azure sends, and
// errors carry Azure's extra fields (status, innererror for the content
// filter).
type Azure struct{ *Server }

// NewAzure starts a fake Azure OpenAI resource; URL is its endpoint.
func NewAzure(tb testing.TB) *Azure {
	return &Azure{newServer(tb, dialect{
		name:  "Azure OpenAI",
		base:  "",
		route: azureRoute,
		errorBody: func(r Reply) []byte {
			fields := errorFields(r)
			fields["status"] = r.Status
			if r.Code == "content_filter" {
				fields["innererror"] = map[string]any{
					"code": "ResponsibleAIPolicyViolation",
					"content_filter_result": map[string]any{
						"hate": map[string]any{"filtered": true, "severity": "high"},
					},
				}
			}
			b, _ := json.Marshal(map[string]any{"error": fields})
			return b
		},
		firstChunks: func(endpoint string) [][]byte {
			if endpoint != "chat" {
				return nil
			}
			return [][]byte{[]byte(`{"choices":[],"created":0,"id":"","model":"","object":"",` +
				`"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{` +
				`"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},` +
				`"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}`)}
		},
	})}
}

func azureRoute(r *http.Request) (endpoint, deployment string) {
	if r.URL.Query().Get("api-version") == "" {
		return "", ""
	}
	if r.Method == http.MethodGet && r.URL.Path == "/openai/models" {
		return "models", ""
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/openai/deployments/")
	if !ok || r.Method != http.MethodPost {
		return "", ""
	}
	deployment, op, ok := strings.Cut(rest, "/")
	if !ok || deployment == "" {
		return "", ""
	}
	switch op {
	case "chat/completions":
		return "chat", deployment
	case "completions":
		return "completions", deployment
	}
	return "", ""
}
