package config

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"sync"
)

//go:generate go test -run TestSchemaFileIsCurrent -update .

// descriptions explain every key of the schema, by key path; "*" stands
// for a user-chosen name. A test fails when a key has none, so the schema
// the editors show never has an unexplained setting.
func descriptionsTable() map[string]string {
	return map[string]string{
		"":                                  "Switchyard configuration: providers (where models are reached), models (what they can do), routes (which model does which work), completion tuning, data policy, trusted folders and logging.",
		"providers":                         "Backends, by your name for each. A provider says under which terms a model is reached: endpoint, credentials, jurisdiction, retention.",
		"providers.*":                       "One backend. OpenAI-compatible servers (vLLM, LM Studio, OpenRouter, Together, Ollama's /v1) use type \"openai\" with a base_url.",
		"providers.*.type":                  "The wire protocol the provider speaks.",
		"providers.*.preset":                "A known OpenAI-compatible service, for type \"openai\": fills base_url, api_key_env (unless api_key_cmd is set) and the data-policy defaults you leave empty. openai, openrouter, together, groq and deepseek are the vendors' APIs; vllm, lmstudio and litellm are servers on this machine at their default ports.",
		"providers.*.base_url":              "Endpoint, an http:// or https:// URL. Each type has a default; set it for local runners and compatible servers.",
		"providers.*.api_key_env":           "Name of the environment variable that holds the API key (the name, never the key itself).",
		"providers.*.api_key_cmd":           "Shell command whose output is the API key, such as a password manager lookup. Runs with a 10 second limit.",
		"providers.*.headers":               "Extra HTTP headers sent with every request.",
		"providers.*.timeout":               "Deadline for a whole request, such as \"30s\" or a number of milliseconds. Leave out for the type's default.",
		"providers.*.stream_idle_timeout":   "End an answer when the provider sends no text for this long, such as \"30s\", and fall back if nothing was shown yet. Default 60s.",
		"providers.*.max_answer_time":       "End an answer still streaming after this long, such as \"5m\". Default 10m.",
		"providers.*.max_answer_kb":         "End an answer longer than this many KiB of text. Default 8192 (8 MiB).",
		"providers.*.region":                "Region, for bedrock, vertex and azure.",
		"providers.*.project":               "Google Cloud project, for vertex.",
		"providers.*.options":               "Settings specific to the provider type, passed as written. For OpenRouter, options.provider holds its provider routing preferences: order (a list of provider slugs), allow_fallbacks, data_collection (\"allow\" or \"deny\") and zdr; data_collection = \"deny\" makes the provider count as not training on prompts, zdr = true as keeping none.",
		"providers.*.data":                  "What the provider promises about your data; the policy filters on these facts. Leave out what you do not know to use the type's defaults.",
		"providers.*.data.jurisdictions":    "Where data is processed: ISO country codes or \"EU\", \"US\".",
		"providers.*.data.retention_days":   "How many days the provider keeps prompts; 0 for none.",
		"providers.*.data.training":         "Whether prompts may be used for training.",
		"providers.*.data.private_network":  "Whether traffic stays on a private network (a VPC endpoint, say).",
		"providers.*.data.local":            "Whether nothing leaves this machine.",
		"providers.*.disabled":              "Keep the provider's settings but never route to it.",
		"models":                            "Models, by your name for each. The same model reached through two providers is two entries.",
		"models.*":                          "One model reached through one provider.",
		"models.*.provider":                 "The name of the provider (a key of providers) that serves this model.",
		"models.*.id":                       "The provider's own id for the model, such as \"qwen2.5-coder:7b-base\" or \"gpt-4o\".",
		"models.*.classes":                  "What the model is good for; routing only considers models of the class the work needs.",
		"models.*.fim":                      "Fill-in-the-middle prompt format. Leave empty to infer it from the model id; \"native\" uses the provider's own endpoint (llama.cpp /infill, Ollama suffix, Mistral /v1/fim/completions); \"none\" completes through chat.",
		"models.*.context_window":           "The model's context window in tokens; 0 when unknown.",
		"models.*.max_output":               "The most tokens the model can write in one answer; 0 when unknown.",
		"models.*.vision":                   "Whether the model accepts images.",
		"models.*.next_edit_format":         "Prompt format for next-edit suggestions. Leave empty to infer it from the model id (Zed's Zeta, Continue's Instinct, Sweep's next-edit models); \"chat\" asks any chat model to rewrite the window.",
		"routes":                            "For each kind of work, the models to use in order of preference; later ones are fallbacks.",
		"routes." + TaskCompletion:          "Inline completion while typing: a fast code model with fill-in-the-middle.",
		"routes." + TaskCoding:              "Fix, explain, document or test one range: a strong coding model.",
		"routes." + TaskRefactor:            "Refactor across several files: a frontier reasoning model.",
		"routes." + TaskImage:               "Implement from a screenshot or mockup: a model with vision.",
		"routes." + TaskLongContext:         "A question over a large part of the repository: a long-context model.",
		"routes." + TaskNextEdit:            "Next-edit suggestions: a next-edit model (Zeta, Instinct, Sweep) or a fast coding model through chat.",
		"tasks":                             "For each kind of work, how it is routed when routes does not list its models.",
		"tasks.*":                           "Routing settings for this kind of work.",
		"tasks.*.class":                     "The model class this work asks for instead of its own (completion: completion, coding: coding, refactor: frontier, image: multimodal, long_context: long-context, next_edit: next-edit), such as \"coding\" to refactor with a cheaper model.",
		"completion":                        "Inline completion tuning.",
		"completion.debounce":               "Wait this long after the last keystroke before asking a model, such as \"150ms\" or a number of milliseconds.",
		"completion.timeout":                "Give up on a completion after this long.",
		"completion.max_prefix_tokens":      "Budget, in tokens, for the text before the cursor.",
		"completion.max_suffix_tokens":      "Budget, in tokens, for the text after the cursor.",
		"completion.max_context_tokens":     "Budget, in tokens, for repository context: definitions of what the code near the cursor uses, similar code and other open files, shared as completion.context says; 0 sends none.",
		"completion.context":                "How completion.max_context_tokens is shared between the sources of repository context; what one leaves unused goes to the next.",
		"completion.context.definitions":    "Fraction of max_context_tokens for the definitions, from anywhere in the workspace, of what the code near the cursor uses.",
		"completion.context.similar":        "Fraction of max_context_tokens for code from open files that resembles the code before the cursor.",
		"completion.context.open_files":     "Fraction of max_context_tokens for other open files of the same language around their last edit.",
		"completion.max_tokens":             "The longest suggestion, in tokens.",
		"completion.temperature":            "Sampling temperature; low values give steadier completions.",
		"completion.cache_size":             "How many suggestions to remember; 0 turns the cache off.",
		"completion.multi_line":             "Whether suggestions may span several lines: \"auto\" decides from the cursor's place.",
		"next_edit":                         "Next-edit suggestions: from your recent edits, the edit you will likely make next near the cursor, possibly on another line (the switchyard/nextEdit request). Off by default, since it costs one model call per pause in typing.",
		"next_edit.enabled":                 "Suggest next edits. The editor plugins ask after each pause in typing; off, the server answers at once with nothing.",
		"next_edit.debounce":                "Wait this long after the last keystroke before asking for a next edit, such as \"300ms\" or a number of milliseconds.",
		"next_edit.timeout":                 "Give up on a next-edit prediction after this long.",
		"next_edit.window_lines":            "How many lines around the cursor the model may rewrite; a suggestion outside them is dropped.",
		"next_edit.context_lines":           "How many lines above and below that window the model reads but may not change.",
		"next_edit.max_hunks":               "How many of your recent edits, from every open file, go into the prompt.",
		"next_edit.max_tokens":              "The longest answer, in tokens: the whole rewritten window.",
		"next_edit.temperature":             "Sampling temperature; leave out for the model's default, or 0 for steady predictions.",
		"images":                            "Limits on the screenshots and mockups the image actions read, checked before anything is decoded or sent. A workspace file you do not trust may only lower them.",
		"images.max_file_mb":                "The largest image file read, in MB (1 MB = 1,048,576 bytes).",
		"images.max_pixels":                 "The most pixels an image may declare in its header, in megapixels (width times height over a million). Checked before any pixel is decoded, so a decompression bomb costs nothing; decoding takes 4 MB of memory per megapixel.",
		"images.max_images":                 "The most images sent in one request.",
		"policy":                            "What may happen to your code. Routing never sends a request to a provider outside the policy; when none fits, the request fails with a clear error.",
		"policy.jurisdictions":              "Jurisdictions allowed to process your code; empty allows any.",
		"policy.max_retention_days":         "Only use providers that keep prompts at most this many days.",
		"policy.zero_retention":             "Only use providers that keep no prompts.",
		"policy.no_training":                "Only use providers that do not train on prompts.",
		"policy.local_only":                 "Path globs whose content is only ever sent to local models, such as \"secrets/**\".",
		"policy.secret_files":               "Globs of files that are secrets by nature, whose content only ever goes to local models, as context too. Default: .env*, *.pem, *.key, id_rsa*, id_ed25519*, .npmrc, .netrc, credentials and credentials.json, .yaml, .yml, .yml.enc, .toml, .ini, .xml, .csv, .db, .properties, .txt (not source files such as credentials.go), .credentials.json, .git-credentials, *.tfvars. Only your own configuration file can replace the list (an empty list turns it off); editor settings cannot, and a workspace file can only add to it.",
		"policy.offline":                    "Use local models only.",
		"policy.tasks":                      "Stricter rules for one kind of work. They only narrow the policy above, never widen it.",
		"policy.tasks.*":                    "Stricter rules for this kind of work.",
		"policy.tasks.*.jurisdictions":      "Only these jurisdictions, of those the policy allows; none in common leaves local models only.",
		"policy.tasks.*.max_retention_days": "A smaller retention limit for this work; a larger one is ignored.",
		"policy.tasks.*.zero_retention":     "Only providers that keep no prompts, for this work.",
		"policy.tasks.*.no_training":        "Only providers that do not train on prompts, for this work.",
		"policy.tasks.*.local_only":         "This work only ever goes to local models.",
		"policy.paths":                      "Stricter rules for content from matching files. A request carrying such content gets every matching entry's rules on top of the policy above.",
		"policy.paths[].glob":               "Path glob of the files the rules cover, written as in local_only, such as \"internal/**\".",
		"policy.paths[].jurisdictions":      "Only these jurisdictions, of those the policy allows, for content from these files.",
		"policy.paths[].max_retention_days": "A smaller retention limit for content from these files.",
		"policy.paths[].zero_retention":     "Only providers that keep no prompts, for content from these files.",
		"policy.paths[].no_training":        "Only providers that do not train on prompts, for content from these files.",
		"policy.paths[].local_only":         "Content from these files only ever goes to local models.",
		"trust":                             "Workspace folders whose .switchyard.toml may set endpoints, headers, credentials and logging. Only your own configuration file can set this.",
		"trust.folders":                     "Absolute paths (or ~/...) of trusted workspace folders.",
		"log":                               "Where the server's log goes. The log never holds keys or tokens.",
		"log.level":                         "How much to log.",
		"log.file":                          "Log to this file instead of stderr.",
		"audit":                             "The audit log: one JSON line for every request that leaves this machine (time, task, model, provider, host, the paths whose content was sent with a hash of it, redaction counts, the policy rules that admitted the provider). Never code, secrets or keys. Read it with `switchyard audit`. Only your own configuration (or a trusted folder's) can change it.",
		"audit.enabled":                     "Keep the audit log.",
		"audit.path":                        "The log file, an absolute path or one starting with ~/. Leave out for $XDG_STATE_HOME/switchyard/audit.jsonl (~/.local/state/switchyard/audit.jsonl).",
		"audit.max_size_mb":                 "Rotate the log when it reaches this many MB (1 MB = 1,048,576 bytes).",
		"audit.max_files":                   "How many rotated files to keep besides the current one; older ones are deleted.",
		"actions":                           "Your own code actions, listed in the editor's code-action menu beside the built-in ones.",
		"actions[]":                         "One code action: a prompt template, the route it uses and what happens to the answer.",
		"actions[].name":                    "A short unique name; the menu shows it unless title is set.",
		"actions[].title":                   "The menu entry, such as \"Translate comments to English\".",
		"actions[].prompt":                  "What to ask the model. Variables: {selection} (the selected code), {file} (the file's path), {language}, {diagnostics} (the problems at the selection), {instruction} (asked for by the editor plugins, or a \"switchyard:\" comment above the selection).",
		"actions[].task":                    "The route to use: coding (the default), refactor or long_context.",
		"actions[].output":                  "What to do with the answer: replace the selection (the default), insert it below the selection, write it to a new file, or show it as a Markdown document.",
		"actions[].file":                    "For output new_file: the path to write, relative to the current file's folder unless absolute inside the workspace. Variables: {dir}, {stem} (file name without extension), {ext} (with its dot), {name} (the action's name).",
	}
}

