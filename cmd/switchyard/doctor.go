package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchyard/config"
	"switchyard/providers/catalog"
	"switchyard/providers/detect"
	"switchyard/providers/redact"
	"switchyard/providers/router"
)

// doctorFix is the smallest configuration that gives completions, shown
// when nothing usable was found.
const doctorFix = `[providers.local]
type = "ollama"
[models.coder]
provider = "local"
id = "qwen2.5-coder:1.5b-base"
classes = ["completion", "coding"]`

// doctor prints what Switchyard can use: each configured and each
// detected provider, whether it answers and why not, where its
// credential comes from (never the value), its models with their classes
// and capabilities, and its data-policy facts. The exit code is 1 when
// nothing usable was found, 2 for a bad command line or configuration.
func doctor(args []string, stdout, stderr io.Writer) int {
	return runDoctor(args, stdout, stderr, detect.Options{})
}

func runDoctor(args []string, stdout, stderr io.Writer, dopts detect.Options) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "user configuration file (default $"+config.EnvConfig+", else the XDG config path)")
	route := fs.String("route", "", "print the router's decision for this task ("+strings.Join(config.Tasks, ", ")+")")
	path := fs.String("path", "", "with --route: the file the request's content comes from (for [policy] local_only)")
	redactFile := fs.String("redact", "", "print exactly what a remote model would be sent of this file, and what was replaced")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for each provider")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "switchyard doctor: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *path != "" && *route == "" {
		fmt.Fprintln(stderr, "switchyard doctor: --path needs --route TASK")
		return 2
	}
	ctx := context.Background()

	where, _ := config.UserFilePath(*configFile)
	user, err := config.LoadUser(*configFile)
	if err != nil {
		fmt.Fprintln(stderr, "switchyard doctor:", err)
		return 2
	}
	var (
		cfg      *config.Config
		detected *config.Layer
		rep      detect.Report
	)
	if *route == "" && *redactFile == "" || !user.Found && *redactFile == "" {
		detected, rep = detect.Discover(ctx, dopts)
	}
	switch {
	case user.Found:
		cfg, _, err = config.Merge(user, nil)
		if err != nil {
			fmt.Fprintln(stderr, "switchyard doctor: the configuration file has problems; the server would not apply it:")
			fmt.Fprintln(stderr, err)
			return 2
		}
	case detected != nil:
		cfg, _, err = config.Merge(detected, nil)
		if err != nil {
			fmt.Fprintln(stderr, "switchyard doctor: the detected configuration does not validate:", err)
			return 2
		}
	default:
		cfg = config.Defaults()
	}

	if *redactFile != "" {
		return explainRedact(cfg, *redactFile, stdout, stderr)
	}
	if *route != "" {
		return explainRoute(cfg, *route, *path, stdout, stderr)
	}

	d := &doctorReport{w: stdout}
	d.header(where, user.Found, rep)
	usable := false
	if user.Found {
		usable = d.configured(ctx, cfg, *timeout)
	}
	d.detected(rep, user.Found)
	if !user.Found {
		usable = rep.Usable()
	}
	d.sameModel(cfg)
	d.footer(usable, user.Found, where)
	if !usable {
		return 1
	}
	return 0
}

// explainRoute prints the router's decision for one task, the form
// `switchyard doctor --route` promises.
func explainRoute(cfg *config.Config, task, path string, stdout, stderr io.Writer) int {
	if !slices.Contains(config.Tasks, task) {
		fmt.Fprintf(stderr, "switchyard doctor: %q is not a task: use one of %s\n", task, strings.Join(config.Tasks, ", "))
		return 2
	}
	var workspace []string
	if wd, err := os.Getwd(); err == nil {
		workspace = []string{wd}
	}
	if path != "" {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	r, err := router.New(cfg, router.Options{Workspace: workspace})
	if err != nil {
		fmt.Fprintln(stderr, "switchyard doctor:", err)
		return 2
	}
	defer r.Close()
	dec := r.Explain(task, path)
	fmt.Fprint(stdout, dec.String())
	if dec.Picked == "" {
		return 1
	}
	return 0
}

// explainRedact prints what a remote model would be sent of one file:
// nothing when the file is local-only (a secret file, [policy]
// local_only, .switchyardignore), else its text with each secret
// replaced, followed by the list of replacements. The list names the
// rule, the line and the placeholder, never the secret.
func explainRedact(cfg *config.Config, file string, stdout, stderr io.Writer) int {
	text, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "switchyard doctor:", err)
		return 2
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	var workspace []string
	if wd, err := os.Getwd(); err == nil {
		workspace = []string{wd}
	}
	r, err := router.New(cfg, router.Options{Workspace: workspace})
	if err != nil {
		fmt.Fprintln(stderr, "switchyard doctor:", err)
		return 2
	}
	defer r.Close()
	if rule := r.LocalOnlyRule(config.TaskCompletion, abs); rule != "" {
		fmt.Fprintf(stdout, "%s is local-only (%s): no remote model is sent any of it, as the file being edited or as context.\n", file, rule)
		return 0
	}
	sent, reps := redact.New().Redact(string(text))
	fmt.Fprintf(stdout, "What a remote model would be sent of %s:\n", file)
	fmt.Fprintln(stdout, "-----")
	fmt.Fprint(stdout, sent)
	if !strings.HasSuffix(sent, "\n") {
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "-----")
	if len(reps) == 0 {
		fmt.Fprintln(stdout, "Nothing was replaced: no secret was found.")
		return 0
	}
	fmt.Fprintf(stdout, "Replaced %d secret(s); the model's answer gets them back on this machine:\n", len(reps))
	for _, p := range reps {
		fmt.Fprintf(stdout, "  line %d: %s (%s)\n", p.Line, p.Placeholder, p.Rule)
	}
	return 0
}

