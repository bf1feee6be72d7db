package scenario

import (
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/fault"
)

func faultRule(service, op string, rate float64, burst int) fault.Rule {
	return fault.Rule{Service: service, Operation: op, Rate: rate, Burst: burst}
}

func codeOf(err error) string { return core.CodeOf(err) }
