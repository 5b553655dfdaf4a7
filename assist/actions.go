package assist

import (
	"context"
	"errors"
)

func (a *Actions) list(req ListRequest) []Offer { return nil }

func (a *Actions) run(ctx context.Context, req ActionRequest) (*Result, error) {
	return nil, errors.New("code actions are not available yet")
}
