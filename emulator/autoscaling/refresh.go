package autoscaling

import (
	"slices"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// protectedWait is how long a refresh waits for scale-in protection to be
// removed (ScaleInProtectedInstances Wait) before it fails.
const protectedWait = time.Hour

// refresh is one instance refresh of a group.
type refresh struct {
	id             string
	status, reason string
	start, end     time.Time
	prefs          RefreshPreferences
	desired        *DesiredConfiguration
	minHealthy     int32
	maxHealthy     int32
	warmup         time.Duration
	protectedMode  string

	todo  []*instance // old instances still to replace, in replacement order
	batch []*instance // old instances being replaced now
	total int
	done  int

	waitingSince time.Time   // when only protected instances were left (Wait mode)
	wake         clock.Timer // next time-based check (warm-up, protection wait)
}

func (r *refresh) active() bool {
	return r.status == RefreshPending || r.status == RefreshInProgress || r.status == RefreshCancelling
}

// StartInstanceRefreshInput mirrors the AWS request.
type StartInstanceRefreshInput struct {
	AutoScalingGroupName string
	Strategy             string
	DesiredConfiguration *DesiredConfiguration
	Preferences          *RefreshPreferences
}

// StartInstanceRefreshOutput mirrors the AWS response.
type StartInstanceRefreshOutput struct {
	InstanceRefreshId string
}

// DescribeInstanceRefreshesInput mirrors the AWS request.
type DescribeInstanceRefreshesInput struct {
	AutoScalingGroupName string
	InstanceRefreshIds   []string
	MaxRecords           *int32
	NextToken            string
}

// DescribeInstanceRefreshesOutput mirrors the AWS response.
type DescribeInstanceRefreshesOutput struct {
	InstanceRefreshes []InstanceRefresh
	NextToken         string
}

// CancelInstanceRefreshInput mirrors the AWS request.
type CancelInstanceRefreshInput struct {
	AutoScalingGroupName          string
	WaitForTransitioningInstances *bool
}

// CancelInstanceRefreshOutput mirrors the AWS response.
type CancelInstanceRefreshOutput struct {
	InstanceRefreshId string
}

// StartInstanceRefresh starts a rolling replacement of the group's
// instances.
func (s *Service) StartInstanceRefresh(in StartInstanceRefreshInput) (*StartInstanceRefreshOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	if in.Strategy != "" && in.Strategy != "Rolling" {
		return nil, validation("The emulator supports the Rolling strategy only, not %s.", in.Strategy)
	}
	if g.activeRefresh() != nil {
		return nil, core.ClientError("InstanceRefreshInProgress",
			"An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
	}
	r := &refresh{id: s.env.UUID(), status: RefreshPending, start: s.now(), minHealthy: 90, maxHealthy: 100, protectedMode: "Wait"}
	if p := in.Preferences; p != nil {
		r.prefs = *p
		if p.MinHealthyPercentage != nil {
			r.minHealthy = *p.MinHealthyPercentage
		}
		if p.MaxHealthyPercentage != nil {
			r.maxHealthy = *p.MaxHealthyPercentage
		}
		if p.InstanceWarmup != nil && *p.InstanceWarmup < 0 {
			return nil, validation("1 validation error detected: Value '%d' at 'preferences.instanceWarmup' failed to satisfy constraint: Member must have value greater than or equal to 0", *p.InstanceWarmup)
		}
		switch p.ScaleInProtectedInstances {
		case "":
		case "Refresh", "Ignore", "Wait":
			r.protectedMode = p.ScaleInProtectedInstances
		default:
			return nil, validation("Invalid value %s for ScaleInProtectedInstances. Valid values are Refresh, Ignore and Wait.", p.ScaleInProtectedInstances)
		}
	}
	switch {
	case r.minHealthy < 0 || r.minHealthy > 100:
		return nil, validation("1 validation error detected: Value '%d' at 'preferences.minHealthyPercentage' failed to satisfy constraint: Member must have value between 0 and 100", r.minHealthy)
	case r.maxHealthy < 100 || r.maxHealthy > 200:
		return nil, validation("1 validation error detected: Value '%d' at 'preferences.maxHealthyPercentage' failed to satisfy constraint: Member must have value between 100 and 200", r.maxHealthy)
	case r.maxHealthy-r.minHealthy > 100:
		return nil, validation("The difference between MaxHealthyPercentage and MinHealthyPercentage must be less than or equal to 100.")
	case r.minHealthy == 100 && r.maxHealthy == 100:
		return nil, validation("MinHealthyPercentage and MaxHealthyPercentage cannot both be 100: the refresh could never replace an instance.")
	}
	if dc := in.DesiredConfiguration; dc != nil {
		lt, mip, err := validateTemplate(dc.LaunchTemplate, dc.MixedInstancesPolicy, true)
		if err != nil {
			return nil, err
		}
		r.desired = &DesiredConfiguration{LaunchTemplate: lt, MixedInstancesPolicy: mip}
	}
	r.prefs.MinHealthyPercentage, r.prefs.MaxHealthyPercentage = &r.minHealthy, &r.maxHealthy
	r.prefs.ScaleInProtectedInstances = r.protectedMode
	r.warmup = g.warmupFor(r.prefs.InstanceWarmup)

	skip := r.prefs.SkipMatching != nil && *r.prefs.SkipMatching
	target := g.lt
	if g.mip != nil && g.mip.LaunchTemplate != nil {
		target = g.mip.LaunchTemplate.LaunchTemplateSpecification
	}
	if r.desired != nil {
		target = r.desired.LaunchTemplate
		if m := r.desired.MixedInstancesPolicy; m != nil {
			target = m.LaunchTemplate.LaunchTemplateSpecification
		}
	}
	for _, inst := range g.instances {
		if inst.terminating() || inst.outgoing != "" {
			continue
		}
		if skip && target != nil && inst.lt == *target {
			continue
		}
		r.todo = append(r.todo, inst)
	}
	slices.SortStableFunc(r.todo, s.terminationOrder(g))
	r.total = len(r.todo)
	g.refreshes = append(g.refreshes, r)
	s.reconcileSoon(g)
	return &StartInstanceRefreshOutput{InstanceRefreshId: r.id}, nil
}

// refreshStep advances a refresh: it finishes the batch in flight (old
// instances terminated, replacements InService and warmed up) before
// starting the next.
func (s *Service) refreshStep(g *group, r *refresh) {
	now := s.now()
	if r.status == RefreshPending {
		r.status = RefreshInProgress
	}
	// Old instances that have left the group are replaced.
	r.batch = slices.DeleteFunc(r.batch, func(in *instance) bool {
		if s.instances[in.id] == in {
			return false
		}
		r.done++
		return true
	})
	if r.status == RefreshCancelling {
		// Instances still waiting for their replacement stay in service.
		r.batch = slices.DeleteFunc(r.batch, func(in *instance) bool {
			if in.terminating() {
				return false
			}
			in.outgoing, in.replacement = "", nil
			return true
		})
		if len(r.batch) == 0 {
			r.finish(s, RefreshCancelled, "")
		}
		return
	}
	if len(r.batch) > 0 {
		// Launching before terminating: an old instance goes once its
		// replacement is in service and warmed up.
		for _, old := range slices.Clone(r.batch) {
			rep := old.replacement
			if old.terminating() || rep == nil || rep.state != StateInService {
				continue
			}
			if ready := rep.inServiceAt.Add(r.warmup); now.Before(ready) {
				s.refreshWake(g, r, ready)
				continue
			}
			old.replacement, rep.replaces = nil, nil
			s.beginTermination(old, reasonRefresh, joinCauses(
				causeAt(now, "an instance was taken out of service in response to an instance refresh."),
				causeAt(now, "instance %s was selected for termination.", old.id)), true)
		}
		return
	}
	// Between batches: replacements must be in service and warmed up.
	if g.counted() < g.desired {
		return
	}
	for _, in := range g.instances {
		if !in.counted() {
			continue
		}
		if in.state != StateInService {
			return
		}
		if ready := in.inServiceAt.Add(r.warmup); in.inServiceAt.After(r.start.Add(-1)) && now.Before(ready) {
			s.refreshWake(g, r, ready)
			return
		}
	}
	r.todo = slices.DeleteFunc(r.todo, func(in *instance) bool {
		gone := s.instances[in.id] != in || in.terminating()
		if gone {
			r.done++ // replaced by something else (scale-in, health, ...)
		}
		return gone
	})
	if len(r.todo) == 0 {
		if r.desired != nil {
			g.lt, g.mip = r.desired.LaunchTemplate, r.desired.MixedInstancesPolicy
		}
		r.finish(s, RefreshSuccessful, "")
		return
	}
	size := r.batchSize(g.desired)
	launchFirst := r.maxHealthy > 100
	var picked []*instance
	for _, in := range r.todo {
		if len(picked) == size {
			break
		}
		if in.protected && r.protectedMode != "Refresh" {
			continue
		}
		if in.state != StateInService {
			continue // wait for it to settle
		}
		picked = append(picked, in)
	}
	if len(picked) == 0 {
		s.refreshBlocked(g, r, now)
		return
	}
	r.waitingSince = time.Time{}
	r.todo = slices.DeleteFunc(r.todo, func(in *instance) bool { return slices.Contains(picked, in) })
	r.batch = picked
	for _, old := range picked {
		if launchFirst {
			old.outgoing = reasonRefresh
			continue
		}
		s.beginTermination(old, reasonRefresh, joinCauses(
			causeAt(now, "an instance was taken out of service in response to an instance refresh."),
			causeAt(now, "instance %s was selected for termination.", old.id)), true)
	}
}

// refreshBlocked handles a refresh whose remaining instances cannot be
// picked: protected ones are skipped (Ignore) or waited for up to an hour
// (Wait); others are still settling.
func (s *Service) refreshBlocked(g *group, r *refresh, now time.Time) {
	protected := 0
	for _, in := range r.todo {
		if in.protected && r.protectedMode != "Refresh" {
			protected++
		}
	}
	if protected == 0 {
		return // instances still settling: their state changes wake us
	}
	if r.protectedMode == "Ignore" {
		if protected == len(r.todo) {
			r.todo = nil
			s.reconcileSoon(g)
		}
		return
	}
	if r.waitingSince.IsZero() {
		r.waitingSince = now
	}
	if deadline := r.waitingSince.Add(protectedWait); now.Before(deadline) {
		s.refreshWake(g, r, deadline)
		return
	}
	r.finish(s, RefreshFailed, "Instance refresh failed: instances protected from scale in were found and ScaleInProtectedInstances is Wait; the protection was not removed within an hour.")
}

// batchSize keeps InService capacity at or above MinHealthyPercentage (and,
// launching first, total capacity within MaxHealthyPercentage); at least 1.
func (r *refresh) batchSize(desired int32) int {
	var n int32
	if r.maxHealthy > 100 {
		n = desired*r.maxHealthy/100 - desired
	} else {
		n = desired - (desired*r.minHealthy+99)/100
	}
	return int(max(1, n))
}

// refreshWake schedules a reconciliation at t (one pending at a time).
func (s *Service) refreshWake(g *group, r *refresh, t time.Time) {
	if r.wake != nil {
		r.wake.Stop()
	}
	r.wake = s.env.At(t, func() {
		r.wake = nil
		if s.groups[g.name] == g {
			s.reconcileSoon(g)
		}
	})
}

func (r *refresh) finish(s *Service, status, reason string) {
	if r.wake != nil {
		r.wake.Stop()
		r.wake = nil
	}
	r.status, r.reason, r.end = status, reason, s.now()
	for _, in := range r.batch {
		if !in.terminating() {
			in.outgoing, in.replacement = "", nil
		}
	}
	r.batch = nil
}

// DescribeInstanceRefreshes lists a group's refreshes, newest first.
func (s *Service) DescribeInstanceRefreshes(in DescribeInstanceRefreshesInput) (*DescribeInstanceRefreshesOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	var list []*refresh
	for i := len(g.refreshes) - 1; i >= 0; i-- {
		if r := g.refreshes[i]; len(in.InstanceRefreshIds) == 0 || contains(in.InstanceRefreshIds, r.id) {
			list = append(list, r)
		}
	}
	start, end, next, err := page(len(list), in.MaxRecords, 50, 100, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeInstanceRefreshesOutput{InstanceRefreshes: make([]InstanceRefresh, 0, end-start), NextToken: next}
	for _, r := range list[start:end] {
		out.InstanceRefreshes = append(out.InstanceRefreshes, r.describe(g.name))
	}
	return out, nil
}

func (r *refresh) describe(groupName string) InstanceRefresh {
	pct := int32(100)
	if r.total > 0 {
		pct = int32(min(r.done, r.total) * 100 / r.total)
	}
	if r.status == RefreshPending {
		pct = 0
	}
	left := int32(max(0, r.total-r.done))
	startT := r.start
	d := InstanceRefresh{
		InstanceRefreshId:    r.id,
		AutoScalingGroupName: groupName,
		Status:               r.status,
		StatusReason:         r.reason,
		StartTime:            &startT,
		PercentageComplete:   pct,
		InstancesToUpdate:    left,
		ProgressDetails:      &InstanceRefreshProgressDetails{LivePoolProgress: &InstanceRefreshLivePoolProgress{InstancesToUpdate: left, PercentageComplete: pct}},
		Strategy:             "Rolling",
	}
	prefs := r.prefs
	d.Preferences = &prefs
	if r.desired != nil {
		dc := *r.desired
		d.DesiredConfiguration = &dc
	}
	if !r.end.IsZero() {
		endT := r.end
		d.EndTime = &endT
	}
	return d
}

// CancelInstanceRefresh cancels the active refresh: replacements in flight
// finish, then the refresh is Cancelled.
func (s *Service) CancelInstanceRefresh(in CancelInstanceRefreshInput) (*CancelInstanceRefreshOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	r := g.activeRefresh()
	if r == nil || r.status == RefreshCancelling {
		return nil, core.ClientError("ActiveInstanceRefreshNotFound",
			"No in progress or pending Instance Refresh found for Auto Scaling group %s", g.name)
	}
	r.status = RefreshCancelling
	s.reconcileSoon(g)
	return &CancelInstanceRefreshOutput{InstanceRefreshId: r.id}, nil
}
