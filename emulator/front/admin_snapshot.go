package front

import (
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
)

// snapshot is the whole world as the dashboard and tests see it: what the
// EC2, Auto Scaling and ECS consoles and the SQS queue list show.
type snapshot struct {
	Time      time.Time      `json:"time"`
	Instances []snapInstance `json:"instances"`
	Groups    []snapGroup    `json:"groups"`
	Clusters  []snapCluster  `json:"clusters"`
	Queues    []snapQueue    `json:"queues"`
}

type snapInstance struct {
	InstanceID   string    `json:"instanceId"`
	InstanceType string    `json:"instanceType"`
	AZ           string    `json:"availabilityZone"`
	State        string    `json:"state"`
	StateReason  string    `json:"stateReason,omitempty"`
	Spot         bool      `json:"spot"`
	LaunchTime   time.Time `json:"launchTime"`
	Group        string    `json:"group,omitempty"`
}

type snapGroup struct {
	Name      string              `json:"name"`
	Min       int32               `json:"min"`
	Max       int32               `json:"max"`
	Desired   int32               `json:"desired"`
	Instances []snapGroupInstance `json:"instances"`
}

type snapGroupInstance struct {
	InstanceID           string   `json:"instanceId"`
	AZ                   string   `json:"availabilityZone"`
	LifecycleState       string   `json:"lifecycleState"`
	HealthStatus         string   `json:"healthStatus"`
	ProtectedFromScaleIn bool     `json:"protectedFromScaleIn"`
	PendingHooks         []string `json:"pendingHooks,omitempty"`
}

type snapCluster struct {
	Name               string                  `json:"name"`
	ContainerInstances []snapContainerInstance `json:"containerInstances"`
	Services           []snapService           `json:"services"`
	Tasks              []snapTask              `json:"tasks"`
}

type snapContainerInstance struct {
	Arn            string `json:"containerInstanceArn"`
	EC2InstanceID  string `json:"ec2InstanceId"`
	Status         string `json:"status"`
	AgentConnected bool   `json:"agentConnected"`
	RunningTasks   int32  `json:"runningTasksCount"`
	PendingTasks   int32  `json:"pendingTasksCount"`
}

type snapService struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	Scheduling string `json:"schedulingStrategy"`
	Desired    int32  `json:"desired"`
	Running    int32  `json:"running"`
	Pending    int32  `json:"pending"`
	Healthy    int    `json:"healthy"`
}

type snapTask struct {
	Arn                  string `json:"taskArn"`
	ContainerInstanceArn string `json:"containerInstanceArn,omitempty"`
	Group                string `json:"group,omitempty"`
	LastStatus           string `json:"lastStatus"`
	DesiredStatus        string `json:"desiredStatus"`
	HealthStatus         string `json:"healthStatus,omitempty"`
	Class                string `json:"class"`
	StoppedReason        string `json:"stoppedReason,omitempty"`
}

type snapQueue struct {
	URL      string `json:"queueUrl"`
	Visible  int    `json:"visible"`
	InFlight int    `json:"inFlight"`
	Delayed  int    `json:"delayed"`
}

// getSnapshot: GET /_emulator/snapshot, read under the world lock through
// the services' read accessors (no API call, nothing in the call log).
func (h *Handler) getSnapshot(rw http.ResponseWriter, r *http.Request) error {
	var s snapshot
	h.w.Do(func() { s = h.snapshot() })
	return ok(rw, s)
}

// snapshot runs under the world lock.
func (h *Handler) snapshot() snapshot {
	w := h.w
	s := snapshot{
		Time:      w.Now(),
		Instances: []snapInstance{},
		Groups:    []snapGroup{},
		Clusters:  []snapCluster{},
		Queues:    []snapQueue{},
	}
	for _, in := range w.EC2.Instances() {
		g, _ := w.AutoScaling.GroupOf(in.ID)
		s.Instances = append(s.Instances, snapInstance{
			InstanceID: in.ID, InstanceType: in.InstanceType, AZ: in.AZ, State: string(in.State),
			StateReason: in.StateReason, Spot: in.Spot, LaunchTime: in.LaunchTime, Group: g,
		})
	}
	for _, name := range w.AutoScaling.GroupNames() {
		out, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
		if err != nil || len(out.AutoScalingGroups) == 0 {
			continue
		}
		g := out.AutoScalingGroups[0]
		sg := snapGroup{Name: name, Min: g.MinSize, Max: g.MaxSize, Desired: g.DesiredCapacity, Instances: []snapGroupInstance{}}
		for _, in := range g.Instances {
			gi := snapGroupInstance{InstanceID: in.InstanceId, AZ: in.AvailabilityZone, LifecycleState: in.LifecycleState,
				HealthStatus: in.HealthStatus, ProtectedFromScaleIn: in.ProtectedFromScaleIn}
			for _, a := range w.AutoScaling.LifecycleActions(in.InstanceId) {
				gi.PendingHooks = append(gi.PendingHooks, a.LifecycleHookName)
			}
			sg.Instances = append(sg.Instances, gi)
		}
		s.Groups = append(s.Groups, sg)
	}
	for _, name := range w.ECS.ClusterNames() {
		s.Clusters = append(s.Clusters, h.snapCluster(name))
	}
	for _, url := range w.SQS.QueueURLs() {
		v, f, d := w.SQS.Depth(url)
		s.Queues = append(s.Queues, snapQueue{URL: url, Visible: v, InFlight: f, Delayed: d})
	}
	return s
}

func (h *Handler) snapCluster(name string) snapCluster {
	e := h.w.ECS
	c := snapCluster{Name: name, ContainerInstances: []snapContainerInstance{}, Services: []snapService{}, Tasks: []snapTask{}}
	for _, ci := range e.ContainerInstances(name) {
		c.ContainerInstances = append(c.ContainerInstances, snapContainerInstance{
			Arn: ci.ContainerInstanceArn, EC2InstanceID: ci.Ec2InstanceId, Status: ci.Status,
			AgentConnected: ci.AgentConnected, RunningTasks: ci.RunningTasksCount, PendingTasks: ci.PendingTasksCount,
		})
	}
	for _, svc := range e.Services(name) {
		c.Services = append(c.Services, snapService{
			Name: svc.ServiceName, Status: svc.Status, Scheduling: svc.SchedulingStrategy,
			Desired: svc.DesiredCount, Running: svc.RunningCount, Pending: svc.PendingCount,
			Healthy: e.HealthyCount(name, svc.ServiceName),
		})
	}
	for _, t := range e.Tasks(name) {
		c.Tasks = append(c.Tasks, snapTask{
			Arn: t.TaskArn, ContainerInstanceArn: t.ContainerInstanceArn, Group: t.Group,
			LastStatus: t.LastStatus, DesiredStatus: t.DesiredStatus, HealthStatus: t.HealthStatus,
			Class: e.TaskClass(t), StoppedReason: t.StoppedReason,
		})
	}
	return c
}
