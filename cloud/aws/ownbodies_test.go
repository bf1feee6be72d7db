package aws

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// seenRequest is what the client under ownBodies was handed.
type seenRequest struct {
	req  *http.Request
	body string
}

// recordingClient records the request it is handed, reading its body.
type recordingClient struct{ seen []seenRequest }

func (c *recordingClient) Do(req *http.Request) (*http.Response, error) {
	s := seenRequest{req: req}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		s.body = string(b)
	}
	c.seen = append(c.seen, s)
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// closeTracker is a request body that says whether it was closed, and
// then reads as smithy-go's closed body does: io.EOF.
type closeTracker struct {
	r      io.Reader
	closed bool
}

func (b *closeTracker) Read(p []byte) (int, error) {
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *closeTracker) Close() error { b.closed = true; return nil }

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
func (failingBody) Close() error             { return nil }

func TestOwnBodies(t *testing.T) {
	const form = "Action=DescribeAutoScalingGroups&Version=2011-01-01"
	for _, c := range []struct {
		name string
		body io.ReadCloser
		len  int64
		// own: the client under gets a body of its own; wantErr: Do fails
		// with an error saying this, without calling the client under.
		own     bool
		wantErr string
	}{
		{name: "a body of known length is copied", body: &closeTracker{r: strings.NewReader(form)}, len: int64(len(form)), own: true},
		{name: "no body", body: nil},
		{name: "an empty body", body: http.NoBody},
		{name: "a stream of unknown length goes as it is", body: &closeTracker{r: strings.NewReader(form)}, len: -1},
		{name: "a body that cannot be read", body: failingBody{}, len: 10, wantErr: "read the request body: disk on fire"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "http://emulator.test/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Body, req.ContentLength = c.body, c.len
			under := &recordingClient{}
			_, err = ownBodies{under}.Do(req)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr || len(under.seen) != 0 {
					t.Fatalf("Do = %v, %d requests sent; want %q and none", err, len(under.seen), c.wantErr)
				}
				return
			}
			if err != nil || len(under.seen) != 1 {
				t.Fatalf("Do = %v, %d requests sent; want one, no error", err, len(under.seen))
			}
			got := under.seen[0]
			if !c.own {
				if got.req != req {
					t.Fatalf("the request was changed: %+v", got.req)
				}
				return
			}
			if got.req == req || got.req.Body == c.body || got.body != form || got.req.ContentLength != c.len {
				t.Fatalf("handed body %q (own: %v), length %d; want its own copy of %q, length %d",
					got.body, got.req.Body != c.body, got.req.ContentLength, form, c.len)
			}
			// The SDK's body is closed (as the SDK would, after Do); the
			// copy does not care, and GetBody gives it again, whole.
			if !c.body.(*closeTracker).closed {
				t.Error("the SDK's body was left open")
			}
			if n, err := got.req.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("the copy, read to its end, then reads %d, %v; want 0, io.EOF", n, err)
			}
			again, err := got.req.GetBody()
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(again); string(b) != form {
				t.Errorf("GetBody gives %q, want %q", b, form)
			}
			if got.req.Method != req.Method || got.req.URL.String() != req.URL.String() || got.req.Context() != req.Context() {
				t.Errorf("the copy is not the same request: %s %s", got.req.Method, got.req.URL)
			}
		})
	}
}
