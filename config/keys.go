package config

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// The TOML and JSON encodings share one set of key names, taken from the
// toml struct tags (a test checks the json tags agree). Walking a decoded
// tree against the struct types finds unknown keys by exact name; the TOML
// decoder alone would accept "Base_URL" for base_url, and encoding/json
// matches case-insensitively as well.

var durationType = reflect.TypeFor[Duration]()

// tagName returns the key a struct field is written as, or "" for a field
// that is not part of the schema.
func tagName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// fieldKeys lists the keys of a struct type, in declaration order.
func fieldKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if name := tagName(f); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if tagName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// unknownKeys reports every key of tree that the schema type t does not
// have, as a dotted path under prefix, with the keys that would have been
// accepted at that place.
//
// Durations are checked here as well, when badDuration is not nil:
// encoding/json returns a Duration's own error without the key it was under.
func unknownKeys(tree any, t reflect.Type, prefix string, report func(key string, known []string), badDuration func(key string, err error)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		if badDuration != nil {
			if b, err := json.Marshal(tree); err == nil {
				var d Duration
				if err := d.UnmarshalJSON(b); err != nil {
					badDuration(prefix, err)
				}
			}
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := tree.(map[string]any)
		if !ok {
			return // a type error, reported by the decoder
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			f, ok := fieldByKey(t, k)
			if !ok {
				report(join(prefix, k), fieldKeys(t))
				continue
			}
			unknownKeys(m[k], f.Type, join(prefix, k), report, badDuration)
		}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return // free-form, such as a provider's options
		}
		m, ok := tree.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			unknownKeys(m[k], t.Elem(), join(prefix, quoteKey(k)), report, badDuration)
		}
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// quoteKey writes a user-chosen name (a provider or model name) so that a
// dotted path stays readable when the name itself holds a dot.
func quoteKey(k string) string {
	if k == "" || strings.ContainsAny(k, ". \"'") {
		return `"` + strings.ReplaceAll(k, `"`, `\"`) + `"`
	}
	return k
}

// splitKey undoes join and quoteKey.
func splitKey(key string) []string {
	var parts []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '\\' && inQuote && i+1 < len(key):
			i++
			cur.WriteByte(key[i])
		case c == '"':
			inQuote = !inQuote
		case c == '.' && !inQuote:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}
