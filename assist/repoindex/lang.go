package repoindex

import (
	"path/filepath"
	"strings"
)

// Lang is a group of languages whose files can use each other's
// definitions: TypeScript calls JavaScript, C++ includes C headers.
type Lang uint8

const (
	LangNone Lang = iota
	LangGo
	LangPython
	LangJS // JavaScript and TypeScript
	LangRust
	LangJava
	LangC // C and C++
)

var langNames = [...]string{"", "go", "python", "javascript", "rust", "java", "c"}

func (l Lang) String() string { return langNames[l] }

// byExt maps a file name's extension to its language group.
var byExt = map[string]Lang{
	".go":  LangGo,
	".py":  LangPython,
	".pyi": LangPython,
	".js":  LangJS, ".mjs": LangJS, ".cjs": LangJS, ".jsx": LangJS,
	".ts": LangJS, ".mts": LangJS, ".cts": LangJS, ".tsx": LangJS,
	".rs":   LangRust,
	".java": LangJava,
	".c":    LangC, ".h": LangC, ".cc": LangC, ".cpp": LangC, ".cxx": LangC,
	".hh": LangC, ".hpp": LangC, ".hxx": LangC, ".inl": LangC,
}

// byLanguageID maps the editor's languageId to a language group.
var byLanguageID = map[string]Lang{
	"go": LangGo, "python": LangPython,
	"javascript": LangJS, "javascriptreact": LangJS, "typescript": LangJS, "typescriptreact": LangJS,
	"rust": LangRust, "java": LangJava, "c": LangC, "cpp": LangC, "objective-c": LangC,
}

// LangOf is the language group of a file, by its extension, else by the
// editor's languageId; LangNone for a language the index does not read.
func LangOf(path, languageID string) Lang {
	if l, ok := byExt[strings.ToLower(filepath.Ext(path))]; ok {
		return l
	}
	return byLanguageID[languageID]
}
