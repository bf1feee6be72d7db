package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/api"
	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/drain"
)

// statusNow is the controller's time in the tests of the API commands.
var statusNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// look is one answer to GET /v1/drains: the controller's drains, or, when
// status is set, what a proxy in front of it answers instead.
type look struct {
	drains []drain.Status
	status int
	body   string
}

// controllerAPI is the controller's real API handler over a scripted
// reconciler: each GET /v1/drains gets the next look (the last again once
// they are used up); drains started through the API are recorded and
// answered with startErr when it is set.
type controllerAPI struct {
	mu       sync.Mutex
	looks    []look
	n        int
	current  []drain.Status
	startErr error
	started  map[string]drain.Trigger
	log      bytes.Buffer // the handler's log, through logw
	logw     syncWriter
}

// logged is what the handler logged.
func (c *controllerAPI) logged() string {
	c.logw.mu.Lock()
	defer c.logw.mu.Unlock()
	return c.log.String()
}

// serveAPI serves c on 127.0.0.1 and returns its URL.
func serveAPI(t *testing.T, c *controllerAPI) string {
	t.Helper()
	c.logw.w = &c.log
	h := api.New(c, api.Options{Clock: clock.NewVirtual(statusNow), Logger: slog.New(slog.NewTextHandler(&c.logw, nil))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/v1/drains" && len(c.looks) > 0 {
			c.mu.Lock()
			l := c.looks[min(c.n, len(c.looks)-1)]
			c.n++
			c.current = l.drains
			c.mu.Unlock()
			if l.status != 0 {
				w.WriteHeader(l.status)
				w.Write([]byte(l.body))
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// looksServed is how many times GET /v1/drains was asked.
func (c *controllerAPI) looksServed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *controllerAPI) Drains() []drain.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current
}

// Start records the trigger and a drain of two hours from it, graceful for
// t.Graceful (an hour when unset), as the reconciler would.
func (c *controllerAPI) Start(ctx context.Context, id string, t drain.Trigger) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.startErr != nil {
		return c.startErr
	}
	if c.started == nil {
		c.started = map[string]drain.Trigger{}
	}
	c.started[id] = t
	graceful := t.Graceful
	if graceful == 0 {
		graceful = time.Hour
	}
	c.current = append(c.current, drain.Status{InstanceID: id, Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/demo", Phase: drain.PhaseGraceful,
		Record: drain.Record{Reason: t.Reason, Started: t.At, GracefulUntil: t.At.Add(graceful), Deadline: t.At.Add(2 * time.Hour)}})
	return nil
}

// drainAt is a lifecycle drain of group web-asg in cluster demo, times
// relative to statusNow.
func drainAt(instance string, phase drain.Phase, started, graceful, hard time.Duration, tasks map[string]int) drain.Status {
	return drain.Status{InstanceID: instance, Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/demo", Phase: phase, TasksLeft: tasks,
		Record: drain.Record{Reason: drain.ReasonLifecycle, Group: "web-asg", Started: statusNow.Add(started), GracefulUntil: statusNow.Add(graceful), Deadline: statusNow.Add(hard)}}
}

func drains(ds ...drain.Status) look { return look{drains: ds} }

func TestStatus(t *testing.T) {
	a := drainAt("i-0aaaaaaaaaaaaaaaa", drain.PhaseGraceful, -3*time.Minute, 12*time.Minute, 2*time.Hour, nil)
	b := drainAt("i-0bbbbbbbbbbbbbbbb", drain.PhaseHard, -90*time.Minute, -time.Minute, 30*time.Second, nil)
	withTasks := drainAt("i-0cccccccccccccccc", drain.PhaseGraceful, -time.Minute, time.Hour, 50*time.Hour, map[string]int{"standalone": 1, "service": 2, "daemon": 1})
	// A controller from before the "now" field: the CLI counts from its own
	// clock, here an hour later than the controller's.
	old := look{status: 200, body: `{"drains":[{"instance":"i-0aaaaaaaaaaaaaaaa","phase":"graceful","started":"` + statusNow.Format(time.RFC3339) + `"}]}`}
	for _, c := range []struct {
		name     string
		look     look
		json     bool
		wantCode int
		want     []string // lines (or substrings with json) of stdout, in order
		notWant  []string
		stderr   string
	}{
		{name: "empty", look: drains(), want: []string{"no drains in progress"}},
		{name: "two drains, oldest first", look: drains(a, b), want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-0bbbbbbbbbbbbbbbb  web-asg  demo     lifecycle  hard      1h30m     passed    in 30s",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h",
		}, notWant: []string{"TASKS LEFT"}},
		{name: "tasks left by class", look: drains(withTasks, a), want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE  TASKS LEFT",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h          -",
			"i-0cccccccccccccccc  web-asg  demo     lifecycle  graceful  1m        in 1h     in 2d2h        service 2, standalone 1, daemon 1",
		}},
		{name: "an older controller", look: old, want: []string{
			"INSTANCE             GROUP  CLUSTER  REASON  PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-0aaaaaaaaaaaaaaaa  -      -        -       graceful  1h        -         -",
		}},
		{name: "json", look: drains(a), json: true, want: []string{`"now": "2026-11-22T12:00:00Z"`, `"instance": "i-0aaaaaaaaaaaaaaaa"`, `"phase": "graceful"`}},
		{name: "json empty", look: drains(), json: true, want: []string{`"drains": []`}},
		{name: "json, an older controller", look: old, json: true, want: []string{`"now": "2026-11-22T13:00:00Z"`}},
		{name: "proxy error", look: look{status: 503, body: "upstream not ready\n"}, wantCode: 1, stderr: "drainer status: GET /v1/drains: the controller answered 503 Service Unavailable: upstream not ready\n"},
		{name: "not JSON", look: look{status: 200, body: "<html>"}, wantCode: 1, stderr: "unreadable answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := serveAPI(t, &controllerAPI{looks: []look{c.look}})
			var out, errb bytes.Buffer
			o := statusOptions{api: url, json: c.json, now: func() time.Time { return statusNow.Add(time.Hour) }}
			code := o.run(context.Background(), &out, &errb)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q, want …%s…", errb.String(), c.stderr)
			}
			got, rest := out.String(), out.String()
			for _, w := range c.want {
				_, after, ok := strings.Cut(rest, w)
				if !ok {
					t.Errorf("stdout lacks %q after the lines before it:\n%s", w, got)
					continue
				}
				rest = after
			}
			for _, w := range c.notWant {
				if strings.Contains(got, w) {
					t.Errorf("stdout has %q:\n%s", w, got)
				}
			}
			if c.json {
				var v api.DrainList
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("--json output is not JSON: %v", err)
				}
			}
		})
	}
}

