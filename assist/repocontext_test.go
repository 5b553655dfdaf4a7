package assist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/assist/repoindex"
	"switchyard/config"
)

// indexedWorkspace writes files under a temporary folder and indexes it.
func indexedWorkspace(t testing.TB, files map[string]string) (string, *repoindex.Index) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ix := repoindex.New(repoindex.Options{Folders: []string{dir}})
	ix.Build(context.Background())
	return dir, ix
}

// contextAt gathers context for doc with the cursor at "‸".
func contextAt(dir string, ix *repoindex.Index, name, marked string, tokens int, sh config.ContextShares, others ...OtherDocument) []contextFile {
	off := strings.Index(marked, "‸")
	text := strings.Replace(marked, "‸", "", 1)
	lang := map[string]string{".go": "go", ".py": "python", ".ts": "typescript"}[filepath.Ext(name)]
	req := CompletionRequest{
		Doc:     Document{Path: filepath.Join(dir, name), LanguageID: lang, Text: text},
		Offset:  off,
		Folders: []string{dir},
		Index:   ix,
		Others:  others,
	}
	w := cutWindow(text, off, 1536, 512)
	return gatherContext(&req, w, tokens, sh)
}

func joined(files []contextFile, kind sourceKind) string {
	var b strings.Builder
	for _, f := range files {
		if f.source == kind {
			b.WriteString(f.name + ":\n" + f.text)
		}
	}
	return b.String()
}

// The definitions source resolves what the code near the cursor uses,
// by each language's rules, from files that are not open.
func TestDefinitionsSource(t *testing.T) {
	dir, ix := indexedWorkspace(t, map[string]string{
		"app/store.go":     "package app\n\nfunc OpenStore(path string) (*Store, error) { return nil, nil }\n\ntype Store struct {\n\tPath string\n}\n",
		"other/store.go":   "package other\n\nfunc OpenStore(n int) {}\n",
		"app/unrelated.go": "package app\n\nfunc Unrelated() {}\n",
		"py/util/text.py":  "def slugify(title, sep='-'):\n    return title\n\nclass Formatter:\n    def render(self, doc):\n        pass\n",
		"py/other.py":      "def slugify(x):\n    pass\n",
	})
	t.Run("go: a bare name is of the same package", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "app/main.go", "package app\n\nfunc main() {\n\ts, _ := OpenStore(\"x\")\n\t‸\n}\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "func OpenStore(path string) (*Store, error)") {
			t.Errorf("definitions = %q, want app's OpenStore", got)
		}
		if strings.Contains(got, "OpenStore(n int)") || strings.Contains(got, "Unrelated") {
			t.Errorf("definitions = %q: another package's OpenStore or an unused function came in", got)
		}
	})
	t.Run("python: a name imported from a module", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "py/main.py", "from util.text import slugify, Formatter\n\ndef page(t):\n    ‸\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "def slugify(title, sep='-'):") || !strings.Contains(got, "class Formatter:") {
			t.Errorf("definitions = %q, want util/text.py's slugify and Formatter", got)
		}
		if strings.Contains(got, "def slugify(x)") {
			t.Errorf("definitions = %q: other.py's slugify is not the imported one", got)
		}
	})
	t.Run("go: after pkg. the package's names", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "cmd/main.go", "package main\n\nimport \"x/app\"\n\nfunc main() {\n\tapp.‸\n}\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "func OpenStore(path string)") || !strings.Contains(got, "func Unrelated()") {
			t.Errorf("definitions = %q, want the exported names of app", got)
		}
	})
	t.Run("nothing without a budget", func(t *testing.T) {
		if got := contextAt(dir, ix, "app/main.go", "package app\n\nfunc main() {\n\tOpenStore(\"x\")\n\t‸\n}\n", 0, config.ContextShares{}); len(got) != 0 {
			t.Errorf("got %d context files with max_context_tokens = 0", len(got))
		}
	})
}

