package vertex

import "strconv"

// The wire structs of Vertex AI's generateContent REST API, field by
// field, limited to what a chat request sends and reads back
// (https://cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/GenerateContentResponse).

type generateRequest struct {
	Contents          []content         `json:"contents"`
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

type part struct {
	Text       string      `json:"text,omitempty"`
	InlineData *inlineData `json:"inlineData,omitempty"`
	// Thought marks the model's reasoning, which is not the answer.
	Thought bool `json:"thought,omitempty"`
}

type inlineData struct {
	MIMEType string `json:"mimeType"`
	Data     []byte `json:"data"` // base64 on the wire, as encoding/json writes []byte
}

type generationConfig struct {
	MaxOutputTokens int      `json:"maxOutputTokens,omitempty"`
	Temperature     *float64 `json:"temperature,omitempty"`
	StopSequences   []string `json:"stopSequences,omitempty"`
}

// generateResponse is one chunk of a streamed answer; an error inside a
// stream that had started comes as a chunk with only Error set.
type generateResponse struct {
	Candidates     []candidate     `json:"candidates"`
	PromptFeedback *promptFeedback `json:"promptFeedback"`
	Error          *apiError       `json:"error"`
}

type candidate struct {
	Content       *content `json:"content"`
	FinishReason  string   `json:"finishReason"`
	FinishMessage string   `json:"finishMessage"`
}

type promptFeedback struct {
	BlockReason        string `json:"blockReason"`
	BlockReasonMessage string `json:"blockReasonMessage"`
}

// apiError is a Google API error, {"error":{"code","message","status",
// "details"}}.
type apiError struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details"`
}

func (e *apiError) Error() string {
	return "vertex: " + e.Status + " (" + strconv.Itoa(e.Code) + "): " + e.Message
}
