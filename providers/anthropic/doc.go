// Package anthropic streams chat answers from Claude through the Anthropic
// Messages API, either from Anthropic itself or, with the options the
// vertex package passes, from Claude on Google Vertex AI.
//
// It turns a providers.ChatRequest into one Messages request (system
// prompt, images as base64 blocks, prompt caching on the large stable part)
// and every failure into a providers.Error whose kind the router acts on.
// The call is a JSON POST answered with server-sent events, written here
// (types.go, stream.go) rather than through anthropic-sdk-go, whose
// dependencies cost every start of the binary more than the call itself.
//
// It must not retry: the router is the one retry loop. It must not log or
// return the API key.
package anthropic
