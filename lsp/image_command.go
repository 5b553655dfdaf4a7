package lsp

import (
	"context"
	"encoding/json"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"switchyard/assist"
)

// commandImplementFromImage implements the screen in an image. Editor
// plugins call it with a file picker's path or the clipboard's image.
const commandImplementFromImage = "switchyard.implementFromImage"

// implementFromImageArgs is the one argument of
// switchyard.implementFromImage.
type implementFromImageArgs struct {
	// Image is a workspace path (absolute, or relative to the document or
	// a workspace folder), a file: URI, or a data: URI of a pasted image.
	Image string `json:"image"`
	// URI is the document the code is for; with Range, the code replaces
	// that range when the document is a component of the framework, and
	// goes into a new component file beside the document otherwise.
	// Without Range it always goes into a new file. Without URI the new
	// file goes into the first workspace folder.
	URI     string          `json:"uri,omitempty"`
	Version *int32          `json:"version,omitempty"` // absent: whatever version is open now
	Range   *protocol.Range `json:"range,omitempty"`
	// Instruction adds to the prompt ("use Tailwind", "only the header").
	Instruction string `json:"instruction,omitempty"`
	// Framework is react, vue, svelte, swiftui, flutter or html; absent,
	// it is inferred from the document and the workspace.
	Framework string `json:"framework,omitempty"`
}

// implementFromImageResult tells a plugin where the code went.
type implementFromImageResult struct {
	URI     string `json:"uri"`     // the file the code is in
	Created bool   `json:"created"` // a new component file
}

// implementFromImage prepares the command in the read loop, taking the
// snapshots there, and returns the job that calls the model.
func implementFromImage(s *server, method string, p executeCommandParams) (*job, error) {
	if len(p.Arguments) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s takes one argument, {\"image\": path or data: URI, \"uri\", \"range\", \"instruction\", \"framework\"}; got %d arguments",
			method, commandImplementFromImage, len(p.Arguments))
	}
	var a implementFromImageArgs
	if err := json.Unmarshal(p.Arguments[0], &a); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s: the argument is not {\"image\", \"uri\", \"range\"...}: %v", method, commandImplementFromImage, err)
	}
	if a.Image == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s: \"image\" is missing: pass a workspace path or a data: URI", method, commandImplementFromImage)
	}
	if strings.HasPrefix(a.Image, "file:") {
		a.Image = uriPath(a.Image)
	}
	req := assist.ImageRequest{
		ActionRequest: assist.ActionRequest{
			Action:      assist.ActionImplementImage,
			Instruction: a.Instruction,
			Folders:     s.folders(),
			Open:        s.docs.documents(),
		},
		Image:     a.Image,
		Framework: a.Framework,
		NewFile:   a.Range == nil,
	}
	if a.URI != "" {
		if snap, ok := s.docs.get(a.URI); ok {
			if a.Version != nil && *a.Version != snap.version {
				return nil, jsonrpc2.Errorf(codeContentModified, "%s: %s changed since the command was built (version %d, now %d): run it again",
					method, a.URI, *a.Version, snap.version)
			}
			rng := protocol.Range{}
			if a.Range != nil {
				rng = *a.Range
			}
			req.Selection = s.selection(snap, rng, nil)
		} else if path := uriPath(a.URI); path != "" {
			// A document that is not open can only be the place beside
			// which the new file goes.
			req.Doc = assist.Document{URI: a.URI, Path: path}
			req.NewFile = true
		} else {
			return nil, errUnknownDocument(a.URI)
		}
	}
	return &job{run: func(ctx context.Context) (any, error) {
		res, err := s.runImage(ctx, method, p.WorkDoneToken, req)
		if err != nil {
			return nil, err
		}
		if res.Edit == nil || len(res.Edit.Changes) == 0 {
			s.showMessage(protocol.MessageTypeInfo, "Switchyard: implement from image: the model wrote no code")
			return nil, nil
		}
		label := res.Edit.Annotation.Label
		if err := s.applyEdit(ctx, label, res.Edit); err != nil {
			return nil, actionError(method, err)
		}
		out := implementFromImageResult{URI: res.Edit.Changes[0].URI}
		if c := res.Edit.Changes[0]; c.Op == assist.OpCreate {
			out = implementFromImageResult{URI: pathURI(c.Path), Created: true}
			s.showCreated(ctx, out.URI)
		} else if out.URI == "" {
			out.URI = pathURI(c.Path)
		}
		return out, nil
	}}, nil
}

// runImage runs the command under cancellable work-done progress, as
// runAction does for the code actions.
func (s *server) runImage(ctx context.Context, method string, token json.RawMessage, req assist.ImageRequest) (*assist.Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	prog := s.beginProgress(ctx, token, "Switchyard: implement from image", cancel)
	req.Progress = func(p assist.Progress) { prog.report(p.Message, p.Percent) }
	res, err := s.actions().ImplementFromImage(ctx, req)
	switch {
	case ctx.Err() != nil:
		prog.end("Cancelled")
		return nil, cancelledError(method, ctx)
	case err != nil:
		prog.end("Failed")
		s.log.Info("implement from image failed", zap.String("uri", req.Doc.URI), zap.Error(err))
		return nil, actionError(method, err)
	}
	prog.end("Done")
	return res, nil
}

// showCreated opens a new component file where the editor can, so the
// code appears where the user is looking.
func (s *server) showCreated(ctx context.Context, uri string) {
	c := s.caps.Window.ShowDocument
	if c == nil || !c.Support {
		return
	}
	var res protocol.ShowDocumentResult
	if _, err := s.conn.Call(ctx, "window/showDocument", map[string]any{"uri": uri, "takeFocus": true}, &res); err != nil {
		s.log.Debug("window/showDocument failed", zap.String("uri", uri), zap.Error(err))
	}
}
