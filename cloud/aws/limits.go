package aws

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/drainer-dev/drainer/clock"
)

// Limit is a token bucket: Rate calls per second sustained, Burst at once.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits holds one client-side limit per API family. AWS throttles per
// account and region, shared with every other tool of the account, so
// drainer keeps well under AWS's published rates and leaves the rest to
// others; a zero Limit takes its default.
type Limits struct {
	ECS         Limit
	AutoScaling Limit
	EC2         Limit
	SQS         Limit
	Events      Limit
}

// DefaultLimits are the client-side rates unless Options say otherwise.
//   - ECS 20/s, burst 40: ECS's per-account buckets are about 20–50/s
//     sustained for reads and less for some writes; drainer's calls are
//     mostly reads, and ECS's own agents and deployments share the budget.
//   - Auto Scaling 5/s, burst 10: its quotas are the lowest of the lot.
//   - EC2 10/s, burst 20: EC2's non-mutating actions get ~20/s, mutating
//     ones ~5/s per account at the base tier.
//   - SQS 50/s, burst 100: SQS's quotas are far higher; this caps a
//     runaway consumer.
//   - EventBridge 20/s, burst 40: PutEvents allows hundreds to thousands a
//     second; drainer publishes a few events per drain.
var DefaultLimits = Limits{
	ECS:         Limit{Rate: 20, Burst: 40},
	AutoScaling: Limit{Rate: 5, Burst: 10},
	EC2:         Limit{Rate: 10, Burst: 20},
	SQS:         Limit{Rate: 50, Burst: 100},
	Events:      Limit{Rate: 20, Burst: 40},
}

func (l Limits) withDefaults() Limits {
	def := func(v, d Limit) Limit {
		if v.Rate <= 0 {
			v.Rate = d.Rate
		}
		if v.Burst <= 0 {
			v.Burst = d.Burst
		}
		return v
	}
	l.ECS = def(l.ECS, DefaultLimits.ECS)
	l.AutoScaling = def(l.AutoScaling, DefaultLimits.AutoScaling)
	l.EC2 = def(l.EC2, DefaultLimits.EC2)
	l.SQS = def(l.SQS, DefaultLimits.SQS)
	l.Events = def(l.Events, DefaultLimits.Events)
	return l
}

// limiter waits for a token of a rate.Limiter on a clock.Clock, so that a
// virtual clock drives the waits in tests and simulations.
type limiter struct {
	lim *rate.Limiter
	clk clock.Clock
}

func newLimiter(l Limit, clk clock.Clock) *limiter {
	return &limiter{lim: rate.NewLimiter(l.Rate, l.Burst), clk: clk}
}

// wait takes one token, waiting on the clock until it is due. A token
// reserved but never used (the context ended first) is handed back.
func (l *limiter) wait(ctx context.Context) error {
	r := l.lim.ReserveN(l.clk.Now(), 1)
	if !r.OK() {
		return fmt.Errorf("client rate limit: burst %d too small", l.lim.Burst())
	}
	d := r.DelayFrom(l.clk.Now())
	if d <= 0 {
		return nil
	}
	if err := clock.Sleep(ctx, l.clk, d); err != nil {
		r.CancelAt(l.clk.Now())
		return err
	}
	return nil
}

// limitMiddleware makes every attempt (retries included, since it sits
// after the retry middleware) take a token first. A token bucket holds no
// slot during the call, so a long poll (SQS ReceiveMessage waiting up to
// 20 s) costs one token and blocks nobody while it waits.
func limitMiddleware(l *limiter) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("drainer.RateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if err := l.wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		})
}
