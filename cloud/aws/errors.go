package aws

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/cloud"
)

// mappedError carries a cloud sentinel next to the SDK's error: errors.Is
// finds the sentinel, errors.As still finds smithy.APIError, and the text
// stays AWS's own.
type mappedError struct {
	sentinel error
	err      error
}

func (e *mappedError) Error() string   { return e.err.Error() }
func (e *mappedError) Unwrap() []error { return []error{e.sentinel, e.err} }

// wrap maps err onto cloud's sentinels and adds what was being done, as in
// wrap(err, "describe tasks on %s", ci). It returns nil for nil.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if s := sentinel(err); s != nil && !errors.Is(err, s) {
		err = &mappedError{sentinel: s, err: err}
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// notFoundCodes are the error codes that mean "no such thing" in the
// services drainer calls.
var notFoundCodes = map[string]bool{
	"ClusterNotFoundException":                 true, // ECS
	"ServiceNotFoundException":                 true, // ECS
	"TargetNotFoundException":                  true, // ECS attributes
	"ResourceNotFoundException":                true, // ECS, EventBridge
	"InvalidInstanceID.NotFound":               true, // EC2
	"InvalidNetworkInterfaceID.NotFound":       true, // EC2
	"AWS.SimpleQueueService.NonExistentQueue":  true, // SQS (query)
	"QueueDoesNotExist":                        true, // SQS (JSON)
	"AWS.SimpleQueueService.QueueDoesNotExist": true,
}

// sentinel returns the cloud sentinel err stands for, or nil.
func sentinel(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		code, msg := api.ErrorCode(), api.ErrorMessage()
		switch {
		case isThrottle(code):
			// Only reached once the retryer gave up.
			return cloud.ErrThrottled
		case notFoundCodes[code]:
			return cloud.ErrNotFound
		case code == "ValidationError" && strings.Contains(strings.ToLower(msg), "no active lifecycle action"):
			return cloud.ErrNoActiveLifecycleAction
		case (code == "InvalidParameterException" || code == "ClientException") &&
			strings.Contains(strings.ToLower(msg), "not found"):
			// ECS says "Container instance not found" and the like this way.
			return cloud.ErrNotFound
		}
	}
	return nil
}

func isThrottle(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}
