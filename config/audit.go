package config

import (
	"os"
	"path/filepath"
	"strings"
)

// Audit says where the audit log of requests that left the machine is
// kept, [audit]. It is on by default in every loaded configuration; a
// Config built in code leaves it off (Enabled false), so tests write no
// log unless they ask for one.
type Audit struct {
	Enabled   bool   `toml:"enabled" json:"enabled"`
	Path      string `toml:"path" json:"path,omitempty"`               // "" is $XDG_STATE_HOME/switchyard/audit.jsonl
	MaxSizeMB int    `toml:"max_size_mb" json:"max_size_mb,omitempty"` // size of one file before it is rotated, in MB (MiB)
	MaxFiles  int    `toml:"max_files" json:"max_files,omitempty"`     // rotated files kept besides the current one
}

// Documented [audit] defaults: ten files of 10 MB hold, at a few hundred
// bytes a request, some hundreds of thousands of requests, months of
// heavy use, in at most 110 MB.
const (
	DefaultAuditMaxSizeMB = 10
	DefaultAuditMaxFiles  = 10
	// Upper bounds past which a value is surely a mistake.
	MaxAuditSizeMB = 1024
	MaxAuditFiles  = 1000
)

// AuditFileName is the log's name in the state folder.
const AuditFileName = "audit.jsonl"

// File returns the audit log's path: path with ~ expanded, else
// $XDG_STATE_HOME/switchyard/audit.jsonl, else
// ~/.local/state/switchyard/audit.jsonl.
func (a Audit) File() (string, error) {
	if a.Path != "" {
		return expandHome(a.Path)
	}
	// As for XDG_CONFIG_HOME, a relative XDG_STATE_HOME is invalid and
	// is ignored.
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "switchyard", AuditFileName), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "switchyard", AuditFileName), nil
}

func (a Audit) validate(ps *problems) {
	switch {
	case a.MaxSizeMB < 1:
		ps.add("audit.max_size_mb", "%d must be at least 1 MB: use a positive number such as %d, or leave it out for the default", a.MaxSizeMB, DefaultAuditMaxSizeMB)
	case a.MaxSizeMB > MaxAuditSizeMB:
		ps.add("audit.max_size_mb", "%d is more than %d MB: use at most %d", a.MaxSizeMB, MaxAuditSizeMB, MaxAuditSizeMB)
	}
	switch {
	case a.MaxFiles < 1:
		ps.add("audit.max_files", "%d must be at least 1: the log keeps this many rotated files besides the current one; use a number such as %d, or set enabled = false to keep no log", a.MaxFiles, DefaultAuditMaxFiles)
	case a.MaxFiles > MaxAuditFiles:
		ps.add("audit.max_files", "%d is more than %d files: use at most %d", a.MaxFiles, MaxAuditFiles, MaxAuditFiles)
	}
	if p := a.Path; p != "" {
		switch {
		case strings.TrimSpace(p) == "":
			ps.add("audit.path", "is blank: write the log file's full path, or leave it out for the state folder")
		case !strings.HasPrefix(p, "~/") && !isAbs(p):
			ps.add("audit.path", "%q is not an absolute path: write the full path (or start it with ~/)", p)
		case strings.HasSuffix(p, "/"):
			ps.add("audit.path", "%q names a folder: write the log file's path, such as %q", p, p+AuditFileName)
		}
	}
}
