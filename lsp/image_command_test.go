package lsp_test

// The image feature over the protocol, against the built server and a
// fake OpenAI-compatible vision model: the code action on a Markdown
// image resolved into a new component file, switchyard.implementFromImage
// with a pasted image inserting at the cursor, and a new file opened with
// window/showDocument.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/assist/images/imagestest"
	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

const imageConfig = `[providers.fake]
type = "openai"
base_url = %q
timeout = "20s"
data = { local = false }

[models.eyes]
provider = "fake"
id = "fake-vision"
vision = true

[routes]
image = ["eyes"]
`

const componentCode = "export default function Mock() {\n  return <h1>Acme - Sign in</h1>;\n}\n"

var componentAnswer = []string{"```tsx\n", "export default function Mock() {\n", "  return <h1>Acme - Sign in</h1>;\n}\n", "```\n"}

// imageEnv is a server whose workspace is a React project with a README
// that shows a mockup.
type imageEnv struct {
	*lsptest.Client
	fake *providertest.OpenAI
	dir  string
}

// imageCallBound ends a hung image command. Decoding and scaling the
// image under -race on a busy machine took over 30 s once, with nothing
// wrong; an answer comes as soon as it is ready.
const imageCallBound = 2 * time.Minute

func startImage(t *testing.T) *imageEnv {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	fake.SetModels("fake-vision")
	fake.SetDefault(providertest.Text(componentAnswer...))
	dir, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	for name, data := range map[string][]byte{
		"package.json":   []byte(`{"dependencies":{"react":"^19.0.0"}}`),
		"tsconfig.json":  []byte("{}"),
		"docs/mock.png":  imagestest.PNG(imagestest.Mockup(800, 500)),
		"docs/README.md": []byte(readmeText),
	} {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, data, 0o644))
	}
	c := lsptest.Start(t, lsptest.Options{Config: writeConfig(t, fmt.Sprintf(imageConfig, fake.URL))})
	c.Handle("window/showDocument", func(context.Context, json.RawMessage) (any, error) {
		return map[string]any{"success": true}, nil
	})
	if _, err := c.Initialize(timeout(t, 20*time.Second), lsptest.InitOptions{RootURI: fileURI(dir), Capabilities: vscodeCaps(true)}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return &imageEnv{Client: c, fake: fake, dir: dir}
}

const readmeText = "# Login\n\nThe screen:\n\n![](mock.png)\n"