// The similar-code source takes the window of an open file most like the
// lines before the cursor, and leaves out a window that would repeat a
// definition already chosen.
func TestSimilarSource(t *testing.T) {
	dir, ix := indexedWorkspace(t, map[string]string{"a/x.go": "package a\n"})
	var b strings.Builder
	for i := range 60 {
		b.WriteString("// filler line with nothing in common\n")
		if i == 40 {
			b.WriteString("func handleUpload(w http.ResponseWriter, req *http.Request) {\n\tbody, err := io.ReadAll(req.Body)\n\tif err != nil {\n\t\thttp.Error(w, err.Error(), http.StatusBadRequest)\n\t}\n}\n")
		}
	}
	other := OtherDocument{Document: Document{URI: "file:///o.go", Path: filepath.Join(dir, "a", "handlers.go"), LanguageID: "go", Text: b.String()}}
	files := contextAt(dir, ix, "a/main.go", "package a\n\nfunc handleDownload(w http.ResponseWriter, req *http.Request) {\n\tbody, err := io.ReadAll(req.Body)\n\tif err != nil {\n\t‸\n}\n", 1024, config.ContextShares{Definitions: 0.2, Similar: 0.6, OpenFiles: 0.2}, other)
	got := joined(files, sourceSimilar)
	if !strings.Contains(got, "http.Error(w, err.Error(), http.StatusBadRequest)") {
		t.Errorf("similar = %q, want the window of handleUpload", got)
	}
	if strings.Count(got, "filler") > 16 {
		t.Errorf("similar = %q: more filler than one window", got)
	}
}

// Every source stays within its share and the whole within the budget;
// what one leaves goes to the next; definitions come last.
func TestContextBudget(t *testing.T) {
	files := map[string]string{}
	var uses strings.Builder
	for i := range 40 {
		name := "Func" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		files["app/f"+name+".go"] = "package app\n\nfunc " + name + "(a, b, c int, name string) (result string, err error) {\n\treturn\n}\n"
		uses.WriteString("\t" + name + "(1, 2, 3, \"x\")\n")
	}
	dir, ix := indexedWorkspace(t, files)
	open := OtherDocument{Document: Document{URI: "file:///o.go", Path: filepath.Join(dir, "app", "open.go"), LanguageID: "go", Text: strings.Repeat("var openFileLine = 1\n", 200)}}
	doc := "package app\n\nfunc main() {\n" + uses.String() + "\t‸\n}\n"
	for _, tt := range []struct {
		name   string
		tokens int
		sh     config.ContextShares
	}{
		{"defaults", 1024, config.ContextShares{}},
		{"small", 200, config.ContextShares{}},
		{"definitions only first", 512, config.ContextShares{Definitions: 1}},
		{"open files first", 512, config.ContextShares{Definitions: 0.1, OpenFiles: 0.9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := contextAt(dir, ix, "app/main.go", doc, tt.tokens, tt.sh, open)
			spent := map[sourceKind]int{}
			total := 0
			last := sourceOpen
			for _, f := range got {
				n := len(f.name) + headerBytes + len(f.text)
				spent[f.source] += n
				total += n
				if f.source < last {
					t.Errorf("%s after %s: the order is open files, similar, definitions", f.source, last)
				}
				last = f.source
			}
			if total > tt.tokens*bytesPerToken {
				t.Errorf("spent %d bytes of %d", total, tt.tokens*bytesPerToken)
			}
			if spent[sourceDefinitions] == 0 {
				t.Errorf("no definitions within %d tokens", tt.tokens)
			}
			sh := shares(tt.sh)
			// Definitions may pass their share only with what the
			// others left.
			if max := int(sh.Definitions * float64(tt.tokens*bytesPerToken)); spent[sourceDefinitions] > max && spent[sourceOpen]+spent[sourceSimilar] > tt.tokens*bytesPerToken-max {
				t.Errorf("definitions took %d bytes past their share of %d while the others took %d", spent[sourceDefinitions], max, spent[sourceOpen])
			}
			if tt.sh.OpenFiles == 0.9 && spent[sourceOpen] == 0 {
				t.Errorf("open files got nothing with most of the budget")
			}
		})
	}
}
