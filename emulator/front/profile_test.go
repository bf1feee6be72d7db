package front_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/front"
)

// TestAWSProfileOverTheWire: in a world throttled by the aws profile, the
// SDK's DescribeTasks gets ThrottlingException (which it takes for a
// throttle) once 100 cluster-resource reads have emptied ECS's bucket — a
// ListTasks too, as they share it, but not a DescribeServices. Tokens come
// back on virtual time: 20 a second, the whole burst after five.
func TestAWSProfileOverTheWire(t *testing.T) {
	cfg := emptyConfig()
	cfg.Throttle = fault.AWS
	w := emulator.New(cfg)
	h := front.New(w)
	e := clientsFor(w, h, sdkConfig(front.Transport(h)), baseEndpoint)
	ctx := ctxT(t)
	once := func(o *ecs.Options) { o.RetryMaxAttempts = 1 }
	_, err := e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}, once)
	noErr(t, err)
	describe := func() error {
		_, err := e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{"0123456789abcdef0123456789abcdef"}}, once)
		return err
	}
	burst := func(n int) {
		t.Helper()
		for i := range n {
			if err := describe(); err != nil {
				t.Fatalf("DescribeTasks %d of %d at +%v: %v", i+1, n, w.Now().Sub(emulator.DefaultStart), err)
			}
		}
		if err := describe(); apiCode(err) != "ThrottlingException" {
			t.Fatalf("DescribeTasks %d: %v, want ThrottlingException", n+1, err)
		}
	}
	burst(100)
	_, err = e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod")}, once)
	if apiCode(err) != "ThrottlingException" {
		t.Fatalf("ListTasks after 100 DescribeTasks: %v, want ThrottlingException (one bucket)", err)
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
		t.Fatalf("the SDK does not take %v for a throttle", err)
	}
	_, err = e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("prod"), Services: []string{"web"}}, once)
	noErr(t, err)

	w.Clock.RunFor(time.Second)
	burst(20)
	w.Clock.RunFor(5 * time.Second)
	burst(100)

	var b fault.BucketStats
	w.Do(func() {
		for _, x := range w.Faults.Buckets() {
			if x.Name == "ecs:cluster-resource-read" {
				b = x
			}
		}
	})
	if b.Calls != 224 || b.Throttled != 4 || b.Peak != 102 {
		t.Fatalf("bucket %+v: want 224 calls, 4 throttled, a peak of 102 in one second", b)
	}
	var throttled int
	w.Do(func() { throttled = w.Calls.CountBy("AKIDTEST", "ecs", "", "ThrottlingException") })
	if throttled != 4 {
		t.Fatalf("the call log counts %d ThrottlingException, want 4", throttled)
	}
}

// TestProfileLatencyOnVirtualTime: with the aws profile's latency, a call
// made from one of the clock's goroutines takes 50 ms of virtual time and
// no wall-clock wait, and the clock's owner moving time is not blocked by
// it.
func TestProfileLatencyOnVirtualTime(t *testing.T) {
	w := emulator.New(emptyConfig())
	d, err := fault.ParseLatency("aws")
	noErr(t, err)
	w.Do(func() { noErr(t, w.Faults.SetCallLatency(d)) })
	h := front.New(w)
	e := clientsFor(w, h, sdkConfig(front.Transport(h)), baseEndpoint)
	var took []time.Duration
	clock.Go(context.Background(), w.Clock, func(ctx context.Context) {
		for range 3 {
			start := w.Now()
			if _, err := e.ecs.ListClusters(ctx, &ecs.ListClustersInput{}); err != nil {
				t.Error(err)
				return
			}
			took = append(took, w.Now().Sub(start))
		}
	})
	w.Clock.RunFor(time.Minute)
	if len(took) != 3 {
		t.Fatalf("%d calls returned in a virtual minute, want 3", len(took))
	}
	for i, d := range took {
		if d != 50*time.Millisecond {
			t.Fatalf("call %d took %v of virtual time, want 50ms", i, d)
		}
	}
}
