// Package openai speaks the OpenAI-compatible wire protocol through
// go-openai: OpenAI itself and every server that copies its API (vLLM,
// llama.cpp, Ollama's /v1, LM Studio, Together, OpenRouter). It also
// lends its transport, stream and error handling to the packages of
// services that only change the URL layout or credentials (azure,
// mistral).
//
// A preset in the configuration fills the endpoint and key variable of a
// known service (config.Provider.WithPreset). For OpenRouter, the provider
// preferences in options.provider are added to the body of every chat and
// text completion request by the transport, since go-openai's request
// types have no such field; the answer's stream is not touched.
//
// It turns one request into one HTTP call and every failure into a
// providers.Error of the right kind. It must not retry (the router is the
// one retry loop), and no key or Authorization header may reach an error
// message.
package openai
