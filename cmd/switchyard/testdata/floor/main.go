// Command floor is the start-up floor that .ci/bench measures beside the
// real server: the libraries every Switchyard build must link (the LSP
// protocol and JSON-RPC packages, go-openai, zap, the TOML parser and
// net/http with TLS) and nothing else, answering initialize the way the
// server does, doing the least of it (read the configuration file, make
// a logger, decode the parameters it must read, write the capabilities).
// What the real server takes beyond it is the cost of its own packages
// and of the other providers' SDKs.
//
// It lives under testdata so that go build ./... and go test ./... leave
// it alone; build it by path: go build ./cmd/switchyard/testdata/floor.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/BurntSushi/toml"
	"github.com/sashabaranov/go-openai"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// linked keeps the provider libraries in the binary, as the server has
// them, without calling them.
var linked = []any{http.DefaultClient, openai.NewClient}

type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Println("switchyard floor", len(linked))
		return
	}
	var cfg struct {
		Log struct {
			Level string `toml:"level"`
		} `toml:"log"`
	}
	for i, a := range os.Args {
		if a == "--config" && i+1 < len(os.Args) {
			if b, err := os.ReadFile(os.Args[i+1]); err == nil {
				_, _ = toml.Decode(string(b), &cfg)
			}
		}
	}
	log := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(os.Stderr), zapcore.InfoLevel))
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(stdio{os.Stdin, os.Stdout}))
	done := make(chan struct{})
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case "initialize":
			// The least a server reads: the parent to watch and the
			// position encodings it may choose from.
			var p struct {
				ProcessID    *int32 `json:"processId"`
				Capabilities struct {
					General struct {
						PositionEncodings []string `json:"positionEncodings"`
					} `json:"general"`
				} `json:"capabilities"`
			}
			if err := json.Unmarshal(req.Params(), &p); err != nil {
				return reply(ctx, nil, err)
			}
			log.Info("initialize")
			return reply(ctx, protocol.InitializeResult{
				Capabilities: protocol.ServerCapabilities{
					TextDocumentSync: protocol.TextDocumentSyncOptions{
						OpenClose: true,
						Change:    protocol.TextDocumentSyncKindIncremental,
					},
					CompletionProvider: &protocol.CompletionOptions{TriggerCharacters: []string{"."}},
					CodeActionProvider: true,
				},
				ServerInfo: &protocol.ServerInfo{Name: "switchyard floor"},
			}, nil)
		case "exit":
			close(done)
			return nil
		}
		return reply(ctx, nil, nil)
	})
	select {
	case <-done:
	case <-conn.Done():
	}
}
