package sns

import (
	"net/http"

	"github.com/drainer-dev/drainer/emulator/core"
)

// The awsQuery error codes SNS answers with (the codes the SDK's
// deserializers switch on: InvalidParameterException is
// "InvalidParameter", InvalidParameterValueException
// "ParameterValueInvalid", NotFoundException "NotFound").
const (
	codeInvalidParameter      = "InvalidParameter"
	codeInvalidParameterValue = "ParameterValueInvalid"
	codeNotFound              = "NotFound"
)

// errParam is InvalidParameter with SNS's "Invalid parameter: …" wording.
func errParam(what string) *core.Error {
	return core.ClientError(codeInvalidParameter, "Invalid parameter: %s", what)
}

// errUnsupported refuses what SNS offers and this emulator does not.
func errUnsupported(what string) *core.Error {
	return core.ClientError(codeInvalidParameter, "Invalid parameter: %s (not supported by this emulator)", what)
}

func errNoTopic() *core.Error {
	return core.Errorf(http.StatusNotFound, codeNotFound, "Topic does not exist")
}

func errNoSubscription() *core.Error {
	return core.Errorf(http.StatusNotFound, codeNotFound, "Subscription does not exist")
}

func errAttrValue(format string, args ...any) *core.Error {
	return core.ClientError(codeInvalidParameterValue, format, args...)
}

func errResourceNotFound() *core.Error {
	return core.Errorf(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
}

// errCode is the AWS error code of err ("" for none).
func errCode(err error) string { return core.CodeOf(err) }
