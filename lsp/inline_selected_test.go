package lsp_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchyard/lsp/lsptest"
	"switchyard/providers/providertest"
)

// While VS Code's suggest widget is open it sends the selected item in
// the inline completion context; ghost text is shown only when the
// suggestion starts with the item's text and uses the item's range.
func TestInlineCompletionExtendsSelectedItem(t *testing.T) {
	tests := []struct {
		name  string
		enc   string
		item  string
		reply string
		want  string // the whole result, as JSON
	}{
		{
			name:  "utf-16",
			enc:   lsptest.EncodingUTF16,
			item:  "Println",
			reply: "(s)",
			// "Pri" starts at UTF-16 unit 18: é, ü are one unit, 😀 two.
			want: `{"items":[{"insertText":"Println(s)","range":{"start":{"line":4,"character":18},"end":{"line":4,"character":21}}}]}`,
		},
		{
			name:  "utf-8",
			enc:   lsptest.EncodingUTF8,
			item:  "Println",
			reply: "(s)",
			// In bytes é and ü are two, 😀 four.
			want: `{"items":[{"insertText":"Println(s)","range":{"start":{"line":4,"character":22},"end":{"line":4,"character":25}}}]}`,
		},
		{
			name:  "answer that changes the item is dropped",
			enc:   lsptest.EncodingUTF16,
			item:  "Print",
			reply: "ln(s)",
			want:  `{"items":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewOpenAI(t)
			script(fake, providertest.Text(tt.reply))
			opts := lsptest.InitOptions{}
			if tt.enc == lsptest.EncodingUTF8 {
				opts.PositionEncodings = []string{lsptest.EncodingUTF8}
			}
			s := start(t, configText(nil, provider{"fake", fake.URL, fimModel}), opts)
			if got := s.init.PositionEncoding(); got != tt.enc {
				t.Fatalf("server chose position encoding %s, want %s", got, tt.enc)
			}
			d := s.open(t, "main.go", sample)
			wordStart := strings.LastIndex(d.text[:d.cursor], "Pri")
			params := lsptest.InlineParams(d.uri, s.Pos(d.uri, d.cursor), lsptest.InlineAutomatic)
			params.Context.SelectedCompletionInfo = &lsptest.SelectedCompletionInfo{
				Range: lsptest.Range{Start: s.Pos(d.uri, wordStart), End: s.Pos(d.uri, d.cursor)},
				Text:  tt.item,
			}
			var raw json.RawMessage
			if err := s.Call(timeout(t, 10*time.Second), "textDocument/inlineCompletion", params, &raw); err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("result is not JSON: %s", raw)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("result =\n%s\nwant\n%s", raw, tt.want)
			}

			// The model was asked to continue after the item, as if it
			// had been typed over its range.
			reqs := completions(fake)
			if len(reqs) != 1 {
				t.Fatalf("the fake received %d completion requests, want 1", len(reqs))
			}
			prompt, _ := reqs[0].Body["prompt"].(string)
			wantPrompt := "<|fim_prefix|>" + d.text[:wordStart] + tt.item + "<|fim_suffix|>" + d.text[d.cursor:] + "<|fim_middle|>"
			if !strings.HasSuffix(prompt, wantPrompt) {
				t.Errorf("prompt =\n%q\nwant it to end with\n%q", prompt, wantPrompt)
			}
		})
	}
}
