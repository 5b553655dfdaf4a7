package assist

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of what the fakes received
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/assist/images"
	"switchyard/assist/images/imagestest"
	"switchyard/config"
	"switchyard/providers/providertest"
	"switchyard/providers/router"
)

const mockCode = "export default function Mock() {\n  return <h1>Acme - Sign in</h1>;\n}\n"

// mockAnswer is a model's answer as it streams: a fenced block in pieces.
var mockAnswer = []string{"```tsx\n", "export default function Mock() {\n", "  return <h1>Acme - Sign in</h1>;\n}\n", "```\n"}

// workspace lays out a React project with a README that shows a mockup.
// The mockup is a phone photo (JPEG) carrying GPS EXIF, wider than every
// provider's limit.
func workspace(t *testing.T, img []byte) (root string, readme Document) {
	t.Helper()
	root = t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", []byte(`{"dependencies":{"react":"^19.0.0"}}`))
	write("tsconfig.json", []byte(`{}`))
	write("docs/mock.png", img) // a JPEG saved as .png: the content decides
	text := "# Login\n\nThe screen:\n\n![login](mock.png)\n"
	write("docs/README.md", []byte(text))
	return root, Document{URI: "file://" + filepath.Join(root, "docs/README.md"), Path: filepath.Join(root, "docs/README.md"), LanguageID: "markdown", Version: 3, Text: text}
}

var (
	gpsOnce  sync.Once
	gpsPhoto []byte
)

const photoLat = 48.858370

// photo is a 3200x1000 mockup as a JPEG with GPS EXIF, made once.
func photo() []byte {
	gpsOnce.Do(func() {
		gpsPhoto = imagestest.WithEXIF(imagestest.JPEG(imagestest.Mockup(3200, 1000)), imagestest.EXIF{GPS: true, Lat: photoLat, Lon: 2.294481})
	})
	return gpsPhoto
}

// cursorOn returns a request whose cursor is inside the first occurrence
// of s in doc.
func cursorOn(doc Document, s string, folders ...string) ActionRequest {
	off := strings.Index(doc.Text, s) + 2
	return ActionRequest{Selection: Selection{Doc: doc, Start: off, End: off}, Folders: folders, Open: []Document{doc}}
}