type doctorReport struct {
	w io.Writer
}

func (d *doctorReport) f(format string, args ...any) { fmt.Fprintf(d.w, format, args...) }

func (d *doctorReport) header(where string, found bool, rep detect.Report) {
	d.f("Switchyard %s\n\n", versionString())
	switch {
	case found:
		d.f("Configuration: %s\n", where)
	default:
		d.f("Configuration: %s does not exist: Switchyard uses what it detects below (zero configuration).\n", where)
	}
	if rep.Disabled {
		d.f("Detection is off: %s is set.\n", detect.EnvDisable)
	}
	d.f("Data facts below are defaults read off each vendor's published terms unless set in [providers.NAME.data]; they are yours to confirm for your own contract.\n")
}

// configured probes every configured provider in parallel and prints it
// with its models; it reports whether any model can be used.
func (d *doctorReport) configured(ctx context.Context, cfg *config.Config, timeout time.Duration) bool {
	names := slices.Sorted(maps.Keys(cfg.Providers))
	found := make([]detect.Provider, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i] = detect.Probe(ctx, n, cfg.Providers[n], timeout)
		}()
	}
	wg.Wait()
	d.f("\nConfigured providers\n")
	if len(names) == 0 {
		d.f("  none: the file has no [providers] entries\n")
	}
	usable := false
	for i, n := range names {
		p := found[i]
		pc := cfg.Providers[n]
		d.provider(p.Name, pc.Type, pc, p, true)
		var models []string
		for name, m := range cfg.Models {
			if m.Provider == n {
				models = append(models, name)
			}
		}
		slices.Sort(models)
		if len(models) == 0 {
			d.f("    models: none configured for it\n")
		}
		for _, name := range models {
			m := catalog.Fill(cfg.Models[name], pc)
			d.model(name, m)
			if p.Found {
				usable = true
			}
		}
		if p.Local && len(p.Models) > 0 {
			var ids []string
			for _, m := range p.Models {
				ids = append(ids, m.Model.ID)
			}
			d.f("    the runner serves: %s\n", strings.Join(ids, ", "))
		}
	}
	var orphans []string
	for name, m := range cfg.Models {
		if _, ok := cfg.Providers[m.Provider]; !ok {
			orphans = append(orphans, name)
		}
	}
	slices.Sort(orphans)
	for _, name := range orphans {
		d.f("  [models.%s] names provider %q, which is not configured\n", name, cfg.Models[name].Provider)
	}
	return usable
}

// detected prints what zero configuration found.
func (d *doctorReport) detected(rep detect.Report, configured bool) {
	if rep.Disabled {
		return
	}
	d.f("\nDetected")
	if configured {
		d.f(" (not used: your configuration file is in force)")
	}
	d.f("\n")
	for _, p := range rep.Providers {
		d.provider(p.Label, p.Config.Type, p.Config, p, p.Found)
		for _, m := range p.Models {
			d.model(m.Name, m.Model)
		}
	}
	if len(rep.Completion) > 0 && !configured {
		d.f("\nInline completion tries, in order: %s\n", strings.Join(rep.Completion, ", "))
	}
}

func (d *doctorReport) provider(title, typ string, pc config.Provider, p detect.Provider, showData bool) {
	where := "remote"
	if p.Local {
		where = "local"
	}
	base := pc.BaseURL
	if base != "" {
		base = " " + base
	}
	state := "not usable"
	switch {
	case p.Found && p.Checked:
		state = "reachable"
	case p.Found:
		state = "not contacted"
	}
	d.f("  %s (%s, %s)%s: %s: %s\n", title, typ, where, base, state, p.Detail)
	if showData {
		_, why := catalog.Locality(title, pc)
		d.f("    %s\n", why)
		d.f("    data: %s\n", dataFacts(catalog.DataPolicy(pc)))
	}
}

