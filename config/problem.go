package config

import (
	"fmt"
	"strings"
)

// EditorSource names the editor's settings as the source of a problem.
const EditorSource = "editor settings"

// DefaultsSource names the built-in defaults as the source of a value.
const DefaultsSource = "defaults"

// Problem is one thing wrong with (or ignored in) the configuration, said
// so that a user can find it and fix it.
type Problem struct {
	Source  string // file path, EditorSource or DefaultsSource; "" when unknown
	Line    int    // 1-based line in Source, 0 when unknown
	Key     string // dotted key path, e.g. "models.coder.provider"; "" for the whole source
	Message string // what is wrong and how to fix it
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Source != "" {
		b.WriteString(p.Source)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists everything wrong with a configuration. It is
// public so that the server can show it in window/showMessage.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem a line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects Problems; the zero value is ready to use.
type problems struct {
	list   []Problem
	source func(key string) (string, int) // where a key was set, for merged configurations
}

func (ps *problems) add(key, format string, args ...any) {
	p := Problem{Key: key, Message: fmt.Sprintf(format, args...)}
	if ps.source != nil {
		p.Source, p.Line = ps.source(key)
	}
	ps.list = append(ps.list, p)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list}
}
