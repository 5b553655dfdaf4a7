// Package openai speaks the OpenAI-compatible wire protocol through
// go-openai: OpenAI itself and every server that copies its API.
package openai

import (
	"context"

	"switchyard/config"
	"switchyard/providers"
)

// Provider is an OpenAI-compatible backend.
type Provider struct{ name string }

// New builds the provider [providers.NAME] from its configuration.
func New(name string, cfg config.Provider) (*Provider, error) { return &Provider{name: name}, nil }

func (p *Provider) Name() string { return p.name }

func (p *Provider) Chat(ctx context.Context, req *providers.ChatRequest) (providers.Stream, error) {
	return nil, providers.Unsupported(p.name, "not implemented yet")
}
