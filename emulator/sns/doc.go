// Package sns emulates Amazon SNS standard topics on the world's virtual
// clock: topics, subscriptions of SQS queues, and Publish, delivering each
// message to every confirmed subscription in the notification envelope SNS
// sends to SQS (Type, MessageId, TopicArn, Subject, Message, Timestamp,
// SignatureVersion, Signature, SigningCertURL, UnsubscribeURL) or, with
// RawMessageDelivery, as the bare message with its attributes.
//
// Operations mirror the awsQuery API (Version 2010-03-31): each takes an
// Input struct and returns an Output struct whose Go field names (or
// `query` tags) are the wire member names. Deliveries go through the
// Queues seam, where the queue's own access policy decides, as on AWS.
// AWS services that publish to a topic (Auto Scaling notifications,
// lifecycle hooks) call PublishFromService. Like every emulated service,
// Service does no locking of its own: the world calls it under its lock.
//
// Protocols other than sqs, FIFO topics, filter policies, subscription
// dead-letter queues and SMS or mobile push are refused with an error that
// says so, never accepted and dropped.
package sns
