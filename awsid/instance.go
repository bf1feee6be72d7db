// Package awsid checks and takes apart the AWS identifiers drainer reads:
// EC2 instance ids; the Amazon Resource Names (ARNs) of ECS clusters,
// container instances, tasks and services, of Auto Scaling groups, of SQS
// queues and of SNS topics; and SQS queue URLs.
//
// ARNs are split with the SDK's own parser (github.com/aws/aws-sdk-go-v2/aws/arn);
// this package knows only what the resource part of each kind looks like.
// The functions never panic: a malformed input gets an error, or, for the
// functions that shorten a name for display, is returned as given.
package awsid

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotInstanceID is wrapped by every error of CheckInstanceID.
var ErrNotInstanceID = errors.New("not an EC2 instance id")

// instanceIDShape is the rule, said once for every error.
const instanceIDShape = `an EC2 instance id is "i-" and 8 or 17 lowercase hex digits, such as i-0123456789abcdef0`

// IsInstanceID reports whether id is an EC2 instance id: "i-" followed by
// 8 or 17 lowercase hexadecimal digits. Instances created before 2016 have
// 8 digits (i-1a2b3c4d), all later ones 17 (i-1234567890abcdef0): see
// "Resource IDs" in the Amazon EC2 User Guide,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html.
func IsInstanceID(id string) bool { return CheckInstanceID(id) == nil }

// CheckInstanceID returns nil when id is an EC2 instance id (see
// IsInstanceID), else an error wrapping ErrNotInstanceID that says what is
// wrong with it and what an id looks like. drainer passes instance ids to
// EC2, Auto Scaling and ECS filters, so it refuses anything else at the door.
func CheckInstanceID(id string) error {
	hex, ok := strings.CutPrefix(id, "i-")
	switch {
	case id == "":
		return fmt.Errorf("an empty string is %w: %s", ErrNotInstanceID, instanceIDShape)
	case !ok:
		return fmt.Errorf("%s is %w: it does not start with \"i-\"; %s", quote(id), ErrNotInstanceID, instanceIDShape)
	}
	for _, c := range hex {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			return fmt.Errorf("%s is %w: its digits are upper case; %s", quote(id), ErrNotInstanceID, instanceIDShape)
		default:
			return fmt.Errorf("%s is %w: %s is not a hex digit; %s", quote(id), ErrNotInstanceID, strconv.QuoteRune(c), instanceIDShape)
		}
	}
	if n := len(hex); n != 8 && n != 17 {
		return fmt.Errorf("%s is %w: it has %d hex digits; %s", quote(id), ErrNotInstanceID, n, instanceIDShape)
	}
	return nil
}

// maxQuoted bounds what an error quotes of its input: a message from the
// queue may carry anything, of any length.
const maxQuoted = 64

// quote quotes s for an error, clipped to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "…"
	}
	return strconv.Quote(s)
}
