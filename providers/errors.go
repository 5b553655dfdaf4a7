package providers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind says what went wrong with a provider call, and so what the router
// does next (DESIGN.md decision 8).
type Kind int

const (
	KindUnknown       Kind = iota
	KindRateLimited        // 429: honour RetryAfter, try another meanwhile
	KindAuth               // 401/403: open the breaker, tell the user which setting
	KindNotFound           // 404 model or endpoint: a configuration error
	KindContextWindow      // prompt too long: move to a larger window
	KindContentPolicy      // refused by the vendor's filter: try another vendor
	KindServer             // 5xx, malformed or cut stream: retry once, then next
	KindNetwork            // refused, DNS, no route: maybe offline
	KindTimeout            // no answer within the deadline
	KindCanceled           // the editor cancelled: stop, no fallback
	KindBadRequest         // 400: stop, no fallback
	KindUnsupported        // the provider cannot do this (no FIM, no vision): skip before any call
)

var kindNames = [...]string{
	KindUnknown:       "unknown",
	KindRateLimited:   "rate-limited",
	KindAuth:          "auth",
	KindNotFound:      "not-found",
	KindContextWindow: "context-window",
	KindContentPolicy: "content-policy",
	KindServer:        "server",
	KindNetwork:       "network",
	KindTimeout:       "timeout",
	KindCanceled:      "canceled",
	KindBadRequest:    "bad-request",
	KindUnsupported:   "unsupported",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a provider failure with its kind. Message is safe to show the
// user: it never holds a credential. Hint says what to do about it.
type Error struct {
	Provider   string
	Kind       Kind
	Status     int           // HTTP status, 0 when there was none
	RetryAfter time.Duration // from Retry-After, 0 when absent
	Message    string        // the provider's own words, if any
	Hint       string        // what the user can do, naming the setting
	Err        error         // the underlying error, if any
}

func (e *Error) Error() string {
	msg := "provider " + e.Provider + ": " + e.Kind.String()
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if hint := e.hint(); hint != "" {
		msg += ": " + hint
	}
	return msg
}

// hint is what the user can do: the provider's own Hint, else the
// advice for the kind, which names the setting to look at.
func (e *Error) hint() string {
	if e.Hint != "" {
		return e.Hint
	}
	section := "[providers." + e.Provider + "]"
	switch e.Kind {
	case KindRateLimited:
		wait := ""
		if e.RetryAfter > 0 {
			wait = fmt.Sprintf(" (it asks to wait %s)", e.RetryAfter.Round(time.Second))
		}
		return "the provider is limiting requests" + wait + ": add another model to the task's list in [routes] so requests fall back meanwhile"
	case KindAuth:
		return "set api_key_env or api_key_cmd in " + section
	case KindNotFound:
		return "check the model's id in [models] and base_url in " + section
	case KindContextWindow:
		return "lower max_prefix_tokens in [completion], or route the task to a model with a larger context_window"
	case KindContentPolicy:
		return "the vendor refused the content: route the task to another vendor in [routes]"
	case KindServer:
		return "the server behind base_url in " + section + " failed or broke off its answer: check that server, or add a fallback model to [routes]"
	case KindNetwork:
		return "check the network and base_url in " + section
	case KindTimeout:
		return "raise timeout in " + section + " or in [completion]"
	case KindBadRequest:
		return "check the model's id in [models] and the options in " + section
	}
	return ""
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: the Kind of a wrapped *Error, KindCanceled
// for context.Canceled, KindTimeout for context.DeadlineExceeded, else
// KindUnknown.
func KindOf(err error) Kind {
	var pe *Error
	switch {
	case err == nil:
		return KindUnknown
	case errors.As(err, &pe):
		return pe.Kind
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindUnknown
}

// Unsupported builds the error for a request a provider cannot serve, given
// before any network call.
func Unsupported(provider, what string) *Error {
	return &Error{Provider: provider, Kind: KindUnsupported, Message: what}
}
