// Package audit keeps the audit log: one JSON line for every request that
// leaves the machine, so that a security reviewer can answer "which vendor
// saw internal/billing/ last week?" from the machine itself.
//
// A line records when, which task, model and provider, the endpoint's
// host, the workspace-relative paths whose content was in the prompt with
// a SHA-256 of what was sent of each, the count of redactions by rule and
// the policy rules that admitted the provider. The Entry type has no
// field that could hold code, a prompt, a secret or a key, and the log
// writes only Entries: nothing else can reach the file.
//
// The router reports each call through providers.Egress; Log.Record takes
// it without blocking the request (a full buffer drops the line and counts
// it), and one goroutine appends and rotates the files. Read and Filter
// serve `switchyard audit`.
//
// This package must not read or log anything of a request beyond what
// providers.Egress carries.
package audit
