package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	a := func(phase string) string {
		return drainJSON("i-0aaaaaaaaaaaaaaaa", phase, -3*time.Minute, 12*time.Minute, 2*time.Hour, "")
	}
	b := func(phase string) string {
		return drainJSON("i-0bbbbbbbbbbbbbbbb", phase, -time.Minute, time.Hour, 3*time.Hour, "")
	}
	for _, c := range []struct {
		name     string
		bodies   []string
		cancelAt int // cancel the context at this wait (0: never)
		wantCode int
		want     []string // stdout lines, in order, after the timestamp
		stderr   string
	}{
		{name: "nothing to watch", bodies: []string{drainsBody()}, want: []string{"no drains in progress"}},
		{name: "start, phase change, finish", bodies: []string{
			drainsBody(a("graceful")),
			drainsBody(a("graceful")), // no change: no line
			drainsBody(a("graceful"), b("graceful")),
			drainsBody(a("hard"), b("graceful")),
			drainsBody(b("graceful")),
			drainsBody(b("releasing")),
			drainsBody(),
		}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining: cluster demo, reason lifecycle, phase graceful, in drain 3m, graceful in 12m, hard deadline in 2h",
			"i-0bbbbbbbbbbbbbbbb drain started: cluster demo, reason lifecycle, phase graceful, in drain 1m, graceful in 1h, hard deadline in 3h",
			"i-0aaaaaaaaaaaaaaaa phase graceful → hard (in drain 3m, hard deadline in 2h)",
			"i-0aaaaaaaaaaaaaaaa drain finished after 3m (last phase hard)",
			"i-0bbbbbbbbbbbbbbbb phase graceful → releasing (in drain 1m, hard deadline in 3h)",
			"i-0bbbbbbbbbbbbbbbb drain finished after 1m (last phase releasing)",
			"all drains finished",
		}},
		{name: "two finish at once", bodies: []string{drainsBody(b("graceful"), a("graceful")), drainsBody()}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"i-0bbbbbbbbbbbbbbbb draining:",
			"i-0aaaaaaaaaaaaaaaa drain finished",
			"i-0bbbbbbbbbbbbbbbb drain finished",
			"all drains finished",
		}},
		{name: "a failed look is retried", bodies: []string{drainsBody(a("graceful")), "!503 busy", drainsBody()}, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"i-0aaaaaaaaaaaaaaaa drain finished",
			"all drains finished",
		}, stderr: "busy"},
		{name: "gives up after failures in a row", bodies: []string{drainsBody(a("graceful")), "!500 broken"}, wantCode: 1, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
		}, stderr: "giving up after 5 failed looks in a row"},
		{name: "Ctrl-C", bodies: []string{drainsBody(a("graceful"))}, cancelAt: 3, want: []string{
			"i-0aaaaaaaaaaaaaaaa draining:",
			"stopped watching; 1 drain(s) still in progress",
		}},
		{name: "controller refuses the first look", bodies: []string{"!503 not ready"}, wantCode: 1, stderr: "not ready"},
	} {
		t.Run(c.name, func(t *testing.T) {
			setWallNow(t, func() time.Time { return statusNow })
			srv := newDrainsServer(t, c.bodies...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			waits := 0
			old := watchWait
			watchWait = func(ctx context.Context, d time.Duration) error {
				if d != 5*time.Second {
					t.Errorf("waited %s, want the --interval 5s", d)
				}
				waits++
				if waits == c.cancelAt {
					cancel()
				}
				if waits > 100 {
					t.Fatal("watch never ends")
				}
				return ctx.Err()
			}
			t.Cleanup(func() { watchWait = old })
			var out, errb bytes.Buffer
			code := run(ctx, []string{"watch", "--api", srv.URL, "--interval", "5s"}, &out, &errb)
			if code != c.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, c.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q, want …%s…", errb.String(), c.stderr)
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
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"watch", "--interval", "0s"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--interval 0s") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"watch", "-h"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "Usage: drainer watch") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
