package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
	"switchyard/config"
	"switchyard/providers"
)

// Options configure a server. The zero value works: it logs nowhere,
// reads the user's configuration file from the usual place and completes
// with the assist engine, but reaches no model until given a Backend.
type Options struct {
	// Logger receives the server's log; nil discards it. It must not
	// write to the connection's stdout.
	Logger *zap.Logger
	// Version is reported in serverInfo.
	Version string
	// ConfigFile is the --config flag; "" lets the config package find
	// the user's file ($SWITCHYARD_CONFIG, then the XDG path).
	ConfigFile string
	// NoUserConfig skips the user's file entirely (tests).
	NoUserConfig bool
	// Backend builds the router for each configuration and looks for
	// local runners when there is no configuration file; nil routes
	// nothing (the switchyard command passes the real one).
	Backend Backend
	// Engine serves completions; nil builds the assist engine.
	Engine Engine
	// ProblemQuiet is how long the same provider problem stays quiet
	// after it was shown to the user; 0 means five minutes.
	ProblemQuiet time.Duration
	// ParentCheck is how often the server checks that the editor process
	// named in initialize's processId is still alive; 0 means every
	// three seconds.
	ParentCheck time.Duration
	// Rediscover is how often zero configuration looks again for local
	// runners while no configuration file is in force, so that one started
	// after the editor is used with no restart. 0 means every 10 seconds
	// while nothing usable was found and every 45 seconds once something
	// was; a negative value turns it off.
	Rediscover time.Duration
	// Initialized, when set, runs once the client has sent initialized:
	// start-up is over and documents follow. What would only slow the
	// answer to initialize waits for it (the switchyard command lowers
	// the garbage collector's target here, which at start would collect
	// the package initialisation's garbage for nothing).
	Initialized func()
}

// Engine is what the server needs of assist.Engine.
type Engine interface {
	Complete(ctx context.Context, req assist.CompletionRequest) ([]assist.Suggestion, error)
	Update(r providers.Router, cfg config.Completion)
}

// ErrExitWithoutShutdown is returned by Serve when the client sent exit
// (or went away) without shutdown first; the process should exit with 1.
var ErrExitWithoutShutdown = errors.New("the client ended the session without shutdown")

// Serve speaks LSP over rwc until the client sends exit or closes the
// connection. It returns nil after a clean shutdown and exit, and
// ErrExitWithoutShutdown (possibly wrapping the connection's error)
// otherwise.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	return newServer(opts).serve(ctx, rwc)
}

// Lifecycle states, LSP "Server lifecycle".
const (
	stateNew      int32 = iota // before initialize
	stateRunning               // initialize answered
	stateShutdown              // shutdown answered; only exit counts
)

type server struct {
	opts Options
	log  *zap.Logger
	ctx  context.Context
	conn jsonrpc2.Conn
	docs *documents

	state  atomic.Int32
	exited chan struct{}
	once   sync.Once

	// Negotiated at initialize; read-only afterwards.
	enc        encoding
	caps       clientCapabilities
	markdown   bool // completion documentation may be markdown
	clientName string

	jobsMu   sync.Mutex
	inflight map[string]*running // by request id key
	latest   map[string]*running // newest completion job by document URI
	jobs     sync.WaitGroup

	backend    Backend
	settings   *settings
	notices    *notices
	lastStatus atomic.Pointer[Status] // sent again once the client is initialized
	act        codeActions            // code_action.go
	wsIndex    workspaceIndex         // workspace_index.go

	initializedOnce sync.Once // runs opts.Initialized
	// afterReply is set by initialize and run by handle once the answer
	// is written: the work that can wait for it (see initialize).
	afterReply func()
}

func newServer(opts Options) *server {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	s := &server{
		opts:     opts,
		log:      log,
		docs:     newDocuments(),
		exited:   make(chan struct{}),
		inflight: make(map[string]*running),
		latest:   make(map[string]*running),
		backend:  opts.Backend,
	}
	if s.backend == nil {
		s.backend = noBackend{}
	}
	s.notices = newNotices(opts.ProblemQuiet)
	s.settings = newSettings(s)
	return s
}

func (s *server) serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	// The conn exists before the router starts (its status callback may
	// notify), but reads nothing until Go.
	st := newStream(rwc, func(msg string, err error) { s.log.Warn(msg, zap.Error(err)) })
	s.conn = jsonrpc2.NewConn(st)
	defer s.settings.close()
	s.conn.Go(ctx, s.handle)

	var connErr error
	select {
	case <-s.exited:
	case <-s.conn.Done():
		connErr = s.conn.Err()
	case <-ctx.Done():
		connErr = ctx.Err()
	}
	s.cancelAll(errShutdown)
	cancel()
	_ = s.conn.Close()
	// A read from a blocking stdin cannot be interrupted (closing it waits
	// for the read), so the read loop may stay blocked after exit until
	// the process ends: give it a moment to stop, not forever.
	select {
	case <-s.conn.Done():
	case <-time.After(100 * time.Millisecond):
		s.log.Debug("the connection's reader is still blocked; leaving it to the process exit")
	}
	s.jobs.Wait()

	if s.state.Load() == stateShutdown {
		return nil
	}
	if connErr != nil && !errors.Is(connErr, io.EOF) {
		return fmt.Errorf("%w: %w", ErrExitWithoutShutdown, connErr)
	}
	return ErrExitWithoutShutdown
}

