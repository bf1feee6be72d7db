package autoscaling

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// launchRetryDelay is how long a group waits after a failed launch before
// trying again (AWS backs off similarly rather than retrying in a loop).
const launchRetryDelay = 10 * time.Second

// reconcileSoon schedules one capacity reconciliation of g at the current
// virtual instant; further requests before it runs are coalesced.
func (s *Service) reconcileSoon(g *group) {
	if g.reconcileQueued {
		return
	}
	g.reconcileQueued = true
	s.env.After(0, func() {
		g.reconcileQueued = false
		if s.groups[g.name] != g {
			return // deleted meanwhile
		}
		s.reconcile(g)
	})
}

// reconcile moves the group toward its desired capacity: the instance
// refresh takes its next step first, then missing instances are launched
// or surplus ones terminated.
func (s *Service) reconcile(g *group) {
	if r := g.activeRefresh(); r != nil {
		s.refreshStep(g, r)
	}
	counted := g.counted()
	switch {
	case counted < g.desired:
		if g.retry == nil {
			s.scaleOut(g, counted, g.desired)
		}
	case counted > g.desired:
		s.scaleIn(g, counted, g.desired)
	default:
		g.blockedAt = -1
	}
	g.desiredCause = ""
}

// scaleOut launches instances until from reaches to, each into the zone
// with the fewest counted instances (ties in AvailabilityZones order).
func (s *Service) scaleOut(g *group, from, to int32) {
	perAZ := s.azCounts(g)
	for n := from; n < to; n++ {
		zi := 0
		for i := range perAZ {
			if perAZ[i] < perAZ[zi] {
				zi = i
			}
		}
		if !s.launch(g, g.azs[zi], n, to) {
			return
		}
		perAZ[zi]++
	}
}

// azCounts counts counted instances per zone of g.azs.
func (s *Service) azCounts(g *group) []int {
	counts := make([]int, len(g.azs))
	for _, in := range g.instances {
		if !in.counted() {
			continue
		}
		if i := slices.Index(g.azs, in.az); i >= 0 {
			counts[i]++
		}
	}
	return counts
}

// launch starts one instance in az; it reports false when the launch
// failed (a retry is then scheduled).
func (s *Service) launch(g *group, az string, from, to int32) bool {
	now := s.now()
	req := s.launchRequest(g, az)
	out, err := s.fleet.Launch(req)
	if err != nil {
		a := s.newActivity(g, "Launching a new EC2 instance.  Status Reason: "+err.Error(),
			joinCauses(g.desiredCause, causeAt(now, "an instance was started in response to a difference between desired and actual capacity, increasing the capacity from %d to %d.", from, to)), nil)
		a.az, a.subnet = az, g.subnets[az]
		s.endActivity(a, ActivityFailed, err.Error())
		s.notifyActivity(g, a, NotifyLaunchError, "EC2 Instance Launch Unsuccessful", "")
		g.retry = s.env.After(launchRetryDelay, func() {
			g.retry = nil
			if s.groups[g.name] == g {
				s.reconcileSoon(g)
			}
		})
		return false
	}
	in := &instance{
		id:         out.ID,
		az:         cmp.Or(out.AZ, az),
		itype:      cmp.Or(out.InstanceType, req.InstanceType),
		spot:       out.Spot,
		g:          g,
		healthy:    true,
		protected:  g.newProtected,
		launchedAt: now,
		lt: LaunchTemplateSpecification{LaunchTemplateId: cmp.Or(out.LaunchTemplateID, req.LaunchTemplateID), LaunchTemplateName: s.templateName(g),
			Version: cmp.Or(out.LaunchTemplateVersion, req.Version)},
	}
	if req.ImageID != "" {
		in.lc, in.lt = g.lc.name, LaunchTemplateSpecification{}
	}
	g.launches++
	cause := joinCauses(g.desiredCause, causeAt(now, "an instance was started in response to a difference between desired and actual capacity, increasing the capacity from %d to %d.", from, to))
	for _, old := range g.instances {
		if old.outgoing != "" && old.replacement == nil && !old.terminating() {
			old.replacement, in.replaces = in, old
			cause = causeAt(now, "an instance was launched in response to %s of instance %s.", outgoingWhy(old.outgoing), old.id)
			break
		}
	}
	if r := g.activeRefresh(); r != nil && in.replaces == nil && r.status == RefreshInProgress {
		cause = causeAt(now, "an instance was launched in response to an instance refresh.")
	}
	g.instances = append(g.instances, in)
	s.instances[in.id] = in
	in.act = s.newActivity(g, "Launching a new EC2 instance: "+in.id, cause, in)
	s.setState(in, StatePending)
	return true
}