// enums are the choices of the enumerated keys, the same lists Validate
// checks against.
func enumsTable() map[string][]string {
	return map[string][]string{
		"providers.*.type":          ProviderTypes,
		"providers.*.preset":        Presets,
		"models.*.fim":              FIMFormats,
		"models.*.classes[]":        Classes,
		"completion.multi_line":     MultiLines,
		"log.level":                 LogLevels,
		"actions[].task":            ActionTasks,
		"actions[].output":          ActionOutputs,
		"tasks.*.class":             Classes,
		"models.*.next_edit_format": NextEditFormats,
	}
}

// required are the keys an entry cannot do without, as Validate demands.
var required = map[string][]string{
	"providers.*":    {"type"},
	"models.*":       {"provider", "id"},
	"actions[]":      {"name", "prompt"},
	"policy.paths[]": {"glob"},
}

// bounds are the numeric limits Validate enforces, so editors flag them
// while the user types.
func boundsTable() map[string][2]float64 {
	return map[string][2]float64{
		"completion.max_prefix_tokens":      {0, maxPromptTokens},
		"completion.max_suffix_tokens":      {0, maxPromptTokens},
		"completion.max_context_tokens":     {0, maxPromptTokens},
		"completion.max_tokens":             {1, maxCompletionTokens},
		"completion.context.definitions":    {0, 1},
		"completion.context.similar":        {0, 1},
		"completion.context.open_files":     {0, 1},
		"completion.temperature":            {0, 2},
		"completion.cache_size":             {0, 1 << 31},
		"next_edit.window_lines":            {1, maxNextEditWindowLines},
		"next_edit.context_lines":           {0, maxNextEditContextLines},
		"next_edit.max_hunks":               {0, maxNextEditHunks},
		"next_edit.max_tokens":              {1, maxCompletionTokens},
		"next_edit.temperature":             {0, 2},
		"images.max_file_mb":                {1, MaxImageFileMB},
		"images.max_pixels":                 {1, MaxImagePixels},
		"images.max_images":                 {1, MaxImageCount},
		"models.*.context_window":           {0, 1 << 31},
		"models.*.max_output":               {0, 1 << 31},
		"policy.max_retention_days":         {0, 1 << 31},
		"providers.*.data.retention_days":   {0, 1 << 31},
		"policy.tasks.*.max_retention_days": {0, 1 << 31},
		"policy.paths[].max_retention_days": {0, 1 << 31},
	}
}

