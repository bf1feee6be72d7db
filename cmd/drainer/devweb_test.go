package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium binary itself, not its /usr/bin
// launcher script: the script's check of /dev/shm's free space breaks on
// some machines ("[: …: unexpected operator"), and a headless browser
// needs none of the flags it adds (the test passes disable-dev-shm-usage
// itself).
const chromiumPath = "/usr/lib/chromium/chromium"

// lineWatch collects a command's output and reports the submatches of the
// first match of a pattern on it.
type lineWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	re    *regexp.Regexp
	found chan []string
	done  bool
}

func (l *lineWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.done {
		if m := l.re.FindStringSubmatch(l.buf.String()); m != nil {
			l.done = true
			l.found <- m
		}
	}
	return len(p), nil
}

func (l *lineWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestDashboardInBrowser runs drainer dev on a manual clock and watches the
// dashboard in headless Chromium while the test moves the world's clock a
// step at a time: an instance goes Terminating:Wait, its container
// instance DRAINING, its drain shows with a countdown, then the instance
// leaves the group. Between steps the world stands still (drainer runs on
// its clock), so the page is judged on a state that does not move, once it
// shows the world's time. With DRAINER_UPDATE_SCREENSHOT=1 it writes
// docs/dashboard.png mid-drain.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs drainer dev and a browser")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: .ci/run installs Debian's chromium for this test", chromiumPath)
		}
		t.Skipf("%s is missing (.ci/run installs it)", chromiumPath)
	}
	ctx := testContext(t)
	devCtx, stopDev := context.WithCancel(context.Background())
	defer stopDev()
	out := &lineWatch{
		re:    regexp.MustCompile(`(?s)emulated AWS on (http://\S+) at .*drainer's API on (http://[^\s;]+).*dashboard on (http://\S+)`),
		found: make(chan []string, 1),
	}
	errOut := &syncWriter{w: &bytes.Buffer{}}
	exited := make(chan int, 1)
	go func() {
		exited <- run(devCtx, []string{"dev", "--manual", "--listen", "127.0.0.1:0",
			"--ui-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"}, out, errOut)
	}()
	defer func() {
		stopDev()
		waitExit(t, exited, "drainer dev")
	}()
	var addrs []string
	select {
	case addrs = <-out.found:
	case code := <-exited:
		exited <- code // for the deferred wait
		t.Fatalf("drainer dev exited %d\n%s", code, out)
	case <-ctx.Done():
		t.Fatalf("drainer dev printed no addresses by the test's deadline\n%s", out)
	}
	endpoint, apiURL, url := addrs[1], addrs[2], addrs[3]

	alloc, stopAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1100),
	)
	defer stopAlloc()
	browser, stopBrowser := chromedp.NewContext(alloc)
	defer stopBrowser()
	if err := chromedp.Do(browser, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}

	// page waits, in the browser, until a JavaScript expression yields a
	// non-empty string at a change of the page, and returns it. Only the
	// test's deadline bounds the wait; an expression that throws fails at
	// once.
	page := func(what, expr string) string {
		t.Helper()
		got, err := chromedp.Run(browser, chromedp.Poll[string](expr,
			chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(0)))
		if err != nil {
			t.Fatalf("the dashboard does not show %s: %v\n%s", what, err, out)
		}
		return got
	}
	// caughtUp waits until the page shows the world at s.Time: the last
	// snapshot it rendered (app.js keeps it in last) is of that time.
	caughtUp := func(s snapshot) {
		t.Helper()
		page("the world's time "+s.Time.Format(time.TimeOnly),
			fmt.Sprintf(`last && Date.parse(last.time) >= %d ? "yes" : ""`, s.Time.UnixMilli()))
	}
	advance := func(what string, cond func(snapshot) bool) snapshot {
		t.Helper()
		s := advanceUntil(ctx, t, endpoint, what, nil, cond)
		caughtUp(s)
		return s
	}

	world := advance("an instance in Terminating:Wait", func(s snapshot) bool { return s.instanceIn("Terminating:Wait") != "" })
	id := page("an instance in Terminating:Wait", `(() => {
		for (const td of document.querySelectorAll("#groups td.lifecycle"))
			if (td.textContent === "Terminating:Wait") return td.parentElement.dataset.instance;
		return "";
	})()`)
	if got := world.lifecycleState(id); got != "Terminating:Wait" {
		t.Fatalf("the dashboard shows %s in Terminating:Wait, the world %q", id, got)
	}
	t.Logf("%v: %s is Terminating:Wait", world.Time.Format(time.TimeOnly), id)

	world = advance("its container instance DRAINING", func(s snapshot) bool { return s.containerStatus(id) == "DRAINING" })
	page("its container instance DRAINING", `(() => {
		const td = document.querySelector('#clusters tr[data-instance="`+id+`"] td.status');
		return td && td.textContent === "DRAINING" ? "yes" : "";
	})()`)
	t.Logf("%v: its container instance is DRAINING", world.Time.Format(time.TimeOnly))

	world = advance("drainer's drain of "+id, func(snapshot) bool { return strings.Contains(getText(t, apiURL+"/v1/drains"), id) })
	page("its drain with a countdown", `document.querySelector('#drains tr[data-instance="`+id+`"] .countdown.hard')?.textContent || ""`)
	t.Logf("%v: its drain shows a countdown", world.Time.Format(time.TimeOnly))

	// Mid-drain, 90 s on: the service's tasks have moved, the rest wait.
	until := world.Time.Add(90 * time.Second)
	world = advance("90 s of the drain", func(s snapshot) bool { return !s.Time.Before(until) })
	if got := world.lifecycleState(id); got != "Terminating:Wait" {
		t.Fatalf("90 s into the drain, %s is %q, want still Terminating:Wait", id, got)
	}
	page("the drain 90 s on", `document.querySelector('#drains tr[data-instance="`+id+`"] .countdown.hard')?.textContent || ""`)
	if os.Getenv("DRAINER_UPDATE_SCREENSHOT") == "1" {
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile("../../docs/dashboard.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote docs/dashboard.png (%d bytes)", len(png))
	}

	world = advance(id+" gone from the group", func(s snapshot) bool { return s.lifecycleState(id) == "" })
	page("the instance gone from the group", `document.querySelector('#groups tr[data-instance="`+id+`"]') ? "" : "gone"`)
	t.Logf("%v: %s is gone", world.Time.Format(time.TimeOnly), id)
	if s := out.String(); !strings.Contains(s, "drainer's API on http://") {
		t.Errorf("dev does not print the API's address:\n%s", s)
	}
}
