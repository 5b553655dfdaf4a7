// Package httpstream is the HTTP plumbing of the providers that speak
// plain JSON over HTTP and stream their answers a line at a time
// (llama-server's native endpoints, Ollama): one call with the configured
// headers and key, the answer read line by line as a providers.Stream
// that owns the connection (or, for a call that asks for it whole, read
// at once and given as one piece), the reading of an error answer's
// body, and the telling apart of a timeout, a cancel and a server that is
// not there.
// Its Retry-After reader serves Bedrock too, whose SDK leaves the header
// to the caller, and its error-body reader serves Vertex AI's Gemini
// calls.
//
// It knows no vendor's wire format: each provider decodes its own lines
// and maps its own statuses to error kinds. It must not retry, log, or
// put a credential in an error.
package httpstream
