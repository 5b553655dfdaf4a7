// Package bedrock speaks to Amazon Bedrock's ConverseStream API through
// aws-sdk-go-v2 (service/bedrockruntime): one request shape for every
// model Bedrock serves, with images sent as raw bytes.
//
// Credentials come from the standard AWS chain (environment, shared
// profiles including SSO, web identity, container and instance roles), or
// from a Bedrock API key named by api_key_env / api_key_cmd. The package
// must not retry (the SDK's retryer is switched off; the router is the one
// retry loop) and must not put credentials or request bodies in errors.
package bedrock
