package aws

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/drainer-dev/drainer/cloud"
)

// DescribeGroups implements cloud.AutoScaling.
func (c *Client) DescribeGroups(ctx context.Context, names []string) ([]cloud.Group, error) {
	batches := chunks(dedup(names), maxAutoScalingGroups)
	if len(names) == 0 {
		batches = [][]string{nil} // every group
	}
	var out []cloud.Group
	for _, batch := range batches {
		p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c.autoscaling, &autoscaling.DescribeAutoScalingGroupsInput{
			AutoScalingGroupNames: batch, MaxRecords: aws.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, wrap(err, "describe Auto Scaling groups")
			}
			for _, g := range page.AutoScalingGroups {
				out = append(out, groupFrom(g))
			}
		}
	}
	return out, nil
}

// DescribeGroupInstances implements cloud.AutoScaling: the instances go
// into shared DescribeAutoScalingInstances calls of up to fifty.
func (c *Client) DescribeGroupInstances(ctx context.Context, instanceIDs []string) ([]cloud.GroupInstance, error) {
	want := dedup(instanceIDs)
	res, err := c.groupInstances.Do(ctx, struct{}{}, want)
	if err != nil {
		return nil, wrap(err, "describe Auto Scaling instances")
	}
	return inOrder(want, res, func(gi cloud.GroupInstance) string { return gi.InstanceID }), nil
}

func groupInstanceFrom(i astypes.AutoScalingInstanceDetails) cloud.GroupInstance {
	return cloud.GroupInstance{
		InstanceID:           aws.ToString(i.InstanceId),
		Group:                aws.ToString(i.AutoScalingGroupName),
		AvailabilityZone:     aws.ToString(i.AvailabilityZone),
		LifecycleState:       aws.ToString(i.LifecycleState),
		HealthStatus:         aws.ToString(i.HealthStatus),
		ProtectedFromScaleIn: aws.ToBool(i.ProtectedFromScaleIn),
		InstanceType:         aws.ToString(i.InstanceType),
	}
}

// LifecycleHooks implements cloud.AutoScaling.
func (c *Client) LifecycleHooks(ctx context.Context, group string) ([]cloud.LifecycleHook, error) {
	res, err := c.autoscaling.DescribeLifecycleHooks(ctx, &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: aws.String(group)})
	if err != nil {
		return nil, wrap(err, "describe lifecycle hooks of %s", group)
	}
	out := make([]cloud.LifecycleHook, 0, len(res.LifecycleHooks))
	for _, h := range res.LifecycleHooks {
		out = append(out, hookFrom(h))
	}
	return out, nil
}

// ScalingActivities implements cloud.AutoScaling: one page of the newest.
func (c *Client) ScalingActivities(ctx context.Context, most int) ([]cloud.Activity, error) {
	most = min(max(most, 1), 100)
	res, err := c.autoscaling.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{MaxRecords: aws.Int32(int32(most))})
	if err != nil {
		return nil, wrap(err, "describe scaling activities")
	}
	out := make([]cloud.Activity, 0, len(res.Activities))
	for _, a := range res.Activities {
		act := cloud.Activity{Group: aws.ToString(a.AutoScalingGroupName), Status: string(a.StatusCode),
			Description: aws.ToString(a.Description), Cause: aws.ToString(a.Cause), Start: aws.ToTime(a.StartTime)}
		if a.EndTime != nil {
			act.End = *a.EndTime
		}
		out = append(out, act)
	}
	return out, nil
}

// CompleteLifecycleAction implements cloud.AutoScaling.
func (c *Client) CompleteLifecycleAction(ctx context.Context, a cloud.LifecycleAction, result cloud.LifecycleResult) error {
	if err := a.Validate(); err != nil {
		return wrap(err, "complete lifecycle action %s", a)
	}
	in := &autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: aws.String(a.Group), LifecycleHookName: aws.String(a.Hook),
		LifecycleActionResult: aws.String(string(result)),
	}
	if a.Token != "" {
		in.LifecycleActionToken = aws.String(a.Token)
	} else {
		in.InstanceId = aws.String(a.InstanceID)
	}
	_, err := c.autoscaling.CompleteLifecycleAction(ctx, in)
	return wrap(err, "complete lifecycle action %s with %s", a, result)
}

// RecordLifecycleActionHeartbeat implements cloud.AutoScaling.
func (c *Client) RecordLifecycleActionHeartbeat(ctx context.Context, a cloud.LifecycleAction) error {
	if err := a.Validate(); err != nil {
		return wrap(err, "heartbeat lifecycle action %s", a)
	}
	in := &autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: aws.String(a.Group), LifecycleHookName: aws.String(a.Hook),
	}
	if a.Token != "" {
		in.LifecycleActionToken = aws.String(a.Token)
	} else {
		in.InstanceId = aws.String(a.InstanceID)
	}
	_, err := c.autoscaling.RecordLifecycleActionHeartbeat(ctx, in)
	return wrap(err, "heartbeat lifecycle action %s", a)
}

