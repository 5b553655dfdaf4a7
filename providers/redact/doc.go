// Package redact finds secrets in text that is about to leave the machine
// and replaces each with a placeholder such as <SECRET_1>, so that a
// remote model sees the shape of the code but never the key, token or
// password in it. The placeholders in the model's answer are mapped back
// to the secrets locally, so the user sees their own code.
//
// Two detectors run: the rule set of gitleaks (gitleaks.toml, copied
// unchanged from github.com/zricethezav/gitleaks/v8 at GitleaksVersion;
// `go generate` fetches it again through the module proxy), which knows
// the formats of some two hundred vendors' keys, and a check of assignments
// (KEY = "...", password: ..., .env lines, passwords in URLs) whose name
// says the value is a secret.
//
// It must stay cheap to import and to run: nothing is parsed or compiled
// at package initialisation (the server starts in milliseconds); the rules
// are read on first use and each rule's pattern is compiled the first
// time one of its keywords appears; a keyword prefilter keeps the cost of
// a long prompt to one pass over its bytes. It never logs and never
// returns a secret except to the caller that gave it the text.
package redact

//go:generate go run gen_rules.go
