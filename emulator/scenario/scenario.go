// Package scenario describes an emulated world declaratively — clusters,
// Auto Scaling groups with their hooks, hosts in no group, task
// definitions, services, daemons, standalone jobs, queues and rules — and a
// timeline of actions (scale in, start an instance refresh, interrupt a
// Spot instance, terminate an instance straight through EC2, send a stray
// or forged message to a queue, …).
//
// A scenario is a Go value or a JSON or YAML file with the same fields.
// Apply builds it in a World and schedules its timeline on the world's
// virtual clock.
package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/fault"
	"sigs.k8s.io/yaml"
)

// Scenario is a world and a story to play in it.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Seed makes the run reproducible; the same scenario and seed give the
	// same API call log and the same trace.
	Seed uint64 `json:"seed,omitempty"`
	// Start is the virtual time the world starts at (default
	// 2026-11-22T00:00:00Z).
	Start time.Time `json:"start,omitzero"`

	Clusters        []Cluster        `json:"clusters,omitempty"`
	Queues          []Queue          `json:"queues,omitempty"`
	Rules           []Rule           `json:"rules,omitempty"`
	TaskDefinitions []TaskDefinition `json:"taskDefinitions,omitempty"`
	Groups          []Group          `json:"groups,omitempty"`
	Instances       []InstanceSet    `json:"instances,omitempty"`
	Services        []Service        `json:"services,omitempty"`
	Jobs            []Job            `json:"jobs,omitempty"`
	Faults          *Faults          `json:"faults,omitempty"`
	Timeline        []Step           `json:"timeline,omitempty"`

	// Drainer holds the settings of the drainer that plays the story,
	// named as drainer's own flags (cluster, preset, standalone,
	// scan-interval, idle-after, max-lifetime, budget, protect, …). The
	// emulator does not read them; drainer sim and dev apply them over
	// drainer's defaults, and flags given on their command line win.
	Drainer map[string]Setting `json:"drainer,omitempty"`
}

// Setting is the text of one drainer setting. In a file it may be
// written as a string, a number, a boolean or a list of strings (joined
// with commas, as a repeated flag).
type Setting string

// UnmarshalJSON accepts a string, number, boolean or list of strings.
func (s *Setting) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		*s = Setting(v)
	case float64, bool:
		*s = Setting(strings.TrimSpace(string(b)))
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			str, ok := x.(string)
			if !ok {
				return fmt.Errorf("drainer setting list %s: want strings", b)
			}
			parts[i] = str
		}
		*s = Setting(strings.Join(parts, ","))
	default:
		return fmt.Errorf("drainer setting %s: want a string, number, boolean or list of strings", b)
	}
	return nil
}

// DrainerSettings returns the drainer settings as name → text.
func (sc *Scenario) DrainerSettings() map[string]string {
	out := make(map[string]string, len(sc.Drainer))
	for k, v := range sc.Drainer {
		out[k] = string(v)
	}
	return out
}

// Faults are injected from the start: API throttling, errors and latency,
// tasks that hang in STOPPING, leaked network interfaces, and duplicated or
// late queue messages.
type Faults struct {
	// Throttle names a throttling profile every API call draws on, with
	// buckets shared as AWS shares them: "aws" (fault.AWS). It combines
	// with the rules of API: a call goes through when both let it.
	Throttle string `json:"throttle,omitempty"`
	// Latency is added to every API call a rule gives no latency of its
	// own, on virtual time: a profile's name for the latency it assumes
	// ("aws": 50ms) or a duration ("80ms").
	Latency           string                `json:"latency,omitempty"`
	API               []fault.Rule          `json:"api,omitempty"`
	StuckStoppingRate float64               `json:"stuckStoppingRate,omitempty"`
	LeakENIRate       float64               `json:"leakENIRate,omitempty"`
	Queues            map[string]QueueFault `json:"queues,omitempty"`
}

// QueueFault makes a queue deliver some messages twice or late.
type QueueFault struct {
	DuplicateRate float64  `json:"duplicateRate,omitempty"`
	DelayRate     float64  `json:"delayRate,omitempty"`
	MaxDelay      Duration `json:"maxDelay,omitzero"`
}

// Cluster is an ECS cluster.
type Cluster struct {
	Name string `json:"name"`
}

// Queue is an SQS queue, optionally with a dead-letter queue (which must be
// declared too).
type Queue struct {
	Name              string   `json:"name"`
	VisibilityTimeout Duration `json:"visibilityTimeout,omitzero"`
	DeadLetterQueue   string   `json:"deadLetterQueue,omitempty"`
	MaxReceiveCount   int      `json:"maxReceiveCount,omitempty"`
}

