package assist

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"switchyard/config"
)

func TestUserDefinedActions(t *testing.T) {
	const text = "package a\n\nfunc f() {\n\tx()\n}\n"
	sel := "\tx()\n"
	at := strings.Index(text, sel)
	tests := []struct {
		name   string
		action config.Action
		answer string
		instr  string
		check  func(t *testing.T, w *ws, d Document, res *Result)
		prompt string // the prompt the model must get, before the format rules
	}{
		{
			name:   "replace",
			action: config.Action{Name: "translate", Prompt: "Translate {selection} ({language}, {file})"},
			answer: "```go\n\ty()\n```",
			prompt: "Translate \tx()\n (go, a.go)",
			check: func(t *testing.T, w *ws, d Document, res *Result) {
				want := &Edit{Changes: []FileChange{{Op: OpEdit, Path: d.Path, URI: d.URI, Version: v(7), Base: text,
					Edits: []TextEdit{{Start: at, End: at + len(sel), NewText: "\ty()\n"}}}},
					Annotation: Annotation{Label: "translate", Description: "sonnet"}}
				if !reflect.DeepEqual(res.Edit, want) {
					t.Errorf("edit %+v, want %+v", res.Edit, want)
				}
			},
		},
		{
			name:   "insert below",
			action: config.Action{Name: "log", Title: "Add logging", Prompt: "Log after {selection}", Output: config.OutputInsertBelow, Task: config.TaskRefactor},
			answer: "\tlog()\n",
			prompt: "Log after \tx()\n",
			check: func(t *testing.T, w *ws, d Document, res *Result) {
				if got := res.Edit.Changes[0].ApplyTo(); got != "package a\n\nfunc f() {\n\tx()\n\tlog()\n}\n" {
					t.Errorf("got %q", got)
				}
				if res.Edit.Annotation.Label != "Add logging" {
					t.Errorf("label %q", res.Edit.Annotation.Label)
				}
			},
		},
		{
			name:   "new file",
			action: config.Action{Name: "notes", Prompt: "Notes on {file}: {instruction}", Output: config.OutputNewFile, File: "docs/{stem}.{name}.md"},
			instr:  "be brief",
			answer: "```markdown\n# a\n```\n",
			prompt: "Notes on a.go: be brief",
			check: func(t *testing.T, w *ws, d Document, res *Result) {
				p := w.path("docs/a.notes.md")
				want := []FileChange{{Op: OpCreate, Path: p}, {Op: OpEdit, Path: p, Edits: []TextEdit{{NewText: "# a\n"}}}}
				if !reflect.DeepEqual(res.Edit.Changes, want) {
					t.Errorf("changes %+v, want %+v", res.Edit.Changes, want)
				}
			},
		},
		{
			name:   "show as document",
			action: config.Action{Name: "review", Prompt: "Review {selection}", Output: config.OutputDocument},
			answer: "Looks fine.",
			prompt: "Review \tx()\n",
			check: func(t *testing.T, w *ws, d Document, res *Result) {
				b, err := os.ReadFile(res.Show.Path)
				if res.Edit != nil || err != nil || !strings.Contains(string(b), "Looks fine.") {
					t.Errorf("result %+v, file %q, %v", res, b, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWS(t, map[string]string{"a.go": text})
			d := w.doc("a.go")
			a, p, r := newCodeActions(t, &config.Config{Actions: []config.Action{tt.action}}, tt.answer)
			req := w.request(UserActionPrefix+tt.action.Name, d, sel)
			req.Instruction = tt.instr
			res, err := a.Run(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, w, d, res)
			if pr := prompt(t, p); !strings.HasPrefix(pr, tt.prompt+"\n\n") {
				t.Errorf("prompt %q, want it to start with %q", pr, tt.prompt)
			}
			wantTask := tt.action.Task
			if wantTask == "" {
				wantTask = config.TaskCoding
			}
			if r.needs[0].Task != wantTask {
				t.Errorf("routed to %q, want %q", r.needs[0].Task, wantTask)
			}
		})
	}
}

func TestUserActionNeedsItsInstruction(t *testing.T) {
	w := newWS(t, map[string]string{"a.go": "package a\n"})
	d := w.doc("a.go")
	a, _, r := newCodeActions(t, &config.Config{Actions: []config.Action{{Name: "do", Prompt: "{instruction}"}}}, "x")
	_, err := a.Run(context.Background(), w.request("user:do", d, ""))
	if err == nil || !strings.Contains(err.Error(), "needs an instruction") || r.calls.Load() != 0 {
		t.Errorf("got %v after %d calls: want the missing instruction reported before any model call", err, r.calls.Load())
	}
	_, err = a.Run(context.Background(), w.request("user:gone", d, ""))
	if err == nil || !strings.Contains(err.Error(), "no action \"gone\"") {
		t.Errorf("got %v for an action no longer configured", err)
	}
}
