package lsp_test

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The rename replay of TestNextEditFidelityStdlibRenames over Python's
// standard library: in real functions of /usr/lib/python3.*, a parameter
// is renamed where the def names it, or a local variable where it is
// first assigned, and the true next edit is the same rename at its first
// use. Python's own ast module finds them, so the cases are what Python
// means by a parameter, a local and a use.

// pythonRenameScript prints one JSON object a line for each function of
// the files it is given: its first parameter (not self, cls or _private)
// that the function's own scope reads, and its first local assigned and
// read after that. Offsets are in bytes: ast's col_offset counts UTF-8
// bytes.
const pythonRenameScript = `
import ast, json, sys

def cases(path):
    try:
        src = open(path, 'rb').read()
        src.decode('utf-8')
        tree = ast.parse(src, path)
    except Exception:
        return
    starts = [0]
    for line in src.split(b'\n'):
        starts.append(starts[-1] + len(line) + 1)
    off = lambda n: starts[n.lineno - 1] + n.col_offset
    def scoped(fn):
        # The nodes of fn's own scope: not those of the functions,
        # lambdas and classes in it, whose names are others.
        stack = list(fn.body)
        while stack:
            n = stack.pop()
            yield n
            if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.extend(ast.iter_child_nodes(n))
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        names = [n for n in scoped(fn) if isinstance(n, ast.Name)]
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        for a in args:
            if a.arg in ('self', 'cls') or a.arg.startswith('_'):
                continue
            uses = [off(n) for n in names if n.id == a.arg and isinstance(n.ctx, ast.Load)]
            if uses:
                yield dict(kind='param', func=fn.name, name=a.arg, decl=off(a), use=min(uses))
                break
        stores = sorted((off(n), n.id) for n in names if isinstance(n.ctx, ast.Store) and not n.id.startswith('_'))
        params = {a.arg for a in args}
        for decl, name in stores:
            if name in params or any(o < decl for o, m in stores if m == name):
                continue
            uses = [off(n) for n in names if n.id == name and isinstance(n.ctx, ast.Load) and off(n) > decl]
            if uses:
                yield dict(kind='local', func=fn.name, name=name, decl=decl, use=min(uses))
                break

for path in sys.argv[1:]:
    for c in cases(path):
        c['file'] = path
        print(json.dumps(c))
`

// pythonRenameCases builds up to n cases of each kind, at most perFile
// of each from one module so that many modules are in, from the
// top-level modules of the newest /usr/lib/python3.* in name order.
func pythonRenameCases(t testing.TB, n, perFile int) []renameCase {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: it finds the Python cases (Debian: apt-get install python3)")
	}
	libs, _ := filepath.Glob("/usr/lib/python3.*")
	if len(libs) == 0 {
		t.Skip("no Python standard library under /usr/lib/python3.* (Debian: apt-get install libpython3-stdlib)")
	}
	slices.SortFunc(libs, func(a, b string) int { // python3.9 before python3.11
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	lib := libs[len(libs)-1]
	files, _ := filepath.Glob(filepath.Join(lib, "*.py"))
	slices.Sort(files)
	cmd := exec.Command(python, append([]string{"-c", pythonRenameScript}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s finding renames in %s: %v\n%s", python, lib, err, stderr.String())
	}
	var (
		params, locals []renameCase
		texts          = map[string]string{}
		count          = map[string]int{}
	)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var c struct {
			Kind, Func, Name, File string
			Decl, Use              int
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("reading %q: %v", sc.Text(), err)
		}
		if count[c.File+c.Kind] >= perFile {
			continue
		}
		text, ok := texts[c.File]
		if !ok {
			b, err := os.ReadFile(c.File)
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
			texts[c.File] = text
		}
		if !strings.HasPrefix(text[c.Decl:], c.Name) || !strings.HasPrefix(text[c.Use:], c.Name) || c.Use <= c.Decl {
			t.Fatalf("%s: %s at bytes %d and %d is not where Python's ast says", c.File, c.Name, c.Decl, c.Use)
		}
		count[c.File+c.Kind]++
		r, size := utf8.DecodeRuneInString(c.Name)
		rc := renameCase{
			name: filepath.Base(c.File) + ":" + c.Func + ":" + c.Name,
			text: text,
			decl: c.Decl,
			use:  c.Use,
			old:  c.Name,
			new:  "the" + string(unicode.ToUpper(r)) + c.Name[size:],
		}
		if c.Kind == "param" {
			params = append(params, rc)
		} else {
			locals = append(locals, rc)
		}
	}
	return append(params[:min(n, len(params))], locals[:min(n, len(locals))]...)
}

func TestNextEditFidelityPythonRenames(t *testing.T) {
	if testing.Short() {
		t.Skip("replays hundreds of edits")
	}
	replayRenames(t, pythonRenameCases(t, 150, 2), "python", ".py", "the Python standard library")
}
