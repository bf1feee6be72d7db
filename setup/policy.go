package setup

import (
	"encoding/json"
	"slices"
	"strings"
)

// The access policy of drainer's queue. EventBridge delivers to an SQS
// target only when the queue's policy allows the service principal
// events.amazonaws.com sqs:SendMessage; the condition aws:SourceArn
// limits that to setup's rules, so that no other rule of the account (or
// of another) can fill the queue. A hook of drainer's that notifies the
// queue directly sends with its IAM role, which the policy allows too.
//
// Sources: "Using resource-based policies for Amazon EventBridge", Amazon
// SQS permissions, Amazon EventBridge User Guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/resource-based-policies-eventbridge.html);
// "Configure a notification target for lifecycle notifications", Amazon
// EC2 Auto Scaling User Guide
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html).

// Statement ids of setup's statements: every statement whose Sid starts
// with policySidPrefix is setup's; the others are kept as they are.
const (
	policySidPrefix      = "drainer-"
	policySidEvents      = "drainer-eventbridge"
	policySidAutoScaling = "drainer-lifecycle-hooks"
)

// policyStatements are setup's statements for a queue: EventBridge may
// send from the rules ruleARNs, and each role of roles (the roles of
// drainer's hooks that notify the queue directly) may send. Each is a
// JSON object as json.Unmarshal gives it, so that they compare with what
// SQS returns.
func policyStatements(queueARN string, ruleARNs, roles []string) []any {
	stmts := []any{map[string]any{
		"Sid":       policySidEvents,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "events.amazonaws.com"},
		"Action":    "sqs:SendMessage",
		"Resource":  queueARN,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": strs(slices.Sorted(slices.Values(ruleARNs)))}},
	}}
	if len(roles) > 0 {
		stmts = append(stmts, map[string]any{
			"Sid":       policySidAutoScaling,
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": strs(slices.Compact(slices.Sorted(slices.Values(roles))))},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
		})
	}
	return stmts
}

// strs is ss as json.Unmarshal gives a list of strings.
func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// queuePolicy is the Policy attribute the queue should have, given its
// current one (current, "" for none) and setup's statements: the
// statements of current that are not setup's, in their order, then
// setup's. changed reports whether setup's statements in current differ
// from ours (a current policy that is not a JSON object is replaced
// whole).
func queuePolicy(current string, ours []any) (policy string, changed bool) {
	var others, theirs []any
	doc := map[string]any{}
	if strings.TrimSpace(current) != "" {
		if err := json.Unmarshal([]byte(current), &doc); err != nil {
			doc = map[string]any{}
		}
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	for _, s := range stmts {
		if m, ok := s.(map[string]any); ok {
			if sid, _ := m["Sid"].(string); strings.HasPrefix(sid, policySidPrefix) {
				theirs = append(theirs, s)
				continue
			}
		}
		others = append(others, s)
	}
	if _, ok := doc["Version"]; !ok {
		doc["Version"] = "2012-10-17"
	}
	doc["Statement"] = append(others, ours...)
	b, _ := json.Marshal(doc) // decoded JSON and maps of strings always marshal
	return string(b), !jsonEqual(theirs, ours)
}

// jsonEqual reports whether a and b are the same JSON values.
func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// sameJSON reports whether two JSON texts hold the same value (key order
// and spacing aside); a text that is not JSON equals none.
func sameJSON(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return jsonEqual(va, vb)
}
