package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.lsp.dev/jsonrpc2"

	"switchyard/config"
)

// commandExplainRoute answers which model a task would go to, and why
// every other candidate was removed: the router's Decision as JSON, the
// same one `switchyard doctor --route` prints. It makes no model call.
const commandExplainRoute = "switchyard.explainRoute"

// explainRouteArgs is the command's argument: the task, and the document
// whose content the request would carry (uri or path), which decides
// [policy] local_only, .switchyardignore and [[policy.paths]]. The
// editor plugins send their editor context ({uri, range}); a bare task
// name, optionally followed by a URI or path, works as well.
type explainRouteArgs struct {
	Task string `json:"task"`
	URI  string `json:"uri"`
	Path string `json:"path"`
}

// defaultExplainTask is what an explanation without a task is about: the
// work that happens in every file while typing.
const defaultExplainTask = config.TaskCompletion

func explainRoute(s *server, method string, p executeCommandParams) (*job, error) {
	a, err := parseExplainRouteArgs(p.Arguments)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s: %v", method, commandExplainRoute, err)
	}
	return &job{run: func(context.Context) (any, error) {
		s.settings.applyMu.Lock()
		current := s.settings.router
		s.settings.applyMu.Unlock()
		if rt, ok := s.backend.Explain(current, a.Task, a.Path); ok {
			return rt.Decision, nil
		}
		if r, ok := current.(unconfigured); ok {
			return nil, fmt.Errorf("%s: no configuration is in force, so nothing is routed: %w", commandExplainRoute, r.err)
		}
		return nil, fmt.Errorf("%s: this server's router cannot explain its choices", commandExplainRoute)
	}}, nil
}

func parseExplainRouteArgs(args []json.RawMessage) (explainRouteArgs, error) {
	var a explainRouteArgs
	for i, raw := range args {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			switch {
			case i == 0 && !looksLikeFile(s):
				a.Task = s
			case a.URI == "" && a.Path == "":
				a.URI = s
			default:
				return a, fmt.Errorf("argument %d, %q, is neither a task nor a document", i+1, s)
			}
			continue
		}
		var o explainRouteArgs
		if err := json.Unmarshal(raw, &o); err != nil {
			return a, fmt.Errorf("argument %d is not a task, a URI or {task, uri, path}: %v", i+1, err)
		}
		if o.Task != "" {
			a.Task = o.Task
		}
		if o.URI != "" {
			a.URI = o.URI
		}
		if o.Path != "" {
			a.Path = o.Path
		}
	}
	if a.Task == "" {
		a.Task = defaultExplainTask
	}
	if !slices.Contains(config.Tasks, a.Task) {
		return a, fmt.Errorf("%q is not a task: use one of %s", a.Task, strings.Join(config.Tasks, ", "))
	}
	if a.Path == "" && a.URI != "" {
		if strings.HasPrefix(a.URI, "file:") {
			a.Path = uriPath(a.URI)
		} else if filepath.IsAbs(a.URI) {
			a.Path = a.URI
		}
		// Other schemes (untitled:, a remote file system) have no path
		// for the path rules to match.
	}
	return a, nil
}

func looksLikeFile(s string) bool {
	return strings.Contains(s, ":") || strings.ContainsRune(s, '/') || strings.ContainsRune(s, filepath.Separator)
}
