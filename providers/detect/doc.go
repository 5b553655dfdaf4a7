// Package detect finds what Switchyard can use when nobody has configured
// it: local runners answering on their usual ports (Ollama on 11434,
// llama.cpp on 8080, LM Studio on 1234, vLLM on 8000), the models they
// serve, and remote providers whose standard credentials are present
// (OPENAI_API_KEY, ANTHROPIC_API_KEY, MISTRAL_API_KEY, OPENROUTER_API_KEY,
// the AWS and Google credential chains). Discover turns that into a
// configuration layer, with the best fill-in-the-middle model first in
// the completion route, and a Report that `switchyard doctor` prints.
//
// It must not stall start-up: every probe has a short deadline and they
// run in parallel. It reads credentials only to see whether they are
// there, never from a workspace file, and never puts a value in the
// layer, the report or an error: providers name the variable instead.
// Discover talks only to this machine; Probe, for doctor, also asks a
// configured remote provider for its model list.
package detect