func newActions(t *testing.T, cfg *config.Config) *Actions {
	t.Helper()
	r, err := router.New(cfg, router.Options{RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return NewActions(r, cfg, Options{AnswerDir: t.TempDir()})
}

func oneModel(p config.Provider, id string, vision bool) *config.Config {
	cfg := config.Defaults()
	cfg.Providers = map[string]config.Provider{"p": p}
	cfg.Models = map[string]config.Model{"m": {Provider: "p", ID: id, Vision: vision}}
	cfg.Routes = map[string][]string{config.TaskImage: {"m"}}
	return cfg
}

func isolateAWS(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_BEARER_TOKEN_BEDROCK": "", "AWS_ENDPOINT_URL": "",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "", "AWS_CA_BUNDLE": "",
	} {
		t.Setenv(k, v)
	}
}

func dig(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func b64(t *testing.T, v any) []byte {
	t.Helper()
	s, _ := v.(string)
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(data) == 0 {
		t.Fatalf("image data %.40q... is not base64: %v", s, err)
	}
	return data
}

// sent is the image a fake received and what the vendor's format says
// about it.
type sent struct {
	mime string // "" where the format carries none (Ollama)
	data []byte
}

// TestImageReachesEachProviderAsDocumented drives the whole path: a code
// action on ![login](mock.png), the router, the real provider client and
// a fake server speaking the vendor's wire format. The image must arrive
// in the vendor's documented encoding, inside its limits, and without
// the photo's GPS EXIF; the answer becomes a new component file.
func TestImageReachesEachProviderAsDocumented(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) (config.Provider, string, func(t *testing.T) sent)
		// long side the vendor's limit allows for this 3200x1000 photo
		maxLong int
	}{
		{"openai", func(t *testing.T) (config.Provider, string, func(t *testing.T) sent) {
			f := providertest.NewOpenAI(t)
			f.Enqueue(providertest.Text(mockAnswer...))
			t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
			return config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", func(t *testing.T) sent {
				// "content": [{"type":"text"...}, {"type":"image_url","image_url":{"url":"data:..."}}]
				parts, _ := dig(f.Last(t).Body, "messages", 1, "content").([]any)
				for _, p := range parts {
					if dig(p, "type") == "image_url" {
						url, _ := dig(p, "image_url", "url").(string)
						meta, data, ok := strings.Cut(url, ",")
						if !ok || !strings.HasPrefix(meta, "data:") || !strings.HasSuffix(meta, ";base64") {
							t.Fatalf("image_url.url = %.60q, want a base64 data URI", url)
						}
						return sent{strings.TrimSuffix(strings.TrimPrefix(meta, "data:"), ";base64"), b64(t, data)}
					}
				}
				t.Fatalf("no image_url part in %v", parts)
				return sent{}
			}
		}, 2048},
		{"anthropic", func(t *testing.T) (config.Provider, string, func(t *testing.T) sent) {
			f := providertest.NewAnthropic(t)
			f.Enqueue(providertest.Text(mockAnswer...))
			t.Setenv("SWITCHYARD_TEST_KEY", "sk-ant-test")
			return config.Provider{Type: "anthropic", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "claude-sonnet-4-5", func(t *testing.T) sent {
				// {"type":"image","source":{"type":"base64","media_type":...,"data":...}}
				parts, _ := dig(f.Last(t).Body, "messages", 0, "content").([]any)
				for _, p := range parts {
					if dig(p, "type") == "image" {
						if dig(p, "source", "type") != "base64" {
							t.Errorf("source.type = %v, want base64", dig(p, "source", "type"))
						}
						return sent{dig(p, "source", "media_type").(string), b64(t, dig(p, "source", "data"))}
					}
				}
				t.Fatalf("no image block in %v", parts)
				return sent{}
			}
		}, 1568},
		{"bedrock", func(t *testing.T) (config.Provider, string, func(t *testing.T) sent) {
			isolateAWS(t)
			f := providertest.NewBedrock(t)
			f.Enqueue(providertest.BedrockReply{Pieces: mockAnswer})
			return config.Provider{Type: "bedrock", Region: "us-west-2", BaseURL: f.URL}, "us.anthropic.claude-3-5-sonnet-20241022-v2:0", func(t *testing.T) sent {
				reqs := f.Requests()
				if len(reqs) != 1 {
					t.Fatalf("%d requests, want 1", len(reqs))
				}
				// ImageBlock: {"image":{"format":"jpeg","source":{"bytes":...}}},
				// the SDK's raw bytes as base64 in the JSON protocol.
				parts, _ := dig(reqs[0].Body, "messages", 0, "content").([]any)
				for _, p := range parts {
					if img := dig(p, "image"); img != nil {
						return sent{"image/" + dig(img, "format").(string), b64(t, dig(img, "source", "bytes"))}
					}
				}
				t.Fatalf("no image block in %v", parts)
				return sent{}
			}
		}, 1568},
		{"vertex", func(t *testing.T) (config.Provider, string, func(t *testing.T) sent) {
			f := providertest.NewGemini(t)
			f.Enqueue(providertest.Text(mockAnswer...))
			t.Setenv("SWITCHYARD_TEST_KEY", "ya29.test")
			return config.Provider{Type: "vertex", BaseURL: f.URL, Project: "p", Region: "us-central1", APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gemini-2.5-pro", func(t *testing.T) sent {
				// {"inlineData":{"mimeType":...,"data":...}}
				parts, _ := dig(f.Last(t).Body, "contents", 0, "parts").([]any)
				for _, p := range parts {
					if d := dig(p, "inlineData"); d != nil {
						return sent{dig(d, "mimeType").(string), b64(t, dig(d, "data"))}
					}
				}
				t.Fatalf("no inlineData part in %v", parts)
				return sent{}
			}
		}, 3072},
		{"ollama", func(t *testing.T) (config.Provider, string, func(t *testing.T) sent) {
			f := providertest.NewOllama(t, providertest.OllamaModel{Name: "llava:13b", Capabilities: []string{"completion", "vision"}})
			f.Enqueue(providertest.OllamaReply{Pieces: mockAnswer})
			return config.Provider{Type: "ollama", BaseURL: f.URL}, "llava:13b", func(t *testing.T) sent {
				for _, r := range f.Requests() {
					if r.Path != "/api/chat" {
						continue
					}
					// "images": ["<base64>"] on the user message, no MIME.
					imgs, _ := dig(r.Body, "messages", 1, "images").([]any)
					if len(imgs) != 1 {
						t.Fatalf("images = %v, want one", imgs)
					}
					return sent{"", b64(t, imgs[0])}
				}
				t.Fatal("no /api/chat request")
				return sent{}
			}
		}, 1568},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prov, id, received := tt.setup(t)
			a := newActions(t, oneModel(prov, id, true))
			root, readme := workspace(t, photo())

			var steps []string
			req := cursorOn(readme, "![login]", root)
			req.Action = ActionImplementImage
			req.Progress = func(p Progress) { steps = append(steps, p.Message) }
			res, err := a.Run(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}

			got := received(t)
			cfg, format, err := image.DecodeConfig(bytes.NewReader(got.data))
			if err != nil {
				t.Fatalf("the image sent does not decode: %v", err)
			}
			if got.mime != "" && got.mime != "image/"+format {
				t.Errorf("declared %s but the bytes are %s", got.mime, format)
			}
			if cfg.Width != tt.maxLong || cfg.Height != tt.maxLong*1000/3200 {
				t.Errorf("sent %dx%d, want %dx%d: downscaled to the limit, aspect kept", cfg.Width, cfg.Height, tt.maxLong, tt.maxLong*1000/3200)
			}
			for _, leak := range [][]byte{[]byte("Exif"), []byte(imagestest.CameraMake), imagestest.GPSBytes(photoLat)} {
				if bytes.Contains(got.data, leak) {
					t.Errorf("the image sent still carries %q", leak)
				}
			}

			want := filepath.Join(root, "docs", "Mock.tsx")
			if res.Edit == nil || len(res.Edit.Changes) != 2 {
				t.Fatalf("edit = %+v, want a create and its content", res.Edit)
			}
			c, e := res.Edit.Changes[0], res.Edit.Changes[1]
			if c.Op != OpCreate || c.Path != want || c.Overwrite {
				t.Errorf("first change %+v, want a create of %s that overwrites nothing", c, want)
			}
			if e.Op != OpEdit || e.Path != want || e.Base != "" || len(e.Edits) != 1 || e.Edits[0].NewText != mockCode {
				t.Errorf("second change %+v, want the code in %s", e, want)
			}
			if res.Model != "m" || res.Provider != "p" {
				t.Errorf("answered by %s via %s, want m via p", res.Model, res.Provider)
			}
			if len(steps) < 2 || !strings.Contains(steps[0], "mock.png") {
				t.Errorf("progress %q should start by reading mock.png", steps)
			}
		})
	}
}