// Rule is an EventBridge rule on the default bus routing to a queue.
type Rule struct {
	Name string `json:"name"`
	// Pattern is the event pattern as a JSON object.
	Pattern json.RawMessage `json:"pattern"`
	Queue   string          `json:"queue"`
}

// TaskDefinition is a one-container task definition with the emulator's
// timings.
type TaskDefinition struct {
	Family      string `json:"family"`
	CPU         int    `json:"cpu,omitempty"`    // CPU units (1024 = one vCPU)
	Memory      int    `json:"memory,omitempty"` // MiB
	NetworkMode string `json:"networkMode,omitempty"`
	// StopTimeout is the container's stopTimeout (default: the agent's
	// ECS_CONTAINER_STOP_TIMEOUT, 30s unless the host's user data sets it).
	StopTimeout Duration `json:"stopTimeout,omitzero"`
	// Start is PROVISIONING→RUNNING, Healthy RUNNING→healthy (0: ECS's own
	// wait, 30s behind a load balancer and 40s without, see
	// ecs.Timings), Stop the time the container takes to exit after
	// SIGTERM, Run how long a task runs before exiting by itself (0 =
	// until stopped).
	Start   Duration `json:"start,omitzero"`
	Healthy Duration `json:"healthy,omitzero"`
	Stop    Duration `json:"stop,omitzero"`
	Run     Duration `json:"run,omitzero"`
}

// Group is an Auto Scaling group whose instances join Cluster.
type Group struct {
	Name         string   `json:"name"`
	Cluster      string   `json:"cluster"`
	InstanceType string   `json:"instanceType,omitempty"` // default m5.large
	AZs          []string `json:"azs,omitempty"`          // default three AZs of the region
	Min          int      `json:"min"`
	Max          int      `json:"max"`
	Desired      int      `json:"desired"`
	// SpotPercent is the share of Spot instances above zero on-demand base.
	SpotPercent         int      `json:"spotPercent,omitempty"`
	MaxInstanceLifetime Duration `json:"maxInstanceLifetime,omitzero"`
	CapacityRebalance   bool     `json:"capacityRebalance,omitempty"`
	ProtectNewInstances bool     `json:"protectNewInstances,omitempty"`
	// SpotDraining sets ECS_ENABLE_SPOT_INSTANCE_DRAINING=true in the
	// instances' user data.
	SpotDraining bool `json:"spotDraining,omitempty"`
	// AgentStopTimeout sets ECS_CONTAINER_STOP_TIMEOUT in the user data:
	// the ECS agent's stop timeout for containers without their own.
	AgentStopTimeout Duration          `json:"agentStopTimeout,omitzero"`
	Hooks            []Hook            `json:"hooks,omitempty"`
	CapacityProvider *CapacityProvider `json:"capacityProvider,omitempty"`
}

// Hook is a lifecycle hook on a group.
type Hook struct {
	Name string `json:"name"`
	// Transition is "terminating" (default) or "launching".
	Transition       string   `json:"transition,omitempty"`
	HeartbeatTimeout Duration `json:"heartbeatTimeout,omitzero"` // default 1h
	// DefaultResult is CONTINUE or ABANDON (default ABANDON, as AWS).
	DefaultResult string `json:"defaultResult,omitempty"`
	// Queue names the SQS queue the hook notifies, if any.
	Queue    string `json:"queue,omitempty"`
	Metadata string `json:"metadata,omitempty"`
}

// CapacityProvider ties a group to its cluster with ECS's managed settings.
type CapacityProvider struct {
	Name                         string `json:"name"`
	ManagedTerminationProtection bool   `json:"managedTerminationProtection,omitempty"`
	// ManagedDraining turns on ECS's managed instance draining: ECS puts
	// its termination hook (ecs-managed-draining-termination-hook) on the
	// group, drains terminating instances and lets them go once empty.
	ManagedDraining bool `json:"managedDraining,omitempty"`
	// ECSProtects says whether ECS itself keeps scale-in protection on
	// the group's instances that run non-daemon tasks (and off the
	// others) when ManagedTerminationProtection is on, as AWS does
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html).
	// Unset means yes, as in AWS. false makes ECS only store the setting,
	// so that drainer's protection scan alone keeps the protection: for a
	// story about that scan, since AWS has no such switch. Either value
	// needs ManagedTerminationProtection.
	ECSProtects *bool `json:"ecsProtects,omitempty"`
}

