package aws

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
)

// Limit is a token bucket: Rate calls per second sustained (rate.Inf: no
// limit), Burst at once.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits overrides the client's pacing per service. ECS, AutoScaling and
// EC2 are paced per AWS bucket at Options.Share of AWS's figures (see
// bucketOf) unless their Limit is set: then every bucket of that service
// is paced at that Limit instead (a Burst of 0 is one second's worth), as
// tests and tools that must not wait do. SQS and EventBridge have one
// bucket each, at DefaultLimits unless set.
type Limits struct {
	ECS         Limit
	AutoScaling Limit
	EC2         Limit
	SQS         Limit
	Events      Limit
}

// DefaultLimits are the limits unless Options say otherwise: ECS, Auto
// Scaling and EC2 none (paced per AWS bucket, see DefaultShare), and
//   - SQS 50/s, burst 100: SQS's quotas are far higher; this caps a
//     runaway consumer.
//   - EventBridge 20/s, burst 40: PutEvents allows hundreds to thousands a
//     second; drainer publishes a few events per drain.
var DefaultLimits = Limits{
	SQS:    Limit{Rate: 50, Burst: 100},
	Events: Limit{Rate: 20, Burst: 40},
}

// DefaultShare is the share of each AWS bucket drainer paces itself to
// unless Options say otherwise: half, the rest left to ECS's own agents,
// deployments and the account's other tools. Whatever the share, no
// second carries more of drainer's calls than AWS's own rate for the
// bucket: a burst goes at that pace (see limitOf). At that share drainer's
// paced buckets are (burst, calls a second):
//   - ECS cluster-resource reads (DescribeContainerInstances,
//     DescribeTasks, ListTasks, ListContainerInstances, ListAttributes)
//     50, 10; cluster-resource modifications (PutAttributes,
//     DeleteAttributes, UpdateContainerInstancesState, StopTask,
//     DeregisterContainerInstance) 50, 20; cluster reads (ListClusters,
//     DescribeClusters, DescribeCapacityProviders) and task definition
//     reads 25, 10 each; service reads 50, 10.
//   - Auto Scaling, every action, 50, 10.
//   - EC2 per action: DescribeInstances and DescribeNetworkInterfaces with
//     a filter 50, 10 (without one 25, 5); TerminateInstances 25, 2.5;
//     DeleteNetworkInterface 50, 2.5.
const DefaultShare = 0.5

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
	l.SQS = def(l.SQS, DefaultLimits.SQS)
	l.Events = def(l.Events, DefaultLimits.Events)
	return l
}

// override is the Limit set for service, if any.
func (l Limits) override(service string) (Limit, bool) {
	var v Limit
	switch service {
	case "ecs":
		v = l.ECS
	case "autoscaling":
		v = l.AutoScaling
	case "ec2":
		v = l.EC2
	case "sqs":
		v = l.SQS
	case "events":
		v = l.Events
	}
	if v.Rate <= 0 {
		return v, false
	}
	if v.Burst <= 0 {
		v.Burst = max(1, int(min(float64(v.Rate), math.MaxInt32)))
	}
	return v, true
}

// pacer holds a client's buckets, each made on its first call and shared
// by every caller of the client: drains, scans and intake alike.
type pacer struct {
	clk   clock.Clock
	share float64
	lim   Limits

	mu      sync.Mutex
	buckets map[string]*bucket
}

func newPacer(clk clock.Clock, share float64, lim Limits) *pacer {
	return &pacer{clk: clk, share: share, lim: lim, buckets: map[string]*bucket{}}
}

// bucket returns the client's bucket for a.
func (p *pacer) bucket(a awsBucket) *bucket {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.buckets[a.Name]; b != nil {
		return b
	}
	r, burst, ceiling := p.limitOf(a)
	b := newBucket(a.Name, r, burst, p.clk).withCeiling(ceiling)
	p.buckets[a.Name] = b
	return b
}

// limitOf is the paced rate, burst and ceiling of AWS bucket a. A bucket
// paced at a share of AWS's figures has AWS's own rate as its ceiling: the
// share's burst, spent after a lull (the thousand heartbeats of a
// scale-in), goes at AWS's rate rather than all in one second, so that no
// second carries more of drainer's calls than AWS refills in one.
func (p *pacer) limitOf(a awsBucket) (rate float64, burst int, ceiling float64) {
	if l, ok := p.lim.override(a.Service); ok {
		return float64(l.Rate), l.Burst, 0
	}
	if a.Service == "sqs" || a.Service == "events" {
		return a.Rate, a.Burst, 0 // drainer's own caps already
	}
	return a.Rate * p.share, max(1, int(float64(a.Burst)*p.share)), a.Rate
}

