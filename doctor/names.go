package doctor

import (
	"strings"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
)

// queueARN is the ARN of drainer's queue: queue itself when it is an ARN,
// else the first SQS notification target of the groups' hooks (groups in
// order) with the queue's name; "" when queue is "" or no hook names it.
func queueARN(queue string, groups []cloud.Group, hooks map[string][]cloud.LifecycleHook) string {
	queue = strings.TrimSpace(queue)
	if awsid.IsQueueARN(queue) {
		return queue
	}
	name := awsid.QueueName(queue)
	if name == "" {
		return ""
	}
	for _, g := range groups {
		for _, h := range hooks[g.Name] {
			if awsid.IsQueueARN(h.NotificationTarget) && awsid.QueueName(h.NotificationTarget) == name {
				return h.NotificationTarget
			}
		}
	}
	return ""
}
