package intake

import (
	"errors"
	"fmt"
)

// ErrSkip matches every *SkipError: errors.Is(err, ErrSkip) means "nothing
// to act on: delete the message and move on", as opposed to an error worth
// a retry.
var ErrSkip = errors.New("skip message")

// Skip reasons. They are few and stable, so that they fit a metric label;
// SkipError.Detail carries the specifics.
const (
	// Malformed or unknown messages: worth a look (a dead-letter queue
	// may keep them).
	ReasonNotJSON           = "not JSON"
	ReasonNotObject         = "not a JSON object"
	ReasonUnknownShape      = "unknown message shape"
	ReasonSNSType           = "unsupported SNS message type"
	ReasonUnknownEvent      = "unknown Auto Scaling event"
	ReasonUnknownSource     = "unknown event source"
	ReasonUnknownDetailType = "unknown detail-type"
	ReasonUnknownTransition = "unknown lifecycle transition"
	ReasonMissingInstanceID = "missing instance id"
	ReasonMissingField      = "missing field"
	ReasonInvalidField      = "invalid field"

	// Recognised messages that need no action: always deleted.
	ReasonTestNotification     = "test notification"
	ReasonInstanceNotification = "instance notification"
)

// SkipError says why a message is skipped.
type SkipError struct {
	// Reason is one of the Reason constants.
	Reason string
	// Detail says what exactly: the unknown value, the missing field.
	Detail string
	// Notice is set when the message was recognised but needs no action
	// (a TestNotification, an InstanceNotification); nil when it is
	// unknown or malformed.
	Notice Notice
	// Err is the underlying cause, if any (a JSON error).
	Err error
}

// Error implements error.
func (e *SkipError) Error() string {
	msg := "skip message: " + e.Reason
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrSkip) true.
func (e *SkipError) Is(target error) bool { return target == ErrSkip }

// Unwrap returns the underlying cause.
func (e *SkipError) Unwrap() error { return e.Err }

// Recognised reports whether the message was understood and simply needs
// no action, so it is deleted even when malformed messages are kept for a
// dead-letter queue.
func (e *SkipError) Recognised() bool { return e.Notice != nil }

func skip(reason, format string, args ...any) *SkipError {
	return &SkipError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func skipErr(reason, detail string, err error) *SkipError {
	return &SkipError{Reason: reason, Detail: detail, Err: err}
}

func skipNotice(reason string, n Notice) *SkipError {
	return &SkipError{Reason: reason, Notice: n}
}
