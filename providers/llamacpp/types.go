package llamacpp

// Wire structs for llama-server's native endpoints, field by field as
// tools/server/README.md documents them. Only the fields this client sends
// or reads are listed.

// infillRequest is the body of POST /infill.
type infillRequest struct {
	Model       string      `json:"model,omitempty"` // router mode picks the model by it; one-model servers ignore it
	InputPrefix string      `json:"input_prefix"`
	InputSuffix string      `json:"input_suffix"`
	InputExtra  []extraFile `json:"input_extra,omitempty"`
	NPredict    int         `json:"n_predict,omitempty"`
	Temperature *float64    `json:"temperature,omitempty"`
	Stop        []string    `json:"stop,omitempty"`
	Stream      bool        `json:"stream"`
	CachePrompt bool        `json:"cache_prompt"`
}

// extraFile is one entry of input_extra: another file given as context,
// which the server wraps in the model's repository tokens.
type extraFile struct {
	Filename string `json:"filename"`
	Text     string `json:"text"`
}

// infillChunk is one Server-Sent Event of a streamed /infill answer. The
// last one has stop set; a failure mid-answer arrives as {"error":{...}}.
type infillChunk struct {
	Content  string     `json:"content"`
	Stop     bool       `json:"stop"`
	StopType string     `json:"stop_type"`
	Error    *errorInfo `json:"error"`
}

// errorBody is how llama-server reports a failure: an OpenAI-style error
// object with the HTTP status repeated in code.
type errorBody struct {
	Error errorInfo `json:"error"`
}

type errorInfo struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"` // invalid_request_error, unavailable_error, exceed_context_size_error, ...
	NCtx    int    `json:"n_ctx"`
}

// propsResponse is the part of GET /props this client reads.
type propsResponse struct {
	DefaultGenerationSettings struct {
		NCtx int `json:"n_ctx"`
	} `json:"default_generation_settings"`
	TotalSlots   int    `json:"total_slots"`
	ModelPath    string `json:"model_path"`
	ChatTemplate string `json:"chat_template"`
	BuildInfo    string `json:"build_info"`
	Modalities   *struct {
		Vision bool `json:"vision"`
	} `json:"modalities"`
}
