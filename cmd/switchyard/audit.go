package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"switchyard/config"
	"switchyard/providers/audit"
)

// auditCmd prints the audit log: what left the machine, when, to whom,
// and which files' content it carried. The exit code is 2 for a bad
// command line or configuration, 1 when the log cannot be read.
func auditCmd(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "user configuration file, for [audit] path (default $"+config.EnvConfig+", else the XDG config path)")
	since := fs.Duration("since", 0, "only requests in this last while, such as 168h for a week (default: all)")
	file := fs.String("file", "", "only requests that carried this workspace-relative file, or a folder's files (internal/billing/)")
	provider := fs.String("provider", "", "only requests to this provider, a [providers.NAME] name")
	asJSON := fs.Bool("json", false, "print the matching entries as JSON lines instead of a table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "switchyard audit: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *since < 0 {
		fmt.Fprintf(stderr, "switchyard audit: --since %s is negative: write how far back to look, such as 24h\n", *since)
		return 2
	}
	user, err := config.LoadUser(*configFile)
	if err != nil {
		fmt.Fprintln(stderr, "switchyard audit:", err)
		return 2
	}
	cfg, err := user.Config()
	if err != nil {
		fmt.Fprintln(stderr, "switchyard audit:", err)
		return 2
	}
	path, err := cfg.Audit.File()
	if err != nil {
		fmt.Fprintf(stderr, "switchyard audit: %v: set [audit] path\n", err)
		return 2
	}
	f := audit.Filter{File: *file, Provider: *provider}
	if *since > 0 {
		f.Since = now().Add(-*since)
	}
	entries, skipped, err := audit.Read(path, f)
	if err != nil {
		fmt.Fprintf(stderr, "switchyard audit: reading %s: %v\n", path, err)
		return 1
	}
	if skipped > 0 {
		fmt.Fprintf(stderr, "switchyard audit: %d lines of %s did not parse and were skipped\n", skipped, path)
	}
	if len(audit.Files(path)) == 0 {
		what := "nothing has been sent off this machine since it was turned on"
		if !cfg.Audit.Enabled {
			what = "[audit] enabled = false in your configuration"
		}
		fmt.Fprintf(stderr, "switchyard audit: no log at %s: %s\n", path, what)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return 1
			}
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTASK\tMODEL\tPROVIDER\tHOST\tPATHS\tREDACTIONS")
	for _, e := range entries {
		var paths []string
		for _, s := range e.Sources {
			paths = append(paths, s.Path)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"),
			e.Task, e.Model, e.Provider, e.Host, orDash(strings.Join(paths, ", ")), redactions(e.Redactions))
	}
	tw.Flush()
	return 0
}

func redactions(m map[string]int) string {
	var out []string
	for _, rule := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s:%d", rule, m[rule]))
	}
	return orDash(strings.Join(out, ", "))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
