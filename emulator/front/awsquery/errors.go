package awsquery

import (
	"errors"
	"net/http"

	"github.com/drainer-dev/drainer/emulator/core"
)

// apiError turns anything a handler returned into the *core.Error to answer:
// service errors as they are, parameters that do not parse as the service's
// validation error, anything else as its internal error.
func (s *service) apiError(err error) *core.Error {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce
	}
	var de *decodeError
	if errors.As(err, &de) {
		return core.ClientError(s.invalidParam, "%s", de.Error())
	}
	return core.ServerError(s.internal, "%v", err)
}

// Error codes the front answers itself, before any service sees the call.
func errMissingAction() *core.Error {
	return core.ClientError("MissingAction", "The request must contain the parameter Action.")
}

func errInvalidAction(action, version string) *core.Error {
	return core.ClientError("InvalidAction", "Could not find operation %s for version %s.", action, version)
}

func errPanic(p any) *core.Error {
	return core.Errorf(http.StatusInternalServerError, "InternalFailure", "internal panic: %v", p)
}

// sqsQueryCodes are the codes SQS answers over the query protocol where
// they differ from its JSON protocol's (the awsQueryError traits of the
// SQS model).
var sqsQueryCodes = map[string]string{
	"QueueDoesNotExist":            "AWS.SimpleQueueService.NonExistentQueue",
	"QueueNameExists":              "QueueAlreadyExists",
	"QueueDeletedRecently":         "AWS.SimpleQueueService.QueueDeletedRecently",
	"PurgeQueueInProgress":         "AWS.SimpleQueueService.PurgeQueueInProgress",
	"MessageNotInflight":           "AWS.SimpleQueueService.MessageNotInflight",
	"EmptyBatchRequest":            "AWS.SimpleQueueService.EmptyBatchRequest",
	"TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
	"BatchEntryIdsNotDistinct":     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
	"InvalidBatchEntryId":          "AWS.SimpleQueueService.InvalidBatchEntryId",
	"BatchRequestTooLong":          "AWS.SimpleQueueService.BatchRequestTooLong",
	"UnsupportedOperation":         "AWS.SimpleQueueService.UnsupportedOperation",
}

// sqsQueryCode maps an SQS error code to its query-protocol spelling.
func sqsQueryCode(code string) string {
	if q, ok := sqsQueryCodes[code]; ok {
		return q
	}
	return code
}
