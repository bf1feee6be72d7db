package aws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
)

// TestProvisionNotFound: what cloud.Provision says is ErrNotFound is, for
// each method that names something that does not exist (or no longer
// does).
func TestProvisionNotFound(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	url, err := c.CreateQueue(ctx, "short-lived", nil, map[string]string{"k": "v"})
	noErr(t, err)
	noErr(t, c.DeleteQueue(ctx, url))
	_, err = c.QueueAttributes(ctx, url)
	check(t, "QueueAttributes of a deleted queue", err)
	_, err = c.QueueTags(ctx, url)
	check(t, "QueueTags of a deleted queue", err)
	check(t, "SetQueueAttributes of a deleted queue", c.SetQueueAttributes(ctx, url, map[string]string{"VisibilityTimeout": "5"}))
	check(t, "DeleteQueue of a deleted queue", c.DeleteQueue(ctx, url))

	_, err = c.DescribeRule(ctx, "never-made")
	check(t, "DescribeRule", err)
	_, err = c.RuleTags(ctx, "arn:aws:events:us-east-1:123456789012:rule/never-made")
	check(t, "RuleTags", err)
	_, err = c.RuleTargets(ctx, "never-made")
	check(t, "RuleTargets", err)
	check(t, "PutTargets", c.PutTargets(ctx, "never-made", []cloud.Target{{ID: "q", ARN: "arn:aws:sqs:us-east-1:123456789012:drainer"}}))
	check(t, "RemoveTargets", c.RemoveTargets(ctx, "never-made", []string{"q"}))
	noErr(t, c.DeleteRule(ctx, "never-made")) // EventBridge: no error

	check(t, "PutLifecycleHook on a group that does not exist", c.PutLifecycleHook(ctx, cloud.LifecycleHook{Name: "drainer", Group: "nope",
		Transition: cloud.LifecycleTransitionTerminating, HeartbeatTimeout: 15 * time.Minute}))
	check(t, "DeleteLifecycleHook on a group that does not exist", c.DeleteLifecycleHook(ctx, "nope", "drainer"))
	_, err = c.LaunchConfigurationUserData(ctx, "nope")
	check(t, "LaunchConfigurationUserData", err)
	for _, ref := range []cloud.LaunchTemplateRef{{Name: "nope"}, {ID: "lt-0123456789abcdef0"}, {Name: "demo-asg-template", Version: "9"}} {
		_, err = c.LaunchTemplateUserData(ctx, ref)
		check(t, "LaunchTemplateUserData "+ref.Name+ref.ID+" "+ref.Version, err)
	}
}

// check fails unless err is ErrNotFound.
func check(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("%s: %v, want ErrNotFound", what, err)
	}
}

// TestProvisionRoundTrip: what Provision writes it reads back: a queue's
// attributes and tags, a rule with its tags and target, a hook created
// without a target and updated, and the user data of a group's launch
// template.
func TestProvisionRoundTrip(t *testing.T) {
	w := world(t, demoWorld)
	c := client(t, w, cloudaws.Options{})
	ctx := ctxT(t)

	url, err := c.CreateQueue(ctx, "made", map[string]string{"MessageRetentionPeriod": "1209600"}, map[string]string{"drainer:setup": "drainer"})
	noErr(t, err)
	attrs, err := c.QueueAttributes(ctx, url)
	noErr(t, err)
	tags, err := c.QueueTags(ctx, url)
	noErr(t, err)
	if attrs["MessageRetentionPeriod"] != "1209600" || attrs["QueueArn"] != "arn:aws:sqs:us-east-1:123456789012:made" || tags["drainer:setup"] != "drainer" {
		t.Errorf("queue attributes %v, tags %v", attrs, tags)
	}

	arn, err := c.PutRule(ctx, cloud.Rule{Name: "made", EventPattern: `{"source":["aws.ec2"]}`, Description: "d"}, map[string]string{"drainer:setup": "drainer"})
	noErr(t, err)
	noErr(t, c.PutTargets(ctx, "made", []cloud.Target{{ID: "drainer-queue", ARN: attrs["QueueArn"]}}))
	r, err := c.DescribeRule(ctx, "made")
	noErr(t, err)
	rtags, err := c.RuleTags(ctx, arn)
	noErr(t, err)
	targets, err := c.RuleTargets(ctx, "made")
	noErr(t, err)
	if r != (cloud.Rule{Name: "made", ARN: arn, State: "ENABLED", EventPattern: `{"source":["aws.ec2"]}`, Description: "d"}) ||
		rtags["drainer:setup"] != "drainer" || len(targets) != 1 || targets[0] != (cloud.Target{ID: "drainer-queue", ARN: attrs["QueueArn"]}) {
		t.Errorf("rule %+v, tags %v, targets %+v", r, rtags, targets)
	}
	noErr(t, c.RemoveTargets(ctx, "made", []string{"drainer-queue"}))
	noErr(t, c.DeleteRule(ctx, "made"))
	_, err = c.DescribeRule(ctx, "made")
	check(t, "DescribeRule of the deleted rule", err)

	h := cloud.LifecycleHook{Name: "drainer", Group: "demo-asg", Transition: cloud.LifecycleTransitionTerminating, HeartbeatTimeout: 15 * time.Minute, DefaultResult: cloud.LifecycleContinue}
	noErr(t, c.PutLifecycleHook(ctx, h))
	h.HeartbeatTimeout = 20 * time.Minute
	noErr(t, c.PutLifecycleHook(ctx, h))
	hooks, err := c.LifecycleHooks(ctx, "demo-asg")
	noErr(t, err)
	var got cloud.LifecycleHook
	for _, x := range hooks {
		if x.Name == "drainer" {
			got = x
		}
	}
	if got.HeartbeatTimeout != 20*time.Minute || got.DefaultResult != cloud.LifecycleContinue || got.NotificationTarget != "" || got.Role != "" {
		t.Errorf("hook %+v", got)
	}
	noErr(t, c.DeleteLifecycleHook(ctx, "demo-asg", "drainer"))

	groups, err := c.DescribeGroups(ctx, []string{"demo-asg"})
	noErr(t, err)
	if len(groups) != 1 || len(groups[0].LaunchTemplates) != 1 || groups[0].LaunchTemplates[0].Name != "demo-asg-template" {
		t.Fatalf("demo-asg's launch templates: %+v", groups)
	}
	ud, err := c.LaunchTemplateUserData(ctx, groups[0].LaunchTemplates[0])
	noErr(t, err)
	if want := "echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config"; !strings.Contains(ud, want) {
		t.Errorf("user data %q, want it to hold %q", ud, want)
	}
	for _, x := range hooks {
		if x.Name == "drain-hook" && x.Role != "arn:aws:iam::123456789012:role/demo-asg-hook-role" {
			t.Errorf("drain-hook's role = %q", x.Role)
		}
	}
}
