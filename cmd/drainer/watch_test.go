package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

func TestWatch(t *testing.T) {
	a := func(phase drain.Phase) drain.Status {
		return drainAt("i-0aaaaaaaaaaaaaaaa", phase, -3*time.Minute, 12*time.Minute, 2*time.Hour, nil)
	}
	b := func(phase drain.Phase) drain.Status {
		return drainAt("i-0bbbbbbbbbbbbbbbb", phase, -time.Minute, time.Hour, 3*time.Hour, nil)
	}
	busy := look{status: 503, body: "busy"}
	for _, c := range []struct {
		name     string
		looks    []look
		cancelAt int // cancel the context at this wait (0: never)
		wantCode int
		want     []string // stdout lines, in order, after the timestamp
		stderr   string
	}{
		{name: "nothing to watch", looks: []look{drains()}, want: []string{"no drains in progress"}},
		{name: "start, phase change, finish", looks: []look{
			drains(a(drain.PhaseGraceful)),
			drains(a(drain.PhaseGraceful)), // no change: no line
			drains(a(drain.PhaseGraceful), b(drain.PhaseGraceful)),
			drains(a(drain.PhaseHard), b(drain.PhaseGraceful)),
			drains(b(drain.PhaseGraceful)),
			drains(b(drain.PhaseReleasing)),
			drains(),
		}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining: cluster demo, reason lifecycle, phase graceful, in drain 3m, graceful in 12m, hard deadline in 2h",
			"i-0bbbbbbbbbbbbbbbb drain started: cluster demo, reason lifecycle, phase graceful, in drain 1m, graceful in 1h, hard deadline in 3h",
			"i-0aaaaaaaaaaaaaaaa phase graceful → hard (in drain 3m, hard deadline in 2h)",
			"i-0aaaaaaaaaaaaaaaa drain finished after 3m (last phase hard)",
			"i-0bbbbbbbbbbbbbbbb phase graceful → releasing (in drain 1m, hard deadline in 3h)",
			"i-0bbbbbbbbbbbbbbbb drain finished after 1m (last phase releasing)",
			"all drains finished",
		}},
		{name: "two finish at once", looks: []look{drains(b(drain.PhaseGraceful), a(drain.PhaseGraceful)), drains()}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"i-0bbbbbbbbbbbbbbbb draining:",
			"i-0aaaaaaaaaaaaaaaa drain finished",
			"i-0bbbbbbbbbbbbbbbb drain finished",
			"all drains finished",
		}},
		{name: "a failed look is retried", looks: []look{drains(a(drain.PhaseGraceful)), busy, drains()}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"i-0aaaaaaaaaaaaaaaa drain finished",
			"all drains finished",
		}, stderr: "drainer watch: GET /v1/drains: the controller answered 503 Service Unavailable: busy\n"},
		{name: "failures are counted in a row", looks: []look{drains(a(drain.PhaseGraceful)), busy, busy, busy, busy, drains(a(drain.PhaseHard)), busy, busy, busy, busy, drains()}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"i-0aaaaaaaaaaaaaaaa phase graceful → hard",
			"i-0aaaaaaaaaaaaaaaa drain finished",
			"all drains finished",
		}, stderr: "busy"},
		{name: "gives up after failures in a row", looks: []look{drains(a(drain.PhaseGraceful)), {status: 500, body: "broken"}}, wantCode: 1, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
		}, stderr: "drainer watch: giving up after 5 failed looks in a row, the last: GET /v1/drains: the controller answered 500 Internal Server Error: broken\n"},
		{name: "Ctrl-C", looks: []look{drains(a(drain.PhaseGraceful))}, cancelAt: 3, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"stopped watching; 1 drain(s) still in progress",
		}},
		{name: "controller refuses the first look", looks: []look{{status: 503, body: "not ready"}}, wantCode: 1, stderr: "not ready"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctl := &controllerAPI{looks: c.looks}
			url := serveAPI(t, ctl)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			waits := 0
			o := watchOptions{api: url, interval: 5 * time.Second, now: func() time.Time { return statusNow }, wait: func(ctx context.Context, d time.Duration) error {
				if d != 5*time.Second {
					t.Errorf("waited %s, want the interval 5s", d)
				}
				waits++
				if waits == c.cancelAt {
					cancel()
				}
				if waits > 100 {
					t.Fatal("watch never ends")
				}
				return ctx.Err()
			}}
			var out, errb bytes.Buffer
			code := o.run(ctx, &out, &errb)
			if code != c.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, c.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q, want …%s…", errb.String(), c.stderr)
			}
			// One look before the first wait and one after each.
			if looks := ctl.looksServed(); looks != waits+1 && !(c.cancelAt > 0 && looks == waits) {
				t.Errorf("%d looks for %d waits", looks, waits)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if out.Len() == 0 {
				lines = nil
			}
			if len(lines) != len(c.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(c.want), out.String())
			}
			for i, w := range c.want {
				if got := strings.TrimPrefix(lines[i], "12:00:00 "); !strings.HasPrefix(got, w) {
					t.Errorf("line %d = %q, want %q…", i, lines[i], w)
				}
			}
		})
	}
}

func TestWatchFlags(t *testing.T) {
	isolateAWS(t)
	for _, c := range []struct {
		args     []string
		wantCode int
		stderr   string
	}{
		{[]string{"--interval", "0s"}, 2, "drainer watch: --interval 0s: want a positive duration"},
		{[]string{"--interval", "often"}, 2, `invalid value "often" for flag -interval`},
		{[]string{"everything"}, 2, `drainer watch: unexpected argument "everything"`},
		{[]string{"-h"}, 0, "Usage: drainer watch [--api URL] [--interval 2s]\n\nFollows"},
		{[]string{"--api", "http://127.0.0.1:1"}, 1, "cannot reach the drainer API at http://127.0.0.1:1"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"watch"}, c.args...), &out, &errb); code != c.wantCode || !strings.Contains(errb.String(), c.stderr) {
			t.Errorf("watch %v: exit %d, stderr %q; want %d, …%s…", c.args, code, errb.String(), c.wantCode, c.stderr)
		}
	}
}
