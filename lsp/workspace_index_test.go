package lsp_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// indexTestConfig routes completions to the fake provider at url, local
// or remote, with secret.go local-only.
func indexTestConfig(url string, local bool) string {
	return fmt.Sprintf(`[providers.fake]
type = "openai"
base_url = %q
timeout = "5s"
data = { local = %v }

[models.coder]
provider = "fake"
id = %q
classes = ["completion"]

[routes]
completion = ["coder"]

[completion]
debounce = "0ms"
cache_size = 0

[policy]
local_only = ["secret.go"]
`, url, local, fimModel)
}

// storeWorkspace starts a server on a folder holding store.go, a
// local_only secret.go and files, none of them open, with completions
// routed to a fake provider, local or remote.
func storeWorkspace(t *testing.T, local bool, files map[string]string) (*session, *providertest.OpenAI) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"store.go":  "package app\n\n// OpenStore opens the store at path.\nfunc OpenStore(path string, limit int) (*Store, error) {\n\treturn nil, nil\n}\n\ntype Store struct{ path string }\n",
		"secret.go": "package app\n\nfunc SecretKey(vault string) string {\n\treturn \"hunter2\"\n}\n",
	}
	maps.Copy(all, files)
	for name, text := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fake := providertest.NewOpenAI(t)
	script(fake, providertest.Text("x"))
	s := start(t, indexTestConfig(fake.URL, local), lsptest.InitOptions{RootURI: fileURI(dir)})
	s.dir = dir
	return s, fake
}

// A completion's prompt holds the definition of a function the code
// calls from a file the editor never opened, found through the
// workspace index; a local_only file's definitions reach a local model
// and never a remote one.
func TestCompletionPromptHoldsDefinitionsFromUnopenedFiles(t *testing.T) {
	for _, local := range []bool{false, true} {
		t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) {
			s, fake := storeWorkspace(t, local, nil)
			d := s.open(t, "main.go", "package app\n\nfunc run() {\n\tkey := SecretKey(\"prod\")\n\tst, err := OpenStore(key, 10)\n\t‸\n}\n")

			// The index is built in the background: ask until the
			// prompt shows it, as a user typing on would.
			var prompt string
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				s.inline(t, d)
				reqs := completions(fake)
				prompt, _ = reqs[len(reqs)-1].Body["prompt"].(string)
				// Both files indexed: the local model sees both
				// definitions; the remote one is asked once more, with
				// the whole workspace indexed by then.
				if strings.Contains(prompt, "func OpenStore(path string, limit int) (*Store, error)") &&
					(!local || strings.Contains(prompt, "func SecretKey")) {
					if !local {
						time.Sleep(500 * time.Millisecond)
						s.inline(t, d)
					}
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(prompt, "func OpenStore(path string, limit int) (*Store, error)") {
				t.Fatalf("the prompt never held OpenStore's signature from the unopened store.go:\n%s", prompt)
			}
			if !strings.Contains(prompt, "<|file_sep|>store.go\n") {
				t.Errorf("the definition is not under its file's name in Qwen's repository layout:\n%s", prompt)
			}
			if local && !strings.Contains(prompt, "func SecretKey(vault string) string") {
				t.Errorf("local_only secret.go's definition is missing from a prompt to a local model:\n%s", prompt)
			}
			if !local {
				for _, r := range completions(fake) {
					if p, _ := r.Body["prompt"].(string); strings.Contains(p, "SecretKey(vault") || strings.Contains(p, "hunter2") {
						t.Errorf("local_only secret.go's content reached a remote model:\n%s", p)
					}
				}
			}
		})
	}
}

// A line not written yet gets the names the workspace's code uses most
// from the file's package, here OpenStore, which appears nowhere in the
// open file; a local_only file's name, used as much, never reaches a
// remote model that way either.
func TestCompletionPromptHoldsLikelyNamesFromUnopenedFiles(t *testing.T) {
	users := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		users[name+".go"] = "package app\n\nfunc use_" + name + "() {\n\t_, _ = OpenStore(SecretKey(\"x\"), 1)\n}\n"
	}
	s, fake := storeWorkspace(t, false, users)
	d := s.open(t, "main.go", "package app\n\nfunc run() {\n\t‸\n}\n")
	var prompt string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		s.inline(t, d)
		reqs := completions(fake)
		prompt, _ = reqs[len(reqs)-1].Body["prompt"].(string)
		if strings.Contains(prompt, "func OpenStore(path string, limit int) (*Store, error)") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(prompt, "func OpenStore(path string, limit int) (*Store, error)") {
		t.Fatalf("the prompt never held OpenStore, which the package's files use, from the unopened store.go:\n%s", prompt)
	}
	for _, r := range completions(fake) {
		if p, _ := r.Body["prompt"].(string); strings.Contains(p, "SecretKey(vault") || strings.Contains(p, "hunter2") {
			t.Errorf("local_only secret.go's content reached a remote model:\n%s", p)
		}
	}
}
