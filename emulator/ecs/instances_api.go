package ecs

import (
	"strconv"
	"strings"
)

// containerInstance resolves a container instance ARN or id in c.
func (s *Service) containerInstance(c *cluster, key string) *ContainerInstance {
	ci := s.ciByID[lastSegment(key)]
	if ci == nil || ci.cl != c {
		return nil
	}
	return ci
}

func (s *Service) ciARN(c *cluster, key string) string {
	if strings.HasPrefix(key, "arn:") {
		return key
	}
	return s.env.ARN("ecs", "container-instance/"+c.name+"/"+key)
}

// ListContainerInstancesInput is the ListContainerInstances request.
type ListContainerInstancesInput struct {
	Cluster    string `json:"cluster,omitempty"`
	Filter     string `json:"filter,omitempty"`
	Status     string `json:"status,omitempty"`
	MaxResults *int32 `json:"maxResults,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
}

// ListContainerInstancesOutput is the ListContainerInstances response.
type ListContainerInstancesOutput struct {
	ContainerInstanceArns []string `json:"containerInstanceArns"`
	NextToken             string   `json:"nextToken,omitempty"`
}

// ListContainerInstances lists container instance ARNs in registration
// order, by status (default: all but INACTIVE) and cluster query language
// filter (see parseFilter), paginated.
func (s *Service) ListContainerInstances(in ListContainerInstancesInput) (*ListContainerInstancesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	switch in.Status {
	case "", "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED", "INACTIVE":
	default:
		return nil, invalid("Invalid status '%s'. Valid values are ACTIVE, DRAINING, REGISTERING, DEREGISTERING, REGISTRATION_FAILED and INACTIVE.", in.Status)
	}
	match, ec2, err := parseFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	cands := c.instances
	if ec2 != "" {
		cands = nil
		if h := s.hosts[ec2]; h != nil && h.ci != nil && h.ci.cl == c {
			cands = []*ContainerInstance{h.ci}
		}
	}
	arns := []string{}
	for _, ci := range cands {
		if in.Status == "" && ci.Status == "INACTIVE" || in.Status != "" && ci.Status != in.Status || !match(ci) {
			continue
		}
		arns = append(arns, ci.ContainerInstanceArn)
	}
	page, next, err := paginate(arns, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListContainerInstancesOutput{ContainerInstanceArns: page, NextToken: next}, nil
}

// parseFilter understands a subset of the cluster query language: terms
// joined by "and", each one of
//
//	ec2InstanceId == i-…
//	agentConnected == true|false
//	runningTasksCount == N (also !=, >, <, >=, <=)
//	attribute:NAME == VALUE, attribute:NAME != VALUE, attribute:NAME exists
//
// Anything else is an InvalidParameterException. It also returns the EC2
// instance id an ec2InstanceId term pins the search to.
func parseFilter(f string) (func(*ContainerInstance) bool, string, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return func(*ContainerInstance) bool { return true }, "", nil
	}
	bad := invalid("Invalid filter expression: %s", f)
	var terms []func(*ContainerInstance) bool
	ec2 := ""
	for _, raw := range splitAnd(f) {
		fields := strings.Fields(raw)
		if len(fields) == 2 && strings.HasPrefix(fields[0], "attribute:") && fields[1] == "exists" {
			name := strings.TrimPrefix(fields[0], "attribute:")
			terms = append(terms, func(ci *ContainerInstance) bool { _, ok := ci.attr(name); return ok })
			continue
		}
		if len(fields) != 3 {
			return nil, "", bad
		}
		subj, op, val := fields[0], fields[1], strings.Trim(fields[2], `"'`)
		switch {
		case subj == "ec2InstanceId" && op == "==":
			ec2 = val
			terms = append(terms, func(ci *ContainerInstance) bool { return ci.Ec2InstanceId == val })
		case subj == "agentConnected" && op == "==" && (val == "true" || val == "false"):
			want := val == "true"
			terms = append(terms, func(ci *ContainerInstance) bool { return ci.AgentConnected == want })
		case subj == "runningTasksCount":
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, "", bad
			}
			cmp := compare(op)
			if cmp == nil {
				return nil, "", bad
			}
			terms = append(terms, func(ci *ContainerInstance) bool { return cmp(int(ci.RunningTasksCount), n) })
		case strings.HasPrefix(subj, "attribute:") && (op == "==" || op == "!="):
			name, eq := strings.TrimPrefix(subj, "attribute:"), op == "=="
			terms = append(terms, func(ci *ContainerInstance) bool {
				v, ok := ci.attr(name)
				return (ok && v == val) == eq
			})
		default:
			return nil, "", bad
		}
	}
	return func(ci *ContainerInstance) bool {
		for _, t := range terms {
			if !t(ci) {
				return false
			}
		}
		return true
	}, ec2, nil
}

func splitAnd(f string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(f, " AND ", " and "), " and ") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func compare(op string) func(a, b int) bool {
	switch op {
	case "==":
		return func(a, b int) bool { return a == b }
	case "!=":
		return func(a, b int) bool { return a != b }
	case ">":
		return func(a, b int) bool { return a > b }
	case "<":
		return func(a, b int) bool { return a < b }
	case ">=":
		return func(a, b int) bool { return a >= b }
	case "<=":
		return func(a, b int) bool { return a <= b }
	}
	return nil
}

// attr returns an attribute's value ("" when it has none).
func (ci *ContainerInstance) attr(name string) (string, bool) {
	for _, a := range ci.Attributes {
		if a.Name == name {
			if a.Value == nil {
				return "", true
			}
			return *a.Value, true
		}
	}
	return "", false
}

