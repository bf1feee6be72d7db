package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// isolateAWS gives the test a clean AWS and drainer environment: no shared
// configuration, no instance metadata, nothing from the developer's shell.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
		"DRAINER_QUEUE_URL": "", "DRAINER_CLUSTERS": "", "DRAINER_LISTEN": "", "DRAINER_API": "", "DRAINER_NO_QUEUE": "",
		"DRAINER_STANDALONE": "", "DRAINER_FALLBACK_POLL": "", "DRAINER_LOG_FORMAT": "", "DRAINER_EVENT_BUS": "",
	} {
		t.Setenv(k, v)
	}
}

func TestRunAndOperatorFlagErrors(t *testing.T) {
	isolateAWS(t)
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no queue", nil, []string{"run"}, 2, "--queue-url (or DRAINER_QUEUE_URL) is required"},
		{"queue and no queue", nil, []string{"run", "--queue-url", "http://q", "--no-queue"}, 2, "contradict"},
		{"bad standalone", nil, []string{"run", "--no-queue", "--standalone", "maybe"}, 2, `standalone policy "maybe"`},
		{"bad standalone from env", map[string]string{"DRAINER_STANDALONE": "later"}, []string{"run", "--no-queue"}, 2, `standalone policy "later"`},
		{"zero fallback poll", nil, []string{"run", "--no-queue", "--fallback-poll", "0s"}, 2, "--fallback-poll"},
		{"unreadable fallback poll", nil, []string{"run", "--no-queue", "--fallback-poll", "often"}, 2, "positive duration"},
		{"unknown preset", nil, []string{"run", "--no-queue", "--preset", "aggressive"}, 2, `--preset "aggressive"`},
		{"budget of zero", nil, []string{"run", "--no-queue", "--budget", "0"}, 2, "--budget"},
		{"negative idle time", nil, []string{"run", "--no-queue", "--idle-after", "-1m"}, 2, "--idle-after"},
		{"unreadable max lifetime", nil, []string{"run", "--no-queue", "--max-lifetime", "forever"}, 2, "--max-lifetime"},
		{"unreadable scan interval", nil, []string{"run", "--no-queue", "--scan-interval", "hourly"}, 2, "--scan-interval"},
		{"bad log format", nil, []string{"run", "--no-queue", "--log-format", "xml"}, 2, `--log-format "xml"`},
		{"stray argument", nil, []string{"run", "--no-queue", "now"}, 2, `unexpected argument "now"`},
		{"unknown flag", nil, []string{"run", "--fast"}, 2, "flag provided but not defined: -fast"},
		{"help", nil, []string{"run", "-h"}, 0, "Usage: drainer run"},
		{"no region", nil, []string{"run", "--no-queue"}, 1, "no AWS region: set --region or AWS_REGION"},
		{"no credentials", nil, []string{"run", "--no-queue", "--region", "us-east-1"}, 1, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"unreachable endpoint", map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1"},
			[]string{"run", "--no-queue", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1", "--cluster", "demo"}, 1, "AWS_ENDPOINT_URL"},
		{"drain without instance", nil, []string{"drain"}, 2, "which instance?"},
		{"drain two instances", nil, []string{"drain", "i-1", "i-2"}, 2, "one instance at a time"},
		{"drain bad deadline", nil, []string{"drain", "i-0123456789abcdef0", "--deadline", "soon"}, 2, `--deadline "soon"`},
		{"drain unknown flag", nil, []string{"drain", "--now", "i-1"}, 2, "flag provided but not defined: -now"},
		{"drain help", nil, []string{"drain", "-h"}, 0, "Usage: drainer drain"},
		{"drain without a controller", nil, []string{"drain", "i-0123456789abcdef0", "--api", "http://127.0.0.1:1"}, 1, "cannot reach the drainer API at http://127.0.0.1:1"},
		{"deregister without force", nil, []string{"deregister", "i-0123456789abcdef0"}, 2, "refusing without --force"},
		{"deregister without instance", nil, []string{"deregister", "--force"}, 2, "which instance?"},
		{"deregister without a controller", map[string]string{"DRAINER_API": "http://127.0.0.1:1"}, []string{"deregister", "--force", "i-0123456789abcdef0"}, 1, "is 'drainer run' or 'drainer dev' running there?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut.String(), tt.wantStderr)
			}
		})
	}
}

// startController runs `drainer run` in-process and returns its API URL
// and a stop function returning its exit code.
func startController(t *testing.T, args ...string) (apiURL string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	var logs bytes.Buffer
	go func() {
		code <- run(ctx, append([]string{"run", "--listen", "127.0.0.1:0", "--log-format", "text"}, args...), outW, &syncWriter{w: &logs})
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "API on "); ok {
			apiURL = strings.Fields(rest)[0]
			break
		}
	}
	if apiURL == "" {
		cancel()
		t.Fatalf("drainer run did not print its API address; exit %d", <-code)
	}
	go io.Copy(io.Discard, outR)
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(15 * time.Second):
			t.Fatal("drainer run did not stop within 15s of its context ending")
			return -1
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("drainer run's log:\n%s", logs.String())
		}
	})
	return apiURL, stop
}

