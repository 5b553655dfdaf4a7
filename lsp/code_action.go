package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
	"switchyard/config"
	"switchyard/providers"
)

// Code actions (DESIGN.md decision 5). textDocument/codeAction runs in the
// read loop and only lists: the editor asks on every cursor move, so it
// must never wait for a model. The model is called when the user picks an
// action: in codeAction/resolve, where the client resolves lazily, or in
// workspace/executeCommand otherwise. Both run as jobs, with work-done
// progress, and are cancelled by $/cancelRequest or by the progress's
// cancel button.
//
// What an action needs to run later travels with it, in the code
// action's data or as the command's argument (actionData): the document,
// the version it was listed at, the range and the diagnostics. A plugin
// may build the same argument itself, adding the instruction and scope it
// asked the user for.

// commandRunAction is the one command the server executes.
const commandRunAction = "switchyard.runAction"

// codeActions is the server's code-action state. Its zero value works.
type codeActions struct {
	mu      sync.Mutex
	actions *assist.Actions
	router  providers.Router // what actions was last updated with
	cfg     *config.Config
	tokens  progressTokens
}

// actions returns the code-action feature on the router and configuration
// in force now; a request keeps the ones it started with.
func (s *server) actions() *assist.Actions {
	st := s.settings
	st.applyMu.Lock()
	r := st.router
	st.applyMu.Unlock()
	cfg := st.store.Current()

	a := &s.act
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.actions == nil:
		a.actions = assist.NewActions(r, cfg, assist.Options{Log: s.log.Named("actions")})
	case a.router != r || a.cfg != cfg:
		a.actions.Update(r, cfg)
	}
	a.router, a.cfg = r, cfg
	return a.actions
}

// folders returns the workspace folders.
func (s *server) folders() []string {
	st := s.settings
	st.applyMu.Lock()
	defer st.applyMu.Unlock()
	return slices.Clone(st.folders)
}

// codeActionClientCapabilities is the part of CodeActionClientCapabilities
// (3.16) that decides how actions are sent.
type codeActionClientCapabilities struct {
	// CodeActionLiteralSupport is absent in clients that only take
	// Command[] as the answer.
	CodeActionLiteralSupport *json.RawMessage `json:"codeActionLiteralSupport,omitempty"`
	DataSupport              bool             `json:"dataSupport,omitempty"`
	ResolveSupport           *struct {
		Properties []string `json:"properties"`
	} `json:"resolveSupport,omitempty"`
}

// resolvesEdits reports whether the client can fill in an action's edit
// with codeAction/resolve; data carries what the resolve needs.
func (c codeActionClientCapabilities) resolvesEdits() bool {
	return c.DataSupport && c.ResolveSupport != nil && slices.Contains(c.ResolveSupport.Properties, "edit")
}

// windowClientCapabilities is the part of the window capabilities the
// code actions use.
type windowClientCapabilities struct {
	WorkDoneProgress bool `json:"workDoneProgress,omitempty"`
	ShowDocument     *struct {
		Support bool `json:"support"`
	} `json:"showDocument,omitempty"`
}

// codeActionOptions and executeCommandOptions are announced at
// initialize.
func codeActionOptions() any {
	return map[string]any{
		"codeActionKinds": []string{assist.KindQuickFix, assist.KindRefactor, assist.KindRefactorRewrite},
		"resolveProvider": true,
	}
}

func executeCommandOptions() any {
	return &protocol.ExecuteCommandOptions{Commands: []string{commandRunAction, commandImplementFromImage, commandExplainRoute}}
}

// codeActionParams is CodeActionParams without the v0.12.0 progress
// tokens; triggerKind (3.17) is read but not needed.
type codeActionParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Range        protocol.Range                  `json:"range"`
	Context      struct {
		Diagnostics []protocol.Diagnostic `json:"diagnostics"`
		Only        []string              `json:"only,omitempty"`
	} `json:"context"`
}

// codeAction is CodeAction (3.16) with the 3.17 WorkspaceEdit.
type codeAction struct {
	Title       string                `json:"title"`
	Kind        string                `json:"kind,omitempty"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics,omitempty"`
	IsPreferred bool                  `json:"isPreferred,omitempty"`
	Edit        *workspaceEdit        `json:"edit,omitempty"`
	Command     *protocol.Command     `json:"command,omitempty"`
	Data        *actionData           `json:"data,omitempty"`
}

// actionData is what an action needs to run: the data of a code action
// and the argument of switchyard.runAction. Plugins send it too, with
// the instruction, scope and files they asked the user for.
type actionData struct {
	Action  string         `json:"action"`
	Title   string         `json:"title,omitempty"`
	URI     string         `json:"uri"`
	Version *int32         `json:"version,omitempty"` // absent: whatever version is open now
	Range   protocol.Range `json:"range"`
	// Diagnostics are those the action addresses, as the client sent them.
	Diagnostics []protocol.Diagnostic `json:"diagnostics,omitempty"`
	Instruction string                `json:"instruction,omitempty"`
	Scope       string                `json:"scope,omitempty"` // file, package, files, workspace
	Files       []string              `json:"files,omitempty"` // scope files: paths or file URIs
}

