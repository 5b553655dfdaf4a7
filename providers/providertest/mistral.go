package providertest

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Mistral is a fake Mistral API: POST /v1/chat/completions, POST
// /v1/fim/completions (both streaming chat.completion.chunk events ending
// data: [DONE]) and GET /v1/models. Errors take Mistral's shapes: a 401
// is {"message":"Unauthorized","request_id":...}, others are
// {"object":"error","message","type","param","code"} at the top level,
// not under "error" as at OpenAI.
type Mistral struct{ *Server }

// NewMistral starts a fake Mistral API; URL ends in /v1.
func NewMistral(tb testing.TB) *Mistral {
	return &Mistral{newServer(tb, dialect{
		name: "Mistral",
		base: "/v1",
		route: func(r *http.Request) (string, string) {
			p, ok := trimBase(r.URL.Path, "/v1")
			if !ok {
				return "", ""
			}
			if r.Method == http.MethodPost && p == "/fim/completions" {
				return "fim", ""
			}
			if e := openAIEndpoint(r.Method, p); e != "completions" {
				return e, ""
			}
			return "", ""
		},
		errorBody: func(r Reply) []byte {
			var body any
			if r.Status == http.StatusUnauthorized {
				msg := r.Message
				if msg == "" {
					msg = "Unauthorized"
				}
				body = map[string]any{"message": msg, "request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
			} else {
				fields := errorFields(r)
				fields["object"] = "error"
				body = fields
			}
			b, _ := json.Marshal(body)
			return b
		},
	})}
}
