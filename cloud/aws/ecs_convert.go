package aws

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
)

// containerInstanceFrom converts the SDK's container instance.
func containerInstanceFrom(ci ecstypes.ContainerInstance) cloud.ContainerInstance {
	out := cloud.ContainerInstance{
		ARN:              aws.ToString(ci.ContainerInstanceArn),
		EC2InstanceID:    aws.ToString(ci.Ec2InstanceId),
		Status:           cloud.ContainerInstanceStatus(aws.ToString(ci.Status)),
		StatusReason:     aws.ToString(ci.StatusReason),
		AgentConnected:   ci.AgentConnected,
		RunningTasks:     int(ci.RunningTasksCount),
		Version:          ci.Version,
		PendingTasks:     int(ci.PendingTasksCount),
		CapacityProvider: aws.ToString(ci.CapacityProviderName),
		RegisteredAt:     aws.ToTime(ci.RegisteredAt),
		Attributes:       make(map[string]string, len(ci.Attributes)),
	}
	for _, a := range ci.Attributes {
		out.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	// "" for an ARN of the old format, which does not name its cluster.
	out.ClusterARN, _ = awsid.ClusterARNOf(out.ARN)
	return out
}

// serviceOfGroup returns the service name of a task group "service:NAME".
func serviceOfGroup(group string) (string, bool) {
	name, ok := strings.CutPrefix(group, "service:")
	return name, ok && name != ""
}

// classify says who handles a task in a drain: a task of a service is a
// daemon task when that service is DAEMON, else a service task; any other
// task was started by RunTask/StartTask and is standalone.
func classify(group string, isDaemon func(service string) bool) cloud.TaskClass {
	name, ok := serviceOfGroup(group)
	switch {
	case !ok:
		return cloud.TaskStandalone
	case isDaemon(name):
		return cloud.TaskDaemon
	default:
		return cloud.TaskService
	}
}

// stopTimeoutOf is the time a task of td needs from SIGTERM to certainly
// stopped: the longest container stopTimeout, the agent's default for
// containers that set none.
func stopTimeoutOf(td *ecstypes.TaskDefinition) stopTime {
	if td == nil || len(td.ContainerDefinitions) == 0 {
		return stopTime{cloud.DefaultStopTimeout, true}
	}
	st := stopTime{}
	for _, c := range td.ContainerDefinitions {
		d := cloud.DefaultStopTimeout
		if c.StopTimeout != nil && *c.StopTimeout > 0 {
			d = time.Duration(*c.StopTimeout) * time.Second
		} else {
			st.agent = true
		}
		st.d = max(st.d, d)
	}
	return st
}

// stopTime is what a task definition says of its tasks' stop: the longest
// container stop timeout (DefaultStopTimeout for containers that set none),
// and whether a container sets none (the agent's own stop timeout applies
// to it: cloud.Task.AgentStopTimeout).
type stopTime struct {
	d     time.Duration
	agent bool
}

// enisOf returns the network interface ids of a task's awsvpc attachments.
func enisOf(atts []ecstypes.Attachment) []string {
	var ids []string
	for _, a := range atts {
		if aws.ToString(a.Type) != "ElasticNetworkInterface" && aws.ToString(a.Type) != "eni" {
			continue
		}
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "networkInterfaceId" && aws.ToString(d.Value) != "" {
				ids = append(ids, aws.ToString(d.Value))
			}
		}
	}
	return ids
}

// taskFrom converts the SDK's task; the caller fills Class and StopTimeout.
func taskFrom(t ecstypes.Task) cloud.Task {
	out := cloud.Task{
		ARN:                  aws.ToString(t.TaskArn),
		ClusterARN:           aws.ToString(t.ClusterArn),
		ContainerInstanceARN: aws.ToString(t.ContainerInstanceArn),
		TaskDefinitionARN:    aws.ToString(t.TaskDefinitionArn),
		LastStatus:           aws.ToString(t.LastStatus),
		DesiredStatus:        aws.ToString(t.DesiredStatus),
		Group:                aws.ToString(t.Group),
		StartedBy:            aws.ToString(t.StartedBy),
		ENIs:                 enisOf(t.Attachments),
		CreatedAt:            aws.ToTime(t.CreatedAt),
		StartedAt:            aws.ToTime(t.StartedAt),
		StoppingAt:           aws.ToTime(t.StoppingAt),
		StoppedAt:            aws.ToTime(t.StoppedAt),
		StoppedReason:        aws.ToString(t.StoppedReason),
	}
	if name, ok := serviceOfGroup(out.Group); ok {
		out.Service = name
	}
	return out
}

// serviceFrom converts the SDK's service.
func serviceFrom(s ecstypes.Service) cloud.Service {
	out := cloud.Service{
		ARN:          aws.ToString(s.ServiceArn),
		Name:         aws.ToString(s.ServiceName),
		ClusterARN:   aws.ToString(s.ClusterArn),
		Status:       aws.ToString(s.Status),
		Daemon:       s.SchedulingStrategy == ecstypes.SchedulingStrategyDaemon,
		DesiredCount: int(s.DesiredCount),
		RunningCount: int(s.RunningCount),
		PendingCount: int(s.PendingCount),
		// ECS's defaults when a service sets none: 100/200 for replicas,
		// 0/100 for daemons.
		MinimumHealthyPercent: 100,
		MaximumPercent:        200,
	}
	if out.Daemon {
		out.MinimumHealthyPercent, out.MaximumPercent = 0, 100
	}
	if dc := s.DeploymentConfiguration; dc != nil {
		if dc.MinimumHealthyPercent != nil {
			out.MinimumHealthyPercent = int(*dc.MinimumHealthyPercent)
		}
		if dc.MaximumPercent != nil {
			out.MaximumPercent = int(*dc.MaximumPercent)
		}
	}
	return out
}

// serviceKey names a service within the Client's cache: its cluster ARN
// and name together identify it whichever ARN format the account uses.
func serviceKey(clusterARN, name string) string { return clusterARN + "|" + name }
