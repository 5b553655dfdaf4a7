package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
	"switchyard/config"
	"switchyard/providers"
)

// Configuration is layered by the config package's Store (DESIGN.md
// decision 6): the user's file at start, then the editor's settings
// (initializationOptions, workspace/didChangeConfiguration, or
// workspace/configuration when the client answers it), then the
// .switchyard.toml of each workspace folder. Whenever the merged result
// changes, the router is rebuilt and handed to the engine, so the next
// request uses it with no restart. A bad change is shown to the user and
// the last good configuration stays in force.

// configSection is the settings section the server reads.
const configSection = "switchyard"

// noConfigExample is the smallest configuration that gives completions,
// shown when none is found.
const noConfigExample = `providers.local = { type = "openai", base_url = "http://127.0.0.1:11434/v1" }
models.coder = { provider = "local", id = "qwen2.5-coder:1.5b-base", classes = ["completion"] }
routes.completion = ["coder"]`

type settings struct {
	s     *server
	store *config.Store

	// applyMu serialises configuration updates and router rebuilds: the
	// read loop and the workspace/configuration pulls both make them.
	applyMu  sync.Mutex
	built    uint64   // store version the router was built from
	builtFor []string // workspace folders the router was built for
	router   providers.Router
	eng      Engine
	userFile string // where the user's file is (or would be)
	// detecting: no configuration file, and zero configuration keeps
	// looking in the background (zero_configuration.go).
	detecting bool
	folders   []string
	warned    map[string]bool // workspace warnings already shown

	failedMu sync.Mutex
	failed   map[string]string // workspace folder -> why its file was rejected

	queueMu sync.Mutex
	queued  []protocol.ShowMessageParams // problems found before the client could be told
	ready   bool                         // initialized received: show at once
}

func newSettings(s *server) *settings {
	return &settings{s: s, store: config.NewStore(), warned: map[string]bool{}, failed: map[string]string{}}
}

// start reads the user's file and builds the engine, once the answer to
// initialize is written and before the next message is read. The first
// router is built by initialize right after, once it knows the workspace
// folders and the editor's settings (or by zero configuration's
// background detection, if that comes first): building one here as well
// would cost a second router whenever the editor names a folder, which
// editors do.
func (st *settings) start() {
	if !st.s.opts.NoUserConfig {
		st.userFile, _ = config.UserFilePath(st.s.opts.ConfigFile)
		l, err := config.LoadUser(st.s.opts.ConfigFile)
		if err == nil && !l.Found {
			// No configuration file: zero configuration uses whatever
			// local runner or API key is there, in its place, and keeps
			// looking (zero_configuration.go).
			found, rep := st.detect()
			if found != nil {
				l = found
			}
			defer st.keepDetecting(rep)
		}
		if err == nil {
			err = st.store.SetUser(l)
		}
		if err != nil {
			st.problem("the configuration file", err)
		}
	}
	st.applyMu.Lock()
	defer st.applyMu.Unlock()
	if st.eng == nil {
		if st.s.opts.Engine != nil {
			st.eng = st.s.opts.Engine
			st.eng.Update(st.router, st.store.Current().Completion)
		} else {
			st.eng = assist.NewEngine(st.router, st.store.Current().Completion, st.s.log.Named("assist"))
		}
	}
}

// detect looks for local runners and standard API keys, for the user
// who has no configuration file. Probes are short and parallel, so the
// first message waits at most a few hundred milliseconds.
func (st *settings) detect() (*config.Layer, Discovery) {
	l, rep := st.discover(0)
	if l != nil {
		st.s.log.Info("no configuration file: using what was detected", zap.Strings("completion", rep.Completion))
	}
	return l, rep
}

