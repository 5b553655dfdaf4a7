// Package router turns a request's need into a ranked list of candidate
// models and calls them in turn: filter by policy and capability, rank by
// the configured order, measured time to first token and price, then call
// with one retry loop and fallback that stops once the first piece of text
// exists (DESIGN.md decisions 7 to 9).
//
// The policy in force for a request is [policy] narrowed by the task's
// [policy.tasks.NAME] and by every [[policy.paths]] entry matching a file
// the content came from; [tasks.NAME] class changes the class a task asks
// for when [routes] does not list its models.
//
// It also keeps the state routing depends on: a circuit breaker per
// provider, a moving average of time to first token per model, whether
// the machine is online, probes of local runners, and each workspace
// folder's .switchyardignore, read again when it changes.
//
// The router must never send content to a provider that the user's policy
// excludes, not even as a fallback, and never downgrade quietly: when no
// candidate is left, the error names the rule that removed each one. It
// sees no documents and no JSON-RPC. Plan does no I/O; Stream and Explain
// stat the .switchyardignore files at most once a second.
package router
