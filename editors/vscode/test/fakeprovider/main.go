// Command fakeprovider serves two fake OpenAI-compatible providers on
// 127.0.0.1 for the VS Code end-to-end test, each answering every
// completion and every code action with its own fixed text, so that the
// test can tell from the ghost text or the edit which provider (and so
// which configured model) answered, and every next-edit prompt as a good
// model would after a parameter rename (editortest.RenameAnswer).
//
// It prints one JSON line with the base URLs, logs each request to
// stderr, and runs until its stdin closes or it is signalled. It uses the
// fakes of providers/providertest, which speak the real wire format.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"switchyard/editors/editortest"
	"switchyard/providers/providertest"
)

// completions are what each fake streams for a completion.
var completions = map[string][]string{
	"alpha": {"a + b", "  # from alpha"},
	"beta":  {"a * b", "  # from beta"},
}

// actionAnswer is what each fake answers a code action with: one fenced
// block, the shape the action prompts ask for, holding a documented add.
func actionAnswer(name string) []string {
	return []string{
		"```python\n",
		"def add(a, b):\n",
		"    \"\"\"Return the sum of a and b (rewritten by " + name + ").\"\"\"\n",
		"    return a + b\n",
		"```\n",
	}
}

// isCompletion tells a completion from a code action: completions go to
// the FIM endpoint or, through chat, open with the completion engine's
// system prompt.
func isCompletion(r providertest.Request) bool {
	if r.Endpoint != "chat" {
		return true
	}
	msgs, _ := r.Body["messages"].([]any)
	if len(msgs) == 0 {
		return true
	}
	first, _ := msgs[0].(map[string]any)
	content, _ := first["content"].(string)
	return strings.HasPrefix(content, "You are a code completion engine")
}

// fileToComplete is the part of a completion prompt that holds the file
// being completed: the chat prompt names it last ("File: PATH"), after the
// other open files it carries as context.
func fileToComplete(prompt string) string {
	if i := strings.LastIndex(prompt, "File: "); i >= 0 {
		return prompt[i:]
	}
	return prompt
}

func main() {
	urls := map[string]string{}
	for _, name := range []string{"alpha", "beta"} {
		fake := providertest.NewOpenAI(nil)
		defer fake.Close()
		fake.SetModels("fake-" + name)
		completion := providertest.Text(completions[name]...)
		action := providertest.Text(actionAnswer(name)...)
		fake.Handle(func(r providertest.Request) providertest.Reply {
			model, _ := r.Body["model"].(string)
			text, nextEdit := editortest.NextEditPrompt(r.Body)
			kind := "action"
			switch {
			case nextEdit:
				kind = "next-edit"
			case isCompletion(r):
				kind = "completion"
			}
			fmt.Fprintf(os.Stderr, "fakeprovider: %s %s %s %s model=%s\n", name, kind, r.Method, r.Path, model)
			switch {
			case nextEdit:
				// After the parameter count of scale.py is renamed to
				// amount, its other uses follow; anywhere else the
				// region comes back as it is: nothing to suggest.
				answer, _ := editortest.RenameAnswer(text, "count", "amount")
				return providertest.Text(answer)
			case kind == "completion" && strings.Contains(fileToComplete(text), "def scale("):
				// No ghost text in scale.py, where Tab belongs to the
				// next edit.
				return providertest.Text()
			case kind == "completion":
				return completion
			}
			return action
		})
		urls[name] = fake.URL
	}
	if err := json.NewEncoder(os.Stdout).Encode(urls); err != nil {
		fmt.Fprintln(os.Stderr, "fakeprovider:", err)
		os.Exit(1)
	}

	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
}
