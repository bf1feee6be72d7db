package intake

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drainer-dev/drainer/awsid"
)

// Parse turns one SQS message body into a notice. It recognises the
// message by its shape: an SNS envelope ("Type", "TopicArn", "Message")
// is unwrapped first; an EventBridge envelope ("detail-type", "source",
// "detail") is dispatched on its source and detail-type; an Auto Scaling
// notification has "Event"; a lifecycle hook notification has
// "LifecycleTransition".
//
// Every error it returns is a *SkipError (errors.Is(err, ErrSkip)); the
// Notice is nil then. A recognised message that needs no action (a test
// notification) comes back inside the SkipError.
func Parse(body string) (Notice, error) {
	return parseMessage([]byte(body), Header{Via: ViaDirect}, true)
}

// parseMessage dispatches a message body on its shape. allowSNS is false
// inside an SNS envelope: envelopes do not nest.
func parseMessage(b []byte, h Header, allowSNS bool) (Notice, error) {
	fields, err := object(b, "message")
	if err != nil {
		return nil, err
	}
	switch {
	case has(fields, "Type") && (has(fields, "TopicArn") || has(fields, "Message")):
		if !allowSNS {
			return nil, skip(ReasonUnknownShape, "an SNS envelope inside an SNS envelope")
		}
		return parseSNS(b)
	case has(fields, "detail-type") || (has(fields, "source") && has(fields, "detail")):
		return parseEventBridge(b, h)
	case has(fields, "Event"):
		return parseAutoScalingEvent(b, h)
	case has(fields, "LifecycleTransition"):
		return parseLifecycle(b, h, "")
	}
	return nil, skip(ReasonUnknownShape, "fields %s", fieldNames(fields))
}

// object checks that b is a single JSON object and returns its members.
func object(b []byte, what string) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, skip(ReasonNotJSON, "empty %s", what)
	}
	if !json.Valid(b) {
		// Unmarshal again only for the error's text.
		var v any
		return nil, skipErr(ReasonNotJSON, what, json.Unmarshal(b, &v))
	}
	if b[0] != '{' {
		return nil, skip(ReasonNotObject, "%s is JSON %s", what, jsonType(b[0]))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, skipErr(ReasonNotJSON, what, err)
	}
	return m, nil
}

// decode unmarshals a JSON object already known to be valid into v; a
// failure is a member of the wrong type.
func decode(b []byte, what string, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return skipErr(ReasonInvalidField, what, err)
	}
	return nil
}

func has(m map[string]json.RawMessage, key string) bool {
	_, ok := m[key]
	return ok
}

func jsonType(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// fieldNames lists a few member names for a skip's detail.
func fieldNames(m map[string]json.RawMessage) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, clip(k))
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return "[" + strings.Join(names, " ") + "]"
}

// clip bounds a value quoted into a skip's detail: messages can be large
// and come from anyone who may write to the queue.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// quote is clip then %q, for values in a skip's detail.
func quote(s string) string { return strconv.Quote(clip(s)) }

// parseTime reads an AWS timestamp: ISO 8601 with or without a fraction
// ("2026-11-22T10:00:00.000Z", "2026-11-22T10:00:00Z").
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// checkInstanceID returns the skip for a missing or malformed instance id
// (awsid.CheckInstanceID): drainer passes the id to EC2, Auto Scaling and
// ECS filters, so anything else is refused here.
func checkInstanceID(id, field string) error {
	if id == "" {
		return skip(ReasonMissingInstanceID, "%s", field)
	}
	if err := awsid.CheckInstanceID(id); err != nil {
		return skipErr(ReasonInvalidField, field, err)
	}
	return nil
}

// required returns the skip for the first empty value of name/value pairs.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return skip(ReasonMissingField, "%s", pairs[i])
		}
	}
	return nil
}