// SetInstanceProtection implements cloud.AutoScaling.
func (c *Client) SetInstanceProtection(ctx context.Context, group string, instanceIDs []string, protected bool) error {
	for _, batch := range chunks(dedup(instanceIDs), maxProtectionBatch) {
		_, err := c.autoscaling.SetInstanceProtection(ctx, &autoscaling.SetInstanceProtectionInput{
			AutoScalingGroupName: aws.String(group), InstanceIds: batch, ProtectedFromScaleIn: aws.Bool(protected),
		})
		if err != nil {
			return wrap(err, "set scale-in protection %t on %d instances of %s", protected, len(batch), group)
		}
	}
	return nil
}

// TerminateGroupInstance implements cloud.AutoScaling.
func (c *Client) TerminateGroupInstance(ctx context.Context, instanceID string, decrementDesired bool) error {
	_, err := c.autoscaling.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(instanceID), ShouldDecrementDesiredCapacity: aws.Bool(decrementDesired),
	})
	return wrap(err, "terminate %s through Auto Scaling", instanceID)
}

func groupFrom(g astypes.AutoScalingGroup) cloud.Group {
	out := cloud.Group{
		Name:                             aws.ToString(g.AutoScalingGroupName),
		ARN:                              aws.ToString(g.AutoScalingGroupARN),
		MinSize:                          int(aws.ToInt32(g.MinSize)),
		MaxSize:                          int(aws.ToInt32(g.MaxSize)),
		DesiredCapacity:                  int(aws.ToInt32(g.DesiredCapacity)),
		MaxInstanceLifetime:              time.Duration(aws.ToInt32(g.MaxInstanceLifetime)) * time.Second,
		CapacityRebalance:                aws.ToBool(g.CapacityRebalance),
		NewInstancesProtectedFromScaleIn: aws.ToBool(g.NewInstancesProtectedFromScaleIn),
		AvailabilityZones:                g.AvailabilityZones,
		Tags:                             map[string]string{},
	}
	for _, t := range g.Tags {
		out.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	for _, i := range g.Instances {
		out.Instances = append(out.Instances, cloud.GroupInstance{
			InstanceID:           aws.ToString(i.InstanceId),
			Group:                out.Name,
			AvailabilityZone:     aws.ToString(i.AvailabilityZone),
			LifecycleState:       string(i.LifecycleState),
			HealthStatus:         aws.ToString(i.HealthStatus),
			ProtectedFromScaleIn: aws.ToBool(i.ProtectedFromScaleIn),
			InstanceType:         aws.ToString(i.InstanceType),
		})
	}
	out.LaunchConfiguration = aws.ToString(g.LaunchConfigurationName)
	if lt := g.LaunchTemplate; lt != nil {
		out.LaunchTemplates = append(out.LaunchTemplates, templateRef(lt))
	}
	if mp := g.MixedInstancesPolicy; mp != nil && mp.LaunchTemplate != nil {
		if lt := mp.LaunchTemplate.LaunchTemplateSpecification; lt != nil {
			out.LaunchTemplates = append(out.LaunchTemplates, templateRef(lt))
		}
		for _, o := range mp.LaunchTemplate.Overrides {
			if lt := o.LaunchTemplateSpecification; lt != nil {
				out.LaunchTemplates = append(out.LaunchTemplates, templateRef(lt))
			}
		}
	}
	return out
}

// templateRef converts a group's launch template specification.
func templateRef(lt *astypes.LaunchTemplateSpecification) cloud.LaunchTemplateRef {
	return cloud.LaunchTemplateRef{ID: aws.ToString(lt.LaunchTemplateId), Name: aws.ToString(lt.LaunchTemplateName), Version: aws.ToString(lt.Version)}
}

// hookFrom converts a lifecycle hook; Auto Scaling always reports both
// timeouts, but the defaults of §4 (3600 s; min(48 h, 100 × heartbeat))
// stand in when a stub leaves them out.
func hookFrom(h astypes.LifecycleHook) cloud.LifecycleHook {
	hb := time.Duration(aws.ToInt32(h.HeartbeatTimeout)) * time.Second
	if hb <= 0 {
		hb = time.Hour
	}
	global := time.Duration(aws.ToInt32(h.GlobalTimeout)) * time.Second
	if global <= 0 {
		global = min(48*time.Hour, 100*hb)
	}
	result := cloud.LifecycleResult(aws.ToString(h.DefaultResult))
	if result == "" {
		result = cloud.LifecycleAbandon // Auto Scaling's default
	}
	return cloud.LifecycleHook{
		Name:                 aws.ToString(h.LifecycleHookName),
		Group:                aws.ToString(h.AutoScalingGroupName),
		Transition:           aws.ToString(h.LifecycleTransition),
		HeartbeatTimeout:     hb,
		GlobalTimeout:        global,
		DefaultResult:        result,
		NotificationTarget:   aws.ToString(h.NotificationTargetARN),
		Role:                 aws.ToString(h.RoleARN),
		NotificationMetadata: aws.ToString(h.NotificationMetadata),
	}
}
