package iampolicy

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mode
		err  bool
	}{
		{"run", Run, false}, {"lambda", Lambda, false}, {"setup", Setup, false},
		{"", "", true}, {"Run", "", true}, {"dev", "", true}, {"run ", "", true},
	} {
		got, err := ParseMode(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseMode(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), "run, lambda, setup") {
			t.Errorf("ParseMode(%q)'s error %q does not name the modes", tc.in, err)
		}
	}
}

// TestTheListIsWellFormed: every entry names an action IAM knows the shape
// of, says why, belongs to a mode and to a resource that has a statement;
// no mode has an action twice.
func TestTheListIsWellFormed(t *testing.T) {
	action := regexp.MustCompile(`^(ecs|autoscaling|ec2|sqs|events|logs):[A-Z][A-Za-z]+$`)
	for _, p := range permissions {
		if !action.MatchString(p.Action) || p.Why == "" || len(p.Modes) == 0 {
			t.Errorf("%+v: want SERVICE:Action, a reason and modes", p)
		}
		for _, m := range p.Modes {
			if !slices.Contains(Modes, m) {
				t.Errorf("%s: unknown mode %q", p.Action, m)
			}
		}
		if sids[p.Resource] == "" || strings.HasPrefix(p.Resource.String(), "Resource(") {
			t.Errorf("%s: resource %d has no statement or name", p.Action, p.Resource)
		}
		for _, op := range p.Operations {
			if op == p.Action[strings.Index(p.Action, ":")+1:] {
				t.Errorf("%s: its namesake %s is not another operation", p.Action, op)
			}
		}
	}
	for _, m := range Modes {
		seen := map[string]bool{}
		for _, p := range Permissions(m) {
			if seen[p.Action] {
				t.Errorf("mode %s has %s twice", m, p.Action)
			}
			seen[p.Action] = true
		}
	}
	if Permissions("dev") != nil {
		t.Error("an unknown mode has permissions")
	}
}

// TestCovers: what each mode's policy allows, batch operations through
// their single action included.
func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		mode        Mode
		service, op string
		action      string
		ok          bool
	}{
		{Run, "sqs", "DeleteMessageBatch", "sqs:DeleteMessage", true},
		{Run, "sqs", "ChangeMessageVisibility", "sqs:ChangeMessageVisibility", true},
		{Run, "sqs", "ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility", true},
		{Run, "sqs", "SendMessage", "sqs:SendMessage", false},
		{Run, "autoscaling", "DescribeScalingActivities", "autoscaling:DescribeScalingActivities", true},
		{Run, "autoscaling", "PutLifecycleHook", "autoscaling:PutLifecycleHook", false},
		{Run, "events", "ListRules", "events:ListRules", true},
		{Run, "events", "ListTargetsByRule", "events:ListTargetsByRule", true},
		{Run, "events", "PutRule", "events:PutRule", false},
		{Run, "ec2", "DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", true},
		{Run, "ec2", "RunInstances", "ec2:RunInstances", false},
		{Run, "logs", "PutLogEvents", "logs:PutLogEvents", false},
		{Run, "ec2", "DescribeLaunchTemplateVersions", "ec2:DescribeLaunchTemplateVersions", true},
		{Lambda, "autoscaling", "DescribeLaunchConfigurations", "autoscaling:DescribeLaunchConfigurations", true},
		{Lambda, "ec2", "DescribeLaunchTemplateVersions", "ec2:DescribeLaunchTemplateVersions", true},
		{Lambda, "sqs", "ReceiveMessage", "sqs:ReceiveMessage", true},
		{Lambda, "sqs", "GetQueueAttributes", "sqs:GetQueueAttributes", true},
		{Lambda, "sqs", "DeleteMessageBatch", "sqs:DeleteMessage", true},
		{Lambda, "sqs", "ChangeMessageVisibility", "sqs:ChangeMessageVisibility", true},
		{Lambda, "sqs", "GetQueueUrl", "sqs:GetQueueUrl", false},
		{Lambda, "events", "ListRules", "events:ListRules", false},
		{Lambda, "autoscaling", "CompleteLifecycleAction", "autoscaling:CompleteLifecycleAction", true},
		{Lambda, "logs", "PutLogEvents", "logs:PutLogEvents", true},
		{Setup, "autoscaling", "PutLifecycleHook", "autoscaling:PutLifecycleHook", true},
		{Setup, "autoscaling", "CompleteLifecycleAction", "autoscaling:CompleteLifecycleAction", false},
		{Setup, "sqs", "CreateQueue", "sqs:CreateQueue", true},
		{Setup, "sqs", "ReceiveMessage", "sqs:ReceiveMessage", false},
		{Setup, "events", "PutTargets", "events:PutTargets", true},
		{Setup, "events", "ListTargetsByRule", "events:ListTargetsByRule", true},
		{Setup, "ec2", "DescribeLaunchTemplateVersions", "ec2:DescribeLaunchTemplateVersions", true},
		{Setup, "ecs", "StopTask", "ecs:StopTask", false},
		{"dev", "ecs", "ListClusters", "ecs:ListClusters", false},
	} {
		action, ok := Covers(tc.mode, tc.service, tc.op)
		if action != tc.action || ok != tc.ok {
			t.Errorf("Covers(%s, %s, %s) = %s, %v; want %s, %v", tc.mode, tc.service, tc.op, action, ok, tc.action, tc.ok)
		}
	}
}

func TestUncovered(t *testing.T) {
	calls := []Call{{"ecs", "ListClusters"}, {"sqs", "DeleteMessageBatch"}, {"sqs", "SendMessage"},
		{"autoscaling", "PutLifecycleHook"}, {"sqs", "SendMessage"}, {"events", "PutRule"}}
	if got, want := Uncovered(Run, calls), []string{"autoscaling:PutLifecycleHook", "events:PutRule", "sqs:SendMessage"}; !slices.Equal(got, want) {
		t.Errorf("Uncovered(run) = %v, want %v", got, want)
	}
	if got, want := Uncovered(Setup, calls), []string{"sqs:DeleteMessage", "sqs:SendMessage"}; !slices.Equal(got, want) {
		t.Errorf("Uncovered(setup) = %v, want %v", got, want)
	}
	if got := Uncovered(Run, nil); got != nil {
		t.Errorf("Uncovered(run, no calls) = %v", got)
	}
}
