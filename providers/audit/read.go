package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// Filter selects entries; a zero field selects all.
type Filter struct {
	Since    time.Time // at or after
	File     string    // a path, or a folder ("internal/billing/") whose files match
	Provider string    // [providers.NAME]
}

// Match reports whether e passes f.
func (f Filter) Match(e Entry) bool {
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if f.Provider != "" && e.Provider != f.Provider {
		return false
	}
	if f.File == "" {
		return true
	}
	want := cleanPath(f.File)
	folder := strings.HasSuffix(f.File, "/") || want == "."
	for _, s := range e.Sources {
		p := cleanPath(s.Path)
		if want == "." || p == want || strings.HasPrefix(p, want+"/") || (folder && strings.HasPrefix(p, want)) {
			return true
		}
	}
	return false
}

func cleanPath(p string) string {
	p = path.Clean(strings.ReplaceAll(p, "\\", "/"))
	return strings.TrimPrefix(p, "./")
}

// Files lists the log at path and its rotated files that exist, oldest
// first.
func Files(logPath string) []string {
	var rotated []string
	for i := 1; ; i++ {
		p := Rotated(logPath, i)
		if _, err := os.Stat(p); err != nil {
			break
		}
		rotated = append(rotated, p)
	}
	var out []string
	for i := len(rotated) - 1; i >= 0; i-- {
		out = append(out, rotated[i])
	}
	if _, err := os.Stat(logPath); err == nil {
		out = append(out, logPath)
	}
	return out
}

// Read returns the entries of the log at path and its rotated files that
// pass f, oldest first. A line that does not parse (one cut short by a
// full disk) is skipped and counted in skipped. A log that does not exist
// yet reads as empty.
func Read(logPath string, f Filter) (entries []Entry, skipped int, err error) {
	for _, name := range Files(logPath) {
		file, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // rotated away between Files and here
		}
		if err != nil {
			return entries, skipped, err
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			if len(strings.TrimSpace(sc.Text())) == 0 {
				continue
			}
			var e Entry
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				skipped++
				continue
			}
			if f.Match(e) {
				entries = append(entries, e)
			}
		}
		err = sc.Err()
		file.Close()
		if err != nil {
			return entries, skipped, err
		}
	}
	return entries, skipped, nil
}
