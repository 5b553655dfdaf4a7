package assist

import (
	"context"
	"strings"
	"testing"

	"switchyard/providers"
)

// selectedAt builds a request from text with "|" marking the cursor and
// "[" "]" marking the range the widget's selected item replaces.
func selectedAt(t *testing.T, marked, item string) CompletionRequest {
	t.Helper()
	start := strings.Index(marked, "[")
	marked = strings.Replace(marked, "[", "", 1)
	end := strings.Index(marked, "]")
	marked = strings.Replace(marked, "]", "", 1)
	cur := strings.Index(marked, "|")
	if start < 0 || end < 0 || cur < 0 {
		t.Fatalf("marks missing in %q", marked)
	}
	if cur < start {
		start--
	}
	if cur < end {
		end--
	}
	req := at(marked)
	req.Selected, req.SelectedStart, req.SelectedEnd = item, start, end
	return req
}

func TestCompleteExtendsSelectedItem(t *testing.T) {
	const qwen = "<|file_sep|>src/app/main.go\n<|fim_prefix|>"
	tests := []struct {
		name       string
		marked     string // "|" cursor, "[" "]" the item's range
		item       string
		answer     []string
		wantPrompt string // "" when no call is expected to matter
		want       string // "" for no suggestion
		wantRange  [2]string
	}{
		{
			name:       "item replaces the word before the cursor",
			marked:     "func main() {\n\tfmt.[Pr|]\n}\n",
			item:       "Println",
			answer:     []string{"(\"hé\")", "\n"},
			wantPrompt: qwen + "func main() {\n\tfmt.Println<|fim_suffix|>\n}\n<|fim_middle|>",
			want:       "Println(\"hé\")",
			wantRange:  [2]string{"fmt.", "\n}"},
		},
		{
			name:       "item replaces the dot, as VS Code's console.log example",
			marked:     "func main() {\n\tconsole[.|]\n}\n",
			item:       ".log",
			answer:     []string{"()", "\n"},
			wantPrompt: qwen + "func main() {\n\tconsole.log<|fim_suffix|>\n}\n<|fim_middle|>",
			want:       ".log()",
			wantRange:  [2]string{"console", "\n}"},
		},
		{
			name:       "range runs past the cursor over the rest of the word",
			marked:     "func main() {\n\tfmt.[Pr|intf]\n}\n",
			item:       "Println",
			answer:     []string{"(x)", "\n"},
			wantPrompt: qwen + "func main() {\n\tfmt.Println<|fim_suffix|>\n}\n<|fim_middle|>",
			want:       "Println(x)",
			wantRange:  [2]string{"fmt.", "\n}"},
		},
		{
			name:       "multibyte text before the item",
			marked:     "s := \"é😀\"; fmt.[Pri|]\n",
			item:       "Println",
			answer:     []string{"(s)", "\n"},
			wantPrompt: qwen + "s := \"é😀\"; fmt.Println<|fim_suffix|>\n<|fim_middle|>",
			want:       "Println(s)",
			wantRange:  [2]string{"fmt.", "\n"},
		},
		{
			name:   "answer that turns the item into another word is dropped",
			marked: "func main() {\n\tconsole.[lo|]\n}\n",
			item:   "log",
			answer: []string{"ger.info()", "\n"},
		},
		{
			name:   "whitespace answer gives nothing",
			marked: "x := fmt.[Pr|]\n",
			item:   "Println",
			answer: []string{"  ", "\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := completerProvider{answering(tt.answer...)}
			r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:7b", "", p)}}
			req := selectedAt(t, tt.marked, tt.item)
			got, err := NewEngine(r, quick(), nil).Complete(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.prompts) != 1 {
				t.Fatalf("model calls = %d, want 1", len(p.prompts))
			}
			if tt.wantPrompt != "" && p.prompts[0].Prompt != tt.wantPrompt {
				t.Errorf("prompt =\n%q\nwant (the item as if typed)\n%q", p.prompts[0].Prompt, tt.wantPrompt)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("suggestions = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("suggestions = %+v, want one", got)
			}
			s := got[0]
			if s.Text != tt.want || !strings.HasPrefix(s.Text, tt.item) {
				t.Errorf("text = %q, want %q (starting with the item %q)", s.Text, tt.want, tt.item)
			}
			text := req.Doc.Text
			wantStart := strings.LastIndex(text[:req.SelectedStart+1], tt.wantRange[0]) + len(tt.wantRange[0])
			wantEnd := strings.Index(text[req.Offset:], tt.wantRange[1]) + req.Offset
			if s.Start != wantStart || s.End != wantEnd || s.Start != req.SelectedStart || s.End < req.SelectedEnd {
				t.Errorf("range = %d..%d, want %d..%d (the item's range %d..%d)", s.Start, s.End, wantStart, wantEnd, req.SelectedStart, req.SelectedEnd)
			}
			applied := text[:s.Start] + s.Text + text[s.End:]
			if !strings.Contains(applied, tt.want+tt.wantRange[1]) {
				t.Errorf("accepting gives %q", applied)
			}
		})
	}
}

// Typing after the item's range, with the widget still open, keeps what
// was typed between the item and the suggestion.
func TestCompleteSelectedCursorAfterRange(t *testing.T) {
	p := completerProvider{answering("x)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:7b", "", p)}}
	req := selectedAt(t, "v := fmt.[Pr](|\n", "Println")
	got, err := NewEngine(r, quick(), nil).Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.prompts[0].Prompt, "v := fmt.Println(<|fim_suffix|>") {
		t.Errorf("prompt = %q", p.prompts[0].Prompt)
	}
	if len(got) != 1 || got[0].Text != "Println(x)" || got[0].Start != req.SelectedStart || got[0].End != req.Offset {
		t.Errorf("suggestions = %+v, want Println(x) over %d..%d", got, req.SelectedStart, req.Offset)
	}
}

