package sqs

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drainer-dev/drainer/emulator/core"
)

const allowedChars = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"

// validText reports the first character SQS refuses in a body or string
// attribute (XML 1.0 characters only), or -1.
func validText(s string) rune {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r
			}
		}
		ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok {
			return r
		}
	}
	return -1
}

// checkBody validates a message body against the queue's size limit.
func checkBody(body string, maxSize int) *core.Error {
	if body == "" {
		return errMissing("MessageBody")
	}
	if r := validText(body); r >= 0 {
		return core.ClientError(codeInvalidMessageContents, "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is %s", r, allowedChars)
	}
	if len(body) > maxSize {
		return errParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", maxSize)
	}
	return nil
}

// checkAttributes validates user message attributes and returns their size
// in bytes (names, types and values count toward the message size).
func checkAttributes(attrs map[string]MessageAttributeValue) (int, *core.Error) {
	if len(attrs) > 10 {
		return 0, errParam("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	size := 0
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		if err := checkAttrName(name); err != nil {
			return 0, err
		}
		if a.DataType == "" {
			return 0, errParam("The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		if len(a.DataType) > 256 {
			return 0, errParam("Message attribute type '%s' for attribute '%s' exceeds the maximum length of 256 characters.", a.DataType, name)
		}
		if len(a.StringListValues) > 0 || len(a.BinaryListValues) > 0 {
			return 0, errParam("Message attribute list values in SendMessage operation are not supported.")
		}
		switch baseType(a.DataType) {
		case "String", "Number":
			if a.StringValue == nil || *a.StringValue == "" {
				return 0, errParam("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, baseType(a.DataType))
			}
			if a.BinaryValue != nil {
				return 0, errParam("The message attribute '%s' with type '%s' must use field 'String'.", name, baseType(a.DataType))
			}
			if r := validText(*a.StringValue); r >= 0 {
				return 0, core.ClientError(codeInvalidMessageContents, "Invalid binary character '#x%X' was found in the message attribute '%s', the set of allowed characters is %s", r, name, allowedChars)
			}
			if baseType(a.DataType) == "Number" {
				f, err := strconv.ParseFloat(strings.TrimSpace(*a.StringValue), 64)
				if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
					return 0, errParam("Can't cast the value of message (user) attribute '%s' to a number.", name)
				}
			}
			size += len(*a.StringValue)
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, errParam("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			if a.StringValue != nil {
				return 0, errParam("The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
			}
			size += len(a.BinaryValue)
		default:
			return 0, errParam("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		size += len(name) + len(a.DataType)
	}
	return size, nil
}

// checkAttrName applies SQS's message attribute naming rules.
func checkAttrName(name string) *core.Error {
	lower := strings.ToLower(name)
	bad := name == "" || len(name) > 256 || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
		strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..")
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			bad = true
		}
	}
	if bad {
		return errParam("Message (user) attribute name '%s' is invalid.", name)
	}
	return nil
}

// checkSystemAttributes accepts AWSTraceHeader, the only system attribute a
// sender may set.
func checkSystemAttributes(attrs map[string]MessageSystemAttributeValue) *core.Error {
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		if name != "AWSTraceHeader" {
			return errParam("Message system attribute name '%s' is invalid.", name)
		}
		if a.DataType != "String" || a.StringValue == nil || *a.StringValue == "" {
			return errParam("Message system attribute '%s' must be of type String with a non-empty value.", name)
		}
	}
	return nil
}

// validBatchID applies the batch entry id rules.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for _, r := range id {
		if !(r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// checkBatchIDs applies the request-level batch rules shared by the batch
// operations.
func checkBatchIDs(kind string, ids []string) *core.Error {
	if len(ids) == 0 {
		return core.ClientError(codeEmptyBatchRequest, "There should be at least one %s in the request.", kind)
	}
	if len(ids) > maxBatchEntries {
		return core.ClientError(codeTooManyEntries, "Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validBatchID(id) {
			return core.ClientError(codeInvalidBatchEntryId, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return core.ClientError(codeBatchIdsNotDistinct, "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
