package aws

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/drainer-dev/drainer/cloud"
)

func TestWrapMapsSentinels(t *testing.T) {
	api := func(code, msg string) error {
		// What the SDK returns: the API error inside an operation error.
		return &smithy.OperationError{ServiceID: "X", OperationName: "Op", Err: &smithy.GenericAPIError{Code: code, Message: msg}}
	}
	tests := []struct {
		name string
		err  error
		want error // nil: no sentinel
	}{
		{"ecs throttle after retries", &retry.MaxAttemptsError{Attempt: 5, Err: api("ThrottlingException", "Rate exceeded")}, cloud.ErrThrottled},
		{"autoscaling throttle", api("Throttling", "Rate exceeded"), cloud.ErrThrottled},
		{"ec2 throttle", api("RequestLimitExceeded", "Request limit exceeded."), cloud.ErrThrottled},
		{"sqs throttle", api("RequestThrottled", ""), cloud.ErrThrottled},
		{"retry quota on a throttle", errors.Join(api("ThrottlingException", ""), errors.New("failed to get rate limit token")), cloud.ErrThrottled},
		{"no lifecycle action", api("ValidationError", "No active Lifecycle Action found with instance ID i-0abc"), cloud.ErrNoActiveLifecycleAction},
		{"other validation error", api("ValidationError", "Group web not found"), nil},
		{"cluster", api("ClusterNotFoundException", "Cluster not found."), cloud.ErrNotFound},
		{"ec2 instance", api("InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist"), cloud.ErrNotFound},
		{"eni", api("InvalidNetworkInterfaceID.NotFound", ""), cloud.ErrNotFound},
		{"queue json", api("QueueDoesNotExist", ""), cloud.ErrNotFound},
		{"queue query", api("AWS.SimpleQueueService.NonExistentQueue", ""), cloud.ErrNotFound},
		{"ecs container instance", api("InvalidParameterException", "Container instance not found."), cloud.ErrNotFound},
		{"ecs other parameter", api("InvalidParameterException", "Invalid status"), nil},
		{"server error", api("ServerException", "boom"), nil},
		{"not an API error", errors.New("dial tcp: refused"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap(tt.err, "doing %s", "something")
			for _, s := range []error{cloud.ErrThrottled, cloud.ErrNotFound, cloud.ErrNoActiveLifecycleAction} {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %t", err, s, got)
				}
			}
			var apiErr smithy.APIError
			if errors.As(tt.err, &apiErr) && !errors.As(err, &apiErr) {
				t.Errorf("AWS error no longer reachable through %v", err)
			}
			if want := "doing something: "; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
	if wrap(nil, "x") != nil {
		t.Fatal("wrap(nil) is not nil")
	}
}

func TestWrapTwiceKeepsOneSentinel(t *testing.T) {
	inner := wrap(&smithy.GenericAPIError{Code: "ClusterNotFoundException"}, "list container instances of demo")
	outer := fmt.Errorf("find container instance of i-1: %w", wrap(inner, "outer"))
	if !errors.Is(outer, cloud.ErrNotFound) {
		t.Fatal("sentinel lost")
	}
	if n := countMapped(outer); n != 1 {
		t.Fatalf("%d mapped errors in the chain, want 1", n)
	}
}

func countMapped(err error) int {
	n := 0
	if _, ok := err.(*mappedError); ok {
		n++
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			n += countMapped(e)
		}
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			n += countMapped(e)
		}
	}
	return n
}
