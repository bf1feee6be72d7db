package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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

// TestDevLive runs the story live at 200× real time, the endpoint, API and
// dashboard served on loopback, until the story is over. The world's clock
// waits for drainer at every event, so a slow machine slows the story, it
// does not make drainer late.
func TestDevLive(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the story at 200× real time (about 10 s)")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"dev", "--speed", "200", "--exit-when-done", "--listen", "127.0.0.1:0", "--ui-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "invariants: 0 violations") || strings.Contains(out.String(), "unfinished") {
		t.Fatalf("report:\n%s", out.String())
	}
	if n := strings.Count(out.String(), "complete: drained in"); n < 6 {
		t.Fatalf("%d drains completed, want the scale-in, the Spot instance and the refresh (≥ 6)\n%s", n, out.String())
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
