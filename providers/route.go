package providers

import (
	"context"

	"switchyard/config"
)

// Target is one route candidate: a configured model reached through one
// configured provider.
type Target struct {
	Name     string       // the model's config name, [models.NAME]
	Model    config.Model // what the model is and can do
	Provider Provider     // where it is reached
}

// Need is what a request requires of a model, for routing.
type Need struct {
	Task         string   // config.TaskCompletion, ...
	Vision       bool     // the request carries images
	PromptTokens int      // estimated size of the prompt
	Paths        []string // files the prompt's content came from (policy: local_only)
}

// Call makes one provider call for one candidate. It builds the request
// for that target (the prompt shape depends on the model) and returns the
// stream; the router handles ranking and fallback around it.
type Call func(ctx context.Context, t Target) (Stream, error)

// Router picks the candidates for a need and calls them in order, falling
// back to the next one on errors that allow it, but only before the first
// piece of text has been returned. The returned stream already holds that
// first piece.
type Router interface {
	Stream(ctx context.Context, need Need, call Call) (Stream, Target, error)
}
