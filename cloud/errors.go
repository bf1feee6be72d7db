package cloud

import "errors"

// ErrNotFound means the thing asked about does not exist (any more): an
// unknown cluster, service, container instance, task or task definition;
// an EC2 instance or network interface EC2 does not know; an instance that
// is in no Auto Scaling group (or not in the group named), or a group that
// does not exist; a queue, or a message whose receipt handle no longer
// names one; an EventBridge rule. Level-triggered callers usually treat it
// as "nothing to do", or take the other way (an instance in no group is
// terminated through EC2). Each method says when it returns it.
var ErrNotFound = errors.New("not found")

// ErrNoActiveLifecycleAction means Auto Scaling holds no lifecycle action for
// the instance, hook or token given: the action was already completed, was
// abandoned by another hook, or timed out. It means "already done", never
// "retry".
var ErrNoActiveLifecycleAction = errors.New("no active lifecycle action")

// ErrThrottled means AWS kept throttling the call after every retry the
// client was allowed; the caller should try again later, not at once. Any
// method may return it.
var ErrThrottled = errors.New("throttled")

// ErrAttributeLimit means ECS refused to add custom attributes to a
// container instance that would then carry more than ECS allows
// (AttributeLimitExceededException: "You can apply up to 10 custom
// attributes for each resource", PutAttributes, Amazon ECS API
// Reference). The attributes the customer put there take the room;
// retrying does not help until some are deleted.
var ErrAttributeLimit = errors.New("custom attribute limit reached")

// ErrAccessDenied means AWS refused the caller: its credentials lack the
// permission the call needs (AccessDeniedException, AccessDenied, EC2's
// UnauthorizedOperation), or AWS does not accept the credentials at all
// (InvalidClientTokenId, UnrecognizedClientException, ExpiredToken,
// SignatureDoesNotMatch, EC2's AuthFailure…). Retrying does not help until
// the role's policy or the credentials change. The codes are AWS's common
// errors ("Common Errors" of every service's API Reference,
// https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html)
// and EC2's ("Error codes for the Amazon EC2 API").
var ErrAccessDenied = errors.New("access denied")
