package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/web"
)

// TestRunServesTheDashboardFromAWS: drainer run --ui-listen against the
// emulator over loopback serves the same dashboard as drainer dev, built
// from AWS calls (groups, container instances, activities).
func TestRunServesTheDashboardFromAWS(t *testing.T) {
	endpoint, _ := startEmulator(t, "--manual", "--scenario", "testdata/run-scale-in.yaml")
	resp, err := http.Post(endpoint+"/_emulator/clock/advance", "application/json", strings.NewReader(`{"duration":"2m"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "dashboard")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "dashboard")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"run", "--no-queue", "--scan-interval", "0", "--listen", "127.0.0.1:0", "--ui-listen", "127.0.0.1:0",
			"--endpoint-url", endpoint, "--region", "us-east-1", "--log-format", "text"}, outW, io.Discard)
		outW.Close()
	}()
	var ui string
	lines := bufio.NewScanner(outR)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "dashboard on "); ok {
			ui = strings.TrimSpace(rest)
			break
		}
	}
	if ui == "" {
		t.Fatalf("drainer run did not print its dashboard address (exit %d)", <-code)
	}
	go io.Copy(io.Discard, outR)

	resp, err = http.Get(ui + "/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var snap web.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Groups) != 1 || snap.Groups[0].Name != "demo-asg" || len(snap.Groups[0].Instances) != 3 {
		t.Fatalf("groups on the dashboard = %+v, want demo-asg with 3 instances", snap.Groups)
	}
	if len(snap.Clusters) != 1 || snap.Clusters[0].Name != "demo" || len(snap.Clusters[0].ContainerInstances) != 3 {
		t.Fatalf("clusters on the dashboard = %+v, want demo with 3 container instances", snap.Clusters)
	}
	if len(snap.Activities) == 0 {
		t.Fatal("no scaling activity on the dashboard")
	}
	page, err := http.Get(ui + "/")
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("dashboard page: %v %v", err, page.Status)
	}
	page.Body.Close()

	cancel()
	if c := waitExit(t, code, "drainer run"); c != 0 {
		t.Fatalf("drainer run exited %d", c)
	}
}
