package aws_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// These tests drive the production path: the SDK with our middleware,
// over the real wire protocols, into an emulated world served in process.

// world builds a world from a YAML scenario.
func world(t *testing.T, yaml string) *emulator.World {
	t.Helper()
	sc, err := scenario.ParseYAML([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("scenario: %v", errs)
	}
	return run.World
}

// calls counts API attempts reported through OnCall.
type calls struct {
	mu sync.Mutex
	n  map[string]int // "service:op:outcome"
}

func (c *calls) record(service, op string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[service+":"+op+":"+apiCode(err)]++
}

func (c *calls) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// client returns a Client on w through the in-process front (unless
// opts.HTTPClient gives another way there). Its rate limits are high and
// on the world's clock, and it coalesces nothing, so a test in discrete
// mode calling from its own goroutine never waits on the clock; tests of
// the limits or of coalescing pass their own (and call through
// w.Clock.Call).
func client(t *testing.T, w *emulator.World, opts cloudaws.Options) *cloudaws.Client {
	t.Helper()
	opts.Region = "us-east-1"
	opts.Endpoint = "http://emulator.local"
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: front.Transport(front.New(w))}
	}
	opts.Credentials = credentials.NewStaticCredentialsProvider("AKIDDRAINER", "secret", "")
	if opts.Clock == nil {
		opts.Clock = w.Clock
	}
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	if opts.Limits == (cloudaws.Limits{}) {
		opts.Limits = cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast}
	}
	if opts.BatchWindow == 0 {
		opts.BatchWindow = -1
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Millisecond
	}
	c, err := cloudaws.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ctxT is the test's context: a call waits for as long as the test may
// run, never for a wall-clock time a busy machine could exceed.
func ctxT(t *testing.T) context.Context { return t.Context() }

// count is the world's call log count for service:op (every outcome).
func count(w *emulator.World, service, op string) (n int) {
	w.Do(func() { n = w.Calls.Count(service, op, "") })
	return n
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s || strings.HasSuffix(x, "/"+s) {
			return true
		}
	}
	return false
}
