package assist

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/llamacpp"
	"switchyard/providers/providertest"
	"switchyard/providers/router"
)

const (
	utilStrings = "package util\n\nfunc Reverse(s string) string { return s }\n"
	utilMath    = "package util\n\nfunc Add(a, b int) int { return a + b }\n"
	mainPrefix  = "package main\n\nfunc main() {\n\t"
	mainSuffix  = "\n}\n"
)

// withOthers is a request in /w/proj/cmd/main.go with two other Go files
// open, most recent first, plus documents the engine must pass over: one
// of another language, one without a path, and the document itself.
func withOthers() CompletionRequest {
	doc := Document{URI: "file:///w/proj/cmd/main.go", Path: "/w/proj/cmd/main.go", LanguageID: "go", Version: 3, Text: mainPrefix + mainSuffix}
	other := func(path, lang, text string) OtherDocument {
		uri := ""
		if path != "" {
			uri = "file://" + path
		}
		return OtherDocument{Document: Document{URI: uri, Path: path, LanguageID: lang, Version: 1, Text: text}}
	}
	return CompletionRequest{
		Doc:     doc,
		Offset:  len(mainPrefix),
		Invoked: true,
		Folders: []string{"/w/proj"},
		Others: []OtherDocument{
			other("/w/proj/tools/gen.py", "python", "print('no')\n"),
			other("/w/proj/util/strings.go", "go", utilStrings),
			{Document: doc},
			other("", "go", "package scratch\n"),
			other("/w/proj/util/math.go", "go", utilMath),
		},
	}
}

func contextConfig(tokens int) config.Completion {
	c := quick()
	c.MaxContextTokens = tokens
	return c
}

