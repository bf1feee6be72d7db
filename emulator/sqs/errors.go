package sqs

import (
	"errors"

	"github.com/drainer-dev/drainer/emulator/core"
)

// The awsJson1_0 error codes SQS answers with (the shape names the SDK's
// types/errors.go switches on; InvalidParameterValue and MissingParameter
// are common errors).
const (
	codeQueueDoesNotExist      = "QueueDoesNotExist"
	codeQueueNameExists        = "QueueNameExists"
	codeQueueDeletedRecently   = "QueueDeletedRecently"
	codeInvalidAttributeName   = "InvalidAttributeName"
	codeInvalidAttributeValue  = "InvalidAttributeValue"
	codeInvalidParameterValue  = "InvalidParameterValue"
	codeMissingParameter       = "MissingParameter"
	codeInvalidMessageContents = "InvalidMessageContents"
	codeReceiptHandleIsInvalid = "ReceiptHandleIsInvalid"
	codeMessageNotInflight     = "MessageNotInflight"
	codePurgeQueueInProgress   = "PurgeQueueInProgress"
	codeEmptyBatchRequest      = "EmptyBatchRequest"
	codeTooManyEntries         = "TooManyEntriesInBatchRequest"
	codeBatchIdsNotDistinct    = "BatchEntryIdsNotDistinct"
	codeInvalidBatchEntryId    = "InvalidBatchEntryId"
	codeBatchRequestTooLong    = "BatchRequestTooLong"
)

func errNoQueue() *core.Error {
	return core.ClientError(codeQueueDoesNotExist, "The specified queue does not exist.")
}

func errMissing(param string) *core.Error {
	return core.ClientError(codeMissingParameter, "The request must contain the parameter %s.", param)
}

func errParam(format string, args ...any) *core.Error {
	return core.ClientError(codeInvalidParameterValue, format, args...)
}

func errBadHandle(h string) *core.Error {
	return core.ClientError(codeReceiptHandleIsInvalid, "The input receipt handle %q is not a valid receipt handle.", h)
}

// asError turns any error into a *core.Error (service code only ever
// returns *core.Error; anything else is our bug and reported as such).
func asError(err error) *core.Error {
	var e *core.Error
	if errors.As(err, &e) {
		return e
	}
	return core.ServerError("InternalError", "%v", err)
}
