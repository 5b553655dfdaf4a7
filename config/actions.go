package config

import (
	"slices"
	"strconv"
	"strings"
)

// Action is a user-defined code action, one [[actions]] entry. It appears
// in the editor's code-action list beside the built-in ones.
type Action struct {
	Name   string `toml:"name" json:"name"`               // unique; also the menu title unless title is set
	Title  string `toml:"title" json:"title,omitempty"`   // shown in the editor's menu
	Prompt string `toml:"prompt" json:"prompt"`           // template: {selection} {file} {language} {diagnostics} {instruction}
	Task   string `toml:"task" json:"task,omitempty"`     // the route to use; "" means coding
	Output string `toml:"output" json:"output,omitempty"` // what to do with the answer; "" means replace
	File   string `toml:"file" json:"file,omitempty"`     // output new_file: the path to write, template {dir} {stem} {ext} {name}
}

// Output modes of a user-defined action.
const (
	OutputReplace     = "replace"      // replace the selection
	OutputInsertBelow = "insert_below" // insert after the selection's last line
	OutputNewFile     = "new_file"     // write a new file, named by file
	OutputDocument    = "document"     // show as a Markdown document
)

// The choices Validate accepts for [[actions]]; the JSON Schema lists them.
var (
	ActionOutputs = []string{OutputReplace, OutputInsertBelow, OutputNewFile, OutputDocument}
	// ActionTasks are the routes an action may use: inline completion's
	// fast fill-in-the-middle models cannot follow a prompt.
	ActionTasks = []string{TaskCoding, TaskRefactor, TaskLongContext}
	// PromptVariables may appear in an action's prompt.
	PromptVariables = []string{"selection", "file", "language", "diagnostics", "instruction"}
	// FileVariables may appear in an action's file.
	FileVariables = []string{"dir", "stem", "ext", "name"}
)

// variableRE finds {name} variables; other braces (code in a prompt) are
// left alone because they rarely hold a bare identifier.
var variableRE = lazyRegexp(`\{([a-z_]+)\}`)

// validateActions checks the [[actions]] entries.
func validateActions(ps *problems, actions []Action) {
	seen := map[string]bool{}
	for i, a := range actions {
		key := "actions"
		at := func(field string) string { return key + "." + field }
		name := strings.TrimSpace(a.Name)
		switch {
		case name == "":
			ps.add(at("name"), "entry %d has no name: give each action a short unique name, such as \"translate-comments\"", i+1)
		case seen[name]:
			ps.add(at("name"), "%q names two actions: give each a unique name", name)
		case strings.ContainsAny(name, "\r\n"):
			ps.add(at("name"), "%q holds a line break: use one line", name)
		}
		seen[name] = true
		label := name
		if label == "" {
			label = "entry " + strconv.Itoa(i+1)
		}
		if strings.TrimSpace(a.Prompt) == "" {
			ps.add(at("prompt"), "action %q has no prompt: write what the model should do, using {selection}, {file}, {language}, {diagnostics} or {instruction}", label)
		}
		for _, m := range variableRE().FindAllStringSubmatch(a.Prompt, -1) {
			if !slices.Contains(PromptVariables, m[1]) {
				ps.add(at("prompt"), "action %q uses {%s}, which is not a variable: use %s", label, m[1], braces(PromptVariables))
			}
		}
		if a.Task != "" && !slices.Contains(ActionTasks, a.Task) {
			ps.add(at("task"), "action %q: %q is not a task an action can use: use one of %s", label, a.Task, list(ActionTasks))
		}
		if a.Output != "" && !slices.Contains(ActionOutputs, a.Output) {
			ps.add(at("output"), "action %q: %q is not an output: use one of %s", label, a.Output, list(ActionOutputs))
		}
		switch {
		case a.Output == OutputNewFile && strings.TrimSpace(a.File) == "":
			ps.add(at("file"), "action %q writes a new file but names none: set file, such as \"{dir}/{stem}_notes.md\"", label)
		case a.File != "" && a.Output != OutputNewFile:
			ps.add(at("file"), "action %q sets file but its output is %q: set output = \"new_file\", or remove file", label, orReplace(a.Output))
		}
		for _, m := range variableRE().FindAllStringSubmatch(a.File, -1) {
			if !slices.Contains(FileVariables, m[1]) {
				ps.add(at("file"), "action %q uses {%s} in file, which is not a variable: use %s", label, m[1], braces(FileVariables))
			}
		}
	}
}

func orReplace(output string) string {
	if output == "" {
		return OutputReplace
	}
	return output
}

func braces(vars []string) string {
	q := make([]string, len(vars))
	for i, v := range vars {
		q[i] = "{" + v + "}"
	}
	return strings.Join(q, ", ")
}
