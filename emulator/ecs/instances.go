package ecs

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/ecsagent"
	"github.com/drainer-dev/drainer/emulator/core"
)

// ContainerInstance is a registered container instance. The exported fields
// are its wire shape, kept current; the world reads them as ground truth.
type ContainerInstance struct {
	ContainerInstanceArn string         `json:"containerInstanceArn"`
	Ec2InstanceId        string         `json:"ec2InstanceId"`
	CapacityProviderName string         `json:"capacityProviderName,omitempty"`
	Version              int64          `json:"version"`
	VersionInfo          *VersionInfo   `json:"versionInfo,omitempty"`
	RemainingResources   []Resource     `json:"remainingResources"`
	RegisteredResources  []Resource     `json:"registeredResources"`
	Status               string         `json:"status"`
	StatusReason         string         `json:"statusReason,omitempty"`
	AgentConnected       bool           `json:"agentConnected"`
	RunningTasksCount    int32          `json:"runningTasksCount"`
	PendingTasksCount    int32          `json:"pendingTasksCount"`
	Attributes           []Attribute    `json:"attributes,omitempty"`
	RegisteredAt         core.EpochTime `json:"registeredAt,omitzero"`
	// Tags are shown by DescribeContainerInstances with include TAGS only.
	Tags []Tag `json:"tags,omitzero"`

	// Host is the EC2 instance the agent runs on.
	Host HostInfo `json:"-"`

	id            string
	seq           int64
	cl            *cluster
	tasks         []*Task // visible tasks placed here (unordered; TasksOn sorts)
	cpuFree       int
	memFree       int
	enisUsed      int
	enisMax       int
	nonDaemonLive int // non-daemon tasks not yet STOPPED
	builtins      int // leading Attributes set by the agent
	inPool        bool
	poolMem       int // memFree when inserted in its pool
	interrupted   bool
	hostGone      bool
	stopTimeout   time.Duration // the agent's default container stop timeout
}

// AgentStopTimeout returns the stop timeout the instance's agent gives
// containers without a stopTimeout (see the function AgentStopTimeout).
func (ci *ContainerInstance) AgentStopTimeout() time.Duration { return ci.stopTimeout }

// RemainingCPU returns the CPU units not reserved by tasks.
func (ci *ContainerInstance) RemainingCPU() int { return ci.cpuFree }

// RemainingMemory returns the MiB not reserved by tasks.
func (ci *ContainerInstance) RemainingMemory() int { return ci.memFree }

// AgentStopTimeout returns the ECS agent's default stop timeout on a host
// with this user data (ecsagent.StopTimeout, the rule drainer reads it by
// too).
func AgentStopTimeout(userData string) time.Duration { return ecsagent.StopTimeout(userData) }

// host is an EC2 instance known to the agent side of the emulator.
type host struct {
	info        HostInfo
	cluster     string
	spotDrain   bool
	stopTimeout time.Duration // ECS_CONTAINER_STOP_TIMEOUT
	regTimer    clock.Timer
	ci          *ContainerInstance   // its latest registration
	cis         []*ContainerInstance // every registration, oldest first
	gone        bool

	drain        *managedDrain // ECS's managed draining hold, when terminating
	protecting   bool          // a managed protection change is scheduled
	protected    bool          // scale-in protection as ECS last set it
	protectedSet bool
}

var (
	reCluster   = regexp.MustCompile(`ECS_CLUSTER=["']?([A-Za-z0-9_-]+)`)
	reSpotDrain = regexp.MustCompile(`ECS_ENABLE_SPOT_INSTANCE_DRAINING=["']?true\b`)
	reArm       = regexp.MustCompile(`^[a-z]+[0-9]+[a-z]*g[a-z]*\.`)
)

// InstanceRunning tells the agent on an EC2 instance to start: it registers
// the container instance after AgentRegisterDelay (RegisterContainerInstance,
// as the agent calls it), retrying every minute while its cluster does not
// exist.
func (s *Service) InstanceRunning(h HostInfo) {
	if _, ok := s.hosts[h.EC2InstanceID]; ok {
		return
	}
	hs := &host{info: h, cluster: "default", stopTimeout: AgentStopTimeout(h.UserData)}
	if m := reCluster.FindStringSubmatch(h.UserData); m != nil {
		hs.cluster = m[1]
	}
	hs.spotDrain = reSpotDrain.MatchString(h.UserData)
	s.hosts[h.EC2InstanceID] = hs
	hs.regTimer = s.env.After(s.opts.AgentRegisterDelay, func() { s.register(hs) })
}

