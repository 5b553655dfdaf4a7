package providertest

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
//
// Every request takes the next enqueued answer; when none is left, the
// fake answers with an InternalServerException.
type Bedrock struct {
	URL    string
	CAFile string // NewBedrockTLS only: the server's certificate as PEM

	live
	script[BedrockRequest, BedrockReply]
}

// NewBedrock starts a fake Bedrock over plain HTTP; it stops when the
// test ends.
func NewBedrock(t testing.TB) *Bedrock {
	t.Helper()
	f := newBedrock()
	f.start(t, httptest.NewServer(http.HandlerFunc(f.serve)))
	f.URL = f.srv.URL
	return f
}

// NewBedrockTLS starts a fake Bedrock over HTTPS, which bearer-token (API
// key) authentication requires. CAFile names a PEM file holding its
// certificate: point AWS_CA_BUNDLE at it, as a user behind a corporate
// proxy would, so the SDK trusts it.
func NewBedrockTLS(t testing.TB) *Bedrock {
	t.Helper()
	f := newBedrock()
	srv := httptest.NewTLSServer(http.HandlerFunc(f.serve))
	f.start(t, srv)
	f.URL = srv.URL
	f.CAFile = filepath.Join(t.TempDir(), "bedrock-ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(f.CAFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func newBedrock() *Bedrock {
	f := &Bedrock{}
	f.fallback = BedrockReply{Status: http.StatusInternalServerError, Message: "fake bedrock: no reply scripted"}
	return f
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
	raw, body := readBody(r)
	rec := BedrockRequest{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Raw: raw, Body: body}
	rest, ok := strings.CutPrefix(rec.Path, "/model/")
	if ok {
		rest, ok = strings.CutSuffix(rest, "/converse-stream")
	}
	if ok {
		rec.ModelID, _ = url.PathUnescape(rest)
	}
	rep := f.next(rec)

	if r.Method != http.MethodPost || !ok {
		bedrockError(w, http.StatusNotFound, "UnknownOperationException", "")
		return
	}
	addHeader(w, rep.Header)
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
	e := f.events(w, r)
	enc := eventstream.NewEncoder()
	send := func(msg eventstream.Message) bool {
		var frame bytes.Buffer
		if err := enc.Encode(&frame, msg); err != nil {
			return false // headers the encoder refuses: nothing can be sent
		}
		return e.write(frame.Bytes())
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
	if !e.pieces(rep.Pieces, rep.Delay, func(p string) bool {
		return event("contentBlockDelta", map[string]any{"contentBlockIndex": 0, "delta": map[string]any{"text": p}})
	}) {
		return
	}
	switch {
	case rep.Hang:
		e.wait(0)
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
