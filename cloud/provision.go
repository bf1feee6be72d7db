package cloud

import "context"

// Provision is what `drainer setup` asks of AWS beyond the reads of the
// other interfaces: it creates, updates and deletes drainer's queue and
// dead-letter queue, its EventBridge rules and their targets, and its
// lifecycle hooks, and reads what it needs to tell them apart from
// everyone else's (tags, targets, the user data of launch templates and
// launch configurations). The running controller never needs it. Any
// method may return ErrThrottled.
type Provision interface {
	// QueueAttributes returns every attribute of a queue
	// (GetQueueAttributes "All": QueueArn, RedrivePolicy, Policy, …; an
	// attribute the queue does not have is absent). ErrNotFound: the
	// queue does not exist.
	QueueAttributes(ctx context.Context, queueURL string) (map[string]string, error)

	// QueueTags returns the tags of a queue (ListQueueTags), none as an
	// empty map. ErrNotFound: the queue does not exist.
	QueueTags(ctx context.Context, queueURL string) (map[string]string, error)

	// CreateQueue creates a standard queue with attributes and tags and
	// returns its URL. SQS answers a queue of that name that exists with
	// the same attributes with its URL, and refuses one with other
	// attributes (QueueAlreadyExists, no sentinel); a name deleted less
	// than 60 s ago is refused too (QueueDeletedRecently, no sentinel).
	CreateQueue(ctx context.Context, name string, attributes, tags map[string]string) (string, error)

	// SetQueueAttributes sets attributes of a queue; an empty value
	// removes a Policy or RedrivePolicy. ErrNotFound: the queue does not
	// exist.
	SetQueueAttributes(ctx context.Context, queueURL string, attributes map[string]string) error

	// DeleteQueue deletes a queue and its messages. ErrNotFound: the queue
	// does not exist.
	DeleteQueue(ctx context.Context, queueURL string) error

	// DescribeRule describes a rule of the default event bus by name.
	// ErrNotFound: no rule has that name.
	DescribeRule(ctx context.Context, name string) (Rule, error)

	// RuleTags returns the tags of a rule by ARN (ListTagsForResource),
	// none as an empty map. ErrNotFound: the rule does not exist.
	RuleTags(ctx context.Context, ruleARN string) (map[string]string, error)

	// RuleTargets lists the targets of a rule of the default event bus.
	// ErrNotFound: the rule does not exist.
	RuleTargets(ctx context.Context, rule string) ([]Target, error)

	// PutRule creates or replaces a rule of the default event bus with an
	// event pattern (r.Name, r.EventPattern, r.Description, r.State; ""
	// is ENABLED) and returns its ARN. Tags are given to a rule PutRule
	// creates; a rule that exists keeps its own (EventBridge assigns tags
	// "when you initially create a rule"). A pattern EventBridge refuses
	// is a plain error, no sentinel.
	PutRule(ctx context.Context, r Rule, tags map[string]string) (string, error)

	// PutTargets adds targets to a rule, or replaces those with the same
	// ID; a target EventBridge refuses is an error naming it, no
	// sentinel. ErrNotFound: the rule does not exist.
	PutTargets(ctx context.Context, rule string, targets []Target) error

	// RemoveTargets removes a rule's targets by ID; an ID the rule does
	// not have is no error. ErrNotFound: the rule does not exist.
	RemoveTargets(ctx context.Context, rule string, ids []string) error

	// DeleteRule deletes a rule of the default event bus; one that does
	// not exist is no error (EventBridge answers so). A rule with targets
	// is refused (ValidationException, no sentinel).
	DeleteRule(ctx context.Context, name string) error

	// PutLifecycleHook creates or updates the lifecycle hook h.Name of
	// group h.Group: its transition, heartbeat timeout (seconds, 30 to
	// 7200) and default result. A hook created without a notification
	// target notifies through EventBridge only; an update leaves the
	// target, role and metadata of the hook as they are. ErrNotFound: the
	// group does not exist.
	PutLifecycleHook(ctx context.Context, h LifecycleHook) error

	// DeleteLifecycleHook deletes a hook of a group; actions it already
	// started run until they complete or time out. ErrNotFound: the group
	// does not exist. A hook the group does not have is a plain
	// ValidationError, no sentinel.
	DeleteLifecycleHook(ctx context.Context, group, hook string) error

	// LaunchConfigurationUserData returns the user data (decoded) of a
	// launch configuration, "" when it has none. ErrNotFound: no launch
	// configuration has that name.
	LaunchConfigurationUserData(ctx context.Context, name string) (string, error)

	// LaunchTemplateUserData returns the user data (decoded) of one
	// version of a launch template ("" version: $Default), "" when it has
	// none. ErrNotFound: the template or the version does not exist.
	LaunchTemplateUserData(ctx context.Context, t LaunchTemplateRef) (string, error)
}

// Target is a target of an EventBridge rule: its ID within the rule and
// the ARN of what it delivers to.
type Target struct {
	ID  string
	ARN string
}

// LaunchTemplateRef names a launch template, by ID or name, and one of its
// versions: a number, "$Latest" or "$Default" ("" means $Default, as for
// an Auto Scaling group).
type LaunchTemplateRef struct {
	ID, Name, Version string
}
