package eventbridge

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Options configure the service.
type Options struct {
	Queues        core.QueueSender // delivers to SQS targets; nil drops deliveries
	DeliveryDelay time.Duration    // 0 delivers within the event that matched
}

// Service is the emulated EventBridge of one account and region, with the
// default event bus only.
type Service struct {
	env    *core.Env
	queues core.QueueSender
	delay  time.Duration

	rules  map[string]*rule
	order  []*rule // creation order: matching rules deliver in this order
	seq    uint64
	routes *routeIndex // nil when rules changed since it was built

	delivered, failed int
}

// rule is one rule on the default bus.
type rule struct {
	seq         uint64
	name, arn   string
	pattern     *Pattern
	state       string
	description string
	targets     []*target // in the order they were first put
	tags        []Tag     // as created, keys unique
}

// target is one SQS target of a rule.
type target struct {
	id, arn, input, inputPath string
}

// New returns an EventBridge service living in env.
func New(env *core.Env, opts Options) *Service {
	q := opts.Queues
	if q == nil {
		q = core.Discard
	}
	return &Service{env: env, queues: q, delay: opts.DeliveryDelay, rules: map[string]*rule{}}
}

// Deliveries returns how many target deliveries succeeded and failed (a
// failed one is a send the queue refused, e.g. it was deleted).
func (s *Service) Deliveries() (delivered, failed int) { return s.delivered, s.failed }

// checkBus accepts the default bus by name or ARN.
func (s *Service) checkBus(name string) *core.Error {
	if name == "" || name == defaultBus || name == s.env.ARN("events", "event-bus/"+defaultBus) {
		return nil
	}
	return errNoBus(name)
}

// changed invalidates the routing index.
func (s *Service) changed() { s.routes = nil }

func (r *rule) enabled() bool { return r.state != "DISABLED" }
