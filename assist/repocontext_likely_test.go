package assist

import (
	"strings"
	"testing"

	"switchyard/config"
)

// A line about to call a name of an imported module that appears nowhere
// near the cursor gets the module's names the workspace uses most, one
// line each, and not those no file uses.
func TestLikelyDefinitions(t *testing.T) {
	files := map[string]string{
		"hash/sum.go":  "package hash\n\n// Sum256 sums.\nfunc Sum256(b []byte) [32]byte {\n\treturn [32]byte{}\n}\n\nfunc Unused(n int) {}\n\nfunc rare() {}\n",
		"py/codecs.py": "class CodecInfo(tuple):\n    pass\n\ndef lookup(name):\n    pass\n\ndef never_used():\n    pass\n",
	}
	for i, name := range []string{"a", "b", "c"} {
		files["users/"+name+".go"] = "package users\n\nimport \"hash\"\n\nfunc f" + name + "() { _ = hash.Sum256(nil) }\n"
		files["ts/locales/"+name+".ts"] = "import * as util from \"../core/util.js\";\nimport { joinValues } from \"../core/join.js\";\n\nexport const t" + name + " = () => util.parsedType(1) + joinValues([]);\n"
		files["py/enc"+name+".py"] = "import codecs\n\ndef getregentry():\n    return codecs.CodecInfo(name='x" + string(rune('0'+i)) + "')\n"
	}
	files["ts/core/util.ts"] = "export function parsedType(data: any): string {\n  return typeof data;\n}\n\nexport function neverUsed(): void {}\n"
	files["ts/core/join.ts"] = "export function joinValues(a: string[]): string {\n  return a.join();\n}\n\nexport function otherJoin(): void {}\n"
	dir, ix := indexedWorkspace(t, files)
	t.Run("go", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "app/main.go", "package main\n\nimport \"x/hash\"\n\nfunc main() {\n\t‸\n}\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "func Sum256(b []byte) [32]byte {") {
			t.Errorf("definitions = %q, want hash.Sum256, which the workspace uses", got)
		}
		if strings.Contains(got, "Unused") || strings.Contains(got, "rare") {
			t.Errorf("definitions = %q: a name no file uses came in", got)
		}
	})
	t.Run("python", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "py/encz.py", "import codecs\n\ndef getregentry():\n    ‸\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "class CodecInfo(tuple):") || strings.Contains(got, "never_used") {
			t.Errorf("definitions = %q, want codecs.CodecInfo and not never_used", got)
		}
	})
	// TypeScript names its module "../core/util.js" for util.ts; the
	// module imported whole ("import * as util") offers its used names,
	// the one whose names are imported one by one offers only those.
	t.Run("typescript", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "ts/locales/z.ts", "import * as util from \"../core/util.js\";\nimport { joinValues } from \"../core/join.js\";\n\nexport const tz = () => {\n  ‸\n};\n", 1024, config.ContextShares{}), sourceDefinitions)
		if !strings.Contains(got, "export function parsedType(data: any): string {") || strings.Contains(got, "neverUsed") {
			t.Errorf("definitions = %q, want util.parsedType and not neverUsed", got)
		}
		if !strings.Contains(got, "export function joinValues(") || strings.Contains(got, "otherJoin") {
			t.Errorf("definitions = %q, want joinValues and not otherJoin, which the file does not import", got)
		}
	})
	t.Run("not without the import", func(t *testing.T) {
		got := joined(contextAt(dir, ix, "app/main.go", "package main\n\nfunc main() {\n\t‸\n}\n", 1024, config.ContextShares{}), sourceDefinitions)
		if strings.Contains(got, "Sum256") {
			t.Errorf("definitions = %q: a module the file does not import came in", got)
		}
	})
}
