package eventbridge

import (
	"encoding/json"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Target is a rule target. Only SQS queues can receive deliveries here.
type Target struct {
	Id        string `json:"Id"`
	Arn       string `json:"Arn"`
	RoleArn   string `json:"RoleArn,omitempty"`
	Input     string `json:"Input,omitempty"`
	InputPath string `json:"InputPath,omitempty"`
	// InputTransformer and the other target parameters are refused.
	InputTransformer json.RawMessage `json:"InputTransformer,omitempty"`
	SqsParameters    json.RawMessage `json:"SqsParameters,omitempty"`
}

// PutTargetsInput is the PutTargets request.
type PutTargetsInput struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName,omitempty"`
	Targets      []Target `json:"Targets"`
}

// PutTargetsResultEntry is one target PutTargets could not add.
type PutTargetsResultEntry struct {
	TargetId     string `json:"TargetId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// PutTargetsOutput is the PutTargets response.
type PutTargetsOutput struct {
	FailedEntryCount int32                   `json:"FailedEntryCount"`
	FailedEntries    []PutTargetsResultEntry `json:"FailedEntries"`
}

// PutTargets adds targets to a rule or updates those with the same Id. A
// rule holds at most 5 targets.
func (s *Service) PutTargets(in PutTargetsInput) (*PutTargetsOutput, error) {
	r, err := s.rule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, errValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	seen := map[string]bool{}
	for _, t := range in.Targets {
		if err := checkName("targets.member.id", t.Id); err != nil {
			return nil, err
		}
		if seen[t.Id] {
			return nil, errValidation("The same target ID %s cannot be used more than once in a request.", t.Id)
		}
		seen[t.Id] = true
		if t.Arn == "" {
			return nil, errValidation("1 validation error detected: Value null at 'targets.member.arn' failed to satisfy constraint: Member must not be null")
		}
		if err := checkTargetInput(t); err != nil {
			return nil, err
		}
	}
	out := &PutTargetsOutput{FailedEntries: []PutTargetsResultEntry{}}
	var accepted []Target
	for _, t := range in.Targets {
		if !isSQSArn(t.Arn) {
			out.FailedEntries = append(out.FailedEntries, PutTargetsResultEntry{TargetId: t.Id, ErrorCode: codeValidation,
				ErrorMessage: "Target " + t.Arn + " is not supported by this emulator: only SQS queues are."})
			continue
		}
		accepted = append(accepted, t)
	}
	count := len(r.targets)
	for _, t := range accepted {
		if r.findTarget(t.Id) < 0 {
			count++
		}
	}
	if count > maxTargetsPerRule {
		return nil, core.ClientError(codeLimitExceeded, "The requested resource exceeds the maximum number allowed.")
	}
	for _, t := range accepted {
		nt := &target{id: t.Id, arn: t.Arn, input: t.Input, inputPath: t.InputPath}
		if i := r.findTarget(t.Id); i >= 0 {
			r.targets[i] = nt
		} else {
			r.targets = append(r.targets, nt)
		}
	}
	out.FailedEntryCount = int32(len(out.FailedEntries))
	s.changed()
	return out, nil
}

func checkTargetInput(t Target) *core.Error {
	if len(t.InputTransformer) > 0 && string(t.InputTransformer) != "null" {
		return errValidation("InputTransformer is not supported by this emulator.")
	}
	if t.Input != "" && t.InputPath != "" {
		return errValidation("Only one of Input, InputPath, or InputTransformer can be provided.")
	}
	if t.Input != "" && !json.Valid([]byte(t.Input)) {
		return errValidation("Input for target %s is not valid JSON text.", t.Id)
	}
	if t.InputPath != "" && !validPath(t.InputPath) {
		return errValidation("InputPath for target %s is not a valid JSON path.", t.Id)
	}
	return nil
}

// validPath accepts the JSONPath subset lookupPath resolves.
func validPath(p string) bool {
	if p == "$" {
		return true
	}
	rest, ok := strings.CutPrefix(p, "$.")
	if !ok {
		return false
	}
	for _, k := range strings.Split(rest, ".") {
		if k == "" || strings.ContainsAny(k, "[]*") {
			return false
		}
	}
	return true
}

func isSQSArn(arn string) bool {
	p := strings.Split(arn, ":")
	return len(p) == 6 && p[0] == "arn" && p[2] == "sqs" && p[5] != ""
}

func (r *rule) findTarget(id string) int {
	for i, t := range r.targets {
		if t.id == id {
			return i
		}
	}
	return -1
}

// ListTargetsByRuleInput is the ListTargetsByRule request.
type ListTargetsByRuleInput struct {
	Rule         string `json:"Rule"`
	EventBusName string `json:"EventBusName,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	Limit        *int32 `json:"Limit,omitempty"`
}

// ListTargetsByRuleOutput is the ListTargetsByRule response.
type ListTargetsByRuleOutput struct {
	Targets   []Target `json:"Targets"`
	NextToken string   `json:"NextToken,omitempty"`
}

// ListTargetsByRule lists a rule's targets in the order they were added.
func (s *Service) ListTargetsByRule(in ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	r, err := s.rule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	limit, after, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != "" {
		start = r.findTarget(after) + 1
	}
	out := &ListTargetsByRuleOutput{Targets: []Target{}}
	for i := start; i < len(r.targets); i++ {
		if len(out.Targets) == limit {
			out.NextToken = token(r.targets[i-1].id)
			break
		}
		t := r.targets[i]
		out.Targets = append(out.Targets, Target{Id: t.id, Arn: t.arn, Input: t.input, InputPath: t.inputPath})
	}
	return out, nil
}

// RemoveTargetsInput is the RemoveTargets request.
type RemoveTargetsInput struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName,omitempty"`
	Ids          []string `json:"Ids"`
	Force        bool     `json:"Force,omitempty"`
}

// RemoveTargetsResultEntry is one target RemoveTargets could not remove.
type RemoveTargetsResultEntry struct {
	TargetId     string `json:"TargetId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// RemoveTargetsOutput is the RemoveTargets response.
type RemoveTargetsOutput struct {
	FailedEntryCount int32                      `json:"FailedEntryCount"`
	FailedEntries    []RemoveTargetsResultEntry `json:"FailedEntries"`
}

// RemoveTargets removes targets by id; ids the rule does not have are
// ignored.
func (s *Service) RemoveTargets(in RemoveTargetsInput) (*RemoveTargetsOutput, error) {
	r, err := s.rule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, errValidation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	for _, id := range in.Ids {
		if i := r.findTarget(id); i >= 0 {
			r.targets = append(r.targets[:i:i], r.targets[i+1:]...)
		}
	}
	s.changed()
	return &RemoveTargetsOutput{FailedEntries: []RemoveTargetsResultEntry{}}, nil
}
