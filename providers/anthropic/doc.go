// Package anthropic streams chat answers from Claude through the Anthropic
// Messages API (anthropic-sdk-go), either from Anthropic itself or, through
// the SDK's vertex option, from Claude on Google Vertex AI.
//
// It turns a providers.ChatRequest into one Messages request (system
// prompt, images as base64 blocks, prompt caching on the large stable part)
// and every failure into a providers.Error whose kind the router acts on.
//
// It must not retry: the SDK's own retries are switched off because the
// router is the one retry loop. It must not log or return the API key.
package anthropic