// InstanceSet is Count EC2 instances launched at the start outside any
// Auto Scaling group, whose ECS agents join Cluster through their user data
// (ECS_CLUSTER=…), as hosts launched by hand or by other tooling do. Nothing
// replaces them when they go. Timeline steps pick one of them with
// instances: NAME and an instance selector.
type InstanceSet struct {
	// Name is how steps refer to the set (instances: NAME) and the
	// instances' Name tag; a set without a name cannot be referred to.
	Name         string   `json:"name,omitempty"`
	Cluster      string   `json:"cluster"`
	InstanceType string   `json:"instanceType,omitempty"` // default m5.large
	Count        int      `json:"count,omitempty"`        // default 1, at most MaxInstanceSet
	AZs          []string `json:"azs,omitempty"`          // default three AZs of the region, in turn
	// Spot launches Spot instances (interrupt-spot and rebalance apply).
	Spot bool `json:"spot,omitempty"`
	// SpotDraining sets ECS_ENABLE_SPOT_INSTANCE_DRAINING=true in the
	// instances' user data.
	SpotDraining bool `json:"spotDraining,omitempty"`
}

// MaxInstanceSet is the largest Count of an InstanceSet.
const MaxInstanceSet = 100

// Service is an ECS service (REPLICA unless Daemon).
type Service struct {
	Name              string `json:"name"`
	Cluster           string `json:"cluster"`
	TaskDefinition    string `json:"taskDefinition"`
	Desired           int    `json:"desired,omitempty"`
	MinHealthyPercent *int   `json:"minHealthyPercent,omitempty"`
	MaxPercent        *int   `json:"maxPercent,omitempty"`
	Daemon            bool   `json:"daemon,omitempty"`
	LoadBalanced      bool   `json:"loadBalanced,omitempty"`
}

// Job starts standalone tasks (RunTask): Count tasks at At, and again every
// Every when set.
type Job struct {
	Name           string   `json:"name,omitempty"`
	Cluster        string   `json:"cluster"`
	TaskDefinition string   `json:"taskDefinition"`
	Count          int      `json:"count,omitempty"` // default 1
	At             Duration `json:"at,omitzero"`
	Every          Duration `json:"every,omitzero"`
}

// Step is one action of the timeline, At after the start.
type Step struct {
	At     Duration `json:"at"`
	Action string   `json:"action"`
	// Group, Cluster, Service name what the action applies to.
	Group   string `json:"group,omitempty"`
	Cluster string `json:"cluster,omitempty"`
	Service string `json:"service,omitempty"`
	// Instances names an InstanceSet (hosts in no Auto Scaling group) to
	// pick the instance from instead of Group, for the actions on any EC2
	// instance: terminate-ec2, interrupt-spot, rebalance, drain-instance,
	// disconnect-agent and send-message.
	Instances string `json:"instances,omitempty"`
	// Count is the desired capacity or service count, or the number of
	// tasks to run.
	Count *int `json:"count,omitempty"`
	// Instance picks an instance of Group or Instances: "oldest" (default)
	// or "newest" running (InService in a group), a zero-based index in
	// launch order among them, "waiting" (the oldest instance of Group in
	// Terminating:Wait), or an instance id.
	Instance string `json:"instance,omitempty"`
	// Decrement, for terminate-instance, decrements desired capacity.
	Decrement bool `json:"decrement,omitempty"`
	// MinHealthyPercentage, Warmup and ScaleInProtectedInstances, for
	// instance-refresh: the refresh preferences of the same names.
	// ScaleInProtectedInstances is Refresh (replace protected instances
	// too), Ignore (leave them) or Wait (the default: wait up to an hour for
	// their protection to be removed, then fail). Source: "Instance refresh
	// preferences", StartInstanceRefresh
	// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
	MinHealthyPercentage      *int     `json:"minHealthyPercentage,omitempty"`
	Warmup                    Duration `json:"warmup,omitzero"`
	ScaleInProtectedInstances string   `json:"scaleInProtectedInstances,omitempty"`
	TaskDefinition            string   `json:"taskDefinition,omitempty"`

	// Queue, Body, Template, Hook, Token, TimeOffset and Duplicate are for
	// send-message: it sends Body, or the message Template describes, to
	// the scenario queue Queue through SQS SendMessage, as a stray or
	// forged message would arrive, Duplicate times (default once).
	Queue string `json:"queue,omitempty"`
	Body  string `json:"body,omitempty"`
	// Template is one of the Template* constants; the message is about the
	// instance Group or Instances and Instance pick. The lifecycle
	// templates name Group as the message's group (the instance's own
	// group when Group is empty and Instance is an instance id).
	Template string `json:"template,omitempty"`
	// Hook, for the lifecycle templates, names the hook the message is
	// from; default the group's first termination hook. A name the group
	// has no hook for is sent as is.
	Hook string `json:"hook,omitempty"`
	// Token, for the lifecycle templates: "" is the token of the
	// instance's pending action of Hook when there is one (the message Auto
	// Scaling sent, with its Time), else a token Auto Scaling never issued;
	// TokenWrong is always a token Auto Scaling never issued.
	Token string `json:"token,omitempty"`
	// TimeOffset is added to the message's time (the lifecycle message's
	// Time, the EventBridge envelope's time): -192h makes it 8 days old,
	// 10m ten minutes in the future.
	TimeOffset Duration `json:"timeOffset,omitzero"`
	// Duplicate sends the same body this many times (0 or 1: once; at most
	// MaxDuplicate), each its own SQS message.
	Duplicate int `json:"duplicate,omitempty"`

	Note string `json:"note,omitempty"`
}

