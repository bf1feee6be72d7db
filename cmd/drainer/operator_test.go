package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

// trigger is what the controller was asked to start on id.
func (c *controllerAPI) trigger(id string) (drain.Trigger, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.started[id]
	return t, ok
}

const instance = "i-0123456789abcdef0"

func TestDrainAndDeregister(t *testing.T) {
	for _, c := range []struct {
		name    string
		run     func(url string, out, errb *bytes.Buffer) int
		trigger drain.Trigger // wanted at the controller (At is statusNow)
		stdout  string
		logged  string // in the controller's log
	}{
		{name: "drain with a deadline and a note", run: func(url string, out, errb *bytes.Buffer) int {
			return drainOptions{api: url, instance: instance, deadline: 30 * time.Minute, reason: "kernel patch"}.run(context.Background(), out, errb)
		}, trigger: drain.Trigger{Reason: drain.ReasonOperator, Graceful: 30 * time.Minute},
			stdout: "drain of " + instance + " started in cluster demo: reason operator, phase graceful, graceful until 2026-11-22T12:30:00Z, hard deadline 2026-11-22T14:00:00Z\n",
			logged: `deadline=30m0s note="kernel patch"`},
		{name: "drain with the controller's default", run: func(url string, out, errb *bytes.Buffer) int {
			return drainOptions{api: url, instance: instance}.run(context.Background(), out, errb)
		}, trigger: drain.Trigger{Reason: drain.ReasonOperator},
			stdout: "drain of " + instance + " started in cluster demo: reason operator, phase graceful, graceful until 2026-11-22T13:00:00Z, hard deadline 2026-11-22T14:00:00Z\n",
			logged: `deadline="" note=""`},
		{name: "forced deregistration", run: func(url string, out, errb *bytes.Buffer) int {
			return deregisterOptions{api: url, instance: instance}.run(context.Background(), out, errb)
		}, trigger: drain.Trigger{Reason: drain.ReasonForced},
			stdout: "forced deregistration of " + instance + " started in cluster demo: reason forced, phase graceful",
			logged: "operator forced deregistration requested"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctl := &controllerAPI{}
			url := serveAPI(t, ctl)
			var out, errb bytes.Buffer
			if code := c.run(url, &out, &errb); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			want := c.trigger
			want.At = statusNow
			if got, ok := ctl.trigger(instance); !ok || got != want {
				t.Errorf("controller started %+v (%v), want %+v", got, ok, want)
			}
			if !strings.HasPrefix(out.String(), c.stdout) {
				t.Errorf("stdout %q, want %q…", out.String(), c.stdout)
			}
			if !strings.Contains(ctl.logged(), c.logged) {
				t.Errorf("controller log %q lacks %q", ctl.logged(), c.logged)
			}
		})
	}
}

func TestDrainRefused(t *testing.T) {
	for _, c := range []struct {
		name     string
		instance string
		startErr error
		stderr   string
	}{
		{"bad instance id", "web-1", nil,
			`drainer drain: POST /v1/drains: the controller answered 400 Bad Request: instanceId: "web-1" is not an EC2 instance id`},
		{"not a container instance", instance, drain.ErrNotContainerInstance,
			"drainer drain: POST /v1/drains: the controller answered 404 Not Found: " + instance + " is not a container instance of a cluster this drainer serves"},
		{"over budget", instance, fmt.Errorf("operator drain of %s: %w", instance, drain.ErrOverBudget),
			"drainer drain: POST /v1/drains: the controller answered 429 Too Many Requests: operator drain of " + instance + ": held by the disruption budget; try again"},
		{"not recorded", instance, errors.New("ECS PutAttributes: ThrottlingException: Rate exceeded"),
			"drainer drain: POST /v1/drains: the controller answered 503 Service Unavailable: could not record the drain: ECS PutAttributes: ThrottlingException"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := serveAPI(t, &controllerAPI{startErr: c.startErr})
			var out, errb bytes.Buffer
			code := drainOptions{api: url, instance: c.instance}.run(context.Background(), &out, &errb)
			if code != 1 || out.Len() != 0 || !strings.HasPrefix(errb.String(), c.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr %q…", code, out.String(), errb.String(), c.stderr)
			}
			if strings.Contains(errb.String(), "Point --api") {
				t.Errorf("a refusal told where to point --api: %q", errb.String())
			}
		})
	}
}

func TestOperatorFlags(t *testing.T) {
	isolateAWS(t)
	for _, c := range []struct {
		name     string
		args     []string
		wantCode int
		trigger  drain.Trigger // wanted at the controller, when the command exits 0
		stderr   string
		// hostPort: DRAINER_API is the controller's host:port, not its URL.
		hostPort bool
	}{
		{name: "flags after the instance", args: []string{"drain", instance, "--deadline", "45m", "--reason", "kernel"},
			trigger: drain.Trigger{Reason: drain.ReasonOperator, Graceful: 45 * time.Minute}},
		{name: "flags around the instance", args: []string{"drain", "--reason", "kernel", instance, "--deadline", "2h"},
			trigger: drain.Trigger{Reason: drain.ReasonOperator, Graceful: 2 * time.Hour}},
		{name: "instance after --", args: []string{"drain", "--deadline", "2h", "--", instance},
			trigger: drain.Trigger{Reason: drain.ReasonOperator, Graceful: 2 * time.Hour}},
		{name: "DRAINER_API as host:port", args: []string{"drain", instance}, hostPort: true,
			trigger: drain.Trigger{Reason: drain.ReasonOperator}},
		{name: "deregister, force after the instance", args: []string{"deregister", instance, "--force"},
			trigger: drain.Trigger{Reason: drain.ReasonForced}},
		{name: "a flag after -- is an argument", args: []string{"drain", instance, "--", "--deadline"}, wantCode: 2, stderr: "drainer drain: one instance at a time (got " + instance + " --deadline)"},
		{name: "no instance", args: []string{"drain", "--deadline", "2h"}, wantCode: 2, stderr: "drainer drain: which instance?"},
		{name: "zero deadline", args: []string{"drain", instance, "--deadline", "0s"}, wantCode: 2, stderr: `drainer drain: --deadline "0s": want a positive duration`},
		{name: "deregister without force", args: []string{"deregister", instance}, wantCode: 2, stderr: "drainer deregister: refusing without --force"},
		{name: "deregister help", args: []string{"deregister", "--help"}, stderr: "Usage: drainer deregister --force INSTANCE [--api URL]\n\nAsks"},
		{name: "bad --api", args: []string{"deregister", "--force", instance, "--api", "ftp://controller"}, wantCode: 2, stderr: `drainer deregister: --api "ftp://controller": scheme "ftp": want http:// or https://`},
		{name: "drain, bad --api", args: []string{"drain", instance, "--api", "127.0.0.1:80x"}, wantCode: 2, stderr: `drainer drain: --api "127.0.0.1:80x": port "80x": want a number from 1 to 65535`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctl := &controllerAPI{}
			apiURL := serveAPI(t, ctl)
			if c.hostPort {
				apiURL = strings.TrimPrefix(apiURL, "http://")
			}
			t.Setenv("DRAINER_API", apiURL)
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, &out, &errb)
			if code != c.wantCode || !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr …%s…", code, errb.String(), c.wantCode, c.stderr)
			}
			got, started := ctl.trigger(instance)
			if code != 0 {
				if started {
					t.Errorf("a refused command started %+v", got)
				}
				return
			}
			if c.trigger.Reason == "" {
				return // help
			}
			want := c.trigger
			want.At = statusNow
			if got != want {
				t.Errorf("controller started %+v (%v), want %+v", got, started, want)
			}
		})
	}
}
