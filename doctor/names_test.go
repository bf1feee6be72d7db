package doctor

import (
	"testing"

	"github.com/drainer-dev/drainer/cloud"
)

func TestQueueName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://sqs.us-east-1.amazonaws.com/123456789012/drainer", "drainer"},
		{"http://127.0.0.1:4566/123456789012/drainer/", "drainer"},
		{"arn:aws:sqs:us-east-1:123456789012:drainer", "drainer"},
		{"arn:aws-cn:sqs:cn-north-1:123456789012:drainer.fifo", "drainer.fifo"},
		{"drainer", "drainer"},
		{"  drainer\n", "drainer"},
		{"", ""},
	} {
		if got := queueName(c.in); got != c.want {
			t.Errorf("queueName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsQueueARN(t *testing.T) {
	for in, want := range map[string]bool{
		"arn:aws:sqs:us-east-1:123456789012:drainer":       true,
		"arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q":  true,
		"arn:aws:sns:us-east-1:123456789012:drainer":       false,
		"arn:aws:sqs:us-east-1:123456789012:":              false,
		"https://sqs.us-east-1.amazonaws.com/1234/drainer": false,
		"drainer": false,
		"":        false,
	} {
		if got := isQueueARN(in); got != want {
			t.Errorf("isQueueARN(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestQueueARN(t *testing.T) {
	groups := []cloud.Group{{Name: "a"}, {Name: "b"}}
	hooks := map[string][]cloud.LifecycleHook{
		"a": {{Name: "sns", NotificationTarget: "arn:aws:sns:us-east-1:111111111111:drainer"}, {Name: "other", NotificationTarget: "arn:aws:sqs:us-east-1:111111111111:elsewhere"}},
		"b": {{Name: "none"}, {Name: "drainer", NotificationTarget: "arn:aws:sqs:us-east-1:222222222222:drainer"}},
		"c": {{Name: "not-a-group-read", NotificationTarget: "arn:aws:sqs:us-east-1:333333333333:drainer"}},
	}
	for _, c := range []struct {
		name, queue, want string
		groups            []cloud.Group
	}{
		{"by URL: from the hook naming it (an SNS topic of that name is not it)", "https://sqs.us-east-1.amazonaws.com/222222222222/drainer", "arn:aws:sqs:us-east-1:222222222222:drainer", groups},
		{"by name", "drainer", "arn:aws:sqs:us-east-1:222222222222:drainer", groups},
		{"an ARN is its own", "arn:aws:sqs:eu-west-1:444444444444:drainer", "arn:aws:sqs:eu-west-1:444444444444:drainer", groups},
		{"no hook names it", "missing", "", groups},
		{"no queue", "", "", groups},
		{"no group", "drainer", "", nil},
		{"groups in order: the first hook naming it", "drainer", "arn:aws:sqs:us-east-1:333333333333:drainer", []cloud.Group{{Name: "c"}, {Name: "b"}}},
	} {
		if got := queueARN(c.queue, c.groups, hooks); got != c.want {
			t.Errorf("%s: queueARN(%q) = %q, want %q", c.name, c.queue, got, c.want)
		}
	}
}

func TestAfterLast(t *testing.T) {
	for _, c := range []struct{ s, marker, want string }{
		{"arn:aws:ecs:us-east-1:123456789012:cluster/demo", "cluster/", "demo"},
		{"demo", "cluster/", "demo"},
		{"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c:autoScalingGroupName/asg", "autoScalingGroupName/", "asg"},
		{"", "cluster/", ""},
	} {
		if got := afterLast(c.s, c.marker); got != c.want {
			t.Errorf("afterLast(%q, %q) = %q, want %q", c.s, c.marker, got, c.want)
		}
	}
}
