package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DefaultTimeout bounds one request of a Client built without an
// http.Client of its own: a drain is recorded on the instance (ECS calls)
// before the controller answers, which takes seconds when AWS throttles.
const DefaultTimeout = 60 * time.Second

// maxAnswer bounds the body of an answer the client reads: a list of
// drains is well under a megabyte even for thousands of instances.
const maxAnswer = 16 << 20

// maxMessage bounds the text kept from an error answer that is not the
// API's JSON (a proxy's HTML page, say).
const maxMessage = 512

// Client calls a running controller's API (drainer run, drainer dev).
// It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
	// Now is the time a DrainList counts from when the controller does not
	// say its own (one older than DrainList's Now field); default
	// time.Now.
	Now func() time.Time
}

// NewClient returns a client of the API at baseURL, an absolute http:// or
// https:// URL such as "http://127.0.0.1:8081" (a path prefix such as
// "https://ops.example.com/drainer" is kept: requests go below it). A nil
// httpClient means one whose requests time out after DefaultTimeout. It
// returns an error naming baseURL when baseURL is not such a URL.
func NewClient(baseURL string, httpClient *http.Client) (*Client, error) {
	if strings.TrimSpace(baseURL) == "" {
		return nil, errors.New("drainer API URL is empty: want one such as http://127.0.0.1:8081")
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("drainer API URL %q: %w (want one such as http://127.0.0.1:8081)", baseURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("drainer API URL %q: want an http:// or https:// URL such as http://127.0.0.1:8081", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("drainer API URL %q has no host: want one such as http://127.0.0.1:8081", baseURL)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("drainer API URL %q: a base URL takes no query or fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: u, http: httpClient}, nil
}

// URL is the base URL of the API, without any password it carries.
func (c *Client) URL() string { return c.base.Redacted() }

// Drain asks the controller to drain an instance (POST /v1/drains) and
// returns the drain as recorded. Errors: *Error for a refusal, matching
// ErrBadRequest (bad instance id or deadline), ErrNotFound (not a container
// instance of a served cluster), ErrOverBudget (the group's disruption
// budget is spent) or ErrUnavailable (the drain could not be recorded);
// *UnreachableError when the controller does not answer.
func (c *Client) Drain(ctx context.Context, req DrainRequest) (Drain, error) {
	var d Drain
	err := c.do(ctx, http.MethodPost, "/v1/drains", req, &d)
	return d, err
}

// Deregister asks the controller to take an instance out at once, with no
// graceful phase (POST /v1/deregister with force), and returns the drain
// as recorded. Errors are Drain's.
func (c *Client) Deregister(ctx context.Context, instanceID string) (Drain, error) {
	var d Drain
	err := c.do(ctx, http.MethodPost, "/v1/deregister", DeregisterRequest{InstanceID: instanceID, Force: true}, &d)
	return d, err
}

// Drains lists the drains in progress (GET /v1/drains), ordered by start
// then instance id; Drains is empty, not nil, when there is none. Now is
// the client's Now() when the controller is too old to say its time.
// Errors: *Error, *UnreachableError.
func (c *Client) Drains(ctx context.Context) (DrainList, error) {
	var l DrainList
	if err := c.do(ctx, http.MethodGet, "/v1/drains", nil, &l); err != nil {
		return DrainList{}, err
	}
	if l.Drains == nil {
		l.Drains = []Drain{}
	}
	if l.Now.IsZero() {
		l.Now = time.Now()
		if c.Now != nil {
			l.Now = c.Now()
		}
	}
	slices.SortStableFunc(l.Drains, func(a, b Drain) int {
		return cmp.Or(a.Started.Compare(b.Started), strings.Compare(a.InstanceID, b.InstanceID))
	})
	return l, nil
}

// Healthz reports whether the controller is up (GET /healthz): nil, or an
// *Error or *UnreachableError.
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// do sends body (JSON, when not nil) to path and decodes a 2xx answer into
// out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		}
		return &UnreachableError{URL: c.URL(), Err: transportCause(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: reading the answer from %s: %w", method, path, c.URL(), err)
	case len(raw) > maxAnswer:
		return fmt.Errorf("%s %s: the answer from %s is larger than %d MiB", method, path, c.URL(), maxAnswer>>20)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %w", method, path, errorOf(resp, raw))
	}
	if out == nil {
		return nil
	}
	// Unknown fields are allowed: a newer controller may say more.
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: unreadable answer from %s (Content-Type %q): %w", method, path, c.URL(), resp.Header.Get("Content-Type"), err)
	}
	return nil
}

// transportCause drops the *url.Error around err, whose text repeats the
// method and URL that UnreachableError already gives.
func transportCause(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// errorOf reads an error answer: the API's {"error":"…"}, or the text of
// something else (a proxy's page), shortened.
func errorOf(resp *http.Response, raw []byte) *Error {
	e := &Error{Status: resp.StatusCode}
	if json.Unmarshal(raw, e) == nil && e.Message != "" {
		return e
	}
	msg := strings.Join(strings.Fields(string(raw)), " ")
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "…"
	}
	e.Message = msg
	return e
}

// Error is an error answer of the API. On the wire it is the JSON object
// {"error": Message}, with the HTTP status; Client methods return it (as
// *Error, wrapped with the method and path) for every answer outside 2xx.
// errors.Is matches it against ErrBadRequest, ErrNotFound, ErrOverBudget
// and ErrUnavailable by status.
type Error struct {
	// Status is the HTTP status code of the answer (not in the body).
	Status int `json:"-"`
	// Message is the controller's explanation, for people; for an answer
	// that is not the API's JSON, its text (at most 512 bytes kept).
	Message string `json:"error"`
}

// Error says the status and the controller's message.
func (e *Error) Error() string {
	s := fmt.Sprintf("the controller answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches the sentinel of e's status.
func (e *Error) Is(target error) bool {
	s, ok := statusErrors[e.Status]
	return ok && s == target
}

// The refusals callers branch on, matched by errors.Is against an *Error
// of that status.
var (
	// ErrBadRequest (400): the request is malformed, e.g. an instance id
	// that is not i- and 8 or 17 hex digits, or a deadline that is not a
	// positive duration.
	ErrBadRequest = errors.New("bad request")
	// ErrNotFound (404): from Drain and Deregister, the instance is no
	// container instance of a cluster the controller serves; otherwise the
	// endpoint does not exist (the URL is not a drainer API).
	ErrNotFound = errors.New("not found")
	// ErrOverBudget (429): the instance's Auto Scaling group already has
	// as many instances draining as its disruption budget allows; try
	// again when one of them has gone.
	ErrOverBudget = errors.New("over the disruption budget")
	// ErrUnavailable (503): the controller could not record the drain on
	// the instance (AWS refused or failed); the request may be retried.
	ErrUnavailable = errors.New("unavailable")
)

var statusErrors = map[int]error{
	http.StatusBadRequest:         ErrBadRequest,
	http.StatusNotFound:           ErrNotFound,
	http.StatusTooManyRequests:    ErrOverBudget,
	http.StatusServiceUnavailable: ErrUnavailable,
}

// UnreachableError means no answer came from the controller at URL: it
// is not running there, or the connection failed or timed out. Err is
// the transport's error.
type UnreachableError struct {
	URL string
	Err error
}

// Error names the URL and what must be running there.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the drainer API at %s: %v; is 'drainer run' or 'drainer dev' running there?", e.URL, e.Err)
}

// Unwrap returns the transport's error.
func (e *UnreachableError) Unwrap() error { return e.Err }
