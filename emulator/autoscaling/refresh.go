package autoscaling

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// protectedWait is how long a refresh waits for scale-in protection to be
// removed (ScaleInProtectedInstances Wait), or for instances in Standby to
// return to service (StandbyInstances Wait), before it fails.
//
// Source: "RefreshPreferences" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html):
// Wait "waits one hour for you to remove scale-in protection" / "to return
// the instances to service. Otherwise, the instance refresh will fail."
const protectedWait = time.Hour

// defaultCheckpointDelay is CheckpointDelay when checkpoints are given
// without one (same source: "defaults to 3600 (1 hour)").
const defaultCheckpointDelay = 3600

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
	standbyMode    string

	checkpoints     []int32       // percentages still ahead, ascending
	checkpointDelay time.Duration // wait at each checkpoint
	pausedUntil     time.Time     // end of the current checkpoint wait

	todo  []*instance // old instances still to replace, in replacement order
	batch []*instance // old instances being replaced now
	total int
	done  int

	waitingSince time.Time   // when only protected or Standby instances were left (Wait mode)
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
	r := &refresh{id: s.env.UUID(), status: RefreshPending, start: s.now(), minHealthy: 90, maxHealthy: 100,
		protectedMode: "Wait", standbyMode: "Wait"}
	if p := in.Preferences; p != nil {
		if err := r.applyPreferences(p); err != nil {
			return nil, err
		}
	}
	if dc := in.DesiredConfiguration; dc != nil {
		lt, mip, err := validateTemplate(dc.LaunchTemplate, dc.MixedInstancesPolicy, true)
		if err != nil {
			return nil, err
		}
		if err := s.checkTemplates(lt, mip); err != nil {
			return nil, err
		}
		r.desired = &DesiredConfiguration{LaunchTemplate: lt, MixedInstancesPolicy: mip}
	}
	r.prefs.MinHealthyPercentage, r.prefs.MaxHealthyPercentage = &r.minHealthy, &r.maxHealthy
	r.prefs.ScaleInProtectedInstances, r.prefs.StandbyInstances = r.protectedMode, r.standbyMode
	r.warmup = g.warmupFor(r.prefs.InstanceWarmup)

	skip := r.prefs.SkipMatching != nil && *r.prefs.SkipMatching
	var target *LaunchTemplateSpecification
	if skip {
		target = s.resolvedTarget(g, r)
	}
	for _, inst := range g.instances {
		if inst.terminating() || inst.outgoing != "" {
			continue
		}
		if target != nil && inst.lc == "" && sameResolved(inst.lt, *target) {
			continue
		}
		if skip && r.desired == nil && g.lc != nil && inst.lc == g.lc.name {
			continue // already launched with the group's launch configuration
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
		s.refreshDone(g, r)
		return
	}
	if !r.pausedUntil.IsZero() {
		if now.Before(r.pausedUntil) {
			s.refreshWake(g, r, r.pausedUntil)
			return
		}
		r.pausedUntil, r.reason = time.Time{}, ""
	}
	if len(r.checkpoints) > 0 && r.total > 0 && r.done*100 >= int(r.checkpoints[0])*r.total {
		cp := r.checkpoints[0]
		r.checkpoints = r.checkpoints[1:]
		if len(r.checkpoints) == 0 && cp < 100 {
			// The last checkpoint below 100 %: the refresh ends there,
			// leaving the rest of the instances as they are.
			s.refreshDone(g, r)
			return
		}
		r.pausedUntil = now.Add(r.checkpointDelay)
		r.reason = fmt.Sprintf("Waiting at the checkpoint of %d%% for %d seconds.", cp, int(r.checkpointDelay/time.Second))
		s.refreshWake(g, r, r.pausedUntil)
		return
	}
	terminateNow, launchFirst := r.batchSize(g.desired)
	size := terminateNow + launchFirst
	if len(r.checkpoints) > 0 {
		// A batch never runs past the next checkpoint.
		upTo := (int(r.checkpoints[0])*r.total + 99) / 100
		size = max(1, min(size, upTo-r.done))
		terminateNow = min(terminateNow, size)
		launchFirst = size - terminateNow
	}
	var picked []*instance
	for _, in := range slices.Clone(r.todo) {
		if len(picked) == size {
			break
		}
		switch {
		case in.state == StateStandby && r.standbyMode == "Terminate":
			// Standby instances are terminated, not replaced: they do not
			// count toward capacity.
			r.todo = slices.DeleteFunc(r.todo, func(x *instance) bool { return x == in })
			r.done++
			s.beginTermination(in, reasonRefresh, joinCauses(
				causeAt(now, "an instance was taken out of service in response to an instance refresh."),
				causeAt(now, "instance %s was selected for termination.", in.id)), true)
			continue
		case in.state == StateStandby && r.standbyMode == "Ignore":
			r.todo = slices.DeleteFunc(r.todo, func(x *instance) bool { return x == in })
			r.total--
			continue
		case in.protected && r.protectedMode == "Ignore":
			r.todo = slices.DeleteFunc(r.todo, func(x *instance) bool { return x == in })
			r.total--
			continue
		case in.protected && r.protectedMode != "Refresh":
			continue
		case in.state != StateInService:
			continue // Standby (Wait), or still settling
		}
		picked = append(picked, in)
	}
	if len(r.todo) == 0 {
		s.refreshDone(g, r)
		return
	}
	if len(picked) == 0 {
		s.refreshBlocked(g, r, now)
		return
	}
	r.waitingSince = time.Time{}
	r.todo = slices.DeleteFunc(r.todo, func(in *instance) bool { return slices.Contains(picked, in) })
	r.batch = picked
	for i, old := range picked {
		if i >= terminateNow {
			// Launched before terminating: the old instance stays in
			// service until its replacement is in service and warm.
			old.outgoing = reasonRefresh
			continue
		}
		s.beginTermination(old, reasonRefresh, joinCauses(
			causeAt(now, "an instance was taken out of service in response to an instance refresh."),
			causeAt(now, "instance %s was selected for termination.", old.id)), true)
	}
}

