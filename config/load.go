package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// WorkspaceFile is the name of the workspace configuration file, read from
// the root of each workspace folder.
const WorkspaceFile = ".switchyard.toml"

// EnvConfig names the environment variable that points at the user file
// when no --config flag is given.
const EnvConfig = "SWITCHYARD_CONFIG"

// Layer is one source of configuration, decoded and checked for unknown
// keys and wrong types, but not yet merged or validated as a whole. It
// remembers exactly which keys its source set, so that a layer that sets
// only completion.debounce leaves every other setting as it was.
type Layer struct {
	Source string // file path, or EditorSource
	Folder string // workspace layers: the folder, absolute and clean
	Found  bool   // false when the file does not exist; the layer is then empty

	tree map[string]any // keys as written, values as decoded
	toml []byte         // the file's text, to find a key's line
}

// Line returns the line of the file on which key (a dotted path) is set,
// or 0 when the layer is not a TOML file or the key cannot be found.
func (l *Layer) Line(key string) int {
	if l == nil || l.toml == nil {
		return 0
	}
	return tomlKeyLine(l.toml, splitKey(key))
}

// Config decodes the layer alone over the defaults, for a caller that
// wants one source's view (the doctor command, tests).
func (l *Layer) Config() (*Config, error) {
	if l == nil {
		return Defaults(), nil
	}
	return decodeTree(l.tree)
}

// UserFilePath returns the path of the user's configuration file: flag
// (from --config) if set, else $SWITCHYARD_CONFIG, else
// $XDG_CONFIG_HOME/switchyard/config.toml, else
// ~/.config/switchyard/config.toml. The file need not exist.
func UserFilePath(flag string) (string, error) {
	if flag != "" {
		return expandHome(flag)
	}
	if p := os.Getenv(EnvConfig); p != "" {
		return expandHome(p)
	}
	// The XDG specification says a relative XDG_CONFIG_HOME is invalid and
	// must be ignored.
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "switchyard", "config.toml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user configuration file: %w: pass --config FILE or set %s", err, EnvConfig)
	}
	return filepath.Join(home, ".config", "switchyard", "config.toml"), nil
}

// LoadUser reads the user file that UserFilePath finds. A missing file at
// the default place is not an error: the layer comes back empty with
// Found false. A file named by --config or $SWITCHYARD_CONFIG must exist,
// since a mistyped path would otherwise silently give the defaults.
func LoadUser(flag string) (*Layer, error) {
	path, err := UserFilePath(flag)
	if err != nil {
		return nil, err
	}
	l, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	if !l.Found {
		switch {
		case flag != "":
			return nil, fmt.Errorf("configuration file %s (from --config) does not exist: create it or fix the path", path)
		case os.Getenv(EnvConfig) != "":
			return nil, fmt.Errorf("configuration file %s (from $%s) does not exist: create it or fix the variable", path, EnvConfig)
		}
	}
	return l, nil
}

// UserLog returns the [log] file and level of the user's file ("" where
// unset, or where the file is missing or does not parse). The command
// needs them before it can log; it decodes [log] alone, so that the
// whole file's decode and checks, which report their problems to the
// editor, wait until the server has answered initialize.
func UserLog(flag string) (file, level string) {
	path, err := UserFilePath(flag)
	if err != nil {
		return "", ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", ""
	}
	var c struct {
		Log Log `toml:"log"`
	}
	if _, err := toml.Decode(string(data), &c); err != nil {
		return "", ""
	}
	return c.Log.File, c.Log.Level
}

// LoadFile reads a TOML configuration file. A missing file gives an empty
// layer with Found false and no error.
func LoadFile(path string) (*Layer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Layer{Source: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading configuration file: %w: check its permissions", err)
	}
	return ParseTOML(data, path)
}

// LoadWorkspace reads folder/.switchyard.toml. A missing file gives an
// empty layer with Found false. What the file may set is decided when the
// layers are merged, against the user's [trust] folders.
func LoadWorkspace(folder string) (*Layer, error) {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return nil, fmt.Errorf("workspace folder %s: %w", folder, err)
	}
	l, err := LoadFile(filepath.Join(abs, WorkspaceFile))
	if err != nil {
		return nil, err
	}
	l.Folder = abs
	return l, nil
}

// tomlTypeError matches the decoder's type errors, which carry the line
// and key only inside their text.
var tomlTypeError = lazyRegexp(`^toml: (?:line (\d+) )?\(last key "(.*?)"\): (.*)$`)

// ParseTOML decodes a TOML configuration. source names it in problems
// (usually the file's path). Syntax errors, wrong types and unknown keys
// come back as a *ValidationError with the line where it is known.
func ParseTOML(data []byte, source string) (*Layer, error) {
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		return nil, tomlProblem(err, source)
	}
	var c Config
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		return nil, tomlProblem(err, source)
	}
	l := &Layer{Source: source, Found: true, tree: tree, toml: data}
	ps := &problems{source: func(key string) (string, int) { return source, l.Line(key) }}
	seen := map[string]bool{}
	checkTree(tree, reflect.TypeFor[Config](), "", func(key string, known []string) {
		seen[key] = true
		ps.add(key, "unknown key: check its spelling (known here: %s)", strings.Join(known, ", "))
	}, nil)
	// Undecoded also sees keys the walk cannot, but it flags the inside of
	// free-form options tables, which are not the schema's business.
	for _, k := range md.Undecoded() {
		key := pathOf(k)
		if seen[key] || underUnknown(seen, key) || (len(k) > 3 && k[0] == "providers" && k[2] == "options") {
			continue
		}
		seen[key] = true
		ps.add(key, "unknown key: check its spelling")
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return l, nil
}

