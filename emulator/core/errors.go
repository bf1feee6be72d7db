package core

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error: the code a client switches on, a message, the
// HTTP status the wire front answers with, and whether the caller is at
// fault (Sender) or the service (Receiver).
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Sender reports whether the error is the caller's fault (4xx).
func (e *Error) Sender() bool { return e.Status < 500 }

// Errorf returns an *Error with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// ClientError returns a 400 error with the given code.
func ClientError(code, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, code, format, args...)
}

// ServerError returns a 500 error with the given code.
func ServerError(code, format string, args ...any) *Error {
	return Errorf(http.StatusInternalServerError, code, format, args...)
}

// CodeOf returns the AWS error code of err, or "" when err is not an *Error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
