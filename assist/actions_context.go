package assist

import (
	"path/filepath"
	"slices"
	"strings"
)

// actionDefinitionBytes bounds the definitions quoted for Fix and
// Explain, about 1,500 tokens: the signatures the range calls and the
// types it uses, not their bodies.
const actionDefinitionBytes = 6000

// writeDefinitions quotes, from the workspace index, the definitions in
// other files of what the range uses, and returns paths with their files
// added: the router routes by every file whose content the prompt holds.
// A local-only file's definitions are left out unless the current file
// is local-only too, as a refactor gathers files.
func (j *job) writeDefinitions(b *strings.Builder, paths []string) []string {
	if j.req.Index == nil || j.req.Doc.Path == "" {
		return paths
	}
	text := j.req.Doc.Text
	creq := CompletionRequest{Doc: j.req.Doc, Offset: j.end, Folders: j.req.Folders, Index: j.req.Index}
	w := window{prefix: text[:j.end], suffix: text[j.end:]}
	ranked := rankDefinitions(&creq, w)
	cur := filepath.Clean(j.req.Doc.Path)
	curLocal := j.localOnly(cur)
	ranked = slices.DeleteFunc(ranked, func(s scored) bool {
		p := filepath.Clean(s.def.Path)
		return p == cur || !curLocal && j.localOnly(p)
	})
	files, _ := groupDefinitions(&creq, ranked, actionDefinitionBytes)
	if len(files) == 0 {
		return paths
	}
	b.WriteString("Definitions from other files of what this code uses, for reference:\n")
	for _, f := range files {
		writeFile(b, j.w.show(f.path), languageOfExt(filepath.Ext(f.path)), f.text)
		if p := filepath.Clean(f.path); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	b.WriteString("\n")
	return paths
}

// referencing lists the files inside the workspace folders that the index
// says use any of names, for a workspace-wide refactor: no walk of the
// whole tree. ok is false while the index is not built yet, or when it
// stopped at its file bound, and the caller walks the folders instead.
func (j *job) referencing(names []string) (_ []string, ok bool) {
	ix := j.req.Index
	if ix == nil || len(names) == 0 {
		return nil, false
	}
	select {
	case <-ix.Built():
	default:
		return nil, false
	}
	if ix.Stats().Full {
		return nil, false
	}
	var out []string
	for _, n := range names {
		// The index keys identifiers; a name such as "pkg.Func" is
		// found by its last part.
		if i := strings.LastIndexAny(n, ".:"); i >= 0 {
			n = n[i+1:]
		}
		for _, p := range ix.Referencing(n) {
			if j.w.inside(p) && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out, true
}
