package eventbridge

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// PutRuleInput is the PutRule request.
type PutRuleInput struct {
	Name               string `json:"Name"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	Tags               []Tag  `json:"Tags,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
}

// Tag is a resource tag: a rule keeps those PutRule created it with.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// PutRuleOutput is the PutRule response.
type PutRuleOutput struct {
	RuleArn string `json:"RuleArn,omitempty"`
}

// PutRule creates a rule or replaces an existing one's pattern, state and
// description (omitted members are not kept, as in AWS); targets stay.
// Tags are given to a rule PutRule creates, and ignored on an update:
// "When you initially create a rule, you can optionally assign one or
// more tags to the rule" ("PutRule", Amazon EventBridge API Reference,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
func (s *Service) PutRule(in PutRuleInput) (*PutRuleOutput, error) {
	if err := checkName("name", in.Name); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if in.ScheduleExpression != "" {
		return nil, errValidation("ScheduleExpression is not supported by this emulator.")
	}
	if in.EventPattern == "" {
		return nil, errValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	state := in.State
	switch state {
	case "":
		state = "ENABLED"
	case "ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
	default:
		return nil, errValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	if len(in.Description) > 512 {
		return nil, errValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	p, err := CompilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	r := s.rules[in.Name]
	if r == nil {
		if len(s.rules) >= maxRulesPerBus {
			return nil, core.ClientError(codeLimitExceeded, "The requested resource exceeds the maximum number allowed.")
		}
		s.seq++
		r = &rule{seq: s.seq, name: in.Name, arn: s.env.ARN("events", "rule/"+in.Name), tags: tags}
		s.rules[in.Name] = r
		s.order = append(s.order, r)
	}
	r.pattern, r.state, r.description = p, state, in.Description
	s.changed()
	return &PutRuleOutput{RuleArn: r.arn}, nil
}

// checkName validates a rule name or target id: 1-64 of [.-_A-Za-z0-9].
func checkName(member, v string) *core.Error {
	if v == "" {
		return errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	ok := len(v) <= 64
	for _, r := range v {
		if !(r == '.' || r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			ok = false
		}
	}
	if !ok {
		return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length less than or equal to 64", v, member)
	}
	return nil
}

func (s *Service) rule(name, bus string) (*rule, *core.Error) {
	if err := s.checkBus(bus); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	r := s.rules[name]
	if r == nil {
		return nil, errNoRule(name)
	}
	return r, nil
}

// Rule is a rule as ListRules describes it.
type Rule struct {
	Name               string `json:"Name,omitempty"`
	Arn                string `json:"Arn,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	ManagedBy          string `json:"ManagedBy,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
}

func (r *rule) describe() Rule {
	return Rule{Name: r.name, Arn: r.arn, EventPattern: r.pattern.src, State: r.state, Description: r.description, EventBusName: defaultBus}
}

// DescribeRuleInput is the DescribeRule request.
type DescribeRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

// DescribeRuleOutput is the DescribeRule response.
type DescribeRuleOutput struct {
	Name               string `json:"Name,omitempty"`
	Arn                string `json:"Arn,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	ManagedBy          string `json:"ManagedBy,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

// DescribeRule describes one rule.
func (s *Service) DescribeRule(in DescribeRuleInput) (*DescribeRuleOutput, error) {
	r, err := s.rule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	d := r.describe()
	return &DescribeRuleOutput{Name: d.Name, Arn: d.Arn, EventPattern: d.EventPattern, State: d.State,
		Description: d.Description, EventBusName: d.EventBusName, CreatedBy: s.env.Account}, nil
}

// ListRulesInput is the ListRules request.
type ListRulesInput struct {
	NamePrefix   string `json:"NamePrefix,omitempty"`
	EventBusName string `json:"EventBusName,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	Limit        *int32 `json:"Limit,omitempty"`
}

// ListRulesOutput is the ListRules response.
type ListRulesOutput struct {
	Rules     []Rule `json:"Rules"`
	NextToken string `json:"NextToken,omitempty"`
}

// ListRules lists rules sorted by name, Limit (1-100, default 100) a page.
func (s *Service) ListRules(in ListRulesInput) (*ListRulesOutput, error) {
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	limit, after, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range s.order {
		if strings.HasPrefix(r.name, in.NamePrefix) && r.name > after {
			names = append(names, r.name)
		}
	}
	slices.Sort(names)
	out := &ListRulesOutput{Rules: []Rule{}}
	for i, n := range names {
		if i == limit {
			out.NextToken = token(names[i-1])
			break
		}
		out.Rules = append(out.Rules, s.rules[n].describe())
	}
	return out, nil
}

// page validates Limit and NextToken; the token carries the last key
// returned.
func page(limit *int32, next string) (int, string, *core.Error) {
	n := 100
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return 0, "", errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
		}
		n = int(*limit)
	}
	if next == "" {
		return n, "", nil
	}
	b, err := base64.StdEncoding.DecodeString(next)
	if err != nil || !strings.HasPrefix(string(b), "after:") {
		return 0, "", errValidation("The NextToken provided is invalid.")
	}
	return n, strings.TrimPrefix(string(b), "after:"), nil
}

func token(last string) string { return base64.StdEncoding.EncodeToString([]byte("after:" + last)) }

// DeleteRuleInput is the DeleteRule request.
type DeleteRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
	Force        bool   `json:"Force,omitempty"`
}

// DeleteRuleOutput is the (empty) DeleteRule response.
type DeleteRuleOutput struct{}

// DeleteRule deletes a rule without targets. Deleting a rule that does not
// exist succeeds, as on EventBridge ("If you call delete rule multiple
// times for the same rule, all calls will succeed"); a missing Name and an
// unknown event bus are still errors. Force only concerns managed rules,
// which this emulator does not have, so it changes nothing.
//
// Source: "DeleteRule", Amazon EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html).
func (s *Service) DeleteRule(in DeleteRuleInput) (*DeleteRuleOutput, error) {
	r, err := s.rule(in.Name, in.EventBusName)
	if err != nil {
		if err.Code == codeNotFound && s.rules[in.Name] == nil && s.checkBus(in.EventBusName) == nil {
			return &DeleteRuleOutput{}, nil
		}
		return nil, err
	}
	if len(r.targets) > 0 {
		return nil, errValidation("Rule can't be deleted since it has targets.")
	}
	delete(s.rules, r.name)
	s.order = slices.DeleteFunc(s.order, func(x *rule) bool { return x == r })
	s.changed()
	return &DeleteRuleOutput{}, nil
}

// EnableRuleInput is the EnableRule request.
type EnableRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

// EnableRuleOutput is the (empty) EnableRule response.
type EnableRuleOutput struct{}

// EnableRule sets a rule's state to ENABLED.
func (s *Service) EnableRule(in EnableRuleInput) (*EnableRuleOutput, error) {
	r, err := s.rule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.state = "ENABLED"
	s.changed()
	return &EnableRuleOutput{}, nil
}

// DisableRuleInput is the DisableRule request.
type DisableRuleInput struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName,omitempty"`
}

// DisableRuleOutput is the (empty) DisableRule response.
type DisableRuleOutput struct{}

// DisableRule sets a rule's state to DISABLED: it stops matching.
func (s *Service) DisableRule(in DisableRuleInput) (*DisableRuleOutput, error) {
	r, err := s.rule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.state = "DISABLED"
	s.changed()
	return &DisableRuleOutput{}, nil
}

// TestEventPatternInput is the TestEventPattern request.
type TestEventPatternInput struct {
	EventPattern string `json:"EventPattern"`
	Event        string `json:"Event"`
}

// TestEventPatternOutput is the TestEventPattern response.
type TestEventPatternOutput struct {
	Result bool `json:"Result"`
}

// TestEventPattern reports whether an event matches a pattern.
func (s *Service) TestEventPattern(in TestEventPatternInput) (*TestEventPatternOutput, error) {
	p, err := CompilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	var ev map[string]any
	if json.Unmarshal([]byte(in.Event), &ev) != nil {
		return nil, errValidation("Parameter Event is not valid.")
	}
	return &TestEventPatternOutput{Result: p.Match([]byte(in.Event))}, nil
}
