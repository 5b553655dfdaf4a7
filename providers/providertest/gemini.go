package providertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Gemini is a fake Gemini generateContent API as Vertex AI serves it:
// POST /v1beta1/projects/P/locations/L/publishers/google/models/M:streamGenerateContent?alt=sse
// (and the Gemini API's /v1beta/models/M:streamGenerateContent), streaming
// `data: GenerateContentResponse` events; errors as
// {"error":{"code","message","status","details"}} with the HTTP status.
//
// A Reply scripts it: Pieces become one chunk each, Finish the
// finishReason of the last chunk ("" is "STOP"), Type the error's
// canonical status (RESOURCE_EXHAUSTED...; "" derives it from Status),
// StreamError a data: {"error":...} event after Pieces, NoDone a body that
// ends without a finishReason.
type Gemini struct{ *vendorServer }

// NewGemini starts a fake Gemini server that is closed when the test ends.
// Point base_url at URL.
func NewGemini(tb testing.TB) *Gemini {
	return &Gemini{newVendorServer(tb, vendor{
		name:       "Gemini",
		route:      geminiRoute,
		errorBody:  geminiErrorBody,
		writeEvent: geminiStream,
	})}
}

// GeminiFail is an error reply as Google APIs send it, e.g.
// GeminiFail(404, "NOT_FOUND", "Publisher Model ... was not found").
func GeminiFail(status int, canonical, message string) Reply {
	return Reply{Status: status, Type: canonical, Message: message}
}

// GeminiRateLimited is a 429 RESOURCE_EXHAUSTED carrying retryDelay
// ("31s") in a google.rpc.RetryInfo detail, which is how Google APIs say
// when to come back (they send no Retry-After).
func GeminiRateLimited(retryDelay string) Reply {
	r := GeminiFail(http.StatusTooManyRequests, "RESOURCE_EXHAUSTED",
		"Resource exhausted. Please try again later.")
	r.Body = string(geminiError(r, []any{map[string]any{
		"@type":      "type.googleapis.com/google.rpc.RetryInfo",
		"retryDelay": retryDelay,
	}}))
	return r
}

func geminiRoute(r *http.Request) string {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
		return ""
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1beta1/projects/") || strings.HasPrefix(p, "/v1/projects/"):
		if strings.Contains(p, "/locations/") && strings.Contains(p, "/publishers/google/models/") {
			return "vertex"
		}
	case strings.HasPrefix(p, "/v1beta/models/") || strings.HasPrefix(p, "/v1/models/"):
		return "gemini"
	}
	return ""
}

// geminiCanonical are the canonical status names of each HTTP status.
var geminiCanonical = map[int]string{
	400: "INVALID_ARGUMENT",
	401: "UNAUTHENTICATED",
	403: "PERMISSION_DENIED",
	404: "NOT_FOUND",
	429: "RESOURCE_EXHAUSTED",
	499: "CANCELLED",
	500: "INTERNAL",
	503: "UNAVAILABLE",
	504: "DEADLINE_EXCEEDED",
}

func geminiErrorBody(r Reply) []byte { return geminiError(r, nil) }

func geminiError(r Reply, details []any) []byte {
	code := r.Status
	if code < 400 {
		// An error inside a stream that had started: the service reports
		// what went wrong in its own code.
		code = 500
	}
	status := r.Type
	if status == "" {
		status = geminiCanonical[code]
	}
	msg := r.Message
	if msg == "" {
		msg = http.StatusText(code)
	}
	e := map[string]any{"code": code, "message": msg, "status": status}
	if details != nil {
		e["details"] = details
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return b
}

// geminiStream writes one answer the way Vertex AI streams it: a chunk per
// piece, then a last chunk with empty text, the finishReason and the
// token counts.
func geminiStream(e *eventWriter, req Request, reply Reply) {
	model := req.Path[strings.LastIndex(req.Path, "/models/")+len("/models/"):]
	model = strings.TrimSuffix(model, ":streamGenerateContent")
	chunk := func(text, finish string) bool {
		cand := map[string]any{"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}}
		usage := map[string]any{"trafficType": "ON_DEMAND"}
		if finish != "" {
			cand["finishReason"] = finish
			usage = map[string]any{"promptTokenCount": 11, "candidatesTokenCount": len(reply.Pieces),
				"totalTokenCount": 11 + len(reply.Pieces), "trafficType": "ON_DEMAND"}
		}
		b, _ := json.Marshal(map[string]any{
			"candidates":    []any{cand},
			"usageMetadata": usage,
			"modelVersion":  model,
			"createTime":    "2026-03-10T14:54:45.066123Z",
			"responseId":    "tTCwacuEBMvnitYPfakefake",
		})
		return e.send("data: " + string(b) + "\r\n\r\n")
	}
	if !e.pieces(reply.Pieces, reply.Delay, func(piece string) bool { return chunk(piece, "") }) {
		return
	}
	switch {
	case reply.Hang:
		e.wait(0)
		return
	case reply.Cut:
		panic(http.ErrAbortHandler)
	case reply.NoDone:
		return
	case reply.Malformed:
		e.send("data: {\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": [{\"te\r\n\r\n")
		return
	case reply.StreamError:
		e.send("data: " + string(geminiErrorBody(reply)) + "\r\n\r\n")
		return
	}
	finish := reply.Finish
	if finish == "" {
		finish = "STOP"
	}
	chunk("", finish)
}
