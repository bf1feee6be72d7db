package aws_test

import (
	"errors"

	"github.com/aws/smithy-go"
)

// apiCode is the AWS error code in err, "" for none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "error"
	}
	return ""
}