// codeActionList answers textDocument/codeAction with the actions that
// apply, making no model call.
func codeActionList(s *server, _ context.Context, raw json.RawMessage) (any, error) {
	const method = "textDocument/codeAction"
	var p codeActionParams
	if err := decodeParams(method, raw, &p); err != nil {
		return nil, err
	}
	snap, err := s.docs.need(string(p.TextDocument.URI))
	if err != nil {
		return nil, err
	}
	sel := s.selection(snap, p.Range, p.Context.Diagnostics)
	offers := s.actions().List(assist.ListRequest{Selection: sel, Only: p.Context.Only})

	caps := s.caps.TextDocument.CodeAction
	if caps.CodeActionLiteralSupport == nil {
		// A client from before LSP 3.8 takes commands only.
		cmds := make([]protocol.Command, 0, len(offers))
		for _, o := range offers {
			data := s.offerData(snap, p, o)
			cmds = append(cmds, protocol.Command{Title: o.Title, Command: commandRunAction, Arguments: []any{data}})
		}
		return cmds, nil
	}
	out := make([]codeAction, 0, len(offers))
	for _, o := range offers {
		data := s.offerData(snap, p, o)
		a := codeAction{Title: o.Title, Kind: o.Kind, IsPreferred: o.Preferred, Diagnostics: data.Diagnostics}
		// An answer to show, or an instruction the user must still give,
		// cannot come back from resolve: the editor applies whatever edit
		// resolve returns without asking the server again. Those run as
		// commands, which our plugins can also intercept to ask for the
		// instruction.
		if o.Shows || (o.NeedsInstruction && o.Instruction == "") || !caps.resolvesEdits() {
			a.Command = &protocol.Command{Title: o.Title, Command: commandRunAction, Arguments: []any{data}}
		} else {
			a.Data = data
		}
		out = append(out, a)
	}
	return out, nil
}

// offerData is the data of one offer.
func (s *server) offerData(snap *snapshot, p codeActionParams, o assist.Offer) *actionData {
	v := snap.version
	// o.Instruction is not passed on: it comes from the directive comment,
	// which the action finds again and removes with its edit.
	d := &actionData{Action: o.ID, Title: o.Title, URI: snap.uri, Version: &v, Range: p.Range}
	for _, i := range o.Diagnostics {
		if i >= 0 && i < len(p.Context.Diagnostics) {
			d.Diagnostics = append(d.Diagnostics, p.Context.Diagnostics[i])
		}
	}
	return d
}

// selection converts a range and its diagnostics to byte offsets of snap.
func (s *server) selection(snap *snapshot, rng protocol.Range, diags []protocol.Diagnostic) assist.Selection {
	start, end := snap.offset(rng.Start, s.enc), snap.offset(rng.End, s.enc)
	if start > end {
		start, end = end, start
	}
	sel := assist.Selection{Doc: snap.document(), Start: start, End: end}
	for _, d := range diags {
		ds, de := snap.offset(d.Range.Start, s.enc), snap.offset(d.Range.End, s.enc)
		if ds > de {
			ds, de = de, ds
		}
		ad := assist.Diagnostic{
			Start:    ds,
			End:      de,
			Severity: int(d.Severity),
			Code:     diagnosticCode(d.Code),
			Source:   d.Source,
			Message:  d.Message,
		}
		for _, r := range d.RelatedInformation {
			ad.Related = append(ad.Related, assist.Related{
				URI:     string(r.Location.URI),
				Path:    uriPath(string(r.Location.URI)),
				Line:    int(r.Location.Range.Start.Line),
				Message: r.Message,
			})
		}
		sel.Diagnostics = append(sel.Diagnostics, ad)
	}
	return sel
}

// diagnosticCode renders a diagnostic's code, a number or a string.
func diagnosticCode(c any) string {
	switch c := c.(type) {
	case nil:
		return ""
	case string:
		return c
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	}
	return fmt.Sprint(c)
}

// actionRequest builds the request to run an action from its data, on
// the snapshots open now. It runs in the read loop, so the snapshots are
// exactly those the client's earlier messages produced.
func (s *server) actionRequest(method string, d *actionData) (assist.ActionRequest, error) {
	if d.Action == "" {
		return assist.ActionRequest{}, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the action's data names no action", method)
	}
	snap, err := s.docs.need(d.URI)
	if err != nil {
		return assist.ActionRequest{}, err
	}
	if d.Version != nil && *d.Version != snap.version {
		return assist.ActionRequest{}, jsonrpc2.Errorf(codeContentModified,
			"%s: %s changed since the code actions were listed (version %d, now %d): ask for code actions again",
			method, d.URI, *d.Version, snap.version)
	}
	req := assist.ActionRequest{
		Selection:   s.selection(snap, d.Range, d.Diagnostics),
		Action:      d.Action,
		Instruction: d.Instruction,
		Scope:       assist.Scope(d.Scope),
		Folders:     s.folders(),
		Open:        s.docs.documents(),
		Index:       s.wsIndex.current(),
	}
	for _, f := range d.Files {
		if p := uriPath(f); p != "" {
			f = p
		}
		req.Files = append(req.Files, f)
	}
	return req, nil
}

