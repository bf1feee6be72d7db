package aws

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/cloud"
)

var _ cloud.Provision = (*Client)(nil)

// QueueAttributes implements cloud.Provision.
func (c *Client) QueueAttributes(ctx context.Context, queueURL string) (map[string]string, error) {
	res, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		return nil, wrap(err, "attributes of queue %s", queueURL)
	}
	out := map[string]string{}
	maps.Copy(out, res.Attributes)
	return out, nil
}

// QueueTags implements cloud.Provision.
func (c *Client) QueueTags(ctx context.Context, queueURL string) (map[string]string, error) {
	res, err := c.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(queueURL)})
	if err != nil {
		return nil, wrap(err, "tags of queue %s", queueURL)
	}
	out := map[string]string{}
	maps.Copy(out, res.Tags)
	return out, nil
}

// CreateQueue implements cloud.Provision.
func (c *Client) CreateQueue(ctx context.Context, name string, attributes, tags map[string]string) (string, error) {
	in := &sqs.CreateQueueInput{QueueName: aws.String(name)}
	if len(attributes) > 0 {
		in.Attributes = maps.Clone(attributes)
	}
	if len(tags) > 0 {
		in.Tags = maps.Clone(tags)
	}
	res, err := c.sqs.CreateQueue(ctx, in)
	if err != nil {
		return "", wrap(err, "create queue %s", name)
	}
	return aws.ToString(res.QueueUrl), nil
}

// SetQueueAttributes implements cloud.Provision.
func (c *Client) SetQueueAttributes(ctx context.Context, queueURL string, attributes map[string]string) error {
	_, err := c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL), Attributes: maps.Clone(attributes)})
	return wrap(err, "set attributes %v of queue %s", slices.Sorted(maps.Keys(attributes)), queueURL)
}

// DeleteQueue implements cloud.Provision.
func (c *Client) DeleteQueue(ctx context.Context, queueURL string) error {
	_, err := c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queueURL)})
	return wrap(err, "delete queue %s", queueURL)
}

// DescribeRule implements cloud.Provision.
func (c *Client) DescribeRule(ctx context.Context, name string) (cloud.Rule, error) {
	res, err := c.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if err != nil {
		return cloud.Rule{}, wrap(err, "describe rule %s", name)
	}
	return cloud.Rule{
		Name: aws.ToString(res.Name), ARN: aws.ToString(res.Arn), State: string(res.State),
		EventPattern: aws.ToString(res.EventPattern), Description: aws.ToString(res.Description),
	}, nil
}

// RuleTags implements cloud.Provision.
func (c *Client) RuleTags(ctx context.Context, ruleARN string) (map[string]string, error) {
	res, err := c.events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN)})
	if err != nil {
		return nil, wrap(err, "tags of rule %s", ruleARN)
	}
	out := map[string]string{}
	for _, t := range res.Tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out, nil
}

// RuleTargets implements cloud.Provision, every page.
func (c *Client) RuleTargets(ctx context.Context, rule string) ([]cloud.Target, error) {
	var out []cloud.Target
	in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)}
	for {
		res, err := c.events.ListTargetsByRule(ctx, in)
		if err != nil {
			return nil, wrap(err, "list targets of rule %s", rule)
		}
		for _, t := range res.Targets {
			out = append(out, cloud.Target{ID: aws.ToString(t.Id), ARN: aws.ToString(t.Arn)})
		}
		if aws.ToString(res.NextToken) == "" {
			return out, nil
		}
		in.NextToken = res.NextToken
	}
}

// PutRule implements cloud.Provision.
func (c *Client) PutRule(ctx context.Context, r cloud.Rule, tags map[string]string) (string, error) {
	in := &eventbridge.PutRuleInput{Name: aws.String(r.Name), EventPattern: aws.String(r.EventPattern), State: ebtypes.RuleStateEnabled}
	if r.State != "" {
		in.State = ebtypes.RuleState(r.State)
	}
	if r.Description != "" {
		in.Description = aws.String(r.Description)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tags = append(in.Tags, ebtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	res, err := c.events.PutRule(ctx, in)
	if err != nil {
		return "", wrap(err, "put rule %s", r.Name)
	}
	return aws.ToString(res.RuleArn), nil
}

// PutTargets implements cloud.Provision: one call (a rule has at most five
// targets, PutTargets takes ten).
func (c *Client) PutTargets(ctx context.Context, rule string, targets []cloud.Target) error {
	in := &eventbridge.PutTargetsInput{Rule: aws.String(rule)}
	for _, t := range targets {
		in.Targets = append(in.Targets, ebtypes.Target{Id: aws.String(t.ID), Arn: aws.String(t.ARN)})
	}
	res, err := c.events.PutTargets(ctx, in)
	if err != nil {
		return wrap(err, "put targets of rule %s", rule)
	}
	if res.FailedEntryCount > 0 && len(res.FailedEntries) > 0 {
		f := res.FailedEntries[0]
		return fmt.Errorf("put target %s of rule %s: %s: %s", aws.ToString(f.TargetId), rule, aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage))
	}
	return nil
}

// RemoveTargets implements cloud.Provision.
func (c *Client) RemoveTargets(ctx context.Context, rule string, ids []string) error {
	res, err := c.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: ids})
	if err != nil {
		return wrap(err, "remove targets %v of rule %s", ids, rule)
	}
	if res.FailedEntryCount > 0 && len(res.FailedEntries) > 0 {
		f := res.FailedEntries[0]
		return fmt.Errorf("remove target %s of rule %s: %s: %s", aws.ToString(f.TargetId), rule, aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage))
	}
	return nil
}

