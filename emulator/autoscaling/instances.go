package autoscaling

import (
	"slices"
)

// SetDesiredCapacityInput mirrors the AWS request.
type SetDesiredCapacityInput struct {
	AutoScalingGroupName string
	DesiredCapacity      *int32
	HonorCooldown        *bool
}

// SetDesiredCapacityOutput is empty, as in AWS.
type SetDesiredCapacityOutput struct{}

// TerminateInstanceInAutoScalingGroupInput mirrors the AWS request.
type TerminateInstanceInAutoScalingGroupInput struct {
	InstanceId                     string
	InstanceIds                    []string
	AutoScalingGroupName           string
	ShouldDecrementDesiredCapacity *bool
}

// TerminateInstanceInAutoScalingGroupOutput mirrors the AWS response.
type TerminateInstanceInAutoScalingGroupOutput struct {
	Activity   *Activity
	Activities []Activity
}

// SetInstanceProtectionInput mirrors the AWS request.
type SetInstanceProtectionInput struct {
	AutoScalingGroupName string
	InstanceIds          []string
	ProtectedFromScaleIn *bool
}

// SetInstanceProtectionOutput is empty, as in AWS.
type SetInstanceProtectionOutput struct{}

// SetInstanceHealthInput mirrors the AWS request.
type SetInstanceHealthInput struct {
	InstanceId               string
	HealthStatus             string
	ShouldRespectGracePeriod *bool
}

// SetInstanceHealthOutput is empty, as in AWS.
type SetInstanceHealthOutput struct{}

// DescribeAutoScalingInstancesInput mirrors the AWS request.
type DescribeAutoScalingInstancesInput struct {
	InstanceIds []string
	MaxRecords  *int32
	NextToken   string
}

// DescribeAutoScalingInstancesOutput mirrors the AWS response.
type DescribeAutoScalingInstancesOutput struct {
	AutoScalingInstances []AutoScalingInstanceDetails
	NextToken            string
}

// SetDesiredCapacity sets a group's desired capacity within its bounds.
func (s *Service) SetDesiredCapacity(in SetDesiredCapacityInput) (*SetDesiredCapacityOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	if in.DesiredCapacity == nil {
		return nil, nullMember("desiredCapacity")
	}
	g, ok := s.groups[in.AutoScalingGroupName]
	if !ok {
		return nil, errGroupNotFoundNull()
	}
	d := *in.DesiredCapacity
	switch {
	case d > g.max:
		return nil, validation("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup.", d, g.max)
	case d < g.min:
		return nil, validation("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup.", d, g.min)
	}
	if d != g.desired {
		g.desiredCause = causeAt(s.now(), "a user request explicitly set group desired capacity changing the desired capacity from %d to %d.", g.desired, d)
		g.desired = d
		s.reconcileSoon(g)
	}
	return &SetDesiredCapacityOutput{}, nil
}

