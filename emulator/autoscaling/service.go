// Package autoscaling is the emulated EC2 Auto Scaling: groups and their
// capacity (launch templates, mixed instances policies or launch
// configurations; zones or VPC subnets), the scale-in choice, lifecycle
// hooks (tokens, heartbeats, default results, global timeouts, several
// hooks at once), scale-in protection, Standby, health replacement,
// instance refresh (healthy range, checkpoints, protected and Standby
// instances, skip matching), maximum instance lifetime, Spot interruptions
// and capacity rebalancing, the activity history, notifications and
// EventBridge events.
//
// The package follows the rules of emulator/core: it never locks and never
// starts goroutines; API methods run under the world lock and state changes
// otherwise happen in events scheduled on the Env. EC2 is reached only
// through the Fleet seam, and the world reports EC2 changes back through
// InstanceRunning, InstanceTerminated, SpotInterruption and
// RebalanceRecommendation.
package autoscaling

import (
	"errors"
	"slices"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// Options configure the service.
type Options struct {
	Fleet  Fleet            // launches and terminates EC2 instances
	Queues core.QueueSender // lifecycle hook targets and notification topics (SQS queue ARNs)
	Events core.EventSink   // EventBridge default bus
	// LifetimeCheckInterval is how often maximum instance lifetime is
	// checked; default 1m.
	LifetimeCheckInterval time.Duration
}

// Fleet launches and terminates EC2 instances for the groups.
type Fleet interface {
	Launch(req LaunchRequest) (LaunchedInstance, error)
	Terminate(instanceID string) error
}

// TemplateResolver is implemented by a Fleet that can name a launch
// template's id from its name and the version numbers "$Latest" and
// "$Default" stand for now. Without it the service keeps specifications
// as given.
type TemplateResolver interface {
	// ResolveTemplate returns the template's id and name and, for
	// "$Latest", "$Default" or "", the version number it resolves to (a
	// number is returned as given). It fails with EC2's error for an
	// unknown template or version.
	ResolveTemplate(id, name, version string) (LaunchTemplateSpecification, error)
}

// SubnetResolver is implemented by a Fleet that knows subnets: it names
// the Availability Zone of a subnet of VPCZoneIdentifier. Without it the
// service spreads a group given only subnets over the region's first
// three zones.
type SubnetResolver interface {
	// SubnetZone returns the subnet's zone, or EC2's error for an unknown
	// or malformed subnet id.
	SubnetZone(subnetID string) (string, error)
}

// LaunchRequest asks the fleet for one instance.
type LaunchRequest struct {
	LaunchTemplateID, LaunchTemplateName, Version string
	InstanceType                                  string // override from a mixed instances policy, or ""
	AZ                                            string
	SubnetID                                      string // from VPCZoneIdentifier, or "" for the zone's default subnet
	ImageID, UserData                             string // a launch configuration's image and base64 user data (no template then)
	Market                                        string // "spot", "on-demand" or "" (the template decides)
	Tags                                          []Tag  // always includes aws:autoscaling:groupName
}

// LaunchedInstance is what the fleet launched.
type LaunchedInstance struct {
	ID, AZ, InstanceType, LaunchTemplateVersion string
	LaunchTemplateID                            string // the template's id, when launched from one
	Spot                                        bool
}

// Service is the emulated Auto Scaling service of one account and region.
type Service struct {
	env       *core.Env
	fleet     Fleet
	queues    core.QueueSender
	events    core.EventSink
	lifeEvery time.Duration

	groups    map[string]*group
	configs   map[string]*launchConfig // launch configurations by name
	instances map[string]*instance     // every instance still in a group
	tokens    map[string]*action       // active lifecycle actions by token
	observers []func(group, instanceID, from, to string)

	lifeTimer clock.Timer // pending lifetime check, nil when none is needed
}

// New returns an empty service.
func New(env *core.Env, opts Options) *Service {
	s := &Service{
		env:       env,
		fleet:     opts.Fleet,
		queues:    opts.Queues,
		events:    opts.Events,
		lifeEvery: opts.LifetimeCheckInterval,
		groups:    map[string]*group{},
		configs:   map[string]*launchConfig{},
		instances: map[string]*instance{},
		tokens:    map[string]*action{},
	}
	if s.queues == nil {
		s.queues = core.Discard
	}
	if s.events == nil {
		s.events = core.Discard
	}
	if s.lifeEvery <= 0 {
		s.lifeEvery = time.Minute
	}
	return s
}

// OnLifecycleChange registers fn to be told, synchronously and in
// registration order, of every lifecycle state change.
func (s *Service) OnLifecycleChange(fn func(group, instanceID, from, to string)) {
	s.observers = append(s.observers, fn)
}

// GroupNames returns the names of all groups, sorted.
func (s *Service) GroupNames() []string {
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// GroupOf returns the group an instance belongs to.
func (s *Service) GroupOf(instanceID string) (string, bool) {
	in, ok := s.instances[instanceID]
	if !ok {
		return "", false
	}
	return in.g.name, true
}

// LifecycleActions returns the pending lifecycle actions of an instance, in
// hook creation order.
func (s *Service) LifecycleActions(instanceID string) []LifecycleAction {
	in, ok := s.instances[instanceID]
	if !ok {
		return nil
	}
	out := make([]LifecycleAction, 0, len(in.actions))
	for _, a := range in.actions {
		out = append(out, LifecycleAction{
			LifecycleHookName:   a.hook.name,
			LifecycleTransition: a.hook.transition,
			Token:               a.token,
			Start:               a.start,
			HeartbeatExpiry:     a.heartbeatAt,
			GlobalExpiry:        a.globalAt,
		})
	}
	return out
}

// setState moves an instance to a new lifecycle state and tells observers.
func (s *Service) setState(in *instance, to string) {
	from := in.state
	if from == to {
		return
	}
	in.state = to
	for _, fn := range s.observers {
		fn(in.g.name, in.id, from, to)
	}
}

func (s *Service) now() time.Time { return s.env.Now() }

// resolveTemplate names a template by id and name and turns $Latest/$Default into
// the version number EC2 resolves them to now; the specification is kept
// as given when the fleet cannot resolve it.
func (s *Service) resolveTemplate(spec LaunchTemplateSpecification) LaunchTemplateSpecification {
	r, ok := s.fleet.(TemplateResolver)
	if !ok {
		return spec
	}
	got, err := r.ResolveTemplate(byIDOrName(spec))
	if err != nil {
		return spec
	}
	return got
}

// checkTemplate verifies that a group's launch template exists and names
// it by id as well as by name (AWS describes a group made with a template
// name with its LaunchTemplateId too). The version stays as given.
//
// An unknown template or version is refused as AWS refuses it: a
// ValidationError "You must use a valid fully-formed launch template."
// followed by EC2's own message.
func (s *Service) checkTemplate(spec *LaunchTemplateSpecification) error {
	r, ok := s.fleet.(TemplateResolver)
	if !ok || spec == nil {
		return nil
	}
	got, err := r.ResolveTemplate(byIDOrName(*spec))
	if err != nil {
		msg := err.Error()
		var ce *core.Error
		if errors.As(err, &ce) {
			msg = ce.Message
		}
		return validation("You must use a valid fully-formed launch template. %s", msg)
	}
	spec.LaunchTemplateId, spec.LaunchTemplateName = got.LaunchTemplateId, got.LaunchTemplateName
	return nil
}

// byIDOrName names a template the way EC2 takes it: by id when known, else
// by name (never both), with its version.
func byIDOrName(spec LaunchTemplateSpecification) (id, name, version string) {
	if spec.LaunchTemplateId != "" {
		return spec.LaunchTemplateId, "", spec.Version
	}
	return "", spec.LaunchTemplateName, spec.Version
}
