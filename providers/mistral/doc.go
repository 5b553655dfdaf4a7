// Package mistral reaches Mistral's API: chat through the OpenAI protocol
// (go-openai against https://api.mistral.ai/v1) and Codestral's native
// fill-in-the-middle endpoint, POST /v1/fim/completions, which no Go SDK
// covers. Transport, streams and error kinds come from the openai
// package.
//
// It offers no raw-prompt completion: Mistral has no /v1/completions, so
// the provider does not implement providers.Completer.
package mistral
