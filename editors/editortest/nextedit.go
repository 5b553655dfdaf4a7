// Package editortest holds what the editor end-to-end tests share, in the
// manner of net/http/httptest: here, how a fake model answers a next-edit
// prompt. It is test support only; nothing in the server imports it.
package editortest

import (
	"regexp"
	"strings"
)

// The markers of the server's next-edit prompts (zeta, instinct and chat
// formats): the editable region and the cursor.
const (
	regionStart = "<|editable_region_start|>"
	regionEnd   = "<|editable_region_end|>"
	cursorMark  = "<|user_cursor_is_here|>"
)

// NextEditPrompt returns the text of a next-edit request to an
// OpenAI-compatible fake, given its decoded JSON body: the messages of a
// chat request or the prompt of a completion request, and whether it is
// a next-edit prompt at all (it marks an editable region).
func NextEditPrompt(body map[string]any) (string, bool) {
	var b strings.Builder
	if p, ok := body["prompt"].(string); ok {
		b.WriteString(p)
	}
	msgs, _ := body["messages"].([]any)
	for _, m := range msgs {
		msg, _ := m.(map[string]any)
		if c, ok := msg["content"].(string); ok {
			b.WriteString(c)
			b.WriteByte('\n')
		}
	}
	s := b.String()
	return s, strings.Contains(s, regionStart) && strings.Contains(s, regionEnd)
}

// Region returns the editable region of a next-edit prompt, without the
// cursor marker: the lines the model is asked to rewrite.
func Region(prompt string) (string, bool) {
	// The system message names the markers too; the region is the last
	// pair.
	i := strings.LastIndex(prompt, regionStart)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimPrefix(prompt[i+len(regionStart):], "\n")
	j := strings.Index(rest, regionEnd)
	if j < 0 {
		return "", false
	}
	return strings.ReplaceAll(rest[:j], cursorMark, ""), true
}

// RenameAnswer answers a next-edit prompt as a good model would after the
// user renamed old to new at one place: the region with every other use
// of old renamed too, between the region markers. Where the region does
// not hold new (the rename is elsewhere, or not made yet) it comes back
// unchanged, which the server reads as nothing to suggest.
func RenameAnswer(prompt, old, new string) (string, bool) {
	region, ok := Region(prompt)
	if !ok {
		return "", false
	}
	if regexp.MustCompile(`\b` + regexp.QuoteMeta(new) + `\b`).MatchString(region) {
		region = regexp.MustCompile(`\b`+regexp.QuoteMeta(old)+`\b`).ReplaceAllLiteralString(region, new)
	}
	return regionStart + "\n" + region + regionEnd + "\n", true
}
