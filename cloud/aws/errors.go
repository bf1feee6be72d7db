package aws

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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

// notFoundCodes are the error codes that mean "no such thing" whatever
// their message, in the operations drainer calls.
var notFoundCodes = map[string]bool{
	// ECS: ListContainerInstances, DescribeContainerInstances, ListTasks,
	// DescribeServices, PutAttributes… on a cluster ECS does not know
	// ("Cluster not found."); UpdateService and the like on an unknown
	// service; PutAttributes/DeleteAttributes on a container instance that
	// is gone. The ECS API Reference lists them under each operation's
	// Errors (ClusterNotFoundException, ServiceNotFoundException,
	// TargetNotFoundException: "The specified target wasn't found").
	"ClusterNotFoundException": true,
	"ServiceNotFoundException": true,
	"TargetNotFoundException":  true,
	// EventBridge (ECS uses it too, for resources drainer does not name):
	// ListTargetsByRule on a deleted rule answers
	// "Rule NAME does not exist on EventBus default.", ListRules on an
	// unknown bus "Event bus NAME does not exist." (EventBridge API
	// Reference, Errors: ResourceNotFoundException).
	"ResourceNotFoundException": true,
	// EC2: "The instance ID 'i-…' does not exist" (DescribeInstances,
	// TerminateInstances) and "The networkInterface ID 'eni-…' does not
	// exist" (DescribeNetworkInterfaces, DeleteNetworkInterface); EC2 API
	// Reference, "Error codes for the Amazon EC2 API". The .Malformed codes
	// are a bad id, not a missing thing, and stay unmapped.
	"InvalidInstanceID.NotFound":         true,
	"InvalidNetworkInterfaceID.NotFound": true,
	// SQS: "The specified queue does not exist." The SDK reports the
	// awsQuery code of the X-Amzn-Query-Error header
	// (AWS.SimpleQueueService.NonExistentQueue) and falls back to the
	// shape name QueueDoesNotExist without it (SQS API Reference,
	// GetQueueUrl, Errors: QueueDoesNotExist).
	"AWS.SimpleQueueService.NonExistentQueue": true,
	"QueueDoesNotExist":                       true,
}

// notFoundMessages are the "does not exist" answers that come under a code
// AWS also uses for bad input (ValidationError, InvalidParameterException,
// ClientException, InvalidParameterValue): they are told apart by their
// whole message, so that a complaint about something else never reads as
// "gone". Each pattern is anchored at both ends.
var notFoundMessages = []struct {
	codes   []string
	message *regexp.Regexp
}{
	// Auto Scaling TerminateInstanceInAutoScalingGroup (and SetInstanceHealth)
	// for an instance that belongs to no group, or no longer exists:
	// "Instance Id not found - No managed instance found for instance ID:
	// i-…" (a real answer is quoted in yaybu/touchdown#51). drainer's
	// release falls back to EC2 TerminateInstances on it.
	{[]string{"ValidationError"}, regexp.MustCompile(`^Instance Id not found - No managed instance found for instance ID:? \S+$`)},
	// Auto Scaling SetInstanceProtection and DetachInstances for an instance
	// that is not (or no longer) in the group: "The instance i-… is not part
	// of Auto Scaling group NAME." (terraform-provider-aws#35071 ignores it
	// when an instance terminated under a protection change). Group names
	// may hold spaces.
	{[]string{"ValidationError"}, regexp.MustCompile(`^The instance \S+ is not part of Auto Scaling group .+\.$`)},
	// Auto Scaling, any operation naming a group that does not exist:
	// "AutoScalingGroup name not found - AutoScalingGroup NAME not found"
	// (the tail varies by operation: "AutoScalingGroup: NAME not found",
	// "no such group: NAME").
	{[]string{"ValidationError"}, regexp.MustCompile(`^AutoScalingGroup name not found - .+$`)},
	// ECS StopTask on a task ECS no longer keeps: "The referenced task was
	// not found." (InvalidParameterException today, ClientException in
	// older answers).
	{[]string{"InvalidParameterException", "ClientException"}, regexp.MustCompile(`^The referenced task was not found\.$`)},
	// ECS DeregisterContainerInstance on a container instance ECS does not
	// know: "Referenced container instance ID not found." (the wording
	// fog-aws's ECS mock records; ListTasks answers an unknown
	// containerInstance filter in the same words in the emulator, as no
	// public record of ECS's own wording for it was found).
	{[]string{"InvalidParameterException", "ClientException"}, regexp.MustCompile(`^Referenced container instance \S+ not found\.$`)},
	// ECS DescribeTaskDefinition on a revision that does not exist (or was
	// deleted): "Unable to describe task definition." (ClientException, as
	// the Terraform AWS provider and ecs-deploy report it).
	{[]string{"ClientException"}, regexp.MustCompile(`^Unable to describe task definition\.$`)},
	// SQS ChangeMessageVisibility on a message deleted (or whose receipt
	// handle went stale): "Value HANDLE for parameter ReceiptHandle is
	// invalid. Reason: Message does not exist or is not available for
	// visibility timeout change." A handle that is not one at all is
	// ReceiptHandleIsInvalid and stays unmapped.
	{[]string{"InvalidParameterValue"}, regexp.MustCompile(`^Value \S+ for parameter ReceiptHandle is invalid\. Reason: Message does not exist or is not available for visibility timeout change\.$`)},
}

