package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEmulatorServesAndStops starts the emulator on a free loopback port,
// reads the address it prints, makes a request, and stops it as SIGINT
// would (by cancelling its context).
func TestEmulatorServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"emulator", "--listen", "127.0.0.1:0", "--speed", "10", "--scenario", "../../emulator/scenario/testdata/scale-in.yaml"}, outW, io.Discard)
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	var endpoint string
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), " on http://"); ok {
			endpoint = "http://" + strings.Fields(rest)[0]
			break
		}
	}
	if endpoint == "" {
		t.Fatal("the emulator did not print its address")
	}
	go io.Copy(io.Discard, outR)

	resp, err := http.Post(endpoint+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeAutoScalingGroups&Version=2011-01-01"))
	if err != nil {
		t.Fatalf("request to %s: %v", endpoint, err)
	}
	resp.Body.Close()
	if resp.StatusCode == 0 {
		t.Fatal("no answer")
	}

	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d after a clean stop, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop within 10s of its context ending")
	}
}
