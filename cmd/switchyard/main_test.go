package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := version
	version = "v9.8.7"
	defer func() { version = old }()
	if code := run([]string{"version"}, os.Stdin, f, f); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "switchyard v9.8.7\n" {
		t.Errorf("version printed %q, want the -ldflags version", b)
	}
}

func TestUnknownCommand(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if code := run([]string{"frobnicate"}, os.Stdin, f, f); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
}

// TestServeExitCodes runs serve over pipes as an editor would: 0 after
// shutdown and exit, 1 after exit alone; stdout carries only LSP frames.
func TestServeExitCodes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		shutdown bool
		want     int
	}{{"shutdown then exit", true, 0}, {"exit without shutdown", false, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.toml")
			// A provider on a closed port: nothing leaves the machine.
			if err := os.WriteFile(cfg, []byte("[providers.local]\ntype = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			inR, inW, _ := os.Pipe()
			outR, outW, _ := os.Pipe()
			errF, _ := os.Create(filepath.Join(dir, "stderr"))
			defer errF.Close()
			stdout := os.Stdout
			defer func() { os.Stdout = stdout }()

			done := make(chan int, 1)
			go func() { done <- serve([]string{"--stdio", "--config", cfg, "--log-level", "debug"}, inR, outW, errF) }()

			r := bufio.NewReader(outR)
			send := func(v map[string]any) {
				v["jsonrpc"] = "2.0"
				b, _ := json.Marshal(v)
				fmt.Fprintf(inW, "Content-Length: %d\r\n\r\n%s", len(b), b)
			}
			// readID reads frames until the answer to id, failing on
			// anything that is not a well-formed frame.
			readID := func(id int) map[string]any {
				for {
					h, err := textproto.NewReader(r).ReadMIMEHeader()
					if err != nil {
						t.Fatalf("reading a frame header: %v", err)
					}
					n, _ := strconv.Atoi(h.Get("Content-Length"))
					body := make([]byte, n)
					if _, err := io.ReadFull(r, body); err != nil {
						t.Fatal(err)
					}
					var m map[string]any
					if err := json.Unmarshal(body, &m); err != nil {
						t.Fatalf("stdout carried something that is not JSON-RPC: %q", body)
					}
					if v, ok := m["id"].(float64); ok && int(v) == id && m["method"] == nil {
						return m
					}
				}
			}
			send(map[string]any{"id": 1, "method": "initialize", "params": map[string]any{"capabilities": map[string]any{}}})
			if m := readID(1); m["result"] == nil {
				t.Fatalf("initialize answer %v", m)
			}
			send(map[string]any{"method": "initialized", "params": map[string]any{}})
			if tt.shutdown {
				send(map[string]any{"id": 2, "method": "shutdown"})
				readID(2)
			}
			send(map[string]any{"method": "exit"})
			select {
			case code := <-done:
				if code != tt.want {
					t.Errorf("exit code %d, want %d", code, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not return after exit")
			}
			inW.Close()
			outR.Close()
			logs, _ := os.ReadFile(errF.Name())
			if !strings.Contains(string(logs), "initialize") {
				t.Errorf("stderr log has no initialize line: %q", logs)
			}
		})
	}
}
