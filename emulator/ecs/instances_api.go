package ecs

import (
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/ecs/query"
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
// filter (package query: every subject, operator and compound form the
// Developer Guide documents, spaced or not), paginated.
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
	filter, err := parseQuery(in.Filter)
	if err != nil {
		return nil, err
	}
	cands := c.instances
	if ec2, ok := filter.Pinned(query.SubjectEC2InstanceID); ok {
		cands = nil
		if h := s.hosts[ec2]; h != nil {
			for _, ci := range h.cis {
				if ci.cl == c {
					cands = append(cands, ci)
				}
			}
		}
	}
	arns := []string{}
	for _, ci := range cands {
		if in.Status == "" && ci.Status == "INACTIVE" || in.Status != "" && ci.Status != in.Status || !filter.Match(ciQuery{ci}) {
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

// parseQuery parses a cluster query language expression (ListContainerInstances'
// filter, a memberOf constraint), answering a bad one with
// InvalidParameterException. ECS limits expressions to 2000 characters
// (PlacementConstraint, Amazon ECS API Reference).
func parseQuery(expr string) (query.Expr, error) {
	if len(expr) > 2000 {
		return query.Expr{}, invalid("The expression can have a maximum length of 2000 characters.")
	}
	e, err := query.Parse(expr)
	if err != nil {
		return query.Expr{}, invalid("Invalid filter expression: %s (%v)", expr, err)
	}
	return e, nil
}

// ciQuery is what a cluster query reads of a container instance.
type ciQuery struct{ ci *ContainerInstance }

func (q ciQuery) AgentConnected() bool { return q.ci.AgentConnected }
func (q ciQuery) AgentVersion() string {
	if q.ci.VersionInfo == nil {
		return ""
	}
	return q.ci.VersionInfo.AgentVersion
}
func (q ciQuery) EC2InstanceID() string                { return q.ci.Ec2InstanceId }
func (q ciQuery) RegisteredAt() time.Time              { return q.ci.RegisteredAt.Time }
func (q ciQuery) RunningTasksCount() int               { return int(q.ci.RunningTasksCount) }
func (q ciQuery) Attribute(name string) (string, bool) { return q.ci.attr(name) }
func (q ciQuery) TaskGroups() []string {
	var out []string
	for _, t := range q.ci.tasks {
		if t.live() {
			out = append(out, t.Group)
		}
	}
	return out
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
// or id; unknown ones are failures with reason MISSING. Tags are shown only
// with include TAGS ("If TAGS is specified, the tags are included in the
// response", DescribeContainerInstances, Amazon ECS API Reference);
// CONTAINER_INSTANCE_HEALTH is accepted and adds nothing (the emulator
// does not model instance health).
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
	tags, err := includes(in.Include, "TAGS", "TAGS", "CONTAINER_INSTANCE_HEALTH")
	if err != nil {
		return nil, err
	}
	out := &DescribeContainerInstancesOutput{ContainerInstances: []ContainerInstance{}, Failures: []Failure{}}
	for _, k := range in.ContainerInstances {
		ci := s.containerInstance(c, k)
		if ci == nil {
			out.Failures = append(out.Failures, Failure{Arn: s.ciARN(c, k), Reason: "MISSING"})
			continue
		}
		snap := ci.snapshot()
		if tags {
			snap.Tags = copyTags(ci.Tags)
		}
		out.ContainerInstances = append(out.ContainerInstances, snap)
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