// accessDeniedCodes are the codes of AWS refusing the caller, whatever the
// operation: a permission missing from the role's policy, or credentials
// AWS does not accept (cloud.ErrAccessDenied). The common ones are in every
// service's API Reference, "Common Errors"
// (https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html:
// AccessDeniedException, ExpiredTokenException, IncompleteSignature,
// InvalidClientTokenId, MissingAuthenticationToken, NotAuthorized,
// UnrecognizedClientException); the awsQuery services (Auto Scaling, SQS's
// query protocol) answer AccessDenied, ExpiredToken and
// SignatureDoesNotMatch; EC2 answers UnauthorizedOperation and
// AuthFailure ("Error codes for the Amazon EC2 API",
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
var accessDeniedCodes = map[string]bool{
	"AccessDenied":                true,
	"AccessDeniedException":       true,
	"NotAuthorized":               true,
	"UnauthorizedOperation":       true,
	"AuthFailure":                 true,
	"ExpiredToken":                true,
	"ExpiredTokenException":       true,
	"IncompleteSignature":         true,
	"InvalidClientTokenId":        true,
	"MissingAuthenticationToken":  true,
	"SignatureDoesNotMatch":       true,
	"UnrecognizedClientException": true,
}

// attributeLimitCode is ECS's answer to PutAttributes when a container
// instance would carry more than 10 custom attributes (Amazon ECS API
// Reference, PutAttributes, Errors: AttributeLimitExceededException, "You
// can apply up to 10 custom attributes for each resource."). ECS uses the
// code for nothing else, so it is mapped whatever its message.
const attributeLimitCode = "AttributeLimitExceededException"

// noActionMessage is Auto Scaling's answer to CompleteLifecycleAction and
// RecordLifecycleActionHeartbeat when the instance holds no action for the
// hook, by token or by instance id: "No active Lifecycle Action found with
// instance ID i-…" / "… with token TOKEN" (ValidationError).
var noActionMessage = regexp.MustCompile(`^No active Lifecycle Action found with (instance ID|token) \S+$`)

// sentinel returns the cloud sentinel err stands for, or nil.
func sentinel(err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return nil
	}
	code, msg := api.ErrorCode(), api.ErrorMessage()
	switch {
	case isThrottle(code):
		// Only reached once the retryer gave up.
		return cloud.ErrThrottled
	case notFoundCodes[code]:
		return cloud.ErrNotFound
	case code == "ValidationError" && noActionMessage.MatchString(msg):
		return cloud.ErrNoActiveLifecycleAction
	case code == attributeLimitCode:
		return cloud.ErrAttributeLimit
	case accessDeniedCodes[code]:
		return cloud.ErrAccessDenied
	}
	for _, m := range notFoundMessages {
		for _, c := range m.codes {
			if c == code && m.message.MatchString(msg) {
				return cloud.ErrNotFound
			}
		}
	}
	return nil
}

// Answered reports whether an attempt's error, as Options.OnCall sees it,
// is AWS answering a caller it accepts: nil, or an error of the call's own
// (not found, validation, throttling: HTTP 4xx). It is false for no answer
// at all (a network error, a timeout, an endpoint that is not AWS's), for a
// server error (HTTP 5xx, or an error AWS marks as its own fault) and for
// a refusal of the caller (cloud.ErrAccessDenied): the ways AWS is out of
// drainer's reach, which health checks count.
func Answered(err error) bool {
	if err == nil {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorFault() == smithy.FaultServer || sentinel(err) == cloud.ErrAccessDenied {
		return false
	}
	var resp *smithyhttp.ResponseError
	return !errors.As(err, &resp) || resp.HTTPStatusCode() < 500
}

func isThrottle(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}
