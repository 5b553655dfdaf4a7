// Package azure reaches models deployed in an Azure OpenAI resource. It
// is the OpenAI protocol with Azure's URL layout
// (/openai/deployments/{deployment}/...?api-version=) and credentials
// (an api-key header, or a Microsoft Entra bearer token), so it builds on
// the openai package for transport, streams and error kinds.
//
// It must not guess deployments beyond the configured map: a model id
// with no entry is sent as the deployment name, and Azure's 404 says so.
package azure
