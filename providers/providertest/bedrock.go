package providertest

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// BedrockReply scripts one ConverseStream answer. Its fields mean what
// they mean in Reply.
type BedrockReply struct {
	Pieces []string      // text, one contentBlockDelta event each
	Delay  time.Duration // waited before each piece
	// StopReason of the messageStop event; "" means "end_turn".
	StopReason string

	// Status, when 400 or more, answers with an HTTP error as Bedrock
	// sends it: X-Amzn-ErrorType naming ErrorType (derived from Status
	// when empty) and {"message": Message}.
	Status    int
	ErrorType string // e.g. "ThrottlingException", "ValidationException"
	Message   string
	Header    http.Header

	// Exception, when set, sends an exception event of that type after
	// Pieces (e.g. "modelStreamErrorException", "throttlingException")
	// with {"message": Message}, and ends the stream.
	Exception string
	NoDone    bool // end after Pieces without messageStop and metadata
	Cut       bool // drop the connection after Pieces
	Hang      bool // after Pieces, keep the stream open until the client leaves
}

// BedrockRequest is one request the fake received.
type BedrockRequest struct {
	Method  string
	Path    string // as sent, escaped
	ModelID string // the {modelId} of the path, unescaped
	Header  http.Header
	Raw     []byte
	Body    map[string]any
}

// Bedrock is a fake Bedrock runtime endpoint on 127.0.0.1 that answers
// POST /model/{modelId}/converse-stream with the AWS event-stream binary
// encoding (application/vnd.amazon.eventstream), encoded with the SDK's
// own encoder, and errors as JSON with X-Amzn-ErrorType. Point a client
// at URL as its endpoint, with any static credentials.
type Bedrock struct {
	URL    string
	CAFile string // NewBedrockTLS only: the server's certificate as PEM

	mu       sync.Mutex
	replies  []BedrockReply
	requests []BedrockRequest
	gone     chan struct{}
	quit     chan struct{}
}

// NewBedrock starts a fake Bedrock over plain HTTP; it stops when the
// test ends.
func NewBedrock(t testing.TB) *Bedrock {
	t.Helper()
	f := &Bedrock{gone: make(chan struct{}, 1024), quit: make(chan struct{})}
	f.start(t, httptest.NewServer(http.HandlerFunc(f.serve)))
	return f
}

