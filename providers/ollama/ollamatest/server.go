package ollamatest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"switchyard/providers/providertest"
)

// Version is the Ollama release the tests run against; .ci/ollama builds it.
const Version = "0.17.4"

// EnvBinary names the variable that points at the ollama binary.
const EnvBinary = "SWITCHYARD_OLLAMA"

// The models Start registers.
const (
	// FIMModel's template uses .Suffix, so Ollama lists the insert
	// capability and fills in the middle natively.
	FIMModel = "tiny-fim:latest"
	// ChatModel's template has no .Suffix: completion only, no insert.
	ChatModel = "tiny-chat:latest"
)

// FIMTemplate is FIMModel's prompt template: the model's own FIM tokens
// around prefix and suffix, or the prompt as it is.
const FIMTemplate = `{{- if .Suffix }}` + FIMPrefix + `{{ .Prompt }}` + FIMSuffix + `{{ .Suffix }}` + FIMMiddle +
	`{{- else }}{{ .Prompt }}{{- end }}`

// chatTemplate is ChatModel's: a plain chat format without a suffix.
const chatTemplate = `{{- range .Messages }}<|{{ .Role }}|>{{ .Content }}
{{ end }}<|assistant|>`

// Binary returns the path of the ollama binary: $SWITCHYARD_OLLAMA, or
// where .ci/ollama builds it. When there is none the test is skipped,
// saying how to build it, except under CI=true, where it fails: CI must
// never lose these tests without anyone noticing.
func Binary(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv(EnvBinary)
	if path == "" {
		path = filepath.Join(providertest.CICache("", "ollama-"+Version), "bin", "ollama")
	}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return path
	}
	msg := fmt.Sprintf("no ollama binary at %s: build it with .ci/ollama (a clean build takes minutes, once; then cached), or set %s", path, EnvBinary)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// client makes the harness's own calls. Each is answered in milliseconds
// (model creation included: the models are tiny), so one that takes
// longer than this has stalled, and fails the test saying which call it
// was instead of running into go test's timeout.
var client = &http.Client{Timeout: 30 * time.Second}

// Server is a running `ollama serve` with the tiny models registered.
type Server struct {
	URL  string // "http://127.0.0.1:PORT"
	Host string // "127.0.0.1:PORT", as OLLAMA_HOST takes it

	mu  sync.Mutex
	log bytes.Buffer
}

// Options adjusts Start.
type Options struct {
	// Env is added to the server's environment (OLLAMA_KEEP_ALIVE=...).
	Env []string
}

// Start runs `ollama serve` on a free 127.0.0.1 port with its models and
// home in the test's temporary folder, waits until it answers, registers
// FIMModel and ChatModel over its HTTP API, and stops it when the test
// ends. The server logs at debug level (OLLAMA_DEBUG=1), kept for Log.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	bin := Binary(tb)
	dir := tb.TempDir()
	addr := freeAddr(tb)
	s := &Server{URL: "http://" + addr, Host: addr}

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"OLLAMA_HOST="+addr,
		"OLLAMA_MODELS="+filepath.Join(dir, "models"),
		"HOME="+dir,
		"OLLAMA_DEBUG=1",
		"OLLAMA_NOPRUNE=1",
		"OLLAMA_NUM_PARALLEL=1",
		// One loaded model at a time keeps two runner processes off two
		// shared cores; the models are loaded in milliseconds.
		"OLLAMA_MAX_LOADED_MODELS=1",
	)
	cmd.Env = append(cmd.Env, opts.Env...)
	cmd.Stdout = &lockedWriter{s: s}
	cmd.Stderr = cmd.Stdout
	// Its own process group, so that stopping it also stops the runner
	// subprocess it starts for each loaded model.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("ollamatest: starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				// Wait also waits for the log pipe to close, which a
				// process outside the group could hold open.
				tb.Errorf("ollamatest: ollama serve (pid %d) has not exited 5s after SIGKILL", cmd.Process.Pid)
			}
		}
		if tb.Failed() {
			tb.Logf("ollama serve log:\n%s", s.Log())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		resp, err := client.Get(s.URL + "/api/version")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			tb.Fatalf("ollamatest: ollama serve exited:\n%s", s.Log())
		case <-ctx.Done():
			tb.Fatalf("ollamatest: ollama serve did not answer within 30s:\n%s", s.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}

	var model bytes.Buffer
	if err := WriteModel(&model, 1); err != nil {
		tb.Fatal(err)
	}
	digest := s.PushBlob(tb, model.Bytes())
	s.Create(tb, FIMModel, digest, FIMTemplate)
	s.Create(tb, ChatModel, digest, chatTemplate)
	return s
}

