package catalog

import (
	"slices"
	"strings"
)

// bedrockPrefixes are the dotted prefixes Bedrock puts before a model id:
// a cross-region inference profile's geography, then the vendor, as in
// "us.anthropic.claude-sonnet-4-6" or "meta.llama4-maverick-17b-instruct-v1:0".
var bedrockPrefixes = map[string]bool{
	"us": true, "eu": true, "apac": true, "global": true, "jp": true, "au": true, "ca": true, "us-gov": true,
	"anthropic": true, "meta": true, "mistral": true, "deepseek": true, "qwen": true, "moonshot": true,
	"moonshotai": true, "openai": true, "zai": true, "cohere": true, "amazon": true, "writer": true,
}

var separators = strings.NewReplacer(".", "-", "_", "-", ":", "-", "@", "-", " ", "-")

// Normalize reduces a provider-side model id to the form the catalogue
// matches on: lower case, no organisation or path ("Qwen/…",
// "hf.co/bartowski/…", "/models/….gguf"), no Bedrock geography or vendor
// prefix, and every separator ('.', '_', ':', '@', ' ') written as '-',
// so that "claude-sonnet-4.6" and "claude-sonnet-4-6", or
// "qwen2.5-coder:7b" and "Qwen2.5-Coder-7B", come out alike.
func Normalize(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".gguf")
	for {
		i := strings.IndexByte(s, '.')
		if i < 0 || !bedrockPrefixes[s[:i]] {
			break
		}
		s = s[i+1:]
	}
	s = separators.Replace(s)
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return strings.Trim(s, "-")
}

// key is one normalised name of an entry.
type key struct {
	name  string
	entry int
}

// keys lists every entry's normalised id and aliases, longest first, so
// that the first prefix match is the most specific one
// ("qwen3-coder" before "qwen3", "llama-4-maverick" before "llama-4").
var keys = func() []key {
	var ks []key
	for i, e := range table {
		for _, n := range append([]string{e.ID}, e.Aliases...) {
			ks = append(ks, key{Normalize(n), i})
		}
	}
	slices.SortStableFunc(ks, func(a, b key) int { return len(b.name) - len(a.name) })
	return ks
}()

// Lookup finds the catalogue entry for a provider-side model id. An id
// matches an entry when, normalised, it is the entry's id or an alias, or
// starts with one followed by '-': size, quantisation, variant and date
// suffixes ("qwen2.5-coder:7b-base-q8_0", "claude-sonnet-4-6@20260217",
// "-v1:0") name the same model. The returned entry's slices are copies.
func Lookup(id string) (Entry, bool) {
	n := Normalize(id)
	if n == "" {
		return Entry{}, false
	}
	for _, k := range keys {
		if n == k.name || strings.HasPrefix(n, k.name+"-") {
			return clone(table[k.entry]), true
		}
	}
	return Entry{}, false
}

// Canonical returns the id that names the same model through any
// provider: the catalogue's id when the model is known, else the
// normalised id. Two configured models with the same Canonical are one
// model with two routes.
func Canonical(id string) string {
	if e, ok := Lookup(id); ok {
		return e.ID
	}
	return Normalize(id)
}

// Entries returns the whole catalogue, in its documented order.
func Entries() []Entry {
	out := make([]Entry, len(table))
	for i, e := range table {
		out[i] = clone(e)
	}
	return out
}

func clone(e Entry) Entry {
	e.Aliases = slices.Clone(e.Aliases)
	e.Classes = slices.Clone(e.Classes)
	if e.Price != nil {
		p := *e.Price
		e.Price = &p
	}
	return e
}