// sentImage returns the image of the last chat request, decoded from its
// image_url data URI, with the URI's media type.
func (e *imageEnv) sentImage(t *testing.T) (string, image.Config) {
	t.Helper()
	var url string
	for _, r := range e.fake.Requests() {
		if r.Endpoint != "chat" {
			continue
		}
		msgs, _ := r.Body["messages"].([]any)
		user, _ := msgs[len(msgs)-1].(map[string]any)
		parts, _ := user["content"].([]any)
		for _, p := range parts {
			if m, _ := p.(map[string]any); m["type"] == "image_url" {
				url, _ = m["image_url"].(map[string]any)["url"].(string)
			}
		}
	}
	meta, data, ok := strings.Cut(url, ",")
	if !ok {
		t.Fatalf("no image_url data URI in the chat requests")
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	must(t, err)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	must(t, err)
	return strings.TrimSuffix(strings.TrimPrefix(meta, "data:"), ";base64"), cfg
}

func TestImageCodeActionResolvesToANewComponent(t *testing.T) {
	e := startImage(t)
	readme := filepath.Join(e.dir, "docs", "README.md")
	uri := fileURI(readme)
	must(t, e.Open(uri, "markdown", readmeText))
	pos := e.Pos(uri, strings.Index(readmeText, "![](")+2)

	var actions []map[string]any
	err := e.Call(timeout(t, 10*time.Second), "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": pos, "end": pos},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &actions)
	must(t, err)
	if n := len(e.fake.Requests()); n != 0 {
		t.Fatalf("listing code actions made %d model requests", n)
	}
	var implement, describe map[string]any
	for _, a := range actions {
		switch a["title"] {
		case "Implement from mock.png":
			implement = a
		case "Describe mock.png":
			describe = a
		}
	}
	if implement == nil || describe == nil {
		t.Fatalf("actions %v, want Implement from mock.png and Describe mock.png", actions)
	}
	if describe["command"] == nil {
		t.Errorf("Describe shows an answer, so it must be a command: %v", describe)
	}

	var resolved struct {
		Edit struct {
			DocumentChanges []json.RawMessage `json:"documentChanges"`
		} `json:"edit"`
	}
	must(t, e.Call(timeout(t, imageCallBound), "codeAction/resolve", implement, &resolved))
	want := fileURI(filepath.Join(e.dir, "docs", "Mock.tsx"))
	dc := resolved.Edit.DocumentChanges
	if len(dc) != 2 {
		t.Fatalf("documentChanges = %s, want a create and its text", dc)
	}
	var create struct {
		Kind, URI string
		Options   map[string]bool
	}
	must(t, json.Unmarshal(dc[0], &create))
	if create.Kind != "create" || create.URI != want || create.Options["overwrite"] {
		t.Errorf("first change %s, want a create of %s that overwrites nothing", dc[0], want)
	}
	var text struct {
		TextDocument struct {
			URI     string `json:"uri"`
			Version *int32 `json:"version"`
		} `json:"textDocument"`
		Edits []struct {
			NewText string `json:"newText"`
		} `json:"edits"`
	}
	must(t, json.Unmarshal(dc[1], &text))
	if text.TextDocument.URI != want || len(text.Edits) != 1 || text.Edits[0].NewText != componentCode {
		t.Errorf("second change %s, want the component's code in %s", dc[1], want)
	}
	mime, cfg := e.sentImage(t)
	if mime != "image/png" || cfg.Width != 800 || cfg.Height != 500 {
		t.Errorf("the model got %s %dx%d, want the PNG at 800x500", mime, cfg.Width, cfg.Height)
	}
}

