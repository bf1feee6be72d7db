// Package fault injects API faults into the emulated world on demand:
// throttling as token buckets (answering each service's own throttling
// code), server errors at a rate, and latency for the wire front to apply.
//
// Rules are keyed by service and operation ("*" matches any); the most
// specific rule wins. A throttling profile (AWS, the rates AWS documents)
// adds buckets shared by categories of actions, as AWS throttles; rules
// and profile combine. All time is virtual and all randomness comes from
// the world's seeded source, so a faulty run is as reproducible as a clean
// one.
package fault

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Rule describes the faults for one service and operation.
type Rule struct {
	// Service is "ecs", "autoscaling", "ec2", "sqs", "sns", "events" or "*".
	Service string `json:"service"`
	// Operation is the API operation name, e.g. "DescribeTasks", or "*".
	Operation string `json:"operation"`
	// Rate and Burst make a token bucket: Rate requests per second
	// sustained, Burst at once. Rate 0 means no throttling.
	Rate  float64 `json:"rate,omitempty"`
	Burst int     `json:"burst,omitempty"`
	// ErrorRate is the probability (0–1) that a call fails with the
	// service's internal error.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// Latency is added to each call by the wire front (virtual time).
	Latency time.Duration `json:"latency,omitempty"`
}

func (r Rule) validate() error {
	switch {
	case r.Service == "" || r.Operation == "":
		return fmt.Errorf("fault rule needs a service and an operation (use \"*\" for any)")
	case r.Rate < 0 || r.Burst < 0:
		return fmt.Errorf("fault rule %s:%s: rate and burst must not be negative", r.Service, r.Operation)
	case r.Rate > 0 && r.Burst == 0:
		return fmt.Errorf("fault rule %s:%s: a throttling rate needs a burst of at least 1", r.Service, r.Operation)
	case r.ErrorRate < 0 || r.ErrorRate > 1:
		return fmt.Errorf("fault rule %s:%s: errorRate %v is not a probability", r.Service, r.Operation, r.ErrorRate)
	case r.Latency < 0:
		return fmt.Errorf("fault rule %s:%s: latency must not be negative", r.Service, r.Operation)
	}
	return nil
}

// specificity orders rules: exact service and operation beat wildcards.
func (r Rule) specificity() int {
	n := 0
	if r.Service != "*" {
		n += 2
	}
	if r.Operation != "*" {
		n++
	}
	return n
}

// ruleBucket is a rule with its token bucket (used only when it has a
// rate).
type ruleBucket struct {
	Rule
	tb tokenBucket
}

// Injector holds the active rules, the throttling profile and the
// per-call latency. It is used under the world lock.
//
// A call is throttled when any bucket it draws on — its rule's (the most
// specific rule with a rate) and its profile's — lacks the tokens it
// costs; it then takes from none. Otherwise it takes from all of them,
// and its rule's error rate has its say.
type Injector struct {
	rules     []*ruleBucket
	stats     map[string]*Stats
	profile   *Profile
	buckets   map[string]*tokenBucket // the profile's, by name
	latency   time.Duration
	suspended int
	draws     []Draw // scratch
	taken     []*tokenBucket
}

// Stats counts what the injector did to one service:operation.
type Stats struct {
	Calls, Throttled, Errors int
}

// New returns an Injector with no rules and no profile.
func New() *Injector {
	return &Injector{stats: map[string]*Stats{}, buckets: map[string]*tokenBucket{}}
}

// Set adds a rule, replacing any rule for the same service and operation
// (and resetting its bucket).
func (in *Injector) Set(r Rule) error {
	if err := r.validate(); err != nil {
		return err
	}
	b := &ruleBucket{Rule: r}
	b.tb.Name = "rule " + r.Service + ":" + r.Operation
	b.tb.Limit = Limit{Burst: r.Burst, Rate: r.Rate}
	for i, old := range in.rules {
		if old.Service == r.Service && old.Operation == r.Operation {
			in.rules[i] = b
			return nil
		}
	}
	in.rules = append(in.rules, b)
	// Most specific first, then in the order they were set.
	sort.SliceStable(in.rules, func(i, j int) bool {
		return in.rules[i].specificity() > in.rules[j].specificity()
	})
	return nil
}

// Clear removes every rule (the profile and the latency stay).
func (in *Injector) Clear() { in.rules = nil }

// Rules returns the active rules, most specific first.
func (in *Injector) Rules() []Rule {
	out := make([]Rule, len(in.rules))
	for i, b := range in.rules {
		out[i] = b.Rule
	}
	return out
}

// SetProfile makes every call draw on p's buckets (nil: no profile). The
// buckets start full; choosing a profile again refills them and restarts
// their counts.
func (in *Injector) SetProfile(p *Profile) {
	in.profile = p
	in.buckets = map[string]*tokenBucket{}
}

// Profile returns the throttling profile, nil when there is none.
func (in *Injector) Profile() *Profile { return in.profile }

// SetCallLatency sets the latency the wire front adds to every call no
// rule gives a latency of its own (0: none); negative is an error.
func (in *Injector) SetCallLatency(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("call latency %v must not be negative", d)
	}
	in.latency = d
	return nil
}