// register is the agent's first registration.
func (s *Service) register(hs *host) {
	hs.regTimer = nil
	if hs.gone {
		return
	}
	if _, err := s.RegisterContainerInstance(hs.registration()); err != nil {
		hs.regTimer = s.env.After(time.Minute, func() { s.register(hs) })
	}
}

// registration is the RegisterContainerInstance request the agent makes:
// the instance identity document, CPU (vCPU × 1024) and memory (the host's
// MiB less one sixteenth, for the OS and the agent), the agent's default
// reserved ports, and its version.
func (hs *host) registration() RegisterContainerInstanceInput {
	h := hs.info
	arch := "x86_64"
	if reArm.MatchString(h.InstanceType) {
		arch = "arm64"
	}
	doc, _ := json.Marshal(IdentityDocument{InstanceID: h.EC2InstanceID, InstanceType: h.InstanceType,
		AvailabilityZone: h.AZ, ImageID: h.AMI, Architecture: arch})
	return RegisterContainerInstanceInput{
		Cluster:                  hs.cluster,
		InstanceIdentityDocument: string(doc),
		TotalResources: []Resource{
			{Name: "CPU", Type: "INTEGER", IntegerValue: int32(h.VCPU * 1024)},
			{Name: "MEMORY", Type: "INTEGER", IntegerValue: int32(h.MemoryMiB - h.MemoryMiB/16)},
			{Name: "PORTS", Type: "STRINGSET", StringSetValue: []string{"22", "2375", "2376", "51678", "51679"}},
			{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}},
		},
		VersionInfo: &VersionInfo{AgentVersion: "1.89.1", AgentHash: "4f3d3a1c", DockerVersion: "DockerVersion: 25.0.6"},
		Attributes:  []Attribute{{Name: "ecs.os-type", Value: str("linux")}},
	}
}

// InstanceStopping tells the agent its host is shutting down: every task not
// STOPPED there stops at once (ENIs leaked), and the container instance is
// deregistered; services replace their tasks elsewhere. Earlier
// registrations of the host (an agent that registered again without its
// container instance ARN) go the same way.
func (s *Service) InstanceStopping(ec2ID string) {
	hs := s.hosts[ec2ID]
	if hs == nil || hs.gone {
		return
	}
	hs.gone = true
	if md := hs.drain; md != nil && !md.done {
		md.done = true
		if md.heartbeat != nil {
			md.heartbeat.Stop()
		}
	}
	if hs.regTimer != nil {
		hs.regTimer.Stop()
		hs.regTimer = nil
	}
	for _, ci := range hs.cis {
		ci.hostGone = true
		code := "TerminationNotice"
		if ci.interrupted {
			code = "SpotInterruption"
		}
		reason := "Host EC2 (instance " + ec2ID + ") terminated."
		for _, t := range append([]*Task(nil), ci.tasks...) {
			if t.LastStatus != StatusStopped {
				s.hostKill(t, code, reason)
			}
		}
		if ci.Status != "INACTIVE" {
			s.setCIState(ci, func() { ci.Status = "INACTIVE"; ci.AgentConnected = false })
		}
	}
}

// SpotInterruption delivers a Spot interruption notice to the agent: with
// ECS_ENABLE_SPOT_INSTANCE_DRAINING=true it sets its instance DRAINING.
func (s *Service) SpotInterruption(ec2ID string) {
	hs := s.hosts[ec2ID]
	if hs == nil || hs.ci == nil {
		return
	}
	hs.ci.interrupted = true
	if hs.spotDrain && hs.ci.Status == "ACTIVE" && hs.ci.AgentConnected {
		s.setCIState(hs.ci, func() { hs.ci.Status = "DRAINING" })
	}
}

// DisconnectAgent disconnects the agent of an EC2 instance: nothing on it
// makes progress and nothing is placed there until ReconnectAgent.
func (s *Service) DisconnectAgent(ec2ID string) error {
	ci := s.ContainerInstanceByEC2(ec2ID)
	if ci == nil || ci.Status == "INACTIVE" {
		return invalid("No registered container instance for %s.", ec2ID)
	}
	if ci.AgentConnected {
		s.setCIState(ci, func() { ci.AgentConnected = false })
	}
	return nil
}

