package config

import (
	"encoding/json"
	"fmt"
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

// checkTree reports every key of tree that the schema type t does not
// have, as a dotted path under prefix, with the keys that would have been
// accepted at that place. When bad is not nil it also reports values of
// the wrong type: encoding/json names a wrong value's field without the
// provider or model name above it, and returns a Duration's own error
// with no key at all.
func checkTree(tree any, t reflect.Type, prefix string, unknown func(key string, known []string), bad func(key, msg string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if bad != nil {
		if msg := badValue(tree, t); msg != "" {
			bad(prefix, msg)
			return
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == durationType {
			return
		}
		m, ok := tree.(map[string]any)
		if !ok {
			return // a type error, reported by the decoder
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			f, ok := fieldByKey(t, k)
			if !ok {
				unknown(join(prefix, k), fieldKeys(t))
				continue
			}
			checkTree(m[k], f.Type, join(prefix, k), unknown, bad)
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
			checkTree(m[k], t.Elem(), join(prefix, quoteKey(k)), unknown, bad)
		}
	case reflect.Slice:
		list, ok := tree.([]any)
		if !ok {
			return
		}
		if bad != nil {
			for i, e := range list {
				if msg := badValue(e, t.Elem()); msg != "" {
					bad(prefix, fmt.Sprintf("entry %d %s", i+1, msg))
					return
				}
			}
		}
		// A list of tables ([[actions]]): check each entry's keys, so a
		// misspelt "promt" is reported rather than ignored.
		if t.Elem().Kind() == reflect.Struct && t.Elem() != durationType {
			for _, e := range list {
				checkTree(e, t.Elem(), prefix, unknown, bad)
			}
		}
	}
}

// badValue says what is wrong with a decoded JSON or TOML value for a
// field of type t, or "" when it fits.
func badValue(v any, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	want := func() string { return "must be " + schemaTypeName(t) + ", not " + describeValue(v) }
	if t == durationType {
		b, err := json.Marshal(v)
		if err != nil {
			return want()
		}
		var d Duration
		if err := d.UnmarshalJSON(b); err != nil {
			return err.Error()
		}
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return want()
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return want()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch n := v.(type) {
		case int64:
		case json.Number:
			if _, err := n.Int64(); err != nil {
				return want()
			}
		default:
			return want()
		}
	case reflect.Float32, reflect.Float64:
		switch v.(type) {
		case int64, float64, json.Number:
		default:
			return want()
		}
	case reflect.Slice:
		if _, ok := v.([]any); !ok {
			return want()
		}
	case reflect.Struct, reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return want()
		}
	}
	return ""
}

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case bool:
		return "true or false"
	case json.Number:
		return "the number " + v.String()
	case int64, float64:
		return fmt.Sprintf("the number %v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
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
