package sqs

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// settable lists the attributes CreateQueue and SetQueueAttributes accept
// (standard queues). The opaque ones are stored and echoed, nothing more.
var settable = map[string]bool{
	"DelaySeconds": true, "MaximumMessageSize": true, "MessageRetentionPeriod": true,
	"ReceiveMessageWaitTimeSeconds": true, "VisibilityTimeout": true, "RedrivePolicy": true,
	"Policy": true, "KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true,
	"SqsManagedSseEnabled": true, "RedriveAllowPolicy": true,
}

// readable lists what GetQueueAttributes "All" returns, in a fixed order.
var readable = []string{
	"QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
	"VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
	"ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "Policy", "KmsMasterKeyId",
	"KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "RedriveAllowPolicy",
}

// attrChange is one validated attribute assignment.
type attrChange struct {
	name, value string
	n           int
	redrive     *redrivePolicy
}

// validateAttrs checks every attribute before any is applied, so that a
// bad request changes nothing. Keys are visited sorted, so the first error
// reported does not depend on map order.
func (s *Service) validateAttrs(attrs map[string]string) ([]attrChange, *core.Error) {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]attrChange, 0, len(names))
	for _, name := range names {
		v := attrs[name]
		if !settable[name] {
			if name == "FifoQueue" || name == "ContentBasedDeduplication" || name == "DeduplicationScope" || name == "FifoThroughputLimit" {
				if name == "FifoQueue" && v == "false" {
					continue
				}
				return nil, core.ClientError(codeInvalidAttributeName, "Unknown Attribute %s. (FIFO queues are not supported by this emulator.)", name)
			}
			return nil, core.ClientError(codeInvalidAttributeName, "Unknown Attribute %s.", name)
		}
		c := attrChange{name: name, value: v}
		var lo, hi int
		switch name {
		case "DelaySeconds":
			lo, hi = 0, maxDelay
		case "MaximumMessageSize":
			lo, hi = minMaxSize, defaultMaxSize
		case "MessageRetentionPeriod":
			lo, hi = minRetention, maxRetention
		case "ReceiveMessageWaitTimeSeconds":
			lo, hi = 0, maxWait
		case "VisibilityTimeout":
			lo, hi = 0, maxVisibility
		case "KmsDataKeyReusePeriodSeconds":
			lo, hi = 60, 86400
		case "SqsManagedSseEnabled":
			if v != "true" && v != "false" {
				return nil, invalidValue(name)
			}
		case "Policy":
			// SQS checks the document when it is set; an empty value
			// removes the policy.
			if v != "" {
				if _, err := parsePolicy(v); err != nil {
					return nil, invalidValue(name)
				}
			}
		case "RedrivePolicy":
			if v != "" {
				rp, err := s.parseRedrive(v)
				if err != nil {
					return nil, err
				}
				c.redrive = rp
				c.value = formatRedrive(rp)
			}
		}
		if hi > 0 {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				return nil, invalidValue(name)
			}
			c.n, c.value = n, strconv.Itoa(n)
		}
		out = append(out, c)
	}
	return out, nil
}

func invalidValue(name string) *core.Error {
	return core.ClientError(codeInvalidAttributeValue, "Invalid value for the parameter %s.", name)
}

// parseRedrive accepts maxReceiveCount as a number or a string, as SQS does.
func (s *Service) parseRedrive(v string) (*redrivePolicy, *core.Error) {
	var raw struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, core.ClientError(codeInvalidAttributeValue, "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.")
	}
	if raw.Target == "" || len(raw.Max) == 0 {
		return nil, core.ClientError(codeInvalidAttributeValue, "Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: %s.", v, map[bool]string{true: "deadLetterTargetArn", false: "maxReceiveCount"}[raw.Target == ""])
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.Max), `"`))
	if err != nil || n < 1 || n > 1000 {
		return nil, core.ClientError(codeInvalidAttributeValue, "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", v, strings.Trim(string(raw.Max), `"`))
	}
	if s.byARN(raw.Target) == nil {
		return nil, core.ClientError(codeInvalidAttributeValue, "Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
	}
	return &redrivePolicy{targetARN: raw.Target, maxReceive: n}, nil
}

func formatRedrive(rp *redrivePolicy) string {
	return `{"deadLetterTargetArn":"` + rp.targetARN + `","maxReceiveCount":` + strconv.Itoa(rp.maxReceive) + `}`
}

// apply sets validated attributes.
func (q *queue) apply(changes []attrChange, now time.Time) {
	for _, c := range changes {
		switch c.name {
		case "DelaySeconds":
			q.delay = c.n
		case "MaximumMessageSize":
			q.maxSize = c.n
		case "MessageRetentionPeriod":
			q.retention = c.n
		case "ReceiveMessageWaitTimeSeconds":
			q.wait = c.n
		case "VisibilityTimeout":
			q.visibility = c.n
		case "RedrivePolicy":
			q.redrive = c.redrive
		default:
			if c.value == "" {
				delete(q.opaque, c.name)
			} else {
				q.opaque[c.name] = c.value
			}
		}
	}
	q.modified = now
}

// attr returns the current value of a readable attribute ("" and false when
// it is unset, like a queue without a RedrivePolicy).
func (q *queue) attr(name string, now time.Time) (string, bool) {
	itoa := strconv.Itoa
	switch name {
	case "QueueArn":
		return q.arn, true
	case "ApproximateNumberOfMessages":
		v, _, _ := q.counts(now)
		return itoa(v), true
	case "ApproximateNumberOfMessagesNotVisible":
		_, f, _ := q.counts(now)
		return itoa(f), true
	case "ApproximateNumberOfMessagesDelayed":
		_, _, d := q.counts(now)
		return itoa(d), true
	case "CreatedTimestamp":
		return strconv.FormatInt(q.created.Unix(), 10), true
	case "LastModifiedTimestamp":
		return strconv.FormatInt(q.modified.Unix(), 10), true
	case "VisibilityTimeout":
		return itoa(q.visibility), true
	case "MaximumMessageSize":
		return itoa(q.maxSize), true
	case "MessageRetentionPeriod":
		return itoa(q.retention), true
	case "DelaySeconds":
		return itoa(q.delay), true
	case "ReceiveMessageWaitTimeSeconds":
		return itoa(q.wait), true
	case "RedrivePolicy":
		if q.redrive == nil {
			return "", false
		}
		return formatRedrive(q.redrive), true
	}
	v, ok := q.opaque[name]
	return v, ok
}

func isReadable(name string) bool {
	for _, r := range readable {
		if r == name {
			return true
		}
	}
	return false
}