func TestNoVisionModelSaysWhichSetting(t *testing.T) {
	f := providertest.NewOpenAI(t)
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	a := newActions(t, oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-3.5-turbo", false))
	root, readme := workspace(t, imagestest.PNG(imagestest.Mockup(64, 48)))
	req := cursorOn(readme, "![login]", root)
	req.Action = ActionImplementImage
	_, err := a.runImageAction(context.Background(), req)
	if err == nil {
		t.Fatal("a model without vision was used")
	}
	for _, want := range []string{"vision", "[models.m]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q should name %q", err, want)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests reached the model without vision", n)
	}
}

var remoteEndpoint = false

func TestLocalOnlyImageStaysLocal(t *testing.T) {
	remote := providertest.NewOpenAI(t)
	remote.SetDefault(providertest.Text(mockAnswer...))
	local := providertest.NewOllama(t, providertest.OllamaModel{Name: "llava:13b", Capabilities: []string{"completion", "vision"}})
	local.Enqueue(providertest.OllamaReply{Pieces: mockAnswer})
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	cfg := config.Defaults()
	cfg.Providers = map[string]config.Provider{
		// The fake listens on 127.0.0.1, which would count as a local
		// server: say what the real endpoint is.
		"openai": {Type: "openai", BaseURL: remote.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY", Data: config.DataPolicy{Local: &remoteEndpoint}},
		"local":  {Type: "ollama", BaseURL: local.URL},
	}
	cfg.Models = map[string]config.Model{
		"gpt":   {Provider: "openai", ID: "gpt-4o", Vision: true},
		"llava": {Provider: "local", ID: "llava:13b", Vision: true},
	}
	cfg.Routes = map[string][]string{config.TaskImage: {"gpt", "llava"}}
	cfg.Policy.LocalOnly = []string{"confidential/"}
	a := newActions(t, cfg)

	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "confidential"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "confidential", "roadmap.png"), imagestest.PNG(imagestest.Mockup(64, 48)), 0o644); err != nil {
		t.Fatal(err)
	}
	text := "Next quarter: ![plan](confidential/roadmap.png)\n"
	doc := Document{URI: "file://" + filepath.Join(root, "NOTES.md"), Path: filepath.Join(root, "NOTES.md"), LanguageID: "markdown", Version: 1, Text: text}
	req := cursorOn(doc, "![plan]", root)
	req.Action = ActionImplementImage
	res, err := a.runImageAction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "llava" {
		t.Errorf("answered by %s, want the local llava", res.Model)
	}
	if n := len(remote.Requests()); n != 0 {
		t.Errorf("the local-only image reached the remote provider (%d requests)", n)
	}
}

