package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// lineWatch collects a command's output and reports the first match of a
// pattern on it.
type lineWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	re    *regexp.Regexp
	found chan string
	done  bool
}

func (l *lineWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.done {
		if m := l.re.FindStringSubmatch(l.buf.String()); m != nil {
			l.done = true
			l.found <- m[1]
		}
	}
	return len(p), nil
}

func (l *lineWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestDashboardInBrowser runs drainer dev live and watches the dashboard in
// headless Chromium: an instance goes Terminating:Wait, its container
// instance DRAINING, then the instance leaves the group. With
// DRAINER_UPDATE_SCREENSHOT=1 it writes docs/dashboard.png mid-drain.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs drainer dev and a browser (about 15 s)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: .ci/run installs Debian's chromium for this test", chromiumPath)
		}
		t.Skipf("%s is missing (.ci/run installs it)", chromiumPath)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWatch{re: regexp.MustCompile(`dashboard on (http://\S+)`), found: make(chan string, 1)}
	errOut := &syncWriter{w: &bytes.Buffer{}}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"dev", "--speed", "100", "--listen", "127.0.0.1:0",
			"--ui-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"}, out, errOut)
	}()
	defer func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Error("drainer dev did not stop within 10 s of its context's end")
		}
	}()
	var url string
	select {
	case url = <-out.found:
	case code := <-exited:
		t.Fatalf("drainer dev exited %d\n%s", code, out)
	case <-time.After(10 * time.Second):
		t.Fatalf("drainer dev printed no dashboard address\n%s", out)
	}

	alloc, stopAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
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

	// poll evaluates a JavaScript expression until it yields a non-empty
	// string, or fails the test after limit.
	poll := func(what, expr string, limit time.Duration) string {
		t.Helper()
		end := time.Now().Add(limit)
		for {
			got, err := chromedp.Run(browser, chromedp.Evaluate[string](expr))
			if err == nil && got != "" {
				return got
			}
			if time.Now().After(end) {
				t.Fatalf("after %v, the dashboard does not show %s (last error: %v)\n%s", limit, what, err, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	start := time.Now()
	id := poll("an instance in Terminating:Wait", `(() => {
		for (const td of document.querySelectorAll("#groups td.lifecycle"))
			if (td.textContent === "Terminating:Wait") return td.parentElement.dataset.instance;
		return "";
	})()`, 20*time.Second)
	t.Logf("%v: %s is Terminating:Wait", time.Since(start).Round(time.Millisecond), id)
	poll("its container instance DRAINING", `(() => {
		const td = document.querySelector('#clusters tr[data-instance="`+id+`"] td.status');
		return td && td.textContent === "DRAINING" ? "yes" : "";
	})()`, 15*time.Second)
	t.Logf("%v: its container instance is DRAINING", time.Since(start).Round(time.Millisecond))
	poll("its drain in progress", `document.querySelector('#drains tr[data-instance="`+id+`"] .countdown.hard')?.textContent || ""`, 10*time.Second)
	if os.Getenv("DRAINER_UPDATE_SCREENSHOT") == "1" {
		time.Sleep(time.Second) // some tasks moved, a few events on the timeline
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile("../../docs/dashboard.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote docs/dashboard.png (%d bytes)", len(png))
	}
	poll("the instance gone from the group", `document.querySelector('#groups tr[data-instance="`+id+`"]') ? "" : "gone"`, 25*time.Second)
	t.Logf("%v: %s is gone", time.Since(start).Round(time.Millisecond), id)
	if s := out.String(); !strings.Contains(s, "drainer's API on http://") {
		t.Errorf("dev does not print the API's address:\n%s", s)
	}
}
