package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// entryMaps are the tables whose entries are whole definitions: a later
// layer's [models.coder] replaces the earlier one instead of patching it,
// so that no field of an old definition leaks into a new one.
var entryMaps = map[string]bool{"providers": true, "models": true, "routes": true}

// untrustedProviderKeys are the keys an untrusted workspace file may set on
// a provider that the user has already defined: they can only make it
// stricter (a shorter deadline) or switch it off.
var untrustedProviderKeys = map[string]bool{"timeout": true, "disabled": true}

// Why a provider key is withheld from an untrusted workspace file.
var untrustedProviderWhy = map[string]string{
	"type":        "it would change where the provider's key is sent",
	"preset":      "it sets an endpoint and a credential",
	"base_url":    "it sets an endpoint",
	"headers":     "it sets HTTP headers",
	"api_key_env": "it sets a credential",
	"api_key_cmd": "it runs a command",
	"options":     "it sets provider options",
	"region":      "it changes where requests go",
	"project":     "it changes where requests go",
	"data":        "it overrides what the provider promises about data",
}

// Merge layers user, editor and workspace layers over the defaults, applies
// the workspace trust rule and validates the result. Any layer may be nil.
// Keys ignored under the trust rule come back as warnings; the error, if
// any, is a *ValidationError naming the source of each problem.
func Merge(user, editor *Layer, workspaces ...*Layer) (*Config, []Problem, error) {
	m := &merged{tree: map[string]any{}, origins: map[string]*Layer{}}
	var warnings []Problem
	if user != nil {
		m.apply(user, user.tree, false)
	}
	if editor != nil {
		tree := editor.tree
		if _, ok := tree["trust"]; ok {
			tree = maps.Clone(tree)
			delete(tree, "trust")
			warnings = append(warnings, Problem{Source: editor.Source, Key: "trust", Message: fmt.Sprintf(
				"ignored: only your own configuration file (%s) can list trusted folders, since editor settings may come from a repository's own settings", userFileName(user))})
		}
		if pol, ok := tree["policy"].(map[string]any); ok {
			if _, ok := pol["secret_files"]; ok {
				tree = maps.Clone(tree)
				pol = maps.Clone(pol)
				delete(pol, "secret_files")
				tree["policy"] = pol
				warnings = append(warnings, Problem{Source: editor.Source, Key: "policy.secret_files", Message: fmt.Sprintf(
					"ignored: only your own configuration file (%s) can change which files are secret, since editor settings may come from a repository's own settings", userFileName(user))})
			}
		}
		m.apply(editor, tree, false)
	}

	userCfg, err := user.Config()
	if err != nil {
		return nil, warnings, err
	}
	trusted := canonicalFolders(userCfg.Trust.Folders)

	type workspacePolicy struct {
		layer  *Layer
		policy Policy
		set    map[string]bool
	}
	var policies []workspacePolicy
	for _, ws := range sortedWorkspaces(workspaces) {
		tree, providers, policy, warns := m.filterWorkspace(ws, trusted[canonical(ws.Folder)], userFileName(user))
		warnings = append(warnings, warns...)
		m.apply(ws, tree, false)
		m.apply(ws, providers, true)
		if policy != nil {
			var p Policy
			if err := decodeInto(policy, &p); err != nil {
				return nil, warnings, jsonProblem(err, ws.Source)
			}
			for k, v := range policy {
				m.record(join("policy", k), v, ws)
			}
			policies = append(policies, workspacePolicy{ws, p, setKeys(policy)})
		}
	}

	cfg, err := decodeTree(m.tree)
	if err != nil {
		return nil, warnings, &ValidationError{Problems: []Problem{{Message: err.Error()}}}
	}
	for _, wp := range policies {
		var notes []Problem
		cfg.Policy, notes = tighten(cfg.Policy, wp.policy, wp.set)
		for i := range notes {
			notes[i].Source, notes[i].Line = wp.layer.Source, wp.layer.Line(notes[i].Key)
		}
		warnings = append(warnings, notes...)
	}
	if err := cfg.validate(m.source); err != nil {
		return nil, warnings, err
	}
	cfg.applyPresets()
	return cfg, warnings, nil
}

// merged is the tree being built and, for every key path set, the layer
// that set it, so that a problem can name the file (and line) to fix.
type merged struct {
	tree    map[string]any
	origins map[string]*Layer
}

