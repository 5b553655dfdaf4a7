// Package llamacpp speaks to a llama.cpp server (llama-server): its native
// fill-in-the-middle endpoint /infill, which knows the model's own FIM and
// repository tokens, /health and /props to see whether the model is loaded
// and how large its context is, and the OpenAI-compatible /v1 endpoints for
// chat and raw completions, which go through providers/openai.
//
// It must not start, stop or reconfigure the server; a model that is still
// loading is reported as such (see Loading) so the router can wait or move
// on.
package llamacpp