func TestRunDrainsAScaleInAgainstTheEmulator(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "drainer")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	// The scenario starts at the wall clock's now: drainer run keeps its
	// deadlines on the wall clock, the emulator runs 200× faster from there.
	tmpl, err := os.ReadFile("testdata/run-scale-in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scenarioFile := filepath.Join(t.TempDir(), "run-scale-in.yaml")
	sc := fmt.Sprintf("start: %s\n%s", time.Now().UTC().Format(time.RFC3339), tmpl)
	if err := os.WriteFile(scenarioFile, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	endpoint, stopEmulator := startEmulator(t, "--speed", "200", "--scenario", scenarioFile)
	var queueURL string
	for _, q := range getSnapshot(t, endpoint).Queues {
		if strings.HasSuffix(q.URL, "/drainer") {
			queueURL = q.URL
		}
	}
	if queueURL == "" {
		t.Fatal("the scenario's drainer queue is missing")
	}
	apiURL, stopController := startController(t, "--queue-url", queueURL, "--endpoint-url", endpoint, "--region", "us-east-1", "--fallback-poll", "100ms", "--budget", "100%")

	// The scale-in at 1m (0.3 s of wall time) picks an instance; its hook
	// holds it for 2 h of virtual time (36 s), so only drainer releases it
	// within the bound.
	deadline := time.Now().Add(20 * time.Second)
	var snap snapshot
	for {
		snap = getSnapshot(t, endpoint)
		if snap.terminated() != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no instance terminated within 20s; world: %+v", snap)
		}
		time.Sleep(100 * time.Millisecond) // poll a live process, bounded above
	}
	gone := snap.terminated()

	// Drainer completed the lifecycle action and counted it.
	m := getText(t, apiURL+"/metrics")
	for _, want := range []string{`drainer_drains_started_total{reason="lifecycle"} 1`, "drainer_lifecycle_actions_completed_total 1", `drainer_queue_messages_total{kind="lifecycle-action",outcome="handled"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Drain events go to EventBridge asynchronously: wait for the first.
	for !strings.Contains(getText(t, apiURL+"/metrics"), `drainer_events_published_total{outcome="published"}`) {
		if time.Now().After(deadline) {
			t.Fatal("no drain event published to EventBridge within the bound")
		}
		time.Sleep(50 * time.Millisecond) // poll a live process, bounded above
	}
	if h := getText(t, apiURL+"/healthz"); h != "ok\n" {
		t.Errorf("/healthz = %q", h)
	}

	// An operator drains another instance through the CLI.
	var other string
	for _, ci := range snap.Clusters[0].ContainerInstances {
		if ci.EC2InstanceID != gone && ci.Status == "ACTIVE" {
			other = ci.EC2InstanceID
			break
		}
	}
	if other == "" {
		t.Fatalf("no other ACTIVE container instance: %+v", snap.Clusters)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"drain", other, "--deadline", "30m", "--reason", "kernel patch", "--api", apiURL}, &out, &errOut); code != 0 {
		t.Fatalf("drainer drain = %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "drain of "+other+" started in cluster demo: reason operator") {
		t.Errorf("drainer drain printed %q", out.String())
	}
	if code := run(context.Background(), []string{"drain", "i-0123456789abcdef0", "--api", apiURL}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "not a container instance") {
		t.Errorf("drain of an unknown instance = %d, stderr %q", code, errOut.String())
	}

	if c := stopController(); c != 0 {
		t.Errorf("drainer run exit code %d after a clean stop, want 0", c)
	}
	if c := stopEmulator(); c != 0 {
		t.Errorf("emulator exit code %d after a clean stop, want 0", c)
	}
}

type snapshot struct {
	Queues []struct {
		URL string `json:"queueUrl"`
	} `json:"queues"`
	Instances []struct {
		InstanceID string `json:"instanceId"`
		State      string `json:"state"`
	} `json:"instances"`
	Clusters []struct {
		ContainerInstances []struct {
			EC2InstanceID string `json:"ec2InstanceId"`
			Status        string `json:"status"`
		} `json:"containerInstances"`
	} `json:"clusters"`
}

func (s snapshot) terminated() string {
	for _, i := range s.Instances {
		if i.State == "terminated" || i.State == "shutting-down" {
			return i.InstanceID
		}
	}
	return ""
}

func getSnapshot(t *testing.T, endpoint string) snapshot {
	t.Helper()
	var s snapshot
	if err := json.Unmarshal([]byte(getText(t, endpoint+"/_emulator/snapshot")), &s); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}
