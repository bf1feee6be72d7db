package sqs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The access policy of a queue (its Policy attribute) is what lets another
// AWS service — SNS delivering a notification, on behalf of a topic — send
// to it: SQS allows such a send only when a statement of the policy allows
// the service principal sqs:SendMessage on the queue and its conditions
// hold for the request (typically aws:SourceArn, the topic's ARN), and no
// statement denies it. A queue without a policy lets no service in.
//
// Sources: "Basic examples of Amazon SQS policies" and "Subscribing an
// Amazon SQS queue to an Amazon SNS topic" (step 2, "Give permission to the
// Amazon SNS topic to send messages to the Amazon SQS queue"), Amazon SQS
// and Amazon SNS Developer Guides
// (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html);
// "IAM JSON policy elements reference" for Effect, Principal, Action,
// Resource, Condition and their Not forms, and "IAM JSON policy elements:
// Condition operators" for the operators evaluated here
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

// policyRequest is what a policy is evaluated for: a service principal
// (such as "sns.amazonaws.com") doing Action on Resource, with the request
// context keys (lower-case: "aws:sourcearn", "aws:sourceaccount").
type policyRequest struct {
	Service  string
	Action   string
	Resource string
	Context  map[string]string
}

// policyDoc is a parsed access policy.
type policyDoc struct {
	statements []policyStatement
}

// policyStatement is one statement. A nil list means the element is
// absent; principals maps a principal type ("AWS", "Service", "*") to its
// values.
type policyStatement struct {
	allow                         bool
	principals, notPrincipals     map[string][]string
	actions, notActions           []string
	resources, notResources       []string
	conditions                    []policyCondition
	hasPrincipal, hasNotPrincipal bool
	hasAction, hasNotAction       bool
	hasResource, hasNotResource   bool
}

// policyCondition is one operator applied to one key: the condition holds
// when the request's value for the key matches any of values.
type policyCondition struct {
	op, key string
	values  []string
}

// parsePolicy reads an access policy document; it refuses what SQS refuses
// (not JSON, no Statement, a statement without Effect or with an Effect
// other than Allow or Deny, no Action or NotAction) with an error naming
// the problem.
func parsePolicy(doc string) (*policyDoc, error) {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("the policy is not a JSON object: %v", err)
	}
	if len(raw.Statement) == 0 {
		return nil, fmt.Errorf("the policy has no Statement")
	}
	var stmts []map[string]json.RawMessage
	if raw.Statement[0] == '[' {
		if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
			return nil, fmt.Errorf("Statement: %v", err)
		}
	} else {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("Statement: %v", err)
		}
		stmts = append(stmts, one)
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("the policy has no Statement")
	}
	p := &policyDoc{}
	for i, m := range stmts {
		st, err := parseStatement(m)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

func parseStatement(m map[string]json.RawMessage) (policyStatement, error) {
	var st policyStatement
	var effect string
	if err := json.Unmarshal(m["Effect"], &effect); err != nil || (effect != "Allow" && effect != "Deny") {
		return st, fmt.Errorf("Effect must be Allow or Deny")
	}
	st.allow = effect == "Allow"
	var err error
	if st.principals, st.hasPrincipal, err = parsePrincipal(m["Principal"]); err != nil {
		return st, fmt.Errorf("Principal: %w", err)
	}
	if st.notPrincipals, st.hasNotPrincipal, err = parsePrincipal(m["NotPrincipal"]); err != nil {
		return st, fmt.Errorf("NotPrincipal: %w", err)
	}
	if st.actions, st.hasAction, err = stringOrList(m["Action"]); err != nil {
		return st, fmt.Errorf("Action: %w", err)
	}
	if st.notActions, st.hasNotAction, err = stringOrList(m["NotAction"]); err != nil {
		return st, fmt.Errorf("NotAction: %w", err)
	}
	if !st.hasAction && !st.hasNotAction {
		return st, fmt.Errorf("Action or NotAction is required")
	}
	if st.resources, st.hasResource, err = stringOrList(m["Resource"]); err != nil {
		return st, fmt.Errorf("Resource: %w", err)
	}
	if st.notResources, st.hasNotResource, err = stringOrList(m["NotResource"]); err != nil {
		return st, fmt.Errorf("NotResource: %w", err)
	}
	if c, ok := m["Condition"]; ok {
		var ops map[string]map[string]json.RawMessage
		if err := json.Unmarshal(c, &ops); err != nil {
			return st, fmt.Errorf("Condition: %v", err)
		}
		for _, op := range sortedKeys(ops) {
			for _, key := range sortedKeys(ops[op]) {
				vals, _, err := stringOrList(ops[op][key])
				if err != nil {
					return st, fmt.Errorf("Condition %s %s: %w", op, key, err)
				}
				st.conditions = append(st.conditions, policyCondition{op: op, key: strings.ToLower(key), values: vals})
			}
		}
	}
	return st, nil
}

// parsePrincipal reads "*" or {"TYPE": "value" | ["value", …]}.
func parsePrincipal(raw json.RawMessage) (map[string][]string, bool, error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s != "*" {
			return nil, true, fmt.Errorf("a principal given as a string must be \"*\"")
		}
		return map[string][]string{"*": {"*"}}, true, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, true, fmt.Errorf("must be \"*\" or an object")
	}
	out := map[string][]string{}
	for k, v := range m {
		vals, _, err := stringOrList(v)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = vals
	}
	return out, true, nil
}