// The actions a Step may take.
const (
	ActionSetDesired      = "set-desired"        // Group, Count
	ActionTerminate       = "terminate-instance" // Group, Instance, Decrement: TerminateInstanceInAutoScalingGroup
	ActionInstanceRefresh = "instance-refresh"   // Group, MinHealthyPercentage, Warmup, ScaleInProtectedInstances
	ActionInterruptSpot   = "interrupt-spot"     // Group or Instances, Instance
	ActionRebalance       = "rebalance"          // Group or Instances, Instance
	ActionSetUnhealthy    = "set-unhealthy"      // Group, Instance
	ActionDrainInstance   = "drain-instance"     // Group or Instances, Instance: ECS DRAINING by hand
	ActionUpdateService   = "update-service"     // Cluster, Service, Count and/or TaskDefinition
	ActionRunTask         = "run-task"           // Cluster, TaskDefinition, Count
	ActionDisconnectAgent = "disconnect-agent"   // Group or Instances, Instance
	// ActionTerminateEC2 terminates the instance directly through EC2
	// TerminateInstances, as the console does, bypassing Auto Scaling and
	// its hooks: Auto Scaling learns of it from EC2's health check once
	// the instance is terminated and replaces it; the host's awsvpc tasks
	// die with it and their network interfaces are left available.
	// Group or Instances, Instance.
	ActionTerminateEC2 = "terminate-ec2"
	// ActionSendMessage sends a raw message to a scenario queue: Queue,
	// Body or Template (with Group or Instances, Instance, Hook, Token,
	// TimeOffset), Duplicate.
	ActionSendMessage = "send-message"
)

// The message templates of send-message.
const (
	// TemplateLifecycle is the autoscaling:EC2_INSTANCE_TERMINATING
	// lifecycle message Auto Scaling sends straight to an SQS hook target
	// (DESIGN.md §4 "Message shapes").
	TemplateLifecycle = "lifecycle"
	// TemplateLifecycleEventBridge is the same message as the detail of an
	// EventBridge "EC2 Instance-terminate Lifecycle Action" event, in the
	// envelope EventBridge delivers to an SQS target.
	TemplateLifecycleEventBridge = "lifecycle-eventbridge"
	// TemplateSpotWarning is the EventBridge "EC2 Spot Instance
	// Interruption Warning" event (the instance need not be Spot).
	TemplateSpotWarning = "spot-warning"
	// TemplateRebalance is the EventBridge "EC2 Instance Rebalance
	// Recommendation" event.
	TemplateRebalance = "rebalance"
)

// TokenWrong, as a Step's Token, is a token Auto Scaling never issued.
const TokenWrong = "wrong"

// MaxDuplicate is the largest Duplicate of a send-message step.
const MaxDuplicate = 100

// SelectWaiting, as a Step's Instance, picks the oldest instance of the
// group in Terminating:Wait.
const SelectWaiting = "waiting"

var actions = map[string]bool{
	ActionSetDesired: true, ActionTerminate: true, ActionInstanceRefresh: true, ActionInterruptSpot: true,
	ActionRebalance: true, ActionSetUnhealthy: true, ActionDrainInstance: true, ActionUpdateService: true,
	ActionRunTask: true, ActionDisconnectAgent: true, ActionTerminateEC2: true, ActionSendMessage: true,
}

var templates = map[string]bool{
	TemplateLifecycle: true, TemplateLifecycleEventBridge: true, TemplateSpotWarning: true, TemplateRebalance: true,
}

// Load reads a scenario from a .json, .yaml or .yml file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	var sc *Scenario
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		sc, err = ParseJSON(b)
	case ".yaml", ".yml":
		sc, err = ParseYAML(b)
	default:
		return nil, fmt.Errorf("load scenario %s: unknown file type (want .json, .yaml or .yml)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("load scenario %s: %w", path, err)
	}
	return sc, nil
}

// ParseJSON decodes and validates a scenario; unknown fields are errors, so
// a typo does not silently change the story.
func ParseJSON(b []byte) (*Scenario, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// ParseYAML decodes and validates a scenario written in YAML.
func ParseYAML(b []byte) (*Scenario, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, err
	}
	return ParseJSON(j)
}