// CallLatency returns the latency set with SetCallLatency.
func (in *Injector) CallLatency() time.Duration { return in.latency }

// Suspend turns every fault off until resume is called (calls are still
// counted in Stats): a scenario builds its world this way, unthrottled.
// Suspensions nest.
func (in *Injector) Suspend() (resume func()) {
	in.suspended++
	done := false
	return func() {
		if !done {
			done = true
			in.suspended--
		}
	}
}

func (in *Injector) match(service, op string) *ruleBucket {
	for _, b := range in.rules {
		if (b.Service == "*" || b.Service == service) && (b.Operation == "*" || b.Operation == op) {
			return b
		}
	}
	return nil
}

// Check decides the fate of one call at now: an error to answer instead of
// running the call (throttled or failed), or nil. It is CheckCall without
// the request.
func (in *Injector) Check(now time.Time, rng *rand.Rand, service, op string) *core.Error {
	return in.CheckCall(now, rng, service, op, nil)
}

// CheckCall decides the fate of one call of service:op with request input
// (the API method's input value; nil when unknown) at now: the service's
// throttling error when a bucket it draws on is short of tokens, its
// internal error at its rule's error rate, or nil to run the call.
func (in *Injector) CheckCall(now time.Time, rng *rand.Rand, service, op string, input any) *core.Error {
	st := in.stat(service, op)
	st.Calls++
	if in.suspended > 0 {
		return nil
	}
	rule := in.match(service, op)
	in.taken = in.taken[:0]
	if rule != nil && rule.Rate > 0 {
		in.taken = append(in.taken, &rule.tb)
	}
	in.draws = in.profile.Draws(in.draws[:0], service, op, input)
	for _, d := range in.draws {
		b := in.buckets[d.Bucket]
		if b == nil {
			b = &tokenBucket{BucketStats: BucketStats{Name: d.Bucket, Limit: d.Limit}}
			in.buckets[d.Bucket] = b
		}
		in.taken = append(in.taken, b)
	}
	throttled := false
	for i, b := range in.taken {
		b.refill(now)
		b.count(now)
		if b.tokens < float64(in.cost(i)) {
			b.Throttled++
			throttled = true
		}
	}
	if throttled {
		st.Throttled++
		return ThrottlingError(service)
	}
	for i, b := range in.taken {
		b.tokens -= float64(in.cost(i))
	}
	if rule != nil && rule.ErrorRate > 0 && rng.Float64() < rule.ErrorRate {
		st.Errors++
		return InternalError(service)
	}
	return nil
}

// cost is what the call takes from in.taken[i]: one token from a rule's
// bucket, its draw's cost from a profile's.
func (in *Injector) cost(i int) int {
	if off := len(in.taken) - len(in.draws); i >= off {
		return in.draws[i-off].Cost
	}
	return 1
}

// Latency returns the latency the wire front should add to a call: its
// rule's when that is set, else the call latency (SetCallLatency).
func (in *Injector) Latency(service, op string) time.Duration {
	if b := in.match(service, op); b != nil && b.Latency > 0 {
		return b.Latency
	}
	return in.latency
}

func (in *Injector) stat(service, op string) *Stats {
	k := service + ":" + op
	st := in.stats[k]
	if st == nil {
		st = &Stats{}
		in.stats[k] = st
	}
	return st
}

// Stats returns the counts for service:op.
func (in *Injector) Stats(service, op string) Stats {
	if st := in.stats[service+":"+op]; st != nil {
		return *st
	}
	return Stats{}
}

// Buckets returns the counts of every bucket calls have drawn on — the
// profile's, and the rules' with a rate (named "rule SERVICE:OPERATION")
// — sorted by name.
func (in *Injector) Buckets() []BucketStats {
	var out []BucketStats
	for _, b := range in.buckets {
		out = append(out, b.BucketStats)
	}
	for _, r := range in.rules {
		if r.tb.Calls > 0 {
			out = append(out, r.tb.BucketStats)
		}
	}
	slices.SortFunc(out, func(a, b BucketStats) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ThrottlingError is the answer each service gives when its rate limit is
// exceeded; the codes differ by service and the SDKs retry each of them.
func ThrottlingError(service string) *core.Error {
	const msg = "Rate exceeded"
	switch service {
	case "autoscaling", "sns":
		return core.ClientError("Throttling", msg)
	case "ec2":
		return core.Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case "sqs":
		return core.ClientError("RequestThrottled", msg)
	default: // ecs, events
		return core.ClientError("ThrottlingException", msg)
	}
}

// InternalError is each service's own server-side failure.
func InternalError(service string) *core.Error {
	const msg = "We encountered an internal error. Please try again."
	switch service {
	case "ecs":
		return core.ServerError("ServerException", "%s", msg)
	case "autoscaling":
		return core.ServerError("InternalFailure", "%s", msg)
	case "ec2":
		return core.ServerError("InternalError", "%s", msg)
	case "sqs", "sns":
		return core.ServerError("InternalError", "%s", msg)
	default:
		return core.ServerError("InternalException", "%s", msg)
	}
}
