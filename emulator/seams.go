package emulator

import (
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/sns"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// fleet lets Auto Scaling launch and terminate EC2 instances.
type fleet struct{ ec2 *ec2.Service }

func (f fleet) Launch(req autoscaling.LaunchRequest) (autoscaling.LaunchedInstance, error) {
	spec := ec2.LaunchSpec{
		LaunchTemplateID:   req.LaunchTemplateID,
		LaunchTemplateName: req.LaunchTemplateName,
		Version:            req.Version,
		InstanceType:       req.InstanceType,
		AZ:                 req.AZ,
		SubnetID:           req.SubnetID,
		ImageID:            req.ImageID,
		UserData:           req.UserData,
		Market:             req.Market,
	}
	for _, t := range req.Tags {
		spec.Tags = append(spec.Tags, ec2.Tag{Key: t.Key, Value: t.Value})
	}
	inst, err := f.ec2.Launch(spec)
	if err != nil {
		return autoscaling.LaunchedInstance{}, err
	}
	return autoscaling.LaunchedInstance{
		ID:                    inst.ID,
		AZ:                    inst.AZ,
		InstanceType:          inst.InstanceType,
		LaunchTemplateVersion: inst.LaunchTemplateVersion,
		LaunchTemplateID:      inst.LaunchTemplateID,
		Spot:                  inst.Spot,
	}, nil
}

// SubnetZone lets Auto Scaling place a group by VPCZoneIdentifier
// (autoscaling.SubnetResolver).
func (f fleet) SubnetZone(id string) (string, error) { return f.ec2.SubnetZone(id) }

// ResolveTemplate lets Auto Scaling name a group's template by id and
// resolve $Latest/$Default (autoscaling.TemplateResolver).
func (f fleet) ResolveTemplate(id, name, version string) (autoscaling.LaunchTemplateSpecification, error) {
	ref, err := f.ec2.ResolveTemplate(id, name, version)
	if err != nil {
		return autoscaling.LaunchTemplateSpecification{}, err
	}
	return autoscaling.LaunchTemplateSpecification{LaunchTemplateId: ref.ID, LaunchTemplateName: ref.Name,
		Version: strconv.FormatInt(ref.Version, 10)}, nil
}

func (f fleet) Terminate(id string) error {
	return f.ec2.Terminate(id, "User initiated (Auto Scaling)")
}

// network lets ECS attach and detach the ENIs of awsvpc tasks.
type network struct{ ec2 *ec2.Service }

func (n network) Attach(instanceID, description string) (string, error) {
	eni, err := n.ec2.AttachNetworkInterface(instanceID, description)
	if err != nil {
		return "", err
	}
	return eni.ID, nil
}

func (n network) Detach(id string, leak bool) { n.ec2.DetachNetworkInterface(id, leak) }

// topicQueues lets SNS deliver to SQS subscriptions as the service
// principal sns.amazonaws.com on behalf of the topic, for the queue's
// policy to decide.
type topicQueues struct{ sqs *sqs.Service }

func (q topicQueues) DeliverFromTopic(queueARN string, d sns.Delivery) error {
	m := sqs.ServiceMessage{
		Service:   "sns.amazonaws.com",
		SourceARN: d.TopicARN,
		SenderID:  d.SenderID,
		Body:      d.Body,
	}
	if parts := strings.Split(d.TopicARN, ":"); len(parts) == 6 {
		m.SourceAccount = parts[4]
	}
	for name, a := range d.Attributes {
		if m.Attributes == nil {
			m.Attributes = map[string]sqs.MessageAttributeValue{}
		}
		m.Attributes[name] = sqs.MessageAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return q.sqs.SendFromService(queueARN, m)
}

// notificationTargets lets Auto Scaling notify the target of a lifecycle
// hook or a notification configuration, an SQS queue or an SNS topic, by
// its ARN.
type notificationTargets struct {
	sqs *sqs.Service
	sns *sns.Service
}

// SendToARN sends body to a queue, or publishes it to a topic without a
// subject.
func (n notificationTargets) SendToARN(arn, body string) error {
	return n.SendWithSubject(arn, "", body)
}

// SendWithSubject publishes body with subject to a topic, or sends body to
// a queue (which has no subject).
func (n notificationTargets) SendWithSubject(arn, subject, body string) error {
	if p := strings.SplitN(arn, ":", 4); len(p) == 4 && p[0] == "arn" && p[2] == "sns" {
		return n.sns.PublishFromService(arn, subject, body)
	}
	return n.sqs.SendToARN(arn, body)
}

// capacityGroups lets ECS's managed draining and managed termination
// protection act on Auto Scaling groups named by ARN (ecs.Groups). It
// reads w.AutoScaling when called, as Auto Scaling is built after ECS.
type capacityGroups struct{ w *World }

// groupName is the name in an Auto Scaling group ARN
// (…:autoScalingGroup:uuid:autoScalingGroupName/NAME).
func groupName(arn string) string {
	_, name, _ := strings.Cut(arn, ":autoScalingGroupName/")
	return name
}

func (g capacityGroups) PutTerminationHook(groupARN, hook string, heartbeat time.Duration, defaultResult string) error {
	secs := int32(heartbeat / time.Second)
	_, err := g.w.AutoScaling.PutLifecycleHook(autoscaling.PutLifecycleHookInput{
		AutoScalingGroupName: groupName(groupARN), LifecycleHookName: hook,
		LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", DefaultResult: defaultResult, HeartbeatTimeout: &secs,
	})
	return err
}

func (g capacityGroups) RecordHeartbeat(groupARN, hook, id string) error {
	_, err := g.w.AutoScaling.RecordLifecycleActionHeartbeat(autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: groupName(groupARN), LifecycleHookName: hook, InstanceId: id})
	return err
}

func (g capacityGroups) CompleteAction(groupARN, hook, id, result string) error {
	_, err := g.w.AutoScaling.CompleteLifecycleAction(autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: groupName(groupARN), LifecycleHookName: hook, InstanceId: id, LifecycleActionResult: result})
	return err
}

func (g capacityGroups) DeleteTerminationHook(groupARN, hook string) error {
	_, err := g.w.AutoScaling.DeleteLifecycleHook(autoscaling.DeleteLifecycleHookInput{
		AutoScalingGroupName: groupName(groupARN), LifecycleHookName: hook})
	return err
}

func (g capacityGroups) SetScaleInProtection(groupARN, id string, protected bool) error {
	_, err := g.w.AutoScaling.SetInstanceProtection(autoscaling.SetInstanceProtectionInput{
		AutoScalingGroupName: groupName(groupARN), InstanceIds: []string{id}, ProtectedFromScaleIn: &protected})
	return err
}