// refreshDone ends a refresh successfully; the group takes the desired
// configuration.
func (s *Service) refreshDone(g *group, r *refresh) {
	if r.desired != nil {
		g.lt, g.mip, g.lc = r.desired.LaunchTemplate, r.desired.MixedInstancesPolicy, nil
	}
	r.finish(s, RefreshSuccessful, "")
}

// refreshBlocked handles a refresh whose remaining instances cannot be
// picked: protected ones (ScaleInProtectedInstances Wait) and Standby ones
// (StandbyInstances Wait) are waited for up to an hour, after which the
// refresh fails; others are still settling and their changes wake it.
func (s *Service) refreshBlocked(g *group, r *refresh, now time.Time) {
	var protected, standby int
	for _, in := range r.todo {
		switch {
		case in.state == StateStandby:
			standby++
		case in.protected && r.protectedMode != "Refresh":
			protected++
		}
	}
	if protected == 0 && standby == 0 {
		return
	}
	if r.waitingSince.IsZero() {
		r.waitingSince = now
	}
	if deadline := r.waitingSince.Add(protectedWait); now.Before(deadline) {
		s.refreshWake(g, r, deadline)
		return
	}
	if standby > 0 {
		r.finish(s, RefreshFailed, "Instance refresh failed: instances in Standby were found and StandbyInstances is Wait; they did not return to service within an hour.")
		return
	}
	r.finish(s, RefreshFailed, "Instance refresh failed: instances protected from scale in were found and ScaleInProtectedInstances is Wait; the protection was not removed within an hour.")
}