func TestImplementFromImageCommand(t *testing.T) {
	e := startImage(t)
	app := "export function App() {\n  return (\n    <main>\n    </main>\n  );\n}\n"
	appPath := filepath.Join(e.dir, "src", "App.tsx")
	must(t, os.MkdirAll(filepath.Dir(appPath), 0o755))
	must(t, os.WriteFile(appPath, []byte(app), 0o644))
	appURI := fileURI(appPath)
	must(t, e.Open(appURI, "typescriptreact", app))
	cursor := e.Pos(appURI, strings.Index(app, "    </main>"))
	pasted := "data:image/png;base64," + base64.StdEncoding.EncodeToString(imagestest.PNG(imagestest.Mockup(3000, 900)))

	t.Run("pasted at the cursor", func(t *testing.T) {
		var res struct {
			URI     string `json:"uri"`
			Created bool   `json:"created"`
		}
		err := e.Call(timeout(t, imageCallBound), "workspace/executeCommand", map[string]any{
			"command": "switchyard.implementFromImage",
			"arguments": []any{map[string]any{
				"image": pasted, "uri": appURI, "range": map[string]any{"start": cursor, "end": cursor},
				"instruction": "plain CSS",
			}},
			"workDoneToken": "image-1",
		}, &res)
		must(t, err)
		if res.URI != appURI || res.Created {
			t.Errorf("result %+v, want the code in App.tsx", res)
		}
		edits := e.Requests("workspace/applyEdit")
		if len(edits) != 1 {
			t.Fatalf("%d workspace/applyEdit requests, want 1", len(edits))
		}
		var p struct {
			Edit struct {
				DocumentChanges []struct {
					TextDocument struct {
						URI     string `json:"uri"`
						Version int32  `json:"version"`
					} `json:"textDocument"`
					Edits []struct {
						Range struct {
							Start lsptest.Position `json:"start"`
						} `json:"range"`
						NewText string `json:"newText"`
					} `json:"edits"`
				} `json:"documentChanges"`
			} `json:"edit"`
		}
		must(t, json.Unmarshal(edits[0].Params, &p))
		dc := p.Edit.DocumentChanges
		if len(dc) != 1 || dc[0].TextDocument.URI != appURI || dc[0].TextDocument.Version != 1 ||
			len(dc[0].Edits) != 1 || dc[0].Edits[0].NewText != componentCode || dc[0].Edits[0].Range.Start != cursor {
			t.Errorf("applyEdit %s, want the code at %v of App.tsx version 1", edits[0].Params, cursor)
		}
		// OpenAI's high detail: short side 768 for this 10:3 image.
		if _, cfg := e.sentImage(t); cfg.Width != 2048 || cfg.Height != 614 {
			t.Errorf("the model got %dx%d, want 2048x614", cfg.Width, cfg.Height)
		}
		var kinds []string
		for _, n := range e.Notifications("$/progress") {
			var pr struct {
				Token string `json:"token"`
				Value struct {
					Kind string `json:"kind"`
				} `json:"value"`
			}
			if json.Unmarshal(n.Params, &pr) == nil && pr.Token == "image-1" {
				kinds = append(kinds, pr.Value.Kind)
			}
		}
		if len(kinds) < 2 || kinds[0] != "begin" || kinds[len(kinds)-1] != "end" {
			t.Errorf("progress for image-1 went %v, want begin ... end", kinds)
		}
	})

	t.Run("no range makes a new file and shows it", func(t *testing.T) {
		var res struct {
			URI     string `json:"uri"`
			Created bool   `json:"created"`
		}
		err := e.Call(timeout(t, imageCallBound), "workspace/executeCommand", map[string]any{
			"command":   "switchyard.implementFromImage",
			"arguments": []any{map[string]any{"image": "docs/mock.png", "uri": appURI, "framework": "svelte"}},
		}, &res)
		must(t, err)
		want := fileURI(filepath.Join(e.dir, "src", "Mock.svelte"))
		if res.URI != want || !res.Created {
			t.Errorf("result %+v, want a new %s", res, want)
		}
		shown := e.Requests("window/showDocument")
		if len(shown) != 1 || !strings.Contains(string(shown[0].Params), want) {
			t.Errorf("window/showDocument requests %v, want one for %s", shown, want)
		}
	})

	t.Run("a file that is not an image", func(t *testing.T) {
		must(t, os.WriteFile(filepath.Join(e.dir, "docs", "fake.png"), []byte("<svg/>"), 0o644))
		before := len(e.fake.Requests())
		err := e.Call(timeout(t, 10*time.Second), "workspace/executeCommand", map[string]any{
			"command":   "switchyard.implementFromImage",
			"arguments": []any{map[string]any{"image": "docs/fake.png", "uri": appURI}},
		}, nil)
		var re *lsptest.ResponseError
		if !errors.As(err, &re) || !strings.Contains(re.Message, "SVG") {
			t.Errorf("err = %v, want an error saying it is SVG", err)
		}
		if n := len(e.fake.Requests()) - before; n != 0 {
			t.Errorf("%d model requests for a file that is not an image", n)
		}
	})
}

func TestImplementFromImageCancel(t *testing.T) {
	e := startImage(t)
	e.fake.Enqueue(providertest.Reply{Pieces: []string{"```tsx\n"}, Hang: true})
	readme := filepath.Join(e.dir, "docs", "README.md")
	must(t, e.Open(fileURI(readme), "markdown", readmeText))
	p, err := e.Send("workspace/executeCommand", map[string]any{
		"command":   "switchyard.implementFromImage",
		"arguments": []any{map[string]any{"image": "docs/mock.png", "uri": fileURI(readme)}},
	})
	must(t, err)
	ctx := timeout(t, 20*time.Second)
	must(t, e.WaitFor(ctx, func() bool {
		for _, r := range e.fake.Requests() {
			if r.Endpoint == "chat" {
				return true
			}
		}
		return false
	}))
	must(t, e.Cancel(p.ID))
	err = p.Wait(ctx, nil)
	var re *lsptest.ResponseError
	if !errors.As(err, &re) || re.Code != lsptest.CodeRequestCancelled {
		t.Fatalf("err = %v, want RequestCancelled", err)
	}
	if !e.fake.WaitClosed(5 * time.Second) {
		t.Error("the model's stream was left open after the cancel")
	}
	if n := len(e.Requests("workspace/applyEdit")); n != 0 {
		t.Errorf("%d edits sent after the cancel", n)
	}
}