func (s *server) exit() { s.once.Do(func() { close(s.exited) }) }

// requestFor returns the handler of a cheap request.
func requestFor(method string) requestFunc {
	switch method {
	case "initialize":
		return initialize
	case "shutdown":
		return shutdown
	case "textDocument/codeAction":
		return codeActionList
	}
	return nil
}

// jobFor returns the handler of a model-bound request.
func jobFor(method string) jobFunc {
	switch method {
	case "textDocument/inlineCompletion":
		return inlineCompletion
	case "textDocument/completion":
		return completion
	case "codeAction/resolve":
		return resolveCodeAction
	case "workspace/executeCommand":
		return executeCommand
	case methodNextEdit:
		return nextEdit
	}
	return nil
}

// notificationFor returns the handler of a notification.
func notificationFor(method string) notificationFunc {
	switch method {
	case "initialized":
		return initialized
	case "$/cancelRequest":
		return cancelRequest
	case "window/workDoneProgress/cancel":
		return cancelProgress
	case "textDocument/didOpen":
		return didOpen
	case "textDocument/didChange":
		return didChange
	case "textDocument/didClose":
		return didClose
	case "textDocument/didSave":
		return didSave
	case "workspace/didChangeConfiguration":
		return didChangeConfiguration
	case "workspace/didChangeWorkspaceFolders":
		return didChangeWorkspaceFolders
	case "workspace/didChangeWatchedFiles":
		return didChangeWatchedFiles
	}
	return nil
}

func initialize(s *server, _ context.Context, raw json.RawMessage) (any, error) {
	if s.state.Load() != stateNew {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize: the server is already initialized")
	}
	var p initializeParams
	if err := decodeParams("initialize", raw, &p); err != nil {
		return nil, err
	}
	s.caps = p.Capabilities
	if slices.Contains(p.Capabilities.General.PositionEncodings, positionEncodingUTF8) {
		s.enc = utf8Enc
	}
	s.markdown = slices.Contains(p.Capabilities.TextDocument.Completion.CompletionItem.DocumentationFormat, string(protocol.Markdown))
	if p.ClientInfo != nil {
		s.clientName = p.ClientInfo.Name
	}
	s.log.Info("initialize",
		zap.String("client", s.clientName),
		zap.String("positionEncoding", s.enc.String()),
		zap.Bool("inlineCompletion", p.Capabilities.TextDocument.InlineCompletion != nil))

	// Reading the workspace folders' files and building the first
	// router wait until the answer is written: the editor reads it, and
	// sends initialized, meanwhile. Messages are handled one at a time
	// (jsonrpc2's read loop calls handle), so nothing that follows
	// initialize is handled before this is done and the router ready.
	// The user's configuration (decoding it over the whole schema, and
	// zero configuration's look for local runners when there is no
	// file) waits as well: nothing but initialize reads it before.
	s.afterReply = func() {
		s.settings.start()
		s.settings.initialize(p)
	}
	s.state.Store(stateRunning)
	if p.ProcessID != nil && *p.ProcessID > 0 {
		go s.watchParent(int(*p.ProcessID))
	}

	return &initializeResult{
		Capabilities: serverCapabilities{
			PositionEncoding: s.enc.String(),
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
				Save:      &protocol.SaveOptions{},
			},
			CompletionProvider: &protocol.CompletionOptions{
				// Where code usually goes on; letters already trigger
				// completion in every client.
				TriggerCharacters: []string{".", "(", "[", "{", ":", "="},
			},
			InlineCompletionProvider: true,
			Workspace: &workspaceServerCapabilities{
				WorkspaceFolders: struct {
					Supported           bool `json:"supported"`
					ChangeNotifications bool `json:"changeNotifications"`
				}{true, true},
			},
			CodeActionProvider:     codeActionOptions(),
			ExecuteCommandProvider: executeCommandOptions(),
			// Announced whether or not [next_edit] is enabled: the
			// setting can change during the session.
			Experimental: map[string]any{"switchyard": map[string]bool{"nextEdit": true}},
		},
		ServerInfo: &protocol.ServerInfo{Name: "switchyard", Version: s.version()},
	}, nil
}

func initialized(s *server, _ context.Context, _ json.RawMessage) error {
	s.settings.initialized()
	s.startIndex()
	if s.opts.Initialized != nil {
		s.initializedOnce.Do(s.opts.Initialized)
	}
	return nil
}

func shutdown(s *server, _ context.Context, _ json.RawMessage) (any, error) {
	s.state.Store(stateShutdown)
	s.cancelAll(errShutdown)
	return nil, nil
}

func (s *server) version() string {
	if s.opts.Version != "" {
		return s.opts.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
