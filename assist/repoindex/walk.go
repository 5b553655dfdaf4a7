package repoindex

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	gitignore "github.com/sabhiram/go-gitignore"
)

// skipDirs are folders that hold no code of the workspace's own:
// version control, dependencies and build output. Any folder whose name
// starts with a dot is skipped too.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, "third_party": true, "__pycache__": true,
	"target": true, "build": true, "dist": true, "out": true, "bower_components": true,
	"site-packages": true, "venv": true, "env": true,
}

// ignoreRule is one folder's .gitignore, whose patterns are relative to it.
type ignoreRule struct {
	dir string
	gi  *gitignore.GitIgnore
}

// walk sends the source files under folders, breadth-first so the files
// nearest the roots come first, until maxFiles were sent. full is called
// once at the end with whether the bound cut the walk short.
func walk(ctx context.Context, folders []string, maxFiles int, maxBytes int64, full func(bool), out chan<- string) {
	type dir struct {
		path  string
		rules []ignoreRule
	}
	var queue []dir
	for _, f := range folders {
		if f != "" {
			queue = append(queue, dir{path: filepath.Clean(f)})
		}
	}
	sent := 0
	for len(queue) > 0 {
		if ctx.Err() != nil {
			full(false)
			return
		}
		d := queue[0]
		queue = queue[1:]
		entries, err := os.ReadDir(d.path)
		if err != nil {
			continue
		}
		rules := d.rules
		if gi, err := gitignore.CompileIgnoreFile(filepath.Join(d.path, ".gitignore")); err == nil {
			rules = append(rules[:len(rules):len(rules)], ignoreRule{dir: d.path, gi: gi})
		}
		for _, e := range entries {
			name := e.Name()
			p := filepath.Join(d.path, name)
			if e.IsDir() {
				if strings.HasPrefix(name, ".") || skipDirs[name] || ignored(rules, p, true) {
					continue
				}
				queue = append(queue, dir{path: p, rules: rules})
				continue
			}
			if !e.Type().IsRegular() || LangOf(name, "") == LangNone || ignored(rules, p, false) {
				continue
			}
			if info, err := e.Info(); err != nil || info.Size() > maxBytes {
				continue
			}
			if sent == maxFiles {
				full(true)
				return
			}
			select {
			case out <- p:
				sent++
			case <-ctx.Done():
				full(false)
				return
			}
		}
	}
	full(false)
}

// ignored reports whether a .gitignore of p's folder or of one above it
// ignores p.
func ignored(rules []ignoreRule, p string, isDir bool) bool {
	for _, r := range rules {
		rel, err := filepath.Rel(r.dir, p)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if r.gi.MatchesPath(rel) || isDir && r.gi.MatchesPath(rel+"/") {
			return true
		}
	}
	return false
}
