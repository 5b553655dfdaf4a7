//go:build unix

package lsp

import (
	"errors"
	"os/exec"
	"testing"
	"time"
)

// An editor that dies without closing stdin must not leave the server
// running: once the processId given in initialize is gone, Serve ends
// as if the client had exited without shutdown.
func TestServerExitsWhenEditorProcessIsGone(t *testing.T) {
	editor := exec.Command("sleep", "60")
	if err := editor.Start(); err != nil {
		t.Skipf("cannot start a stand-in editor process: %v", err)
	}
	h := startServer(t, fixed(&fakeRouter{}), func(o *Options) { o.ParentCheck = 20 * time.Millisecond })
	var res initializeResult
	if err := h.call("initialize", map[string]any{"processId": editor.Process.Pid, "capabilities": map[string]any{}}, &res); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	select {
	case err := <-h.served:
		t.Fatalf("server stopped while the editor was alive: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	_ = editor.Process.Kill()
	_ = editor.Wait()
	select {
	case err := <-h.served:
		if !errors.Is(err, ErrExitWithoutShutdown) {
			t.Errorf("Serve returned %v, want ErrExitWithoutShutdown (exit code 1)", err)
		}
		h.served <- err // for the harness's cleanup
	case <-time.After(3 * time.Second):
		t.Fatal("server still running 3s after the editor process died")
	}
}
