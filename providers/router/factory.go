package router

import (
	"fmt"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/openai"
)

// newProvider is the one place where a [providers.NAME] entry becomes a
// provider: one case per wire protocol.
func newProvider(name string, p config.Provider) (providers.Provider, error) {
	switch p.Type {
	case "openai", "openrouter", "together", "vllm", "lmstudio":
		// All of these speak the OpenAI-compatible protocol; only the
		// endpoint and the data terms differ.
		return openai.New(name, p)
	case "azure", "mistral", "anthropic", "bedrock", "vertex", "ollama", "llamacpp":
		return nil, fmt.Errorf("provider %s: type %q is not built into this version of switchyard: use another provider or remove [providers.%s]", name, p.Type, name)
	case "":
		return nil, fmt.Errorf("provider %s: no type: set type in [providers.%s] (openai, azure, anthropic, bedrock, vertex, mistral, ollama, llamacpp)", name, name)
	}
	return nil, fmt.Errorf("provider %s: unknown type %q: set type in [providers.%s] to one of openai, azure, anthropic, bedrock, vertex, mistral, ollama, llamacpp", name, p.Type, name)
}