// ReconnectAgent reconnects the agent; work that waited resumes now.
func (s *Service) ReconnectAgent(ec2ID string) error {
	ci := s.ContainerInstanceByEC2(ec2ID)
	if ci == nil || ci.Status == "INACTIVE" {
		return invalid("No registered container instance for %s.", ec2ID)
	}
	if ci.AgentConnected {
		return nil
	}
	s.setCIState(ci, func() { ci.AgentConnected = true })
	s.resumeParked(ci)
	return nil
}

// resumeParked runs the task steps that waited for ci's agent.
func (s *Service) resumeParked(ci *ContainerInstance) {
	for _, t := range append([]*Task(nil), ci.tasks...) {
		if fns := t.parked; len(fns) > 0 {
			t.parked = nil
			for _, f := range fns {
				f()
			}
		}
	}
}

// setCIState applies a status or agent change to a container instance,
// keeping every index and counter that depends on it right, then publishes
// it and wakes the schedulers it concerns.
func (s *Service) setCIState(ci *ContainerInstance, f func()) {
	wasActive := ci.Status == "ACTIVE"
	tasks := ci.tasks
	for _, t := range tasks {
		s.account(t, -1)
	}
	f()
	for _, t := range tasks {
		s.account(t, +1)
	}
	if isActive := ci.Status == "ACTIVE"; isActive != wasActive {
		if isActive {
			ci.cl.active++
		} else {
			ci.cl.active--
		}
	}
	if ci.Status == "ACTIVE" && ci.AgentConnected {
		s.poolAdd(ci)
	} else {
		s.poolRemove(ci)
	}
	ci.Version++
	s.ciChanged(ci)
	// Services with tasks here may now need to replace them (or no longer).
	seen := map[*ECSService]bool{}
	for _, t := range tasks {
		if t.svc != nil && !seen[t.svc] {
			seen[t.svc] = true
			s.kick(t.svc)
		}
	}
	s.capacityChanged(ci.cl, ci)
}

// ciChanged publishes a container instance change. The event's detail is
// the container instance with its cluster's ARN, which the API's shape
// lacks and the event carries ("Amazon ECS container instance state
// change events", Amazon ECS Developer Guide,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html):
// a rule narrowed to clusters matches on detail.clusterArn.
func (s *Service) ciChanged(ci *ContainerInstance) {
	if s.events != nil {
		detail := struct {
			ContainerInstance
			ClusterArn string `json:"clusterArn"`
		}{ci.snapshot(), ci.cl.ClusterArn}
		s.events.Emit(core.Event{Source: "aws.ecs", DetailType: "ECS Container Instance State Change",
			Resources: []string{ci.ContainerInstanceArn}, Detail: detail})
	}
	for _, fn := range s.ciObs {
		fn(ci)
	}
}

// snapshot returns a copy safe to hand out.
func (ci *ContainerInstance) snapshot() ContainerInstance {
	out := *ci
	out.RemainingResources = append([]Resource(nil), ci.RemainingResources...)
	out.RegisteredResources = append([]Resource(nil), ci.RegisteredResources...)
	out.Attributes = append([]Attribute(nil), ci.Attributes...)
	out.Tags = nil // DescribeContainerInstances adds them with include TAGS
	if ci.VersionInfo != nil {
		v := *ci.VersionInfo
		out.VersionInfo = &v
	}
	out.tasks = nil
	return out
}

// enisBySize approximates network interfaces per instance size (m5 family).
var enisBySize = map[string]int{
	"nano": 2, "micro": 2, "small": 3, "medium": 3, "large": 3, "xlarge": 4, "2xlarge": 4,
	"4xlarge": 8, "8xlarge": 8, "9xlarge": 8, "12xlarge": 8, "16xlarge": 15, "18xlarge": 15,
	"24xlarge": 15, "32xlarge": 15, "48xlarge": 15, "metal": 15,
}

// taskENIs is how many awsvpc tasks an instance type can hold without ENI
// trunking: its network interfaces minus the primary one.
func taskENIs(instanceType string) int {
	size := instanceType
	if i := strings.IndexByte(size, '.'); i >= 0 {
		size = size[i+1:]
	}
	enis := enisBySize[size]
	if enis == 0 {
		enis = 3
	}
	return enis - 1
}