// batchSize splits one batch between instances terminated at once and
// instances launched first. Capacity moves only within the healthy range:
// InService capacity never below MinHealthyPercentage of desired (rounded
// up), InService plus Pending never above MaxHealthyPercentage (rounded
// down). So (100 − Min) % are terminated at once and (Max − 100) % are
// launched before their old instances go; a batch replaces at least one.
//
// Source: "Instance maintenance policies"
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-maintenance-policy.html):
// "your Auto Scaling group can only increase and decrease capacity within
// that minimum-maximum range when replacing instances. A larger range
// increases the number of instances that can be replaced at the same time."
func (r *refresh) batchSize(desired int32) (terminateNow, launchFirst int) {
	minN := (desired*r.minHealthy + 99) / 100
	maxN := desired * r.maxHealthy / 100
	terminateNow, launchFirst = int(max(0, desired-minN)), int(max(0, maxN-desired))
	if terminateNow+launchFirst == 0 {
		if r.maxHealthy > 100 {
			launchFirst = 1
		} else {
			terminateNow = 1
		}
	}
	return terminateNow, launchFirst
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

// applyPreferences validates the preferences of StartInstanceRefresh and
// stores them on r.
func (r *refresh) applyPreferences(p *RefreshPreferences) error {
	r.prefs = *p
	r.prefs.CheckpointPercentages = slices.Clone(p.CheckpointPercentages)
	if p.MinHealthyPercentage != nil {
		r.minHealthy = *p.MinHealthyPercentage
	}
	if p.MaxHealthyPercentage != nil {
		r.maxHealthy = *p.MaxHealthyPercentage
	}
	if p.InstanceWarmup != nil && *p.InstanceWarmup < 0 {
		return validation("1 validation error detected: Value '%d' at 'preferences.instanceWarmup' failed to satisfy constraint: Member must have value greater than or equal to 0", *p.InstanceWarmup)
	}
	if err := enumPref(&r.protectedMode, p.ScaleInProtectedInstances, "scaleInProtectedInstances", "Refresh", "Ignore", "Wait"); err != nil {
		return err
	}
	if err := enumPref(&r.standbyMode, p.StandbyInstances, "standbyInstances", "Terminate", "Ignore", "Wait"); err != nil {
		return err
	}
	switch {
	case r.minHealthy < 0 || r.minHealthy > 100:
		return validation("1 validation error detected: Value '%d' at 'preferences.minHealthyPercentage' failed to satisfy constraint: Member must have value between 0 and 100", r.minHealthy)
	case r.maxHealthy < 100 || r.maxHealthy > 200:
		return validation("1 validation error detected: Value '%d' at 'preferences.maxHealthyPercentage' failed to satisfy constraint: Member must have value between 100 and 200", r.maxHealthy)
	case r.maxHealthy-r.minHealthy > 100:
		return validation("The difference between MaxHealthyPercentage and MinHealthyPercentage must be less than or equal to 100.")
	case r.minHealthy == 100 && r.maxHealthy == 100:
		return validation("MinHealthyPercentage and MaxHealthyPercentage cannot both be 100: the refresh could never replace an instance.")
	}
	if p.CheckpointDelay != nil {
		if len(p.CheckpointPercentages) == 0 {
			return validation("CheckpointDelay can only be specified together with CheckpointPercentages.")
		}
		if d := *p.CheckpointDelay; d < 0 || d > 172800 {
			return validation("1 validation error detected: Value '%d' at 'preferences.checkpointDelay' failed to satisfy constraint: Member must have value between 0 and 172800", d)
		}
	}
	for i, cp := range p.CheckpointPercentages {
		if cp < 1 || cp > 100 {
			return validation("1 validation error detected: Value '%d' at 'preferences.checkpointPercentages' failed to satisfy constraint: Member must have value between 1 and 100", cp)
		}
		if i > 0 && cp <= p.CheckpointPercentages[i-1] {
			return validation("CheckpointPercentages must be unique and in ascending order.")
		}
	}
	if len(p.CheckpointPercentages) > 0 {
		r.checkpoints = slices.Clone(p.CheckpointPercentages)
		delay := int32(defaultCheckpointDelay)
		if p.CheckpointDelay != nil {
			delay = *p.CheckpointDelay
		}
		r.checkpointDelay = time.Duration(delay) * time.Second
		r.prefs.CheckpointDelay = &delay
	}
	return nil
}

// resolvedTarget is the launch template an instance must have been
// launched from to be skipped by SkipMatching: the refresh's desired
// configuration, else the group's, with $Latest and $Default resolved to
// the version numbers EC2 holds now, and the template name resolved to its
// id. Nil when there is no template to compare with.
//
// Source: "Use an instance refresh with skip matching"
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh-skip-matching.html).
func (s *Service) resolvedTarget(g *group, r *refresh) *LaunchTemplateSpecification {
	if g.lc != nil && r.desired == nil {
		return nil
	}
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
	if target == nil {
		return nil
	}
	t := s.resolveTemplate(*target)
	return &t
}

// sameResolved reports whether an instance's template (id or name, and a
// concrete version) is the resolved target.
func sameResolved(a, target LaunchTemplateSpecification) bool {
	if a.Version != target.Version {
		return false
	}
	switch {
	case a.LaunchTemplateId != "" && target.LaunchTemplateId != "":
		return a.LaunchTemplateId == target.LaunchTemplateId
	default:
		return a.LaunchTemplateName != "" && a.LaunchTemplateName == target.LaunchTemplateName
	}
}

// enumPref sets *dst to v when v is one of valid ("" keeps the default),
// or answers AWS's enum validation error for member.
func enumPref(dst *string, v, member string, valid ...string) error {
	switch {
	case v == "":
		return nil
	case slices.Contains(valid, v):
		*dst = v
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'preferences.%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, member, strings.Join(valid, ", "))
}