// DeleteRule implements cloud.Provision.
func (c *Client) DeleteRule(ctx context.Context, name string) error {
	_, err := c.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)})
	return wrap(err, "delete rule %s", name)
}

// PutLifecycleHook implements cloud.Provision. Only what h sets is sent: a
// zero heartbeat timeout or default result leaves Auto Scaling's (3600 s,
// ABANDON) on a new hook and the hook's own on an update, and the
// notification target, role and metadata are sent only when h names them.
func (c *Client) PutLifecycleHook(ctx context.Context, h cloud.LifecycleHook) error {
	in := &autoscaling.PutLifecycleHookInput{
		AutoScalingGroupName: aws.String(h.Group),
		LifecycleHookName:    aws.String(h.Name),
	}
	if h.Transition != "" {
		in.LifecycleTransition = aws.String(h.Transition)
	}
	if h.HeartbeatTimeout > 0 {
		in.HeartbeatTimeout = aws.Int32(int32(h.HeartbeatTimeout.Seconds()))
	}
	if h.DefaultResult != "" {
		in.DefaultResult = aws.String(string(h.DefaultResult))
	}
	if h.NotificationTarget != "" {
		in.NotificationTargetARN = aws.String(h.NotificationTarget)
	}
	if h.Role != "" {
		in.RoleARN = aws.String(h.Role)
	}
	if h.NotificationMetadata != "" {
		in.NotificationMetadata = aws.String(h.NotificationMetadata)
	}
	_, err := c.autoscaling.PutLifecycleHook(ctx, in)
	return wrap(err, "put lifecycle hook %s on %s", h.Name, h.Group)
}

// DeleteLifecycleHook implements cloud.Provision.
func (c *Client) DeleteLifecycleHook(ctx context.Context, group, hook string) error {
	_, err := c.autoscaling.DeleteLifecycleHook(ctx, &autoscaling.DeleteLifecycleHookInput{
		AutoScalingGroupName: aws.String(group), LifecycleHookName: aws.String(hook),
	})
	return wrap(err, "delete lifecycle hook %s of %s", hook, group)
}

// LaunchConfigurationUserData implements cloud.Provision: Auto Scaling
// answers a name it does not know with no launch configuration, not an
// error.
func (c *Client) LaunchConfigurationUserData(ctx context.Context, name string) (string, error) {
	res, err := c.autoscaling.DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{LaunchConfigurationNames: []string{name}})
	if err != nil {
		return "", wrap(err, "describe launch configuration %s", name)
	}
	if len(res.LaunchConfigurations) == 0 {
		return "", fmt.Errorf("describe launch configuration %s: %w", name, cloud.ErrNotFound)
	}
	return decodeUserData(aws.ToString(res.LaunchConfigurations[0].UserData), "launch configuration "+name)
}

// launchTemplateNotFound are EC2's codes for a launch template, or a
// version of one, that does not exist (Amazon EC2 API Reference, "Error
// codes for the Amazon EC2 API").
var launchTemplateNotFound = map[string]bool{
	"InvalidLaunchTemplateId.NotFound":            true,
	"InvalidLaunchTemplateName.NotFoundException": true,
	"InvalidLaunchTemplateId.VersionNotFound":     true,
}

// LaunchTemplateUserData implements cloud.Provision: one
// DescribeLaunchTemplateVersions of the one version.
func (c *Client) LaunchTemplateUserData(ctx context.Context, t cloud.LaunchTemplateRef) (string, error) {
	what := "launch template " + t.Name
	in := &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{t.Version}}
	if t.Version == "" {
		in.Versions = []string{"$Default"}
	}
	if t.ID != "" {
		in.LaunchTemplateId, what = aws.String(t.ID), "launch template "+t.ID
	} else {
		in.LaunchTemplateName = aws.String(t.Name)
	}
	what += " version " + in.Versions[0]
	res, err := c.ec2.DescribeLaunchTemplateVersions(ctx, in)
	var api smithy.APIError
	if errors.As(err, &api) && launchTemplateNotFound[api.ErrorCode()] {
		return "", fmt.Errorf("describe %s: %w: %w", what, cloud.ErrNotFound, err)
	}
	if err != nil {
		return "", wrap(err, "describe %s", what)
	}
	if len(res.LaunchTemplateVersions) == 0 || res.LaunchTemplateVersions[0].LaunchTemplateData == nil {
		return "", fmt.Errorf("describe %s: %w", what, cloud.ErrNotFound)
	}
	return decodeUserData(aws.ToString(res.LaunchTemplateVersions[0].LaunchTemplateData.UserData), what)
}

// decodeUserData decodes user data as EC2 and Auto Scaling return it
// (base64).
func decodeUserData(b64, what string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("user data of %s is not base64: %w", what, err)
	}
	return string(b), nil
}
