package front

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Transport returns an http.RoundTripper that serves requests with h in
// process, without sockets: give it to an SDK client
// (aws.Config{HTTPClient: &http.Client{Transport: front.Transport(h)}})
// for tests and simulations on a virtual clock.
//
// h runs on the caller's goroutine, so a caller running as one of a
// virtual clock's goroutines (clock.Go) waits in h (a long poll, injected
// latency) as itself, and virtual time moves meanwhile. h must therefore
// honour the request's context, as the emulator's front does: a cancelled
// request returns the context's error.
func Transport(h http.Handler) http.RoundTripper { return transport{h} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	in := req.Clone(ctx)
	in.RequestURI = req.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	in.RemoteAddr = "127.0.0.1:0"
	rec := &recorder{header: http.Header{}}
	if p := t.serve(rec, in); p != nil {
		closeBody(req)
		return nil, fmt.Errorf("front: handler panicked: %v", p)
	}
	closeBody(req)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rec.response(req), nil
}

func (t transport) serve(rec *recorder, in *http.Request) (panicked any) {
	defer func() { panicked = recover() }()
	t.h.ServeHTTP(rec, in)
	return nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// recorder is the ResponseWriter of an in-process round trip.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (r *recorder) response(req *http.Request) *http.Response {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	h := r.header.Clone()
	h.Set("Content-Length", strconv.Itoa(r.body.Len()))
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(r.body.Bytes())),
		ContentLength: int64(r.body.Len()),
		Request:       req,
	}
}
