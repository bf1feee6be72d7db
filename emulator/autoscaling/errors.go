package autoscaling

import (
	"strconv"

	"github.com/drainer-dev/drainer/emulator/core"
)

// validation returns the ValidationError (400) Auto Scaling answers for bad
// parameters.
func validation(format string, args ...any) *core.Error {
	return core.ClientError("ValidationError", format, args...)
}

// nullMember is AWS's answer when a required member is missing.
func nullMember(member string) *core.Error {
	return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// page validates MaxRecords and NextToken and returns the slice bounds of
// one page of total items. Tokens are opaque to callers: an offset here.
func page(total int, maxRecords *int32, def, limit int32, token string) (start, end int, next string, err error) {
	n := def
	if maxRecords != nil {
		n = *maxRecords
		if n < 1 || n > limit {
			return 0, 0, "", validation("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and %d", n, limit)
		}
	}
	if token != "" {
		v, convErr := strconv.Atoi(token)
		if convErr != nil || v < 0 || v > total {
			return 0, 0, "", validation("The token '%s' is invalid.", token)
		}
		start = v
	}
	end = min(total, start+int(n))
	if end < total {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}
