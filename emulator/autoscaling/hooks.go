package autoscaling

import (
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// Lifecycle hook limits, from the Auto Scaling documentation.
const (
	maxHooks             = 50
	minHeartbeat         = 30
	maxHeartbeat         = 7200
	defaultHeartbeat     = 3600
	maxGlobalTimeout     = 48 * time.Hour
	globalTimeoutFactor  = 100
	resultContinue       = "CONTINUE"
	resultAbandon        = "ABANDON"
	defaultDefaultResult = resultAbandon
)

// hook is one lifecycle hook of a group.
type hook struct {
	name, transition, defaultResult string
	heartbeat                       int32 // seconds
	target, role, metadata          string
}

// globalTimeout is min(48 h, 100 × HeartbeatTimeout).
func (h *hook) globalTimeout() time.Duration {
	return min(maxGlobalTimeout, globalTimeoutFactor*time.Duration(h.heartbeat)*time.Second)
}

// action is one pending lifecycle action: one instance held by one hook.
type action struct {
	hook        hook // the hook as it was when the action started
	in          *instance
	token       string
	start       time.Time
	heartbeatAt time.Time
	globalAt    time.Time
	timer       clock.Timer
}

// PutLifecycleHookInput mirrors the AWS request.
type PutLifecycleHookInput struct {
	AutoScalingGroupName  string
	LifecycleHookName     string
	LifecycleTransition   string
	DefaultResult         string
	HeartbeatTimeout      *int32
	NotificationTargetARN string
	RoleARN               string
	NotificationMetadata  string
}

// PutLifecycleHookOutput is empty, as in AWS.
type PutLifecycleHookOutput struct{}

// DeleteLifecycleHookInput mirrors the AWS request.
type DeleteLifecycleHookInput struct {
	AutoScalingGroupName string
	LifecycleHookName    string
}

// DeleteLifecycleHookOutput is empty, as in AWS.
type DeleteLifecycleHookOutput struct{}

// DescribeLifecycleHooksInput mirrors the AWS request.
type DescribeLifecycleHooksInput struct {
	AutoScalingGroupName string
	LifecycleHookNames   []string
}

// DescribeLifecycleHooksOutput mirrors the AWS response.
type DescribeLifecycleHooksOutput struct {
	LifecycleHooks []LifecycleHook
}

// CompleteLifecycleActionInput mirrors the AWS request.
type CompleteLifecycleActionInput struct {
	AutoScalingGroupName  string
	LifecycleHookName     string
	LifecycleActionResult string
	InstanceId            string
	LifecycleActionToken  string
}

// CompleteLifecycleActionOutput is empty, as in AWS.
type CompleteLifecycleActionOutput struct{}

// RecordLifecycleActionHeartbeatInput mirrors the AWS request.
type RecordLifecycleActionHeartbeatInput struct {
	AutoScalingGroupName string
	LifecycleHookName    string
	InstanceId           string
	LifecycleActionToken string
}

// RecordLifecycleActionHeartbeatOutput is empty, as in AWS.
type RecordLifecycleActionHeartbeatOutput struct{}

// newHook validates hook parameters and returns the hook; old, when not
// nil, is the hook being updated and supplies absent members.
func newHook(groupName, name, transition, result string, heartbeat *int32, target, role, metadata string, old *hook) (*hook, error) {
	if name == "" {
		return nil, nullMember("lifecycleHookName")
	}
	if len(name) > 255 {
		return nil, validation("1 validation error detected: Value '%s' at 'lifecycleHookName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '/') {
			return nil, validation("1 validation error detected: Value '%s' at 'lifecycleHookName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\-_\\/]+", name)
		}
	}
	h := hook{name: name, defaultResult: defaultDefaultResult, heartbeat: defaultHeartbeat}
	if old != nil {
		h = *old
	}
	if transition != "" {
		if transition != TransitionLaunching && transition != TransitionTerminating {
			return nil, validation("Invalid Lifecycle Transition: %s. Valid values are %s and %s.", transition, TransitionLaunching, TransitionTerminating)
		}
		h.transition = transition
	}
	if h.transition == "" {
		return nil, validation("A lifecycle transition must be specified when creating lifecycle hook %s for Auto Scaling group %s.", name, groupName)
	}
	if result != "" {
		if result != resultContinue && result != resultAbandon {
			return nil, validation("Invalid default result: %s. Valid values are CONTINUE and ABANDON.", result)
		}
		h.defaultResult = result
	}
	if heartbeat != nil {
		if *heartbeat < minHeartbeat || *heartbeat > maxHeartbeat {
			return nil, validation("1 validation error detected: Value '%d' at 'heartbeatTimeout' failed to satisfy constraint: Member must have value between %d and %d", *heartbeat, minHeartbeat, maxHeartbeat)
		}
		h.heartbeat = *heartbeat
	}
	if len(metadata) > 1023 {
		return nil, validation("1 validation error detected: Value at 'notificationMetadata' failed to satisfy constraint: Member must have length less than or equal to 1023")
	}
	if target != "" {
		h.target = target
	}
	if role != "" {
		h.role = role
	}
	if metadata != "" {
		h.metadata = metadata
	}
	return &h, nil
}

// PutLifecycleHook creates or updates a lifecycle hook. A hook given a
// notification target first sends it a test notification.
func (s *Service) PutLifecycleHook(in PutLifecycleHookInput) (*PutLifecycleHookOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, h := range g.hooks {
		if h.name == in.LifecycleHookName {
			idx = i
		}
	}
	var old *hook
	if idx >= 0 {
		old = g.hooks[idx]
	} else if len(g.hooks) >= maxHooks {
		return nil, core.ClientError("LimitExceeded",
			"Lifecycle hook limit reached: Auto Scaling group %s already has %d lifecycle hooks.", g.name, maxHooks)
	}
	h, err := newHook(g.name, in.LifecycleHookName, in.LifecycleTransition, in.DefaultResult, in.HeartbeatTimeout,
		in.NotificationTargetARN, in.RoleARN, in.NotificationMetadata, old)
	if err != nil {
		return nil, err
	}
	if idx >= 0 {
		g.hooks[idx] = h
	} else {
		g.hooks = append(g.hooks, h)
	}
	if in.NotificationTargetARN != "" && (old == nil || old.target != in.NotificationTargetARN) {
		s.sendTestNotification(g, h.target)
	}
	return &PutLifecycleHookOutput{}, nil
}

// DeleteLifecycleHook deletes a hook. Actions it already started keep
// running until they complete or time out.
func (s *Service) DeleteLifecycleHook(in DeleteLifecycleHookInput) (*DeleteLifecycleHookOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	if in.LifecycleHookName == "" {
		return nil, nullMember("lifecycleHookName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	for i, h := range g.hooks {
		if h.name == in.LifecycleHookName {
			g.hooks = append(g.hooks[:i], g.hooks[i+1:]...)
			return &DeleteLifecycleHookOutput{}, nil
		}
	}
	return nil, validation("No Lifecycle Hook found with name %s for Auto Scaling group %s", in.LifecycleHookName, g.name)
}

// DescribeLifecycleHooks lists a group's hooks, with their global timeout.
func (s *Service) DescribeLifecycleHooks(in DescribeLifecycleHooksInput) (*DescribeLifecycleHooksOutput, error) {
	if in.AutoScalingGroupName == "" {
		return nil, nullMember("autoScalingGroupName")
	}
	g, err := s.group(in.AutoScalingGroupName)
	if err != nil {
		return nil, err
	}
	out := &DescribeLifecycleHooksOutput{LifecycleHooks: []LifecycleHook{}}
	for _, h := range g.hooks {
		if len(in.LifecycleHookNames) > 0 && !contains(in.LifecycleHookNames, h.name) {
			continue
		}
		out.LifecycleHooks = append(out.LifecycleHooks, LifecycleHook{
			AutoScalingGroupName:  g.name,
			LifecycleHookName:     h.name,
			LifecycleTransition:   h.transition,
			DefaultResult:         h.defaultResult,
			HeartbeatTimeout:      h.heartbeat,
			GlobalTimeout:         int32(h.globalTimeout() / time.Second),
			NotificationMetadata:  h.metadata,
			NotificationTargetARN: h.target,
			RoleARN:               h.role,
		})
	}
	return out, nil
}

// CompleteLifecycleAction completes one action with CONTINUE or ABANDON.
func (s *Service) CompleteLifecycleAction(in CompleteLifecycleActionInput) (*CompleteLifecycleActionOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.LifecycleHookName == "":
		return nil, nullMember("lifecycleHookName")
	case in.LifecycleActionResult == "":
		return nil, nullMember("lifecycleActionResult")
	case in.LifecycleActionResult != resultContinue && in.LifecycleActionResult != resultAbandon:
		return nil, validation("Invalid Lifecycle Action Result: %s. Valid values are CONTINUE and ABANDON.", in.LifecycleActionResult)
	}
	a, err := s.findAction(in.AutoScalingGroupName, in.LifecycleHookName, in.InstanceId, in.LifecycleActionToken)
	if err != nil {
		return nil, err
	}
	s.resolve(a, in.LifecycleActionResult)
	return &CompleteLifecycleActionOutput{}, nil
}

// RecordLifecycleActionHeartbeat restarts an action's heartbeat timeout,
// never past its global timeout.
func (s *Service) RecordLifecycleActionHeartbeat(in RecordLifecycleActionHeartbeatInput) (*RecordLifecycleActionHeartbeatOutput, error) {
	switch {
	case in.AutoScalingGroupName == "":
		return nil, nullMember("autoScalingGroupName")
	case in.LifecycleHookName == "":
		return nil, nullMember("lifecycleHookName")
	}
	a, err := s.findAction(in.AutoScalingGroupName, in.LifecycleHookName, in.InstanceId, in.LifecycleActionToken)
	if err != nil {
		return nil, err
	}
	a.heartbeatAt = s.now().Add(time.Duration(a.hook.heartbeat) * time.Second)
	if a.heartbeatAt.After(a.globalAt) {
		a.heartbeatAt = a.globalAt
	}
	s.armAction(a)
	return &RecordLifecycleActionHeartbeatOutput{}, nil
}

// findAction finds the active action named by token or instance id; when
// there is none AWS answers "No active Lifecycle Action found", which
// callers treat as "already done".
func (s *Service) findAction(groupName, hookName, instanceID, token string) (*action, error) {
	if instanceID == "" && token == "" {
		return nil, validation("Either an instance ID or a lifecycle action token must be specified.")
	}
	notFound := func() error {
		if token != "" {
			return validation("No active Lifecycle Action found with token %s", token)
		}
		return validation("No active Lifecycle Action found with instance ID %s", instanceID)
	}
	if token != "" {
		a, ok := s.tokens[token]
		if !ok || a.in.g.name != groupName || a.hook.name != hookName || (instanceID != "" && a.in.id != instanceID) {
			return nil, notFound()
		}
		return a, nil
	}
	in, ok := s.instances[instanceID]
	if !ok || in.g.name != groupName {
		return nil, notFound()
	}
	for _, a := range in.actions {
		if a.hook.name == hookName {
			return a, nil
		}
	}
	return nil, notFound()
}

// startActions starts one action per hook of the transition, sending each
// hook's notification and EventBridge event; it reports whether any hook
// applies.
func (s *Service) startActions(in *instance, transition string) bool {
	now := s.now()
	for _, h := range in.g.hooks {
		if h.transition != transition {
			continue
		}
		a := &action{hook: *h, in: in, token: s.env.UUID(), start: now}
		a.globalAt = now.Add(h.globalTimeout())
		a.heartbeatAt = now.Add(time.Duration(h.heartbeat) * time.Second)
		if a.heartbeatAt.After(a.globalAt) {
			a.heartbeatAt = a.globalAt
		}
		in.actions = append(in.actions, a)
		s.tokens[a.token] = a
		s.armAction(a)
		s.notifyLifecycleAction(a)
	}
	return len(in.actions) > 0
}

// armAction (re)schedules the action's timeout at its heartbeat expiry
// (which never passes the global expiry).
func (s *Service) armAction(a *action) {
	if a.timer != nil {
		a.timer.Stop()
	}
	a.timer = s.env.At(a.heartbeatAt, func() {
		if s.tokens[a.token] != a {
			return
		}
		s.resolve(a, a.hook.defaultResult)
	})
}

// resolve applies a result to an action. CONTINUE completes it, and the
// instance moves on when no action is left; ABANDON ends the wait at once
// (the remaining hooks are skipped).
func (s *Service) resolve(a *action, result string) {
	in := a.in
	if result == resultContinue {
		s.dropAction(a)
		if len(in.actions) > 0 {
			return
		}
	} else {
		s.clearActions(in)
	}
	switch in.state {
	case StatePendingWait:
		if result == resultContinue {
			s.enterService(in)
		} else {
			s.abandonLaunch(in, a.token)
		}
	case StateTerminatingWait:
		s.proceedTermination(in)
	}
}

func (s *Service) dropAction(a *action) {
	if a.timer != nil {
		a.timer.Stop()
	}
	delete(s.tokens, a.token)
	in := a.in
	for i, x := range in.actions {
		if x == a {
			in.actions = append(in.actions[:i], in.actions[i+1:]...)
			break
		}
	}
}

// clearActions ends every pending action of the instance.
func (s *Service) clearActions(in *instance) {
	for _, a := range in.actions {
		if a.timer != nil {
			a.timer.Stop()
		}
		delete(s.tokens, a.token)
	}
	in.actions = nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
