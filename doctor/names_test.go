package doctor

import (
	"testing"

	"github.com/drainer-dev/drainer/cloud"
)

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
