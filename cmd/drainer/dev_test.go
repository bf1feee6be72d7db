package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDevAtFullSpeed is the command CI runs: the demonstration story in
// virtual time, narrated, then the report; exit 0 when invariants held.
func TestDevAtFullSpeed(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"dev", "--no-ui", "--speed", "0", "--exit-when-done"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"scale in by two", "EC2 reclaims a Spot instance", "started an instance refresh",
		"drainer starts draining", "completed with CONTINUE", "invariants: 0 violations"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("narration lacks %q", want)
		}
	}
}

// TestDevLive runs the story live on a manual clock, the endpoint, API and
// dashboard served on loopback, and moves the world's clock a minute at a
// time through the endpoint's admin API until drainer dev, told to exit
// when the story is over, exits with its report. The clock moves only when
// the test says so and waits for drainer at every event, so a slow machine
// slows the story, it does not make drainer late.
func TestDevLive(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the whole story live, a virtual minute at a time")
	}
	ctx := testContext(t)
	devCtx, stopDev := context.WithCancel(context.Background())
	defer stopDev()
	out := &lineWatch{
		re:    regexp.MustCompile(`emulated AWS on (http://\S+) at a manual clock`),
		found: make(chan []string, 1),
	}
	errOut := &syncWriter{w: &bytes.Buffer{}}
	exited := make(chan int, 1)
	go func() {
		exited <- run(devCtx, []string{"dev", "--manual", "--exit-when-done", "--listen", "127.0.0.1:0",
			"--ui-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"}, out, errOut)
	}()
	var endpoint string
	select {
	case m := <-out.found:
		endpoint = m[1]
	case code := <-exited:
		t.Fatalf("drainer dev exited %d before serving\n%s", code, out)
	case <-ctx.Done():
		stopDev()
		waitExit(t, exited, "drainer dev")
		t.Fatalf("drainer dev printed no endpoint by the test's deadline\n%s", out)
	}

	// The demonstration is over in well under an hour of virtual time;
	// six hours without the end is a story that never ends.
	const step, limit = time.Minute, 6 * time.Hour
	code := -1
	for moved := time.Duration(0); code < 0; moved += step {
		if moved >= limit {
			stopDev()
			waitExit(t, exited, "drainer dev")
			t.Fatalf("the story is not over after %v of virtual time\n%s", limit, out)
		}
		select {
		case code = <-exited:
			continue
		default:
		}
		if _, err := postAdvance(ctx, endpoint, step); err != nil {
			// The story ended during this move or before it: drainer dev
			// is closing its endpoint on its way out.
			select {
			case code = <-exited:
			case <-ctx.Done():
				stopDev()
				waitExit(t, exited, "drainer dev")
				t.Fatalf("%v, and drainer dev did not exit\n%s", err, out)
			}
		}
	}
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut.w)
	}
	report := out.String()
	if !strings.Contains(report, "invariants: 0 violations") || strings.Contains(report, "unfinished") {
		t.Fatalf("report:\n%s", report)
	}
	if n := strings.Count(report, "complete: drained in"); n < 6 {
		t.Fatalf("%d drains completed, want the scale-in, the Spot instance and the refresh (≥ 6)\n%s", n, report)
	}
}

func TestDevFlags(t *testing.T) {
	for _, args := range [][]string{{"dev", "--speed", "-1"}, {"dev", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"dev", "--scenario", "missing.yaml"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no such file") {
		t.Errorf("missing scenario: exit %d, %q", code, errOut.String())
	}
}
