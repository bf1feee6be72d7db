package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/controller"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// serve serves h on 127.0.0.1 and returns a client of it.
func serve(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientDrainsAndLists(t *testing.T) {
	w := newWorld(t)
	c := serve(t, w.handler)
	ctx := context.Background()

	if err := c.Healthz(ctx); err != nil {
		t.Fatalf("Healthz = %v", err)
	}
	l, err := c.Drains(ctx)
	if err != nil || l.Drains == nil || len(l.Drains) != 0 || !l.Now.Equal(w.w.Now()) {
		t.Fatalf("Drains before any = %+v, %v; want an empty list at %s", l, err, w.w.Now())
	}

	// a is drained first and has the greater id: the list is by start.
	a, b := w.cis[0], w.cis[1]
	if a.EC2InstanceID < b.EC2InstanceID {
		a, b = b, a
	}
	d, err := c.Drain(ctx, DrainRequest{InstanceID: a.EC2InstanceID, Deadline: "30m", Reason: "kernel patch"})
	if err != nil {
		t.Fatalf("Drain = %v", err)
	}
	now := w.w.Now()
	if d.InstanceID != a.EC2InstanceID || d.Cluster != "demo" || d.Reason != "operator" || d.Phase != "graceful" ||
		!d.Started.Equal(now) || !d.GracefulUntil.Equal(now.Add(30*time.Minute)) {
		t.Errorf("Drain = %+v, want an operator drain of %s graceful for 30m from %s", d, a.EC2InstanceID, now)
	}
	w.w.Clock.RunFor(time.Minute)
	f, err := c.Deregister(ctx, b.EC2InstanceID)
	if err != nil {
		t.Fatalf("Deregister = %v", err)
	}
	if f.InstanceID != b.EC2InstanceID || f.Reason != "forced" || !f.Started.Equal(w.w.Now()) || !f.GracefulUntil.Equal(f.Started) {
		t.Errorf("Deregister = %+v, want a forced drain with no graceful phase from %s", f, w.w.Now())
	}

	l, err = c.Drains(ctx)
	if err != nil {
		t.Fatalf("Drains = %v", err)
	}
	var ids []string
	for _, d := range l.Drains {
		ids = append(ids, d.InstanceID+"/"+d.Reason)
	}
	want := a.EC2InstanceID + "/operator " + b.EC2InstanceID + "/forced"
	if strings.Join(ids, " ") != want || !l.Now.Equal(w.w.Now()) {
		t.Errorf("Drains = %v at %s, want %s at %s", ids, l.Now, want, w.w.Now())
	}
}

func TestClientRefusals(t *testing.T) {
	w := newWorld(t)
	// The controller in front of the reconciler holds operator drains to a
	// budget of one per group, as drainer run does.
	ctl := controller.New(w.rec, controller.Options{Cloud: w.cloud, Clock: w.w.Clock, Budget: drain.Budget{Count: 1}})
	c := serve(t, New(ctl, Options{Clock: w.w.Clock}))
	ctx := context.Background()
	if _, err := c.Drain(ctx, DrainRequest{InstanceID: w.cis[0].EC2InstanceID}); err != nil {
		t.Fatalf("first drain = %v", err)
	}

	for _, tt := range []struct {
		name   string
		call   func() error
		status int
		is     error
		msg    string
	}{
		{"bad instance id", func() error { _, err := c.Drain(ctx, DrainRequest{InstanceID: "web-1"}); return err },
			400, ErrBadRequest, `instanceId: "web-1" is not an EC2 instance id`},
		{"bad deadline", func() error {
			_, err := c.Drain(ctx, DrainRequest{InstanceID: w.cis[1].EC2InstanceID, Deadline: "soon"})
			return err
		}, 400, ErrBadRequest, "positive duration"},
		{"not a container instance", func() error { _, err := c.Drain(ctx, DrainRequest{InstanceID: "i-0123456789abcdef0"}); return err },
			404, ErrNotFound, "not a container instance"},
		{"forced, not a container instance", func() error { _, err := c.Deregister(ctx, "i-0123456789abcdef0"); return err },
			404, ErrNotFound, "nothing to drain"},
		{"over budget", func() error { _, err := c.Drain(ctx, DrainRequest{InstanceID: w.cis[1].EC2InstanceID}); return err },
			429, ErrOverBudget, "disruption budget"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want an *api.Error", err, err)
			}
			if e.Status != tt.status || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error = %d %q, want %d …%s…", e.Status, e.Message, tt.status, tt.msg)
			}
			for _, s := range []error{ErrBadRequest, ErrNotFound, ErrOverBudget, ErrUnavailable} {
				if got := errors.Is(err, s); got != (s == tt.is) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
				}
			}
		})
	}
	if ds := w.rec.Drains(); len(ds) != 1 {
		t.Errorf("refused requests started drains: %v", ds)
	}
}

