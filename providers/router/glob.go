package router

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"

	"switchyard/config"
)

// IgnoreFile is the name of the file, at the root of a workspace folder,
// whose gitignore-style lines add to [policy] local_only.
const IgnoreFile = ".switchyardignore"

// pattern is one compiled local_only glob or .switchyardignore line.
//
// The syntax is gitignore's, which users already know: "*" and "?" match
// within one path segment, "**" matches any number of segments, a pattern
// without a slash matches a file or folder of that name at any depth, one
// with a slash is anchored to the workspace root (or is absolute), a
// trailing slash matches folders only (and so everything under them), and
// "!" re-admits what an earlier line excluded. Patterns in [policy]
// local_only are matched at any depth, since they are not tied to one
// repository. path.Match alone cannot do "**", which is why this small
// matcher exists rather than a dependency.
type pattern struct {
	text     string   // as written, for explanations
	segs     []string // split on "/"
	anywhere bool     // no slash: match at any depth
	absolute bool     // starts at the file system root
	dirOnly  bool     // trailing slash
	negate   bool
	root     string // workspace folder the pattern belongs to, "" for any
}

func compilePattern(line, root string) (pattern, bool) {
	line = strings.TrimRight(line, " \t\r")
	if line == "" || strings.HasPrefix(line, "#") {
		return pattern{}, false
	}
	p := pattern{text: line, root: root}
	if strings.HasPrefix(line, "!") {
		p.negate = true
		line = line[1:]
	}
	line = filepath.ToSlash(line)
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	switch {
	case filepath.IsAbs(filepath.FromSlash(line)) && root == "":
		p.absolute = true
	case strings.HasPrefix(line, "/"):
		line = line[1:]
	case !strings.Contains(line, "/"):
		p.anywhere = true
	}
	line = strings.TrimPrefix(line, "/")
	if line == "" {
		return pattern{}, false
	}
	p.segs = strings.Split(line, "/")
	return p, true
}

// matches reports whether the file at segs (relative to the pattern's
// root, or absolute) is the pattern or lies under a folder it names.
func (p *pattern) matches(segs []string) bool {
	if p.anywhere {
		for i := range segs {
			if matchSegs(p.segs, segs[i:], p.dirOnly) {
				return true
			}
		}
		return false
	}
	return matchSegs(p.segs, segs, p.dirOnly)
}

// matchSegs matches pat against a leading part of segs. Matching only a
// leading part is deliberate: a pattern naming a folder covers everything
// inside it. With dirOnly, the match must end before the last segment
// (the file itself), since the pattern names a folder.
func matchSegs(pat, segs []string, dirOnly bool) bool {
	if len(pat) == 0 {
		return !dirOnly || len(segs) > 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchSegs(pat[1:], segs[i:], dirOnly) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
		return false
	}
	return matchSegs(pat[1:], segs[1:], dirOnly)
}

// localOnly decides which paths must stay on local models.
type localOnly struct {
	secret []pattern            // [policy] secret_files, or its default
	config []pattern            // [policy] local_only
	ignore map[string][]pattern // workspace folder -> its .switchyardignore
	roots  []string             // workspace folders, cleaned, longest first
}

func newLocalOnly(pol config.Policy, workspace []string) (*localOnly, error) {
	lo := &localOnly{ignore: map[string][]pattern{}}
	for _, g := range pol.SecretFileGlobs() {
		if p, ok := compilePattern(g, ""); ok {
			p.anywhere = !p.absolute
			lo.secret = append(lo.secret, p)
		}
	}
	for _, g := range pol.LocalOnly {
		if p, ok := compilePattern(g, ""); ok {
			// [policy] local_only is the user's, not one repository's:
			// "internal/billing/**" means that folder in whichever
			// repository it appears, at any depth. Matching more than
			// gitignore would is the safe side for a privacy rule.
			p.anywhere = !p.absolute
			lo.config = append(lo.config, p)
		}
	}
	for _, w := range workspace {
		root := filepath.Clean(w)
		lo.roots = append(lo.roots, root)
		f, err := os.Open(filepath.Join(root, IgnoreFile))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if p, ok := compilePattern(sc.Text(), root); ok {
				lo.ignore[root] = append(lo.ignore[root], p)
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	// The innermost folder wins when workspace folders nest.
	for i := 1; i < len(lo.roots); i++ {
		for j := i; j > 0 && len(lo.roots[j]) > len(lo.roots[j-1]); j-- {
			lo.roots[j], lo.roots[j-1] = lo.roots[j-1], lo.roots[j]
		}
	}
	return lo, nil
}

// rule returns the pattern that makes file local-only, as the user wrote
// it, with where it came from; "" when the file may go anywhere.
func (lo *localOnly) rule(file string) string {
	if lo == nil || file == "" {
		return ""
	}
	rel, abs, root := lo.split(file)
	// A secret file stays local whatever .switchyardignore says: a "!"
	// line there is the repository's, and only the user may let one go.
	for i := range lo.secret {
		if lo.secret[i].matches(abs) {
			return "[policy] secret_files " + quote(lo.secret[i].text)
		}
	}
	for i := range lo.config {
		p := &lo.config[i]
		segs := rel
		if p.absolute {
			segs = abs
		}
		if p.matches(segs) {
			return "[policy] local_only " + quote(p.text)
		}
	}
	if root == "" {
		return ""
	}
	// .switchyardignore: the last matching line decides, as in gitignore.
	hit := ""
	for i := range lo.ignore[root] {
		p := &lo.ignore[root][i]
		if p.matches(rel) {
			if p.negate {
				hit = ""
			} else {
				hit = filepath.Join(root, IgnoreFile) + " " + quote(p.text)
			}
		}
	}
	return hit
}

func quote(s string) string { return "\"" + s + "\"" }

// split gives file's path segments relative to the innermost workspace
// folder that holds it (or absolute, when none does), its absolute
// segments, and that folder.
func (lo *localOnly) split(file string) (rel, abs []string, root string) {
	file = filepath.Clean(file)
	abs = strings.Split(strings.TrimPrefix(filepath.ToSlash(file), "/"), "/")
	if lo != nil {
		for _, r := range lo.roots {
			if file == r || strings.HasPrefix(file, r+string(filepath.Separator)) {
				root = r
				if rp, err := filepath.Rel(r, file); err == nil {
					rel = strings.Split(filepath.ToSlash(rp), "/")
				}
				break
			}
		}
	}
	if rel == nil {
		rel = abs
	}
	return rel, abs, root
}

// matches reports whether a pattern from the user's configuration (not
// tied to one workspace) matches file.
func (lo *localOnly) matches(p *pattern, file string) bool {
	if file == "" {
		return false
	}
	rel, abs, _ := lo.split(file)
	if p.absolute {
		return p.matches(abs)
	}
	return p.matches(rel)
}
