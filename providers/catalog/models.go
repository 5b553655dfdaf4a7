package catalog

import "switchyard/config"

// Entry is what the catalogue knows about one model, whichever provider
// serves it.
type Entry struct {
	ID      string   // canonical id, as the model's own vendor spells it
	Name    string   // the name people use, "Claude Sonnet 4.6"
	Aliases []string // other ids of the same model, matched like ID
	Classes []string // config.Class*; "local" is added per route, never here
	// ContextWindow and MaxOutput are in tokens; 0 means unknown. A local
	// runner's own figure replaces ContextWindow, since it is what the
	// runner was started with.
	ContextWindow int
	MaxOutput     int
	Vision        bool
	FIM           string // fill-in-the-middle template family; "" when the model has none
	Price         *Price // nil where no public per-token price exists (open weights)
}

// Price is the vendor's list price on its own API, in US dollars per
// million tokens. Other hosts of the same model charge otherwise.
type Price struct {
	Input  float64
	Output float64
}

// The short forms keep the table readable.
const (
	completion  = config.ClassCompletion
	coding      = config.ClassCoding
	frontier    = config.ClassFrontier
	multimodal  = config.ClassMultimodal
	longContext = config.ClassLongContext
	openWeight  = config.ClassOpenWeight
)

func classes(c ...string) []string { return c }

// table is the built-in catalogue. Figures were read off each vendor's
// model page or model card; prices are list prices per million tokens.
// "long-context" marks models that take 400K tokens or more.
var table = []Entry{
	// https://platform.claude.com/docs/en/models/sonnet-4-6/overview
	{ID: "claude-sonnet-4-6", Name: "Claude Sonnet 4.6",
		Classes:       classes(frontier, coding, multimodal, longContext),
		ContextWindow: 1_000_000, MaxOutput: 128_000, Vision: true, Price: &Price{3, 15}},
	// https://platform.openai.com/docs/models/gpt-5.2
	{ID: "gpt-5.2", Name: "GPT-5.2",
		Classes:       classes(frontier, coding, multimodal, longContext),
		ContextWindow: 400_000, MaxOutput: 128_000, Vision: true, Price: &Price{1.75, 14}},
	// https://www.llama.com/models/llama-4/ (Maverick: 1M context, Scout: 10M)
	{ID: "llama-4-maverick", Name: "Llama 4 Maverick", Aliases: []string{"llama4-maverick"},
		Classes:       classes(coding, multimodal, longContext, openWeight),
		ContextWindow: 1_000_000, Vision: true},
	// Ollama's "llama4" with no tag is Scout.
	{ID: "llama-4-scout", Name: "Llama 4 Scout", Aliases: []string{"llama4-scout", "llama4", "llama-4"},
		Classes:       classes(coding, multimodal, longContext, openWeight),
		ContextWindow: 10_000_000, Vision: true},
	// https://docs.mistral.ai/getting-started/models/ (Mistral Large 3, open weights)
	{ID: "mistral-large-2512", Name: "Mistral Large 3", Aliases: []string{"mistral-large-3", "mistral-large"},
		Classes:       classes(frontier, coding, multimodal, openWeight),
		ContextWindow: 256_000, Vision: true, Price: &Price{0.5, 1.5}},
	// Mistral Large 2 (what Ollama's "mistral-large" serves), research licence.
	{ID: "mistral-large-2411", Name: "Mistral Large 2",
		Aliases:       []string{"mistral-large-2407", "mistral-large-instruct-2411", "mistral-large-instruct-2407", "mistral-large-123b"},
		Classes:       classes(coding, openWeight),
		ContextWindow: 128_000},
	// https://api-docs.deepseek.com/quick_start/pricing: the API's
	// deepseek-chat and deepseek-reasoner serve V3.2 (non-thinking and
	// thinking) since December 2025.
	{ID: "deepseek-v3.2", Name: "DeepSeek V3.2", Aliases: []string{"deepseek-chat", "deepseek-reasoner"},
		Classes:       classes(frontier, coding, openWeight),
		ContextWindow: 128_000, MaxOutput: 8_192, Price: &Price{0.28, 0.42}},
	// https://qwenlm.github.io/blog/qwen3/ (32K native, 131K with YaRN)
	{ID: "qwen3", Name: "Qwen 3",
		Classes:       classes(coding, openWeight),
		ContextWindow: 32_768},
	// https://huggingface.co/Qwen/Qwen3-Coder-30B-A3B-Instruct: Qwen2.5-Coder's
	// fill-in-the-middle tokens, 256K context.
	{ID: "qwen3-coder", Name: "Qwen3-Coder",
		Classes:       classes(completion, coding, openWeight),
		ContextWindow: 262_144, FIM: "qwen"},
	// https://platform.moonshot.ai/docs/guide/kimi-k2-5-quickstart
	{ID: "kimi-k2.5", Name: "Kimi K2.5",
		Classes:       classes(frontier, coding, multimodal, openWeight),
		ContextWindow: 262_144, Vision: true, Price: &Price{0.6, 3}},
	// https://docs.z.ai/guides/llm/glm-4.7
	{ID: "glm-4.7", Name: "GLM 4.7", Aliases: []string{"glm4.7"},
		Classes:       classes(frontier, coding, openWeight),
		ContextWindow: 200_000, MaxOutput: 128_000, Price: &Price{0.6, 2.2}},

	// Code models people run locally for completion.
	// https://huggingface.co/Qwen/Qwen2.5-Coder-7B
	{ID: "qwen2.5-coder", Name: "Qwen2.5-Coder",
		Classes:       classes(completion, coding, openWeight),
		ContextWindow: 32_768, FIM: "qwen"},
	// https://docs.mistral.ai/capabilities/code_generation/ (Codestral 25.08)
	{ID: "codestral", Name: "Codestral",
		Classes:       classes(completion, coding),
		ContextWindow: 256_000, FIM: "codestral", Price: &Price{0.3, 0.9}},
	// https://huggingface.co/mistralai/Codestral-22B-v0.1 (the open-weight one)
	{ID: "codestral-22b", Name: "Codestral 22B",
		Classes:       classes(completion, coding, openWeight),
		ContextWindow: 32_768, FIM: "codestral"},
	// https://huggingface.co/deepseek-ai/DeepSeek-Coder-V2-Lite-Base
	{ID: "deepseek-coder-v2", Name: "DeepSeek-Coder-V2",
		Classes:       classes(completion, coding, openWeight),
		ContextWindow: 163_840, FIM: "deepseek"},
	// https://huggingface.co/deepseek-ai/deepseek-coder-6.7b-base
	{ID: "deepseek-coder", Name: "DeepSeek-Coder",
		Classes:       classes(completion, openWeight),
		ContextWindow: 16_384, FIM: "deepseek"},
	// https://huggingface.co/bigcode/starcoder2-15b
	{ID: "starcoder2", Name: "StarCoder2",
		Classes:       classes(completion, openWeight),
		ContextWindow: 16_384, FIM: "starcoder"},
	// https://huggingface.co/codellama/CodeLlama-7b-hf
	{ID: "codellama", Name: "Code Llama", Aliases: []string{"code-llama"},
		Classes:       classes(completion, openWeight),
		ContextWindow: 16_384, FIM: "codellama"},
}
