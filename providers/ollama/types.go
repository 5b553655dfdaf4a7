package ollama

// Wire structs for Ollama's HTTP API, field by field as the server reads
// and writes them (github.com/ollama/ollama/api/types.go). Only the fields
// this client sends or reads are listed.

// generateRequest is the body of POST /api/generate.
type generateRequest struct {
	Model     string         `json:"model"`
	Prompt    string         `json:"prompt,omitempty"`
	Suffix    string         `json:"suffix,omitempty"`
	Raw       bool           `json:"raw,omitempty"`
	Stream    *bool          `json:"stream,omitempty"`
	KeepAlive any            `json:"keep_alive,omitempty"` // "30m" or a number of seconds
	Options   map[string]any `json:"options,omitempty"`
}

// chatMessage is one message of POST /api/chat. Images marshal as base64
// strings, the encoding Ollama's ImageData expects.
type chatMessage struct {
	Role    string   `json:"role"`
	Content string   `json:"content"`
	Images  [][]byte `json:"images,omitempty"`
}

// chatRequest is the body of POST /api/chat.
type chatRequest struct {
	Model     string         `json:"model"`
	Messages  []chatMessage  `json:"messages"`
	Stream    *bool          `json:"stream,omitempty"`
	KeepAlive any            `json:"keep_alive,omitempty"`
	Options   map[string]any `json:"options,omitempty"`
}

// streamLine is one NDJSON line of a /api/chat stream, or the whole
// answer of /api/generate with "stream": false.
// Generate puts text in Response, chat in Message.Content; an Error line
// replaces the rest of the stream when the runner fails mid-answer.
type streamLine struct {
	Response string `json:"response"`
	Message  struct {
		Content string `json:"content"`
	} `json:"message"`
	Done       bool   `json:"done"`
	DoneReason string `json:"done_reason"`
	Error      string `json:"error"`
}

// showRequest is the body of POST /api/show.
type showRequest struct {
	Model string `json:"model"`
}

// showResponse is the part of /api/show this client reads.
type showResponse struct {
	Capabilities []string       `json:"capabilities"`
	ModelInfo    map[string]any `json:"model_info"`
	Template     string         `json:"template"`
}

// tagsResponse is the body of GET /api/tags.
type tagsResponse struct {
	Models []tagsModel `json:"models"`
}

type tagsModel struct {
	Name    string `json:"name"`
	Model   string `json:"model"`
	Size    int64  `json:"size"`
	Digest  string `json:"digest"`
	Details struct {
		Family            string `json:"family"`
		ParameterSize     string `json:"parameter_size"`
		QuantizationLevel string `json:"quantization_level"`
	} `json:"details"`
}

// errorBody is how Ollama reports a failure: {"error":"..."} with an HTTP
// status, or as a line of its own inside a stream.
type errorBody struct {
	Error string `json:"error"`
}
