package anthropic

// The wire structs of the Messages API (POST /v1/messages with
// "stream": true), field by field as Anthropic's API reference names
// them, for the part of the API a chat request uses.

// apiVersion is the anthropic-version header every request carries.
const apiVersion = "2023-06-01"

// messagesRequest is the JSON body of POST /v1/messages.
type messagesRequest struct {
	Model         string      `json:"model"`
	MaxTokens     int         `json:"max_tokens"`
	Messages      []message   `json:"messages"`
	System        []textBlock `json:"system,omitempty"`
	Temperature   *float64    `json:"temperature,omitempty"`
	StopSequences []string    `json:"stop_sequences,omitempty"`
	Stream        bool        `json:"stream"`
}

type message struct {
	Role    string         `json:"role"` // "user" or "assistant"
	Content []contentBlock `json:"content"`
}

// contentBlock is a text block or an image block, by Type.
type contentBlock struct {
	Type         string        `json:"type"` // "text" or "image"
	Text         string        `json:"text,omitempty"`
	Source       *imageSource  `json:"source,omitempty"`
	CacheControl *cacheControl `json:"cache_control,omitempty"`
}

type textBlock struct {
	Type         string        `json:"type"` // "text"
	Text         string        `json:"text"`
	CacheControl *cacheControl `json:"cache_control,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"` // "base64"
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
}

// cacheControl marks the end of a prompt prefix worth caching.
type cacheControl struct {
	Type string `json:"type"` // "ephemeral"
}

// streamEvent is the data of one server-sent event; only the fields read
// are declared.
type streamEvent struct {
	Type  string `json:"type"`
	Delta struct {
		Type       string `json:"type"`        // content_block_delta: "text_delta", "thinking_delta"...
		Text       string `json:"text"`        // text_delta
		StopReason string `json:"stop_reason"` // message_delta
	} `json:"delta"`
}
