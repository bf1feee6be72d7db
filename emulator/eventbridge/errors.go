package eventbridge

import (
	"github.com/drainer-dev/drainer/emulator/core"
)

// The awsJson1_1 error codes EventBridge answers with.
const (
	codeValidation      = "ValidationException"
	codeNotFound        = "ResourceNotFoundException"
	codeInvalidPattern  = "InvalidEventPatternException"
	codeLimitExceeded   = "LimitExceededException"
	defaultBus          = "default"
	maxTargetsPerRule   = 5
	maxRulesPerBus      = 300
	maxPutEventsEntries = 10
)

func errValidation(format string, args ...any) *core.Error {
	return core.ClientError(codeValidation, format, args...)
}

func errNoRule(name string) *core.Error {
	return core.ClientError(codeNotFound, "Rule %s does not exist on EventBus %s.", name, defaultBus)
}

func errNoBus(name string) *core.Error {
	return core.ClientError(codeNotFound, "Event bus %s does not exist.", name)
}

func errPattern(format string, args ...any) *core.Error {
	return core.ClientError(codeInvalidPattern, "Event pattern is not valid. Reason: "+format, args...)
}
