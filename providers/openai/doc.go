// Package openai speaks the OpenAI-compatible wire protocol through
// go-openai: OpenAI itself and every server that copies its API (vLLM,
// llama.cpp, Ollama's /v1, LM Studio, Together, OpenRouter). It also
// lends its transport, stream and error handling to the packages of
// services that only change the URL layout or credentials (azure,
// mistral).
//
// It turns one request into one HTTP call and every failure into a
// providers.Error of the right kind. It must not retry (the router is the
// one retry loop), and no key or Authorization header may reach an error
// message.
package openai
