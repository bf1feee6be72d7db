// Package intake turns the messages of drainer's trigger queue into typed
// notices and feeds them to a handler.
//
// Parse reads one SQS message body in any of the shapes DESIGN.md §4 lists:
// an Auto Scaling lifecycle notification sent to the queue directly,
// wrapped by SNS, or delivered as an EventBridge event; the Auto Scaling
// test notification; EC2 Spot interruption warnings, rebalance
// recommendations and instance state changes; ECS task and container
// instance state changes. There is one parser per message kind, chosen
// from the message's shape (and, for EventBridge, from its source and
// detail-type), as aws-node-termination-handler's sqsevent package does.
//
// A message drainer cannot or need not act on yields a *SkipError
// (errors.Is(err, ErrSkip)) with a short, stable reason: the consumer
// deletes it and moves on instead of retrying it forever. Parse never
// returns any other error and never panics.
//
// Consumer long-polls a Queue, hands each notice to a Handler, keeps the
// message invisible while the handler runs, and deletes it only once the
// handler has succeeded, so a notice is never lost: a failed one comes back
// after its visibility timeout.
package intake