// templateName is the name of the template the group launches from now
// (the refresh's desired configuration while one runs), "" when unknown.
func (s *Service) templateName(g *group) string {
	lt, mip := g.lt, g.mip
	if r := g.activeRefresh(); r != nil && r.desired != nil {
		lt, mip = r.desired.LaunchTemplate, r.desired.MixedInstancesPolicy
	}
	if mip != nil && mip.LaunchTemplate != nil {
		lt = mip.LaunchTemplate.LaunchTemplateSpecification
	}
	if lt == nil {
		return ""
	}
	return lt.LaunchTemplateName
}

func outgoingWhy(reason string) string {
	if reason == reasonRebalance {
		return "an EC2 instance rebalance recommendation"
	}
	return "an instance refresh"
}

// launchRequest builds the fleet request: template (the refresh's desired
// configuration while one is running), instance type override, market and
// tags.
func (s *Service) launchRequest(g *group, az string) LaunchRequest {
	lt, mip := g.lt, g.mip
	if r := g.activeRefresh(); r != nil && r.desired != nil {
		lt, mip = r.desired.LaunchTemplate, r.desired.MixedInstancesPolicy
	}
	req := LaunchRequest{AZ: az, SubnetID: g.subnets[az]}
	if lc := g.lc; lc != nil && (g.activeRefresh() == nil || g.activeRefresh().desired == nil) {
		req.ImageID, req.InstanceType, req.UserData = lc.imageID, lc.itype, lc.userData
		if lc.spotPrice != "" {
			req.Market = "spot"
		}
	}
	spec := lt
	if mip != nil && mip.LaunchTemplate != nil {
		spec = mip.LaunchTemplate.LaunchTemplateSpecification
		if ov := mip.LaunchTemplate.Overrides; len(ov) > 0 {
			req.InstanceType = ov[g.launches%len(ov)].InstanceType
		}
		req.Market = s.market(g, mip.InstancesDistribution)
	}
	if spec != nil {
		// EC2 takes the template by id or by name, never both.
		req.LaunchTemplateID, req.Version = spec.LaunchTemplateId, spec.Version
		if req.LaunchTemplateID == "" {
			req.LaunchTemplateName = spec.LaunchTemplateName
		}
	}
	req.Tags = append(req.Tags, Tag{Key: "aws:autoscaling:groupName", Value: g.name})
	for _, t := range g.tags {
		if t.PropagateAtLaunch {
			req.Tags = append(req.Tags, Tag{Key: t.Key, Value: t.Value})
		}
	}
	return req
}

// market chooses on-demand or Spot for the next instance so that the group
// keeps OnDemandBaseCapacity on-demand instances and the given percentage
// of on-demand above the base.
func (s *Service) market(g *group, d *InstancesDistribution) string {
	base, pct := int32(0), int32(100)
	if d != nil {
		if d.OnDemandBaseCapacity != nil {
			base = *d.OnDemandBaseCapacity
		}
		if d.OnDemandPercentageAboveBaseCapacity != nil {
			pct = *d.OnDemandPercentageAboveBaseCapacity
		}
	}
	var total, onDemand int32
	for _, in := range g.instances {
		if in.counted() {
			total++
			if !in.spot {
				onDemand++
			}
		}
	}
	total++ // including the one being launched
	want := min(total, base)
	if above := total - base; above > 0 {
		want += (above*pct + 99) / 100
	}
	if onDemand < want {
		return "on-demand"
	}
	return "spot"
}

// scaleIn terminates surplus instances: never protected or non-InService
// ones; from the zone with the most counted instances; within it by the
// termination policies. When every candidate is protected nothing happens
// and desired capacity stays, as in AWS.
func (s *Service) scaleIn(g *group, from, to int32) {
	perAZ := s.azCounts(g)
	byAZ := make([][]*instance, len(g.azs))
	var others []*instance // in zones no longer listed: taken first
	for _, in := range g.instances {
		if in.state != StateInService || in.protected || !in.counted() {
			continue
		}
		if i := slices.Index(g.azs, in.az); i >= 0 {
			byAZ[i] = append(byAZ[i], in)
		} else {
			others = append(others, in)
		}
	}
	less := s.terminationOrder(g)
	slices.SortStableFunc(others, less)
	for i := range byAZ {
		slices.SortStableFunc(byAZ[i], less)
	}
	now := s.now()
	for n := from; n > to; n-- {
		var victim *instance
		if len(others) > 0 {
			victim, others = others[0], others[1:]
		} else {
			zi := -1
			for i := range byAZ {
				if len(byAZ[i]) > 0 && (zi < 0 || perAZ[i] > perAZ[zi]) {
					zi = i
				}
			}
			if zi < 0 {
				s.scaleInBlocked(g, from)
				return // everything left is protected or not InService
			}
			victim, byAZ[zi] = byAZ[zi][0], byAZ[zi][1:]
			perAZ[zi]--
		}
		cause := joinCauses(g.desiredCause,
			causeAt(now, "an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from %d to %d.", from, to),
			causeAt(now, "instance %s was selected for termination.", victim.id))
		s.beginTermination(victim, reasonScaleIn, cause, true)
	}
}

