package cloud

import "errors"

// ErrNotFound means the thing asked about does not exist (any more): an
// unknown cluster, container instance, EC2 instance, network interface or
// queue. Level-triggered callers usually treat it as "nothing to do".
var ErrNotFound = errors.New("not found")

// ErrNoActiveLifecycleAction means Auto Scaling holds no lifecycle action for
// the instance, hook or token given: the action was already completed, was
// abandoned by another hook, or timed out. It means "already done", never
// "retry".
var ErrNoActiveLifecycleAction = errors.New("no active lifecycle action")

// ErrThrottled means AWS kept throttling the call after every retry the
// client was allowed; the caller should try again later, not at once.
var ErrThrottled = errors.New("throttled")
