// Package catalog knows what well-known models can do and what well-known
// providers promise about data, so that a configuration (or none at all)
// need not spell either out.
//
// The model table (Lookup, Fill) gives each model its classes, context
// window, output limit, vision, fill-in-the-middle family and, where the
// vendor publishes one, its price. A model id is recognised however a
// provider spells it: "qwen2.5-coder:7b" on Ollama,
// "Qwen/Qwen2.5-Coder-7B" on Hugging Face or vLLM,
// "us.anthropic.claude-sonnet-4-6" on Bedrock. Everything the user sets
// in [models.NAME] wins over the table; local runners add what they
// discover. The data-policy defaults (DataPolicy) work the same way for
// providers.
//
// The package holds facts only: it does no I/O, builds no providers and
// makes no routing decisions. Its numbers are a starting point the user
// must confirm; they are never a reason to send data anywhere.
package catalog
