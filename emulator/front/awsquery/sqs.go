package awsquery

import (
	"strings"

	"github.com/drainer-dev/drainer/emulator/sqs"
)

// SQS speaks awsQuery, Version 2012-11-05, to clients older than its JSON
// protocol (AWS CLI 2.9, botocore before 1.31).
func init() {
	services["2012-11-05"] = &service{
		name:         "sqs",
		xmlns:        "http://queue.amazonaws.com/doc/2012-11-05/",
		dialect:      awsQuery,
		invalidParam: "InvalidParameterValue",
		internal:     "InternalError",
		ops: map[string]handler{
			"CreateQueue":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.CreateQueue) },
			"GetQueueUrl":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.GetQueueUrl) },
			"GetQueueAttributes":           queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.GetQueueAttributes) }),
			"SetQueueAttributes":           queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.SetQueueAttributes) }),
			"ListQueues":                   func(c *call) (any, error) { return invoke(c, c.w.SQS.ListQueues) },
			"DeleteQueue":                  queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteQueue) }),
			"PurgeQueue":                   queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.PurgeQueue) }),
			"ListQueueTags":                queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.ListQueueTags) }),
			"SendMessage":                  queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.SendMessage) }),
			"SendMessageBatch":             queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.SendMessageBatch) }),
			"ReceiveMessage":               queueCall(receiveMessage),
			"DeleteMessage":                queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteMessage) }),
			"DeleteMessageBatch":           queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteMessageBatch) }),
			"ChangeMessageVisibility":      queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.ChangeMessageVisibility) }),
			"ChangeMessageVisibilityBatch": queueCall(func(c *call) (any, error) { return invoke(c, c.w.SQS.ChangeMessageVisibilityBatch) }),
		},
		noResult: map[string]bool{
			"SetQueueAttributes": true, "DeleteQueue": true, "PurgeQueue": true,
			"DeleteMessage": true, "ChangeMessageVisibility": true,
		},
	}
}

// receiveMessage long-polls in the world's virtual time. An explicit
// MaxNumberOfMessages=0 (the AWS CLI sends it) is passed on as given, for
// SQS to refuse.
func receiveMessage(c *call) (any, error) {
	var in sqs.ReceiveMessageInput
	if err := c.form.decode(&in); err != nil {
		return nil, err
	}
	_, in.MaxNumberOfMessagesGiven = c.form.get("MaxNumberOfMessages")
	return c.w.ReceiveMessage(c.ctx, c.caller, in)
}

// queueCall lets a request name its queue the way older SQS clients do,
// by posting to the queue's URL (/ACCOUNT/NAME) instead of passing QueueUrl.
func queueCall(h handler) handler {
	return func(c *call) (any, error) {
		if _, ok := c.form.get("QueueUrl"); !ok {
			if p := strings.Trim(c.r.URL.Path, "/"); strings.Count(p, "/") == 1 {
				c.form.vals.Set("QueueUrl", "http://"+c.r.Host+"/"+p)
				c.form = newForm(c.form.vals, c.form.d)
			}
		}
		return h(c)
	}
}
