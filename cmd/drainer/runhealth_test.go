package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/drainer-dev/drainer/clock"
)

// healthWorld starts the emulator on testdata/run-health.yaml (manual
// clock) and returns its endpoint, drainer queue's URL and that queue's ARN.
func healthWorld(t *testing.T) (endpoint, queueURL, queueARN string) {
	t.Helper()
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "drainer")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	endpoint, _ = startEmulator(t, "--manual", "--scenario", "testdata/run-health.yaml")
	for _, q := range getSnapshot(t, endpoint).Queues {
		if strings.HasSuffix(q.URL, "/drainer") {
			queueURL = q.URL
		}
	}
	if queueURL == "" {
		t.Fatal("the scenario's drainer queue is missing")
	}
	// The emulator's queue URLs are ENDPOINT/ACCOUNT/NAME, as SQS's.
	parts := strings.Split(queueURL, "/")
	return endpoint, queueURL, "arn:aws:sqs:us-east-1:" + parts[len(parts)-2] + ":drainer"
}

// TestRunStopsWhenTheQueueCannotBeRead: drainer run with a queue that
// does not exist, by URL, name or ARN, stops at start with one line that
// names the queue and says what to do, instead of retrying for ever.
func TestRunStopsWhenTheQueueCannotBeRead(t *testing.T) {
	endpoint, queueURL, queueARN := healthWorld(t)
	gone := strings.TrimSuffix(queueURL, "drainer") + "gone"
	for _, c := range []struct{ name, queue, want string }{
		{"by URL", gone, "drainer run: queue " + gone + ": no such queue in Region us-east-1, or drainer's role may not see it: create it (drainer setup creates it), check --queue-url and --region"},
		{"by name", "gone", "drainer run: queue gone: no such queue in Region us-east-1"},
		{"by ARN", strings.TrimSuffix(queueARN, "drainer") + "gone", "drainer run: queue " + strings.TrimSuffix(queueARN, "drainer") + "gone: no such queue in Region us-east-1"},
		{"by the ARN of another account", "arn:aws:sqs:us-east-1:999999999999:drainer", "drainer run: queue arn:aws:sqs:us-east-1:999999999999:drainer: no such queue"},
		{"by an ARN of another Region", strings.Replace(queueARN, "us-east-1", "eu-west-1", 1), "the queue is in Region eu-west-1 and drainer calls Region us-east-1: run drainer in the queue's Region (--region eu-west-1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(testContext(t), []string{"run", "--queue-url", c.queue, "--endpoint-url", endpoint, "--region", "us-east-1",
				"--listen", "127.0.0.1:0", "--cluster", "demo", "--log-format", "text"}, &out, &errOut)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			// The log may hold lines of its own; drainer run's verdict is
			// the last line, alone.
			lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, c.want) {
				t.Errorf("last line of stderr %q, want it to contain %q (stderr %q)", last, c.want, errOut.String())
			}
			if strings.Contains(out.String(), "API on") {
				t.Errorf("drainer run served its API: %q", out.String())
			}
		})
	}
}

