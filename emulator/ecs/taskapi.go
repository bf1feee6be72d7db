package ecs

import (
	"sort"
	"strings"

	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// RunTaskInput is the RunTask request.
type RunTaskInput struct {
	Cluster                  string                         `json:"cluster,omitempty"`
	TaskDefinition           string                         `json:"taskDefinition"`
	Count                    *int32                         `json:"count,omitempty"`
	Group                    string                         `json:"group,omitempty"`
	StartedBy                string                         `json:"startedBy,omitempty"`
	LaunchType               string                         `json:"launchType,omitempty"`
	CapacityProviderStrategy []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	PlacementStrategy        []PlacementStrategy            `json:"placementStrategy,omitempty"`
	PlacementConstraints     []PlacementConstraint          `json:"placementConstraints,omitempty"`
	NetworkConfiguration     *NetworkConfiguration          `json:"networkConfiguration,omitempty"`
	ClientToken              string                         `json:"clientToken,omitempty"`
	Tags                     []Tag                          `json:"tags,omitempty"`
}

// RunTaskOutput is the RunTask response.
type RunTaskOutput struct {
	Tasks    []Task    `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// standaloneCheck validates what RunTask and StartTask share.
func (s *Service) standaloneCheck(clusterKey, tdRef, group, startedBy string, nc *NetworkConfiguration) (*cluster, *TaskDefinition, string, error) {
	c, err := s.cluster(clusterKey)
	if err != nil {
		return nil, nil, "", err
	}
	if tdRef == "" {
		return nil, nil, "", invalid("TaskDefinition can not be blank.")
	}
	td := s.taskDefinition(tdRef)
	if td == nil {
		return nil, nil, "", invalid("TaskDefinition not found.")
	}
	if len(startedBy) > 128 {
		return nil, nil, "", invalid("startedBy must be at most 128 characters.")
	}
	if len(group) > 255 {
		return nil, nil, "", invalid("group must be at most 255 characters.")
	}
	if td.NetworkMode == "awsvpc" && (nc == nil || nc.AwsvpcConfiguration == nil) {
		return nil, nil, "", invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	if group == "" {
		group = "family:" + td.Family
	}
	return c, td, group, nil
}

// RunTask places 1–10 standalone tasks with the placement strategies
// (default: spread over AZs, then binpack memory) and constraints (the task
// definition's memberOf and the call's memberOf and distinctInstance).
// Tasks that fit nowhere are failures with reason RESOURCE:MEMORY,
// RESOURCE:CPU, RESOURCE:ENI, or the constraint left unsatisfied. Tags are
// stored, shown in the response and by DescribeTasks with include TAGS.
func (s *Service) RunTask(in RunTaskInput) (*RunTaskOutput, error) {
	c, td, group, err := s.standaloneCheck(in.Cluster, in.TaskDefinition, in.Group, in.StartedBy, in.NetworkConfiguration)
	if err != nil {
		return nil, err
	}
	count := 1
	if in.Count != nil {
		count = int(*in.Count)
	}
	if count < 1 || count > 10 {
		return nil, invalid("Count must be between 1 and 10.")
	}
	if err := validStrategies(in.PlacementStrategy); err != nil {
		return nil, err
	}
	_, cps, err := s.launchOf(c, in.LaunchType, in.CapacityProviderStrategy)
	if err != nil {
		return nil, err
	}
	memberOf, distinct, err := validConstraints(in.PlacementConstraints, td)
	if err != nil {
		return nil, err
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	if c.registered() == 0 {
		return nil, invalid("No Container Instances were found in your cluster.")
	}
	d := demand{cpu: td.cpu, mem: td.mem, eni: td.NetworkMode == "awsvpc"}
	for _, it := range cps {
		d.providers = append(d.providers, it.CapacityProvider)
	}
	d.memberOf = append(append([]query.Expr(nil), td.memberOf...), memberOf...)
	if distinct {
		d.distinct = group
	}
	sp := spreader{az: map[string]int{}, ci: map[*ContainerInstance]int{}}
	out := &RunTaskOutput{Tasks: []Task{}, Failures: []Failure{}}
	for range count {
		ci, reason := s.choose(c, d, in.PlacementStrategy, sp)
		if ci == nil {
			if reason == "" {
				reason = "AGENT"
			}
			out.Failures = append(out.Failures, Failure{Reason: reason})
			continue
		}
		sp.az[ci.Host.AZ]++
		sp.ci[ci]++
		t := s.newTask(c, ci, td, nil, group, in.StartedBy)
		t.Tags = append([]Tag(nil), in.Tags...)
		snap := t.snapshot()
		snap.Tags = copyTags(t.Tags)
		out.Tasks = append(out.Tasks, snap)
	}
	return out, nil
}

// StartTaskInput is the StartTask request.
type StartTaskInput struct {
	Cluster              string                `json:"cluster,omitempty"`
	TaskDefinition       string                `json:"taskDefinition"`
	ContainerInstances   []string              `json:"containerInstances"`
	Group                string                `json:"group,omitempty"`
	StartedBy            string                `json:"startedBy,omitempty"`
	NetworkConfiguration *NetworkConfiguration `json:"networkConfiguration,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
}

// StartTaskOutput is the StartTask response.
type StartTaskOutput struct {
	Tasks    []Task    `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// StartTask starts a standalone task on each of up to 10 given instances.
func (s *Service) StartTask(in StartTaskInput) (*StartTaskOutput, error) {
	c, td, group, err := s.standaloneCheck(in.Cluster, in.TaskDefinition, in.Group, in.StartedBy, in.NetworkConfiguration)
	if err != nil {
		return nil, err
	}
	if len(in.ContainerInstances) == 0 {
		return nil, invalid("Container instances cannot be empty.")
	}
	if len(in.ContainerInstances) > 10 {
		return nil, invalid("Container instances can have at most 10 items.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	d := demand{cpu: td.cpu, mem: td.mem, eni: td.NetworkMode == "awsvpc"}
	out := &StartTaskOutput{Tasks: []Task{}, Failures: []Failure{}}
	for _, k := range in.ContainerInstances {
		ci := s.containerInstance(c, k)
		switch {
		case ci == nil:
			out.Failures = append(out.Failures, Failure{Arn: s.ciARN(c, k), Reason: "MISSING"})
		case ci.Status != "ACTIVE":
			out.Failures = append(out.Failures, Failure{Arn: ci.ContainerInstanceArn, Reason: ci.Status})
		case !ci.AgentConnected:
			out.Failures = append(out.Failures, Failure{Arn: ci.ContainerInstanceArn, Reason: "AGENT"})
		case !d.fits(ci):
			out.Failures = append(out.Failures, Failure{Arn: ci.ContainerInstanceArn, Reason: worse("RESOURCE:MEMORY", d, ci)})
		default:
			t := s.newTask(c, ci, td, nil, group, in.StartedBy)
			t.Tags = append([]Tag(nil), in.Tags...)
			snap := t.snapshot()
			snap.Tags = copyTags(t.Tags)
			out.Tasks = append(out.Tasks, snap)
		}
	}
	return out, nil
}

// StopTaskInput is the StopTask request.
type StopTaskInput struct {
	Cluster string `json:"cluster,omitempty"`
	Task    string `json:"task"`
	Reason  string `json:"reason,omitempty"`
}

// StopTaskOutput is the StopTask response.
type StopTaskOutput struct {
	Task *Task `json:"task,omitempty"`
}

// StopTask stops a task (stopCode UserInitiated); stopping a task already
// stopping or stopped returns it unchanged.
func (s *Service) StopTask(in StopTaskInput) (*StopTaskOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.Task == "" {
		return nil, invalid("Task can not be blank.")
	}
	if len(in.Reason) > 255 {
		return nil, invalid("Reason must be at most 255 characters.")
	}
	t := s.taskByID[lastSegment(in.Task)]
	if t == nil || t.cl != c {
		return nil, invalid("The referenced task was not found.")
	}
	reason := in.Reason
	if reason == "" {
		reason = "Task stopped by user"
	}
	s.stopTask(t, "UserInitiated", reason)
	snap := t.snapshot()
	return &StopTaskOutput{Task: &snap}, nil
}

// ListTasksInput is the ListTasks request.
type ListTasksInput struct {
	Cluster           string `json:"cluster,omitempty"`
	ContainerInstance string `json:"containerInstance,omitempty"`
	Family            string `json:"family,omitempty"`
	StartedBy         string `json:"startedBy,omitempty"`
	ServiceName       string `json:"serviceName,omitempty"`
	DesiredStatus     string `json:"desiredStatus,omitempty"`
	LaunchType        string `json:"launchType,omitempty"`
	MaxResults        *int32 `json:"maxResults,omitempty"`
	NextToken         string `json:"nextToken,omitempty"`
}

// ListTasksOutput is the ListTasks response.
type ListTasksOutput struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListTasks lists task ARNs by desiredStatus (default RUNNING, so tasks
// asked to stop but still stopping are listed only under STOPPED),
// container instance, family, startedBy and service, paginated.
func (s *Service) ListTasks(in ListTasksInput) (*ListTasksOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	desired := in.DesiredStatus
	switch desired {
	case "":
		desired = StatusRunning
	case StatusRunning, StatusStopped, StatusPending:
	default:
		return nil, invalid("Invalid desiredStatus '%s'. Valid values are RUNNING, PENDING and STOPPED.", in.DesiredStatus)
	}
	if in.LaunchType != "" && in.LaunchType != "EC2" && in.LaunchType != "FARGATE" && in.LaunchType != "EXTERNAL" {
		return nil, invalid("Invalid launchType '%s'.", in.LaunchType)
	}
	cands := c.tasks
	if in.ContainerInstance != "" {
		ci := s.containerInstance(c, in.ContainerInstance)
		if ci == nil {
			return nil, errNoContainerInstance(in.ContainerInstance)
		}
		cands = append([]*Task(nil), ci.tasks...)
		sort.Slice(cands, func(i, j int) bool { return cands[i].seq < cands[j].seq })
	}
	var svc *ECSService
	if in.ServiceName != "" {
		if svc, err = s.service(c, in.ServiceName); err != nil {
			return nil, err
		}
	}
	arns := []string{}
	for _, t := range cands {
		if t.removed || t.DesiredStatus != desired ||
			in.Family != "" && t.td.Family != in.Family ||
			in.StartedBy != "" && t.StartedBy != in.StartedBy ||
			svc != nil && t.svc != svc ||
			in.LaunchType != "" && in.LaunchType != "EC2" {
			continue
		}
		arns = append(arns, t.TaskArn)
	}
	page, next, err := paginate(arns, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListTasksOutput{TaskArns: page, NextToken: next}, nil
}

// DescribeTasksInput is the DescribeTasks request.
type DescribeTasksInput struct {
	Cluster string   `json:"cluster,omitempty"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include,omitempty"`
}

// DescribeTasksOutput is the DescribeTasks response.
type DescribeTasksOutput struct {
	Tasks    []Task    `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// DescribeTasks describes up to 100 tasks by ARN or id; unknown (or
// expired) ones are failures with reason MISSING. Tags are shown only with
// include TAGS (DescribeTasks, Amazon ECS API Reference).
func (s *Service) DescribeTasks(in DescribeTasksInput) (*DescribeTasksOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	tags, err := includes(in.Include, "TAGS", "TAGS")
	if err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 {
		return nil, invalid("Tasks cannot be empty.")
	}
	if len(in.Tasks) > 100 {
		return nil, invalid("Tasks can have at most 100 items.")
	}
	out := &DescribeTasksOutput{Tasks: []Task{}, Failures: []Failure{}}
	for _, k := range in.Tasks {
		t := s.taskByID[lastSegment(k)]
		if t == nil || t.cl != c {
			arn := k
			if !strings.HasPrefix(k, "arn:") {
				arn = s.env.ARN("ecs", "task/"+c.name+"/"+k)
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		snap := t.snapshot()
		if tags {
			snap.Tags = copyTags(t.Tags)
		}
		out.Tasks = append(out.Tasks, snap)
	}
	return out, nil
}
