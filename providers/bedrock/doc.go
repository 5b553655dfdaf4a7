// Package bedrock speaks to Amazon Bedrock's ConverseStream API: one
// request shape for every model Bedrock serves, with images sent as raw
// bytes.
//
// Credentials come from the standard AWS chain of aws-sdk-go-v2's config
// module (environment, shared profiles including SSO, web identity,
// container and instance roles), or from a Bedrock API key named by
// api_key_env / api_key_cmd (else AWS_BEARER_TOKEN_BEDROCK). Requests are
// signed by the SDK's SigV4 signer and the answer's frames decoded by its
// eventstream package; the JSON of the call is this package's own
// (types.go), which spares every start of the binary the initialisation of
// service/bedrockruntime. The package must not retry (the router is the
// one retry loop) and must not put credentials or request bodies in
// errors.
package bedrock
