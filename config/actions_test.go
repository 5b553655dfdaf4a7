package config

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateActions(t *testing.T) {
	good := Action{Name: "translate", Prompt: "Translate the comments in {selection} ({language}) to English."}
	tests := []struct {
		name    string
		actions []Action
		key     string
		message string // "" when the actions are valid
	}{
		{"valid, defaults", []Action{good}, "", ""},
		{"valid, every field", []Action{{Name: "notes", Title: "Write notes", Prompt: "Notes on {file}: {instruction}", Task: TaskRefactor, Output: OutputNewFile, File: "{dir}/{stem}.{name}.md"}}, "", ""},
		{"code braces are not variables", []Action{{Name: "x", Prompt: "Wrap in func() { {selection} }"}}, "", ""},
		{"no name", []Action{{Prompt: "p"}}, "actions.name", "entry 1 has no name"},
		{"duplicate name", []Action{good, good}, "actions.name", `"translate" names two actions`},
		{"no prompt", []Action{{Name: "x"}}, "actions.prompt", `action "x" has no prompt`},
		{"unknown variable", []Action{{Name: "x", Prompt: "do {selected}"}}, "actions.prompt", "{selected}, which is not a variable: use {selection}"},
		{"completion task", []Action{{Name: "x", Prompt: "p", Task: TaskCompletion}}, "actions.task", `"completion" is not a task an action can use: use one of "coding"`},
		{"unknown output", []Action{{Name: "x", Prompt: "p", Output: "replace_selection"}}, "actions.output", `"replace_selection" is not an output`},
		{"new file without file", []Action{{Name: "x", Prompt: "p", Output: OutputNewFile}}, "actions.file", "set file"},
		{"file without new_file", []Action{{Name: "x", Prompt: "p", File: "a.md"}}, "actions.file", `set output = "new_file"`},
		{"unknown file variable", []Action{{Name: "x", Prompt: "p", Output: OutputNewFile, File: "{base}.md"}}, "actions.file", "{base} in file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.Actions = tt.actions
			err := c.Validate()
			if tt.message == "" {
				if err != nil {
					t.Fatalf("valid actions rejected: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Key == tt.key && strings.Contains(p.Message, tt.message) {
					return
				}
			}
			t.Errorf("no problem at %s saying %q in:\n%v", tt.key, tt.message, err)
		})
	}
}

func TestLoadActionsFromTOML(t *testing.T) {
	l, err := ParseTOML([]byte(`
[[actions]]
name = "translate"
prompt = "Translate {selection}"
output = "insert_below"

[[actions]]
name = "explain-more"
prompt = "Explain {selection} in depth"
task = "long_context"
output = "document"
`), "user.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, problems, err := Merge(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(c.Actions) != 2 || c.Actions[0].Output != OutputInsertBelow || c.Actions[1].Task != TaskLongContext {
		t.Fatalf("actions = %+v", c.Actions)
	}
}

func TestActionKeysAreChecked(t *testing.T) {
	_, err := ParseTOML([]byte("[[actions]]\nname = \"x\"\npromt = \"p\"\n"), "user.toml")
	if err == nil || !strings.Contains(err.Error(), "actions.promt: unknown key") {
		t.Fatalf("error = %v, want the misspelt key reported", err)
	}
}