// runAction runs an action under progress titled title. token is the
// request's workDoneToken, if any.
func (s *server) runAction(ctx context.Context, method string, token json.RawMessage, title string, req assist.ActionRequest) (*assist.Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if title == "" {
		title = req.Action
	}
	prog := s.beginProgress(ctx, token, "Switchyard: "+title, cancel)
	req.Progress = func(p assist.Progress) { prog.report(p.Message, p.Percent) }
	res, err := s.actions().Run(ctx, req)
	switch {
	case ctx.Err() != nil:
		prog.end("Cancelled")
		return nil, cancelledError(method, ctx)
	case err != nil:
		prog.end("Failed")
		s.log.Info("code action failed", zap.String("action", req.Action), zap.String("uri", req.Doc.URI), zap.Error(err))
		return nil, actionError(method, err)
	}
	prog.end("Done")
	s.log.Debug("code action", zap.String("action", req.Action), zap.String("model", res.Model), zap.String("provider", res.Provider))
	return res, nil
}

// LSP 3.17 error codes the code actions answer with.
const (
	codeContentModified = -32801 // the document changed under the request
	codeRequestFailed   = -32803 // the request was valid but failed
)

// actionError turns a failed action into a JSON-RPC error whose message
// the editor shows as it is.
func actionError(method string, err error) error {
	var re *jsonrpc2.Error
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, assist.ErrStale) {
		return jsonrpc2.NewError(codeContentModified, method+": "+err.Error())
	}
	return jsonrpc2.NewError(codeRequestFailed, method+": "+err.Error())
}

// resolveCodeAction answers codeAction/resolve: it runs the action and
// returns the code action as the client sent it, with its edit.
func resolveCodeAction(s *server, _ context.Context, raw json.RawMessage) (*job, error) {
	const method = "codeAction/resolve"
	var action map[string]json.RawMessage
	if err := decodeParams(method, raw, &action); err != nil {
		return nil, err
	}
	var d actionData
	if err := json.Unmarshal(action["data"], &d); err != nil || d.Action == "" {
		// Neovim 0.7 to 0.9 resolve every action that has no edit, the
		// ones listed as commands too: hand those back unchanged so the
		// client runs their command.
		if _, ok := action["command"]; ok {
			return &job{run: func(context.Context) (any, error) { return action, nil }}, nil
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the code action carries no switchyard data: resolve only actions this server listed", method)
	}
	req, err := s.actionRequest(method, &d)
	if err != nil {
		return nil, err
	}
	return &job{run: func(ctx context.Context) (any, error) {
		res, err := s.runAction(ctx, method, nil, d.Title, req)
		if err != nil {
			return nil, err
		}
		if res.Show != nil {
			s.showAnswer(ctx, res.Show)
		}
		if res.Edit == nil || len(res.Edit.Changes) == 0 {
			if res.Show == nil {
				s.showMessage(protocol.MessageTypeInfo, "Switchyard: "+d.Title+": the model proposed no change")
			}
			return action, nil
		}
		we, err := s.finalEdit(res.Edit)
		if err != nil {
			return nil, actionError(method, err)
		}
		b, err := json.Marshal(we)
		if err != nil {
			return nil, err
		}
		action["edit"] = b
		return action, nil
	}}, nil
}

// showAnswer shows an answer where the user reads it: as a Markdown
// document opened with window/showDocument (VS Code, Helix, Neovim 0.8+),
// or, for a client that cannot open documents on request (Neovim 0.7,
// Emacs), as a message, which every client shows.
func (s *server) showAnswer(ctx context.Context, sh *assist.Show) {
	if c := s.caps.Window.ShowDocument; c != nil && c.Support && sh.Path != "" {
		var res protocol.ShowDocumentResult
		params := map[string]any{"uri": pathURI(sh.Path), "takeFocus": true}
		_, err := s.conn.Call(ctx, "window/showDocument", params, &res)
		if err == nil && res.Success {
			return
		}
		s.log.Info("window/showDocument failed: showing the answer as a message", zap.String("path", sh.Path), zap.Error(err))
	}
	msg := sh.Markdown
	if sh.Title != "" {
		msg = sh.Title + "\n\n" + msg
	}
	s.showMessage(protocol.MessageTypeInfo, msg)
}