// RepeatingModel is the name CreateRepeating registers.
const RepeatingModel = "tiny-repeat:latest"

// CreateRepeating registers RepeatingModel, which answers "x" over and
// over (WriteRepeatingModel) with FIMTemplate: Ollama stops such an
// answer after 30 repeats and ends its stream without "done": true.
func (s *Server) CreateRepeating(tb testing.TB) {
	tb.Helper()
	var model bytes.Buffer
	if err := WriteRepeatingModel(&model, 2, "x"); err != nil {
		tb.Fatal(err)
	}
	s.Create(tb, RepeatingModel, s.PushBlob(tb, model.Bytes()), FIMTemplate)
}

// PushBlob uploads data as a blob and returns its digest, "sha256:HEX".
func (s *Server) PushBlob(tb testing.TB, data []byte) string {
	tb.Helper()
	sum := sha256.Sum256(data)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	resp, err := client.Post(s.URL+"/api/blobs/"+digest, "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("ollamatest: pushing the model: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("ollamatest: pushing the model: %s: %s", resp.Status, body)
	}
	return digest
}

// Create registers name from the GGUF blob digest with template, on one
// thread: the tests run beside others on a few shared cores.
func (s *Server) Create(tb testing.TB, name, digest, template string) {
	tb.Helper()
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	s.PostJSON(tb, "/api/create", map[string]any{
		"model":      name,
		"files":      map[string]string{"model.gguf": digest},
		"template":   template,
		"parameters": map[string]any{"num_thread": 1, "num_ctx": ContextLength},
		"stream":     false,
	}, &out)
	if out.Error != "" || out.Status != "success" {
		tb.Fatalf("ollamatest: creating %s: status %q, error %q", name, out.Status, out.Error)
	}
}

// PostJSON posts body to path and decodes the single JSON answer into
// out (nil: the answer is dropped); a status other than 200 fails tb.
func (s *Server) PostJSON(tb testing.TB, path string, body, out any) {
	tb.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := client.Post(s.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("ollamatest: POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("ollamatest: POST %s: %s: %s", path, resp.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("ollamatest: POST %s: %v in %s", path, err, data)
		}
	}
}

// Loaded is one entry of GET /api/ps.
type Loaded struct {
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PS returns the loaded models, from GET /api/ps.
func (s *Server) PS(tb testing.TB) []Loaded {
	tb.Helper()
	resp, err := client.Get(s.URL + "/api/ps")
	if err != nil {
		tb.Fatalf("ollamatest: GET /api/ps: %v", err)
	}
	defer resp.Body.Close()
	var ps struct {
		Models []Loaded `json:"models"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ps); err != nil {
		tb.Fatalf("ollamatest: GET /api/ps: %v", err)
	}
	return ps.Models
}

// Loaded returns name's entry in GET /api/ps, nil when it is not loaded.
func (s *Server) Loaded(tb testing.TB, name string) *Loaded {
	tb.Helper()
	for _, m := range s.PS(tb) {
		if m.Name == name {
			return &m
		}
	}
	return nil
}

// Log returns what the server has logged so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// WaitLog waits until the log contains want, for up to d.
func (s *Server) WaitLog(want string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if strings.Contains(s.Log(), want) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type lockedWriter struct{ s *Server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.log.Write(p)
}

// freeAddr finds a free port on 127.0.0.1. Another process may take it
// before ollama does; on these test machines that has not been seen.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
