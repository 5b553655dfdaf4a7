// Package callctx holds the two context rules every provider follows for
// one call: the answer runs under its own context, bounded by the
// provider's timeout and cancelled by Close; and when a call fails, the
// editor's cancel (no fallback), the editor's deadline and the provider's
// timeout (raise it) are told apart before anything the vendor said.
//
// It must not look at a vendor's errors: each provider maps those itself.
package callctx

import (
	"context"
	"errors"
	"time"

	"switchyard/providers"
)

// WithTimeout returns the context of one answer: ctx, bounded by timeout
// when it is positive. Its cancel function also drops the connection.
func WithTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	return context.WithCancel(ctx)
}

// Ended says how a call of provider ended when one of its contexts did:
// parent is the caller's, call the one WithTimeout made from it. It is
// nil while neither has ended, or when call was only cancelled by Close.
func Ended(provider string, parent, call context.Context) *providers.Error {
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return &providers.Error{Provider: provider, Kind: providers.KindCanceled, Err: parent.Err()}
	case parent.Err() != nil:
		return &providers.Error{Provider: provider, Kind: providers.KindTimeout, Err: parent.Err()}
	case errors.Is(call.Err(), context.DeadlineExceeded):
		return &providers.Error{Provider: provider, Kind: providers.KindTimeout, Err: call.Err(),
			Hint: "raise timeout in [providers." + provider + "]"}
	}
	return nil
}