// discover runs one round of detection and logs what each provider
// looked like; timeout bounds one probe, 0 is the backend's default.
func (st *settings) discover(timeout time.Duration) (*config.Layer, Discovery) {
	l, rep := st.s.backend.Discover(st.s.ctx, timeout)
	for _, p := range rep.Providers {
		st.s.log.Debug("zero configuration", zap.String("provider", p.Name), zap.Bool("found", p.Found), zap.String("detail", p.Detail))
	}
	return l, rep
}

// engine returns the engine; the router it uses may change between calls.
func (st *settings) engine() Engine { return st.eng }

// close stops the router's background work.
func (st *settings) close() {
	st.applyMu.Lock()
	defer st.applyMu.Unlock()
	closeRouter(st.router)
	st.router = nil
}

// initialize applies the workspace folders and initializationOptions.
func (st *settings) initialize(p initializeParams) {
	var folders []string
	switch {
	case len(p.WorkspaceFolders) > 0:
		for _, f := range p.WorkspaceFolders {
			if path := uriPath(f.URI); path != "" {
				folders = append(folders, path)
			}
		}
	case p.RootURI != "":
		if path := uriPath(p.RootURI); path != "" {
			folders = append(folders, path)
		}
	case p.RootPath != "":
		folders = append(folders, p.RootPath)
	}
	// Zero configuration may already be rebuilding the router, which
	// reads the folders, in the background.
	st.applyMu.Lock()
	st.folders = folders
	st.applyMu.Unlock()
	// Editor settings first: a workspace file may use the providers they
	// define, and would not validate without them.
	if len(p.InitializationOptions) > 0 {
		st.setEditor("initializationOptions", p.InitializationOptions)
	}
	for _, f := range folders {
		st.loadWorkspace(f)
	}
	st.rebuild()
}

// initialized shows what was found wrong before the client was ready,
// then asks the client for its settings where it can answer.
func (st *settings) initialized() {
	st.queueMu.Lock()
	queued := st.queued
	st.queued, st.ready = nil, true
	st.queueMu.Unlock()
	for _, m := range queued {
		st.s.showMessage(m.Type, m.Message)
	}
	if last := st.s.lastStatus.Load(); last != nil {
		st.s.notify("switchyard/status", *last)
	} else if st.s.nextEditStatus() != nil {
		// The router reports from its first request on. The plugins
		// learn from the status that next edits are on (config.toml
		// alone may turn them on), and must not wait for a completion
		// to hear it: say so now, with the model completions go to.
		model, provider := st.route(config.TaskCompletion, "")
		st.s.status(Status{Model: model, Provider: provider, Online: true})
	}
	caps := st.s.caps.Workspace
	st.s.jobs.Add(1)
	go func() {
		defer st.s.jobs.Done()
		if caps.DidChangeConfiguration.DynamicRegistration {
			st.register()
		}
		if caps.DidChangeWatchedFiles.DynamicRegistration {
			st.watchFiles()
			st.s.watchSourceFiles() // workspace_index.go
		}
		if caps.Configuration {
			st.pull()
		}
		if len(st.store.Current().Models) == 0 {
			where, keep := "the user configuration file", ""
			if st.detecting {
				keep = " (Switchyard keeps looking and uses it once it answers)"
			}
			if st.userFile != "" {
				where = st.userFile
			}
			st.s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf(
				"Switchyard: no model is configured and none was found (no Ollama, llama.cpp, LM Studio or vLLM answering on this machine, no OPENAI_API_KEY, ANTHROPIC_API_KEY, MISTRAL_API_KEY or OPENROUTER_API_KEY), so there are no completions yet. Start Ollama%s, or add this to %s (or to the editor's %q settings); `switchyard doctor` shows what was looked for:\n%s",
				keep, where, configSection, noConfigExample))
		}
	}()
}

// register asks the client to send workspace/didChangeConfiguration, which
// some clients (VS Code) only do for servers that register for it.
func (st *settings) register() {
	params := map[string]any{"registrations": []map[string]any{{
		"id":              "switchyard-configuration",
		"method":          "workspace/didChangeConfiguration",
		"registerOptions": map[string]any{"section": configSection},
	}}}
	if _, err := st.s.conn.Call(st.s.ctx, "client/registerCapability", params, nil); err != nil {
		st.s.log.Debug("client/registerCapability failed", zap.Error(err))
	}
}