// stats returns every bucket's statistics, by name.
func (p *pacer) stats() []BucketStats {
	p.mu.Lock()
	bs := make([]*bucket, 0, len(p.buckets))
	for _, b := range p.buckets {
		bs = append(bs, b)
	}
	p.mu.Unlock()
	out := make([]BucketStats, 0, len(bs))
	for _, b := range bs {
		out = append(out, b.snapshot())
	}
	slices.SortFunc(out, func(a, b BucketStats) int { return strings.Compare(a.Bucket, b.Bucket) })
	return out
}

// Pacing returns what each of the client's rate buckets did so far, by
// bucket name: its rate, the calls that went through and waited, how long,
// and the throttles AWS answered. A bucket appears after its first call.
func (c *Client) Pacing() []BucketStats { return c.pace.stats() }

// prepaidKey marks a call whose first attempt's token was taken before
// the call was made (a batch waiting at its gate, Client.gate): the
// attempt that finds it unused uses it instead of taking another.
type prepaidKey struct{}

type prepaid struct {
	bucket *bucket
	used   atomic.Bool
}

// paceKey is where the initialize step leaves the bucket and priority of
// a call for the pacing step.
type paceKey struct{}

type paced struct {
	b *bucket
	p cloud.Priority
}

// urgentActions always wait at PriorityUrgent: a late heartbeat or
// completion costs an instance its drain.
var urgentActions = map[string]bool{
	"RecordLifecycleActionHeartbeat": true,
	"CompleteLifecycleAction":        true,
}

// classifyMiddleware picks the bucket of each call from its operation and
// input (a filtered Describe draws on another EC2 bucket than an
// unfiltered one) and its priority from the context.
func classifyMiddleware(service string, p *pacer) middleware.InitializeMiddleware {
	return middleware.InitializeMiddlewareFunc("drainer.Classify",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := middleware.GetOperationName(ctx)
			unfiltered := false
			switch v := in.Parameters.(type) {
			case *ec2.DescribeInstancesInput:
				unfiltered = len(v.Filters) == 0
			case *ec2.DescribeNetworkInterfacesInput:
				unfiltered = len(v.Filters) == 0
			}
			prio := cloud.PriorityOf(ctx)
			if urgentActions[op] {
				prio = cloud.PriorityUrgent
			}
			if op == "RecordLifecycleActionHeartbeat" || op == "CompleteLifecycleAction" {
				// A completion ends its action's need for heartbeats, and
				// the look that makes it holds one of the reconciler's
				// workers while it waits: behind a thousand heartbeats it
				// would hold up every drain's next look.
				prio = cloud.PriorityHeartbeat
			}
			ctx = middleware.WithStackValue(ctx, paceKey{}, paced{p.bucket(bucketOf(service, op, unfiltered, p.lim)), prio})
			return next.HandleInitialize(ctx, in)
		})
}

// paceMiddleware makes every attempt (retries included, since it sits
// after the retry loop) take a token of its bucket first, and slows the
// bucket down when AWS throttles the attempt. A token bucket holds no
// slot during the call, so a long poll (SQS ReceiveMessage waiting up to
// 20 s) costs one token and blocks nobody while it waits.
func paceMiddleware() middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("drainer.Pace",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			pc, ok := middleware.GetStackValue(ctx, paceKey{}).(paced)
			if !ok {
				return next.HandleFinalize(ctx, in)
			}
			if pp, _ := ctx.Value(prepaidKey{}).(*prepaid); pp == nil || pp.bucket != pc.b || !pp.used.CompareAndSwap(false, true) {
				if err := pc.b.take(ctx, pc.p); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
			}
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				// Name the call's priority in its User-Agent, as SDK
				// metadata ("md/priority#background"): CloudTrail's
				// userAgent then tells drainer's scans from its drains, and
				// so does the emulator's call log.
				tag := "md/priority#" + pc.p.String()
				if ua := req.Header.Get("User-Agent"); !strings.Contains(ua, tag) {
					req.Header.Set("User-Agent", strings.TrimSpace(ua+" "+tag))
				}
			}
			out, md, err := next.HandleFinalize(ctx, in)
			if isThrottleErr(err) {
				pc.b.throttled()
			}
			return out, md, err
		})
}

// isThrottleErr reports whether err is AWS's throttling answer.
func isThrottleErr(err error) bool {
	var api smithy.APIError
	return err != nil && errors.As(err, &api) && isThrottle(api.ErrorCode())
}
