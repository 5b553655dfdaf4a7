package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite schema.json from the Config types")

// The checked-in schema.json is what the editors ship; it must match the
// types, or editors would flag valid settings or accept wrong ones.
func TestSchemaFileIsCurrent(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatalf("%v: run go generate ./config", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("config/schema.json is stale: run go generate ./config (or go test ./config -run TestSchemaFileIsCurrent -update) and commit it")
	}
}

func TestSchemaDescribesEveryKey(t *testing.T) {
	root := schemaFor(reflect.TypeFor[Config](), "", reflect.ValueOf(*Defaults()))
	var keys []string
	schemaKeys(root, "", &keys)
	for _, k := range keys {
		if strings.HasSuffix(k, "[]") || strings.HasSuffix(k, "headers.*") {
			continue
		}
		if tables().descriptions[k] == "" {
			t.Errorf("%q has no description: add one to descriptions in jsonschema.go", k)
		}
	}
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
	}
	for k := range tables().descriptions {
		if !known[k] {
			t.Errorf("descriptions has %q, which is not a key of the schema", k)
		}
	}
}

func TestSchemaShape(t *testing.T) {
	raw, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	get := func(path ...string) any {
		var v any = s
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return v
	}
	tests := []struct {
		path []string
		want any
	}{
		{[]string{"additionalProperties"}, false},
		{[]string{"properties", "providers", "additionalProperties", "properties", "type", "enum"}, toAny(ProviderTypes)},
		{[]string{"properties", "models", "additionalProperties", "properties", "fim", "enum"}, toAny(FIMFormats)},
		{[]string{"properties", "models", "additionalProperties", "properties", "classes", "items", "enum"}, toAny(Classes)},
		{[]string{"properties", "completion", "properties", "multi_line", "enum"}, toAny(MultiLines)},
		{[]string{"properties", "completion", "properties", "debounce", "default"}, "150ms"},
		{[]string{"properties", "completion", "properties", "max_prefix_tokens", "default"}, 1536.0},
		{[]string{"properties", "completion", "properties", "temperature", "default"}, 0.2},
		{[]string{"properties", "log", "properties", "level", "default"}, "info"},
		{[]string{"properties", "routes", "additionalProperties"}, false},
		{[]string{"properties", "routes", "properties", "long_context", "type"}, "array"},
		{[]string{"properties", "providers", "additionalProperties", "additionalProperties"}, false},
	}
	for _, tt := range tests {
		if got := get(tt.path...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %v, want %v", strings.Join(tt.path, "."), got, tt.want)
		}
	}
}

// The TOML and JSON encodings must use the same key names, since the
// editor settings are documented as the TOML file's keys.
func TestTOMLAndJSONKeysAgree(t *testing.T) {
	var walk func(reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for f := range ty.Fields() {
			tomlName := strings.Split(f.Tag.Get("toml"), ",")[0]
			jsonName := strings.Split(f.Tag.Get("json"), ",")[0]
			if tomlName != jsonName {
				t.Errorf("%s.%s: toml key %q, json key %q", ty.Name(), f.Name, tomlName, jsonName)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Config]())
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
