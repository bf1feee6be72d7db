package autoscaling

import "slices"

// EnterStandbyInput mirrors the AWS request.
type EnterStandbyInput struct {
	AutoScalingGroupName           string
	InstanceIds                    []string
	ShouldDecrementDesiredCapacity *bool
}

// EnterStandbyOutput mirrors the AWS response.
type EnterStandbyOutput struct {
	Activities []Activity
}

// ExitStandbyInput mirrors the AWS request.
type ExitStandbyInput struct {
	AutoScalingGroupName string
	InstanceIds          []string
}

// ExitStandbyOutput mirrors the AWS response.
type ExitStandbyOutput struct {
	Activities []Activity
}

// maxStandbyIDs is the most instance ids EnterStandby and ExitStandby take.
const maxStandbyIDs = 20

// EnterStandby moves InService instances to Standby (through
// EnteringStandby). A Standby instance stays running but no longer counts
// toward capacity: without ShouldDecrementDesiredCapacity the group
// launches a replacement; with it, desired capacity drops by one per
// instance (never below MinSize).
//
// Source: "EnterStandby" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnterStandby.html)
// and "Temporarily remove instances from your Auto Scaling group"
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-enter-exit-standby.html).
func (s *Service) EnterStandby(in EnterStandbyInput) (*EnterStandbyOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.ShouldDecrementDesiredCapacity == nil:
		return nil, nullMember("shouldDecrementDesiredCapacity")
	case len(in.InstanceIds) > maxStandbyIDs:
		return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to %d", maxStandbyIDs)
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	targets, err := s.groupInstances(g, in.InstanceIds, StateInService)
	if err != nil {
		return nil, err
	}
	decrement := *in.ShouldDecrementDesiredCapacity
	if decrement && g.desired-int32(len(targets)) < g.min {
		return nil, validation("AutoScalingGroup %s has min-size=%d, max-size=%d, and desired-size=%d. To place into standby %d instances, please update the AutoScalingGroup sizes appropriately.",
			g.name, g.min, g.max, g.desired, len(targets))
	}
	now := s.now()
	out := &EnterStandbyOutput{Activities: []Activity{}}
	for _, t := range targets {
		cause := causeAt(now, "instance %s was moved to standby in response to a user request.", t.id)
		if decrement {
			cause = causeAt(now, "instance %s was moved to standby in response to a user request, shrinking the capacity from %d to %d.", t.id, g.desired, g.desired-1)
			g.desired--
		}
		a := s.newActivity(g, "Moving EC2 instance to Standby: "+t.id, cause, t)
		s.setState(t, StateEnteringStandby)
		s.setState(t, StateStandby)
		s.endActivity(a, ActivitySuccessful, "")
		out.Activities = append(out.Activities, a.describe())
	}
	s.reconcileSoon(g)
	return out, nil
}

// ExitStandby returns Standby instances to service: each goes through
// Pending (where launch lifecycle hooks run) to InService, and desired
// capacity grows by one per instance (never above MaxSize).
//
// Source: "ExitStandby" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_ExitStandby.html).
func (s *Service) ExitStandby(in ExitStandbyInput) (*ExitStandbyOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case len(in.InstanceIds) > maxStandbyIDs:
		return nil, validation("1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to %d", maxStandbyIDs)
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	targets, err := s.groupInstances(g, in.InstanceIds, StateStandby)
	if err != nil {
		return nil, err
	}
	if g.desired+int32(len(targets)) > g.max {
		return nil, validation("AutoScalingGroup %s has min-size=%d, max-size=%d, and desired-size=%d. To exit standby %d instances, please update the AutoScalingGroup sizes appropriately.",
			g.name, g.min, g.max, g.desired, len(targets))
	}
	now := s.now()
	out := &ExitStandbyOutput{Activities: []Activity{}}
	for _, t := range targets {
		t.act = s.newActivity(g, "Moving EC2 instance out of Standby: "+t.id,
			causeAt(now, "instance %s was moved out of standby in response to a user request, increasing the capacity from %d to %d.", t.id, g.desired, g.desired+1), t)
		g.desired++
		out.Activities = append(out.Activities, t.act.describe())
		s.setState(t, StatePending)
		s.InstanceRunning(t.id) // it is running already: hooks, then InService
	}
	s.reconcileSoon(g)
	return out, nil
}

// groupInstances resolves ids to instances of g that are all in state.
func (s *Service) groupInstances(g *group, ids []string, state string) ([]*instance, error) {
	if len(ids) == 0 {
		return nil, nullMember("instanceIds")
	}
	var out []*instance
	for _, id := range ids {
		inst, ok := s.instances[id]
		if !ok || inst.g != g {
			return nil, validation("The instance %s is not part of Auto Scaling group %s.", id, g.name)
		}
		if inst.state != state {
			return nil, validation("The instance %s is not in %s.", id, state)
		}
		if !slices.Contains(out, inst) {
			out = append(out, inst)
		}
	}
	return out, nil
}
