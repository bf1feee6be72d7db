// Package awsjson serves the emulated services that speak AWS's JSON
// protocols: ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113), SQS
// (awsJson1_0, AmazonSQS, awsQueryCompatible) and EventBridge (awsJson1_1,
// AWSEvents).
//
// A request names its operation in the X-Amz-Target header
// (PREFIX.Operation) and carries the operation's input as a JSON object
// whose member names are the json tags of the service package's Input
// structs. The answer is the Output struct as JSON, or an error as
// {"__type": CODE, "message": MESSAGE} with the X-Amzn-ErrorType header.
package awsjson

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/core"
)

// maxBody bounds a request body; SQS batches are the largest legitimate
// requests (at most 1 MiB of messages plus JSON overhead).
const maxBody = 8 << 20

// call is one decoded request on its way to a service.
type call struct {
	ctx    context.Context
	w      *emulator.World
	caller string
	svc    *protocol
	op     string
	body   []byte
}

// Serve answers one JSON-protocol request (it carries X-Amz-Target) made by
// caller.
func Serve(w *emulator.World, caller string, rw http.ResponseWriter, r *http.Request) {
	prefix, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	p := protocols[prefix]
	if p == nil {
		writeError(rw, fallback, errUnknownOperation(r.Header.Get("X-Amz-Target")))
		return
	}
	h := p.ops[op]
	if h == nil {
		writeError(rw, p, errUnknownOperation(r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(rw, p, core.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is larger than %d bytes.", maxBody))
			return
		}
		writeError(rw, p, errSerialization("could not read the request body: %v", err))
		return
	}
	c := &call{ctx: r.Context(), w: w, caller: caller, svc: p, op: op, body: body}
	out, err := h(c)
	if err != nil {
		writeError(rw, p, err)
		return
	}
	writeOutput(rw, p, out)
}

// invoke decodes the request into the method's input, waits for any
// injected latency, and calls the method through emulator.Invoke (faults
// and call log).
func invoke[I, O any](c *call, method func(I) (O, error)) (any, error) {
	var in I
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	c.w.Delay(c.ctx, c.svc.service, c.op)
	return emulator.Invoke(c.w, c.caller, method, in)
}