// DescribeContainerInstancesInput is the DescribeContainerInstances request.
type DescribeContainerInstancesInput struct {
	Cluster            string   `json:"cluster,omitempty"`
	ContainerInstances []string `json:"containerInstances"`
	Include            []string `json:"include,omitempty"`
}

// DescribeContainerInstancesOutput is the DescribeContainerInstances response.
type DescribeContainerInstancesOutput struct {
	ContainerInstances []ContainerInstance `json:"containerInstances"`
	Failures           []Failure           `json:"failures"`
}

// DescribeContainerInstances describes up to 100 container instances by ARN
// or id; unknown ones are failures with reason MISSING.
func (s *Service) DescribeContainerInstances(in DescribeContainerInstancesInput) (*DescribeContainerInstancesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.ContainerInstances) == 0 {
		return nil, invalid("Container instances cannot be empty.")
	}
	if len(in.ContainerInstances) > 100 {
		return nil, invalid("Container instances can have at most 100 items.")
	}
	out := &DescribeContainerInstancesOutput{ContainerInstances: []ContainerInstance{}, Failures: []Failure{}}
	for _, k := range in.ContainerInstances {
		ci := s.containerInstance(c, k)
		if ci == nil {
			out.Failures = append(out.Failures, Failure{Arn: s.ciARN(c, k), Reason: "MISSING"})
			continue
		}
		out.ContainerInstances = append(out.ContainerInstances, ci.snapshot())
	}
	return out, nil
}

// UpdateContainerInstancesStateInput is the UpdateContainerInstancesState request.
type UpdateContainerInstancesStateInput struct {
	Cluster            string   `json:"cluster,omitempty"`
	ContainerInstances []string `json:"containerInstances"`
	Status             string   `json:"status"`
}

// UpdateContainerInstancesStateOutput is the UpdateContainerInstancesState response.
type UpdateContainerInstancesStateOutput struct {
	ContainerInstances []ContainerInstance `json:"containerInstances"`
	Failures           []Failure           `json:"failures"`
}

// UpdateContainerInstancesState sets up to 10 instances DRAINING or ACTIVE.
// Only ACTIVE ↔ DRAINING moves are allowed; asking for the status an
// instance already has succeeds without a change. Unknown instances are
// failures MISSING; instances in another status are failures with that
// status as the reason.
func (s *Service) UpdateContainerInstancesState(in UpdateContainerInstancesStateInput) (*UpdateContainerInstancesStateOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.Status != "ACTIVE" && in.Status != "DRAINING" {
		return nil, invalid("Container instances status should be one of [ACTIVE,DRAINING].")
	}
	if len(in.ContainerInstances) == 0 {
		return nil, invalid("Container instances cannot be empty.")
	}
	if len(in.ContainerInstances) > 10 {
		return nil, invalid("Container instances can have at most 10 items.")
	}
	out := &UpdateContainerInstancesStateOutput{ContainerInstances: []ContainerInstance{}, Failures: []Failure{}}
	for _, k := range in.ContainerInstances {
		ci := s.containerInstance(c, k)
		switch {
		case ci == nil:
			out.Failures = append(out.Failures, Failure{Arn: s.ciARN(c, k), Reason: "MISSING"})
			continue
		case ci.Status != "ACTIVE" && ci.Status != "DRAINING":
			out.Failures = append(out.Failures, Failure{Arn: ci.ContainerInstanceArn, Reason: ci.Status,
				Detail: "The container instance is " + ci.Status + "; only ACTIVE and DRAINING instances can change state."})
			continue
		case ci.Status != in.Status:
			st := in.Status
			s.setCIState(ci, func() { ci.Status = st })
		}
		out.ContainerInstances = append(out.ContainerInstances, ci.snapshot())
	}
	return out, nil
}

// DeregisterContainerInstanceInput is the DeregisterContainerInstance request.
type DeregisterContainerInstanceInput struct {
	Cluster           string `json:"cluster,omitempty"`
	ContainerInstance string `json:"containerInstance"`
	Force             *bool  `json:"force,omitempty"`
}

// DeregisterContainerInstanceOutput is the DeregisterContainerInstance response.
type DeregisterContainerInstanceOutput struct {
	ContainerInstance *ContainerInstance `json:"containerInstance,omitempty"`
}

// DeregisterContainerInstance makes an instance INACTIVE. Without force it
// refuses while tasks there are not STOPPED; with force those tasks are
// orphaned: they keep running until the host goes away, and their services
// replace them elsewhere at once.
func (s *Service) DeregisterContainerInstance(in DeregisterContainerInstanceInput) (*DeregisterContainerInstanceOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.ContainerInstance == "" {
		return nil, invalid("containerInstance can not be blank.")
	}
	ci := s.containerInstance(c, in.ContainerInstance)
	if ci == nil {
		return nil, errNoContainerInstance(in.ContainerInstance)
	}
	if ci.Status != "INACTIVE" {
		force := in.Force != nil && *in.Force
		var live []*Task
		for _, t := range ci.tasks {
			if t.live() {
				live = append(live, t)
			}
		}
		if len(live) > 0 && !force {
			return nil, invalid("Found running tasks on the instance.")
		}
		for _, t := range live {
			if !t.Orphaned {
				s.update(t, func() { t.Orphaned = true })
			}
		}
		s.setCIState(ci, func() { ci.Status = "INACTIVE"; ci.AgentConnected = false })
	}
	snap := ci.snapshot()
	return &DeregisterContainerInstanceOutput{ContainerInstance: &snap}, nil
}
