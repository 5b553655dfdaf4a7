package bedrock_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/bedrock"
	"switchyard/providers/providertest"
)

// isolate gives the AWS credential chain static keys from the environment
// and nothing else: no shared files, no instance metadata (which would be
// a network call), no Bedrock API key.
func isolate(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":                  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_BEARER_TOKEN_BEDROCK":               "",
		"AWS_ENDPOINT_URL":                       "",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME":       "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CA_BUNDLE":                          "",
	} {
		t.Setenv(k, v)
	}
}

func newProvider(t *testing.T, f *providertest.Bedrock) *bedrock.Provider {
	t.Helper()
	isolate(t)
	p, err := bedrock.New("bedrock", config.Provider{Type: "bedrock", Region: "us-west-2", BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hi(model string) *providers.ChatRequest {
	return &providers.ChatRequest{Model: model, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}
}

const profileID = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"

func TestChatStreamsAndSendsConverseBody(t *testing.T) {
	f := providertest.NewBedrock(t)
	f.Enqueue(providertest.BedrockReply{Pieces: []string{"A login ", "form."}})
	p := newProvider(t, f)

	png := []byte("\x89PNG\r\n\x1a\nfake")
	temp := 0.25
	s, err := p.Chat(context.Background(), &providers.ChatRequest{
		Model: profileID,
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "You write Go."},
			{Role: providers.RoleUser, Content: "Implement this.", Images: []providers.Image{{MIME: "image/png", Data: png}}},
			{Role: providers.RoleUser, Content: "In one file."},
			{Role: providers.RoleAssistant, Content: "Sure."},
			{Role: providers.RoleUser, Content: "Go on."},
		},
		MaxTokens:   512,
		Temperature: &temp,
		Stop:        []string{"\n\nHuman:"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := providers.ReadAll(s)
	if err != nil || got != "A login form." {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, "A login form.")
	}

	reqs := f.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.ModelID != profileID {
		t.Errorf("request = %s %s (model %q), want POST for %q", r.Method, r.Path, r.ModelID, profileID)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") ||
		!strings.Contains(auth, "/us-west-2/bedrock/aws4_request") {
		t.Errorf("Authorization = %q, want SigV4 for us-west-2/bedrock", auth)
	}
	if strings.Contains(r.Header.Get("Authorization"), "wJalrXUtnFEMI") {
		t.Error("the secret key travelled in a header")
	}
	want := map[string]any{
		"system": []any{map[string]any{"text": "You write Go."}},
		"messages": []any{
			map[string]any{"role": "user", "content": []any{
				map[string]any{"image": map[string]any{"format": "png", "source": map[string]any{"bytes": base64.StdEncoding.EncodeToString(png)}}},
				map[string]any{"text": "Implement this."},
				map[string]any{"text": "In one file."},
			}},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"text": "Sure."}}},
			map[string]any{"role": "user", "content": []any{map[string]any{"text": "Go on."}}},
		},
		"inferenceConfig": map[string]any{"maxTokens": 512.0, "temperature": 0.25, "stopSequences": []any{"\n\nHuman:"}},
	}
	if !reflect.DeepEqual(r.Body, want) {
		t.Errorf("body =\n%#v\nwant\n%#v", r.Body, want)
	}
}

func TestModelIDsReachThePath(t *testing.T) {
	for _, id := range []string{
		"anthropic.claude-3-haiku-20240307-v1:0",
		"eu.meta.llama3-2-3b-instruct-v1:0",
		"arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
	} {
		f := providertest.NewBedrock(t)
		f.Enqueue(providertest.BedrockReply{Pieces: []string{"ok"}})
		p := newProvider(t, f)
		s, err := p.Chat(context.Background(), hi(id))
		if err != nil {
			t.Fatal(err)
		}
		providers.ReadAll(s)
		if got := f.Requests()[0].ModelID; got != id {
			t.Errorf("model id on the wire = %q, want %q", got, id)
		}
		if _, ok := f.Requests()[0].Body["inferenceConfig"]; ok {
			t.Errorf("inferenceConfig sent with nothing set")
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.BedrockReply
		kind    providers.Kind
		say     string
		partial string
	}{
		{name: "throttled", reply: providertest.BedrockReply{Status: 429, Message: "Too many requests, please wait before trying again."},
			kind: providers.KindRateLimited, say: "Too many requests"},
		{name: "access denied", reply: providertest.BedrockReply{Status: 403, Message: "You don't have access to the model with the specified model ID."},
			kind: providers.KindAuth, say: "AWS credentials"},
		{name: "unknown key", reply: providertest.BedrockReply{Status: 403, ErrorType: "UnrecognizedClientException", Message: "The security token included in the request is invalid."},
			kind: providers.KindAuth, say: "region"},
		{name: "expired token", reply: providertest.BedrockReply{Status: 403, ErrorType: "ExpiredTokenException", Message: "The security token included in the request is expired"},
			kind: providers.KindAuth, say: "aws sso login"},
		{name: "no such model", reply: providertest.BedrockReply{Status: 404, Message: "Model not found."},
			kind: providers.KindNotFound, say: "inference profile"},
		{name: "needs an inference profile", reply: providertest.BedrockReply{Status: 400, Message: "Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."},
			kind: providers.KindNotFound, say: "inference profile"},
		{name: "too long", reply: providertest.BedrockReply{Status: 400, Message: "Input is too long for requested model."},
			kind: providers.KindContextWindow, say: "too long"},
		{name: "other validation", reply: providertest.BedrockReply{Status: 400, Message: "A conversation must alternate between user and assistant roles."},
			kind: providers.KindBadRequest, say: "alternate"},
		{name: "internal", reply: providertest.BedrockReply{Status: 500, Message: "The server encountered an internal error."},
			kind: providers.KindServer, say: "internal error"},
		{name: "unavailable", reply: providertest.BedrockReply{Status: 503, Message: "Bedrock is unable to process your request."},
			kind: providers.KindServer, say: "unable to process"},
		{name: "model not ready", reply: providertest.BedrockReply{Status: 429, ErrorType: "ModelNotReadyException", Message: "Model is not ready for inference."},
			kind: providers.KindServer, say: "not ready"},
		{name: "stream error event", reply: providertest.BedrockReply{Pieces: []string{"par"}, Exception: "modelStreamErrorException", Message: "The model stream failed."},
			kind: providers.KindServer, say: "model stream failed", partial: "par"},
		{name: "throttled mid-stream", reply: providertest.BedrockReply{Pieces: []string{"par"}, Exception: "throttlingException", Message: "Too many tokens."},
			kind: providers.KindRateLimited, say: "Too many tokens", partial: "par"},
		{name: "validation mid-stream", reply: providertest.BedrockReply{Pieces: []string{"par"}, Exception: "validationException", Message: "Input is too long for requested model."},
			kind: providers.KindContextWindow, say: "too long", partial: "par"},
		{name: "truncated", reply: providertest.BedrockReply{Pieces: []string{"half"}, NoDone: true},
			kind: providers.KindServer, say: "messageStop", partial: "half"},
		{name: "connection cut", reply: providertest.BedrockReply{Pieces: []string{"half"}, Cut: true},
			kind: providers.KindServer, partial: "half"},
		{name: "guardrail", reply: providertest.BedrockReply{Pieces: []string{"I can"}, StopReason: "guardrail_intervened"},
			kind: providers.KindContentPolicy, say: "guardrail_intervened", partial: "I can"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := providertest.NewBedrock(t)
			f.Enqueue(tt.reply)
			p := newProvider(t, f)
			var text string
			s, err := p.Chat(context.Background(), hi("anthropic.claude-3-haiku-20240307-v1:0"))
			if err == nil {
				text, err = providers.ReadAll(s)
			}
			if providers.KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %v), want %v", err, providers.KindOf(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.say) {
				t.Errorf("err = %q, want it to say %q", err, tt.say)
			}
			if strings.Contains(err.Error(), "wJalrXUtnFEMI") {
				t.Errorf("err holds the secret key: %v", err)
			}
			if text != tt.partial {
				t.Errorf("text before the error = %q, want %q", text, tt.partial)
			}
			if tt.reply.Status != 0 {
				var pe *providers.Error
				if errors.As(err, &pe) && pe.Status != tt.reply.Status {
					t.Errorf("Status = %d, want %d", pe.Status, tt.reply.Status)
				}
			}
			// The SDK must not retry: the router does.
			if n := len(f.Requests()); n != 1 {
				t.Errorf("%d requests, want exactly 1", n)
			}
		})
	}
}

