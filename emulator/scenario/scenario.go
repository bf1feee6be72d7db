// Package scenario describes an emulated world declaratively — clusters,
// Auto Scaling groups with their hooks, task definitions, services,
// daemons, standalone jobs, queues and rules — and a timeline of actions
// (scale in, start an instance refresh, interrupt a Spot instance, …).
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
	// StopTimeout is the container's stopTimeout (ECS default 30s).
	StopTimeout Duration `json:"stopTimeout,omitzero"`
	// Start is PROVISIONING→RUNNING, Healthy RUNNING→healthy, Stop the time
	// the container takes to exit after SIGTERM, Run how long a task runs
	// before exiting by itself (0 = until stopped).
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
	SpotDraining     bool              `json:"spotDraining,omitempty"`
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
	ManagedDraining              bool   `json:"managedDraining,omitempty"`
}

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
	// Count is the desired capacity or service count, or the number of
	// tasks to run.
	Count *int `json:"count,omitempty"`
	// Instance picks an instance of Group: "oldest" (default), "newest",
	// a zero-based index in launch order, or an instance id.
	Instance string `json:"instance,omitempty"`
	// Decrement, for terminate-instance, decrements desired capacity.
	Decrement bool `json:"decrement,omitempty"`
	// MinHealthyPercentage and Warmup, for instance-refresh.
	MinHealthyPercentage *int     `json:"minHealthyPercentage,omitempty"`
	Warmup               Duration `json:"warmup,omitzero"`
	TaskDefinition       string   `json:"taskDefinition,omitempty"`
	Note                 string   `json:"note,omitempty"`
}

// The actions a Step may take.
const (
	ActionSetDesired      = "set-desired"        // Group, Count
	ActionTerminate       = "terminate-instance" // Group, Instance, Decrement
	ActionInstanceRefresh = "instance-refresh"   // Group, MinHealthyPercentage, Warmup
	ActionInterruptSpot   = "interrupt-spot"     // Group, Instance
	ActionRebalance       = "rebalance"          // Group, Instance
	ActionSetUnhealthy    = "set-unhealthy"      // Group, Instance
	ActionDrainInstance   = "drain-instance"     // Group, Instance: ECS DRAINING by hand
	ActionUpdateService   = "update-service"     // Cluster, Service, Count and/or TaskDefinition
	ActionRunTask         = "run-task"           // Cluster, TaskDefinition, Count
	ActionDisconnectAgent = "disconnect-agent"   // Group, Instance
)

var actions = map[string]bool{
	ActionSetDesired: true, ActionTerminate: true, ActionInstanceRefresh: true, ActionInterruptSpot: true,
	ActionRebalance: true, ActionSetUnhealthy: true, ActionDrainInstance: true, ActionUpdateService: true,
	ActionRunTask: true, ActionDisconnectAgent: true,
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
