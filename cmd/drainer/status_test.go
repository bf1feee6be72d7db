package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var statusNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// drainsServer serves the bodies of GET /v1/drains in turn, the last one
// again once they are used up, and counts the requests.
type drainsServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	calls  int
}

func newDrainsServer(t *testing.T, bodies ...string) *drainsServer {
	t.Helper()
	s := &drainsServer{bodies: bodies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.URL.Path != "/v1/drains" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no such endpoint: ` + r.Method + " " + r.URL.Path + `"}`))
			return
		}
		s.mu.Lock()
		body := s.bodies[min(s.calls, len(s.bodies)-1)]
		s.calls++
		s.mu.Unlock()
		if strings.HasPrefix(body, "!") { // "!503 text": an error answer
			code, text, _ := strings.Cut(body[1:], " ")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(map[string]int{"500": 500, "503": 503}[code])
			w.Write([]byte(`{"error":"` + text + `"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// drainJSON is one drain as the API gives it, times relative to statusNow.
func drainJSON(instance, phase string, started, graceful, hard time.Duration, extra string) string {
	at := func(d time.Duration) string { return statusNow.Add(d).Format(time.RFC3339) }
	s := `{"instance":"` + instance + `","group":"web-asg","cluster":"demo","reason":"lifecycle","phase":"` + phase + `","started":"` + at(started) +
		`","gracefulUntil":"` + at(graceful) + `","deadline":"` + at(hard) + `"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func drainsBody(drains ...string) string { return `{"drains":[` + strings.Join(drains, ",") + `]}` }

func TestStatus(t *testing.T) {
	a := drainJSON("i-0aaaaaaaaaaaaaaaa", "graceful", -3*time.Minute, 12*time.Minute, 2*time.Hour, "")
	b := drainJSON("i-0bbbbbbbbbbbbbbbb", "hard", -90*time.Minute, -time.Minute, 30*time.Second, "")
	withTasks := drainJSON("i-0cccccccccccccccc", "graceful", -time.Minute, time.Hour, 50*time.Hour, `"tasksLeft":{"standalone":1,"service":2,"daemon":1}`)
	for _, c := range []struct {
		name     string
		body     string
		args     []string
		wantCode int
		want     []string // lines (or substrings with --json) of stdout
		notWant  []string
		stderr   string
	}{
		{name: "empty", body: drainsBody(), want: []string{"no drains in progress"}},
		{name: "two drains, oldest first", body: drainsBody(a, b), want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE",
			"i-0bbbbbbbbbbbbbbbb  web-asg  demo     lifecycle  hard      1h30m     passed    in 30s",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h",
		}, notWant: []string{"TASKS LEFT"}},
		{name: "tasks left by class", body: drainsBody(a, withTasks), want: []string{
			"INSTANCE             GROUP    CLUSTER  REASON     PHASE     IN DRAIN  GRACEFUL  HARD DEADLINE  TASKS LEFT",
			"i-0aaaaaaaaaaaaaaaa  web-asg  demo     lifecycle  graceful  3m        in 12m    in 2h          -",
			"i-0cccccccccccccccc  web-asg  demo     lifecycle  graceful  1m        in 1h     in 2d2h        service 2, standalone 1, daemon 1",
		}},
		{name: "json", body: drainsBody(a), args: []string{"--json"}, want: []string{`"instance": "i-0aaaaaaaaaaaaaaaa"`, `"phase": "graceful"`}},
		{name: "json empty", body: drainsBody(), args: []string{"--json"}, want: []string{`"drains": []`}},
		{name: "controller error", body: "!503 reconciler not ready", wantCode: 1, stderr: "503 Service Unavailable: reconciler not ready"},
		{name: "not JSON", body: "<html>", wantCode: 1, stderr: "unreadable answer"},
		{name: "stray argument", body: drainsBody(), args: []string{"now"}, wantCode: 2, stderr: `unexpected argument "now"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			setWallNow(t, func() time.Time { return statusNow })
			srv := newDrainsServer(t, c.body)
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"status", "--api", srv.URL}, c.args...), &out, &errb)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q, want …%s…", errb.String(), c.stderr)
			}
			got := out.String()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("stdout lacks %q:\n%s", w, got)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(got, w) {
					t.Errorf("stdout has %q:\n%s", w, got)
				}
			}
			if len(c.args) > 0 && c.args[0] == "--json" {
				var v drainListView
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("--json output is not JSON: %v", err)
				}
			}
		})
	}
}

func TestStatusWithoutController(t *testing.T) {
	isolateAWS(t)
	t.Setenv("DRAINER_API", "http://127.0.0.1:1")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"status"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "Is 'drainer run' running?") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
