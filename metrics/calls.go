package metrics

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/cloud"
)

// OnCall counts one AWS API attempt: every call by service and operation,
// throttled ones apart, and the successful heartbeats and lifecycle action
// completions. Wire it to cloud/aws.Options.OnCall.
func (m *Metrics) OnCall(service, operation string, err error) {
	m.apiCalls.WithLabelValues(service, operation).Inc()
	if Throttled(err) {
		m.apiThrottles.WithLabelValues(service, operation).Inc()
	}
	if err != nil || service != "autoscaling" {
		return
	}
	switch operation {
	case "RecordLifecycleActionHeartbeat":
		m.heartbeats.Inc()
	case "CompleteLifecycleAction":
		m.lifecycleCompleted.Inc()
	}
}

// Throttled reports whether err is AWS throttling the call.
func Throttled(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, cloud.ErrThrottled) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		_, ok := retry.DefaultThrottleErrorCodes[api.ErrorCode()]
		return ok
	}
	return false
}
