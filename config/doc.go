// Package config is Switchyard's configuration: the schema, its defaults,
// reading it from the user's TOML file, the editor's JSON settings and a
// workspace's .switchyard.toml, layering those sources, validating the
// result, and the JSON Schema that editors use to check their settings.
//
// Layers apply in this order, later ones winning: defaults < user file <
// editor settings < workspace file. A workspace file comes from whatever
// repository the user opened, so unless the user's own file trusts that
// folder it may choose models, routes and completion tuning and may only
// tighten the data policy; it may never set endpoints, headers,
// credentials or logging. A Store keeps the last configuration that
// validated, so a bad edit never takes the server down.
//
// Presets (presets.go) name known OpenAI-compatible services; Merge fills
// in the endpoint and key variable they supply, so that every reader of a
// merged configuration sees the values actually used.
//
// The package depends on no other Switchyard package, and must not: every
// layer reads it. It never makes network calls and never logs; it returns
// errors and warnings for the caller to show. Secrets are never read here
// except by Provider.APIKey, and never appear in an error.
package config
