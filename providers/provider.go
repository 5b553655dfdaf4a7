package providers

import (
	"context"
	"io"
)

// Provider is one configured backend (a name from [providers.NAME]).
// Every provider can chat; the optional interfaces below say what else it
// can do natively, discovered by type assertion in the manner of
// io.WriterTo.
type Provider interface {
	// Name is the user's name for the provider, e.g. "local" or "openai".
	Name() string
	// Chat streams an answer to a conversation.
	Chat(ctx context.Context, req *ChatRequest) (Stream, error)
}

// Completer is implemented by providers that take a raw text prompt
// (an OpenAI-style /v1/completions endpoint). Fill-in-the-middle prompts
// rendered from a model family's template go through here.
type Completer interface {
	Complete(ctx context.Context, req *CompletionRequest) (Stream, error)
}

// FillInMiddler is implemented by providers with a native
// fill-in-the-middle endpoint that knows the model's tokens itself
// (llama.cpp /infill, Ollama /api/generate with suffix, Mistral
// /v1/fim/completions, /v1/completions with suffix).
type FillInMiddler interface {
	FillInMiddle(ctx context.Context, req *FIMRequest) (Stream, error)
}

// Stream is a pull-style stream of text. Next returns the next piece of
// text, or io.EOF once the answer is complete. Close stops the stream and
// releases the HTTP connection; callers must call it, and may call it
// before io.EOF to stop paying for tokens they will not use. Close is safe
// to call more than once.
type Stream interface {
	Next() (string, error)
	Close() error
}

// Role of a chat message.
type Role string

const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Image is an image ready to send: already validated, downscaled and
// stripped of metadata by the caller.
type Image struct {
	MIME string // "image/png", "image/jpeg", "image/gif", "image/webp"
	Data []byte
}

// Message is one turn of a conversation.
type Message struct {
	Role    Role
	Content string
	Images  []Image
}

// ChatRequest asks for a streamed chat answer.
type ChatRequest struct {
	Model       string // the provider-side model id
	Messages    []Message
	MaxTokens   int      // 0: the provider's default
	Temperature *float64 // nil: the provider's default
	Stop        []string
}

// CompletionRequest asks for a raw text continuation of Prompt.
type CompletionRequest struct {
	Model       string
	Prompt      string
	MaxTokens   int
	Temperature *float64
	Stop        []string
}

// ContextFile is another file given to a native fill-in-the-middle
// endpoint as extra context (llama.cpp input_extra).
type ContextFile struct {
	Path string
	Text string
}

// FIMRequest asks a native fill-in-the-middle endpoint for the text between
// Prefix and Suffix.
type FIMRequest struct {
	Model       string
	Prefix      string
	Suffix      string
	Extra       []ContextFile
	MaxTokens   int
	Temperature *float64
	Stop        []string
}

// ReadAll drains a stream into a string and closes it.
func ReadAll(s Stream) (string, error) {
	defer s.Close()
	var out []byte
	for {
		piece, err := s.Next()
		out = append(out, piece...)
		if err == io.EOF {
			return string(out), nil
		}
		if err != nil {
			return string(out), err
		}
	}
}
