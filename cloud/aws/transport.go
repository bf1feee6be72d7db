package aws

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// ResponseHeaderTimeout bounds how long one attempt waits for the headers
// of AWS's answer once its request is written: a half-open connection, or
// an endpoint that accepts the request and never answers, fails the
// attempt with "net/http: timeout awaiting response headers", which the
// retry loop retries as any transport error. The SDK's default HTTP client
// has no such bound, so such a call would block for ever.
//
// It is longer than the longest answer drainer waits for on purpose: an
// SQS long poll, whose WaitTimeSeconds is at most 20 s and whose answer
// comes at its end. SQS asks for an HTTP response timeout longer than
// WaitTimeSeconds
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/best-practices-setting-up-long-polling.html):
// 45 s leaves 25 s past a full long poll for AWS to answer.
const ResponseHeaderTimeout = 45 * time.Second

// AttemptTimeout bounds one attempt whole — connecting, writing the
// request, waiting for the answer and reading its body (http.Client's
// Timeout) — so that an answer whose body stops half-way fails too. A
// call makes at most Options.MaxAttempts attempts, so it is bounded by
// MaxAttempts × AttemptTimeout plus the backoffs between them.
const AttemptTimeout = 2 * time.Minute

// boundedHTTPClient returns hc with drainer's bounds on each attempt
// (ResponseHeaderTimeout on the transport, AttemptTimeout on the client)
// when hc is the SDK's own buildable client — nil (the SDK builds one), or
// the *awshttp.BuildableClient config.LoadDefaultConfig makes, with
// AWS_CA_BUNDLE applied — keeping a bound already set on it. These are
// wall-clock bounds on real connections: `drainer run`, `doctor`, `setup`
// and the Lambda mode, against AWS or `drainer emulator` over TCP.
//
// Any other client is returned as is: an in-process transport (the
// emulator's front served on a virtual clock, as `drainer dev`, `drainer
// sim` and tests give in Options.HTTPClient) answers on virtual time, which
// a wall-clock bound must never judge — a long poll there lasts 20 virtual
// seconds, however long that takes on a busy machine.
func boundedHTTPClient(hc aws.HTTPClient) aws.HTTPClient {
	var b *awshttp.BuildableClient
	switch c := hc.(type) {
	case nil:
		b = awshttp.NewBuildableClient()
	case *awshttp.BuildableClient:
		b = c
	default:
		return hc
	}
	b = b.WithTransportOptions(func(tr *http.Transport) {
		if tr.ResponseHeaderTimeout <= 0 {
			tr.ResponseHeaderTimeout = ResponseHeaderTimeout
		}
	})
	if b.GetTimeout() <= 0 {
		b = b.WithTimeout(AttemptTimeout)
	}
	return b
}

// ownBodies is an aws.HTTPClient that hands the client under it a request
// body of its own: a copy, in memory, of the body the SDK built, which
// only net/http reads and closes, and which GetBody can give again.
//
// The SDK's own body must not reach net/http. smithy-go wraps it in a
// reader that, once closed, answers every read with io.EOF — from WriteTo
// too — and closes it as soon as Do returns, that is as soon as the
// answer's headers are in (smithy-go transport/http ClientHandler.Handle).
// net/http's writer may still be running then: with the body's
// Content-Length bytes on the wire, it reads the body once more to check
// it holds no more (transferWriter.writeBody). If the SDK's Close came
// first, that read fails with io.EOF, net/http takes it for a failed
// write and closes the connection while the answer's body is being read:
// the call fails with "use of closed network connection" (or the SDK logs
// "failed to discard remaining HTTP response body") and the connection is
// lost for keep-alive. On loopback to `drainer emulator`, one call in ten
// to one in four lost its connection that way, and about one in 1500
// failed.
// The SDK retries such a failure (aws-sdk-go-v2 #2949 made net.ErrClosed
// retryable after #1825 and #2737 reported it), which hid it but not the
// lost connections.
//
// A body of unknown length (ContentLength -1: a stream the SDK cannot
// buffer) goes through as it is; drainer's calls have none.
type ownBodies struct{ next aws.HTTPClient }

// Do sends req through the client under it, with a copy of its body. An
// error reading the body fails the call before anything is sent.
func (c ownBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0 {
		return c.next.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	own := req.WithContext(req.Context()) // a shallow copy
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.next.Do(own)
}
