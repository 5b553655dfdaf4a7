package assist

import (
	"context"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
)

// Engine serves inline completions. It is safe for concurrent use.
type Engine struct{}

// NewEngine builds an engine that reaches models through r.
func NewEngine(r providers.Router, cfg config.Completion, log *zap.Logger) *Engine {
	return &Engine{}
}

// Update switches the router and settings used by the next request.
func (e *Engine) Update(r providers.Router, cfg config.Completion) {}

// Complete returns suggestions for req, or an error of a providers.Kind
// the editor may report. It honours ctx: cancelling it closes the
// provider stream at once.
func (e *Engine) Complete(ctx context.Context, req CompletionRequest) ([]Suggestion, error) {
	return nil, nil
}