func TestClientDrainNotRecorded(t *testing.T) {
	w := newWorld(t)
	// ECS refuses every attribute write: the drain cannot be recorded.
	if err := w.w.Faults.Set(fault.Rule{Service: "ecs", Operation: "PutAttributes", ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	c := serve(t, w.handler)
	_, err := c.Drain(context.Background(), DrainRequest{InstanceID: w.cis[0].EC2InstanceID})
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || !errors.Is(err, ErrUnavailable) || !strings.Contains(e.Message, "could not record the drain") {
		t.Fatalf("Drain with ECS failing = %v, want a 503 *api.Error saying the drain was not recorded", err)
	}
	if !strings.Contains(err.Error(), "POST /v1/drains: the controller answered 503 Service Unavailable: could not record the drain") {
		t.Errorf("error text %q", err)
	}
}

func TestClientNotTheAPI(t *testing.T) {
	// What answers at the URL is not drainer's API: a proxy's page, a
	// wrong service.
	page := "<html><body><h1>502 Bad Gateway</h1>\n<p>upstream is down</p></body></html>" + strings.Repeat(" padding", 200)
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/v1/drains":
			w.Write([]byte("<html>drains</html>")) // 200, not JSON
		case "/healthz":
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(page))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	ctx := context.Background()

	_, err := c.Drains(ctx)
	if err == nil || !strings.Contains(err.Error(), `GET /v1/drains: unreadable answer from `+c.URL()+` (Content-Type "text/html")`) {
		t.Errorf("Drains = %v, want an unreadable answer", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("a 200 answer gave an *api.Error %v", e)
	}

	err = c.Healthz(ctx)
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway {
		t.Fatalf("Healthz = %v, want a 502 *api.Error", err)
	}
	if !strings.HasPrefix(e.Message, "<html><body><h1>502 Bad Gateway</h1> <p>upstream is down</p>") || len(e.Message) > maxMessage+len("…") {
		t.Errorf("message of a page = %q (%d bytes), want its first %d bytes on one line", e.Message, len(e.Message), maxMessage)
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Errorf("a 502 matched a sentinel: %v", err)
	}

	_, err = c.Deregister(ctx, "i-0123456789abcdef0")
	if !errors.As(err, &e) || e.Status != 404 || e.Message != "" || !errors.Is(err, ErrNotFound) {
		t.Errorf("Deregister = %v, want an empty 404", err)
	}
	if got, want := err.Error(), "POST /v1/deregister: the controller answered 404 Not Found"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
}

func TestClientUnreachable(t *testing.T) {
	// A port that was just listened on and closed: nothing answers there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	c, err := NewClient(url+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Drains(context.Background())
	var u *UnreachableError
	if !errors.As(err, &u) || u.URL != url {
		t.Fatalf("Drains = %v (%T), want an *api.UnreachableError for %s", err, err, url)
	}
	for _, want := range []string{"cannot reach the drainer API at " + url + ": ", "connection refused", "'drainer run' or 'drainer dev'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("no answer gave an *api.Error %v", e)
	}
}

func TestClientCanceled(t *testing.T) {
	w := newWorld(t)
	c := serve(t, w.handler)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Drains(ctx)
	var u *UnreachableError
	if !errors.Is(err, context.Canceled) || errors.As(err, &u) {
		t.Errorf("Drains on a canceled context = %v, want context.Canceled, not unreachable", err)
	}
}

func TestNewClient(t *testing.T) {
	for _, tt := range []struct {
		url     string
		err     string // "" for a valid URL
		drains  string // where GET /v1/drains goes
		display string
	}{
		{url: "http://127.0.0.1:8081", drains: "http://127.0.0.1:8081/v1/drains", display: "http://127.0.0.1:8081"},
		{url: "http://127.0.0.1:8081/", drains: "http://127.0.0.1:8081/v1/drains", display: "http://127.0.0.1:8081"},
		{url: "https://ops.example.com/drainer/", drains: "https://ops.example.com/drainer/v1/drains", display: "https://ops.example.com/drainer"},
		{url: "https://ops:secret@ops.example.com", drains: "https://ops:secret@ops.example.com/v1/drains", display: "https://ops:xxxxx@ops.example.com"},
		{url: "", err: "drainer API URL is empty"},
		{url: "  ", err: "drainer API URL is empty"},
		{url: "127.0.0.1:8081", err: `"127.0.0.1:8081"`},
		{url: "localhost:8081", err: "want an http:// or https:// URL"},
		{url: "ftp://127.0.0.1", err: "want an http:// or https:// URL"},
		{url: "http://", err: "has no host"},
		{url: "http:///v1", err: "has no host"},
		{url: "http://127.0.0.1:port", err: "invalid port"},
		{url: "http://127.0.0.1:8081/?x=1", err: "no query or fragment"},
		{url: "http://127.0.0.1:8081#top", err: "no query or fragment"},
	} {
		c, err := NewClient(tt.url, nil)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("NewClient(%q) = %v, want an error with %q", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewClient(%q) = %v", tt.url, err)
			continue
		}
		if got := c.base.JoinPath("/v1/drains").String(); got != tt.drains {
			t.Errorf("NewClient(%q): drains at %s, want %s", tt.url, got, tt.drains)
		}
		if c.URL() != tt.display {
			t.Errorf("NewClient(%q).URL() = %s, want %s", tt.url, c.URL(), tt.display)
		}
		if c.http.Timeout != DefaultTimeout {
			t.Errorf("NewClient(%q, nil): timeout %s, want %s", tt.url, c.http.Timeout, DefaultTimeout)
		}
	}
}

// TestDrainsFromAnOlderController: a controller that does not say its time
// is read at the client's.
func TestDrainsFromAnOlderController(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"drains":[{"instance":"i-0123456789abcdef0","reason":"idle"}]}`))
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c.Now = func() time.Time { return at }
	l, err := c.Drains(t.Context())
	if err != nil || !l.Now.Equal(at) || len(l.Drains) != 1 {
		t.Fatalf("Drains = %+v, %v; want the client's time", l, err)
	}
}
