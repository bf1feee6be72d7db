package autoscaling

import (
	"slices"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// CreateAutoScalingGroupInput mirrors the AWS request.
type CreateAutoScalingGroupInput struct {
	AutoScalingGroupName             string
	LaunchTemplate                   *LaunchTemplateSpecification
	MixedInstancesPolicy             *MixedInstancesPolicy
	LaunchConfigurationName          string
	InstanceId                       string
	MinSize                          *int32
	MaxSize                          *int32
	DesiredCapacity                  *int32
	DefaultCooldown                  *int32
	AvailabilityZones                []string
	VPCZoneIdentifier                string
	HealthCheckType                  string
	HealthCheckGracePeriod           *int32
	DefaultInstanceWarmup            *int32
	MaxInstanceLifetime              *int32
	CapacityRebalance                *bool
	NewInstancesProtectedFromScaleIn *bool
	TerminationPolicies              []string
	LifecycleHookSpecificationList   []LifecycleHookSpecification
	Tags                             []Tag
	ServiceLinkedRoleARN             string
}

// CreateAutoScalingGroupOutput is empty, as in AWS.
type CreateAutoScalingGroupOutput struct{}

// UpdateAutoScalingGroupInput mirrors the AWS request: nil or empty members
// leave the setting unchanged.
type UpdateAutoScalingGroupInput struct {
	AutoScalingGroupName             string
	LaunchConfigurationName          string
	LaunchTemplate                   *LaunchTemplateSpecification
	MixedInstancesPolicy             *MixedInstancesPolicy
	MinSize                          *int32
	MaxSize                          *int32
	DesiredCapacity                  *int32
	DefaultCooldown                  *int32
	AvailabilityZones                []string
	VPCZoneIdentifier                string
	HealthCheckType                  string
	HealthCheckGracePeriod           *int32
	DefaultInstanceWarmup            *int32
	MaxInstanceLifetime              *int32
	CapacityRebalance                *bool
	NewInstancesProtectedFromScaleIn *bool
	TerminationPolicies              []string
	ServiceLinkedRoleARN             string
}

// UpdateAutoScalingGroupOutput is empty, as in AWS.
type UpdateAutoScalingGroupOutput struct{}

// DeleteAutoScalingGroupInput mirrors the AWS request.
type DeleteAutoScalingGroupInput struct {
	AutoScalingGroupName string
	ForceDelete          *bool
}

// DeleteAutoScalingGroupOutput is empty, as in AWS.
type DeleteAutoScalingGroupOutput struct{}

// DescribeAutoScalingGroupsInput mirrors the AWS request.
type DescribeAutoScalingGroupsInput struct {
	AutoScalingGroupNames []string
	Filters               []Filter
	IncludeInstances      *bool
	MaxRecords            *int32
	NextToken             string
}

// DescribeAutoScalingGroupsOutput mirrors the AWS response.
type DescribeAutoScalingGroupsOutput struct {
	AutoScalingGroups []AutoScalingGroup
	NextToken         string
}

var validTerminationPolicies = []string{"Default", "OldestInstance", "NewestInstance",
	"OldestLaunchTemplate", "OldestLaunchConfiguration", "ClosestToNextInstanceHour", "AllocationStrategy"}

// CreateAutoScalingGroup creates a group and launches its desired capacity.
func (s *Service) CreateAutoScalingGroup(in CreateAutoScalingGroupInput) (*CreateAutoScalingGroupOutput, error) {
	if err := validateGroupName(in.AutoScalingGroupName); err != nil {
		return nil, err
	}
	if in.MinSize == nil {
		return nil, nullMember("minSize")
	}
	if in.MaxSize == nil {
		return nil, nullMember("maxSize")
	}
	if _, ok := s.groups[in.AutoScalingGroupName]; ok {
		return nil, core.ClientError("AlreadyExists",
			"AutoScalingGroup by this name already exists - A group with the name %s already exists", in.AutoScalingGroupName)
	}
	if in.InstanceId != "" {
		return nil, validation("The emulator does not create groups from an instance: specify LaunchTemplate, MixedInstancesPolicy or LaunchConfigurationName.")
	}
	lc, err := s.groupConfig(in.LaunchConfigurationName, in.LaunchTemplate, in.MixedInstancesPolicy)
	if err != nil {
		return nil, err
	}
	lt, mip, err := validateTemplate(in.LaunchTemplate, in.MixedInstancesPolicy, lc == nil)
	if err != nil {
		return nil, err
	}
	if err := s.checkTemplates(lt, mip); err != nil {
		return nil, err
	}
	desired := *in.MinSize
	if in.DesiredCapacity != nil {
		desired = *in.DesiredCapacity
	}
	if err := validateSizes(*in.MinSize, *in.MaxSize, desired); err != nil {
		return nil, err
	}
	azs := slices.Clone(in.AvailabilityZones)
	var subnets map[string]string
	if in.VPCZoneIdentifier != "" {
		if azs, subnets, err = s.placeSubnets(in.VPCZoneIdentifier); err != nil {
			return nil, err
		}
	}
	if len(azs) == 0 {
		return nil, validation("At least one Availability Zone or VPC Subnet is required.")
	}
	g := &group{
		name:         in.AutoScalingGroupName,
		arn:          s.env.ARN("autoscaling", "autoScalingGroup:"+s.env.UUID()+":autoScalingGroupName/"+in.AutoScalingGroupName),
		created:      s.now(),
		lt:           lt,
		mip:          mip,
		lc:           lc,
		min:          *in.MinSize,
		max:          *in.MaxSize,
		desired:      desired,
		cooldown:     300,
		azs:          azs,
		vpc:          in.VPCZoneIdentifier,
		subnets:      subnets,
		healthType:   "EC2",
		policies:     []string{"Default"},
		roleARN:      in.ServiceLinkedRoleARN,
		capRebalance: in.CapacityRebalance != nil && *in.CapacityRebalance,
		blockedAt:    -1,
		newProtected: in.NewInstancesProtectedFromScaleIn != nil && *in.NewInstancesProtectedFromScaleIn,
	}
	if g.roleARN == "" {
		g.roleARN = s.env.ARN("iam", "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
		g.roleARN = strings.Replace(g.roleARN, ":"+s.env.Region+":", "::", 1)
	}
	if err := s.applySettings(g, in.DefaultCooldown, in.HealthCheckType, in.HealthCheckGracePeriod,
		in.DefaultInstanceWarmup, in.MaxInstanceLifetime, in.TerminationPolicies); err != nil {
		return nil, err
	}
	hooks := make([]*hook, 0, len(in.LifecycleHookSpecificationList))
	for _, spec := range in.LifecycleHookSpecificationList {
		h, err := newHook(g.name, spec.LifecycleHookName, spec.LifecycleTransition, spec.DefaultResult,
			spec.HeartbeatTimeout, spec.NotificationTargetARN, spec.RoleARN, spec.NotificationMetadata, nil)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(hooks, func(x *hook) bool { return x.name == h.name }) {
			return nil, validation("Lifecycle hook names must be unique: %s is repeated.", h.name)
		}
		hooks = append(hooks, h)
	}
	if len(hooks) > maxHooks {
		return nil, core.ClientError("LimitExceeded", "Lifecycle hook limit reached: at most %d lifecycle hooks per Auto Scaling group.", maxHooks)
	}
	for _, t := range in.Tags {
		if t.Key == "" {
			return nil, validation("Tag keys must not be empty.")
		}
		g.tags = append(g.tags, TagDescription{Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch != nil && *t.PropagateAtLaunch,
			ResourceId: g.name, ResourceType: "auto-scaling-group"})
	}
	g.hooks = hooks
	s.groups[g.name] = g
	for _, h := range hooks {
		s.sendTestNotification(g, h.target)
	}
	if desired > 0 {
		g.desiredCause = causeAt(s.now(), "a user request created an AutoScalingGroup changing the desired capacity from 0 to %d.", desired)
	}
	s.reconcileSoon(g)
	s.scheduleLifetimeCheck()
	return &CreateAutoScalingGroupOutput{}, nil
}

// applySettings validates and stores the settings Create and Update share.
func (s *Service) applySettings(g *group, cooldown *int32, healthType string, grace, warmup, lifetime *int32, policies []string) error {
	if cooldown != nil {
		if *cooldown < 0 {
			return validation("DefaultCooldown must be greater than or equal to 0.")
		}
		g.cooldown = *cooldown
	}
	if healthType != "" {
		for _, t := range strings.Split(healthType, ",") {
			switch strings.TrimSpace(t) {
			case "EC2", "ELB", "EBS", "VPC_LATTICE":
			default:
				return validation("Invalid health check type: %s. Valid values are EC2, ELB, EBS and VPC_LATTICE.", healthType)
			}
		}
		g.healthType = healthType
	}
	if grace != nil {
		if *grace < 0 {
			return validation("HealthCheckGracePeriod must be greater than or equal to 0.")
		}
		g.grace = *grace
	}
	if warmup != nil {
		if *warmup < -1 {
			return validation("DefaultInstanceWarmup must be -1 (to clear it) or greater than or equal to 0.")
		}
		if *warmup == -1 {
			g.warmup = nil
		} else {
			v := *warmup
			g.warmup = &v
		}
	}
	if lifetime != nil {
		if v := *lifetime; v != 0 && (v < 86400 || v > 31536000) {
			return validation("The maximum instance lifetime must be equal to 0 or between 86400 and 31536000 seconds.")
		}
		g.maxLifetime = *lifetime
	}
	if len(policies) > 0 {
		for _, p := range policies {
			if !slices.Contains(validTerminationPolicies, p) && !strings.HasPrefix(p, "arn:aws:lambda:") {
				return validation("Invalid termination policy: %s", p)
			}
		}
		g.policies = slices.Clone(policies)
	}
	return nil
}

// UpdateAutoScalingGroup changes a group's settings and capacity limits.
func (s *Service) UpdateAutoScalingGroup(in UpdateAutoScalingGroupInput) (*UpdateAutoScalingGroupOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, ok := s.groups[in.AutoScalingGroupName]
	if !ok {
		return nil, errGroupNotFoundNull()
	}
	var err error
	minSize, maxSize, desired := g.min, g.max, g.desired
	if in.MinSize != nil {
		minSize = *in.MinSize
	}
	if in.MaxSize != nil {
		maxSize = *in.MaxSize
	}
	if in.DesiredCapacity != nil {
		desired = *in.DesiredCapacity
	} else {
		// AWS moves desired into the new bounds when only they change.
		desired = max(desired, minSize)
		desired = min(desired, maxSize)
	}
	if err := validateSizes(minSize, maxSize, desired); err != nil {
		return nil, err
	}
	var azs []string
	var subnets map[string]string
	if in.VPCZoneIdentifier != "" {
		if azs, subnets, err = s.placeSubnets(in.VPCZoneIdentifier); err != nil {
			return nil, err
		}
	}
	lc, err := s.groupConfig(in.LaunchConfigurationName, in.LaunchTemplate, in.MixedInstancesPolicy)
	if err != nil {
		return nil, err
	}
	var lt *LaunchTemplateSpecification
	var mip *MixedInstancesPolicy
	if in.LaunchTemplate != nil || in.MixedInstancesPolicy != nil {
		if lt, mip, err = validateTemplate(in.LaunchTemplate, in.MixedInstancesPolicy, false); err != nil {
			return nil, err
		}
		if err := s.checkTemplates(lt, mip); err != nil {
			return nil, err
		}
	}
	// Validate on a copy so that a bad member changes nothing.
	probe := *g
	if err := s.applySettings(&probe, in.DefaultCooldown, in.HealthCheckType, in.HealthCheckGracePeriod,
		in.DefaultInstanceWarmup, in.MaxInstanceLifetime, in.TerminationPolicies); err != nil {
		return nil, err
	}
	_ = s.applySettings(g, in.DefaultCooldown, in.HealthCheckType, in.HealthCheckGracePeriod,
		in.DefaultInstanceWarmup, in.MaxInstanceLifetime, in.TerminationPolicies)
	switch {
	case lt != nil || mip != nil:
		g.lt, g.mip, g.lc = lt, mip, nil
	case lc != nil:
		g.lt, g.mip, g.lc = nil, nil, lc
	}
	if len(in.AvailabilityZones) > 0 {
		g.azs = slices.Clone(in.AvailabilityZones)
	}
	if in.VPCZoneIdentifier != "" {
		g.vpc, g.azs, g.subnets = in.VPCZoneIdentifier, azs, subnets
	}
	if in.CapacityRebalance != nil {
		g.capRebalance = *in.CapacityRebalance
	}
	if in.NewInstancesProtectedFromScaleIn != nil {
		g.newProtected = *in.NewInstancesProtectedFromScaleIn
	}
	if in.ServiceLinkedRoleARN != "" {
		g.roleARN = in.ServiceLinkedRoleARN
	}
	if desired != g.desired {
		g.desiredCause = causeAt(s.now(), "a user request update of AutoScalingGroup constraints to min: %d, max: %d, desired: %d changing the desired capacity from %d to %d.",
			minSize, maxSize, desired, g.desired, desired)
	}
	g.min, g.max, g.desired = minSize, maxSize, desired
	s.reconcileSoon(g)
	s.scheduleLifetimeCheck()
	return &UpdateAutoScalingGroupOutput{}, nil
}

// DeleteAutoScalingGroup deletes an empty group, or with ForceDelete any
// group, terminating its instances without running lifecycle hooks.
func (s *Service) DeleteAutoScalingGroup(in DeleteAutoScalingGroupInput) (*DeleteAutoScalingGroupOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	force := in.ForceDelete != nil && *in.ForceDelete
	if !force {
		for _, a := range g.activities {
			if a.inProgress() {
				return nil, core.ClientError("ScalingActivityInProgress",
					"You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.")
			}
		}
		if len(g.instances) > 0 {
			return nil, core.ClientError("ResourceInUse",
				"You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
		}
	}
	for _, in := range slices.Clone(g.instances) {
		s.clearActions(in)
		in.reason = reasonDelete
		if !in.terminating() {
			s.setState(in, StateTerminating)
		}
		s.setState(in, StateTerminatingProceed)
		_ = s.fleet.Terminate(in.id)
		s.setState(in, StateTerminated)
		delete(s.instances, in.id)
	}
	g.instances = nil
	if g.retry != nil {
		g.retry.Stop()
	}
	if r := g.activeRefresh(); r != nil {
		r.finish(s, RefreshCancelled, "The Auto Scaling group was deleted.")
	}
	delete(s.groups, g.name)
	return &DeleteAutoScalingGroupOutput{}, nil
}

// DescribeAutoScalingGroups lists groups by name, sorted by name.
func (s *Service) DescribeAutoScalingGroups(in DescribeAutoScalingGroupsInput) (*DescribeAutoScalingGroupsOutput, error) {
	var names []string
	if len(in.AutoScalingGroupNames) > 0 {
		for _, n := range in.AutoScalingGroupNames {
			if _, ok := s.groups[n]; ok && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		slices.Sort(names)
	} else {
		names = s.GroupNames()
	}
	for _, f := range in.Filters {
		if err := validateGroupFilter(f); err != nil {
			return nil, err
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return !matchesFilters(s.groups[n], in.Filters) })
	start, end, next, err := page(len(names), in.MaxRecords, 50, 100, in.NextToken)
	if err != nil {
		return nil, err
	}
	withInstances := in.IncludeInstances == nil || *in.IncludeInstances
	out := &DescribeAutoScalingGroupsOutput{NextToken: next, AutoScalingGroups: []AutoScalingGroup{}}
	for _, n := range names[start:end] {
		out.AutoScalingGroups = append(out.AutoScalingGroups, s.describeGroup(s.groups[n], withInstances))
	}
	return out, nil
}

func (s *Service) describeGroup(g *group, withInstances bool) AutoScalingGroup {
	d := AutoScalingGroup{
		AutoScalingGroupName:             g.name,
		AutoScalingGroupARN:              g.arn,
		MixedInstancesPolicy:             cloneMIP(g.mip),
		MinSize:                          g.min,
		MaxSize:                          g.max,
		DesiredCapacity:                  g.desired,
		DefaultCooldown:                  g.cooldown,
		AvailabilityZones:                slices.Clone(g.azs),
		VPCZoneIdentifier:                g.vpc,
		HealthCheckType:                  g.healthType,
		HealthCheckGracePeriod:           g.grace,
		CapacityRebalance:                g.capRebalance,
		NewInstancesProtectedFromScaleIn: g.newProtected,
		TerminationPolicies:              slices.Clone(g.policies),
		Tags:                             slices.Clone(g.tags),
		CreatedTime:                      g.created,
		ServiceLinkedRoleARN:             g.roleARN,
		Instances:                        []Instance{},
	}
	if g.lt != nil {
		lt := *g.lt
		d.LaunchTemplate = &lt
	}
	if g.lc != nil {
		d.LaunchConfigurationName = g.lc.name
	}
	if g.warmup != nil {
		v := *g.warmup
		d.DefaultInstanceWarmup = &v
	}
	if g.maxLifetime != 0 {
		v := g.maxLifetime
		d.MaxInstanceLifetime = &v
	}
	if withInstances {
		d.Instances = make([]Instance, 0, len(g.instances))
		for _, in := range g.instances {
			d.Instances = append(d.Instances, Instance{
				InstanceId:              in.id,
				InstanceType:            in.itype,
				AvailabilityZone:        in.az,
				LifecycleState:          in.state,
				HealthStatus:            in.healthStatus(),
				LaunchTemplate:          in.templateSpec(),
				LaunchConfigurationName: in.lc,
				ProtectedFromScaleIn:    in.protected,
			})
		}
	}
	return d
}

func validateGroupFilter(f Filter) error {
	switch {
	case f.Name == "tag-key", f.Name == "tag-value", strings.HasPrefix(f.Name, "tag:"):
		return nil
	}
	return validation("Filter name %q is not valid. Valid filters are tag-key, tag-value and tag:<key>.", f.Name)
}

func matchesFilters(g *group, filters []Filter) bool {
	for _, f := range filters {
		ok := false
		for _, t := range g.tags {
			switch {
			case f.Name == "tag-key":
				ok = slices.Contains(f.Values, t.Key)
			case f.Name == "tag-value":
				ok = slices.Contains(f.Values, t.Value)
			default:
				ok = t.Key == strings.TrimPrefix(f.Name, "tag:") && slices.Contains(f.Values, t.Value)
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// group returns the named group or the ValidationError AWS answers.
func (s *Service) group(name string) (*group, error) {
	if g, ok := s.groups[name]; ok {
		return g, nil
	}
	return nil, validation("AutoScalingGroup name not found - AutoScalingGroup %s not found", name)
}

// placeSubnets resolves VPCZoneIdentifier (subnet ids separated by commas)
// to the zones the group spans, in the order given, and the subnet the
// group launches into in each zone (the first given there). Without a
// fleet that knows subnets the group spans the region's first three zones.
//
// Source: "CreateAutoScalingGroup" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html):
// "VPCZoneIdentifier: A comma-separated list of subnet IDs for a virtual
// private cloud (VPC) where instances in the Auto Scaling group can be
// created. If you specify VPCZoneIdentifier with AvailabilityZones, the
// subnets that you specify must reside in those Availability Zones."
func (s *Service) placeSubnets(ids string) ([]string, map[string]string, error) {
	r, ok := s.fleet.(SubnetResolver)
	if !ok {
		return []string{s.env.Region + "a", s.env.Region + "b", s.env.Region + "c"}, nil, nil
	}
	var azs []string
	subnets := map[string]string{}
	for _, id := range strings.Split(ids, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		az, err := r.SubnetZone(id)
		if err != nil {
			return nil, nil, validation("The subnet ID '%s' does not exist", id)
		}
		if _, seen := subnets[az]; !seen {
			subnets[az] = id
			azs = append(azs, az)
		}
	}
	if len(azs) == 0 {
		return nil, nil, validation("At least one Availability Zone or VPC Subnet is required.")
	}
	return azs, subnets, nil
}

// errGroupNotFoundNull is how UpdateAutoScalingGroup and
// SetDesiredCapacity answer for an unknown group: AWS names no group in
// the message. (The message is not in the API reference; it is what AWS
// answers, as recorded in CloudTrail errorMessage fields and client
// reports, e.g. https://github.com/aws/aws-sdk-go/issues/1151.)
func errGroupNotFoundNull() error {
	return validation("AutoScalingGroup name not found - null")
}

func validateGroupName(name string) error {
	if name == "" {
		return nullMember("autoScalingGroupName")
	}
	if len(name) > 255 {
		return validation("1 validation error detected: Value '%s' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
	}
	for _, r := range name {
		if r < 33 || r > 126 || r == ':' {
			return validation("1 validation error detected: Value '%s' at 'autoScalingGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]* and contain no colon", name)
		}
	}
	return nil
}

func validateSizes(minSize, maxSize, desired int32) error {
	switch {
	case minSize < 0:
		return validation("1 validation error detected: Value '%d' at 'minSize' failed to satisfy constraint: Member must have value greater than or equal to 0", minSize)
	case maxSize < 0:
		return validation("1 validation error detected: Value '%d' at 'maxSize' failed to satisfy constraint: Member must have value greater than or equal to 0", maxSize)
	case maxSize < minSize:
		return validation("Max bound, %d, must be greater than or equal to min bound, %d", maxSize, minSize)
	case desired < minSize || desired > maxSize:
		return validation("Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, minSize, maxSize)
	}
	return nil
}

// validateTemplate checks the launch template or mixed instances policy and
// returns copies with defaults filled in.
func validateTemplate(lt *LaunchTemplateSpecification, mip *MixedInstancesPolicy, required bool) (*LaunchTemplateSpecification, *MixedInstancesPolicy, error) {
	switch {
	case lt != nil && mip != nil:
		return nil, nil, validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	case lt == nil && mip == nil:
		if required {
			return nil, nil, validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
		}
		return nil, nil, nil
	case lt != nil:
		spec, err := checkSpec(*lt)
		if err != nil {
			return nil, nil, err
		}
		return &spec, nil, nil
	}
	if mip.LaunchTemplate == nil || mip.LaunchTemplate.LaunchTemplateSpecification == nil {
		return nil, nil, validation("The MixedInstancesPolicy must contain a LaunchTemplate with a LaunchTemplateSpecification.")
	}
	spec, err := checkSpec(*mip.LaunchTemplate.LaunchTemplateSpecification)
	if err != nil {
		return nil, nil, err
	}
	c := cloneMIP(mip)
	c.LaunchTemplate.LaunchTemplateSpecification = &spec
	for _, o := range c.LaunchTemplate.Overrides {
		if o.InstanceType == "" {
			return nil, nil, validation("Each launch template override must specify an InstanceType.")
		}
	}
	if d := c.InstancesDistribution; d != nil {
		if d.OnDemandBaseCapacity != nil && *d.OnDemandBaseCapacity < 0 {
			return nil, nil, validation("OnDemandBaseCapacity must be greater than or equal to 0.")
		}
		if p := d.OnDemandPercentageAboveBaseCapacity; p != nil && (*p < 0 || *p > 100) {
			return nil, nil, validation("OnDemandPercentageAboveBaseCapacity must be between 0 and 100.")
		}
	}
	return nil, c, nil
}

func checkSpec(lt LaunchTemplateSpecification) (LaunchTemplateSpecification, error) {
	if (lt.LaunchTemplateId == "") == (lt.LaunchTemplateName == "") {
		return lt, validation("Valid requests must contain either launchTemplateId or launchTemplateName")
	}
	if lt.Version == "" {
		lt.Version = "$Default"
	}
	return lt, nil
}

// groupConfig returns the launch configuration a group is given by name
// (nil for none), refusing one given together with a launch template.
func (s *Service) groupConfig(name string, lt *LaunchTemplateSpecification, mip *MixedInstancesPolicy) (*launchConfig, error) {
	if name == "" {
		return nil, nil
	}
	if lt != nil || mip != nil {
		return nil, validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	}
	return s.launchConfig(name)
}

// checkTemplates applies checkTemplate to the group's template, or to the
// template of its mixed instances policy.
func (s *Service) checkTemplates(lt *LaunchTemplateSpecification, mip *MixedInstancesPolicy) error {
	if mip != nil && mip.LaunchTemplate != nil {
		lt = mip.LaunchTemplate.LaunchTemplateSpecification
	}
	return s.checkTemplate(lt)
}

func cloneMIP(m *MixedInstancesPolicy) *MixedInstancesPolicy {
	if m == nil {
		return nil
	}
	c := &MixedInstancesPolicy{}
	if m.LaunchTemplate != nil {
		lt := &LaunchTemplate{Overrides: slices.Clone(m.LaunchTemplate.Overrides)}
		if m.LaunchTemplate.LaunchTemplateSpecification != nil {
			spec := *m.LaunchTemplate.LaunchTemplateSpecification
			lt.LaunchTemplateSpecification = &spec
		}
		c.LaunchTemplate = lt
	}
	if m.InstancesDistribution != nil {
		d := *m.InstancesDistribution
		c.InstancesDistribution = &d
	}
	return c
}
