// Package vertex streams chat answers from Google Vertex AI: Gemini models
// through google.golang.org/genai, and Claude models (ids starting with
// "claude") through anthropic-sdk-go's vertex option, both under the
// project and region of one [providers.NAME] entry.
//
// Credentials are Application Default Credentials, or, when api_key_env
// or api_key_cmd is set, the OAuth access token they give (for instance
// api_key_cmd = "gcloud auth print-access-token", or a gateway's token
// with base_url).
//
// It must not retry (the router is the one retry loop), must not look for
// credentials before the first request (building the provider stays cheap
// and offline), and must not log or return a token.
package vertex
