package aws

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/drainer-dev/drainer/clock"
)

// Options configures a Client. The zero value uses the SDK's standard
// configuration (credential chain, region, profile, AWS_ENDPOINT_URL…) and
// the defaults documented on each field.
type Options struct {
	// Region overrides the configured region.
	Region string
	// Endpoint, when set, is the base endpoint of every service (the
	// emulator's one endpoint, for instance). Per-service endpoints still
	// come from AWS_ENDPOINT_URL_<SERVICE> when it is empty.
	Endpoint string
	// HTTPClient replaces the SDK's HTTP client (tests pass one whose
	// Transport is the emulator front in process). An
	// *awshttp.BuildableClient gets drainer's bounds on each attempt, as
	// the SDK's default does (see ResponseHeaderTimeout); any other client
	// is used as given, its own timeouts or none. Either is handed a copy
	// of each request body (see NewFromConfig).
	HTTPClient aws.HTTPClient
	// Credentials replaces the credential chain.
	Credentials aws.CredentialsProvider
	// MaxAttempts is the most attempts per call, retries included
	// (default: the configuration's, e.g. AWS_MAX_ATTEMPTS, else 5). An
	// attempt is retried when the SDK deems its error
	// retryable (throttling, 5xx, a transient network failure).
	MaxAttempts int
	// MaxBackoff caps the wait between two attempts (default 20 s); each
	// wait is random with exponential growth ("full jitter").
	MaxBackoff time.Duration
	// JitterSeed seeds the backoff's randomness (0: a random seed); a
	// simulation passes its own so that a seeded run is reproducible.
	JitterSeed uint64
	// Share is the share of each of AWS's rate buckets the client paces
	// its calls to, in (0, 1] (default DefaultShare, a half): the account's
	// other users draw on the same buckets. Limits override it per
	// service.
	Share float64
	// Limits override the pacing per service (see Limits); zero ones take
	// DefaultLimits.
	Limits Limits
	// BatchWindow is how long a coalesced call (DescribeContainerInstances,
	// DescribeTasks, DescribeAutoScalingInstances, DescribeInstances,
	// UpdateContainerInstancesState, and the task definition and service
	// lookups behind task classification) waits for more callers after its
	// first, on Clock (0: batch.DefaultWindow, 10 ms); a full batch goes at
	// once. Negative turns coalescing off: each method makes its own calls
	// in the caller's goroutine, as code calling from outside a virtual
	// clock's goroutines while nothing moves that clock needs.
	BatchWindow time.Duration
	// Clock is what pacing waits, batch windows and retry backoffs run on
	// (default clock.Real{}).
	Clock clock.Clock
	// OnCall, when set, is called once per API attempt, retries included,
	// with the service ("ecs", "autoscaling", "ec2", "sqs", "events"), the
	// operation and the attempt's error (nil on success). It must be fast
	// and safe for concurrent use.
	OnCall func(service, operation string, err error)
	// Logger receives a debug line per attempt (default: discard).
	Logger *slog.Logger
}

// DefaultMaxAttempts is the attempts per call unless Options say otherwise:
// enough to ride out a burst of throttling, few enough that a controller
// whose loop retries anyway does not stall.
const DefaultMaxAttempts = 5

// DefaultMaxBackoff caps the wait between attempts unless Options say
// otherwise (the AWS SDKs' own default).
const DefaultMaxBackoff = 20 * time.Second

func (o Options) withDefaults() Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Share <= 0 || o.Share > 1 {
		o.Share = DefaultShare
	}
	o.Limits = o.Limits.withDefaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
