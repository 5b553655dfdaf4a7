package assist

import (
	"fmt"
	"strings"
)

// The instructions given to models. They are plain text in the code
// rather than templates on disk: each is tied to the parser that reads
// its answer, and changing one without the other breaks both.

// editFormat tells a model how to write edits that parseBlocks reads.
const editFormat = editRules + editEnd

// refactorFormat is editFormat with deletion, which only a refactor may
// ask for: the other actions change code in place, and telling their
// models that files can be deleted only invites answers that are
// refused.
const refactorFormat = editRules + deleteRule + editEnd

const editRules = `Answer with edits in SEARCH/REPLACE blocks. Each block is:

path/of/the/file
<<<<<<< SEARCH
lines copied exactly from the file
=======
the lines to put in their place
>>>>>>> REPLACE

Rules:
- Write each path exactly as the file header in the request shows it.
- The SEARCH part must match the file's current text exactly, character
  for character, including indentation and comments, and only once: add
  neighbouring lines until it is unique.
- Keep blocks small: the lines that change and a line or two around them.
  Use several blocks for changes in several places.
- To create a file, write a block with its new path and an empty SEARCH
  part. An empty SEARCH part on an existing file appends to its end.
- To rename a file, write one line: RENAME old/path -> new/path
`

const deleteRule = `- To delete a file, write one line: DELETE path/of/the/file
  Never also edit or rename a file you delete.
`

const editEnd = `- Only change files inside the project; never write absolute paths.
- Outside the blocks, write at most a few sentences.`

// codeFormat tells a model to answer with code only, for outputs that
// replace or insert text.
const codeFormat = `Answer with the code only, in one fenced code block, with no
explanation before or after it. Keep the indentation of the surrounding
code.`

const systemPrompt = `You are an expert software engineer working inside the user's code
editor. You make precise, minimal changes that compile and keep the
project's style.`

// docConventions says how each language writes documentation comments.
var docConventions = map[string]string{
	"go":              "Go doc comments: // line comments directly above the declaration, whose first sentence starts with the declared name",
	"python":          "a PEP 257 docstring as the first statement of the function, class or module body",
	"javascript":      "a JSDoc /** ... */ block above the declaration, with @param and @returns",
	"javascriptreact": "a JSDoc /** ... */ block above the declaration, with @param and @returns",
	"typescript":      "a TSDoc /** ... */ block above the declaration, with @param and @returns (no types in the tags)",
	"typescriptreact": "a TSDoc /** ... */ block above the declaration, with @param and @returns (no types in the tags)",
	"rust":            "/// doc comments above the item, in Markdown, with # Examples or # Errors sections where they fit",
	"java":            "a Javadoc /** ... */ block above the declaration, with @param, @return and @throws",
	"kotlin":          "a KDoc /** ... */ block above the declaration",
	"scala":           "a Scaladoc /** ... */ block above the declaration",
	"csharp":          "/// XML documentation comments (<summary>, <param>, <returns>) above the member",
	"swift":           "/// documentation comments above the declaration, with - Parameters: and - Returns:",
	"php":             "a PHPDoc /** ... */ block above the declaration, with @param and @return",
	"ruby":            "# comments above the method in YARD style (@param, @return)",
	"elixir":          "a @doc \"\"\" ... \"\"\" attribute above the function (@moduledoc for a module)",
	"c":               "a Doxygen /** ... */ block above the declaration, with @param and @return",
	"cpp":             "a Doxygen /** ... */ block above the declaration, with @param and @return",
	"lua":             "--- LDoc comments above the function, with @param and @return",
	"shellscript":     "# comments above the function saying what it does, its arguments and its output",
	"haskell":         "Haddock -- | comments above the declaration",
}

func docConvention(language string) string {
	if c, ok := docConventions[strings.ToLower(language)]; ok {
		return c
	}
	return "the documentation-comment convention usual for this language"
}

