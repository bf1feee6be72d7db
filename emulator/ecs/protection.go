package ecs

import (
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// Task scale-in protection (Amazon ECS Developer Guide, "Protect your
// Amazon ECS tasks from being terminated by scale-in events",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html;
// UpdateTaskProtection and GetTaskProtection, Amazon ECS API Reference).
//
// A protected task of a service is not stopped by the service scheduler
// when the service scales in (a lower desired count) or when a deployment
// replaces it: the scheduler starts the new deployment's tasks within
// maximumPercent and leaves the protected old ones running until their
// protection is removed or expires. ECS documents protection against
// "scale-in events from Service Auto Scaling or deployments" and nothing
// else: a protected task on a DRAINING container instance is stopped and
// replaced like any other, within minimumHealthyPercent and
// maximumPercent, as "Draining Amazon ECS container instances" describes
// draining (no exception for protected tasks); the emulator models exactly
// that. Protection does not change a daemon service's tasks, a deleted
// service's, or standalone tasks (which cannot be protected:
// TASK_NOT_VALID).

// Protection limits, in minutes: 2 hours by default, 1 minute to 48 hours.
const (
	defaultProtectionMinutes = 120
	maxProtectionMinutes     = 2880
)

// ProtectedTask is a task's protection status.
type ProtectedTask struct {
	TaskArn           string         `json:"taskArn,omitempty"`
	ProtectionEnabled bool           `json:"protectionEnabled"`
	ExpirationDate    core.EpochTime `json:"expirationDate,omitzero"`
}

// UpdateTaskProtectionInput is the UpdateTaskProtection request.
type UpdateTaskProtectionInput struct {
	Cluster           string   `json:"cluster"`
	Tasks             []string `json:"tasks"`
	ProtectionEnabled bool     `json:"protectionEnabled"`
	ExpiresInMinutes  *int32   `json:"expiresInMinutes,omitempty"`
}

// UpdateTaskProtectionOutput is the UpdateTaskProtection response.
type UpdateTaskProtectionOutput struct {
	ProtectedTasks []ProtectedTask `json:"protectedTasks"`
	Failures       []Failure       `json:"failures"`
}

// GetTaskProtectionInput is the GetTaskProtection request.
type GetTaskProtectionInput struct {
	Cluster string   `json:"cluster"`
	Tasks   []string `json:"tasks,omitempty"`
}

// GetTaskProtectionOutput is the GetTaskProtection response.
type GetTaskProtectionOutput struct {
	ProtectedTasks []ProtectedTask `json:"protectedTasks"`
	Failures       []Failure       `json:"failures"`
}

// protection is a task's scale-in protection.
type protection struct {
	until time.Time   // zero: not protected
	timer clock.Timer // clears it at until
}

// Protected reports whether the task is protected from scale-in now.
func (t *Task) Protected() bool { return !t.protect.until.IsZero() }

func (t *Task) protectionStatus() ProtectedTask {
	p := ProtectedTask{TaskArn: t.TaskArn, ProtectionEnabled: t.Protected()}
	if p.ProtectionEnabled {
		p.ExpirationDate = core.Epoch(t.protect.until)
	}
	return p
}

// protectable returns why a task cannot carry protection ("" when it can):
// only tasks of a service can (TASK_NOT_VALID otherwise, as the API
// Reference gives it), and only while they are not STOPPED.
func protectable(t *Task) (reason, detail string) {
	switch {
	case t.svc == nil:
		return "TASK_NOT_VALID", "The task is not part of a service; only service tasks can be protected."
	case t.LastStatus == StatusStopped:
		return "TASK_NOT_VALID", "The task is STOPPED."
	}
	return "", ""
}

// UpdateTaskProtection turns protection on (for expiresInMinutes, 1–2880,
// default 120; calling again restarts the period) or off for up to 10
// tasks. Unknown tasks are failures MISSING, standalone or stopped ones
// TASK_NOT_VALID, and protecting a task of a service that already has as
// many protected tasks as it desires DEPLOYMENT_BLOCKED ("the service has
// more protected tasks than the desired count", Developer Guide).
func (s *Service) UpdateTaskProtection(in UpdateTaskProtectionInput) (*UpdateTaskProtectionOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 {
		return nil, invalid("Tasks cannot be empty.")
	}
	if len(in.Tasks) > 10 {
		return nil, invalid("Tasks can have at most 10 items.")
	}
	minutes := int32(defaultProtectionMinutes)
	if in.ExpiresInMinutes != nil {
		if !in.ProtectionEnabled {
			return nil, invalid("expiresInMinutes can only be specified when protectionEnabled is true.")
		}
		minutes = *in.ExpiresInMinutes
		if minutes < 1 || minutes > maxProtectionMinutes {
			return nil, invalid("expiresInMinutes must be between 1 and %d.", maxProtectionMinutes)
		}
	}
	out := &UpdateTaskProtectionOutput{ProtectedTasks: []ProtectedTask{}, Failures: []Failure{}}
	for _, k := range in.Tasks {
		t := s.taskIn(c, k)
		if t == nil {
			out.Failures = append(out.Failures, Failure{Arn: s.taskARN(c, k), Reason: "MISSING"})
			continue
		}
		if reason, detail := protectable(t); reason != "" {
			out.Failures = append(out.Failures, Failure{Arn: t.TaskArn, Reason: reason, Detail: detail})
			continue
		}
		if in.ProtectionEnabled && !t.Protected() && t.svc.protectedCount() >= int(t.svc.DesiredCount) {
			out.Failures = append(out.Failures, Failure{Arn: t.TaskArn, Reason: "DEPLOYMENT_BLOCKED",
				Detail: "The service would have more protected tasks than its desired count."})
			continue
		}
		if in.ProtectionEnabled {
			s.protect(t, s.env.Now().Add(time.Duration(minutes)*time.Minute))
		} else {
			s.unprotect(t)
		}
		out.ProtectedTasks = append(out.ProtectedTasks, t.protectionStatus())
	}
	return out, nil
}

// GetTaskProtection returns the protection of up to 100 tasks; without
// tasks, of every service task of the cluster not STOPPED.
func (s *Service) GetTaskProtection(in GetTaskProtectionInput) (*GetTaskProtectionOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Tasks) > 100 {
		return nil, invalid("Tasks can have at most 100 items.")
	}
	out := &GetTaskProtectionOutput{ProtectedTasks: []ProtectedTask{}, Failures: []Failure{}}
	if len(in.Tasks) == 0 {
		for _, t := range c.tasks {
			if !t.removed && t.svc != nil && t.LastStatus != StatusStopped {
				out.ProtectedTasks = append(out.ProtectedTasks, t.protectionStatus())
			}
		}
		return out, nil
	}
	for _, k := range in.Tasks {
		t := s.taskIn(c, k)
		if t == nil {
			out.Failures = append(out.Failures, Failure{Arn: s.taskARN(c, k), Reason: "MISSING"})
			continue
		}
		if t.svc == nil {
			reason, detail := protectable(t)
			out.Failures = append(out.Failures, Failure{Arn: t.TaskArn, Reason: reason, Detail: detail})
			continue
		}
		out.ProtectedTasks = append(out.ProtectedTasks, t.protectionStatus())
	}
	return out, nil
}