func TestStatusFlags(t *testing.T) {
	isolateAWS(t)
	url := serveAPI(t, &controllerAPI{looks: []look{drains(drainAt("i-0aaaaaaaaaaaaaaaa", drain.PhaseGraceful, 0, time.Hour, 2*time.Hour, nil))}})
	for _, c := range []struct {
		name     string
		env      string // DRAINER_API
		args     []string
		wantCode int
		stdout   string
		stderr   string
	}{
		{name: "--api and --json", args: []string{"--api", url, "--json"}, stdout: `"instance": "i-0aaaaaaaaaaaaaaaa"`},
		{name: "DRAINER_API", env: url, stdout: "i-0aaaaaaaaaaaaaaaa  web-asg"},
		{name: "stray argument", args: []string{"--api", url, "now"}, wantCode: 2, stderr: `drainer status: unexpected argument "now"`},
		{name: "help", args: []string{"-h"}, stderr: "Usage: drainer status [--api URL] [--json]\n\nShows"},
		{name: "unknown flag", args: []string{"--all"}, wantCode: 2, stderr: "flag provided but not defined: -all"},
		{name: "--api as host:port, as run --listen takes it", args: []string{"--api", strings.TrimPrefix(url, "http://")}, stdout: "i-0aaaaaaaaaaaaaaaa  web-asg"},
		{name: "DRAINER_API as host:port", env: strings.TrimPrefix(url, "http://"), stdout: "i-0aaaaaaaaaaaaaaaa  web-asg"},
		{name: "bad --api", args: []string{"--api", "127.0.0.1"}, wantCode: 2,
			stderr: `drainer status: --api "127.0.0.1": want host:port such as 127.0.0.1:8081 (the address of 'drainer run --listen'), or a URL such as http://127.0.0.1:8081`},
		{name: "bad DRAINER_API", env: "ftp://controller", wantCode: 2, stderr: `drainer status: DRAINER_API "ftp://controller": scheme "ftp": want http:// or https://`},
		{name: "--api over a bad DRAINER_API", env: "ftp://controller", args: []string{"--api", url}, stdout: "i-0aaaaaaaaaaaaaaaa  web-asg"},
		{name: "no controller", env: "http://127.0.0.1:1", wantCode: 1,
			stderr: "drainer status: cannot reach the drainer API at http://127.0.0.1:1: "},
		{name: "no controller: where to point --api", env: "http://127.0.0.1:1", wantCode: 1,
			stderr: "is 'drainer run' or 'drainer dev' running there?\nPoint --api (or DRAINER_API) at its API"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DRAINER_API", c.env)
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"status"}, c.args...), &out, &errb)
			if code != c.wantCode || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout …%s…, stderr …%s…", code, out.String(), errb.String(), c.wantCode, c.stdout, c.stderr)
			}
		})
	}
}
