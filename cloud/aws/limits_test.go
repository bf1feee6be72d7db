package aws

import (
	"context"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/clock"
)

func TestLimiterWaitsOnTheClock(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	l := newLimiter(Limit{Rate: 1, Burst: 2}, clk)
	ctx := context.Background()
	// The burst goes at once.
	for range 2 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The third waits a virtual second, however long the wall clock runs.
	start := clk.Now()
	var err error
	var took time.Duration
	if !clk.Call(ctx, start.Add(time.Hour), func(ctx context.Context) {
		err = l.wait(ctx)
		took = clk.Now().Sub(start)
	}) {
		t.Fatal("the third call never got its token")
	}
	if err != nil || took != time.Second {
		t.Fatalf("third call: %v after %v, want its token after 1s", err, took)
	}
}

func TestLimiterGivesBackOnCancel(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	l := newLimiter(Limit{Rate: 1, Burst: 1}, clk)
	if err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.wait(ctx); err != context.Canceled {
		t.Fatalf("wait with a cancelled context = %v", err)
	}
	if clk.Pending() != 0 {
		t.Fatalf("a cancelled wait left %d timers", clk.Pending())
	}
	// The cancelled reservation was handed back: one second later one
	// token is there again, not minus one.
	clk.RunFor(time.Second)
	if r := l.lim.ReserveN(clk.Now(), 1); r.DelayFrom(clk.Now()) != 0 {
		t.Fatal("cancelled reservation was not returned")
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{ECS: Limit{Rate: 3}}.withDefaults()
	if got.ECS.Rate != 3 || got.ECS.Burst != DefaultLimits.ECS.Burst || got.SQS != DefaultLimits.SQS {
		t.Fatalf("withDefaults = %+v", got)
	}
}
