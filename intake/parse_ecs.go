package intake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// ecsTask is the part of an "ECS Task State Change" detail (the Task
// object of the ECS API) drainer reads.
type ecsTask struct {
	TaskArn              string `json:"taskArn"`
	ClusterArn           string `json:"clusterArn"`
	ContainerInstanceArn string `json:"containerInstanceArn"`
	LastStatus           string `json:"lastStatus"`
	DesiredStatus        string `json:"desiredStatus"`
	Group                string `json:"group"`
	StartedBy            string `json:"startedBy"`
	StoppedReason        string `json:"stoppedReason"`
	Version              count  `json:"version"`
}

// parseTaskChange reads an "ECS Task State Change".
func parseTaskChange(b []byte, h Header) (Notice, error) {
	var t ecsTask
	if err := decode(b, "detail", &t); err != nil {
		return nil, err
	}
	if err := required("taskArn", t.TaskArn, "clusterArn", t.ClusterArn, "lastStatus", t.LastStatus); err != nil {
		return nil, err
	}
	return TaskStateChange{
		Header:               h,
		TaskARN:              t.TaskArn,
		ClusterARN:           t.ClusterArn,
		ContainerInstanceARN: t.ContainerInstanceArn,
		LastStatus:           t.LastStatus,
		DesiredStatus:        t.DesiredStatus,
		Group:                t.Group,
		StartedBy:            t.StartedBy,
		StoppedReason:        t.StoppedReason,
		Version:              int64(t.Version),
	}, nil
}

// ecsContainerInstance is the part of an "ECS Container Instance State
// Change" detail (the ContainerInstance object) drainer reads.
type ecsContainerInstance struct {
	ContainerInstanceArn string `json:"containerInstanceArn"`
	ClusterArn           string `json:"clusterArn"`
	Ec2InstanceId        string `json:"ec2InstanceId"`
	Status               string `json:"status"`
	AgentConnected       bool   `json:"agentConnected"`
	RunningTasksCount    count  `json:"runningTasksCount"`
	PendingTasksCount    count  `json:"pendingTasksCount"`
	Version              count  `json:"version"`
}

// parseContainerInstanceChange reads an "ECS Container Instance State
// Change". The EC2 instance id is kept as sent: ECS Anywhere instances
// have "mi-" ids, which drainer leaves alone downstream.
func parseContainerInstanceChange(b []byte, h Header) (Notice, error) {
	var c ecsContainerInstance
	if err := decode(b, "detail", &c); err != nil {
		return nil, err
	}
	if err := required("containerInstanceArn", c.ContainerInstanceArn, "status", c.Status); err != nil {
		return nil, err
	}
	return ContainerInstanceStateChange{
		Header:               h,
		ContainerInstanceARN: c.ContainerInstanceArn,
		ClusterARN:           c.ClusterArn,
		InstanceID:           c.Ec2InstanceId,
		Status:               c.Status,
		AgentConnected:       c.AgentConnected,
		RunningTasksCount:    int64(c.RunningTasksCount),
		PendingTasksCount:    int64(c.PendingTasksCount),
		Version:              int64(c.Version),
	}, nil
}

// count is a non-negative integer sent as a JSON number, or as a string
// of one by lenient emitters.
type count int64

// UnmarshalJSON implements json.Unmarshaler.
func (c *count) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%s is not a count", quote(string(b)))
	}
	*c = count(n)
	return nil
}