// pull asks the client for the switchyard section with
// workspace/configuration. It runs outside the read loop, which must keep
// reading for the client's answer to arrive.
func (st *settings) pull() {
	var res []json.RawMessage
	params := &protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: configSection}}}
	if _, err := st.s.conn.Call(st.s.ctx, "workspace/configuration", params, &res); err != nil {
		st.s.log.Warn("workspace/configuration failed", zap.Error(err))
		return
	}
	if len(res) == 0 || isNull(res[0]) {
		// The client has no such section: keep what initializationOptions said.
		return
	}
	st.setEditor("workspace/configuration", res[0])
	st.rebuild()
}

func didChangeConfiguration(s *server, _ context.Context, raw json.RawMessage) error {
	if s.caps.Workspace.Configuration {
		// The notification is only a signal: the settings are pulled, as
		// the specification recommends.
		s.jobs.Add(1)
		go func() {
			defer s.jobs.Done()
			s.settings.pull()
		}()
		return nil
	}
	var p struct {
		Settings map[string]json.RawMessage `json:"settings"`
	}
	if err := decodeParams("workspace/didChangeConfiguration", raw, &p); err != nil {
		s.settings.problem("workspace/didChangeConfiguration", err)
		return err
	}
	section, ok := p.Settings[configSection]
	if !ok || isNull(section) {
		s.log.Debug("didChangeConfiguration without a switchyard section: ignored")
		return nil
	}
	s.settings.setEditor("workspace/didChangeConfiguration", section)
	s.settings.rebuild()
	return nil
}

func didChangeWorkspaceFolders(s *server, _ context.Context, raw json.RawMessage) error {
	var p protocol.DidChangeWorkspaceFoldersParams
	if err := decodeParams("workspace/didChangeWorkspaceFolders", raw, &p); err != nil {
		return err
	}
	st := s.settings
	st.applyMu.Lock()
	folders := slices.Clone(st.folders)
	st.applyMu.Unlock()
	for _, f := range p.Event.Removed {
		if path := uriPath(f.URI); path != "" {
			if err := st.store.RemoveWorkspace(path); err != nil {
				st.problem(path, err)
			}
			folders = slices.DeleteFunc(folders, func(v string) bool { return v == path })
		}
	}
	for _, f := range p.Event.Added {
		if path := uriPath(f.URI); path != "" {
			folders = append(folders, path)
			st.loadWorkspace(path)
		}
	}
	// The router reads the folders (for .switchyardignore) when a pull
	// rebuilds it outside the read loop.
	st.applyMu.Lock()
	st.folders = folders
	st.applyMu.Unlock()
	st.rebuild()
	s.startIndex()
	return nil
}

// watchFiles asks the client to report changes to workspace
// configuration files made outside the editor (a git checkout, another
// editor), which neither didSave nor didChangeConfiguration would.
func (st *settings) watchFiles() {
	params := map[string]any{"registrations": []map[string]any{{
		"id":     "switchyard-workspace-files",
		"method": "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": []map[string]any{{
			// Kind left out: created, changed and deleted.
			"globPattern": "**/" + config.WorkspaceFile,
		}}},
	}}}
	if _, err := st.s.conn.Call(st.s.ctx, "client/registerCapability", params, nil); err != nil {
		st.s.log.Debug("client/registerCapability for watched files failed", zap.Error(err))
	}
}

func didChangeWatchedFiles(s *server, _ context.Context, raw json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decodeParams("workspace/didChangeWatchedFiles", raw, &p); err != nil {
		return err
	}
	uris := make([]string, 0, len(p.Changes))
	for _, c := range p.Changes {
		if c != nil {
			uris = append(uris, string(c.URI))
		}
	}
	s.settings.reload(uris...)
	s.indexWatched(p.Changes)
	return nil
}