func TestCompleteSelectedBadRange(t *testing.T) {
	p := completerProvider{answering("x")}
	r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:7b", "", p)}}
	e := NewEngine(r, quick(), nil)
	req := at("s := \"é|\"\n")
	// Byte 7 is inside "é".
	req.Selected, req.SelectedStart, req.SelectedEnd = "é", 7, 8
	if _, err := e.Complete(context.Background(), req); err == nil || !strings.Contains(err.Error(), "character boundary") {
		t.Errorf("err = %v, want a character-boundary error", err)
	}
	// An item after the cursor cannot be extended by a suggestion at it.
	req = at("a|bc\n")
	req.Selected, req.SelectedStart, req.SelectedEnd = "bcd", 2, 3
	if got, err := e.Complete(context.Background(), req); err != nil || len(got) != 0 {
		t.Errorf("got %+v, %v; want nothing", got, err)
	}
	if n := r.calls.Load(); n != 0 {
		t.Errorf("model calls = %d, want 0", n)
	}
}

// A suggestion made for a selected item is not served to a request where
// the same text was typed, nor the other way round: one goes over the
// item's range, the other at the cursor.
func TestCompleteCacheKeepsSelectedApart(t *testing.T) {
	p := completerProvider{answering("(s)", "\n")}
	r := &fakeRouter{targets: []providers.Target{target("qwen", "qwen2.5-coder:7b", "", p)}}
	e := NewEngine(r, quick(), nil)
	ctx := context.Background()

	sel := selectedAt(t, "fmt.[Pr|]\n", "Println")
	typed := at("fmt.Println|\n")

	first, err := e.Complete(ctx, sel)
	if err != nil || len(first) != 1 || first[0].Cached {
		t.Fatalf("first = %+v, %v", first, err)
	}
	plain, err := e.Complete(ctx, typed)
	if err != nil || len(plain) != 1 {
		t.Fatalf("plain = %+v, %v", plain, err)
	}
	if plain[0].Cached || plain[0].Text != "(s)" || plain[0].Start != typed.Offset || plain[0].End != typed.Offset {
		t.Errorf("plain request got %+v, want a fresh \"(s)\" at the cursor", plain[0])
	}
	again, err := e.Complete(ctx, sel)
	if err != nil || len(again) != 1 {
		t.Fatalf("again = %+v, %v", again, err)
	}
	if !again[0].Cached || again[0].Text != "Println(s)" || again[0].Start != sel.SelectedStart || again[0].End != sel.SelectedEnd {
		t.Errorf("repeated selected request got %+v, want cached Println(s) over the item's range", again[0])
	}
	if n := len(p.prompts); n != 2 {
		t.Errorf("model calls = %d, want 2", n)
	}
}