// fence returns a Markdown fence longer than any run of backticks in
// text, so a file that holds fences itself (Markdown, docs) is quoted
// whole.
func fence(text string) string {
	longest, run := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// writeFile quotes a file for a prompt under the header the model must
// repeat in its blocks.
func writeFile(b *strings.Builder, shown, language, text string) {
	f := fence(text)
	fmt.Fprintf(b, "File: %s\n%s%s\n%s", shown, f, language, text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(f)
	b.WriteString("\n\n")
}

// excerpt returns the lines of text around [start, end) with up to
// context lines either side, and the 1-based number of its first line.
func excerpt(text string, start, end, context int) (string, int) {
	lines := splitLines(text)
	if len(lines) == 0 {
		return "", 1
	}
	first, last := 0, len(lines)-1
	for i, l := range lines {
		if l.start <= start && start < max(l.end, l.start+1) {
			first = i
		}
		if l.start < end || (end == start && l.start <= start) {
			last = i
		}
	}
	from, to := max(0, first-context), min(len(lines)-1, last+context)
	return text[lines[from].start:lines[to].end], from + 1
}

// lineOf returns the 0-based line of byte offset off.
func lineOf(text string, off int) int {
	return strings.Count(text[:min(off, len(text))], "\n")
}

// directive is a "switchyard:" comment on the line above a selection.
type directive struct {
	instruction string
	start, end  int // the whole line, its line break included
}

// commentOpeners are the line and block comment starts a directive may
// use, longest first so "///" is not read as "//" plus a slash.
var commentOpeners = []string{"<!--", "///", "//", "/*", "--", "#", ";;", ";", "%", "'"}

// findDirective looks at the line above the one where start lies.
func findDirective(text string, start int) (directive, bool) {
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	if lineStart == 0 {
		return directive{}, false
	}
	prevStart := strings.LastIndexByte(text[:lineStart-1], '\n') + 1
	line := strings.TrimSpace(strings.TrimSuffix(text[prevStart:lineStart-1], "\r"))
	opened := false
	for _, o := range commentOpeners {
		if strings.HasPrefix(line, o) {
			line, opened = strings.TrimSpace(strings.TrimLeft(line[len(o):], "*!/-#")), true
			break
		}
	}
	if !opened || !strings.HasPrefix(strings.ToLower(line), DirectivePrefix) {
		return directive{}, false
	}
	ins := strings.TrimSpace(line[len(DirectivePrefix):])
	ins = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(ins, "*/"), "-->"))
	if ins == "" {
		return directive{}, false
	}
	return directive{instruction: ins, start: prevStart, end: lineStart}, true
}

// formatDiagnostics lists diagnostics for a prompt, with their lines.
func formatDiagnostics(text string, ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		sev := [...]string{"problem", "error", "warning", "information", "hint"}[min(max(d.Severity, 0), 4)]
		fmt.Fprintf(&b, "- line %d: %s", lineOf(text, d.Start)+1, sev)
		if d.Source != "" || d.Code != "" {
			b.WriteString(" (")
			b.WriteString(strings.TrimSpace(d.Source + " " + d.Code))
			b.WriteString(")")
		}
		b.WriteString(": ")
		b.WriteString(d.Message)
		b.WriteByte('\n')
		for _, r := range d.Related {
			fmt.Fprintf(&b, "  related: %s line %d: %s\n", r.Path, r.Line+1, r.Message)
		}
	}
	return b.String()
}

// expandTemplate fills a user-defined action's {variables}. Unknown
// names are left as written (config validation reports them).
func expandTemplate(tmpl string, vars map[string]string) string {
	return templateVarRE().ReplaceAllStringFunc(tmpl, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// codeFromAnswer takes the code out of an answer asked for with codeFormat:
// the longest fenced block, or the whole answer when it has no fence.
func codeFromAnswer(answer string) string {
	answer = strings.ReplaceAll(answer, "\r\n", "\n")
	lines := strings.Split(answer, "\n")
	best, found := "", false
	for i := 0; i < len(lines); i++ {
		m := fenceRE().FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		marker := m[1]
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			if t := strings.TrimSpace(lines[j]); strings.HasPrefix(t, marker) && strings.Trim(t, marker[:1]) == "" {
				break
			}
			body = append(body, lines[j])
		}
		// An unclosed fence (a cut answer) still holds the code so far;
		// the caller decides whether a cut answer is usable.
		code := strings.Join(body, "\n")
		if len(body) > 0 {
			code += "\n"
		}
		if !found || len(code) > len(best) {
			best, found = code, true
		}
		i = j
	}
	if found {
		return best
	}
	return strings.Trim(answer, "\n") + "\n"
}

// templateVarRE matches what config's validation calls a variable. The
// expansion is one pass, so a selection that holds "{file}" stays as
// written.
var templateVarRE = lazyRegexp(`\{([a-z_]+)\}`)
