package bedrock

import (
	"fmt"
	"strings"

	"switchyard/providers"
)

// The wire structs of ConverseStream (POST /model/{modelId}/converse-stream),
// field by field as the Bedrock Runtime API reference names them, for the
// part of the API a chat request uses. Bytes ([]byte) travel as base64, as
// encoding/json writes them.

// converseRequest is the JSON body of ConverseStream.
type converseRequest struct {
	Messages        []message        `json:"messages"`
	System          []systemBlock    `json:"system,omitempty"`
	InferenceConfig *inferenceConfig `json:"inferenceConfig,omitempty"`
}

type message struct {
	Role    string         `json:"role"` // "user" or "assistant"
	Content []contentBlock `json:"content"`
}

// contentBlock is a union: exactly one field is set.
type contentBlock struct {
	Text  string      `json:"text,omitempty"`
	Image *imageBlock `json:"image,omitempty"`
}

type imageBlock struct {
	Format string      `json:"format"` // png, jpeg, gif, webp
	Source imageSource `json:"source"`
}

type imageSource struct {
	Bytes []byte `json:"bytes"`
}

type systemBlock struct {
	Text string `json:"text"`
}

type inferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

// Events of the answer's event stream, by their :event-type header; only
// the fields read are declared, and the "p" padding is ignored.
type (
	contentBlockDeltaEvent struct {
		Delta struct {
			Text *string `json:"text"` // absent for reasoning and tool-use deltas
		} `json:"delta"`
	}
	messageStopEvent struct {
		StopReason string `json:"stopReason"`
	}
)

// errorBody is an error answer's body, or an exception event's payload.
type errorBody struct {
	Message  string `json:"message"`
	Message2 string `json:"Message"`
	Type     string `json:"__type"`
	Code     string `json:"code"`
}

// imageFormats maps an image's MIME type to the formats ImageBlock takes.
var imageFormats = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpeg",
	"image/jpg":  "jpeg",
	"image/gif":  "gif",
	"image/webp": "webp",
}

// converseInput builds the ConverseStream request. System messages go to
// the system field; consecutive messages of one role are merged, because
// Converse requires turns to alternate and rejects empty text blocks.
func (p *Provider) converseInput(req *providers.ChatRequest) (*converseRequest, error) {
	in := &converseRequest{}
	for _, m := range req.Messages {
		if m.Role == providers.RoleSystem {
			if m.Content != "" {
				in.System = append(in.System, systemBlock{Text: m.Content})
			}
			continue
		}
		var role string
		switch m.Role {
		case providers.RoleUser:
			role = "user"
		case providers.RoleAssistant:
			role = "assistant"
		default:
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
				Message: fmt.Sprintf("message role %q is not one Bedrock knows (user, assistant, system)", m.Role)}
		}
		var blocks []contentBlock
		for _, img := range m.Images {
			format, ok := imageFormats[strings.ToLower(img.MIME)]
			if !ok {
				return nil, providers.Unsupported(p.name, fmt.Sprintf("image type %q: Bedrock takes png, jpeg, gif and webp", img.MIME))
			}
			blocks = append(blocks, contentBlock{Image: &imageBlock{Format: format, Source: imageSource{Bytes: img.Data}}})
		}
		if m.Content != "" {
			blocks = append(blocks, contentBlock{Text: m.Content})
		}
		if len(blocks) == 0 {
			continue
		}
		if n := len(in.Messages); n > 0 && in.Messages[n-1].Role == role {
			in.Messages[n-1].Content = append(in.Messages[n-1].Content, blocks...)
			continue
		}
		in.Messages = append(in.Messages, message{Role: role, Content: blocks})
	}
	if len(in.Messages) == 0 || in.Messages[0].Role != "user" {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
			Message: "a Bedrock conversation must start with a user message"}
	}
	var ic inferenceConfig
	set := false
	if req.MaxTokens > 0 {
		n := min(req.MaxTokens, 1<<31-1)
		ic.MaxTokens, set = &n, true
	}
	if req.Temperature != nil {
		t := *req.Temperature
		ic.Temperature, set = &t, true
	}
	if len(req.Stop) > 0 {
		ic.StopSequences, set = req.Stop, true
	}
	if set {
		in.InferenceConfig = &ic
	}
	return in, nil
}