// saved re-reads a workspace configuration file saved in the editor.
func (st *settings) saved(uri string) { st.reload(uri) }

// reload re-reads the workspace configuration files among uris, whether
// they were changed, created or deleted (a deleted file reads as empty),
// and rebuilds the router once. Files in subfolders are not workspace
// configuration and change nothing.
func (st *settings) reload(uris ...string) {
	st.applyMu.Lock()
	folders := slices.Clone(st.folders)
	st.applyMu.Unlock()
	changed := false
	for _, f := range folders {
		file := filepath.Join(f, config.WorkspaceFile)
		if slices.ContainsFunc(uris, func(u string) bool { return filepath.Clean(uriPath(u)) == file }) {
			st.loadWorkspace(f)
			changed = true
		}
	}
	if changed {
		st.rebuild()
	}
}

func (st *settings) loadWorkspace(folder string) {
	l, err := config.LoadWorkspace(folder)
	if err == nil {
		err = st.store.SetWorkspace(l)
	}
	st.failedMu.Lock()
	defer st.failedMu.Unlock()
	if err == nil {
		delete(st.failed, folder)
		return
	}
	// Said once per distinct problem: the file is tried again after every
	// editor change, since it may only need a provider the editor adds.
	if st.failed[folder] != err.Error() {
		st.failed[folder] = err.Error()
		st.problem(folder+"/"+config.WorkspaceFile, err)
	}
}

// retryWorkspaces loads again the workspace files that were rejected.
func (st *settings) retryWorkspaces() {
	st.failedMu.Lock()
	var folders []string
	for f := range st.failed {
		folders = append(folders, f)
	}
	st.failedMu.Unlock()
	for _, f := range folders {
		st.loadWorkspace(f)
	}
}

// setEditor replaces the editor-settings layer with the JSON settings
// from source.
func (st *settings) setEditor(source string, data json.RawMessage) {
	l, err := config.ParseJSON(data, config.EditorSource+" ("+source+")")
	if err == nil {
		err = st.store.SetEditor(l)
	}
	if err != nil {
		st.problem("the editor settings", err)
		return
	}
	st.retryWorkspaces()
}

// rebuild builds a new router when the configuration in force changed.
func (st *settings) rebuild() {
	st.applyMu.Lock()
	defer st.applyMu.Unlock()
	st.rebuildLocked()
	st.showWarnings()
}

func (st *settings) rebuildLocked() {
	v := st.store.Version()
	// The folders count too: the router reads their .switchyardignore,
	// and zero configuration may build one before initialize names them.
	if st.router != nil && v == st.built && slices.Equal(st.folders, st.builtFor) {
		return
	}
	cfg := st.store.Current()
	r, err := st.newRouter(cfg)
	if err != nil {
		st.problem("the configuration", err)
		if st.router != nil {
			return // the last good router stays
		}
		r = unconfigured{err: err}
	}
	old := st.router
	st.router, st.built, st.builtFor = r, v, slices.Clone(st.folders)
	if st.eng != nil {
		st.eng.Update(r, cfg.Completion)
	}
	closeRouter(old)
	st.s.restatus()
	// A problem the user may just have fixed should be shown again if it
	// comes back.
	st.s.notices.forget()
	st.s.log.Info("configuration in force", zap.Uint64("version", v), zap.Int("providers", len(cfg.Providers)), zap.Int("models", len(cfg.Models)))
	st.s.logMessage(protocol.MessageTypeInfo, fmt.Sprintf("Switchyard: configuration in force with %d providers and %d models", len(cfg.Providers), len(cfg.Models)))
}