func (m *merged) apply(l *Layer, tree map[string]any, patch bool) {
	for _, top := range slices.Sorted(maps.Keys(tree)) {
		v := tree[top]
		entries, isMap := v.(map[string]any)
		if !entryMaps[top] || !isMap || patch {
			m.mergeValue(m.tree, top, v, top, l)
			continue
		}
		dst, ok := m.tree[top].(map[string]any)
		if !ok {
			dst = map[string]any{}
			m.tree[top] = dst
		}
		for name, entry := range entries {
			key := join(top, quoteKey(name))
			m.forget(key)
			dst[name] = cloneAny(entry)
			m.record(key, entry, l)
		}
	}
}

// mergeValue sets tables key by key, so a layer changes only what it set,
// and replaces everything else (lists included) whole.
func (m *merged) mergeValue(dst map[string]any, k string, v any, key string, l *Layer) {
	src, ok := v.(map[string]any)
	if !ok {
		dst[k] = cloneAny(v)
		m.forget(key)
		m.record(key, v, l)
		return
	}
	d, ok := dst[k].(map[string]any)
	if !ok {
		d = map[string]any{}
		dst[k] = d
	}
	if _, ok := m.origins[key]; !ok {
		m.origins[key] = l
	}
	for kk, vv := range src {
		m.mergeValue(d, kk, vv, join(key, quoteKey(kk)), l)
	}
}

func (m *merged) record(key string, v any, l *Layer) {
	m.origins[key] = l
	if sub, ok := v.(map[string]any); ok {
		for k, e := range sub {
			m.record(join(key, quoteKey(k)), e, l)
		}
	}
}

func (m *merged) forget(key string) {
	for k := range m.origins {
		if k == key || strings.HasPrefix(k, key+".") {
			delete(m.origins, k)
		}
	}
}

