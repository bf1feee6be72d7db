package drain

import (
	"context"
	"errors"

	"github.com/drainer-dev/drainer/cloud"
)

// CompleteAction completes a lifecycle action with result. A message's
// token is not trusted: when Auto Scaling refuses the token
// (ErrNoActiveLifecycleAction), the action is completed by instance id,
// which names the same action if it is still pending. It returns
// ErrNoActiveLifecycleAction only when no action of the hook holds the
// instance any more.
func CompleteAction(ctx context.Context, c cloud.AutoScaling, a cloud.LifecycleAction, result cloud.LifecycleResult) error {
	return byTokenThenInstance(a, func(a cloud.LifecycleAction) error { return c.CompleteLifecycleAction(ctx, a, result) })
}

// HeartbeatAction records a heartbeat of a lifecycle action, by token then
// by instance id as CompleteAction does.
func HeartbeatAction(ctx context.Context, c cloud.AutoScaling, a cloud.LifecycleAction) error {
	return byTokenThenInstance(a, func(a cloud.LifecycleAction) error { return c.RecordLifecycleActionHeartbeat(ctx, a) })
}

func byTokenThenInstance(a cloud.LifecycleAction, call func(cloud.LifecycleAction) error) error {
	err := call(a)
	if errors.Is(err, cloud.ErrNoActiveLifecycleAction) && a.Token != "" && a.InstanceID != "" {
		a.Token = ""
		err = call(a)
	}
	return err
}