// stringOrList reads a JSON string or list of strings.
func stringOrList(raw json.RawMessage) ([]string, bool, error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, true, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, true, fmt.Errorf("must be a string or a list of strings")
	}
	return l, true, nil
}

// allows evaluates the policy for r: an explicit Deny wins, else an Allow
// is needed (the default is to deny).
func (p *policyDoc) allows(r policyRequest) bool {
	allowed := false
	for _, st := range p.statements {
		if !st.applies(r) {
			continue
		}
		if !st.allow {
			return false
		}
		allowed = true
	}
	return allowed
}

// applies reports whether every element of the statement matches r.
func (st policyStatement) applies(r policyRequest) bool {
	if st.hasPrincipal && !principalMatches(st.principals, r.Service) {
		return false
	}
	if st.hasNotPrincipal && principalMatches(st.notPrincipals, r.Service) {
		return false
	}
	if !st.hasPrincipal && !st.hasNotPrincipal {
		return false // a resource policy statement names its principal
	}
	actionIn := func(list []string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return globMatch(strings.ToLower(a), strings.ToLower(r.Action)) })
	}
	if st.hasAction && !actionIn(st.actions) || st.hasNotAction && actionIn(st.notActions) {
		return false
	}
	resourceIn := func(list []string) bool {
		return slices.ContainsFunc(list, func(res string) bool { return globMatch(res, r.Resource) })
	}
	if st.hasResource && !resourceIn(st.resources) || st.hasNotResource && resourceIn(st.notResources) {
		return false
	}
	for _, c := range st.conditions {
		if !c.holds(r.Context) {
			return false
		}
	}
	return true
}

// principalMatches reports whether a service principal is among ps: "*",
// {"AWS": "*"} (everyone) or {"Service": name}.
func principalMatches(ps map[string][]string, service string) bool {
	if slices.Contains(ps["*"], "*") || slices.Contains(ps["AWS"], "*") {
		return true
	}
	return slices.Contains(ps["Service"], service)
}

// holds evaluates one condition. A key the request does not carry fails
// every operator except the ...IfExists forms; an operator this emulator
// does not know fails, so an unknown condition never grants access.
func (c policyCondition) holds(ctx map[string]string) bool {
	op := c.op
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	v, ok := ctx[c.key]
	if !ok {
		return ifExists
	}
	anyOf := func(match func(want string) bool) bool { return slices.ContainsFunc(c.values, match) }
	switch op {
	case "StringEquals", "ArnEquals":
		return anyOf(func(w string) bool { return v == w })
	case "StringNotEquals", "ArnNotEquals":
		return !anyOf(func(w string) bool { return v == w })
	case "StringEqualsIgnoreCase":
		return anyOf(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringNotEqualsIgnoreCase":
		return !anyOf(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringLike", "ArnLike":
		return anyOf(func(w string) bool { return globMatch(w, v) })
	case "StringNotLike", "ArnNotLike":
		return !anyOf(func(w string) bool { return globMatch(w, v) })
	}
	return false
}

// globMatch matches s against an IAM pattern: * is any run of characters,
// ? any one character.
func globMatch(pattern, s string) bool {
	// Iterative matching with backtracking to the last star.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
