package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// startEmulator runs `drainer emulator` in-process on a free loopback port
// and returns its endpoint and a stop function that ends it as SIGINT would
// and returns its exit code.
func startEmulator(t *testing.T, args ...string) (endpoint string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	logs := &syncWriter{w: &bytes.Buffer{}}
	go func() {
		code <- run(ctx, append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...), outW, logs)
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), " on http://"); ok {
			endpoint = "http://" + strings.Fields(rest)[0]
			break
		}
	}
	if endpoint == "" {
		cancel()
		t.Fatal("the emulator did not print its address")
	}
	go io.Copy(io.Discard, outR)
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return waitExit(t, code, "the emulator")
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("the emulator's log:\n%s", logs.w)
			logs.mu.Unlock()
		}
	})
	return endpoint, stop
}

func TestEmulatorServesAndStops(t *testing.T) {
	endpoint, stop := startEmulator(t, "--speed", "10", "--scenario", "../../emulator/scenario/testdata/scale-in.yaml")
	resp, err := http.Post(endpoint+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeAutoScalingGroups&Version=2011-01-01"))
	if err != nil {
		t.Fatalf("request to %s: %v", endpoint, err)
	}
	resp.Body.Close()
	if resp.StatusCode == 0 {
		t.Fatal("no answer")
	}
	if c := stop(); c != 0 {
		t.Fatalf("exit code %d after a clean stop, want 0", c)
	}
}

// TestEmulatorThrottlesWithTheAWSProfile: with --throttle aws and a clock
// that does not move (--manual, so no token comes back), ECS's cluster-read
// bucket lets 50 ListClusters through and answers the 51st with
// ThrottlingException.
func TestEmulatorThrottlesWithTheAWSProfile(t *testing.T) {
	endpoint, _ := startEmulator(t, "--manual", "--throttle", "aws")
	var statuses []int
	for range 51 {
		req, err := http.NewRequest("POST", endpoint+"/", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("request to %s: %v", endpoint, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if len(statuses) == 51 && !strings.Contains(string(body), "ThrottlingException") {
			t.Fatalf("51st ListClusters answered %d %s, want ThrottlingException", resp.StatusCode, body)
		}
	}
	for i, s := range statuses[:50] {
		if s != http.StatusOK {
			t.Fatalf("ListClusters %d answered %d within the burst of 50", i+1, s)
		}
	}
	if statuses[50] != http.StatusBadRequest {
		t.Fatalf("51st ListClusters answered %d, want 400", statuses[50])
	}
}

// TestEmulatorServesItsRegion: --region puts the world in that Region (its
// ARNs name it) and the emulator refuses requests signed for another.
func TestEmulatorServesItsRegion(t *testing.T) {
	endpoint, _ := startEmulator(t, "--manual", "--region", "eu-west-1")
	post := func(region string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader("Action=CreateTopic&Name=hooks&Version=2010-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/"+region+"/sns/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("eu-west-1"); code != http.StatusOK || !strings.Contains(body, "arn:aws:sns:eu-west-1:123456789012:hooks") {
		t.Fatalf("CreateTopic signed for eu-west-1: %d %s", code, body)
	}
	if code, body := post("us-east-1"); code != http.StatusForbidden || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") ||
		!strings.Contains(body, "not &#39;us-east-1&#39;") {
		t.Fatalf("CreateTopic signed for us-east-1: %d %s", code, body)
	}
	var errb bytes.Buffer
	if _, code, ok := parseEmulator([]string{"--region", ""}, &errb); ok || code != 2 || !strings.Contains(errb.String(), `invalid value "" for flag -region: must name a Region`) {
		t.Fatalf("--region '': ok %v, code %d, %s", ok, code, errb.String())
	}
}
