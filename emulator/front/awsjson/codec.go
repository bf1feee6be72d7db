package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// decode reads a request body into in. An empty body is "{}"; anything
// that is not a JSON object of the right member types is a
// SerializationException.
func decode(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return errSerialization("the request body must be a JSON object")
	}
	if err := json.Unmarshal(body, in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errSerialization("member %s: cannot take a JSON %s", te.Field, te.Value)
		}
		return errSerialization("%v", err)
	}
	return nil
}

// writeOutput answers 200 with out as JSON.
func writeOutput(rw http.ResponseWriter, p *protocol, out any) {
	b, err := json.Marshal(out)
	if err != nil {
		writeError(rw, p, core.ServerError("InternalFailure", "could not encode the response: %v", err))
		return
	}
	rw.Header().Set("Content-Type", p.contentType())
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(b)
}

// wireError is the body of every JSON-protocol error.
type wireError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// writeError answers err the way the protocol does: the status of the
// *core.Error, its code in X-Amzn-ErrorType and in __type (both namespaced
// for SQS: "com.amazonaws.sqs#QueueDoesNotExist"), the message, and for SQS
// the awsQuery code in X-Amzn-Query-Error ("CODE;Sender" or
// "CODE;Receiver"), which the SDK reports as the error code while still
// picking the modelled error type from the namespaced one (the SDKs strip
// everything up to "#", and anything from ":" on).
//
// Source: "Interpreting Amazon SQS JSON API responses", JSON error response
// structure, Amazon SQS Developer Guide
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html);
// the AWS JSON 1.0 protocol's error type resolution, as in smithy-go's
// transport/http/protocol/awsjson.
func writeError(rw http.ResponseWriter, p *protocol, err error) {
	var e *core.Error
	if !errors.As(err, &e) {
		e = core.ServerError("InternalFailure", "%v", err)
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	h := rw.Header()
	h.Set("Content-Type", p.contentType())
	h.Set("X-Amzn-ErrorType", p.namespace+e.Code)
	if p.queryCompatible {
		fault := "Sender"
		if status >= 500 {
			fault = "Receiver"
		}
		h.Set("X-Amzn-Query-Error", queryCode(e.Code)+";"+fault)
	}
	b, _ := json.Marshal(wireError{Type: p.namespace + e.Code, Message: e.Message})
	rw.WriteHeader(status)
	_, _ = rw.Write(b)
}

func errSerialization(format string, args ...any) error {
	return core.ClientError("SerializationException", "%s", fmt.Sprintf(format, args...))
}

func errUnknownOperation(target string) error {
	return core.ClientError("UnknownOperationException", "Unknown operation %q.", target)
}

// Refuse answers a request no service may see (a credential scoped to
// another Region) with an error in the JSON protocol of the service its
// X-Amz-Target names, as that service answers its own errors.
func Refuse(rw http.ResponseWriter, r *http.Request, status int, code, message string) {
	prefix, _, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	p := protocols[prefix]
	if p == nil {
		p = fallback
	}
	writeError(rw, p, &core.Error{Code: code, Message: message, Status: status})
}
