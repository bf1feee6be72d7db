package doctor

import (
	"strings"

	"github.com/drainer-dev/drainer/cloud"
)

// afterLast is what follows the last marker in s ("cluster/" in a cluster
// ARN, "autoScalingGroupName/" in a group ARN), or s itself when marker is
// not in it (a bare name).
func afterLast(s, marker string) string {
	if i := strings.LastIndex(s, marker); i >= 0 {
		return s[i+len(marker):]
	}
	return s
}

// queueName is the queue's name in a queue URL
// (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or an emulator's
// http://HOST/ACCOUNT/NAME), an ARN (arn:PARTITION:sqs:REGION:ACCOUNT:NAME)
// or a bare name; "" for "".
func queueName(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if strings.HasPrefix(s, "arn:") {
		return afterLast(s, ":")
	}
	return afterLast(s, "/")
}

// isQueueARN reports whether s is the ARN of an SQS queue, in any
// partition (arn:aws:sqs:…, arn:aws-cn:sqs:…).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func isQueueARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "sqs" && parts[5] != ""
}

// queueARN is the ARN of drainer's queue: queue itself when it is an ARN,
// else the first SQS notification target of the groups' hooks (groups in
// order) with the queue's name; "" when queue is "" or no hook names it.
func queueARN(queue string, groups []cloud.Group, hooks map[string][]cloud.LifecycleHook) string {
	queue = strings.TrimSpace(queue)
	if isQueueARN(queue) {
		return queue
	}
	name := queueName(queue)
	if name == "" {
		return ""
	}
	for _, g := range groups {
		for _, h := range hooks[g.Name] {
			if isQueueARN(h.NotificationTarget) && queueName(h.NotificationTarget) == name {
				return h.NotificationTarget
			}
		}
	}
	return ""
}
