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
// for tests on a virtual clock. A round trip ends with the request's
// context: a cancelled request returns the context's error at once even if
// h is still working on it.
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
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		t.h.ServeHTTP(rec, in)
	}()
	select {
	case p := <-done:
		closeBody(req)
		if p != nil {
			return nil, fmt.Errorf("front: handler panicked: %v", p)
		}
		return rec.response(req), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