func (d *doctorReport) model(name string, m config.Model) {
	var facts []string
	if len(m.Classes) > 0 {
		facts = append(facts, "classes "+strings.Join(m.Classes, ", "))
	} else {
		facts = append(facts, "no classes: list it in [routes] or set classes")
	}
	if m.ContextWindow > 0 {
		facts = append(facts, "context "+tokens(m.ContextWindow))
	}
	if m.MaxOutput > 0 {
		facts = append(facts, "max output "+tokens(m.MaxOutput))
	}
	if m.Vision {
		facts = append(facts, "vision")
	}
	switch m.FIM {
	case "", "none":
	case "native":
		facts = append(facts, "fill-in-the-middle: the runner's own")
	default:
		facts = append(facts, "fill-in-the-middle: "+m.FIM)
	}
	if e, ok := catalog.Lookup(m.ID); ok {
		if e.Price != nil {
			facts = append(facts, fmt.Sprintf("list price $%g/$%g per M tokens in/out", e.Price.Input, e.Price.Output))
		}
		if e.Name != "" {
			facts = append([]string{e.Name}, facts...)
		}
	}
	label := name
	if m.ID != "" && !strings.HasSuffix(name, "/"+m.ID) && name != m.ID {
		label += " (" + m.ID + ")"
	}
	d.f("    - %s: %s\n", label, strings.Join(facts, "; "))
}

// sameModel lists models configured through more than one provider: one
// model, several routes.
func (d *doctorReport) sameModel(cfg *config.Config) {
	routes := map[string][]string{}
	for name, m := range cfg.Models {
		k := catalog.Canonical(m.ID)
		routes[k] = append(routes[k], name+" via "+m.Provider)
	}
	var lines []string
	for k, rs := range routes {
		if len(rs) < 2 {
			continue
		}
		slices.Sort(rs)
		title := k
		if e, ok := catalog.Lookup(k); ok {
			title = e.Name
		}
		lines = append(lines, fmt.Sprintf("  %s: %s", title, strings.Join(rs, ", ")))
	}
	if len(lines) == 0 {
		return
	}
	slices.Sort(lines)
	d.f("\nOne model, several routes\n%s\n", strings.Join(lines, "\n"))
}

func (d *doctorReport) footer(usable, configured bool, where string) {
	if usable {
		d.f("\nUsable: yes. `switchyard doctor --route completion` shows which model a completion would use.\n")
		return
	}
	d.f("\nUsable: no. Nothing Switchyard can send a request to was found. What to do next:\n")
	d.f("  - start a local runner: `ollama serve`, then `ollama pull qwen2.5-coder:1.5b-base`\n")
	d.f("  - or set an API key variable: OPENAI_API_KEY, ANTHROPIC_API_KEY, MISTRAL_API_KEY or OPENROUTER_API_KEY\n")
	if configured {
		d.f("  - or fix the providers above in %s\n", where)
	} else {
		d.f("  - or write %s:\n", where)
		for _, line := range strings.Split(doctorFix, "\n") {
			d.f("      %s\n", line)
		}
	}
}

// dataFacts writes a provider's data policy, "unknown" where no default
// is known and the user set nothing: the router treats those as failing
// any rule that needs them.
func dataFacts(p config.DataPolicy) string {
	var out []string
	if p.Local != nil && *p.Local {
		out = append(out, "local (nothing leaves this machine)")
	}
	if len(p.Jurisdictions) > 0 {
		out = append(out, "jurisdiction "+strings.Join(p.Jurisdictions, ", "))
	} else if p.Local == nil || !*p.Local {
		out = append(out, "jurisdiction unknown")
	}
	switch {
	case p.RetentionDays == nil:
		out = append(out, "retention unknown")
	case *p.RetentionDays == 0:
		out = append(out, "no retention")
	default:
		out = append(out, "retention "+strconv.Itoa(*p.RetentionDays)+" days")
	}
	switch {
	case p.Training == nil:
		out = append(out, "training use unknown")
	case *p.Training:
		out = append(out, "may train on your data")
	default:
		out = append(out, "no training on your data")
	}
	if p.PrivateNet != nil && *p.PrivateNet && (p.Local == nil || !*p.Local) {
		out = append(out, "private networking available")
	}
	return strings.Join(out, "; ")
}

func tokens(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "K"
	}
	return strconv.Itoa(n)
}