// newRouter builds the router for cfg, carrying the health state of the
// one it replaces.
func (st *settings) newRouter(cfg *config.Config) (providers.Router, error) {
	return st.s.backend.NewRouter(st.s.ctx, cfg, RouterEnv{
		Logger:    st.s.log.Named("router"),
		Workspace: st.folders,
		Previous:  st.router,
		OnStatus:  st.s.status,
	})
}

// showWarnings shows, once each, the keys the merged configuration
// ignored (an untrusted workspace file setting an endpoint, say).
func (st *settings) showWarnings() {
	var fresh []string
	for _, w := range st.store.Warnings() {
		if line := w.String(); !st.warned[line] {
			st.warned[line] = true
			fresh = append(fresh, line)
		}
	}
	if len(fresh) > 0 {
		st.show(protocol.MessageTypeWarning, "Switchyard: ignored in the configuration:\n"+strings.Join(fresh, "\n"))
	}
}

// problem tells the user that a configuration source was rejected and the
// last good configuration stays. A *config.ValidationError already names
// the file or setting, the key and what is wrong.
func (st *settings) problem(what string, err error) {
	st.s.log.Warn("configuration rejected", zap.String("source", what), zap.Error(err))
	msg := err.Error()
	var ve *config.ValidationError
	if !errors.As(err, &ve) {
		msg = what + ": " + msg
	}
	st.show(protocol.MessageTypeError, "Switchyard: configuration not applied, the previous one stays in force:\n"+msg)
}

// isReady reports whether the client has sent initialized.
func (st *settings) isReady() bool {
	st.queueMu.Lock()
	defer st.queueMu.Unlock()
	return st.ready
}

// show sends a message now, or queues it until the client is initialized.
func (st *settings) show(t protocol.MessageType, msg string) {
	st.queueMu.Lock()
	if !st.ready {
		st.queued = append(st.queued, protocol.ShowMessageParams{Type: t, Message: msg})
		st.queueMu.Unlock()
		return
	}
	st.queueMu.Unlock()
	st.s.showMessage(t, msg)
}

// route names the model and provider a request for task would go to
// first, for messages; empty when the router cannot say.
func (st *settings) route(task, path string) (model, provider string) {
	st.applyMu.Lock()
	r := st.router
	st.applyMu.Unlock()
	rt, _ := st.s.backend.Explain(r, task, path)
	return rt.Model, rt.Provider
}

// status forwards the router's status to the editor plugins.
//
// The router reports from its first health probe on, which may be before
// the client is initialized, when the specification allows no such
// notification: the latest status is kept and sent once it is.
func (s *server) status(st Status) {
	st.NextEdit = s.nextEditStatus()
	s.lastStatus.Store(&st)
	if s.settings.isReady() {
		s.notify("switchyard/status", st)
	}
}

// nextEditStatus is the status's next-edit part for the configuration in
// force: nil while next edits are off.
func (s *server) nextEditStatus() *NextEditStatus {
	cfg := s.settings.store.Current()
	if cfg == nil || !cfg.NextEdit.Enabled {
		return nil
	}
	return &NextEditStatus{DebounceMS: cfg.NextEdit.Debounce.D().Milliseconds()}
}

// restatus sends the status again when what it says about next edits
// changed with the configuration; the router reports only its own
// changes.
func (s *server) restatus() {
	last := s.lastStatus.Load()
	if last == nil {
		return
	}
	was, now := last.NextEdit, s.nextEditStatus()
	if (was == nil) == (now == nil) && (was == nil || *was == *now) {
		return
	}
	s.status(*last)
}

// unconfigured stands in for a router that could not be built, so that
// completions fail with the reason instead of crashing.
type unconfigured struct{ err error }

func (u unconfigured) Stream(context.Context, providers.Need, providers.Call) (providers.Stream, providers.Target, error) {
	return nil, providers.Target{}, fmt.Errorf("no usable configuration: %w", u.err)
}

func closeRouter(r providers.Router) {
	if c, ok := r.(io.Closer); ok {
		_ = c.Close()
	}
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
