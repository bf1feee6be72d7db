package aws

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/drainer-dev/drainer/cloud"
)

// Client implements cloud.Cloud on aws-sdk-go-v2. It is safe for
// concurrent use.
type Client struct {
	ecs         *ecs.Client
	autoscaling *autoscaling.Client
	ec2         *ec2.Client
	sqs         *sqs.Client
	events      *eventbridge.Client
	opts        Options
	pace        *pacer
	batches

	// Facts that never change once AWS has them: a task definition
	// revision is immutable and a service's scheduling strategy cannot be
	// updated, so both are cached for the life of the Client.
	mu           sync.Mutex
	stopTimeouts map[string]stopTime // task definition ARN → stop timeout
	daemons      map[string]bool     // service key → DAEMON strategy
	// clusters is the last ListClusters answer and when it was read:
	// clusters come and go rarely, and every part of drainer asks.
	clusters   []string
	clustersAt time.Time
}

// clustersFor is how long a ListClusters answer is reused: a cluster
// created since shows up within it.
const clustersFor = 5 * time.Minute

var _ cloud.Cloud = (*Client)(nil)

// New loads the SDK's default configuration (credential chain, region,
// shared profiles, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>), applies
// opts over it and returns a Client.
func New(ctx context.Context, opts Options) (*Client, error) {
	var load []func(*config.LoadOptions) error
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	// opts.HTTPClient is applied by NewFromConfig, not here: the loader
	// would try to add AWS_CA_BUNDLE to it, which an arbitrary client (an
	// in-process transport) does not support.
	if opts.Credentials != nil {
		load = append(load, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("load AWS configuration: no region (set AWS_REGION or the region option)")
	}
	return NewFromConfig(cfg, opts), nil
}

// NewFromConfig returns a Client using cfg; opts apply over it (Region,
// Endpoint, HTTPClient and Credentials when set) and add the retry loop,
// the pacing per AWS bucket, the coalescing of batchable calls and the
// call hook. The SDK's own HTTP client gets a bound on each attempt
// (ResponseHeaderTimeout, AttemptTimeout); a client of another kind, such
// as an in-process transport, is used as given. Either is handed request
// bodies of its own, which the SDK cannot close while net/http still
// writes them (see ownBodies): connections are kept alive across calls.
func NewFromConfig(cfg aws.Config, opts Options) *Client {
	if opts.MaxAttempts <= 0 && cfg.RetryMaxAttempts > 0 {
		// AWS_MAX_ATTEMPTS or the profile's max_attempts.
		opts.MaxAttempts = cfg.RetryMaxAttempts
	}
	opts = opts.withDefaults()
	cfg = cfg.Copy()
	if opts.Region != "" {
		cfg.Region = opts.Region
	}
	if opts.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(opts.Endpoint)
	}
	if opts.HTTPClient != nil {
		cfg.HTTPClient = opts.HTTPClient
	}
	// Every attempt over a real connection is bounded, so that a hung
	// connection fails and is retried instead of blocking the call; and
	// the HTTP client gets request bodies the SDK cannot close under it
	// (see ownBodies).
	cfg.HTTPClient = ownBodies{boundedHTTPClient(cfg.HTTPClient)}
	if opts.Credentials != nil {
		cfg.Credentials = opts.Credentials
	}
	// One attempt in the SDK's own loop: drainer's retry middleware does
	// the retrying, on its clock.
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	cfg.RetryMaxAttempts = 1
	b := newBackoff(opts.MaxBackoff, opts.JitterSeed)

	c := &Client{
		opts:         opts,
		pace:         newPacer(opts.Clock, opts.Share, opts.Limits),
		stopTimeouts: map[string]stopTime{},
		daemons:      map[string]bool{},
	}
	api := func(service string) []func(*middleware.Stack) error {
		return stackOptions(service, c.pace, b, opts)
	}
	ecsAPI, asAPI, ec2API, sqsAPI, evAPI := api("ecs"), api("autoscaling"), api("ec2"), api("sqs"), api("events")
	c.ecs = ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.APIOptions = append(o.APIOptions, ecsAPI...) })
	c.autoscaling = autoscaling.NewFromConfig(cfg, func(o *autoscaling.Options) { o.APIOptions = append(o.APIOptions, asAPI...) })
	c.ec2 = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, ec2API...) })
	c.sqs = sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.APIOptions = append(o.APIOptions, sqsAPI...) })
	c.events = eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.APIOptions = append(o.APIOptions, evAPI...) })
	c.coalesce()
	return c
}
