package assist

import (
	"slices"
	"strings"
	"testing"
)

func TestInferFamily(t *testing.T) {
	tests := []struct {
		id   string
		want *family
	}{
		{"qwen2.5-coder:7b", familyQwen},
		{"qwen2.5-coder:1.5b-base-q8_0", familyQwen},
		{"Qwen/Qwen2.5-Coder-1.5B", familyQwen},
		{"Qwen/Qwen2.5-Coder-32B-Instruct", familyQwen},
		{"qwen/qwen-2.5-coder-32b-instruct", familyQwen},
		{"hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", familyQwen},
		{"qwen3-coder:30b", familyQwen},
		{"deepseek-coder-v2", familyDeepSeek},
		{"deepseek-coder:6.7b-base", familyDeepSeek},
		{"deepseek-ai/deepseek-coder-6.7b-base", familyDeepSeek},
		{"deepseek-coder-v2:16b-lite-base-q4_0", familyDeepSeek},
		{"DeepSeek-Coder-V2-Lite-Base", familyDeepSeek},
		{"starcoder2:3b", familyStarCoder2},
		{"bigcode/starcoder2-15b", familyStarCoder2},
		{"second-state/StarCoder2-7B-GGUF", familyStarCoder2},
		{"starcoder:1b", familyStarCoder},
		{"bigcode/starcoderbase-1b", familyStarCoder},
		{"codeqwen:7b-code", familyStarCoder},
		{"Qwen/CodeQwen1.5-7B", familyStarCoder},
		{"codellama:7b-code", familyCodeLlama},
		{"codellama/CodeLlama-13b-hf", familyCodeLlama},
		{"TheBloke/CodeLlama-7B-GGUF", familyCodeLlama},
		{"meta/code-llama-7b", familyCodeLlama},
		{"codestral-latest", familyCodestral},
		{"codestral-2501", familyCodestral},
		{"mistralai/Codestral-22B-v0.1", familyCodestral},
		{"codestral:22b", familyCodestral},
		// General models of the same vendors get chat.
		{"qwen2.5:7b", nil},
		{"Qwen/Qwen2.5-72B-Instruct", nil},
		{"deepseek-chat", nil},
		{"deepseek-r1:7b", nil},
		{"llama3.1:8b", nil},
		{"mistral-large-latest", nil},
		{"devstral-small", nil},
		{"gpt-4o-mini", nil},
		{"claude-sonnet-4-5", nil},
		{"anthropic.claude-3-5-sonnet-20240620-v1:0", nil},
		{"", nil},
	}
	for _, tc := range tests {
		if got := inferFamily(tc.id); got != tc.want {
			t.Errorf("inferFamily(%q) = %v, want %v", tc.id, name(got), name(tc.want))
		}
	}
}

func name(f *family) string {
	if f == nil {
		return "chat"
	}
	return f.name
}

func TestPlan(t *testing.T) {
	tests := []struct {
		fim, id string
		family  *family
		shapes  []shape
	}{
		{"", "qwen2.5-coder:7b", familyQwen, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"", "gpt-4o-mini", nil, []shape{shapeChat}},
		{"native", "qwen2.5-coder:7b", nil, []shape{shapeNative, shapeChat}},
		{"Native", "anything", nil, []shape{shapeNative, shapeChat}},
		{"none", "qwen2.5-coder:7b", nil, []shape{shapeChat}},
		{"qwen", "my-finetune", familyQwen, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"deepseek", "x", familyDeepSeek, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"starcoder", "x", familyStarCoder2, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"codellama", "x", familyCodeLlama, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"codestral", "x", familyCodestral, []shape{shapeTemplate, shapeNative, shapeChat}},
		{"qwen2.5-coder", "x", familyQwen, []shape{shapeTemplate, shapeNative, shapeChat}},
	}
	for _, tc := range tests {
		f, shapes := plan(tc.fim, tc.id)
		if f != tc.family || !slices.Equal(shapes, tc.shapes) {
			t.Errorf("plan(%q, %q) = %s %v, want %s %v", tc.fim, tc.id, name(f), shapes, name(tc.family), tc.shapes)
		}
	}
}