// Every family's prompt with two other files, byte for byte: the layouts
// of DESIGN.md "Fill-in-the-middle prompt formats" for the families that
// have one, the plain template for those that do not.
func TestContextPromptLayouts(t *testing.T) {
	qwen := "<|repo_name|>proj\n" +
		"<|file_sep|>util/strings.go\n" + utilStrings +
		"<|file_sep|>util/math.go\n" + utilMath +
		"<|file_sep|>cmd/main.go\n<|fim_prefix|>" + mainPrefix + "<|fim_suffix|>" + mainSuffix + "<|fim_middle|>"
	starcoder2 := "<repo_name>proj" +
		"<file_sep>util/strings.go\n" + utilStrings +
		"<file_sep>util/math.go\n" + utilMath +
		"<file_sep><fim_prefix>cmd/main.go\n" + mainPrefix + "<fim_suffix>" + mainSuffix + "<fim_middle>"
	tests := []struct {
		id   string
		want string
	}{
		{"qwen2.5-coder:1.5b-base", qwen},
		{"starcoder2:3b", starcoder2},
		{"deepseek-coder:6.7b-base", "<｜fim▁begin｜>" + mainPrefix + "<｜fim▁hole｜>" + mainSuffix + "<｜fim▁end｜>"},
		{"codellama:7b-code", "<PRE> " + mainPrefix + " <SUF>" + mainSuffix + " <MID>"},
		{"codestral-latest", "[SUFFIX]" + mainSuffix + "[PREFIX]" + mainPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p := completerProvider{answering("fmt.Println()")}
			e := NewEngine(&fakeRouter{targets: []providers.Target{target("m", tt.id, "", p)}}, contextConfig(1024), nil)
			if _, err := e.Complete(context.Background(), withOthers()); err != nil {
				t.Fatal(err)
			}
			if len(p.prompts) != 1 {
				t.Fatalf("%d template calls, want 1", len(p.prompts))
			}
			if got := p.prompts[0].Prompt; got != tt.want {
				t.Errorf("prompt:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestContextChatLayout(t *testing.T) {
	p := answering("fmt.Println()")
	e := NewEngine(&fakeRouter{targets: []providers.Target{target("gpt", "gpt-4o-mini", "none", p)}}, contextConfig(1024), nil)
	if _, err := e.Complete(context.Background(), withOthers()); err != nil {
		t.Fatal(err)
	}
	want := "Other open files, for reference only:\n" +
		"File: util/strings.go\n```go\n" + utilStrings + "```\n" +
		"File: util/math.go\n```go\n" + utilMath + "```\n" +
		"\nThe file to complete:\n" +
		"File: cmd/main.go\n```go\n" + mainPrefix + holeMarker + mainSuffix + "```\n" +
		"Write the missing code at " + holeMarker + ", up to the end of the current block."
	if len(p.chats) != 1 {
		t.Fatalf("%d chat calls, want 1", len(p.chats))
	}
	if got := p.chats[0].Messages[1].Content; got != want {
		t.Errorf("user message:\n got %q\nwant %q", got, want)
	}
}

// A zero budget, the default of a Config built in code, sends the
// prompt exactly as without other files.
func TestContextOff(t *testing.T) {
	p := completerProvider{answering("x")}
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", p)}}
	if _, err := NewEngine(r, contextConfig(0), nil).Complete(context.Background(), withOthers()); err != nil {
		t.Fatal(err)
	}
	want := "<|file_sep|>cmd/main.go\n<|fim_prefix|>" + mainPrefix + "<|fim_suffix|>" + mainSuffix + "<|fim_middle|>"
	if got := p.prompts[0].Prompt; got != want {
		t.Errorf("prompt = %q, want %q", got, want)
	}
	if got := r.needs[0].Paths; !reflect.DeepEqual(got, []string{"/w/proj/cmd/main.go"}) {
		t.Errorf("Need.Paths = %q, want the document's path alone", got)
	}
}

// numbered is n lines "// line 000\n"... of 12 bytes each.
func numbered(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("// line ")
		b.WriteString(string(rune('0' + i/100%10)))
		b.WriteString(string(rune('0' + i/10%10)))
		b.WriteString(string(rune('0' + i%10)))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestPickContextBudget(t *testing.T) {
	big := numbered(200) // 2400 bytes
	line := func(i int) int { return 12 * i }
	doc := Document{URI: "file:///w/a.go", Path: "/w/a.go", LanguageID: "go", Text: "package a\n"}
	other := func(name, text string, focus int) OtherDocument {
		return OtherDocument{Document: Document{URI: "file:///w/" + name, Path: "/w/" + name, LanguageID: "go", Text: text}, Focus: focus}
	}
	tests := []struct {
		name   string
		tokens int
		others []OtherDocument
		// want is each file's first and last line number, -1 for the end.
		want [][2]int
	}{
		{"off", 0, []OtherDocument{other("b.go", big, 0)}, nil},
		{"around the last edit", 64, []OtherDocument{other("b.go", big, line(100)+5)}, [][2]int{{91, 108}}},
		{"at the top, the rest goes after", 64, []OtherDocument{other("b.go", big, 0)}, [][2]int{{0, 18}}},
		{"at the end, the rest goes before", 64, []OtherDocument{other("b.go", big, len(big))}, [][2]int{{181, 199}}},
		{"a small file whole, the next cut", 100, []OtherDocument{other("c.go", numbered(5), 0), other("b.go", big, line(50))}, [][2]int{{0, 4}, {38, 61}}},
		{"nothing left for a second file", 64, []OtherDocument{other("b.go", big, 0), other("c.go", numbered(5), 0)}, [][2]int{{0, 18}}},
		{"at most four files", 1024, []OtherDocument{
			other("c1.go", numbered(2), 0), other("c2.go", numbered(2), 0), other("c3.go", numbered(2), 0),
			other("c4.go", numbered(2), 0), other("c5.go", numbered(2), 0),
		}, [][2]int{{0, 1}, {0, 1}, {0, 1}, {0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := CompletionRequest{Doc: doc, Others: tt.others}
			got := pickContext(&req, tt.tokens)
			if len(got) != len(tt.want) {
				t.Fatalf("%d files, want %d: %+v", len(got), len(tt.want), got)
			}
			spent := 0
			for i, f := range got {
				lines := strings.SplitAfter(f.text, "\n")
				if last := lines[len(lines)-1]; last != "" {
					t.Errorf("file %d ends mid-line: %q", i, last)
				}
				lines = lines[:len(lines)-1]
				first, lastLine := lines[0], lines[len(lines)-1]
				if want := numbered(tt.want[i][1] + 1)[line(tt.want[i][0]):]; f.text != want {
					t.Errorf("file %d = lines %q..%q, want lines %d..%d", i, first, lastLine, tt.want[i][0], tt.want[i][1])
				}
				spent += len(f.name) + headerBytes + len(f.text)
			}
			if spent > tt.tokens*bytesPerToken {
				t.Errorf("spent %d bytes of a %d-byte budget", spent, tt.tokens*bytesPerToken)
			}
		})
	}
}

// An excerpt is a substring of the snapshot, not a copy.
func TestPickContextSharesText(t *testing.T) {
	big := numbered(200)
	req := CompletionRequest{
		Doc:     Document{URI: "file:///w/a.go", Path: "/w/a.go", LanguageID: "go"},
		Folders: []string{"/w"},
		Others:  []OtherDocument{{Document: Document{URI: "file:///w/b.go", Path: "/w/b.go", LanguageID: "go", Text: big}, Focus: 1200}},
	}
	got := pickContext(&req, 64)
	if len(got) != 1 {
		t.Fatal("no excerpt")
	}
	if allocs := testing.AllocsPerRun(100, func() { pickContext(&req, 64) }); allocs > 1 {
		t.Errorf("%v allocations, want at most the slice of files", allocs)
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(big)))
	at := uintptr(unsafe.Pointer(unsafe.StringData(got[0].text)))
	if at < start || at+uintptr(len(got[0].text)) > start+uintptr(len(big)) {
		t.Fatal("the excerpt is a copy, not a part of the snapshot's text")
	}
}

func TestRelPath(t *testing.T) {
	tests := []struct {
		path    string
		folders []string
		want    string
	}{
		{"/w/proj/util/strings.go", []string{"/w/proj"}, "util/strings.go"},
		{"/w/proj/util/strings.go", []string{"/w/proj/"}, "util/strings.go"},
		{"/w/proj/sub/x/y.go", []string{"/w/proj", "/w/proj/sub"}, "x/y.go"},
		{"/w/project2/a.go", []string{"/w/proj"}, "w/project2/a.go"},
		{`C:\src\app\pkg\a.go`, []string{`C:\src\app`}, "pkg/a.go"},
		{"/srv/x/y/z/a.go", nil, "y/z/a.go"},
	}
	for _, tt := range tests {
		if got := relPath(tt.path, tt.folders); got != tt.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tt.path, tt.folders, got, tt.want)
		}
	}
	if got := repoName("/w/proj/util/strings.go", []string{"/w/proj"}); got != "proj" {
		t.Errorf("repoName = %q, want the folder's name", got)
	}
}

// A file outside every folder but under the home directory is named
// without the home directory, so the user's name is not sent.
func TestShortPathLeavesOutHome(t *testing.T) {
	home := homeDir()
	if home == "" {
		t.Skip("no home directory")
	}
	home = filepath.FromSlash(home)
	for in, want := range map[string]string{
		filepath.Join(home, "notes.go"):               "notes.go",
		filepath.Join(home, "src", "tool", "main.go"): "src/tool/main.go",
	} {
		if got := relPath(in, []string{"/elsewhere"}); got != want {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// llama.cpp's /infill takes the other files as input_extra; the fake
// llama-server checks the body is what llama-server reads.
func TestContextReachesLlamaCppInputExtra(t *testing.T) {
	f := providertest.NewLlamaCpp(t)
	f.Enqueue(providertest.LlamaCppReply{Pieces: []string{"fmt.Println()"}})
	p, err := llamacpp.New("llama", config.Provider{Type: "llamacpp", BaseURL: f.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(&fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "native", p)}}, contextConfig(1024), nil)
	got, err := e.Complete(context.Background(), withOthers())
	if err != nil || len(got) != 1 || got[0].Text != "fmt.Println()" {
		t.Fatalf("Complete = %+v, %v", got, err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/infill" {
		t.Fatalf("requests = %+v, want one /infill", reqs)
	}
	want := []any{
		map[string]any{"filename": "util/strings.go", "text": utilStrings},
		map[string]any{"filename": "util/math.go", "text": utilMath},
	}
	if got := reqs[0].Body["input_extra"]; !reflect.DeepEqual(got, want) {
		t.Errorf("input_extra = %#v, want %#v", got, want)
	}
	if got := reqs[0].Body["input_prefix"]; got != mainPrefix {
		t.Errorf("input_prefix = %q, want the document's own prefix alone", got)
	}
}

// With the real router: a local-only file is left out of what a remote
// model gets, without pulling the request onto a local model, and goes to
// a local one; the other file goes to both and is routed by.
func TestContextLocalOnlyFile(t *testing.T) {
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "secret"), 0o700); err != nil {
		t.Fatal(err)
	}
	const secret = "package secret\n\nconst Key = \"k-123\"\n"
	req := CompletionRequest{
		Doc:     Document{URI: "file://" + ws + "/cmd/main.go", Path: filepath.Join(ws, "cmd", "main.go"), LanguageID: "go", Text: mainPrefix + mainSuffix},
		Offset:  len(mainPrefix),
		Invoked: true,
		Folders: []string{ws},
		Others: []OtherDocument{
			{Document: Document{URI: "file://" + ws + "/secret/key.go", Path: filepath.Join(ws, "secret", "key.go"), LanguageID: "go", Text: secret}},
			{Document: Document{URI: "file://" + ws + "/util/math.go", Path: filepath.Join(ws, "util", "math.go"), LanguageID: "go", Text: utilMath}},
		},
	}
	for _, tt := range []struct {
		route      string
		wantSecret bool
	}{
		{"cloud", false},
		{"box", true},
	} {
		t.Run(tt.route, func(t *testing.T) {
			cloud := answering("fmt.Println()")
			cloud.name = "cloud"
			box := answering("fmt.Println()")
			box.name = "box"
			cfg := &config.Config{
				Providers: map[string]config.Provider{
					"cloud": {Type: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY"},
					"box":   {Type: "ollama"},
				},
				Models: map[string]config.Model{
					"cloud": {Provider: "cloud", ID: "claude-haiku", FIM: "none", Classes: []string{config.ClassCompletion}},
					"box":   {Provider: "box", ID: "llama3", FIM: "none", Classes: []string{config.ClassCompletion}},
				},
				Routes: map[string][]string{config.TaskCompletion: {tt.route}},
				Policy: config.Policy{LocalOnly: []string{"secret/"}},
			}
			provs := map[string]*fakeProvider{"cloud": cloud, "box": box}
			r, err := router.New(cfg, router.Options{Workspace: []string{ws}, NewProvider: func(name string, _ config.Provider) (providers.Provider, error) {
				return provs[name], nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := NewEngine(r, contextConfig(1024), nil).Complete(context.Background(), req); err != nil {
				t.Fatalf("Complete: %v (a local-only context file must not leave the remote route without a model)", err)
			}
			p := provs[tt.route]
			if len(p.chats) != 1 {
				t.Fatalf("%s got %d calls, want 1", tt.route, len(p.chats))
			}
			user := p.chats[0].Messages[1].Content
			if got := strings.Contains(user, "k-123") || strings.Contains(user, "secret/key.go"); got != tt.wantSecret {
				t.Errorf("%s model sees the local-only file: %v, want %v:\n%s", tt.route, got, tt.wantSecret, user)
			}
			if !strings.Contains(user, "File: util/math.go\n") {
				t.Errorf("%s model does not see util/math.go:\n%s", tt.route, user)
			}
		})
	}
}

// A router that cannot say which paths are local-only gets every context
// path, and keeps the request local by them as it sees fit.
func TestContextPathsReachTheRouter(t *testing.T) {
	r := &fakeRouter{targets: []providers.Target{target("q", "qwen2.5-coder:7b", "", completerProvider{answering("x")})}}
	if _, err := NewEngine(r, contextConfig(1024), nil).Complete(context.Background(), withOthers()); err != nil {
		t.Fatal(err)
	}
	want := []string{"/w/proj/cmd/main.go", "/w/proj/util/strings.go", "/w/proj/util/math.go"}
	if got := r.needs[0].Paths; !reflect.DeepEqual(got, want) {
		t.Errorf("Need.Paths = %q, want %q", got, want)
	}
	if got, min := r.needs[0].PromptTokens, estimateTokens(len(mainPrefix+mainSuffix+utilStrings+utilMath)); got < min {
		t.Errorf("Need.PromptTokens = %d, want at least %d with the other files", got, min)
	}
}

// Code Llama 34B and 70B were not trained to fill in the middle: they get
// a chat prompt even where the catalogue filled in fim = "codellama".
func TestCodeLlamaSizes(t *testing.T) {
	tests := []struct {
		id, fim string
		chat    bool
	}{
		{"codellama:7b-code", "", false},
		{"codellama:13b-code-q4_K_M", "codellama", false},
		{"codellama/CodeLlama-7b-hf", "", false},
		{"codellama:34b", "", true},
		{"codellama:34b-code-q4_0", "codellama", true},
		{"codellama/CodeLlama-34b-hf", "", true},
		{"TheBloke/CodeLlama-34B-GGUF", "", true},
		{"codellama:70b-code", "codellama", true},
		{"codellama/CodeLlama-70b-Python-hf", "", true},
	}
	for _, tt := range tests {
		p := completerProvider{answering("x")}
		e := NewEngine(&fakeRouter{targets: []providers.Target{target("c", tt.id, tt.fim, p)}}, quick(), nil)
		if _, err := e.Complete(context.Background(), at("func f() {\n\t|\n}\n")); err != nil {
			t.Fatal(err)
		}
		if gotChat := len(p.chats) == 1 && len(p.prompts) == 0; gotChat != tt.chat {
			t.Errorf("%s (fim %q): chat = %v, want %v", tt.id, tt.fim, gotChat, tt.chat)
		}
	}
}
