package aws

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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

		// Auto Scaling: lifecycle actions that are gone.
		{"no lifecycle action by id", api("ValidationError", "No active Lifecycle Action found with instance ID i-0abc"), cloud.ErrNoActiveLifecycleAction},
		{"no lifecycle action by token", api("ValidationError", "No active Lifecycle Action found with token 1f2e3d4c-aaaa-bbbb-cccc-123456789012"), cloud.ErrNoActiveLifecycleAction},
		{"lifecycle action text under another code", api("InvalidParameterException", "No active Lifecycle Action found with instance ID i-0abc"), nil},
		// Auto Scaling: instances and groups that do not exist.
		{"instance in no group", api("ValidationError", "Instance Id not found - No managed instance found for instance ID: i-0123456789abcdef0"), cloud.ErrNotFound},
		{"instance in no group, no colon", api("ValidationError", "Instance Id not found - No managed instance found for instance ID i-0bba"), cloud.ErrNotFound},
		{"instance not part of the group", api("ValidationError", "The instance i-0123456789abcdef0 is not part of Auto Scaling group demo-asg."), cloud.ErrNotFound},
		{"instance not part of a group with a space", api("ValidationError", "The instance i-0abc is not part of Auto Scaling group web tier."), cloud.ErrNotFound},
		{"group not found", api("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup web not found"), cloud.ErrNotFound},
		{"group not found, other tail", api("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup: web not found"), cloud.ErrNotFound},
		// Auto Scaling ValidationErrors about something else.
		{"validation: not in service", api("ValidationError", "The instance i-0abc is not in InService or EnteringStandby or Standby."), nil},
		{"validation: min size", api("ValidationError", "Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint."), nil},
		{"validation: null member", api("ValidationError", "1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null"), nil},
		{"validation: no hook", api("ValidationError", "No Lifecycle Hook found with name drain for Auto Scaling group web"), nil},
		{"validation: instance id text in the middle", api("ValidationError", "Value 'Instance Id not found - No managed instance found for instance ID: i-1' at 'instanceId' failed"), nil},
		{"validation: group named in another complaint", api("ValidationError", "Group web not found"), nil},

		// ECS.
		{"cluster", api("ClusterNotFoundException", "Cluster not found."), cloud.ErrNotFound},
		{"service", api("ServiceNotFoundException", "Service not found."), cloud.ErrNotFound},
		{"attribute target", api("TargetNotFoundException", "Could not find target 1234."), cloud.ErrNotFound},
		{"task", api("InvalidParameterException", "The referenced task was not found."), cloud.ErrNotFound},
		{"task, older code", api("ClientException", "The referenced task was not found."), cloud.ErrNotFound},
		{"container instance", api("ClientException", "Referenced container instance 5e1b2c3d not found."), cloud.ErrNotFound},
		{"container instance, parameter code", api("InvalidParameterException", "Referenced container instance arn:aws:ecs:us-east-1:123456789012:container-instance/demo/5e1b not found."), cloud.ErrNotFound},
		{"task definition", api("ClientException", "Unable to describe task definition."), cloud.ErrNotFound},
		{"ecs: other parameter", api("InvalidParameterException", "Invalid status"), nil},
		{"ecs: task definition to run not found", api("InvalidParameterException", "TaskDefinition not found."), nil},
		{"ecs: running tasks", api("InvalidParameterException", "Found running tasks on the instance."), nil},
		{"ecs: not found inside another sentence", api("InvalidParameterException", "The referenced task was not found. Also the cluster is busy."), nil},
		{"ecs: blank", api("ClientException", "Container instance can not be blank."), nil},
		{"attribute limit", api("AttributeLimitExceededException", "You can apply up to 10 custom attributes for each resource."), cloud.ErrAttributeLimit},
		{"attribute limit, other wording", api("AttributeLimitExceededException", "Attribute limit exceeded."), cloud.ErrAttributeLimit},

		// EC2.
		{"ec2 instance", api("InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist"), cloud.ErrNotFound},
		{"ec2 instances", api("InvalidInstanceID.NotFound", "The instance IDs 'i-1, i-2' do not exist"), cloud.ErrNotFound},
		{"eni", api("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-1' does not exist"), cloud.ErrNotFound},
		{"ec2 malformed instance id", api("InvalidInstanceID.Malformed", `Invalid id: "i-xyz"`), nil},
		{"ec2 malformed eni id", api("InvalidNetworkInterfaceID.Malformed", `Invalid id: "x"`), nil},

		// SQS.
		{"queue json", api("QueueDoesNotExist", "The specified queue does not exist."), cloud.ErrNotFound},
		{"queue query", api("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."), cloud.ErrNotFound},
		{"message gone", api("InvalidParameterValue", "Value AQEBx+y/z= for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."), cloud.ErrNotFound},
		{"sqs: bad visibility", api("InvalidParameterValue", "Value 99999 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."), nil},
		{"sqs: not a handle", api("ReceiptHandleIsInvalid", `The input receipt handle "x" is not a valid receipt handle.`), nil},
		{"sqs: not in flight", api("AWS.SimpleQueueService.MessageNotInflight", "Message not inflight."), nil},

		// EventBridge.
		{"rule", api("ResourceNotFoundException", "Rule drainer-events does not exist on EventBus default."), cloud.ErrNotFound},
		{"bus", api("ResourceNotFoundException", "Event bus other does not exist."), cloud.ErrNotFound},
		{"eventbridge validation", api("ValidationException", "Parameter(s) Source, DetailType, Detail must be specified in at least one entry."), nil},

		// Refusals of the caller, any service.
		{"ecs access denied", api("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/drainer/x is not authorized to perform: ecs:ListClusters"), cloud.ErrAccessDenied},
		{"sqs query access denied", api("AccessDenied", "Access to the resource https://sqs.us-east-1.amazonaws.com/123456789012/drainer is denied."), cloud.ErrAccessDenied},
		{"ec2 unauthorized", api("UnauthorizedOperation", "You are not authorized to perform this operation."), cloud.ErrAccessDenied},
		{"unknown access key", api("InvalidClientTokenId", "The security token included in the request is invalid."), cloud.ErrAccessDenied},
		{"json unknown access key", api("UnrecognizedClientException", "The security token included in the request is invalid."), cloud.ErrAccessDenied},
		{"expired session", api("ExpiredToken", "The security token included in the request is expired"), cloud.ErrAccessDenied},
		{"wrong secret", api("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."), cloud.ErrAccessDenied},

		{"server error", api("ServerException", "boom"), nil},
		{"not an API error", errors.New("dial tcp: refused"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap(tt.err, "doing %s", "something")
			for _, s := range []error{cloud.ErrThrottled, cloud.ErrNotFound, cloud.ErrNoActiveLifecycleAction, cloud.ErrAttributeLimit, cloud.ErrAccessDenied} {
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

func TestAnswered(t *testing.T) {
	api := func(code string, fault smithy.ErrorFault) error {
		return &smithy.OperationError{ServiceID: "X", OperationName: "Op", Err: &smithy.GenericAPIError{Code: code, Fault: fault}}
	}
	withStatus := func(status int, err error) error {
		return &smithy.OperationError{ServiceID: "X", OperationName: "Op", Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.Unwrap(err)}}
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"success", nil, true},
		{"not found", api("QueueDoesNotExist", smithy.FaultClient), true},
		{"validation", withStatus(400, api("ValidationError", smithy.FaultUnknown)), true},
		{"throttled", withStatus(400, api("ThrottlingException", smithy.FaultClient)), true},
		{"access denied", withStatus(403, api("AccessDeniedException", smithy.FaultClient)), false},
		{"expired credentials", api("ExpiredToken", smithy.FaultUnknown), false},
		{"server fault", api("InternalFailure", smithy.FaultServer), false},
		{"service unavailable", withStatus(503, api("ServiceUnavailable", smithy.FaultUnknown)), false},
		{"no answer", &smithy.OperationError{ServiceID: "X", OperationName: "Op", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}, false},
	} {
		if got := Answered(c.err); got != c.want {
			t.Errorf("%s: Answered(%v) = %t, want %t", c.name, c.err, got, c.want)
		}
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
