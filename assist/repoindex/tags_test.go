package repoindex

import (
	"slices"
	"testing"
)

func names(defs []Def) []string {
	var out []string
	for _, d := range defs {
		n := d.Name
		if d.Container != "" {
			n = d.Container + "." + n
		}
		out = append(out, n)
	}
	return out
}

// Each language's extractor finds top-level and member definitions with
// their containers, and leaves out what only looks like one: names in
// comments and strings, local variables, calls inside bodies.
func TestTagDefs(t *testing.T) {
	tests := []struct {
		lang    Lang
		src     string
		want    []string
		imports []string
		text    map[string]string // name -> the definition's text
	}{
		{LangPython, `import os.path
from .util import helper
# def commented(): pass
MAX_SIZE = 10

class Reader(Base):
    """def not_this(): a docstring"""
    limit = 3

    def read(self, n,
             timeout=None):
        local = 1
        def inner():
            pass
        return n

async def fetch(url):
    x = 2
`, []string{"MAX_SIZE", "Reader", "Reader.limit", "Reader.read", "fetch"}, []string{"os.path", ".util", ".util:helper"},
			map[string]string{"read": "    def read(self, n,\n             timeout=None):", "fetch": "async def fetch(url):"}},
		{LangJS, `import { a } from './a.js';
const fs = require('fs');
// function commented() {}
export function parse(text, opts) {
  const inner = 1;
  if (x) { return 2 }
}
export class Parser extends Base {
  static create(opts) {
    return new Parser(opts);
  }
  #secret = 1;
  async run() {
    const s = "class Not {";
  }
}
export interface Options { strict?: boolean }
export type Mode = 'a' | 'b';
Parser.prototype.reset = function () {};
module.exports.version = '1';
`, []string{"parse", "Parser", "Parser.create", "Parser.#secret", "Parser.run", "Options", "Mode", "reset", "version"}, []string{"./a.js", "./a.js:a", "fs", "fs:fs"},
			map[string]string{"parse": "export function parse(text, opts) {"}},
		{LangRust, `use std::collections::HashMap;
pub struct Config {
    pub name: String,
}
impl Config {
    pub fn new(name: &str) -> Self {
        let x = 1;
        Config { name: name.to_string() }
    }
}
impl<'a> Display for Config {
    fn fmt(&self, f: &mut Formatter<'a>) -> Result { Ok(()) }
}
pub trait Source { fn read(&self) -> u8; }
pub enum Mode { A, B }
const LIMIT: usize = 3;
macro_rules! check { () => {} }
`, []string{"Config", "Config.name", "Config.new", "Config.fmt", "Source", "Mode", "LIMIT", "check"}, []string{"std::collections::HashMap", "std::collections:HashMap"}, nil},
		{LangJava, `package a.b;
import java.util.List;
public class Store<T> extends Base {
    private static final int LIMIT = 3;
    public Store(int n) { this.n = n; }
    public List<T> find(String key, int max) throws IOException {
        int local = 1;
        return null;
    }
    interface Listener { void changed(String key); }
}
`, []string{"Store", "Store.LIMIT", "Store.Store", "Store.find", "Store.Listener"}, []string{"java.util.List", "java.util:List"}, nil},
		{LangC, `#include "buf.h"
#include <stdio.h>
#define MAX_LEN 64
typedef struct buf {
    char *data;
    size_t len;
} buf_t;
static int
buf_grow(buf_t *b, size_t n)
{
    int x = call(b);
    return x;
}
namespace net {
class Conn {
public:
    int read(char *p, int n);
};
int Conn::write(const char *p) { return 0; }
}
`, []string{"MAX_LEN", "buf", "buf.data", "buf.len", "buf_t", "buf_grow", "Conn", "Conn.read", "write"}, []string{"buf.h", "stdio.h"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.lang.String(), func(t *testing.T) {
			defs, imports := tagDefs(tt.lang, tt.src)
			if got := names(defs); !slices.Equal(got, tt.want) {
				t.Errorf("definitions = %q\nwant %q", got, tt.want)
			}
			if !slices.Equal(imports, tt.imports) {
				t.Errorf("imports = %q, want %q", imports, tt.imports)
			}
			for name, want := range tt.text {
				i := slices.IndexFunc(defs, func(d Def) bool { return d.Name == name })
				if i < 0 {
					continue
				}
				if defs[i].Text != want {
					t.Errorf("%s text = %q, want %q", name, defs[i].Text, want)
				}
			}
		})
	}
}

func TestGoDefs(t *testing.T) {
	src := `package store

import (
	"io"
	"net/http"
)

// Limit is documented.
const Limit = 3

type Store struct {
	Name string
	mu   sync.Mutex
}

type Getter interface {
	Get(key string) ([]byte, error)
}

func New(name string) *Store {
	return &Store{Name: name}
}

func (s *Store) Put(key string, v []byte) error {
	return nil
}
`
	defs, imports, _ := goDefs("store.go", src)
	want := []string{"Limit", "Store", "Store.Name", "Store.mu", "Getter", "Getter.Get", "New", "Store.Put"}
	if got := names(defs); !slices.Equal(got, want) {
		t.Errorf("definitions = %q, want %q", got, want)
	}
	if !slices.Equal(imports, []string{"io", "net/http"}) {
		t.Errorf("imports = %q", imports)
	}
	byName := map[string]string{}
	for _, d := range defs {
		byName[d.Name] = d.Text
	}
	for name, text := range map[string]string{
		"New":   "func New(name string) *Store {",
		"Put":   "func (s *Store) Put(key string, v []byte) error {",
		"Store": "type Store struct {\n\tName string\n\tmu   sync.Mutex\n}",
		"Limit": "const Limit = 3",
	} {
		if byName[name] != text {
			t.Errorf("%s text = %q, want %q", name, byName[name], text)
		}
	}
}

func TestGoImportsOf(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"grouped", "package p\n\nimport (\n\t\"fmt\"\n\tio \"io\"\n)\n\nfunc f() {}\n", []string{"fmt", "io"}},
		{"single", "package p\nimport \"os\"\n", []string{"os"}},
		// The text is cut at 8 KB on the keystroke path, often in the
		// middle of a function: the imports still count.
		{"cut short", "package p\nimport \"strings\"\nfunc f() { x := strings.", []string{"strings"}},
		{"none", "package p\nfunc f() {}\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ImportsOf(LangGo, tc.src); !slices.Equal(got, tc.want) {
				t.Errorf("ImportsOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// A Java declaration continued on the next line ("throws X;" of an
// abstract method, "new X(...)" of a field's initializer) defines
// nothing: read as a field or a constructor, it would put a false
// definition of the class X beside the real one.
func TestJavaContinuationLines(t *testing.T) {
	src := `package a.b;
public abstract class Guard {
    static final RuntimePermission MODIFY =
        new RuntimePermission("modifyThread");
    public abstract void pause(long timeout)
        throws InterruptedException;
    private static final Map<String, Integer> SIZES = Map.of(
        "a", 1);
    void run() {}
}
`
	defs, _ := tagDefs(LangJava, src)
	want := []string{"Guard", "Guard.MODIFY", "Guard.pause", "Guard.SIZES", "Guard.run"}
	if got := names(defs); !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}

// A C string continued on the next line with a backslash, and a
// backquote in it (GNU messages quote `like this'), stays a string: read
// as code, the backquote opened a JavaScript template literal that never
// closed, and the rest of the file was lost (glibc's ld-collate.c). A
// backquote outside a string (an #error's text) opens nothing either.
func TestCStringContinuedByBackslash(t *testing.T) {
	src := "#ifndef LIMIT\n" +
		"# error define `LIMIT' first\n" +
		"#endif\n" +
		"static void\n" +
		"read_directions (int n)\n" +
		"{\n" +
		"  error (_(\"\\\n" +
		"%s: `forward' and `backward' {are mutually excluding\"), n);\n" +
		"}\n" +
		"\n" +
		"int\n" +
		"find_element (int n)\n" +
		"{\n" +
		"  return n;\n" +
		"}\n"
	defs, _ := tagDefs(LangC, src)
	want := []string{"read_directions", "find_element"}
	if got := names(defs); !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}

// C++'s alias declarations at namespace level define a type as typedef
// does: nlohmann's type traits and fmt's format_context are written so.
// An alias inside a class stays a member, as before.
func TestCppUsingAlias(t *testing.T) {
	src := `namespace detail {
template<typename T>
using key_type_t = typename T::key_type;
template <typename Char> using buffer_context = basic_format_context<Char>;
using format_context = buffer_context<char>;
using namespace std;
using std::swap;
class Reader {
    using value_type = char;
};
}
`
	defs, _ := tagDefs(LangC, src)
	want := []string{"key_type_t", "buffer_context", "format_context", "Reader", "Reader.value_type"}
	if got := names(defs); !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}

// GCC's attribute and inline assembly keywords head a line the way a
// function's name does, and attributes lead a declaration's line; glibc
// writes all of these.
func TestCCompilerKeywordsAreNotFunctions(t *testing.T) {
	src := `static inline int
__attribute ((always_inline))
_IO_lock_inline (FILE *fp)
{
  return 0;
}
__attribute__ ((noreturn)) void die (void) { for (;;); }
__asm__ (".symver memcpy, memcpy@GLIBC_2.2.5");
asm (".globl x");
_Static_assert (sizeof (int) == 4, "int");
__declspec(dllexport) int exported (void) { return 1; }
__attribute__ ((format (printf, 1, 2))) int say (const char *f, ...);
[[nodiscard]] inline int fresh () { return 2; }
`
	defs, _ := tagDefs(LangC, src)
	want := []string{"_IO_lock_inline", "die", "exported", "say", "fresh"}
	if got := names(defs); !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}

// The C keywords stay names in the other languages: an assembler
// library's Python defines asm().
func TestCKeywordsAreNamesElsewhere(t *testing.T) {
	defs, _ := tagDefs(LangPython, "def asm(code, arch='amd64'):\n    return code\n")
	if got, want := names(defs), []string{"asm"}; !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}

// A backslash inside a string that does not end the line is an escape,
// not a continuation: the next line starts in code.
func TestCStringEscapeIsNotContinuation(t *testing.T) {
	src := "static const char *s = \"a\\\"b\\\\\";\nint after (void)\n{\n  return 0;\n}\n"
	defs, _ := tagDefs(LangC, src)
	if got, want := names(defs), []string{"after"}; !slices.Equal(got, want) {
		t.Errorf("definitions = %q\nwant %q", got, want)
	}
}