// TestTemplates pins every family's exact layout: one wrong byte and the
// model completes the prompt's tokens instead of the code.
func TestTemplates(t *testing.T) {
	const pre, suf = "def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n"
	tests := []struct {
		family *family
		path   string
		want   string
		stops  []string
	}{
		{familyQwen, "", "<|fim_prefix|>" + pre + "<|fim_suffix|>" + suf + "<|fim_middle|>",
			[]string{"<|endoftext|>", "<|file_sep|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|im_start|>", "<|im_end|>"}},
		{familyQwen, "app/util/add.py", "<|file_sep|>app/util/add.py\n<|fim_prefix|>" + pre + "<|fim_suffix|>" + suf + "<|fim_middle|>", nil},
		{familyDeepSeek, "app/util/add.py", "<\uff5cfim\u2581begin\uff5c>" + pre + "<\uff5cfim\u2581hole\uff5c>" + suf + "<\uff5cfim\u2581end\uff5c>",
			[]string{"<\uff5cend\u2581of\u2581sentence\uff5c>", "<|EOT|>", "<\uff5cfim\u2581begin\uff5c>", "<\uff5cfim\u2581hole\uff5c>", "<\uff5cfim\u2581end\uff5c>"}},
		{familyStarCoder2, "", "<fim_prefix>" + pre + "<fim_suffix>" + suf + "<fim_middle>",
			[]string{"<file_sep>", "<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<repo_name>"}},
		{familyStarCoder2, "app/util/add.py", "<file_sep><fim_prefix>app/util/add.py\n" + pre + "<fim_suffix>" + suf + "<fim_middle>", nil},
		{familyStarCoder, "app/util/add.py", "<fim_prefix>" + pre + "<fim_suffix>" + suf + "<fim_middle>",
			[]string{"<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"}},
		{familyCodeLlama, "app/util/add.py", "<PRE> " + pre + " <SUF>" + suf + " <MID>", []string{"<EOT>", "<PRE>", "<SUF>", "<MID>"}},
		{familyCodestral, "app/util/add.py", "[SUFFIX]" + suf + "[PREFIX]" + pre, []string{"[PREFIX]", "[SUFFIX]"}},
	}
	for _, tc := range tests {
		t.Run(tc.family.name+"/"+tc.path, func(t *testing.T) {
			cur := newCursor(window{prefix: pre, suffix: suf}, "auto")
			in := &promptInput{cur: cur, path: tc.path, maxTokens: 99}
			req := in.templateRequest("model-id", tc.family)
			if req.Prompt != tc.want {
				t.Errorf("prompt =\n%q\nwant\n%q", req.Prompt, tc.want)
			}
			if tc.stops != nil && !slices.Equal(req.Stop, tc.stops) {
				t.Errorf("stop = %q, want %q", req.Stop, tc.stops)
			}
			if req.Model != "model-id" || req.MaxTokens != 99 {
				t.Errorf("request = %+v", req)
			}
		})
	}
}

func TestStopsAddNewlineMidLine(t *testing.T) {
	mid := &promptInput{cur: newCursor(window{prefix: "x := foo(a", suffix: ", b)\n"}, "auto")}
	if s := mid.stops(familyQwen); s[len(s)-1] != "\n" {
		t.Errorf("mid-line stops = %q, want a newline last", s)
	}
	end := &promptInput{cur: newCursor(window{prefix: "x := 1", suffix: "\n"}, "auto")}
	if s := end.stops(familyQwen); slices.Contains(s, "\n") {
		t.Errorf("end-of-line stops = %q: a next-line suggestion must stay possible", s)
	}
}

func TestChatPrompt(t *testing.T) {
	for _, multi := range []string{"always", "never"} {
		cur := newCursor(window{prefix: "func f() {\n\t", suffix: "\n}\n"}, multi)
		in := &promptInput{cur: cur, path: "pkg/f.go", language: "go"}
		req := in.chatRequest("gpt-4o-mini")
		user := req.Messages[1].Content
		if !strings.Contains(user, "File: pkg/f.go\n```go\nfunc f() {\n\t"+holeMarker+"\n}\n```") {
			t.Errorf("%s: user message = %q", multi, user)
		}
		sys := req.Messages[0].Content
		for _, must := range []string{"only the code", "no explanations", "do not repeat"} {
			if !strings.Contains(sys, must) {
				t.Errorf("system message lacks %q", must)
			}
		}
		if wantOne := multi == "never"; strings.Contains(user, "one line only") != wantOne {
			t.Errorf("%s: user message = %q", multi, user)
		}
	}
}

func TestShortPath(t *testing.T) {
	tests := map[string]string{
		"":                            "",
		"/home/u/src/app/main.go":     "src/app/main.go",
		"main.go":                     "main.go",
		`C:\Users\u\src\app\main.go`:  "src/app/main.go",
		"/srv/repo/./pkg/../pkg/f.go": "repo/pkg/f.go",
		"/home/u/项目/源码/主.go":          "项目/源码/主.go",
	}
	for in, want := range tests {
		if got := shortPath(in); got != want {
			t.Errorf("shortPath(%q) = %q, want %q", in, got, want)
		}
	}
}
