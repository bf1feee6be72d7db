package front_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// endpoint is an emulated world served in process, with SDK clients on it.
type endpoint struct {
	w      *emulator.World
	h      *front.Handler
	cfg    aws.Config
	ecs    *ecs.Client
	sqs    *sqs.Client
	sns    *sns.Client
	events *eventbridge.Client
}

const baseEndpoint = "http://emulator.local"

// sdkConfig is the configuration every client in these tests uses: any
// static credentials, and a fast retryer.
func sdkConfig(rt http.RoundTripper) aws.Config {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  &http.Client{Transport: rt},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 10
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 5 * time.Millisecond, nil })
				o.RateLimiter = noRateLimit{}
			})
		},
	}
}

// noRateLimit turns off the retryer's client-side retry quota, so that a
// test of many throttled calls is not cut short by it.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

func emptyConfig() emulator.Config { return emulator.Config{Seed: 1} }

func newEndpoint(t *testing.T, opts ...front.Options) *endpoint {
	t.Helper()
	w := emulator.New(emptyConfig())
	h := front.New(w, opts...)
	return clientsFor(w, h, sdkConfig(front.Transport(h)), baseEndpoint)
}

func clientsFor(w *emulator.World, h *front.Handler, cfg aws.Config, url string) *endpoint {
	return &endpoint{
		w: w, h: h, cfg: cfg,
		ecs:    ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(url) }),
		sqs:    sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(url) }),
		sns:    sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(url) }),
		events: eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(url) }),
	}
}

// runScaled runs the world's clock at speed times real time until the test
// ends.
func runScaled(t *testing.T, w *emulator.World, speed float64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Clock.RunScaled(ctx, speed) }()
	t.Cleanup(func() { cancel(); <-done })
}

// ctxT is the test's context: a call waits for as long as the test may
// run, never for a wall-clock time a busy machine could exceed.
func ctxT(t *testing.T) context.Context { return t.Context() }

// apiCode is the error code the SDK reports, "" for no error.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// noErr fails the test at once on an error.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