// protect protects t until the given time, restarting any earlier period.
func (s *Service) protect(t *Task, until time.Time) {
	if t.protect.timer != nil {
		t.protect.timer.Stop()
	}
	t.protect.until = until
	t.protect.timer = s.env.At(until, func() {
		t.protect.timer = nil
		s.unprotect(t)
	})
}

// unprotect clears t's protection; its service may now stop it.
func (s *Service) unprotect(t *Task) {
	if t.protect.timer != nil {
		t.protect.timer.Stop()
		t.protect.timer = nil
	}
	if !t.Protected() {
		return
	}
	t.protect.until = time.Time{}
	if t.svc != nil {
		s.kick(t.svc)
	}
}

// protectedCount is the number of the service's live tasks protected now.
func (svc *ECSService) protectedCount() int {
	n := 0
	for _, t := range svc.live {
		if t.Protected() {
			n++
		}
	}
	return n
}

// shields reports whether protection keeps the service scheduler from
// stopping t for this reason: scale-in and deployment replacement of an
// ACTIVE replica service's task, not draining.
func shields(svc *ECSService, t *Task) bool {
	return t.Protected() && svc.Status == "ACTIVE" && !svc.daemon && t.ci.Status != "DRAINING"
}

// taskIn resolves a task ARN or id in c, or nil.
func (s *Service) taskIn(c *cluster, key string) *Task {
	t := s.taskByID[lastSegment(key)]
	if t == nil || t.cl != c {
		return nil
	}
	return t
}

func (s *Service) taskARN(c *cluster, key string) string {
	if len(key) > 4 && key[:4] == "arn:" {
		return key
	}
	return s.env.ARN("ecs", "task/"+c.name+"/"+key)
}