// source says which layer set key (or the nearest table above it).
func (m *merged) source(key string) (string, int) {
	for k := key; k != ""; {
		if l, ok := m.origins[k]; ok {
			line := l.Line(key)
			if line == 0 {
				line = l.Line(k)
			}
			return l.Source, line
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return DefaultsSource, 0
}

// filterWorkspace splits a workspace layer into what it may set: a tree
// applied like any other layer, provider changes applied as patches onto
// the user's definitions (untrusted only), and its [policy], which is
// applied by tightening. Everything withheld is reported.
func (m *merged) filterWorkspace(l *Layer, trusted bool, userFile string) (tree, providers, policy map[string]any, warns []Problem) {
	tree, providers = map[string]any{}, map[string]any{}
	hint := fmt.Sprintf("a workspace file may set this only in a folder you trust: add %q to [trust] folders in %s", l.Folder, userFile)
	reject := func(key, why string) {
		warns = append(warns, Problem{Source: l.Source, Line: l.Line(key), Key: key, Message: "ignored because " + why + "; " + hint})
	}
	existing, _ := m.tree["providers"].(map[string]any)
	for _, top := range slices.Sorted(maps.Keys(l.tree)) {
		v := l.tree[top]
		switch {
		case top == "trust":
			warns = append(warns, Problem{Source: l.Source, Line: l.Line(top), Key: top, Message: fmt.Sprintf(
				"ignored: only your own configuration file (%s) can list trusted folders", userFile)})
		case top == "policy":
			policy, _ = v.(map[string]any)
		case trusted:
			tree[top] = v
		case top == "log":
			reject(top, "it sets where logs are written")
		case top == "audit":
			reject(top, "it turns off or moves the audit log")
		case top == "images":
			if kept := m.lowerImageLimits(l, v, reject); len(kept) > 0 {
				tree[top] = kept
			}
		case top == "providers":
			entries, _ := v.(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(entries)) {
				key := join("providers", quoteKey(name))
				if _, ok := existing[name]; !ok {
					reject(key, "it defines a new provider")
					continue
				}
				fields, _ := entries[name].(map[string]any)
				have, _ := existing[name].(map[string]any)
				kept := map[string]any{}
				for _, f := range slices.Sorted(maps.Keys(fields)) {
					switch {
					case untrustedProviderKeys[f]:
						kept[f] = fields[f]
					case reflect.DeepEqual(have[f], fields[f]):
						// Repeating the user's own value changes nothing;
						// a file that spells out the whole provider
						// should not draw a warning for it.
					default:
						reject(join(key, f), untrustedProviderWhy[f])
					}
				}
				if len(kept) > 0 {
					providers[name] = kept
				}
			}
		default:
			tree[top] = v
		}
	}
	if len(providers) > 0 {
		providers = map[string]any{"providers": providers}
	}
	return tree, providers, policy, warns
}

// lowerImageLimits keeps the [images] limits of an untrusted workspace
// file that are no higher than those in force, so that a repository can
// ask for smaller images but never make the server read larger ones.
// A value that is not a number is kept, for decoding to report.
func (m *merged) lowerImageLimits(l *Layer, v any, reject func(key, why string)) map[string]any {
	fields, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	have, _ := m.tree["images"].(map[string]any)
	current := map[string]float64{
		"max_file_mb": DefaultImageMaxFileMB,
		"max_pixels":  DefaultImageMaxPixels,
		"max_images":  DefaultImageMaxImages,
	}
	kept := map[string]any{}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		limit, known := current[f]
		if n, ok := number(have[f]); ok {
			limit = n
		}
		n, isNumber := number(fields[f])
		if known && isNumber && n > limit {
			reject(join("images", f), fmt.Sprintf("%v is above %v, the limit in force, and a folder you do not trust may only lower it", n, limit))
			continue
		}
		kept[f] = fields[f]
	}
	return kept
}

// number reads a value as TOML (int64, float64) or JSON (json.Number,
// float64) decode it.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// tighten applies a workspace's [policy] so that it can only narrow what
// base allows, whoever wrote it: a repository may ask for more care with
// its code, never less than the user asked for.
func tighten(base, ws Policy, set map[string]bool) (Policy, []Problem) {
	var notes []Problem
	out := base
	if set["jurisdictions"] && len(ws.Jurisdictions) > 0 {
		both, none := intersect(base.Jurisdictions, ws.Jurisdictions)
		if none {
			// An empty list would allow any jurisdiction; no remote
			// provider can satisfy both lists, so only local ones remain.
			out.Offline = true
			notes = append(notes, Problem{Key: "policy.jurisdictions", Message: fmt.Sprintf(
				"no jurisdiction is in both this file's list and your own (%s), so only local models will be used", strings.Join(base.Jurisdictions, ", "))})
		} else {
			out.Jurisdictions = both
		}
	}
	if set["max_retention_days"] && ws.MaxRetentionDays != nil {
		if base.MaxRetentionDays == nil || *ws.MaxRetentionDays < *base.MaxRetentionDays {
			out.MaxRetentionDays = clonePtr(ws.MaxRetentionDays)
		}
	}
	out.ZeroRetention = base.ZeroRetention || ws.ZeroRetention
	out.NoTraining = base.NoTraining || ws.NoTraining
	out.Offline = out.Offline || ws.Offline
	out.LocalOnly = cloneStrings(base.LocalOnly)
	for _, g := range ws.LocalOnly {
		if !slices.Contains(out.LocalOnly, g) {
			out.LocalOnly = append(out.LocalOnly, g)
		}
	}
	// A repository may name more secret files, never fewer: it adds to
	// the list in force, defaults included.
	if set["secret_files"] && len(ws.SecretFiles) > 0 {
		out.SecretFiles = slices.Clone(base.SecretFileGlobs())
		for _, g := range ws.SecretFiles {
			if !slices.Contains(out.SecretFiles, g) {
				out.SecretFiles = append(out.SecretFiles, g)
			}
		}
	}
	// The overrides are stricter rules still: a task's combines with the
	// user's override of the same task, and path entries add up.
	if len(ws.Tasks) > 0 {
		out.Tasks = cloneTaskPolicies(base.Tasks)
		if out.Tasks == nil {
			out.Tasks = map[string]PolicyOverride{}
		}
		for _, task := range slices.Sorted(maps.Keys(ws.Tasks)) {
			out.Tasks[task] = out.Tasks[task].narrow(ws.Tasks[task])
		}
	}
	if len(ws.Paths) > 0 {
		out.Paths = append(clonePathPolicies(base.Paths), clonePathPolicies(ws.Paths)...)
	}
	return out, notes
}

func setKeys(m map[string]any) map[string]bool {
	set := make(map[string]bool, len(m))
	for k := range m {
		set[k] = true
	}
	return set
}

func decodeInto(tree map[string]any, v any) error {
	b, err := json.Marshal(tree)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func sortedWorkspaces(ws []*Layer) []*Layer {
	out := slices.DeleteFunc(slices.Clone(ws), func(l *Layer) bool { return l == nil })
	slices.SortFunc(out, func(a, b *Layer) int { return strings.Compare(a.Folder, b.Folder) })
	return out
}

func userFileName(user *Layer) string {
	if user != nil && user.Source != "" {
		return user.Source
	}
	return "your user configuration file (~/.config/switchyard/config.toml)"
}

// canonical makes folder paths comparable: ~ expanded, absolute, clean,
// symlinks resolved where the folder exists.
func canonical(p string) string {
	if p == "" {
		return ""
	}
	p, err := expandHome(p)
	if err != nil {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return filepath.Clean(p)
}

func canonicalFolders(folders []string) map[string]bool {
	set := make(map[string]bool, len(folders))
	for _, f := range folders {
		if c := canonical(f); c != "" {
			set[c] = true
		}
	}
	return set
}
