package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// The handler chain. jsonrpc2's conn calls handle for each request in its
// read loop, one message at a time. Everything cheap (text
// synchronisation, lifecycle) is done right there, in the order the client
// sent it. A request that calls a model takes its snapshot there and then
// runs in its own goroutine with a context registered under its id, so a
// slow model never holds back the user's next keystroke, and
// $/cancelRequest or a newer request for the same document can stop it.
//
// protocol.Handlers does not fit: its AsyncHandler serialises every
// request behind the previous one's reply, and its CancelHandler only
// recognises int32 and string ids, so the float64 a numeric JSON id
// decodes to is never cancelled (DESIGN.md decision 1).

// notificationFunc handles a notification in the read loop.
type notificationFunc func(s *server, ctx context.Context, params json.RawMessage) error

// requestFunc answers a cheap request in the read loop.
type requestFunc func(s *server, ctx context.Context, params json.RawMessage) (any, error)

// jobFunc prepares a model-bound request in the read loop: it decodes the
// params and takes the snapshot, and returns the work to run outside it.
type jobFunc func(s *server, ctx context.Context, params json.RawMessage) (*job, error)

// job is the part of a request that runs in its own goroutine.
type job struct {
	// supersedes names the document whose older job this one replaces;
	// "" for jobs that replace nothing.
	supersedes string
	run        func(ctx context.Context) (any, error)
}

// Why a job's context was cancelled; the reply depends on it.
var (
	errClientCancelled = errors.New("cancelled by the client")
	errSuperseded      = errors.New("superseded by a newer request for the same document")
	errShutdown        = errors.New("the server is shutting down")
)

// running is a job in flight.
type running struct {
	key    string
	cancel context.CancelCauseFunc
}

// handle is the jsonrpc2.Handler. It must not return an error for a bad
// message (the conn would close the connection); only a failed write to
// the client ends the connection.
func (s *server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	call, isCall := req.(*jsonrpc2.Call)
	method := req.Method()
	params := json.RawMessage(req.Params())
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("handler panicked", zap.String("method", method), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			if isCall {
				err = reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "%s: internal error: %v", method, p))
			}
		}
	}()

	if method == "exit" {
		s.exit()
		return nil
	}
	switch s.state.Load() {
	case stateNew:
		if method != "initialize" {
			if isCall {
				return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized,
					"%s: the server is not initialized: send initialize first", method))
			}
			return nil // notifications before initialize are dropped
		}
	case stateShutdown:
		if isCall {
			return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest,
				"%s: the server has shut down: only exit is accepted", method))
		}
		return nil
	}

	if !isCall {
		h := notificationFor(method)
		if h == nil {
			if !strings.HasPrefix(method, "$/") {
				s.log.Debug("ignoring unknown notification", zap.String("method", method))
			}
			return nil
		}
		if err := h(s, ctx, params); err != nil {
			s.log.Warn("notification failed", zap.String("method", method), zap.Error(err))
		}
		return nil
	}

	if h := requestFor(method); h != nil {
		res, err := h(s, ctx, params)
		err = reply(ctx, res, rpcError(err))
		if f := s.afterReply; f != nil { // initialize's, once
			s.afterReply = nil
			f()
		}
		return err
	}
	if h := jobFor(method); h != nil {
		j, err := h(s, ctx, params)
		if err != nil {
			return reply(ctx, nil, rpcError(err))
		}
		s.start(call.ID(), reply, method, j)
		return nil
	}
	return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "%s: method not supported", method))
}

// start runs j in its own goroutine under a context that $/cancelRequest
// with id, a newer job for the same document, shutdown or exit cancel.
func (s *server) start(id jsonrpc2.ID, reply jsonrpc2.Replier, method string, j *job) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	r := &running{key: idKey(id), cancel: cancel}

	s.jobsMu.Lock()
	if j.supersedes != "" {
		if old := s.latest[j.supersedes]; old != nil {
			old.cancel(errSuperseded)
		}
		s.latest[j.supersedes] = r
	}
	s.inflight[r.key] = r
	s.jobsMu.Unlock()

	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		res, err := s.runJob(ctx, method, j)

		s.jobsMu.Lock()
		if s.inflight[r.key] == r {
			delete(s.inflight, r.key)
		}
		if j.supersedes != "" && s.latest[j.supersedes] == r {
			delete(s.latest, j.supersedes)
		}
		s.jobsMu.Unlock()

		if ctx.Err() != nil {
			// Whatever the job returned, the client no longer wants it.
			s.log.Debug("request cancelled", zap.String("method", method), zap.String("id", r.key), zap.NamedError("cause", context.Cause(ctx)))
			res, err = nil, jsonrpc2.NewError(codeRequestCancelled, method+": "+context.Cause(ctx).Error())
		}
		cancel(nil)
		// Reply under the server's context: the job's own is cancelled by
		// now, and the stream refuses to write under a done context.
		if werr := reply(s.ctx, res, rpcError(err)); werr != nil {
			s.log.Debug("reply not sent", zap.String("method", method), zap.Error(werr))
		}
	}()
}

// runJob runs j, turning a panic into an internal error.
func (s *server) runJob(ctx context.Context, method string, j *job) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("request panicked", zap.String("method", method), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			res, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "%s: internal error: %v", method, p)
		}
	}()
	return j.run(ctx)
}

// cancelRequest handles $/cancelRequest. The id is a JSON number (VS Code,
// Neovim) or a string; both are normalised to the key the request was
// registered under.
func cancelRequest(s *server, _ context.Context, raw json.RawMessage) error {
	var p cancelParams
	if err := decodeParams("$/cancelRequest", raw, &p); err != nil {
		return err
	}
	key, err := rawIDKey(p.ID)
	if err != nil {
		return err
	}
	s.jobsMu.Lock()
	r := s.inflight[key]
	s.jobsMu.Unlock()
	if r != nil {
		r.cancel(errClientCancelled)
	}
	return nil
}

// cancelAll stops every job in flight.
func (s *server) cancelAll(cause error) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	for _, r := range s.inflight {
		r.cancel(cause)
	}
}

// idKey is the registry key of a request id: #N for numbers, a quoted
// string for strings, so 1 and "1" stay distinct.
func idKey(id jsonrpc2.ID) string { return fmt.Sprintf("%q", id) }

// rawIDKey normalises an id as it appears in JSON to the idKey form.
func rawIDKey(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return "", fmt.Errorf("$/cancelRequest: id %s is not a number or a string", raw)
	}
	switch v := v.(type) {
	case string:
		return strconv.Quote(v), nil
	case float64:
		if v != float64(int64(v)) {
			return "", fmt.Errorf("$/cancelRequest: id %v is not an integer", v)
		}
		return "#" + strconv.FormatInt(int64(v), 10), nil
	}
	return "", fmt.Errorf("$/cancelRequest: id %s is not a number or a string", raw)
}

// decodeParams decodes params into v; a failure is InvalidParams with a
// message that says what was wrong.
func decodeParams(method string, raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: params are missing", method)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: invalid params: %v", method, err)
	}
	return nil
}

// rpcError makes err a *jsonrpc2.Error: jsonrpc2 v0.10.0 sends any other
// error with code 0, which no client understands.
func rpcError(err error) error {
	if err == nil {
		return nil
	}
	var re *jsonrpc2.Error
	if errors.As(err, &re) {
		return re
	}
	var unknown errUnknownDocument
	if errors.As(err, &unknown) {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
}
