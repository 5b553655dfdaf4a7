package assist

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"switchyard/assist/repoindex"
	"switchyard/providers/providertest"
)

// The Java corpus of the recall benchmark: part of java.base from the
// JDK sources of Debian's openjdk-17-source, unpacked by
// .ci/recall-corpus-java.

// javaCorpus is the source root of the unpacked JDK sources (the folder
// that holds java/util/...), "" when .ci/recall-corpus-java has not run.
func javaCorpus() string {
	dir := providertest.CICache("SWITCHYARD_RECALL_JAVA", filepath.Join("recall-java", "src", "java.base"))
	if fi, err := os.Stat(filepath.Join(dir, "java")); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

var (
	// import a.b.C; (a single-type import; static and on-demand imports
	// are not sampled).
	javaImport = regexp.MustCompile(`^import\s+([\w$]+(?:\.[\w$]+)+)\s*;`)
	// A name or Name.member, found where it does not follow a dot.
	javaWord = regexp.MustCompile(`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?`)
)

// javaDefLine is the first line of name's definition in path: a
// top-level class when container is "", else a member of the class
// container (a field, a method, a nested class).
func javaDefLine(ix *repoindex.Index, path, name, container string) string {
	for _, d := range ix.DefsIn(path) {
		if d.Name != name || d.Container != container {
			continue
		}
		if container == "" && d.Kind != repoindex.KindClass {
			continue
		}
		first, _, _ := strings.Cut(d.Text, "\n")
		return first
	}
	return ""
}

// javaUses finds lines of a Java file that use a class of another file
// of the workspace, resolved as javac would: a name of a single-type
// import (import a.b.C; is a/b/C.java under the source root), else a
// top-level class of another file of the same package (the same
// folder), unless the file itself declares the name (a nested class, a
// type parameter's class). With C.member the definition is the member
// in C's file, else, when C's file does not declare it (inherited,
// C.class), C's own line. Nested classes of other files are reached only
// through their outer class and are not sampled by their own name.
func javaUses(ix *repoindex.Index, root, p, src string) []useSite {
	if strings.Contains(p, "/test/") || strings.Contains(p, "/tests/") || strings.HasSuffix(p, "Test.java") ||
		strings.HasSuffix(p, "package-info.java") || strings.HasSuffix(p, "module-info.java") {
		return nil
	}
	classes := map[string]string{} // simple name -> file of the class
	dir := filepath.Dir(p)
	for _, q := range ix.Paths() {
		if filepath.Dir(q) != dir || q == p || filepath.Ext(q) != ".java" {
			continue
		}
		for _, d := range ix.DefsIn(q) {
			if d.Container == "" && d.Kind == repoindex.KindClass {
				classes[d.Name] = q
			}
		}
	}
	lines := strings.Split(src, "\n")
	// Single-type imports shadow the package's classes.
	for _, l := range lines {
		m := javaImport.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		file := filepath.Join(root, filepath.FromSlash(strings.ReplaceAll(m[1], ".", "/"))+".java")
		name := m[1][strings.LastIndexByte(m[1], '.')+1:]
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			classes[name] = file
		} else {
			// A class outside the corpus or a nested one: the name is
			// no longer the package's.
			delete(classes, name)
		}
	}
	own := map[string]bool{}
	for _, d := range ix.DefsIn(p) {
		own[d.Name] = true
	}
	var out []useSite
	// Comments and the contents of literals blanked, as for C: Java
	// writes both alike.
	for i, t := range strings.Split(cBlank(src), "\n") {
		t = strings.TrimSpace(t)
		if t == "" || strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "package ") {
			continue
		}
		for _, loc := range javaWord.FindAllStringIndex(t, -1) {
			if loc[0] > 0 && t[loc[0]-1] == '.' {
				continue
			}
			head, member, dotted := strings.Cut(t[loc[0]:loc[1]], ".")
			file, ok := classes[head]
			if !ok || own[head] || file == p {
				continue
			}
			name, first := head, ""
			if dotted {
				if first = javaDefLine(ix, file, member, head); first != "" {
					name = member
				}
			}
			if first == "" {
				first = javaDefLine(ix, file, head, "")
			}
			if first != "" {
				out = append(out, useSite{line: i, name: name, defPath: file, defFirst: first})
				break
			}
		}
	}
	return out
}
