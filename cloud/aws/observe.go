package aws

import (
	"context"
	"log/slog"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/drainer-dev/drainer/clock"
)

// observeMiddleware reports every attempt to onCall and the logger. It sits
// after the SDK's retry middleware, so throttled attempts the SDK retries
// are each seen, which is what a throttle metric must count.
func observeMiddleware(service string, onCall func(service, op string, err error), log *slog.Logger, clk clock.Clock) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("drainer.Observe",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			start := clk.Now()
			out, md, err := next.HandleFinalize(ctx, in)
			if onCall != nil {
				onCall(service, op, err)
			}
			if log.Enabled(ctx, slog.LevelDebug) {
				log.LogAttrs(ctx, slog.LevelDebug, "aws call",
					slog.String("service", service), slog.String("operation", op),
					slog.Duration("took", clk.Now().Sub(start).Round(time.Millisecond)),
					slog.Any("err", err))
			}
			return out, md, err
		})
}

// stackOptions returns the API options that put drainer's retry loop
// right before the SDK's (one-attempt) retry middleware, and the pacing,
// then the observer, right after it, so both run once per attempt and the
// token is taken before the request is signed; the bucket and priority of
// each call are chosen at the end of the initialize step.
func stackOptions(service string, p *pacer, b *backoff, o Options) []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{func(s *middleware.Stack) error {
		if err := s.Initialize.Add(classifyMiddleware(service, p), middleware.After); err != nil {
			return err
		}
		retry := retryMiddleware(o.MaxAttempts, b, o.Clock)
		pace, observe := paceMiddleware(), observeMiddleware(service, o.OnCall, o.Logger, o.Clock)
		if _, ok := s.Finalize.Get("Retry"); ok {
			if err := s.Finalize.Insert(retry, "Retry", middleware.Before); err != nil {
				return err
			}
			if err := s.Finalize.Insert(pace, "Retry", middleware.After); err != nil {
				return err
			}
			return s.Finalize.Insert(observe, pace.ID(), middleware.After)
		}
		// No SDK retry middleware (a custom stack).
		for _, m := range []middleware.FinalizeMiddleware{retry, pace, observe} {
			if err := s.Finalize.Add(m, middleware.After); err != nil {
				return err
			}
		}
		return nil
	}}
}
