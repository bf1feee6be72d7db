package aws_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator/fault"
)

// TestThrottlingIsRetriedAndCounted: ECS throttles ListClusters to one a
// second; the client's retries, backing off on the world's clock, get every
// call through, and OnCall sees each throttled attempt exactly as the world
// logged it.
func TestThrottlingIsRetriedAndCounted(t *testing.T) {
	w := world(t, demoWorld)
	noErr(t, w.Faults.Set(fault.Rule{Service: "ecs", Operation: "DescribeServices", Rate: 1, Burst: 1}))
	var seen calls
	c := client(t, w, cloudaws.Options{OnCall: seen.record, MaxAttempts: 20, MaxBackoff: 2 * time.Second, JitterSeed: 7})
	start := w.Now()
	if !w.Clock.Call(ctxT(t), start.Add(time.Hour), func(ctx context.Context) {
		for range 4 {
			_, err := c.DescribeServices(ctx, "demo", []string{"web"})
			noErr(t, err)
		}
	}) {
		t.Fatal("four throttled calls did not end within a virtual hour")
	}
	if took := w.Now().Sub(start); took < 3*time.Second {
		t.Errorf("four calls at one a second took %v of virtual time, want at least 3s", took)
	}
	var ok, throttled int
	w.Do(func() {
		ok = w.Calls.Count("ecs", "DescribeServices", "OK")
		throttled = w.Calls.Count("ecs", "DescribeServices", "ThrottlingException")
	})
	if ok != 4 || throttled == 0 {
		t.Fatalf("world saw %d OK and %d throttled DescribeServices, want 4 OK and some throttled", ok, throttled)
	}
	if got := seen.count("ecs:DescribeServices:"); got != ok {
		t.Errorf("OnCall saw %d successful attempts, world %d", got, ok)
	}
	if got := seen.count("ecs:DescribeServices:ThrottlingException"); got != throttled {
		t.Errorf("OnCall saw %d throttled attempts, world %d", got, throttled)
	}
}

// TestThrottledAfterRetriesIsErrThrottled: with a bucket that never
// refills in time, the call ends in ErrThrottled carrying the AWS code,
// after MaxAttempts attempts.
func TestThrottledAfterRetriesIsErrThrottled(t *testing.T) {
	w := world(t, demoWorld)
	noErr(t, w.Faults.Set(fault.Rule{Service: "autoscaling", Operation: "*", Rate: 0.0001, Burst: 1}))
	var seen calls
	c := client(t, w, cloudaws.Options{OnCall: seen.record, MaxAttempts: 3, MaxBackoff: time.Millisecond})
	var err error
	w.Clock.Call(ctxT(t), w.Now().Add(time.Hour), func(ctx context.Context) {
		_, err = c.DescribeGroups(ctx, nil) // takes the one token
		noErr(t, err)
		_, err = c.DescribeGroups(ctx, nil)
	})
	if !errors.Is(err, cloud.ErrThrottled) || apiCode(err) != "Throttling" {
		t.Fatalf("err = %v, want ErrThrottled wrapping Throttling", err)
	}
	if got := seen.count("autoscaling:DescribeAutoScalingGroups:Throttling"); got != 3 {
		t.Errorf("OnCall saw %d throttled attempts, want 3 (MaxAttempts)", got)
	}
}

// TestClientRateLimitWaitsOnTheClock: with ECS limited to 2 a second
// (burst 1), five calls spread over two virtual seconds.
func TestClientRateLimitWaitsOnTheClock(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{Limits: cloudaws.Limits{
		ECS: cloudaws.Limit{Rate: 2, Burst: 1}, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast,
	}})
	start := w.Now()
	// The calls run as one of the world clock's goroutines: the limiter's
	// waits let virtual time move, and nothing else moves it.
	if !w.Clock.Call(ctxT(t), start.Add(time.Hour), func(ctx context.Context) {
		for range 5 {
			_, err := c.DescribeServices(ctx, "demo", []string{"web"})
			noErr(t, err)
		}
	}) {
		t.Fatal("five rate-limited calls did not end within a virtual hour")
	}
	// The burst takes the first token at once, each later call waits half
	// a second for its own.
	var last time.Time
	n := 0
	w.Do(func() {
		for _, call := range w.Calls.All() {
			if call.Operation == "DescribeServices" {
				last, n = call.Time, n+1
			}
		}
	})
	if n != 5 {
		t.Fatalf("%d DescribeServices in the log", n)
	}
	if span := last.Sub(start); span != 2*time.Second {
		t.Errorf("five calls at 2/s spanned %v of virtual time, want 2s", span)
	}
}

// TestListClustersIsReusedForFiveMinutes: every part of drainer asks for
// the clusters; one listing serves them for five minutes of the clock.
func TestListClustersIsReusedForFiveMinutes(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{})
	count := func() int {
		n := 0
		w.Do(func() {
			for _, call := range w.Calls.All() {
				if call.Operation == "ListClusters" {
					n++
				}
			}
		})
		return n
	}
	list := func() []string {
		var arns []string
		w.Clock.Call(ctxT(t), w.Now().Add(time.Hour), func(ctx context.Context) {
			var err error
			arns, err = c.ListClusters(ctx)
			noErr(t, err)
		})
		return arns
	}
	first := list()
	if len(first) != 1 || len(list()) != 1 || count() != 1 {
		t.Fatalf("%d ListClusters calls for two listings at once (got %v), want one", count(), first)
	}
	w.Clock.RunFor(5 * time.Minute)
	list()
	if count() != 2 {
		t.Fatalf("%d ListClusters calls after five minutes, want the listing read again", count())
	}
}
