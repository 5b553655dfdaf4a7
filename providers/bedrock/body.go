package bedrock

import (
	"context"
	"io"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// plainBody sends the request body through its Read method only.
//
// Why: the SDK hands net/http the body wrapped in a reader whose WriteTo
// returns io.EOF once the SDK has closed it, and the SDK closes it as soon
// as the response headers arrive. net/http, after writing a body of known
// length, copies what is left of it into io.Discard (through WriteTo when
// there is one) to check the length. When the answer comes back before
// that last copy, as it may on a loaded machine or a fast network, the
// copy fails with io.EOF, net/http takes it for a broken request and
// closes the connection, and the answer's stream dies mid-way with
// "decode event: ... use of closed network connection". Read on the closed
// wrapper returns io.EOF too, which io.Copy takes as the end it is.
type plainBody struct{ io.Reader }

// readOnlyBody puts plainBody around the request body after signing, so
// the payload hash is computed on the seekable original.
var readOnlyBody = middleware.FinalizeMiddlewareFunc("SwitchyardReadOnlyBody",
	func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok && req.GetStream() != nil {
			wrapped, err := req.SetStream(plainBody{req.GetStream()})
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			in.Request = wrapped
		}
		return next.HandleFinalize(ctx, in)
	})

func addReadOnlyBody(stack *middleware.Stack) error {
	return stack.Finalize.Add(readOnlyBody, middleware.After)
}
