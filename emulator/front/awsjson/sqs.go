package awsjson

import "github.com/drainer-dev/drainer/emulator/sqs"

// sqsProtocol serves SQS (awsJson1_0, awsQueryCompatible); ReceiveMessage
// long-polls on the world's clock.
var sqsProtocol = register(&protocol{
	target:          "AmazonSQS",
	service:         "sqs",
	version:         "1.0",
	namespace:       "com.amazonaws.sqs#",
	queryCompatible: true,
	ops: map[string]handler{
		"CreateQueue":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.CreateQueue) },
		"GetQueueUrl":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.GetQueueUrl) },
		"GetQueueAttributes":           func(c *call) (any, error) { return invoke(c, c.w.SQS.GetQueueAttributes) },
		"SetQueueAttributes":           func(c *call) (any, error) { return invoke(c, c.w.SQS.SetQueueAttributes) },
		"ListQueues":                   func(c *call) (any, error) { return invoke(c, c.w.SQS.ListQueues) },
		"DeleteQueue":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteQueue) },
		"PurgeQueue":                   func(c *call) (any, error) { return invoke(c, c.w.SQS.PurgeQueue) },
		"ListQueueTags":                func(c *call) (any, error) { return invoke(c, c.w.SQS.ListQueueTags) },
		"SendMessage":                  func(c *call) (any, error) { return invoke(c, c.w.SQS.SendMessage) },
		"SendMessageBatch":             func(c *call) (any, error) { return invoke(c, c.w.SQS.SendMessageBatch) },
		"DeleteMessage":                func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteMessage) },
		"DeleteMessageBatch":           func(c *call) (any, error) { return invoke(c, c.w.SQS.DeleteMessageBatch) },
		"ChangeMessageVisibility":      func(c *call) (any, error) { return invoke(c, c.w.SQS.ChangeMessageVisibility) },
		"ChangeMessageVisibilityBatch": func(c *call) (any, error) { return invoke(c, c.w.SQS.ChangeMessageVisibilityBatch) },
		"ReceiveMessage":               receiveMessage,
	},
})

// receiveMessage long-polls through World.ReceiveMessage, which logs the
// call once and ends the wait early when the request is cancelled.
func receiveMessage(c *call) (any, error) {
	var in sqs.ReceiveMessageInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	c.w.Delay(c.ctx, c.svc.service, c.op)
	return c.w.ReceiveMessage(c.ctx, c.caller, in)
}