// TestRunHealthFollowsTheQueue runs drainer run on the queue's ARN:
// /readyz answers 200 as soon as the API serves (the start check read the
// queue), while the first long poll still waits; /healthz answers 200
// while the queue answers, 503 with the reason once the queue has been
// gone for longer than --unhealthy-after, and 200 again when it is back.
// Health is judged on a virtual clock the test moves; the emulator's clock
// is manual, moved so that drainer's long polls return.
func TestRunHealthFollowsTheQueue(t *testing.T) {
	endpoint, queueURL, queueARN := healthWorld(t)
	ctx := testContext(t)
	judge := clock.NewVirtual(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	healthClock = judge
	t.Cleanup(func() { healthClock = clock.Real{} })

	apiURL, exited, stop := startController(t, "--queue-url", queueARN, "--endpoint-url", endpoint, "--region", "us-east-1",
		"--cluster", "demo", "--unhealthy-after", "5m")
	ctx, stopWaits := whileRunning(ctx, exited)
	defer stopWaits()

	// The first long poll waits for the emulator's clock, which has not
	// moved: drainer is ready and alive all the same.
	if code, v := getVerdict(ctx, t, apiURL+"/readyz"); code != http.StatusOK || v.Status != "ok" {
		t.Errorf("/readyz before a receive = %d %+v, want 200 (the start check read the queue)", code, v)
	}
	if code, v := getVerdict(ctx, t, apiURL+"/healthz"); code != http.StatusOK || v.Status != "ok" {
		t.Errorf("/healthz at start = %d %+v", code, v)
	}
	// The queue goes while that poll waits (drainer was given its ARN and
	// resolved it to this URL).
	q := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queueURL)}); err != nil {
		t.Fatal(err)
	}
	var failing healthVerdict
	stepUntil(ctx, t, endpoint, "drainer to find its queue gone", func() bool {
		_, failing = getVerdict(ctx, t, apiURL+"/healthz")
		return !failing.Dependencies["queue"].FailingSince.IsZero()
	})
	if failing.Status != "ok" {
		t.Errorf("/healthz the moment the queue went = %+v, want ok until --unhealthy-after", failing)
	}
	// Five minutes of failing is not more than five: still alive.
	judge.RunFor(5 * time.Minute)
	if code, v := getVerdict(ctx, t, apiURL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz after 5m of a missing queue = %d %+v, want 200", code, v)
	}
	judge.RunFor(time.Second)
	code, v := getVerdict(ctx, t, apiURL+"/healthz")
	if code != http.StatusServiceUnavailable || v.Status != "unhealthy" || len(v.Reasons) != 1 ||
		!strings.HasPrefix(v.Reasons[0], "queue unreachable for 5m (more than 5m)") || !strings.Contains(v.Reasons[0], "does not exist") {
		t.Errorf("/healthz after 5m1s of a missing queue = %d %+v, want 503 naming the queue", code, v)
	}
	// Readiness is not liveness: drainer stays ready.
	if code, _ := getVerdict(ctx, t, apiURL+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with the queue gone = %d, want 200", code)
	}

	// SQS refuses a queue of the same name for 60 s after a delete.
	advanceClock(ctx, t, endpoint, time.Minute+worldStep)
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("drainer")}); err != nil {
		t.Fatal(err)
	}
	stepUntil(ctx, t, endpoint, "/healthz to answer 200 again", func() bool {
		code, _ := getVerdict(ctx, t, apiURL+"/healthz")
		return code == http.StatusOK
	})
	if c := stop(); c != 0 {
		t.Errorf("drainer run exit code %d after a clean stop", c)
	}
}

// healthVerdict is the JSON of /healthz and /readyz.
type healthVerdict struct {
	OK           bool     `json:"ok"`
	Status       string   `json:"status"`
	Reasons      []string `json:"reasons"`
	Dependencies map[string]struct {
		LastSuccess  time.Time `json:"lastSuccess"`
		FailingSince time.Time `json:"failingSince"`
		LastError    string    `json:"lastError"`
	} `json:"dependencies"`
}

// getVerdict GETs a health endpoint and returns its status and verdict.
func getVerdict(ctx context.Context, t *testing.T, url string) (int, healthVerdict) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	var v healthVerdict
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		t.Fatalf("GET %s = %d %q: %v", url, resp.StatusCode, b, err)
	}
	return resp.StatusCode, v
}

// stepUntil moves the emulator's manual clock a worldStep at a time, with
// a pause between moves (how often to look, not a bound), until cond
// holds; it fails the test if ctx ends first.
func stepUntil(ctx context.Context, t *testing.T, endpoint, what string, cond func() bool) {
	t.Helper()
	waitFor(ctx, t, what, func() bool {
		if cond() {
			return true
		}
		if _, err := postAdvance(ctx, endpoint, worldStep); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		return false
	})
}