// taskKeyed are the maps keyed by task: the schema lists the known tasks
// as their properties, so editors offer them and flag a misspelt one.
// Their entries share the "*" descriptions, enums and bounds.
var taskKeyed = map[string]bool{"routes": true, "tasks": true, "policy.tasks": true}

// schemaTables holds descriptions, enums and bounds with the task-keyed
// entries expanded. They are built on first use: only JSONSchema reads
// them (the tests, which keep schema.json current), and building them at
// package init cost every start, `switchyard version` and the server's
// included, about 40 KB and 0.2 ms.
type schemaTables struct {
	descriptions map[string]string
	enums        map[string][]string
	bounds       map[string][2]float64
}

var tables = sync.OnceValue(func() schemaTables {
	t := schemaTables{descriptionsTable(), enumsTable(), boundsTable()}
	for table := range taskKeyed {
		if table != "routes" { // each route has its own description
			expandTasks(t.descriptions, table)
			expandTasks(t.enums, table)
			expandTasks(t.bounds, table)
		}
	}
	return t
})

// expandTasks writes the "TABLE.*" entries of m once for each task and
// removes the "*" ones, which are not keys of the schema.
func expandTasks[V any](m map[string]V, table string) {
	for k, v := range maps.Clone(m) {
		if rest, ok := strings.CutPrefix(k, table+".*"); ok {
			for _, task := range Tasks {
				m[table+"."+task+rest] = v
			}
			delete(m, k)
		}
	}
}