// protectedScaleInText is the activity Auto Scaling records when a scale
// in finds every remaining instance protected.
//
// Source: "Use instance scale-in protection to control instance
// termination" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html):
// "the Activity history for the Auto Scaling group includes the following
// message if all instances in an Auto Scaling group are protected from
// scale in when a scale-in event occurs: Could not scale to desired
// capacity because all remaining instances are protected from scale-in."
const protectedScaleInText = "Could not scale to desired capacity because all remaining instances are protected from scale-in."

// scaleInBlocked records, once per desired capacity, that a scale in left
// surplus instances because every remaining one is protected. Instances
// merely not InService yet (still launching, in a lifecycle hook) are not
// a protection block: the scale in resumes when they settle.
func (s *Service) scaleInBlocked(g *group, from int32) {
	protected := false
	for _, in := range g.instances {
		if in.counted() && in.state == StateInService {
			if !in.protected {
				return
			}
			protected = true
		}
	}
	if !protected || g.blockedAt == g.desired {
		return
	}
	g.blockedAt = g.desired
	a := s.newActivity(g, protectedScaleInText, joinCauses(g.desiredCause,
		causeAt(s.now(), "an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from %d to %d.", from, g.desired)), nil)
	s.endActivity(a, ActivityCancelled, protectedScaleInText)
}

// terminationOrder returns the comparison putting the instance to
// terminate first, from the group's termination policies followed by the
// Default policy's rules.
func (s *Service) terminationOrder(g *group) func(a, b *instance) int {
	var cur *LaunchTemplateSpecification
	if g.lt != nil {
		cur = g.lt
	} else if g.mip != nil && g.mip.LaunchTemplate != nil {
		cur = g.mip.LaunchTemplate.LaunchTemplateSpecification
	}
	curLC := ""
	if g.lc != nil {
		curLC = g.lc.name
	}
	oldestTemplate := func(a, b *instance) int {
		// Instances launched with another launch configuration (or with
		// one, when the group has moved to a template) go first.
		if c := cmp.Compare(b2i(a.lc != curLC), b2i(b.lc != curLC)); c != 0 {
			return -c
		}
		// Instances not on the group's current template go first, then
		// lower template versions.
		if c := cmp.Compare(b2i(!sameTemplate(a.lt, cur)), b2i(!sameTemplate(b.lt, cur))); c != 0 {
			return -c
		}
		va, ea := strconv.Atoi(a.lt.Version)
		vb, eb := strconv.Atoi(b.lt.Version)
		if ea == nil && eb == nil {
			return cmp.Compare(va, vb)
		}
		return 0
	}
	oldest := func(a, b *instance) int { return a.launchedAt.Compare(b.launchedAt) }
	var rules []func(a, b *instance) int
	for _, p := range g.policies {
		switch p {
		case "OldestInstance":
			rules = append(rules, oldest)
		case "NewestInstance":
			rules = append(rules, func(a, b *instance) int { return -oldest(a, b) })
		case "OldestLaunchTemplate", "OldestLaunchConfiguration":
			rules = append(rules, oldestTemplate)
		}
	}
	rules = append(rules, oldestTemplate, oldest)
	return func(a, b *instance) int {
		for _, r := range rules {
			if c := r(a, b); c != 0 {
				return c
			}
		}
		return 0 // the stable sort keeps creation order: the deterministic tie-break
	}
}

func sameTemplate(a LaunchTemplateSpecification, cur *LaunchTemplateSpecification) bool {
	if cur == nil {
		return true
	}
	if a.LaunchTemplateId != cur.LaunchTemplateId || a.LaunchTemplateName != cur.LaunchTemplateName {
		return false
	}
	// "$Latest" and "$Default" resolve in EC2; only concrete versions differ.
	if _, err := strconv.Atoi(cur.Version); err == nil {
		return a.Version == cur.Version
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
