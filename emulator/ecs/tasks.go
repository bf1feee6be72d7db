package ecs

import (
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// Task statuses, in the order a task walks them.
const (
	StatusProvisioning   = "PROVISIONING"
	StatusPending        = "PENDING"
	StatusActivating     = "ACTIVATING"
	StatusRunning        = "RUNNING"
	StatusDeactivating   = "DEACTIVATING"
	StatusStopping       = "STOPPING"
	StatusDeprovisioning = "DEPROVISIONING"
	StatusStopped        = "STOPPED"
)

// Task is one ECS task. The exported fields are its wire shape, kept
// current; the world reads them as ground truth and must not modify them.
type Task struct {
	Attachments          []Attachment   `json:"attachments,omitempty"`
	AvailabilityZone     string         `json:"availabilityZone,omitempty"`
	CapacityProviderName string         `json:"capacityProviderName,omitempty"`
	ClusterArn           string         `json:"clusterArn"`
	Connectivity         string         `json:"connectivity,omitempty"`
	ConnectivityAt       core.EpochTime `json:"connectivityAt,omitzero"`
	ContainerInstanceArn string         `json:"containerInstanceArn,omitempty"`
	Containers           []Container    `json:"containers"`
	Cpu                  string         `json:"cpu,omitempty"`
	CreatedAt            core.EpochTime `json:"createdAt,omitzero"`
	DesiredStatus        string         `json:"desiredStatus"`
	ExecutionStoppedAt   core.EpochTime `json:"executionStoppedAt,omitzero"`
	Group                string         `json:"group,omitempty"`
	HealthStatus         string         `json:"healthStatus,omitempty"`
	LastStatus           string         `json:"lastStatus"`
	LaunchType           string         `json:"launchType,omitempty"`
	Memory               string         `json:"memory,omitempty"`
	PullStartedAt        core.EpochTime `json:"pullStartedAt,omitzero"`
	PullStoppedAt        core.EpochTime `json:"pullStoppedAt,omitzero"`
	StartedAt            core.EpochTime `json:"startedAt,omitzero"`
	StartedBy            string         `json:"startedBy,omitempty"`
	StopCode             string         `json:"stopCode,omitempty"`
	StoppedAt            core.EpochTime `json:"stoppedAt,omitzero"`
	StoppedReason        string         `json:"stoppedReason,omitempty"`
	StoppingAt           core.EpochTime `json:"stoppingAt,omitzero"`
	TaskArn              string         `json:"taskArn"`
	TaskDefinitionArn    string         `json:"taskDefinitionArn"`
	Version              int64          `json:"version"`
	// Tags are shown by RunTask and StartTask, and by DescribeTasks with
	// include TAGS only.
	Tags []Tag `json:"tags,omitzero"`

	// Orphaned is ground truth: the task's container instance was
	// deregistered with force while it ran; its service no longer counts it.
	Orphaned bool `json:"-"`

	id      string
	seq     int64
	cl      *cluster
	ci      *ContainerInstance
	td      *TaskDefinition
	svc     *ECSService
	dep     *Deployment
	eni     string
	healthy bool
	stuck   bool
	removed bool

	timer       clock.Timer // next step of the status sequence (or the self-exit)
	healthTimer clock.Timer
	protect     protection // scale-in protection
	parked      []func()   // steps waiting for the agent to reconnect

	ciIdx   int // position in ci.tasks, -1 when not there
	liveIdx int // position in svc.live
	replIdx int // position in svc.replace
}

// Healthy reports whether the task counts as healthy for its service.
func (t *Task) Healthy() bool {
	return t.DesiredStatus == StatusRunning && t.LastStatus == StatusRunning && t.healthy
}

// ContainerInstance returns the instance the task was placed on.
func (t *Task) ContainerInstance() *ContainerInstance { return t.ci }

// ServiceName returns the task's service name, or "" for standalone tasks.
func (t *Task) ServiceName() string {
	if t.svc == nil {
		return ""
	}
	return t.svc.ServiceName
}

func isPending(status string) bool {
	return status == StatusProvisioning || status == StatusPending || status == StatusActivating
}

// live reports whether the task holds resources (placed and not STOPPED).
func (t *Task) live() bool { return t.LastStatus != "" && t.LastStatus != StatusStopped }

// needsReplacing reports whether the service scheduler must replace the task.
func (t *Task) needsReplacing() bool {
	return t.ci.Status == "DRAINING" || t.dep != t.svc.primary()
}

// account adds (sign +1) or removes (sign −1) the task's contribution to
// every counter and index derived from its state. Every change of state goes
// between account(t, −1) and account(t, +1), so counters stay exact.
func (s *Service) account(t *Task, sign int) {
	ci, cl := t.ci, t.cl
	live, pending, running := t.live(), isPending(t.LastStatus), t.LastStatus == StatusRunning
	if live {
		ci.cpuFree -= sign * t.td.cpu
		ci.memFree -= sign * t.td.mem
		if t.eniSlot() {
			ci.enisUsed += sign
		}
		if t.svc == nil || !t.svc.daemon {
			ci.nonDaemonLive += sign
		}
	}
	if pending {
		ci.PendingTasksCount += int32(sign)
		cl.pending += int32(sign)
	}
	if running {
		ci.RunningTasksCount += int32(sign)
		cl.running += int32(sign)
	}
	svc := t.svc
	if svc == nil || t.Orphaned {
		return
	}
	active := live && t.DesiredStatus == StatusRunning
	if pending || running {
		svc.upOrStarting += sign
	}
	if live {
		svc.counted += sign
		t.dep.live += sign
		if sign > 0 {
			svc.live.add(t, &t.liveIdx)
		} else {
			svc.live.remove(t, &t.liveIdx, func(x *Task) *int { return &x.liveIdx })
		}
	}
	if active {
		svc.active += sign
		svc.azCount[t.AvailabilityZone] += sign
		svc.ciCount[ci] += sign
		if svc.ciCount[ci] == 0 {
			delete(svc.ciCount, ci)
		}
		if running && t.healthy {
			svc.healthy += sign
		}
		if !svc.daemon && sign > 0 && t.needsReplacing() {
			svc.replace.add(t, &t.replIdx)
		}
	}
	if sign < 0 && t.replIdx >= 0 {
		svc.replace.remove(t, &t.replIdx, func(x *Task) *int { return &x.replIdx })
	}
	if pending {
		t.dep.PendingCount += int32(sign)
		svc.PendingCount += int32(sign)
	}
	if running {
		t.dep.RunningCount += int32(sign)
		svc.RunningCount += int32(sign)
	}
}

// eniSlot reports whether the task uses one of its instance's task ENIs.
func (t *Task) eniSlot() bool { return t.td.NetworkMode == "awsvpc" }

// update applies f to the task between the two halves of account, bumps its
// version, publishes status changes and wakes whoever depends on it.
func (s *Service) update(t *Task, f func()) {
	fromLast, fromDesired, fromHealthy := t.LastStatus, t.DesiredStatus, t.healthy
	mem, cpu := t.ci.memFree, t.ci.cpuFree
	s.account(t, -1)
	f()
	s.account(t, +1)
	t.Version++
	ci := t.ci
	if ci.memFree != mem || ci.cpuFree != cpu {
		ci.RemainingResources[0].IntegerValue = int32(ci.cpuFree)
		ci.RemainingResources[1].IntegerValue = int32(ci.memFree)
		ci.Version++
		s.poolMove(ci)
	}
	statusChanged := t.LastStatus != fromLast || t.DesiredStatus != fromDesired
	if statusChanged && s.events != nil {
		s.events.Emit(core.Event{Source: "aws.ecs", DetailType: "ECS Task State Change",
			Resources: []string{t.TaskArn}, Detail: t.snapshot()})
	}
	// Observers also hear of a task becoming healthy (no AWS event says
	// so for load balancer health), so healthy counts over time are exact.
	if statusChanged || t.healthy != fromHealthy {
		for _, fn := range s.taskObs {
			fn(t, fromLast, fromDesired)
		}
	}
	if t.svc != nil && !t.Orphaned {
		if t.svc.daemon {
			s.kickDaemon(t.svc, ci)
		} else {
			s.kick(t.svc)
		}
	}
	if t.live() != (fromLast != "" && fromLast != StatusStopped) {
		s.managedTaskChanged(ci)
	}
	if t.LastStatus == StatusStopped && fromLast != StatusStopped {
		if ci.Status == "DRAINING" && ci.nonDaemonLive == 0 {
			for _, d := range t.cl.daemons {
				s.kickDaemon(d, ci)
			}
		}
		s.capacityChanged(t.cl, ci)
	}
}

// snapshot returns a copy of the task safe to hand out.
func (t *Task) snapshot() Task {
	out := *t
	out.Containers = append([]Container(nil), t.Containers...)
	out.Attachments = append([]Attachment(nil), t.Attachments...)
	out.Tags = nil
	out.timer, out.healthTimer, out.parked = nil, nil, nil
	out.protect = protection{}
	return out
}

// later runs step d from now unless the task's agent is disconnected then,
// in which case the step waits for ReconnectAgent.
func (s *Service) later(t *Task, d time.Duration, step func()) clock.Timer {
	var tm clock.Timer
	tm = s.env.After(d, func() {
		if t.timer == tm {
			t.timer = nil
		}
		if t.healthTimer == tm {
			t.healthTimer = nil
		}
		s.whenConnected(t, step)
	})
	return tm
}

func (s *Service) whenConnected(t *Task, step func()) {
	if t.LastStatus == StatusStopped {
		return
	}
	if !t.ci.AgentConnected && !t.ci.hostGone {
		t.parked = append(t.parked, step)
		return
	}
	step()
}

func (t *Task) cancelTimers() {
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if t.healthTimer != nil {
		t.healthTimer.Stop()
		t.healthTimer = nil
	}
	t.parked = nil
}

// newTask creates a task on ci and starts it (PROVISIONING).
func (s *Service) newTask(cl *cluster, ci *ContainerInstance, td *TaskDefinition, svc *ECSService, group, startedBy string) *Task {
	id := s.env.Hex(32)
	now := core.Epoch(s.env.Now())
	t := &Task{
		AvailabilityZone:     ci.Host.AZ,
		CapacityProviderName: ci.CapacityProviderName,
		ClusterArn:           cl.ClusterArn,
		ContainerInstanceArn: ci.ContainerInstanceArn,
		Cpu:                  itoa(td.cpu),
		Memory:               itoa(td.mem),
		CreatedAt:            now,
		DesiredStatus:        StatusRunning,
		Group:                group,
		HealthStatus:         "UNKNOWN",
		LaunchType:           "EC2",
		StartedBy:            startedBy,
		TaskArn:              s.env.ARN("ecs", "task/"+cl.name+"/"+id),
		TaskDefinitionArn:    td.TaskDefinitionArn,
		id:                   id,
		seq:                  s.nextSeq(),
		cl:                   cl,
		ci:                   ci,
		td:                   td,
		svc:                  svc,
		ciIdx:                -1,
		liveIdx:              -1,
		replIdx:              -1,
	}
	if t.CapacityProviderName != "" {
		t.LaunchType = ""
	}
	if svc != nil {
		t.dep = svc.primary()
	}
	t.Containers = make([]Container, len(td.ContainerDefinitions))
	for i, cd := range td.ContainerDefinitions {
		t.Containers[i] = Container{
			ContainerArn: s.env.ARN("ecs", "container/"+cl.name+"/"+id+"/"+s.env.UUID()),
			TaskArn:      t.TaskArn,
			Name:         cd.Name,
			Image:        cd.Image,
			LastStatus:   StatusPending,
			HealthStatus: "UNKNOWN",
		}
	}
	s.taskByID[id] = t
	cl.addTask(t)
	t.ciIdx = len(ci.tasks)
	ci.tasks = append(ci.tasks, t)
	s.update(t, func() { t.LastStatus = StatusProvisioning })
	s.provision(t)
	return t
}

// provision attaches the ENI of an awsvpc task and schedules the start.
func (s *Service) provision(t *Task) {
	if t.eniSlot() && s.opts.Network != nil {
		eni, err := s.opts.Network.Attach(t.ci.Ec2InstanceId, "arn:aws:ecs:"+s.env.Region+":attachment/"+t.id)
		if err != nil {
			s.update(t, func() {
				t.DesiredStatus = StatusStopped
				t.StopCode = "TaskFailedToStart"
				t.StoppedReason = "ResourceInitializationError: failed to attach network interface: " + err.Error()
				t.StoppingAt = core.Epoch(s.env.Now())
			})
			s.finish(t)
			return
		}
		t.eni = eni
		t.Attachments = []Attachment{{
			Id: s.env.UUID(), Type: "ElasticNetworkInterface", Status: "PRECREATED",
			Details: []KeyValuePair{
				{Name: "subnetId", Value: "subnet-" + t.ci.Host.AZ},
				{Name: "networkInterfaceId", Value: eni},
				{Name: "macAddress", Value: "0a:00:00:00:00:01"},
				{Name: "privateIPv4Address", Value: "10.0.0.1"},
			},
		}}
	}
	start := t.td.timings.Start
	p1, p2 := start/4, start/2
	p3 := start - p1 - p2
	t.timer = s.later(t, p1, func() {
		s.update(t, func() {
			t.LastStatus = StatusPending
			t.PullStartedAt = core.Epoch(s.env.Now())
			if len(t.Attachments) > 0 {
				t.Attachments[0].Status = "ATTACHED"
			}
		})
		t.timer = s.later(t, p2, func() {
			s.update(t, func() { t.LastStatus = StatusActivating; t.PullStoppedAt = core.Epoch(s.env.Now()) })
			t.timer = s.later(t, p3, func() { s.toRunning(t) })
		})
	})
}

func (s *Service) toRunning(t *Task) {
	healthy := healthDelay(t.td, t.svc)
	now := core.Epoch(s.env.Now())
	s.update(t, func() {
		t.LastStatus = StatusRunning
		t.StartedAt = now
		t.Connectivity, t.ConnectivityAt = "CONNECTED", now
		for i := range t.Containers {
			t.Containers[i].LastStatus = StatusRunning
		}
		if healthy == 0 {
			t.becomeHealthy()
		}
	})
	if healthy > 0 {
		t.healthTimer = s.later(t, healthy, func() {
			if t.LastStatus == StatusRunning {
				s.update(t, t.becomeHealthy)
			}
		})
	}
	if run := t.td.timings.Run; run > 0 {
		t.timer = s.later(t, run, func() { s.exited(t) })
	}
}

// becomeHealthy marks the task healthy for its service; containers with a
// health check (and the task, when every essential container has one)
// report HEALTHY, the others stay UNKNOWN (Task.healthStatus and
// HealthCheck, Amazon ECS API Reference).
func (t *Task) becomeHealthy() {
	t.healthy = true
	if t.td.healthCheck == 0 {
		return
	}
	for i, cd := range t.td.ContainerDefinitions {
		if cd.HealthCheck != nil {
			t.Containers[i].HealthStatus = "HEALTHY"
		}
	}
	if t.td.allChecked {
		t.HealthStatus = "HEALTHY"
	}
}

// exited: the essential container exited by itself with code 0.
func (s *Service) exited(t *Task) {
	if t.DesiredStatus == StatusStopped {
		return
	}
	s.update(t, func() {
		t.DesiredStatus = StatusStopped
		t.StopCode = "EssentialContainerExited"
		t.StoppedReason = "Essential container in task exited"
		t.StoppingAt = core.Epoch(s.env.Now())
	})
	s.containersExited(t, 0)
}

// stopTask asks a task to stop (idempotent) and starts its stop sequence.
func (s *Service) stopTask(t *Task, code, reason string) {
	if t.DesiredStatus == StatusStopped || t.LastStatus == StatusStopped {
		return
	}
	s.update(t, func() {
		t.DesiredStatus = StatusStopped
		t.StopCode = code
		t.StoppedReason = reason
		t.StoppingAt = core.Epoch(s.env.Now())
	})
	if t.ci.hostGone {
		return
	}
	if !t.ci.AgentConnected {
		t.cancelTimers()
		t.parked = []func(){func() { s.advanceStop(t) }}
		return
	}
	s.advanceStop(t)
}

// advanceStop moves a task that should stop along from where it is.
func (s *Service) advanceStop(t *Task) {
	switch t.LastStatus {
	case StatusProvisioning, StatusPending, StatusActivating:
		t.cancelTimers()
		s.containersExited(t, -1)
	case StatusRunning:
		t.cancelTimers()
		if t.svc != nil && len(t.svc.LoadBalancers) > 0 && !t.Orphaned {
			s.update(t, func() { t.LastStatus = StatusDeactivating })
			t.timer = s.later(t, s.opts.DeregistrationDelay, func() { s.sigterm(t) })
			return
		}
		s.sigterm(t)
	}
}

// sigterm sends SIGTERM; the container exits after the task's stop time, or
// is SIGKILLed (exit code 137) at its stopTimeout.
func (s *Service) sigterm(t *Task) {
	s.update(t, func() { t.LastStatus = StatusStopping })
	if t.stuck || s.env.Chance(s.faults.StuckStoppingRate) {
		t.stuck = true
		return
	}
	d, code := t.td.timings.Stop, 0
	if timeout := t.stopTimeout(); d > timeout {
		d, code = timeout, 137
	}
	t.timer = s.later(t, d, func() { s.containersExited(t, code) })
}

// containersExited moves the task to DEPROVISIONING (exitCode < 0: the
// containers never ran) and detaches its ENI.
func (s *Service) containersExited(t *Task, exitCode int) {
	leak := t.eni != "" && s.env.Chance(s.faults.LeakENIRate)
	s.update(t, func() {
		t.LastStatus = StatusDeprovisioning
		t.ExecutionStoppedAt = core.Epoch(s.env.Now())
		for i := range t.Containers {
			c := &t.Containers[i]
			if exitCode >= 0 && c.LastStatus == StatusRunning {
				c.ExitCode = i32(int32(exitCode))
			}
			c.LastStatus = StatusStopped
		}
		if len(t.Attachments) > 0 {
			t.Attachments[0].Status = "DELETED"
		}
	})
	delay := time.Duration(0)
	if t.eni != "" {
		s.opts.Network.Detach(t.eni, leak)
		delay = time.Second
	}
	t.timer = s.later(t, delay, func() { s.finish(t) })
}

// finish marks the task STOPPED and schedules its disappearance.
func (s *Service) finish(t *Task) {
	s.update(t, func() {
		t.LastStatus = StatusStopped
		t.StoppedAt = core.Epoch(s.env.Now())
		for i := range t.Containers {
			t.Containers[i].LastStatus = StatusStopped
		}
	})
	s.retire(t)
}

// hostKill stops a task at once because its host went away.
func (s *Service) hostKill(t *Task, code, reason string) {
	t.cancelTimers()
	now := core.Epoch(s.env.Now())
	s.update(t, func() {
		if t.DesiredStatus != StatusStopped {
			t.DesiredStatus = StatusStopped
			t.StopCode = code
			t.StoppedReason = reason
			t.StoppingAt = now
		}
		t.LastStatus = StatusStopped
		t.ExecutionStoppedAt, t.StoppedAt = now, now
		for i := range t.Containers {
			t.Containers[i].LastStatus = StatusStopped
		}
		if len(t.Attachments) > 0 {
			t.Attachments[0].Status = "DELETED"
		}
	})
	if t.eni != "" {
		s.opts.Network.Detach(t.eni, true)
	}
	s.retire(t)
}

func (s *Service) retire(t *Task) {
	t.cancelTimers()
	if t.protect.timer != nil {
		t.protect.timer.Stop()
		t.protect.timer = nil
	}
	s.env.After(s.opts.StoppedTaskRetention, func() {
		delete(s.taskByID, t.id)
		t.cl.forgetTask(t)
		ci := t.ci
		if i := t.ciIdx; i >= 0 {
			last := len(ci.tasks) - 1
			ci.tasks[i] = ci.tasks[last]
			ci.tasks[i].ciIdx = i
			ci.tasks[last] = nil
			ci.tasks = ci.tasks[:last]
			t.ciIdx = -1
		}
	})
}

// StickInStopping makes a task hang in STOPPING when it is stopped.
func (s *Service) StickInStopping(taskARN string) error {
	t := s.Task(taskARN)
	if t == nil {
		return invalid("The referenced task was not found.")
	}
	t.stuck = true
	return nil
}

// taskSet is an unordered set of tasks with O(1) add and remove, each task
// remembering its position.
type taskSet []*Task

func (ts *taskSet) add(t *Task, idx *int) {
	if *idx >= 0 {
		return
	}
	*idx = len(*ts)
	*ts = append(*ts, t)
}

func (ts *taskSet) remove(t *Task, idx *int, pos func(*Task) *int) {
	i := *idx
	if i < 0 {
		return
	}
	s := *ts
	last := len(s) - 1
	s[i] = s[last]
	*pos(s[i]) = i
	s[last] = nil
	*ts = s[:last]
	*idx = -1
}
