package bedrock

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"switchyard/providers"
)

// The wire structs are the SDK's (bedrockruntime/types), which serialize
// to the JSON body of POST /model/{modelId}/converse-stream. This file
// turns a Switchyard request into them.

// imageFormats maps an image's MIME type to the formats ImageBlock takes.
var imageFormats = map[string]types.ImageFormat{
	"image/png":  types.ImageFormatPng,
	"image/jpeg": types.ImageFormatJpeg,
	"image/jpg":  types.ImageFormatJpeg,
	"image/gif":  types.ImageFormatGif,
	"image/webp": types.ImageFormatWebp,
}

// converseInput builds the ConverseStream request. System messages go to
// the system field; consecutive messages of one role are merged, because
// Converse requires turns to alternate and rejects empty text blocks.
func (p *Provider) converseInput(req *providers.ChatRequest) (*bedrockruntime.ConverseStreamInput, error) {
	in := &bedrockruntime.ConverseStreamInput{ModelId: aws.String(req.Model)}
	for _, m := range req.Messages {
		if m.Role == providers.RoleSystem {
			if m.Content != "" {
				in.System = append(in.System, &types.SystemContentBlockMemberText{Value: m.Content})
			}
			continue
		}
		var role types.ConversationRole
		switch m.Role {
		case providers.RoleUser:
			role = types.ConversationRoleUser
		case providers.RoleAssistant:
			role = types.ConversationRoleAssistant
		default:
			return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
				Message: fmt.Sprintf("message role %q is not one Bedrock knows (user, assistant, system)", m.Role)}
		}
		var blocks []types.ContentBlock
		for _, img := range m.Images {
			format, ok := imageFormats[strings.ToLower(img.MIME)]
			if !ok {
				return nil, providers.Unsupported(p.name, fmt.Sprintf("image type %q: Bedrock takes png, jpeg, gif and webp", img.MIME))
			}
			blocks = append(blocks, &types.ContentBlockMemberImage{Value: types.ImageBlock{
				Format: format,
				Source: &types.ImageSourceMemberBytes{Value: img.Data},
			}})
		}
		if m.Content != "" {
			blocks = append(blocks, &types.ContentBlockMemberText{Value: m.Content})
		}
		if len(blocks) == 0 {
			continue
		}
		if n := len(in.Messages); n > 0 && in.Messages[n-1].Role == role {
			in.Messages[n-1].Content = append(in.Messages[n-1].Content, blocks...)
			continue
		}
		in.Messages = append(in.Messages, types.Message{Role: role, Content: blocks})
	}
	if len(in.Messages) == 0 || in.Messages[0].Role != types.ConversationRoleUser {
		return nil, &providers.Error{Provider: p.name, Kind: providers.KindBadRequest,
			Message: "a Bedrock conversation must start with a user message"}
	}
	var ic types.InferenceConfiguration
	set := false
	if req.MaxTokens > 0 {
		ic.MaxTokens, set = aws.Int32(int32(min(req.MaxTokens, 1<<31-1))), true
	}
	if req.Temperature != nil {
		ic.Temperature, set = aws.Float32(float32(*req.Temperature)), true
	}
	if len(req.Stop) > 0 {
		ic.StopSequences, set = req.Stop, true
	}
	if set {
		in.InferenceConfig = &ic
	}
	return in, nil
}
