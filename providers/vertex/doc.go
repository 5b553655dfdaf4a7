// Package vertex streams chat answers from Google Vertex AI: Gemini models
// through the generateContent REST API (streamGenerateContent with
// Server-Sent Events), and Claude models (ids starting with "claude")
// through the anthropic package's Messages client with the request moved
// to Vertex's rawPredict path, both under the project and region of one
// [providers.NAME] entry.
//
// Credentials are Application Default Credentials, found and refreshed by
// golang.org/x/oauth2/google, or, when api_key_env or api_key_cmd is set,
// the OAuth access token they give (for instance api_key_cmd = "gcloud
// auth print-access-token", or a gateway's token with base_url).
//
// The REST calls are written here rather than made through
// google.golang.org/genai and anthropic-sdk-go/vertex: those build their
// HTTP clients with Google's transport packages, which link in gRPC,
// OpenCensus and OpenTelemetry for what is one HTTPS request, and cost
// the server most of its binary size and start-up time.
//
// It must not retry (the router is the one retry loop), must not look for
// credentials before the first request (building the provider stays cheap
// and offline), and must not log or return a token.
package vertex
