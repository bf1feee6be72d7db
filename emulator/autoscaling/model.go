package autoscaling

import (
	"time"

	"github.com/drainer-dev/drainer/clock"
)

// group is the state of one Auto Scaling group.
type group struct {
	name, arn string
	created   time.Time

	lt  *LaunchTemplateSpecification // the group's template, or nil with a mixed policy
	mip *MixedInstancesPolicy
	lc  *launchConfig // the group's launch configuration, or nil with a template

	min, max, desired int32
	cooldown          int32
	azs               []string
	vpc               string
	subnets           map[string]string // zone → the group's first subnet there (VPCZoneIdentifier)
	healthType        string
	grace             int32
	warmup            *int32
	maxLifetime       int32
	capRebalance      bool
	newProtected      bool
	policies          []string
	tags              []TagDescription
	roleARN           string

	instances  []*instance // creation order
	hooks      []*hook     // creation order
	notifs     []NotificationConfiguration
	activities []*activity // oldest first
	refreshes  []*refresh  // oldest first

	// desiredCause is the cause text of the last desired-capacity change;
	// the capacity activities it starts quote it, as AWS does.
	desiredCause string

	// blockedAt is the desired capacity at which a scale in last found
	// every remaining instance protected (-1: none), so that the activity
	// saying so is recorded once.
	blockedAt int32

	reconcileQueued bool
	retry           clock.Timer // pending retry after a failed launch
	launches        int         // launches so far, to rotate instance type overrides
}

// instance is one instance of a group.
type instance struct {
	id, az, itype string
	lt            LaunchTemplateSpecification // template and resolved version it was launched from
	lc            string                      // or the launch configuration it was launched with
	spot          bool
	g             *group

	state       string
	healthy     bool
	protected   bool
	launchedAt  time.Time
	inServiceAt time.Time

	actions []*action // active lifecycle actions, hook creation order
	act     *activity // the launch or termination activity in progress

	// outgoing is set when a replacement is launched before this instance
	// terminates (capacity rebalance, instance refresh launching first): it
	// no longer counts toward capacity.
	outgoing    string
	replacement *instance // the instance launched for an outgoing one
	replaces    *instance // the outgoing instance this one replaces

	reason string // why it is terminating: reasonScaleIn, reasonRefresh, ...
}

// Reasons an instance leaves the group.
const (
	reasonScaleIn   = "scale-in"
	reasonUser      = "user"
	reasonHealth    = "health"
	reasonRefresh   = "refresh"
	reasonLifetime  = "lifetime"
	reasonRebalance = "rebalance"
	reasonSpot      = "spot"
	reasonAbandon   = "launch-abandoned"
	reasonDelete    = "force-delete"
)

// counted reports whether the instance counts toward the group's capacity.
func (in *instance) counted() bool {
	if in.outgoing != "" {
		return false
	}
	switch in.state {
	case StatePending, StatePendingWait, StatePendingProceed, StateInService:
		return true
	}
	return false
}

func (in *instance) terminating() bool {
	switch in.state {
	case StateTerminating, StateTerminatingWait, StateTerminatingProceed, StateTerminated:
		return true
	}
	return false
}

func (in *instance) healthStatus() string {
	if in.healthy {
		return "Healthy"
	}
	return "Unhealthy"
}

// templateSpec is the template the instance was launched from, nil when
// it was launched with a launch configuration.
func (in *instance) templateSpec() *LaunchTemplateSpecification {
	if in.lc != "" {
		return nil
	}
	lt := in.lt
	return &lt
}

// counted returns the number of instances counting toward capacity.
func (g *group) counted() int32 {
	var n int32
	for _, in := range g.instances {
		if in.counted() {
			n++
		}
	}
	return n
}

// activeRefresh returns the refresh in progress, or nil.
func (g *group) activeRefresh() *refresh {
	if n := len(g.refreshes); n > 0 {
		if r := g.refreshes[n-1]; r.active() {
			return r
		}
	}
	return nil
}

// removeInstance drops in from the group's slice.
func (g *group) removeInstance(in *instance) {
	for i, x := range g.instances {
		if x == in {
			g.instances = append(g.instances[:i], g.instances[i+1:]...)
			return
		}
	}
}

// warmup is how long a new instance warms up: the refresh preference, else
// the group's default instance warmup, else its health check grace period.
func (g *group) warmupFor(pref *int32) time.Duration {
	switch {
	case pref != nil:
		return time.Duration(*pref) * time.Second
	case g.warmup != nil && *g.warmup >= 0:
		return time.Duration(*g.warmup) * time.Second
	default:
		return time.Duration(g.grace) * time.Second
	}
}

// hasHook reports whether the group has a lifecycle hook for transition.
func (g *group) hasHook(transition string) bool {
	for _, h := range g.hooks {
		if h.transition == transition {
			return true
		}
	}
	return false
}
