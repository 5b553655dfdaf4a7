// Package ollamatest runs a real Ollama for tests, in the manner of
// net/http/httptest: Start serves on a free 127.0.0.1 port with its
// models in the test's temporary folder, and WriteModel writes the tiny
// model it serves, a GGUF file of random weights (no weights can be
// downloaded where the tests run). The binary is built once per machine
// by .ci/ollama; without it the tests that need it are skipped, or fail
// under CI=true.
//
// It must not be imported by anything but tests.
package ollamatest