// TerminateInstanceInAutoScalingGroup terminates instances through the
// group (the termination hooks run). Without decrement the instance stops
// counting at once, so its replacement launches immediately.
func (s *Service) TerminateInstanceInAutoScalingGroup(in TerminateInstanceInAutoScalingGroupInput) (*TerminateInstanceInAutoScalingGroupOutput, error) {
	if in.ShouldDecrementDesiredCapacity == nil {
		return nil, nullMember("shouldDecrementDesiredCapacity")
	}
	ids := in.InstanceIds
	switch {
	case in.InstanceId != "" && len(ids) > 0:
		return nil, validation("Specify either InstanceId or InstanceIds, not both.")
	case in.InstanceId != "":
		ids = []string{in.InstanceId}
	case len(ids) == 0:
		return nil, validation("Either InstanceId or InstanceIds must be specified.")
	case in.AutoScalingGroupName == "":
		return nil, validation("AutoScalingGroupName is required when InstanceIds is specified.")
	case len(ids) > 100:
		return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	decrement := *in.ShouldDecrementDesiredCapacity
	targets := make([]*instance, 0, len(ids))
	for _, id := range ids {
		inst, ok := s.instances[id]
		if !ok || (in.AutoScalingGroupName != "" && inst.g.name != in.AutoScalingGroupName) {
			return nil, validation("Instance Id not found - No managed instance found for instance ID: %s", id)
		}
		if !slices.Contains(targets, inst) {
			targets = append(targets, inst)
		}
	}
	if decrement {
		// Check the whole request against MinSize before changing anything.
		drop := map[*group]int32{}
		for _, t := range targets {
			if !t.terminating() && t.counted() {
				drop[t.g]++
			}
		}
		for _, t := range targets {
			g := t.g
			if n := drop[g]; n > 0 && g.desired-n < g.min {
				return nil, validation("Currently, desiredSize equals minSize (%d). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", g.min)
			}
		}
	}
	out := &TerminateInstanceInAutoScalingGroupOutput{}
	now := s.now()
	for _, t := range targets {
		g := t.g
		if !t.terminating() {
			cause := causeAt(now, "instance %s was taken out of service in response to a user request.", t.id)
			if decrement && t.counted() {
				cause = causeAt(now, "instance %s was taken out of service in response to a user request, shrinking the capacity from %d to %d.", t.id, g.desired, g.desired-1)
				g.desired--
			}
			s.beginTermination(t, reasonUser, cause, true)
		}
		if t.act != nil {
			out.Activities = append(out.Activities, t.act.describe())
		}
	}
	if len(out.Activities) > 0 && in.InstanceId != "" {
		a := out.Activities[0]
		out.Activity = &a
	}
	return out, nil
}

// SetInstanceProtection sets or clears scale-in protection on InService
// instances of one group (at most 50 a call).
func (s *Service) SetInstanceProtection(in SetInstanceProtectionInput) (*SetInstanceProtectionOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.InstanceIds == nil:
		return nil, nullMember("instanceIds")
	case in.ProtectedFromScaleIn == nil:
		return nil, nullMember("protectedFromScaleIn")
	case len(in.InstanceIds) > 50:
		return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	targets := make([]*instance, 0, len(in.InstanceIds))
	for _, id := range in.InstanceIds {
		inst, ok := s.instances[id]
		if !ok || inst.g != g {
			return nil, validation("The instance %s is not part of Auto Scaling group %s.", id, g.name)
		}
		if inst.state != StateInService {
			return nil, validation("The instance %s is not in InService or EnteringStandby or Standby.", id)
		}
		targets = append(targets, inst)
	}
	for _, t := range targets {
		t.protected = *in.ProtectedFromScaleIn
	}
	// Removing protection may let a pending scale-in proceed.
	s.reconcileSoon(g)
	return &SetInstanceProtectionOutput{}, nil
}

// SetInstanceHealth marks an instance Healthy or Unhealthy; an Unhealthy
// instance is terminated (termination hooks run) and replaced.
func (s *Service) SetInstanceHealth(in SetInstanceHealthInput) (*SetInstanceHealthOutput, error) {
	switch {
	case in.InstanceId == "":
		return nil, nullMember("instanceId")
	case in.HealthStatus == "":
		return nil, nullMember("healthStatus")
	case in.HealthStatus != "Healthy" && in.HealthStatus != "Unhealthy":
		return nil, validation("Valid health status values are Healthy and Unhealthy.")
	}
	inst, ok := s.instances[in.InstanceId]
	if !ok {
		return nil, validation("Instance Id not found - No managed instance found for instance ID: %s", in.InstanceId)
	}
	if in.HealthStatus == "Healthy" {
		if !inst.terminating() {
			inst.healthy = true
		}
		return &SetInstanceHealthOutput{}, nil
	}
	respect := in.ShouldRespectGracePeriod == nil || *in.ShouldRespectGracePeriod
	if respect && inst.g.grace > 0 && s.inGrace(inst) {
		// Inside the grace period Auto Scaling ignores the report.
		return &SetInstanceHealthOutput{}, nil
	}
	if inst.terminating() {
		return &SetInstanceHealthOutput{}, nil
	}
	inst.healthy = false
	s.beginTermination(inst, reasonHealth,
		causeAt(s.now(), "an instance was taken out of service in response to a user health-check."), true)
	return &SetInstanceHealthOutput{}, nil
}

func (s *Service) inGrace(in *instance) bool {
	if in.state != StateInService {
		return true
	}
	return s.now().Before(in.inServiceAt.Add(secs(in.g.grace)))
}

// DescribeAutoScalingInstances describes instances by id, or all of them.
func (s *Service) DescribeAutoScalingInstances(in DescribeAutoScalingInstancesInput) (*DescribeAutoScalingInstancesOutput, error) {
	if len(in.InstanceIds) > 50 {
		return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	var list []*instance
	if len(in.InstanceIds) > 0 {
		for _, id := range in.InstanceIds {
			if inst, ok := s.instances[id]; ok && !slices.Contains(list, inst) {
				list = append(list, inst)
			}
		}
	} else {
		for _, n := range s.GroupNames() {
			list = append(list, s.groups[n].instances...)
		}
	}
	start, end, next, err := page(len(list), in.MaxRecords, 50, 50, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeAutoScalingInstancesOutput{AutoScalingInstances: make([]AutoScalingInstanceDetails, 0, end-start), NextToken: next}
	for _, inst := range list[start:end] {
		out.AutoScalingInstances = append(out.AutoScalingInstances, AutoScalingInstanceDetails{
			AutoScalingGroupName:    inst.g.name,
			InstanceId:              inst.id,
			InstanceType:            inst.itype,
			AvailabilityZone:        inst.az,
			LifecycleState:          inst.state,
			HealthStatus:            inst.healthStatus(),
			LaunchTemplate:          inst.templateSpec(),
			LaunchConfigurationName: inst.lc,
			ProtectedFromScaleIn:    inst.protected,
		})
	}
	return out, nil
}
