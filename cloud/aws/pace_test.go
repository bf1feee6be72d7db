package aws

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
)

var epoch = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestBucketWaitsOnTheClock(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 1, 2, clk)
	ctx := context.Background()
	// The burst goes at once.
	for range 2 {
		if err := b.take(ctx, cloud.PriorityNormal); err != nil {
			t.Fatal(err)
		}
	}
	// The third waits a virtual second, however long the wall clock runs.
	var err error
	var took time.Duration
	if !clk.Call(ctx, epoch.Add(time.Hour), func(ctx context.Context) {
		err = b.take(ctx, cloud.PriorityNormal)
		took = clk.Now().Sub(epoch)
	}) {
		t.Fatal("the third call never got its token")
	}
	if err != nil || took != time.Second {
		t.Fatalf("third call: %v after %v, want its token after 1s", err, took)
	}
	s := b.snapshot()
	if s.Calls != 3 || s.Waited != 1 || s.Wait != time.Second || s.MaxWait != time.Second || s.Waiting != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// grantLog records in which order, and when, waiters got their tokens.
type grantLog struct {
	clk *clock.Virtual
	got []string
	at  []time.Duration
}

// wait starts a waiter named name at priority p on b.
func (g *grantLog) wait(ctx context.Context, b *bucket, name string, p cloud.Priority) {
	clock.Go(ctx, g.clk, func(ctx context.Context) {
		if err := b.take(ctx, p); err != nil {
			g.got = append(g.got, name+":"+err.Error())
			return
		}
		g.got = append(g.got, name)
		g.at = append(g.at, g.clk.Now().Sub(epoch))
	})
}

// TestBucketServesByPriorityThenArrival: with the bucket empty, waiters
// get tokens as they come, heartbeats first, then the other urgent calls
// (completions), then normal, then background, each priority in its order
// of arrival; one waiter per token, never two woken for the same.
func TestBucketServesByPriorityThenArrival(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 1, 1, clk)
	ctx := t.Context()
	if err := b.take(ctx, cloud.PriorityNormal); err != nil { // empties it
		t.Fatal(err)
	}
	g := &grantLog{clk: clk}
	for _, w := range []struct {
		name string
		p    cloud.Priority
	}{
		{"scan1", cloud.PriorityBackground}, {"drain1", cloud.PriorityNormal}, {"beat1", cloud.PriorityHeartbeat},
		{"done1", cloud.PriorityUrgent},
		{"drain2", cloud.PriorityNormal}, {"scan2", cloud.PriorityBackground}, {"beat2", cloud.PriorityHeartbeat},
	} {
		g.wait(ctx, b, w.name, w.p)
	}
	clk.Settle()
	if s := b.snapshot(); s.Waiting != 7 {
		t.Fatalf("%d waiting, want 7", s.Waiting)
	}
	// A heartbeat arriving while the others wait still goes first.
	clk.RunFor(1500 * time.Millisecond)
	g.wait(ctx, b, "beat3", cloud.PriorityHeartbeat)
	clk.RunFor(time.Minute)

	want := []string{"beat1", "beat2", "beat3", "done1", "drain1", "drain2", "scan1", "scan2"}
	if !slices.Equal(g.got, want) {
		t.Fatalf("served %v, want %v", g.got, want)
	}
	for i, at := range g.at {
		if want := time.Duration(i+1) * time.Second; at != want {
			t.Errorf("%s got its token at %v, want %v (one a second)", g.got[i], at, want)
		}
	}
}

func TestBucketCancelledWaiterLeavesTheLine(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 1, 1, clk)
	if err := b.take(context.Background(), cloud.PriorityNormal); err != nil {
		t.Fatal(err)
	}
	quit, cancel := context.WithCancel(t.Context())
	g := &grantLog{clk: clk}
	g.wait(quit, b, "quitter", cloud.PriorityUrgent)
	g.wait(t.Context(), b, "stayer", cloud.PriorityNormal)
	clk.RunFor(500 * time.Millisecond)
	cancel()
	clk.RunFor(time.Minute)
	if want := []string{"quitter:" + context.Canceled.Error(), "stayer"}; !slices.Equal(g.got, want) {
		t.Fatalf("got %v, want %v", g.got, want)
	}
	if g.at[0] != time.Second {
		t.Fatalf("stayer served at %v, want 1s: the quitter's place is not kept", g.at[0])
	}
	// A context ended before the call takes nothing.
	ended, stop := context.WithCancel(context.Background())
	stop()
	if err := b.take(ended, cloud.PriorityNormal); !errors.Is(err, context.Canceled) {
		t.Fatalf("take with an ended context = %v", err)
	}
	if s := b.snapshot(); s.Calls != 2 || s.Waiting != 0 {
		t.Fatalf("stats %+v, want 2 calls and nobody waiting", s)
	}
}

