package config

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestStoreStartsWithDefaults(t *testing.T) {
	s := NewStore()
	if s.Current().Completion.Debounce.D() != DefaultDebounce || s.Version() != 1 || len(s.Warnings()) != 0 {
		t.Errorf("new store: %+v version %d", s.Current().Completion, s.Version())
	}
}

func TestStoreKeepsTheLastGoodConfig(t *testing.T) {
	s := NewStore()
	var changes []*Config
	s.OnChange(func(c *Config) { changes = append(changes, c) })

	if err := s.SetUser(mustTOML(t, userTOML, "user.toml")); err != nil {
		t.Fatal(err)
	}
	good := s.Current()
	if good.Models["coder"].ID != "qwen2.5-coder:7b-base" || s.Version() != 2 || len(changes) != 1 || changes[0] != good {
		t.Fatalf("after SetUser: version %d, %d changes", s.Version(), len(changes))
	}

	// The editor names a model on a provider that does not exist: the
	// update is refused and everything stays as it was.
	bad := mustJSON(t, `{"completion":{"debounce":50},"models":{"coder":{"provider":"nowhere","id":"x"}}}`)
	err := s.SetEditor(bad)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Key != "models.coder.provider" || ve.Problems[0].Source != EditorSource {
		t.Fatalf("SetEditor(bad) = %v, want a validation error naming models.coder.provider in the editor settings", err)
	}
	if s.Current() != good || s.Version() != 2 || len(changes) != 1 {
		t.Error("a bad update replaced the configuration in force")
	}

	// A later good editor update applies on top of the user file, not on
	// top of the rejected one.
	if err := s.SetEditor(mustJSON(t, `{"completion":{"debounce":50}}`)); err != nil {
		t.Fatal(err)
	}
	c := s.Current()
	if c.Completion.Debounce.D() != 50*time.Millisecond || c.Models["coder"].Provider != "local" || c.Completion.MaxTokens != 96 {
		t.Errorf("after a good editor update: %+v, coder %+v", c.Completion, c.Models["coder"])
	}
	if s.Version() != 3 || len(changes) != 2 {
		t.Errorf("version %d, %d changes; want 3 and 2", s.Version(), len(changes))
	}

	// The same settings again change nothing, so the router is not rebuilt.
	if err := s.SetEditor(mustJSON(t, `{"completion":{"debounce":"50ms"}}`)); err != nil {
		t.Fatal(err)
	}
	if s.Version() != 3 || len(changes) != 2 || s.Current() != c {
		t.Error("an update that changed nothing counted as a change")
	}
}

func TestStoreReappliesTrustWhenTheUserFileChanges(t *testing.T) {
	s := NewStore()
	if err := s.SetUser(mustTOML(t, userTOML, "user.toml")); err != nil {
		t.Fatal(err)
	}
	ws := workspace(t, "[providers.local]\ntype = \"openai\"\nbase_url = \"http://gpu-box:11434/v1\"\n")
	if err := s.SetWorkspace(ws); err != nil {
		t.Fatal(err)
	}
	if s.Current().Providers["local"].BaseURL != "http://127.0.0.1:11434/v1" || len(s.Warnings()) != 1 {
		t.Fatalf("untrusted workspace: base_url %q, warnings %v", s.Current().Providers["local"].BaseURL, s.Warnings())
	}

	if err := s.SetUser(userTrusting(t, ws.Folder)); err != nil {
		t.Fatal(err)
	}
	if s.Current().Providers["local"].BaseURL != "http://gpu-box:11434/v1" || len(s.Warnings()) != 0 {
		t.Errorf("after trusting the folder: base_url %q, warnings %v", s.Current().Providers["local"].BaseURL, s.Warnings())
	}

	if err := s.RemoveWorkspace(ws.Folder); err != nil {
		t.Fatal(err)
	}
	if s.Current().Providers["local"].BaseURL != "http://127.0.0.1:11434/v1" {
		t.Error("a closed workspace folder still applies")
	}
}

func TestStoreBadWorkspaceIsNotKept(t *testing.T) {
	s := NewStore()
	if err := s.SetUser(mustTOML(t, userTOML, "user.toml")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWorkspace(workspace(t, "[routes]\ncoding = [\"missing\"]\n")); err == nil {
		t.Fatal("want an error for a route to a missing model")
	}
	// The rejected workspace must not come back with the next update.
	if err := s.SetEditor(mustJSON(t, `{"completion":{"max_tokens":32}}`)); err != nil {
		t.Fatalf("a later good update failed because of the rejected workspace: %v", err)
	}
}

// Current is read on every keystroke while updates arrive; run with -race.
func TestStoreConcurrentReadsAndUpdates(t *testing.T) {
	s := NewStore()
	user := mustTOML(t, userTOML, "user.toml")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := s.Current()
				if c.Completion.Timeout.D() != DefaultTimeout {
					t.Error("a reader saw a half-built configuration")
					return
				}
			}
		}()
	}
	for i := range 50 {
		editor := mustJSON(t, `{"completion":{"debounce":`+string(rune('1'+i%9))+`00}}`)
		if err := s.SetUser(user); err != nil {
			t.Error(err)
		}
		if err := s.SetEditor(editor); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
