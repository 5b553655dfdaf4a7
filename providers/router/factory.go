package router

import (
	"fmt"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/anthropic"
	"switchyard/providers/azure"
	"switchyard/providers/bedrock"
	"switchyard/providers/llamacpp"
	"switchyard/providers/mistral"
	"switchyard/providers/ollama"
	"switchyard/providers/openai"
	"switchyard/providers/vertex"
)

// newProvider is the one place where a [providers.NAME] entry becomes a
// provider: one case per wire protocol.
func newProvider(name string, p config.Provider) (providers.Provider, error) {
	switch p.Type {
	case "openai":
		// Also every OpenAI-compatible server (vLLM, LM Studio,
		// OpenRouter, Together): only base_url and the data terms differ.
		return built(openai.New(name, p))
	case "azure":
		return built(azure.New(name, p))
	case "mistral":
		return built(mistral.New(name, p))
	case "anthropic":
		return built(anthropic.New(name, p))
	case "ollama":
		return built(ollama.New(name, p))
	case "llamacpp":
		return built(llamacpp.New(name, p))
	case "bedrock":
		return built(bedrock.New(name, p))
	case "vertex":
		return built(vertex.New(name, p))
	case "":
		return nil, fmt.Errorf("provider %s: no type: set type in [providers.%s] (openai, azure, anthropic, bedrock, vertex, mistral, ollama, llamacpp)", name, name)
	}
	return nil, fmt.Errorf("provider %s: unknown type %q: set type in [providers.%s] to one of openai, azure, anthropic, bedrock, vertex, mistral, ollama, llamacpp", name, p.Type, name)
}

// built turns a package's concrete constructor result into the interface
// without the typed-nil trap: a failed constructor gives a nil interface.
func built[P providers.Provider](p P, err error) (providers.Provider, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}