// TestThrottleSlowsTheBucketThenItRecovers: a throttle halves the rate
// and empties the bucket; throttles in the next second (the calls in
// flight with it) do not halve it again; the rate then climbs back to its
// base over tens of seconds.
func TestThrottleSlowsTheBucketThenItRecovers(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 10, 10, clk)
	b.throttled()
	b.throttled()
	if s := b.snapshot(); s.Rate != 5 || s.Throttles != 2 {
		t.Fatalf("after two throttles at once: rate %v, %d throttles; want 5/s and 2", s.Rate, s.Throttles)
	}
	// Emptied: the next call waits for a token at the halved rate.
	var took time.Duration
	clk.Call(t.Context(), epoch.Add(time.Hour), func(ctx context.Context) {
		if err := b.take(ctx, cloud.PriorityNormal); err != nil {
			t.Error(err)
		}
		took = clk.Now().Sub(epoch)
	})
	if took != 200*time.Millisecond {
		t.Fatalf("first call after the throttle waited %v, want 200ms (5/s)", took)
	}
	clk.RunFor(time.Second)
	b.throttled() // a second later: halved again
	if s := b.snapshot(); math.Abs(s.Rate-2.5) > 0.5 {
		t.Fatalf("rate after a second throttle %v, want about 2.5", s.Rate)
	}
	for _, tc := range []struct {
		after time.Duration
		min   float64
		max   float64
	}{{5 * time.Second, 3, 6}, {15 * time.Second, 6, 9.99}, {30 * time.Second, 10, 10}, {time.Hour, 10, 10}} {
		clk.RunUntil(epoch.Add(1200*time.Millisecond + tc.after))
		if r := b.snapshot().Rate; r < tc.min || r > tc.max {
			t.Errorf("%v after: rate %v, want within [%v, %v]", tc.after, r, tc.min, tc.max)
		}
	}
}

func TestThrottlesNeverStopTheBucket(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 16, 1, clk)
	for range 20 {
		b.throttled()
		clk.RunFor(time.Second)
	}
	if r := b.snapshot().Rate; r < 1 {
		t.Fatalf("rate %v after 20 throttles, want at least base/%d = 1", r, minRateDivisor)
	}
}

func TestUnlimitedBucketNeverWaits(t *testing.T) {
	clk := clock.NewVirtual(epoch) // nothing moves it
	b := newBucket("test", math.Inf(1), 1, clk)
	for range 1000 {
		if err := b.take(t.Context(), cloud.PriorityBackground); err != nil {
			t.Fatal(err)
		}
	}
	b.throttled()
	if err := b.take(t.Context(), cloud.PriorityBackground); err != nil {
		t.Fatal(err)
	}
}

// TestPacerLimits: each AWS bucket is paced at the share of its figures,
// under AWS's own rate as a ceiling, unless a Limit overrides its service.
func TestPacerLimits(t *testing.T) {
	fast := Limit{Rate: 1e6, Burst: 1e6}
	tests := []struct {
		share   float64
		lim     Limits
		bucket  awsBucket
		rate    float64
		burst   int
		ceiling float64
	}{
		{0.5, Limits{}, ecsClusterResourceRead, 10, 50, 20},
		{0.5, Limits{}, ecsClusterResourceWrite, 20, 50, 40},
		{0.5, Limits{}, ecsClusterRead, 10, 25, 20},
		{1, Limits{}, ecsClusterRead, 20, 50, 20},
		{0.5, Limits{}, autoScalingBucket, 10, 50, 20},
		{0.25, Limits{}, bucketOf("ec2", "TerminateInstances", false, Limits{}), 1.25, 12, 5},
		{0.001, Limits{}, ecsClusterRead, 0.02, 1, 20}, // never a burst of 0
		{0.5, Limits{ECS: fast}, ecsClusterRead, 1e6, 1e6, 0},
		{0.5, Limits{ECS: Limit{Rate: 3}}, ecsServiceRead, 3, 3, 0},
		{0.5, Limits{ECS: fast}, autoScalingBucket, 10, 50, 20}, // another service
		{0.5, Limits{}.withDefaults(), bucketOf("sqs", "ReceiveMessage", false, Limits{}.withDefaults()), 50, 100, 0},
		{0.5, Limits{SQS: Limit{Rate: 7, Burst: 2}}.withDefaults(), bucketOf("sqs", "ReceiveMessage", false, Limits{}.withDefaults()), 7, 2, 0},
	}
	for _, tt := range tests {
		p := newPacer(clock.NewVirtual(epoch), tt.share, tt.lim)
		r, burst, ceiling := p.limitOf(tt.bucket)
		if math.Abs(r-tt.rate) > 1e-9 || burst != tt.burst || ceiling != tt.ceiling {
			t.Errorf("share %v, limits %+v, %s: %v/s burst %d ceiling %v/s, want %v/s burst %d ceiling %v/s", tt.share, tt.lim, tt.bucket.Name, r, burst, ceiling, tt.rate, tt.burst, tt.ceiling)
		}
	}
}

