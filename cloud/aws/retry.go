package aws

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/drainer-dev/drainer/clock"
)

// retryable is the SDK's own judgement of an attempt's error: throttling,
// 5xx answers, transient network failures and the like. drainer keeps the
// judgement and replaces the loop, so that the waits are on its clock.
var retryable = retry.IsErrorRetryables(retry.DefaultRetryables)

// backoff is the wait before retry n (n ≥ 1) of a call: "full jitter",
// uniformly random in [0, min(maxBackoff, base·2ⁿ⁻¹)), so that callers
// throttled at the same instant do not come back together. It is the
// exponential backoff with jitter of the AWS SDKs' standard retry mode
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
type backoff struct {
	base, max time.Duration
	mu        sync.Mutex
	rnd       *rand.Rand
}

func newBackoff(max time.Duration, seed uint64) *backoff {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &backoff{base: time.Second, max: max, rnd: rand.New(rand.NewPCG(seed, seed>>1|1))}
}

func (b *backoff) delay(retry int) time.Duration {
	ceil := b.base
	for i := 1; i < retry && ceil < b.max; i++ {
		ceil *= 2
	}
	ceil = min(ceil, b.max)
	b.mu.Lock()
	defer b.mu.Unlock()
	return time.Duration(b.rnd.Int64N(int64(ceil) + 1))
}

// retryMiddleware makes up to maxAttempts attempts of a call, waiting a
// backoff on clk between them, while an attempt fails with an error the SDK
// deems retryable. The SDK's own retry loop is left with one attempt (it
// sleeps on the wall clock, which a virtual clock cannot move), so this is
// the only loop: the same in production and in simulation.
func retryMiddleware(maxAttempts int, b *backoff, clk clock.Clock) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("drainer.Retry",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			orig, _ := in.Request.(*smithyhttp.Request)
			for attempt := 1; ; attempt++ {
				attemptIn := in
				if attempt > 1 && orig != nil {
					// A fresh copy of the request, its body read from the
					// start again (the SDK's Retry step signs each copy).
					req := orig.Clone()
					if err := req.RewindStream(); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
					attemptIn.Request = req
				}
				out, md, err := next.HandleFinalize(ctx, attemptIn)
				if err == nil || attempt >= maxAttempts || retryable.IsErrorRetryable(err) != aws.TrueTernary {
					return out, md, err
				}
				if werr := clock.Sleep(ctx, clk, b.delay(attempt)); werr != nil {
					return out, md, err
				}
			}
		})
}
