// Package eventbridge emulates the default Amazon EventBridge event bus:
// rules with event patterns, SQS targets and PutEvents, on the world's
// virtual clock.
//
// AWS services publish through Emit (core.EventSink). Routing is built to
// be cheap for the many events no rule wants (every ECS task change): a
// rule index keyed by source and detail-type rejects most events before
// their detail is marshalled. Matching events are wrapped in the envelope
// EventBridge delivers and sent to each target queue through a
// core.QueueSender. Patterns follow EventBridge content filtering and are
// exported (CompilePattern) for reuse.
package eventbridge
