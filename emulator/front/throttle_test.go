package front_test

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/front"
)

// TestThrottlingIsRetriedBySDK sets a token bucket of one call a second on
// ListClusters: a call beyond it gets ThrottlingException, which the SDK
// classifies as a throttle to retry; a virtual second later a token is back.
// The call log records every throttled attempt.
func TestThrottlingIsRetriedBySDK(t *testing.T) {
	e := newEndpoint(t)
	noErr(t, e.w.Faults.Set(fault.Rule{Service: "ecs", Operation: "ListClusters", Rate: 1, Burst: 1}))
	ctx := ctxT(t)
	once := func(o *ecs.Options) { o.RetryMaxAttempts = 1 }
	_, err := e.ecs.ListClusters(ctx, &ecs.ListClustersInput{}, once)
	noErr(t, err)
	_, err = e.ecs.ListClusters(ctx, &ecs.ListClustersInput{}, once)
	if apiCode(err) != "ThrottlingException" {
		t.Fatalf("call beyond the bucket: %v", err)
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
		t.Fatalf("the SDK does not take %v for a throttle", err)
	}
	e.w.Clock.RunFor(time.Second)
	_, err = e.ecs.ListClusters(ctx, &ecs.ListClustersInput{}, once)
	noErr(t, err)
	var ok, throttled int
	e.w.Do(func() {
		ok = e.w.Calls.Count("ecs", "ListClusters", "OK")
		throttled = e.w.Calls.Count("ecs", "ListClusters", "ThrottlingException")
	})
	if ok != 2 || throttled != 1 {
		t.Fatalf("call log: %d OK, %d ThrottlingException; want 2 OK and 1 throttled", ok, throttled)
	}
}

// TestOverLoopbackTCP serves the endpoint on 127.0.0.1 with front.Serve and
// talks to it over a real socket, then shuts it down while a long poll is
// in flight: the poll ends promptly and Serve returns nil.
func TestOverLoopbackTCP(t *testing.T) {
	w := emulator.New(emptyConfig())
	h := front.New(w, front.Options{Scaled: true})
	runScaled(t, w, 1) // real time: a long poll would last 20 s
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- front.Serve(ctx, ln, h) }()

	e := clientsFor(w, h, sdkConfig(nil), "http://"+ln.Addr().String())
	tctx := ctxT(t)
	cq, err := e.sqs.CreateQueue(tctx, &sqs.CreateQueueInput{QueueName: aws.String("tcp")})
	noErr(t, err)
	polled := make(chan error, 1)
	go func() {
		_, err := e.sqs.ReceiveMessage(tctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, WaitTimeSeconds: 20})
		polled <- err
	}()
	<-e.callsReached("sqs", "ReceiveMessage", 1)
	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v after shutdown", err)
	}
	if err := <-polled; err != nil {
		t.Fatalf("the long poll in flight at shutdown failed: %v", err)
	}
}

// TestOverHTTPTestServer runs the SDK against httptest's server too.
func TestOverHTTPTestServer(t *testing.T) {
	w := emulator.New(emptyConfig())
	srv := httptest.NewServer(front.New(w))
	t.Cleanup(srv.Close)
	e := clientsFor(w, nil, sdkConfig(nil), srv.URL)
	ctx := ctxT(t)
	_, err := e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("tcp")})
	noErr(t, err)
	out, err := e.ecs.ListClusters(ctx, &ecs.ListClustersInput{})
	noErr(t, err)
	if len(out.ClusterArns) != 1 {
		t.Fatalf("ListClusters = %v", out.ClusterArns)
	}
}