func pathOf(k toml.Key) string {
	var key string
	for _, part := range k {
		key = join(key, quoteKey(part))
	}
	return key
}

func underUnknown(seen map[string]bool, key string) bool {
	for k := range seen {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

func tomlProblem(err error, source string) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &ValidationError{Problems: []Problem{{Source: source, Line: pe.Position.Line, Key: pe.LastKey, Message: pe.Message}}}
	}
	if m := tomlTypeError().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ValidationError{Problems: []Problem{{Source: source, Line: line, Key: m[2], Message: m[3]}}}
	}
	return &ValidationError{Problems: []Problem{{Source: source, Message: strings.TrimPrefix(err.Error(), "toml: ")}}}
}

// ParseJSON decodes the editor's settings: initializationOptions, or the
// "switchyard" section of workspace/didChangeConfiguration or
// workspace/configuration. The keys are those of the TOML file. null, an
// empty object and empty input give an empty layer; a null value counts as
// not set, since editors send null for settings the user has not touched.
func ParseJSON(data []byte, source string) (*Layer, error) {
	l := &Layer{Source: source, Found: true, tree: map[string]any{}}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return l, nil
	}
	bad := func(key, format string, args ...any) error {
		return &ValidationError{Problems: []Problem{{Source: source, Key: key, Message: fmt.Sprintf(format, args...)}}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keeps integers exact until the typed decode
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, bad("", "not valid JSON: %v", err)
	}
	tree, ok := v.(map[string]any)
	if !ok {
		return nil, bad("", "settings must be a JSON object keyed like the TOML file, such as {\"completion\": {\"debounce\": 150}}")
	}
	pruneNulls(tree)
	ps := &problems{source: func(string) (string, int) { return source, 0 }}
	checkTree(tree, reflect.TypeFor[Config](), "", func(key string, known []string) {
		ps.add(key, "unknown key: check its spelling (known here: %s)", strings.Join(known, ", "))
	}, func(key, msg string) {
		ps.add(key, "%s", msg)
	})
	if err := ps.err(); err != nil {
		return nil, err
	}
	if _, err := decodeTree(tree); err != nil {
		return nil, jsonProblem(err, source)
	}
	l.tree = tree
	return l, nil
}

// Section is the name of Switchyard's settings section in the editor:
// the key under workspace/didChangeConfiguration's settings and the
// section to ask for with workspace/configuration.
const Section = "switchyard"

// EditorSettings reads the settings of workspace/didChangeConfiguration
// and returns the layer of their "switchyard" member. It returns a nil
// layer and no error when the settings have no such member: many clients
// send null or other servers' settings there, and the server should then
// ask with workspace/configuration for Section instead.
func EditorSettings(settings []byte) (*Layer, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(settings, &all); err != nil {
		return nil, &ValidationError{Problems: []Problem{{Source: EditorSource, Message: fmt.Sprintf("settings are not a JSON object: %v", err)}}}
	}
	raw, ok := all[Section]
	if !ok {
		return nil, nil
	}
	l, err := ParseJSON(raw, EditorSource)
	if err != nil {
		return nil, err
	}
	return l, nil
}

func jsonProblem(err error, source string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &ValidationError{Problems: []Problem{{Source: source, Key: te.Field, Message: fmt.Sprintf("must be %s, not a JSON %s", schemaTypeName(te.Type), te.Value)}}}
	}
	return &ValidationError{Problems: []Problem{{Source: source, Message: strings.TrimPrefix(err.Error(), "json: ")}}}
}

func schemaTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return `a duration such as "150ms" or a number of milliseconds`
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice:
		return "a list"
	}
	return "an object"
}

func pruneNulls(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			pruneNulls(v)
		}
	}
}

// decodeTree decodes a merged tree over the defaults. Both encodings go
// through JSON here: the tree holds only what the typed decode of each
// layer already accepted, and Duration reads JSON strings and numbers alike.
func decodeTree(tree map[string]any) (*Config, error) {
	c := Defaults()
	if len(tree) == 0 {
		return c, nil
	}
	b, err := json.Marshal(tree)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, err
	}
	return c, nil
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot expand %s: %w: write the full path", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

func isAbs(p string) bool { return filepath.IsAbs(p) }

// tomlKeyLine finds the line that sets key, by following table headers
// and the left-hand sides of assignments. The decoder keeps key positions
// to itself, so this reads the text; it returns 0 when unsure.
func tomlKeyLine(data []byte, key []string) int {
	var table []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '[':
			name := strings.Trim(line, "[]")
			if end := strings.LastIndex(line, "]"); end > 0 {
				name = strings.Trim(line[:end], "[] \t")
			}
			table = parseTOMLKey(name)
			if hasPrefix(table, key) {
				return i + 1
			}
		default:
			lhs, _, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			full := append(slices.Clip(table), parseTOMLKey(lhs)...)
			if hasPrefix(full, key) || hasPrefix(key, full) {
				return i + 1
			}
		}
	}
	return 0
}

// hasPrefix reports whether s starts with every part of prefix.
func hasPrefix(s, prefix []string) bool {
	return len(s) >= len(prefix) && slices.Equal(s[:len(prefix)], prefix)
}

// parseTOMLKey splits a dotted TOML key, unquoting quoted parts.
func parseTOMLKey(s string) []string {
	var parts []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			if c == '\\' && quote == '"' && i+1 < len(s) {
				i++
				c = s[i]
			}
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case c == ' ' || c == '\t':
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}
