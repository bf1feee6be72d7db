// Package sqs emulates Amazon SQS standard queues on the world's virtual
// clock: at-least-once delivery, visibility timeouts, delay seconds,
// retention, dead-letter queues and the checksums the SDKs verify. Other
// AWS services send to a queue by its ARN: Auto Scaling and EventBridge
// with SendToARN, SNS with SendFromService, which the queue's access
// policy (its Policy attribute) must allow.
//
// Operations mirror the awsJson1_0 API: each takes an Input struct and
// returns an Output struct whose json tags are the wire member names, so a
// wire front can decode requests into them and encode answers from them.
// ReceiveMessage never blocks; a wire front implements long polling with
// Notify. Like every emulated service, Service does no locking of its own:
// the world calls it under its lock.
package sqs