func TestNoCredentialsIsAuthBeforeAnyRequest(t *testing.T) {
	f := providertest.NewBedrock(t)
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	p, err := bedrock.New("bedrock", config.Provider{Region: "eu-central-1", BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), hi("anthropic.claude-3-haiku-20240307-v1:0"))
	if providers.KindOf(err) != providers.KindAuth || !strings.Contains(err.Error(), "AWS credentials") {
		t.Fatalf("err = %v, want auth naming AWS credentials", err)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests made without credentials", n)
	}
}

func TestBedrockAPIKey(t *testing.T) {
	f := providertest.NewBedrockTLS(t)
	f.Enqueue(providertest.BedrockReply{Pieces: []string{"ok"}})
	isolate(t)
	t.Setenv("AWS_CA_BUNDLE", f.CAFile)
	t.Setenv("SWITCHYARD_TEST_BEDROCK_KEY", "bedrock-api-key-123")
	p, err := bedrock.New("bedrock", config.Provider{Region: "us-east-1", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_BEDROCK_KEY",
		Headers: map[string]string{"X-Team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Chat(context.Background(), hi("amazon.nova-pro-v1:0"))
	if err != nil {
		t.Fatal(err)
	}
	providers.ReadAll(s)
	h := f.Requests()[0].Header
	if got := h.Get("Authorization"); got != "Bearer bedrock-api-key-123" {
		t.Errorf("Authorization = %q, want the API key as a bearer token", got)
	}
	if h.Get("X-Team") != "core" {
		t.Errorf("configured header missing: %v", h)
	}

	t.Setenv("SWITCHYARD_TEST_BEDROCK_KEY", "")
	_, err = p.Chat(context.Background(), hi("amazon.nova-pro-v1:0"))
	if providers.KindOf(err) != providers.KindAuth || !strings.Contains(err.Error(), "api_key_env") {
		t.Errorf("unset key: %v, want auth naming api_key_env", err)
	}
}

func TestRefusedConnectionIsNetwork(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p, err := bedrock.New("bedrock", config.Provider{Region: "us-east-1", BaseURL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), hi("anthropic.claude-3-haiku-20240307-v1:0"))
	if providers.KindOf(err) != providers.KindNetwork || !strings.Contains(err.Error(), "base_url") {
		t.Fatalf("err = %v, want network naming base_url", err)
	}
}

func TestCloseDisconnects(t *testing.T) {
	f := providertest.NewBedrock(t)
	f.Enqueue(providertest.BedrockReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f)
	s, err := p.Chat(context.Background(), hi("anthropic.claude-3-haiku-20240307-v1:0"))
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckClose(t, f, s, "first")
}

func TestCanceledContext(t *testing.T) {
	f := providertest.NewBedrock(t)
	f.Enqueue(providertest.BedrockReply{Pieces: []string{"first"}, Hang: true})
	p := newProvider(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Chat(ctx, hi("anthropic.claude-3-haiku-20240307-v1:0"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Next()
	cancel()
	if _, err := s.Next(); providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("Next after cancel = %v, want canceled", err)
	}
	if !f.WaitClosed(100 * time.Millisecond) {
		t.Error("cancelling the context did not drop the connection")
	}
}

func TestRequestsRefusedBeforeAnyCall(t *testing.T) {
	f := providertest.NewBedrock(t)
	p := newProvider(t, f)
	tests := []struct {
		name string
		req  *providers.ChatRequest
		kind providers.Kind
	}{
		{"bmp image", &providers.ChatRequest{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "x",
			Images: []providers.Image{{MIME: "image/bmp", Data: []byte("BM")}}}}}, providers.KindUnsupported},
		{"starts with the assistant", &providers.ChatRequest{Model: "m", Messages: []providers.Message{{Role: providers.RoleAssistant, Content: "x"}}}, providers.KindBadRequest},
		{"no messages", &providers.ChatRequest{Model: "m"}, providers.KindBadRequest},
	}
	for _, tt := range tests {
		if _, err := p.Chat(context.Background(), tt.req); providers.KindOf(err) != tt.kind {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.kind)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests made, want 0", n)
	}
}

func TestNew(t *testing.T) {
	isolate(t)
	if _, err := bedrock.New("bedrock", config.Provider{}); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("no region: %v, want an error naming region", err)
	}
	t.Setenv("AWS_REGION", "ap-southeast-2")
	p, err := bedrock.New("bedrock", config.Provider{})
	if err != nil || p.Region() != "ap-southeast-2" {
		t.Errorf("region from AWS_REGION: %v, %v", p, err)
	}
	if _, err := bedrock.New("bedrock", config.Provider{Region: "us-east-1", Options: map[string]any{"profile": 3}}); err == nil || !strings.Contains(err.Error(), "options.profile") {
		t.Errorf("bad profile: %v", err)
	}
	if _, err := bedrock.New("bedrock", config.Provider{Region: "us-east-1", Options: map[string]any{"profile": "nope"}}); err == nil || !strings.Contains(err.Error(), "profile") {
		t.Errorf("missing profile: %v", err)
	}
}
