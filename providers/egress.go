package providers

import "time"

// Egress describes one request that left the machine: a call to a provider
// that is not local. The router reports one for every such call, after
// redaction and before the call is made, to whatever records it (the audit
// log). It holds no code, no secret and no credential: paths, hashes and
// counts only.
type Egress struct {
	Time     time.Time
	Task     string // config.TaskCompletion, ...
	Model    string // the model's config name, [models.NAME]
	Provider string // the provider's config name, [providers.NAME]
	Host     string // the endpoint's host (and port), never its path, query or user info
	// Sources are the workspace-relative paths whose content was in the
	// prompt, each with the SHA-256 (hex) of what was sent of it.
	Sources []Source
	// SentSHA256 is the SHA-256 (hex) of the whole prompt as sent, after
	// redaction.
	SentSHA256 string
	// Redactions counts the secrets replaced by placeholders, by rule id.
	Redactions map[string]int
	// Admitted names the policy rules the provider passed for this
	// request (for example "policy.jurisdictions: EU").
	Admitted []string
}

// Source is one file whose content was part of a prompt.
type Source struct {
	Path   string // workspace-relative, with forward slashes
	SHA256 string // hex SHA-256 of the content of it that was sent
}
