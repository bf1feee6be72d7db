// Package fault injects API faults into the emulated world on demand:
// throttling as token buckets (answering each service's own throttling
// code), server errors at a rate, and latency for the wire front to apply.
//
// Rules are keyed by service and operation ("*" matches any); the most
// specific rule wins. All time is virtual and all randomness comes from the
// world's seeded source, so a faulty run is as reproducible as a clean one.
package fault

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Rule describes the faults for one service and operation.
type Rule struct {
	// Service is "ecs", "autoscaling", "ec2", "sqs", "events" or "*".
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

type bucket struct {
	Rule
	tokens float64
	last   time.Time
}

// take refills the bucket to now and takes one token if there is one.
func (b *bucket) take(now time.Time) bool {
	if b.Rate == 0 {
		return true
	}
	if b.last.IsZero() {
		b.tokens = float64(b.Burst)
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(float64(b.Burst), b.tokens+el*b.Rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Injector holds the active rules. It is used under the world lock.
type Injector struct {
	rules []*bucket
	stats map[string]*Stats
}

// Stats counts what the injector did to one service:operation.
type Stats struct {
	Calls, Throttled, Errors int
}

// New returns an Injector with no rules.
func New() *Injector { return &Injector{stats: map[string]*Stats{}} }

// Set adds a rule, replacing any rule for the same service and operation
// (and resetting its bucket).
func (in *Injector) Set(r Rule) error {
	if err := r.validate(); err != nil {
		return err
	}
	b := &bucket{Rule: r}
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

// Clear removes every rule.
func (in *Injector) Clear() { in.rules = nil }

// Rules returns the active rules, most specific first.
func (in *Injector) Rules() []Rule {
	out := make([]Rule, len(in.rules))
	for i, b := range in.rules {
		out[i] = b.Rule
	}
	return out
}

func (in *Injector) match(service, op string) *bucket {
	for _, b := range in.rules {
		if (b.Service == "*" || b.Service == service) && (b.Operation == "*" || b.Operation == op) {
			return b
		}
	}
	return nil
}

// Check decides the fate of one call at now: an error to answer instead of
// running the call (throttled or failed), or nil.
func (in *Injector) Check(now time.Time, rng *rand.Rand, service, op string) *core.Error {
	st := in.stat(service, op)
	st.Calls++
	b := in.match(service, op)
	if b == nil {
		return nil
	}
	if !b.take(now) {
		st.Throttled++
		return ThrottlingError(service)
	}
	if b.ErrorRate > 0 && rng.Float64() < b.ErrorRate {
		st.Errors++
		return InternalError(service)
	}
	return nil
}

// Latency returns the latency the wire front should add to a call.
func (in *Injector) Latency(service, op string) time.Duration {
	if b := in.match(service, op); b != nil {
		return b.Latency
	}
	return 0
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

// ThrottlingError is the answer each service gives when its rate limit is
// exceeded; the codes differ by service and the SDKs retry each of them.
func ThrottlingError(service string) *core.Error {
	const msg = "Rate exceeded"
	switch service {
	case "autoscaling":
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
	case "sqs":
		return core.ServerError("InternalError", "%s", msg)
	default:
		return core.ServerError("InternalException", "%s", msg)
	}
}