// TestFallbackEncodesForEachProvider: Anthropic is overloaded, so the
// router moves to OpenAI, which must get the image at OpenAI's limits.
func TestFallbackEncodesForEachProvider(t *testing.T) {
	claude := providertest.NewAnthropic(t)
	claude.SetDefault(providertest.AnthropicOverloaded())
	gpt := providertest.NewOpenAI(t)
	gpt.Enqueue(providertest.Text(mockAnswer...))
	t.Setenv("SWITCHYARD_TEST_KEY", "k")
	cfg := config.Defaults()
	cfg.Providers = map[string]config.Provider{
		"anthropic": {Type: "anthropic", BaseURL: claude.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"},
		"openai":    {Type: "openai", BaseURL: gpt.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"},
	}
	cfg.Models = map[string]config.Model{
		"claude": {Provider: "anthropic", ID: "claude-sonnet-4-5", Vision: true},
		"gpt":    {Provider: "openai", ID: "gpt-4o", Vision: true},
	}
	cfg.Routes = map[string][]string{config.TaskImage: {"claude", "gpt"}}
	a := newActions(t, cfg)
	root, readme := workspace(t, imagestest.PNG(imagestest.Mockup(2400, 600)))
	req := cursorOn(readme, "![login]", root)
	req.Action = ActionImplementImage
	res, err := a.runImageAction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "gpt" {
		t.Fatalf("answered by %s, want gpt after claude failed", res.Model)
	}
	dims := func(s string) string {
		data := b64(t, s)
		c, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%dx%d", c.Width, c.Height)
	}
	var claudeSaw string
	for _, r := range claude.Requests() {
		claudeSaw = dims(dig(r.Body, "messages", 0, "content", 0, "source", "data").(string))
	}
	url := dig(gpt.Last(t).Body, "messages", 1, "content", 1, "image_url", "url").(string)
	gptSaw := dims(url[strings.IndexByte(url, ',')+1:])
	if claudeSaw != "1568x392" || gptSaw != "2048x512" {
		t.Errorf("claude got %s (want 1568x392), gpt got %s (want 2048x512)", claudeSaw, gptSaw)
	}
}

func TestImplementFromImageCommand(t *testing.T) {
	f := providertest.NewOpenAI(t)
	f.SetDefault(providertest.Text(mockAnswer...))
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	a := newActions(t, oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", true))
	root, readme := workspace(t, photo())
	pasted := "data:image/png;base64," + base64.StdEncoding.EncodeToString(imagestest.PNG(imagestest.Mockup(300, 200)))

	app := "import React from 'react';\n\nexport function App() {\n  return (\n    <main>\n    </main>\n  );\n}\n"
	appDoc := Document{URI: "file://" + filepath.Join(root, "src/App.tsx"), Path: filepath.Join(root, "src/App.tsx"), LanguageID: "typescriptreact", Version: 7, Text: app}
	cursor := strings.Index(app, "    </main>")

	t.Run("pasted into a component at the cursor", func(t *testing.T) {
		if err := os.MkdirAll(filepath.Join(root, "src"), 0o755); err != nil {
			t.Fatal(err)
		}
		res, err := a.ImplementFromImage(context.Background(), ImageRequest{
			ActionRequest: ActionRequest{Selection: Selection{Doc: appDoc, Start: cursor, End: cursor}, Folders: []string{root}, Instruction: "use Tailwind classes"},
			Image:         pasted,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Edit.Changes) != 1 {
			t.Fatalf("changes = %+v, want one edit of App.tsx", res.Edit.Changes)
		}
		c := res.Edit.Changes[0]
		if c.Op != OpEdit || c.Path != appDoc.Path || c.URI != appDoc.URI || c.Version == nil || *c.Version != 7 || c.Base != app {
			t.Errorf("change %+v, want an edit of App.tsx at version 7 against its snapshot", c)
		}
		if len(c.Edits) != 1 || c.Edits[0].Start != cursor || c.Edits[0].End != cursor || c.Edits[0].NewText != mockCode {
			t.Errorf("edits %+v, want the code inserted at %d", c.Edits, cursor)
		}
		if len(res.Read) != 1 || res.Read[0].Version != 7 || !res.Read[0].Open {
			t.Errorf("read %+v, want the App.tsx snapshot at version 7", res.Read)
		}
		prompt := dig(f.Last(t).Body, "messages", 1, "content", 0, "text").(string)
		for _, want := range []string{"use Tailwind classes", "<CURSOR>", "export function App()", "React"} {
			if !strings.Contains(prompt, want) {
				t.Errorf("prompt lacks %q:\n%s", want, prompt)
			}
		}
	})

	t.Run("workspace path with a framework from a Markdown file", func(t *testing.T) {
		res, err := a.ImplementFromImage(context.Background(), ImageRequest{
			ActionRequest: ActionRequest{Selection: Selection{Doc: readme, Start: 0, End: 0}, Folders: []string{root}},
			Image:         "docs/mock.png",
			Framework:     "Vue",
		})
		if err != nil {
			t.Fatal(err)
		}
		if p := res.Edit.Changes[0].Path; p != filepath.Join(root, "docs", "Mock.vue") {
			t.Errorf("new file %s, want docs/Mock.vue", p)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "elsewhere.png")
		if err := os.WriteFile(outside, imagestest.PNG(imagestest.Mockup(20, 20)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "docs", "link.png")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "docs", "notes.png"), []byte("not an image"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := len(f.Requests())
		for _, tt := range []struct {
			image, framework, want string
			is                     error
		}{
			{outside, "", "outside the workspace", nil},
			{"docs/link.png", "", "outside the workspace", nil},
			{"docs/notes.png", "", "PNG, JPEG, GIF or WebP", images.ErrFormat},
			{"docs/missing.png", "", "no such file", nil},
			{"data:text/plain,hello", "", "base64", images.ErrBadDataURI},
			{"docs/mock.png", "angular", "react, vue", nil},
			{"", "", "no image", nil},
		} {
			_, err := a.ImplementFromImage(context.Background(), ImageRequest{
				ActionRequest: ActionRequest{Selection: Selection{Doc: readme}, Folders: []string{root}},
				Image:         tt.image, Framework: tt.framework,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("image %q: err = %v, want one saying %q", tt.image, err, tt.want)
			}
		}
		if n := len(f.Requests()) - before; n != 0 {
			t.Errorf("%d refused requests reached the model", n)
		}
	})
}

func TestCommentPathInsertsBelowIt(t *testing.T) {
	f := providertest.NewOpenAI(t)
	f.SetDefault(providertest.Text(mockAnswer...))
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	a := newActions(t, oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", true))
	root, _ := workspace(t, imagestest.PNG(imagestest.Mockup(64, 48)))
	text := "// Build the screen in ../docs/mock.png here\n\nexport {};\n"
	doc := Document{URI: "file://" + filepath.Join(root, "src/Login.tsx"), Path: filepath.Join(root, "src/Login.tsx"), LanguageID: "typescriptreact", Version: 2, Text: text}
	req := cursorOn(doc, "docs/mock", root)
	req.Action = ActionImplementImage
	res, err := a.runImageAction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Edit.Changes[0]
	next := strings.Index(text, "\n") + 1
	if c.Op != OpEdit || c.Path != doc.Path || len(c.Edits) != 1 || c.Edits[0].Start != next || c.Edits[0].NewText != mockCode {
		t.Errorf("change %+v, want the code inserted at the line below the comment (%d)", c, next)
	}
}

func TestDescribeShowsAnAnswer(t *testing.T) {
	f := providertest.NewOpenAI(t)
	f.Enqueue(providertest.Text("## Layout\n", "A blue header bar over a sign-in form.\n"))
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	a := newActions(t, oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", true))
	root, readme := workspace(t, imagestest.PNG(imagestest.Mockup(64, 48)))
	req := cursorOn(readme, "![login]", root)
	req.Action = ActionDescribeImage
	res, err := a.runImageAction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Edit != nil || res.Show == nil {
		t.Fatalf("result %+v, want a document to show and no edit", res)
	}
	data, err := os.ReadFile(res.Show.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "# Description of mock.png") || !strings.Contains(string(data), "A blue header bar") {
		t.Errorf("shown document:\n%s", data)
	}
}

func TestCancelStopsTheModel(t *testing.T) {
	f := providertest.NewOpenAI(t)
	f.Enqueue(providertest.Reply{Pieces: []string{"```tsx\n"}, Hang: true})
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	a := newActions(t, oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", true))
	root, readme := workspace(t, imagestest.PNG(imagestest.Mockup(64, 48)))
	ctx, cancel := context.WithCancel(context.Background())
	req := cursorOn(readme, "![login]", root)
	req.Action = ActionImplementImage
	req.Progress = func(p Progress) {
		if strings.Contains(p.Message, "answering") {
			cancel()
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.runImageAction(ctx, req)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling did not stop the action")
	}
	if !f.WaitClosed(5 * time.Second) {
		t.Error("the model's stream was left open after cancelling")
	}
}

// imageOffersIn keeps the image actions of a code-action list.
func imageOffersIn(all []Offer) []Offer {
	var out []Offer
	for _, o := range all {
		if strings.HasPrefix(o.ID, "image.") {
			out = append(out, o)
		}
	}
	return out
}

func TestImageOffers(t *testing.T) {
	root, readme := workspace(t, imagestest.PNG(imagestest.Mockup(64, 48)))
	a := NewActions(nil, nil, Options{})
	list := func(req ListRequest) []Offer { return imageOffersIn(a.List(req)) }
	offers := list(ListRequest{Selection: cursorOn(readme, "![login]", root).Selection})
	if len(offers) != 2 || offers[0].Title != "Implement from mock.png" || offers[1].Title != "Describe mock.png" || !offers[1].Shows {
		t.Fatalf("offers = %+v, want Implement from mock.png and Describe mock.png (shown)", offers)
	}
	if o := list(ListRequest{Selection: cursorOn(readme, "# Login", root).Selection}); len(o) != 0 {
		t.Errorf("offers away from the reference: %+v", o)
	}
	missing := readme
	missing.Text = "![x](gone.png)\n"
	if o := list(ListRequest{Selection: cursorOn(missing, "![x]", root).Selection}); len(o) != 0 {
		t.Errorf("offers for a missing file: %+v", o)
	}
	rooted := readme
	rooted.Text = "![x](/docs/mock.png)\n" // served from the site's root
	if o := list(ListRequest{Selection: cursorOn(rooted, "![x]", root).Selection}); len(o) != 2 {
		t.Errorf("offers for a root-relative path: %+v, want both", o)
	}
	if o := list(ListRequest{Selection: cursorOn(readme, "![login]", root).Selection, Only: []string{KindQuickFix}}); len(o) != 0 {
		t.Errorf("offers under only=quickfix: %+v", o)
	}
}

func TestFindImageRef(t *testing.T) {
	tests := []struct {
		name, text, at string // the cursor goes just after the first "at"
		kind           refKind
		target         string // "" for none
	}{
		{"markdown", "See ![login](mock.png) here", "![lo", refMarkdown, "mock.png"},
		{"markdown title", `![a](<my mock.png> "The mock")`, "![a", refMarkdown, "my mock.png"},
		{"markdown escaped", "![a](my%20mock.png)", "my%2", refMarkdown, "my mock.png"},
		{"markdown query", "![a](img/mock.png?raw=1)", "![a", refMarkdown, "img/mock.png"},
		{"html", `<img class="hero" src="assets/hero.jpg" alt="">`, "class", refHTML, "assets/hero.jpg"},
		{"css", "  background: url('../assets/bg.webp') no-repeat;", "url(", refCSS, "../assets/bg.webp"},
		{"css bare", "background:url(bg.gif)", "bg.", refCSS, "bg.gif"},
		{"import", "import hero from './hero.png';", "import", refImport, "./hero.png"},
		{"require", `const logo = require("./logo.jpeg")`, "require", refImport, "./logo.jpeg"},
		{"comment", "// layout as in designs/login@2x.png, roughly", "designs/lo", refPath, "designs/login@2x.png"},
		{"remote", "![x](https://example.com/a.png)", "![x", 0, ""},
		{"data", "![x](data:image/png;base64,iVBOR)", "![x", 0, ""},
		{"not an image", "![doc](spec.pdf)", "![doc", 0, ""},
		{"elsewhere on the line", "![a](mock.png) and some more words", "some more", 0, ""},
		{"another line", "![a](mock.png)\nplain text", "plain", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := strings.Index(tt.text, tt.at) + len(tt.at)
			ref, ok := findImageRef(tt.text, off, off)
			if tt.target == "" {
				if ok {
					t.Errorf("found %+v, want nothing", ref)
				}
				return
			}
			if !ok || ref.kind != tt.kind || ref.target != tt.target {
				t.Errorf("found %+v (%v), want kind %d target %q", ref, ok, tt.kind, tt.target)
			}
		})
	}
	// A selection that covers the reference counts too.
	text := "intro\n![a](mock.png)\n"
	if _, ok := findImageRef(text, 0, len(text)); !ok {
		t.Error("a selection over the reference found nothing")
	}
}

func TestChooseFramework(t *testing.T) {
	dir := func(files map[string]string) string {
		root := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	tests := []struct {
		name    string
		files   map[string]string
		doc     string // file name of the document
		asked   string
		want    string
		wantExt string
	}{
		{"react ts", map[string]string{"package.json": `{"dependencies":{"react":"19"}}`, "tsconfig.json": "{}"}, "README.md", "", "react", ".tsx"},
		{"react js", map[string]string{"package.json": `{"dependencies":{"next":"15"}}`}, "README.md", "", "react", ".jsx"},
		{"vue", map[string]string{"package.json": `{"devDependencies":{"vue":"3"}}`}, "README.md", "", "vue", ".vue"},
		{"svelte", map[string]string{"package.json": `{"devDependencies":{"@sveltejs/kit":"2"}}`}, "notes.md", "", "svelte", ".svelte"},
		{"flutter", map[string]string{"pubspec.yaml": "dependencies:\n  flutter:\n    sdk: flutter\n"}, "README.md", "", "flutter", ".dart"},
		{"swiftui", map[string]string{"Package.swift": "// swift-tools-version:5.9"}, "README.md", "", "swiftui", ".swift"},
		{"nothing", nil, "README.md", "", "html", ".html"},
		{"document wins", map[string]string{"package.json": `{"dependencies":{"react":"19"}}`}, "Login.vue", "", "vue", ".vue"},
		{"asked wins", map[string]string{"package.json": `{"dependencies":{"react":"19"}}`}, "Login.vue", "flutter", "flutter", ".dart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := dir(tt.files)
			doc := Document{Path: filepath.Join(root, tt.doc)}
			f, err := chooseFramework(tt.asked, doc, []string{root})
			if err != nil {
				t.Fatal(err)
			}
			if f.ID != tt.want || f.Ext != tt.wantExt {
				t.Errorf("got %s (%s), want %s (%s)", f.ID, f.Ext, tt.want, tt.wantExt)
			}
		})
	}
	names := []struct{ image, framework, file string }{
		{"login-screen@2x.png", "react", "LoginScreen.tsx"},
		{"login-screen.png", "swiftui", "LoginScreenView.swift"},
		{"login_screen.png", "flutter", "login_screen.dart"},
		{"Login Screen.png", "html", "login-screen.html"},
		{"2024-mock.png", "vue", "Screen2024Mock.vue"},
	}
	for _, n := range names {
		if got := componentFile(componentName(n.image), frameworks[n.framework]); got != n.file {
			t.Errorf("%s for %s: %s, want %s", n.image, n.framework, got, n.file)
		}
	}
}

func TestExtractCode(t *testing.T) {
	tests := []struct{ answer, want string }{
		{"```tsx\nconst a = 1;\n```\n", "const a = 1;\n"},
		{"Here you go:\n\n```html\n<p>hi</p>\n```\nEnjoy.", "<p>hi</p>\n"},
		{"````md\n```js\nx\n```\n````", "```js\nx\n```\n"},
		{"```swift\nText(\"cut", "Text(\"cut"},
		{"const a = 1;", "const a = 1;\n"},
	}
	for _, tt := range tests {
		if got := extractCode(tt.answer); got != tt.want {
			t.Errorf("extractCode(%q) = %q, want %q", tt.answer, got, tt.want)
		}
	}
}

func TestImageLimitDefaultsAgree(t *testing.T) {
	got := imageLimits(config.Defaults())
	want := images.Limits{MaxFileBytes: images.DefaultMaxFileBytes, MaxPixels: images.DefaultMaxPixels, MaxImages: images.DefaultMaxImages}
	if got != want {
		t.Errorf("config.Defaults() gives %+v, the images package's defaults are %+v", got, want)
	}
}

// A limit lowered in the configuration refuses, from the next request on,
// an image that passed before, and the refusal names the setting.
func TestConfiguredImageLimitsApplyOnTheNextRequest(t *testing.T) {
	f := providertest.NewOpenAI(t)
	f.SetDefault(providertest.Text(mockAnswer...))
	t.Setenv("SWITCHYARD_TEST_KEY", "sk-test")
	cfg := oneModel(config.Provider{Type: "openai", BaseURL: f.URL, APIKeyEnv: "SWITCHYARD_TEST_KEY"}, "gpt-4o", true)
	a := newActions(t, cfg)
	root, readme := workspace(t, photo()) // 3200x1000, 3.2 megapixels
	// A 300x200 PNG carrying 1.5 MB of text chunk: small in pixels,
	// large in bytes.
	padded := imagestest.WithPNGChunk(imagestest.PNG(imagestest.Mockup(300, 200)), "tEXt", append([]byte("Comment\x00"), bytes.Repeat([]byte("x"), 3<<19)...))
	pasted := "data:image/png;base64," + base64.StdEncoding.EncodeToString(padded)
	if err := os.WriteFile(filepath.Join(root, "docs/padded.png"), padded, 0o644); err != nil {
		t.Fatal(err)
	}

	run := func() map[string]error {
		errs := map[string]error{}
		req := cursorOn(readme, "![login]", root)
		req.Action = ActionDescribeImage
		_, errs["describe mock.png"] = a.runImageAction(context.Background(), req)
		for _, img := range []string{"docs/mock.png", pasted, "docs/padded.png"} {
			name := img
			if strings.HasPrefix(img, "data:") {
				name = "pasted"
			}
			_, errs["implement "+name] = a.ImplementFromImage(context.Background(), ImageRequest{
				ActionRequest: ActionRequest{Selection: Selection{Doc: readme}, Folders: []string{root}},
				Image:         img,
			})
		}
		return errs
	}
	for what, err := range run() {
		if err != nil {
			t.Fatalf("%s under the default limits: %v", what, err)
		}
	}
	before := len(f.Requests())

	lowered := cfg.Clone()
	lowered.Images.MaxPixels = 2
	lowered.Images.MaxFileMB = 1
	a.Update(a.state.Load().router, lowered)
	want := map[string]struct {
		kind    error
		setting string
	}{
		"describe mock.png":         {images.ErrTooManyPixels, "images.max_pixels"},
		"implement docs/mock.png":   {images.ErrTooManyPixels, "images.max_pixels"},
		"implement pasted":          {images.ErrFileTooLarge, "images.max_file_mb"},
		"implement docs/padded.png": {images.ErrFileTooLarge, "images.max_file_mb"},
	}
	for what, err := range run() {
		w := want[what]
		if !errors.Is(err, w.kind) || !strings.Contains(err.Error(), w.setting) {
			t.Errorf("%s after lowering the limits: err = %v, want %v naming %s", what, err, w.kind, w.setting)
		}
	}
	if n := len(f.Requests()) - before; n != 0 {
		t.Errorf("%d refused images reached the model", n)
	}
	if err := run()["describe mock.png"]; !strings.Contains(fmt.Sprint(err), "3.2 megapixels), at most 2.0 are decoded (images.max_pixels)") {
		t.Errorf("the refusal should give the image's size and the configured limit: %v", err)
	}
}