// NewBedrockTLS starts a fake Bedrock over HTTPS, which bearer-token (API
// key) authentication requires. CAFile names a PEM file holding its
// certificate: point AWS_CA_BUNDLE at it, as a user behind a corporate
// proxy would, so the SDK trusts it.
func NewBedrockTLS(t testing.TB) *Bedrock {
	t.Helper()
	f := &Bedrock{gone: make(chan struct{}, 1024), quit: make(chan struct{})}
	srv := httptest.NewTLSServer(http.HandlerFunc(f.serve))
	f.start(t, srv)
	f.CAFile = filepath.Join(t.TempDir(), "bedrock-ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(f.CAFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *Bedrock) start(t testing.TB, srv *httptest.Server) {
	t.Cleanup(func() {
		close(f.quit)
		srv.CloseClientConnections()
		srv.Close()
	})
	f.URL = srv.URL
}

// Enqueue adds answers for the next requests, in order. When none is
// left, the fake answers with an InternalServerException.
func (f *Bedrock) Enqueue(r ...BedrockReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies = append(f.replies, r...)
}

// Requests returns the requests received so far, in order.
func (f *Bedrock) Requests() []BedrockRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// WaitClosed waits until a client went away while its stream was still
// open, and reports whether that happened within timeout.
func (f *Bedrock) WaitClosed(timeout time.Duration) bool {
	select {
	case <-f.gone:
		return true
	case <-time.After(timeout):
		return false
	}
}

// bedrockErrorTypes is the error a status stands for when a reply names
// none, as the service's model declares them.
var bedrockErrorTypes = map[int]string{
	http.StatusBadRequest:          "ValidationException",
	http.StatusForbidden:           "AccessDeniedException",
	http.StatusNotFound:            "ResourceNotFoundException",
	http.StatusRequestTimeout:      "ModelTimeoutException",
	http.StatusFailedDependency:    "ModelErrorException",
	http.StatusTooManyRequests:     "ThrottlingException",
	http.StatusInternalServerError: "InternalServerException",
	http.StatusServiceUnavailable:  "ServiceUnavailableException",
}

func (f *Bedrock) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := BedrockRequest{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Raw: raw}
	_ = json.Unmarshal(raw, &rec.Body)
	rest, ok := strings.CutPrefix(rec.Path, "/model/")
	if ok {
		rest, ok = strings.CutSuffix(rest, "/converse-stream")
	}
	if ok {
		rec.ModelID, _ = url.PathUnescape(rest)
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	var rep BedrockReply
	if len(f.replies) > 0 {
		rep, f.replies = f.replies[0], f.replies[1:]
	} else {
		rep = BedrockReply{Status: http.StatusInternalServerError, Message: "fake bedrock: no reply scripted"}
	}
	f.mu.Unlock()

	if r.Method != http.MethodPost || !ok {
		bedrockError(w, http.StatusNotFound, "UnknownOperationException", "")
		return
	}
	for k, vs := range rep.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rep.Status >= 400 {
		typ := rep.ErrorType
		if typ == "" {
			typ = bedrockErrorTypes[rep.Status]
		}
		bedrockError(w, rep.Status, typ, rep.Message)
		return
	}

	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", "5d8b5c5e-0000-4000-8000-000000000000")
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder()
	send := func(msg eventstream.Message) bool {
		if err := enc.Encode(w, msg); err != nil {
			f.clientGone()
			return false
		}
		w.(http.Flusher).Flush()
		return true
	}
	event := func(typ string, payload map[string]any) bool {
		// The service pads every event with a "p" field so that sizes do
		// not reveal the text; clients must ignore it.
		payload["p"] = "abcdefghijklmnopqrstuvwxyzABCDEF"[:8+len(typ)%16]
		b, _ := json.Marshal(payload)
		var h eventstream.Headers
		h.Set(":event-type", eventstream.StringValue(typ))
		h.Set(":content-type", eventstream.StringValue("application/json"))
		h.Set(":message-type", eventstream.StringValue("event"))
		return send(eventstream.Message{Headers: h, Payload: b})
	}

	if !event("messageStart", map[string]any{"role": "assistant"}) {
		return
	}
	for _, p := range rep.Pieces {
		if rep.Delay > 0 && !f.wait(r, rep.Delay) {
			return
		}
		if !event("contentBlockDelta", map[string]any{"contentBlockIndex": 0, "delta": map[string]any{"text": p}}) {
			return
		}
	}
	switch {
	case rep.Hang:
		f.wait(r, 0)
	case rep.Cut:
		panic(http.ErrAbortHandler)
	case rep.Exception != "":
		var h eventstream.Headers
		h.Set(":exception-type", eventstream.StringValue(rep.Exception))
		h.Set(":content-type", eventstream.StringValue("application/json"))
		h.Set(":message-type", eventstream.StringValue("exception"))
		b, _ := json.Marshal(map[string]string{"message": rep.Message})
		send(eventstream.Message{Headers: h, Payload: b})
	case rep.NoDone:
	default:
		stop := rep.StopReason
		if stop == "" {
			stop = "end_turn"
		}
		_ = event("contentBlockStop", map[string]any{"contentBlockIndex": 0}) &&
			event("messageStop", map[string]any{"stopReason": stop}) &&
			event("metadata", map[string]any{
				"usage":   map[string]any{"inputTokens": 12, "outputTokens": len(rep.Pieces), "totalTokens": 12 + len(rep.Pieces)},
				"metrics": map[string]any{"latencyMs": 42},
			})
	}
}

// bedrockError answers as the service does: the error's type in
// X-Amzn-ErrorType (with the coral namespace after a colon) and
// {"message": ...}.
func bedrockError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-Errortype", fmt.Sprintf("%s:http://internal.amazon.com/coral/com.amazon.bedrock/", typ))
	w.Header().Set("X-Amzn-Requestid", "5d8b5c5e-0000-4000-8000-000000000001")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (f *Bedrock) wait(r *http.Request, d time.Duration) bool {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-r.Context().Done():
		f.clientGone()
		return false
	case <-f.quit:
		return false
	}
}

func (f *Bedrock) clientGone() {
	select {
	case f.gone <- struct{}{}:
	default:
	}
}
