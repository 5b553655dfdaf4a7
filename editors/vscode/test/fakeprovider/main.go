// Command fakeprovider serves two fake OpenAI-compatible providers on
// 127.0.0.1 for the VS Code end-to-end test, each answering every
// completion with its own fixed text, so that the test can tell from the
// ghost text which provider (and so which configured model) answered.
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
	"syscall"

	"switchyard/providers/providertest"
)

// answers are what each fake streams for any chat or completions request.
var answers = map[string][]string{
	"alpha": {"a + b", "  # from alpha"},
	"beta":  {"a * b", "  # from beta"},
}

func main() {
	urls := map[string]string{}
	for _, name := range []string{"alpha", "beta"} {
		fake := providertest.NewOpenAI(nil)
		defer fake.Close()
		fake.SetModels("fake-" + name)
		reply := providertest.Text(answers[name]...)
		fake.Handle(func(r providertest.Request) providertest.Reply {
			model, _ := r.Body["model"].(string)
			fmt.Fprintf(os.Stderr, "fakeprovider: %s %s %s model=%s\n", name, r.Method, r.Path, model)
			return reply
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