// durationPattern accepts what Duration.UnmarshalText does: a Go duration
// ("150ms", "1m30s") or a bare number of milliseconds.
const durationPattern = `^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+$|^[0-9]+(\.[0-9]*)?$`

// JSONSchema returns the JSON Schema (draft-07, what VS Code reads) of the
// configuration, generated from the Config types so the two cannot drift.
// The checked-in schema.json is this output.
func JSONSchema() ([]byte, error) {
	root := schemaFor(reflect.TypeFor[Config](), "", reflect.ValueOf(*Defaults()))
	root.Schema = "http://json-schema.org/draft-07/schema#"
	root.Title = "Switchyard"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type schemaNode struct {
	Schema               string        `json:"$schema,omitempty"`
	Title                string        `json:"title,omitempty"`
	Description          string        `json:"description,omitempty"`
	Type                 any           `json:"type,omitempty"`
	Enum                 []string      `json:"enum,omitempty"`
	Pattern              string        `json:"pattern,omitempty"`
	Minimum              *float64      `json:"minimum,omitempty"`
	Maximum              *float64      `json:"maximum,omitempty"`
	Default              any           `json:"default,omitempty"`
	Items                *schemaNode   `json:"items,omitempty"`
	Required             []string      `json:"required,omitempty"`
	Properties           *schemaFields `json:"properties,omitempty"`
	AdditionalProperties any           `json:"additionalProperties,omitempty"`
}

// schemaFields keeps properties in declaration order, the order the
// example file and the editors' settings pages follow.
type schemaFields struct {
	keys  []string
	nodes map[string]*schemaNode
}

func (f *schemaFields) add(key string, n *schemaNode) {
	if f.nodes == nil {
		f.nodes = map[string]*schemaNode{}
	}
	f.keys = append(f.keys, key)
	f.nodes[key] = n
}

func (f *schemaFields) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range f.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.nodes[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// schemaFor describes type t at key path key. def is the default value
// there, if the defaults reach that far (invalid otherwise).
func schemaFor(t reflect.Type, key string, def reflect.Value) *schemaNode {
	tab := tables()
	n := &schemaNode{Description: tab.descriptions[key], Enum: tab.enums[key], Required: required[key]}
	if b, ok := tab.bounds[key]; ok {
		n.Minimum, n.Maximum = &b[0], &b[1]
	}
	if def.IsValid() && def.Kind() == reflect.Pointer {
		if def.IsNil() {
			def = reflect.Value{}
		} else {
			def = def.Elem()
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if def.IsValid() && t.Kind() != reflect.Struct && !def.IsZero() {
		n.Default = def.Interface()
	}
	switch {
	case t == durationType:
		n.Type = []string{"string", "number"}
		n.Pattern = durationPattern
		if n.Default != nil {
			n.Default = def.Interface().(Duration).D().String()
		}
	case t.Kind() == reflect.String:
		n.Type = "string"
	case t.Kind() == reflect.Bool:
		n.Type = "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		n.Type = "integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		n.Type = "number"
	case t.Kind() == reflect.Slice:
		n.Type = "array"
		n.Items = schemaFor(t.Elem(), key+"[]", reflect.Value{})
	case t.Kind() == reflect.Struct:
		n.Type = "object"
		n.Properties = &schemaFields{}
		for f := range t.Fields() {
			name := tagName(f)
			if name == "" {
				continue
			}
			var fdef reflect.Value
			if def.IsValid() {
				fdef = def.FieldByIndex(f.Index)
			}
			n.Properties.add(name, schemaFor(f.Type, join(key, name), fdef))
		}
		n.AdditionalProperties = false
	case t.Kind() == reflect.Map && taskKeyed[key]:
		// The keys are the known tasks, so list them: editors then offer
		// them and flag a misspelt task.
		n.Type = "object"
		n.Properties = &schemaFields{}
		for _, task := range Tasks {
			n.Properties.add(task, schemaFor(t.Elem(), join(key, task), reflect.Value{}))
		}
		n.AdditionalProperties = false
	case t.Kind() == reflect.Map:
		n.Type = "object"
		elem := schemaFor(t.Elem(), key+".*", reflect.Value{})
		if t.Elem().Kind() != reflect.Interface {
			n.AdditionalProperties = elem
		}
	}
	return n
}

// schemaKeys lists every key path the schema describes, for the test that
// each has a description.
func schemaKeys(n *schemaNode, key string, out *[]string) {
	*out = append(*out, key)
	if n.Items != nil {
		schemaKeys(n.Items, key+"[]", out)
	}
	if n.Properties != nil {
		for _, k := range n.Properties.keys {
			schemaKeys(n.Properties.nodes[k], join(key, k), out)
		}
	}
	if sub, ok := n.AdditionalProperties.(*schemaNode); ok {
		schemaKeys(sub, key+".*", out)
	}
}