// TestBucketCeilingSpreadsABurst: a full bucket's burst goes at the
// ceiling's pace, never more calls in one second than the ceiling, and
// the burst's tokens still let calls go faster than the paced rate until
// they are spent.
func TestBucketCeilingSpreadsABurst(t *testing.T) {
	clk := clock.NewVirtual(epoch)
	b := newBucket("test", 10, 50, clk).withCeiling(20)
	g := &grantLog{clk: clk}
	for i := range 100 {
		g.wait(t.Context(), b, fmt.Sprint(i), cloud.PriorityNormal)
	}
	clk.RunFor(time.Minute)
	if len(g.got) != 100 {
		t.Fatalf("%d calls went, want 100", len(g.got))
	}
	perSecond := map[time.Duration]int{}
	for _, at := range g.at {
		perSecond[at.Truncate(time.Second)]++
	}
	for sec, n := range perSecond {
		if n > 20 {
			t.Errorf("%d calls in the second from %v, ceiling 20", n, sec)
		}
	}
	// 50 from the burst plus 10 a second refilled, at most 20 a second:
	// the 100th goes in the 5th second, neither in the 10th (the paced
	// rate alone) nor in the 1st (the burst all at once).
	if last := g.at[len(g.at)-1]; last < 4*time.Second || last >= 6*time.Second {
		t.Errorf("the 100th call went at %v, want in the 5th or 6th second", last)
	}
}

func TestPacerSharesBucketsByName(t *testing.T) {
	p := newPacer(clock.NewVirtual(epoch), 0.5, Limits{})
	a := p.bucket(bucketOf("ecs", "DescribeTasks", false, Limits{}))
	b := p.bucket(bucketOf("ecs", "ListTasks", false, Limits{}))
	c := p.bucket(bucketOf("ecs", "StopTask", false, Limits{}))
	if a != b || a == c {
		t.Fatal("DescribeTasks and ListTasks must share a bucket, StopTask another")
	}
	_ = a.take(context.Background(), cloud.PriorityNormal)
	stats := p.stats()
	var names []string
	for _, s := range stats {
		names = append(names, fmt.Sprintf("%s:%d", s.Bucket, s.Calls))
	}
	if want := []string{"ecs:cluster-resource-modify:0", "ecs:cluster-resource-read:1"}; !slices.Equal(names, want) {
		t.Fatalf("stats %v, want %v", names, want)
	}
}

// TestBucketOnTheWallClock runs the production path, clock.Real timers
// and plain goroutines, in a synctest bubble (whose time is fake): urgent
// waiters that arrive after background ones are served first, at the
// bucket's rate.
func TestBucketOnTheWallClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBucket("test", 10, 1, clock.Real{})
		start := time.Now()
		if err := b.take(t.Context(), cloud.PriorityNormal); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var order []cloud.Priority
		var last time.Duration
		var wg sync.WaitGroup
		wait := func(p cloud.Priority) {
			wg.Go(func() {
				if err := b.take(t.Context(), p); err != nil {
					t.Error(err)
				}
				mu.Lock()
				order = append(order, p)
				last = time.Since(start)
				mu.Unlock()
			})
		}
		for range 5 {
			wait(cloud.PriorityBackground)
		}
		synctest.Wait() // all five wait in line
		for range 5 {
			wait(cloud.PriorityUrgent)
		}
		wg.Wait()
		for i, p := range order {
			if want := map[bool]cloud.Priority{true: cloud.PriorityUrgent, false: cloud.PriorityBackground}[i < 5]; p != want {
				t.Fatalf("served %v, want the five urgent ones first", order)
			}
		}
		if last != time.Second {
			t.Fatalf("ten waiters at 10/s were served by %v, want 1s", last)
		}
	})
}
