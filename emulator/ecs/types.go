package ecs

import (
	"encoding/json"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// Wire shapes of the ECS API (awsJson1_1). Member names and json tags follow
// the AWS API reference; emulator-only ground truth is unexported or tagged
// json:"-".

// KeyValuePair is a name/value pair (environment, attachment details).
type KeyValuePair struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// Attribute is a container instance attribute. Value is optional.
type Attribute struct {
	Name       string  `json:"name"`
	Value      *string `json:"value,omitempty"`
	TargetType string  `json:"targetType,omitempty"`
	TargetId   string  `json:"targetId,omitempty"`
}

// Failure reports one identifier an operation could not act on.
type Failure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Resource is a registered or remaining resource of a container instance.
type Resource struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	IntegerValue   int32    `json:"integerValue"`
	DoubleValue    float64  `json:"doubleValue"`
	LongValue      int64    `json:"longValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

// VersionInfo describes the agent and Docker versions.
type VersionInfo struct {
	AgentHash     string `json:"agentHash,omitempty"`
	AgentVersion  string `json:"agentVersion,omitempty"`
	DockerVersion string `json:"dockerVersion,omitempty"`
}

// Attachment is a task's elastic network interface.
type Attachment struct {
	Id      string         `json:"id,omitempty"`
	Type    string         `json:"type,omitempty"`
	Status  string         `json:"status,omitempty"`
	Details []KeyValuePair `json:"details,omitempty"`
}

// Container is one container of a task.
type Container struct {
	ContainerArn string `json:"containerArn,omitempty"`
	TaskArn      string `json:"taskArn,omitempty"`
	Name         string `json:"name,omitempty"`
	Image        string `json:"image,omitempty"`
	LastStatus   string `json:"lastStatus,omitempty"`
	ExitCode     *int32 `json:"exitCode,omitempty"`
	Reason       string `json:"reason,omitempty"`
	HealthStatus string `json:"healthStatus,omitempty"`
	Cpu          string `json:"cpu,omitempty"`
	Memory       string `json:"memory,omitempty"`
}

// CapacityProviderStrategyItem is one entry of a capacity provider
// strategy. base and weight default to 0 and are always shown, 0 included,
// as ECS shows them (CapacityProviderStrategyItem, Amazon ECS API
// Reference, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html).
type CapacityProviderStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Base             int32  `json:"base"`
	Weight           int32  `json:"weight"`
}

// LoadBalancer attaches a service to a target group.
type LoadBalancer struct {
	TargetGroupArn   string `json:"targetGroupArn,omitempty"`
	LoadBalancerName string `json:"loadBalancerName,omitempty"`
	ContainerName    string `json:"containerName,omitempty"`
	ContainerPort    *int32 `json:"containerPort,omitempty"`
}

// PlacementStrategy is one placement strategy (random, spread, binpack).
type PlacementStrategy struct {
	Type  string `json:"type,omitempty"`
	Field string `json:"field,omitempty"`
}

// PlacementConstraint is stored and shown; the emulator does not evaluate it.
type PlacementConstraint struct {
	Type       string `json:"type,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// DeploymentCircuitBreaker is stored and shown.
type DeploymentCircuitBreaker struct {
	Enable   bool `json:"enable"`
	Rollback bool `json:"rollback"`
}

// DeploymentConfiguration carries the deployment limits.
type DeploymentConfiguration struct {
	MaximumPercent           *int32                    `json:"maximumPercent,omitempty"`
	MinimumHealthyPercent    *int32                    `json:"minimumHealthyPercent,omitempty"`
	DeploymentCircuitBreaker *DeploymentCircuitBreaker `json:"deploymentCircuitBreaker,omitempty"`
}

// DeploymentController names the deployment controller (ECS only here).
type DeploymentController struct {
	Type string `json:"type"`
}

// AwsVpcConfiguration is the awsvpc network configuration (stored only).
type AwsVpcConfiguration struct {
	Subnets        []string `json:"subnets,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	AssignPublicIp string   `json:"assignPublicIp,omitempty"`
}

// NetworkConfiguration wraps AwsVpcConfiguration.
type NetworkConfiguration struct {
	AwsvpcConfiguration *AwsVpcConfiguration `json:"awsvpcConfiguration,omitempty"`
}

// Deployment is one deployment of a service.
type Deployment struct {
	Id                       string                         `json:"id"`
	Status                   string                         `json:"status"`
	TaskDefinition           string                         `json:"taskDefinition"`
	DesiredCount             int32                          `json:"desiredCount"`
	PendingCount             int32                          `json:"pendingCount"`
	RunningCount             int32                          `json:"runningCount"`
	FailedTasks              int32                          `json:"failedTasks"`
	CreatedAt                core.EpochTime                 `json:"createdAt,omitzero"`
	UpdatedAt                core.EpochTime                 `json:"updatedAt,omitzero"`
	LaunchType               string                         `json:"launchType,omitempty"`
	CapacityProviderStrategy []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	NetworkConfiguration     *NetworkConfiguration          `json:"networkConfiguration,omitempty"`
	RolloutState             string                         `json:"rolloutState,omitempty"`
	RolloutStateReason       string                         `json:"rolloutStateReason,omitempty"`

	td   *TaskDefinition
	live int // tasks of this deployment not yet STOPPED
}

// ServiceEvent is one line of a service's event log.
type ServiceEvent struct {
	Id        string         `json:"id"`
	CreatedAt core.EpochTime `json:"createdAt,omitzero"`
	Message   string         `json:"message"`
}

// ClusterSetting is a cluster setting: containerInsights, enhanced,
// enabled or disabled.
type ClusterSetting struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// Cluster is an ECS cluster. Settings, Configuration, Statistics and Tags
// are shown where ECS shows them (see DescribeClusters); omitzero keeps an
// empty list that is shown as [] on the wire.
type Cluster struct {
	ClusterArn                        string                         `json:"clusterArn"`
	ClusterName                       string                         `json:"clusterName"`
	Status                            string                         `json:"status"`
	RegisteredContainerInstancesCount int32                          `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int32                          `json:"runningTasksCount"`
	PendingTasksCount                 int32                          `json:"pendingTasksCount"`
	ActiveServicesCount               int32                          `json:"activeServicesCount"`
	CapacityProviders                 []string                       `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy   []CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy,omitempty"`
	Settings                          []ClusterSetting               `json:"settings,omitzero"`
	// Configuration (execute command, managed storage) is stored and
	// shown as given: the emulator does not act on it.
	Configuration json.RawMessage `json:"configuration,omitempty"`
	Statistics    []KeyValuePair  `json:"statistics,omitzero"`
	Tags          []Tag           `json:"tags,omitzero"`
}

// ManagedScaling is a capacity provider's managed scaling settings.
type ManagedScaling struct {
	Status                 string `json:"status,omitempty"`
	TargetCapacity         *int32 `json:"targetCapacity,omitempty"`
	MinimumScalingStepSize *int32 `json:"minimumScalingStepSize,omitempty"`
	MaximumScalingStepSize *int32 `json:"maximumScalingStepSize,omitempty"`
	InstanceWarmupPeriod   *int32 `json:"instanceWarmupPeriod,omitempty"`
}

// AutoScalingGroupProvider ties a capacity provider to an Auto Scaling group.
type AutoScalingGroupProvider struct {
	AutoScalingGroupArn          string          `json:"autoScalingGroupArn"`
	ManagedScaling               *ManagedScaling `json:"managedScaling,omitempty"`
	ManagedTerminationProtection string          `json:"managedTerminationProtection,omitempty"`
	ManagedDraining              string          `json:"managedDraining,omitempty"`
}

// CapacityProvider is an ECS capacity provider.
type CapacityProvider struct {
	CapacityProviderArn      string                    `json:"capacityProviderArn"`
	Name                     string                    `json:"name"`
	Status                   string                    `json:"status"`
	Type                     string                    `json:"type,omitempty"`
	AutoScalingGroupProvider *AutoScalingGroupProvider `json:"autoScalingGroupProvider,omitempty"`
	UpdateStatus             string                    `json:"updateStatus,omitempty"`
	Tags                     []Tag                     `json:"tags,omitempty"`

	ignoreProtection bool // ECS stores managed termination protection only (IgnoreManagedProtection)
}

// PortMapping maps a container port to the host.
type PortMapping struct {
	ContainerPort *int32 `json:"containerPort,omitempty"`
	HostPort      *int32 `json:"hostPort,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
	Name          string `json:"name,omitempty"`
}

// MountPoint mounts a task definition volume in a container.
type MountPoint struct {
	SourceVolume  string `json:"sourceVolume,omitempty"`
	ContainerPath string `json:"containerPath,omitempty"`
	ReadOnly      *bool  `json:"readOnly,omitempty"`
}

// VolumeFrom mounts the volumes of another container of the task.
type VolumeFrom struct {
	SourceContainer string `json:"sourceContainer,omitempty"`
	ReadOnly        *bool  `json:"readOnly,omitempty"`
}

// HostVolumeProperties is a bind mount's host path.
type HostVolumeProperties struct {
	SourcePath string `json:"sourcePath,omitempty"`
}

// Volume is a task definition volume. Docker, EFS and FSx configurations
// are stored and shown as given: the emulator mounts nothing.
type Volume struct {
	Name                                    string                `json:"name,omitempty"`
	Host                                    *HostVolumeProperties `json:"host,omitempty"`
	ConfiguredAtLaunch                      *bool                 `json:"configuredAtLaunch,omitempty"`
	DockerVolumeConfiguration               json.RawMessage       `json:"dockerVolumeConfiguration,omitempty"`
	EfsVolumeConfiguration                  json.RawMessage       `json:"efsVolumeConfiguration,omitempty"`
	FsxWindowsFileServerVolumeConfiguration json.RawMessage       `json:"fsxWindowsFileServerVolumeConfiguration,omitempty"`
}

// HealthCheck is a container health check (seconds; defaults interval 30,
// timeout 5, retries 3, no start period).
type HealthCheck struct {
	Command     []string `json:"command"`
	Interval    *int32   `json:"interval,omitempty"`
	Timeout     *int32   `json:"timeout,omitempty"`
	Retries     *int32   `json:"retries,omitempty"`
	StartPeriod *int32   `json:"startPeriod,omitempty"`
}

// ContainerDefinition is one container of a task definition. cpu and the
// lists ECS always shows (portMappings, environment, mountPoints,
// volumesFrom) are shown empty when not given, as in the AWS CLI's
// register-task-definition and delete-task-definitions examples.
type ContainerDefinition struct {
	Name              string            `json:"name,omitempty"`
	Image             string            `json:"image,omitempty"`
	Cpu               int32             `json:"cpu"`
	Memory            *int32            `json:"memory,omitempty"`
	MemoryReservation *int32            `json:"memoryReservation,omitempty"`
	PortMappings      []PortMapping     `json:"portMappings"`
	Essential         *bool             `json:"essential,omitempty"`
	EntryPoint        []string          `json:"entryPoint,omitempty"`
	Command           []string          `json:"command,omitempty"`
	Environment       []KeyValuePair    `json:"environment"`
	MountPoints       []MountPoint      `json:"mountPoints"`
	VolumesFrom       []VolumeFrom      `json:"volumesFrom"`
	StopTimeout       *int32            `json:"stopTimeout,omitempty"`
	StartTimeout      *int32            `json:"startTimeout,omitempty"`
	DockerLabels      map[string]string `json:"dockerLabels,omitempty"`
	HealthCheck       *HealthCheck      `json:"healthCheck,omitempty"`

	extra map[string]json.RawMessage // members kept as given (see extra.go)
}

// TaskDefinitionPlacementConstraint is a task definition's placement
// constraint: memberOf with a cluster query language expression.
type TaskDefinitionPlacementConstraint struct {
	Type       string `json:"type,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// TaskDefinition is a registered revision of a task definition family.
type TaskDefinition struct {
	TaskDefinitionArn       string                `json:"taskDefinitionArn"`
	Family                  string                `json:"family"`
	Revision                int32                 `json:"revision"`
	ContainerDefinitions    []ContainerDefinition `json:"containerDefinitions"`
	Cpu                     string                `json:"cpu,omitempty"`
	Memory                  string                `json:"memory,omitempty"`
	NetworkMode             string                `json:"networkMode,omitempty"`
	RequiresCompatibilities []string              `json:"requiresCompatibilities,omitempty"`
	Compatibilities         []string              `json:"compatibilities,omitempty"`
	Status                  string                `json:"status"`
	TaskRoleArn             string                `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string                `json:"executionRoleArn,omitempty"`
	RegisteredAt            core.EpochTime        `json:"registeredAt,omitzero"`
	RegisteredBy            string                `json:"registeredBy,omitempty"`
	// Volumes and PlacementConstraints are shown as empty lists when
	// there are none, as ECS shows them.
	Volumes              []Volume                            `json:"volumes"`
	PlacementConstraints []TaskDefinitionPlacementConstraint `json:"placementConstraints"`

	cpu, mem    int // reserved on the instance per task
	essential   int // index of the first essential container
	timings     Timings
	hasHealthy  bool          // emulator.healthy given explicitly
	healthCheck time.Duration // essential containers' health checks pass after this (0: none)
	allChecked  bool          // every essential container has a health check
	stopTimeout time.Duration // the essential container's stopTimeout; 0: the agent's default
	hasStop     bool
	tags        []Tag
	memberOf    []query.Expr
	extra       map[string]json.RawMessage // members kept as given (see extra.go)
}
