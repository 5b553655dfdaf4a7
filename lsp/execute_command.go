package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// executeCommandParams is ExecuteCommandParams with the arguments and the
// work-done token kept as raw JSON: the token is a number or a string.
type executeCommandParams struct {
	Command       string            `json:"command"`
	Arguments     []json.RawMessage `json:"arguments,omitempty"`
	WorkDoneToken json.RawMessage   `json:"workDoneToken,omitempty"`
}

// executeCommand answers workspace/executeCommand for switchyard.runAction:
// the way an action runs in a client without codeAction/resolve, for an
// answer to show, and for our plugins, which add the instruction. The edit
// is sent with workspace/applyEdit, so the editor applies it as one step
// the user can undo; the request answers null once the editor has applied
// it, or an error that says why nothing changed.
func executeCommand(s *server, _ context.Context, raw json.RawMessage) (*job, error) {
	const method = "workspace/executeCommand"
	var p executeCommandParams
	if err := decodeParams(method, raw, &p); err != nil {
		return nil, err
	}
	switch p.Command {
	case commandImplementFromImage:
		return implementFromImage(s, method, p)
	case commandExplainRoute:
		return explainRoute(s, method, p)
	case commandRunAction:
	default:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: unknown command %q: the server runs %s, %s and %s", method, p.Command, commandRunAction, commandImplementFromImage, commandExplainRoute)
	}
	if len(p.Arguments) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s takes one argument, the action's data; got %d", method, commandRunAction, len(p.Arguments))
	}
	var d actionData
	if err := json.Unmarshal(p.Arguments[0], &d); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s: the argument is not an action's data: %v", method, commandRunAction, err)
	}
	req, err := s.actionRequest(method, &d)
	if err != nil {
		return nil, err
	}
	return &job{run: func(ctx context.Context) (any, error) {
		res, err := s.runAction(ctx, method, p.WorkDoneToken, d.Title, req)
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
			return nil, nil
		}
		label := res.Edit.Annotation.Label
		if label == "" {
			label = "Switchyard: " + d.Title
		}
		if err := s.applyEdit(ctx, label, res.Edit); err != nil {
			return nil, actionError(method, err)
		}
		return nil, nil
	}}, nil
}
