package ecs

import (
	"fmt"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// ECSService is an ECS service (named so to leave Service to the emulator).
// The exported fields are its wire shape, kept current.
type ECSService struct {
	ServiceArn                    string                         `json:"serviceArn"`
	ServiceName                   string                         `json:"serviceName"`
	ClusterArn                    string                         `json:"clusterArn"`
	LoadBalancers                 []LoadBalancer                 `json:"loadBalancers"`
	Status                        string                         `json:"status"`
	DesiredCount                  int32                          `json:"desiredCount"`
	RunningCount                  int32                          `json:"runningCount"`
	PendingCount                  int32                          `json:"pendingCount"`
	LaunchType                    string                         `json:"launchType,omitempty"`
	CapacityProviderStrategy      []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	TaskDefinition                string                         `json:"taskDefinition"`
	DeploymentConfiguration       *DeploymentConfiguration       `json:"deploymentConfiguration,omitempty"`
	Deployments                   []*Deployment                  `json:"deployments"`
	Events                        []ServiceEvent                 `json:"events"`
	CreatedAt                     core.EpochTime                 `json:"createdAt,omitzero"`
	CreatedBy                     string                         `json:"createdBy,omitempty"`
	PlacementConstraints          []PlacementConstraint          `json:"placementConstraints"`
	PlacementStrategy             []PlacementStrategy            `json:"placementStrategy"`
	NetworkConfiguration          *NetworkConfiguration          `json:"networkConfiguration,omitempty"`
	HealthCheckGracePeriodSeconds *int32                         `json:"healthCheckGracePeriodSeconds,omitempty"`
	SchedulingStrategy            string                         `json:"schedulingStrategy"`
	DeploymentController          *DeploymentController          `json:"deploymentController,omitempty"`
	EnableECSManagedTags          bool                           `json:"enableECSManagedTags"`
	PropagateTags                 string                         `json:"propagateTags,omitempty"`
	RoleArn                       string                         `json:"roleArn,omitempty"`
	// Tags are shown by CreateService, and by DescribeServices with
	// include TAGS only.
	Tags []Tag `json:"tags,omitzero"`

	seq      int64
	cl       *cluster
	daemon   bool
	memberOf []query.Expr // the service's memberOf constraints
	distinct bool         // a distinctInstance constraint

	live    taskSet // tasks not yet STOPPED (orphans excluded)
	replace taskSet // active tasks that need replacing
	counted int     // len(live)
	// upOrStarting counts tasks RUNNING or PENDING (any of the starting
	// states): what maximumPercent limits. A task already stopping frees
	// its slot, though its resources stay reserved until it is STOPPED.
	upOrStarting int
	active       int // live tasks with desiredStatus RUNNING
	healthy      int
	azCount      map[string]int
	ciCount      map[*ContainerInstance]int

	dirty          bool
	dirtyCIs       []*ContainerInstance // daemon: instances to reconcile
	dirtyCISet     map[*ContainerInstance]bool
	dirtyAll       bool
	blocked        bool // waiting for capacity
	protectBlocked bool // protected tasks keep it from scaling in or deploying
	steady         bool
}

func (svc *ECSService) primary() *Deployment { return svc.Deployments[0] }

func (svc *ECSService) minMax() (int, int) {
	return int(*svc.DeploymentConfiguration.MinimumHealthyPercent), int(*svc.DeploymentConfiguration.MaximumPercent)
}

// Live returns the service's tasks not yet STOPPED (orphans excluded).
func (svc *ECSService) Live() []*Task { return append([]*Task(nil), svc.live...) }

// snapshot returns a copy safe to hand out, with its tags when tags is
// set.
func (svc *ECSService) snapshot(tags bool) ECSService {
	out := *svc
	out.Tags = nil
	if tags {
		out.Tags = copyTags(svc.Tags)
	}
	out.Deployments = make([]*Deployment, len(svc.Deployments))
	for i, d := range svc.Deployments {
		c := *d
		if i == 0 {
			c.DesiredCount = out.DesiredCount
		}
		out.Deployments[i] = &c
	}
	out.Events = append([]ServiceEvent{}, svc.Events...)
	out.LoadBalancers = append([]LoadBalancer{}, svc.LoadBalancers...)
	out.PlacementStrategy = append([]PlacementStrategy{}, svc.PlacementStrategy...)
	out.PlacementConstraints = append([]PlacementConstraint{}, svc.PlacementConstraints...)
	dc := *svc.DeploymentConfiguration
	out.DeploymentConfiguration = &dc
	out.live, out.replace, out.azCount, out.ciCount, out.dirtyCIs, out.dirtyCISet = nil, nil, nil, nil, nil, nil
	out.memberOf = nil
	return out
}

// event records a service event (newest first, at most 100).
func (s *Service) event(svc *ECSService, format string, args ...any) {
	ev := ServiceEvent{Id: s.env.UUID(), CreatedAt: core.Epoch(s.env.Now()),
		Message: fmt.Sprintf("(service %s) ", svc.ServiceName) + fmt.Sprintf(format, args...)}
	if len(svc.Events) < 100 {
		svc.Events = append(svc.Events, ServiceEvent{})
	}
	copy(svc.Events[1:], svc.Events)
	svc.Events[0] = ev
}

// CreateServiceInput is the CreateService request.
type CreateServiceInput struct {
	Cluster                       string                         `json:"cluster,omitempty"`
	ServiceName                   string                         `json:"serviceName"`
	TaskDefinition                string                         `json:"taskDefinition,omitempty"`
	DesiredCount                  *int32                         `json:"desiredCount,omitempty"`
	LaunchType                    string                         `json:"launchType,omitempty"`
	CapacityProviderStrategy      []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	DeploymentConfiguration       *DeploymentConfiguration       `json:"deploymentConfiguration,omitempty"`
	DeploymentController          *DeploymentController          `json:"deploymentController,omitempty"`
	LoadBalancers                 []LoadBalancer                 `json:"loadBalancers,omitempty"`
	PlacementStrategy             []PlacementStrategy            `json:"placementStrategy,omitempty"`
	PlacementConstraints          []PlacementConstraint          `json:"placementConstraints,omitempty"`
	NetworkConfiguration          *NetworkConfiguration          `json:"networkConfiguration,omitempty"`
	HealthCheckGracePeriodSeconds *int32                         `json:"healthCheckGracePeriodSeconds,omitempty"`
	SchedulingStrategy            string                         `json:"schedulingStrategy,omitempty"`
	ClientToken                   string                         `json:"clientToken,omitempty"`
	EnableECSManagedTags          bool                           `json:"enableECSManagedTags,omitempty"`
	PropagateTags                 string                         `json:"propagateTags,omitempty"`
	Role                          string                         `json:"role,omitempty"`
	Tags                          []Tag                          `json:"tags,omitempty"`
}

// CreateServiceOutput is the CreateService response.
type CreateServiceOutput struct {
	Service *ECSService `json:"service,omitempty"`
}

// CreateService creates a REPLICA or DAEMON service and starts its tasks.
func (s *Service) CreateService(in CreateServiceInput) (*CreateServiceOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if !validName(in.ServiceName, 255) {
		return nil, invalid("Service name must consist of 1 to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	strategy := in.SchedulingStrategy
	switch strategy {
	case "":
		strategy = "REPLICA"
	case "REPLICA", "DAEMON":
	default:
		return nil, invalid("Invalid schedulingStrategy '%s'. Valid values are REPLICA and DAEMON.", in.SchedulingStrategy)
	}
	daemon := strategy == "DAEMON"
	if in.TaskDefinition == "" {
		return nil, invalid("TaskDefinition can not be blank.")
	}
	td := s.taskDefinition(in.TaskDefinition)
	if td == nil {
		return nil, invalid("TaskDefinition not found.")
	}
	var desired int32
	if in.DesiredCount != nil {
		if daemon {
			return nil, invalid("The daemon scheduling strategy does not support a desired count for services.")
		}
		desired = *in.DesiredCount
		if desired < 0 {
			return nil, invalid("Desired count must be greater than or equal to 0.")
		}
	}
	if daemon && len(in.PlacementStrategy) > 0 {
		return nil, invalid("Placement strategies are not supported with the DAEMON scheduling strategy.")
	}
	if err := validStrategies(in.PlacementStrategy); err != nil {
		return nil, err
	}
	launch, cps, err := s.launchOf(c, in.LaunchType, in.CapacityProviderStrategy)
	if err != nil {
		return nil, err
	}
	dc, err := deploymentConfig(nil, in.DeploymentConfiguration, daemon)
	if err != nil {
		return nil, err
	}
	if td.NetworkMode == "awsvpc" && (in.NetworkConfiguration == nil || in.NetworkConfiguration.AwsvpcConfiguration == nil) {
		return nil, invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	if err := validLoadBalancers(in.LoadBalancers, td); err != nil {
		return nil, err
	}
	role, err := s.serviceRole(in.Role, in.LoadBalancers, td)
	if err != nil {
		return nil, err
	}
	memberOf, distinct, err := validConstraints(in.PlacementConstraints, td)
	if err != nil {
		return nil, err
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	if old := c.svcByName[in.ServiceName]; old != nil && old.Status != "INACTIVE" {
		return nil, invalid("Creation of service was not idempotent.")
	}
	strategies := append([]PlacementStrategy{}, in.PlacementStrategy...)
	if len(strategies) == 0 && !daemon {
		strategies = []PlacementStrategy{{Type: "spread", Field: "attribute:ecs.availability-zone"}, {Type: "binpack", Field: "memory"}}
	}
	now := core.Epoch(s.env.Now())
	svc := &ECSService{
		ServiceArn:                    s.env.ARN("ecs", "service/"+c.name+"/"+in.ServiceName),
		ServiceName:                   in.ServiceName,
		ClusterArn:                    c.ClusterArn,
		LoadBalancers:                 append([]LoadBalancer{}, in.LoadBalancers...),
		Status:                        "ACTIVE",
		DesiredCount:                  desired,
		LaunchType:                    launch,
		CapacityProviderStrategy:      cps,
		TaskDefinition:                td.TaskDefinitionArn,
		DeploymentConfiguration:       dc,
		CreatedAt:                     now,
		CreatedBy:                     s.env.ARN("iam", "root"),
		PlacementConstraints:          append([]PlacementConstraint{}, in.PlacementConstraints...),
		PlacementStrategy:             strategies,
		NetworkConfiguration:          in.NetworkConfiguration,
		HealthCheckGracePeriodSeconds: in.HealthCheckGracePeriodSeconds,
		SchedulingStrategy:            strategy,
		DeploymentController:          &DeploymentController{Type: "ECS"},
		EnableECSManagedTags:          in.EnableECSManagedTags,
		PropagateTags:                 in.PropagateTags,
		RoleArn:                       role,
		Tags:                          append([]Tag(nil), in.Tags...),
		Events:                        []ServiceEvent{},
		seq:                           s.nextSeq(),
		cl:                            c,
		daemon:                        daemon,
		memberOf:                      memberOf,
		distinct:                      distinct,
		azCount:                       map[string]int{},
		ciCount:                       map[*ContainerInstance]int{},
		dirtyCISet:                    map[*ContainerInstance]bool{},
	}
	svc.Deployments = []*Deployment{s.newDeployment(svc, td)}
	c.services = append(c.services, svc)
	c.svcByName[svc.ServiceName] = svc
	if daemon {
		c.daemons = append(c.daemons, svc)
		svc.dirtyAll = true
	}
	if daemon {
		svc.DesiredCount = int32(s.daemonTargets(svc))
		svc.primary().DesiredCount = svc.DesiredCount
	}
	s.kick(svc)
	snap := svc.snapshot(true)
	return &CreateServiceOutput{Service: &snap}, nil
}

// serviceRole resolves CreateService's role: a role name (with its path,
// if any) or ARN. ECS permits it only for a service with a load balancer
// whose task definition does not use awsvpc (CreateService, role, Amazon
// ECS API Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
func (s *Service) serviceRole(role string, lbs []LoadBalancer, td *TaskDefinition) (string, error) {
	switch {
	case role == "":
		return "", nil
	case len(lbs) == 0:
		return "", invalid("The role parameter is only permitted with a load balancer: specify loadBalancers, or remove the role.")
	case td.NetworkMode == "awsvpc":
		return "", invalid("The role parameter cannot be used with a task definition that uses the awsvpc network mode: Amazon ECS uses its service-linked role.")
	case strings.HasPrefix(role, "arn:"):
		return role, nil
	}
	return "arn:aws:iam::" + s.env.Account + ":role/" + strings.TrimPrefix(role, "/"), nil
}

// validConstraints checks a service's or RunTask's placement constraints:
// distinctInstance (no expression) or memberOf (a cluster query language
// expression), at most 10 a task counting the task definition's
// (PlacementConstraint and CreateService, Amazon ECS API Reference).
func validConstraints(cs []PlacementConstraint, td *TaskDefinition) ([]query.Expr, bool, error) {
	if len(cs)+len(td.PlacementConstraints) > 10 {
		return nil, false, invalid("You can specify a maximum of 10 placement constraints for a task, including those of the task definition.")
	}
	var memberOf []query.Expr
	distinct := false
	for _, c := range cs {
		switch c.Type {
		case "distinctInstance":
			if c.Expression != "" {
				return nil, false, invalid("You cannot specify an expression if the constraint type is distinctInstance.")
			}
			distinct = true
		case "memberOf":
			if c.Expression == "" {
				return nil, false, invalid("A memberOf placement constraint requires an expression.")
			}
			e, err := parseQuery(c.Expression)
			if err != nil {
				return nil, false, err
			}
			memberOf = append(memberOf, e)
		default:
			return nil, false, invalid("Invalid placement constraint type '%s'. Valid values are distinctInstance and memberOf.", c.Type)
		}
	}
	return memberOf, distinct, nil
}

func (s *Service) newDeployment(svc *ECSService, td *TaskDefinition) *Deployment {
	now := core.Epoch(s.env.Now())
	id := fmt.Sprintf("ecs-svc/%019d", int64(1e18)+s.env.Rand().Int64N(8e18))
	return &Deployment{
		Id:                       id,
		Status:                   "PRIMARY",
		TaskDefinition:           td.TaskDefinitionArn,
		DesiredCount:             svc.DesiredCount,
		CreatedAt:                now,
		UpdatedAt:                now,
		LaunchType:               svc.LaunchType,
		CapacityProviderStrategy: svc.CapacityProviderStrategy,
		NetworkConfiguration:     svc.NetworkConfiguration,
		RolloutState:             "IN_PROGRESS",
		RolloutStateReason:       "ECS deployment " + id + " in progress.",
		td:                       td,
	}
}

// deploymentConfig merges and validates deployment limits.
func deploymentConfig(cur, in *DeploymentConfiguration, daemon bool) (*DeploymentConfiguration, error) {
	out := &DeploymentConfiguration{}
	if cur != nil {
		*out = *cur
	} else if daemon {
		out.MinimumHealthyPercent, out.MaximumPercent = i32(0), i32(100)
	} else {
		out.MinimumHealthyPercent, out.MaximumPercent = i32(100), i32(200)
	}
	if in != nil {
		if in.MinimumHealthyPercent != nil {
			out.MinimumHealthyPercent = i32(*in.MinimumHealthyPercent)
		}
		if in.MaximumPercent != nil {
			out.MaximumPercent = i32(*in.MaximumPercent)
		}
		if in.DeploymentCircuitBreaker != nil {
			cb := *in.DeploymentCircuitBreaker
			out.DeploymentCircuitBreaker = &cb
		}
	}
	minH, maxP := *out.MinimumHealthyPercent, *out.MaximumPercent
	if minH < 0 || minH > 100 {
		return nil, invalid("minimumHealthyPercent must be between 0 and 100.")
	}
	if daemon && maxP != 100 {
		return nil, invalid("The maximumPercent parameter must be 100 for services using the DAEMON scheduling strategy.")
	}
	if maxP < 100 {
		return nil, invalid("maximumPercent must be at least 100.")
	}
	return out, nil
}

func validLoadBalancers(lbs []LoadBalancer, td *TaskDefinition) error {
	for _, lb := range lbs {
		if lb.TargetGroupArn == "" && lb.LoadBalancerName == "" {
			return invalid("loadBalancers: a targetGroupArn or loadBalancerName is required.")
		}
		if lb.ContainerName == "" || lb.ContainerPort == nil {
			return invalid("loadBalancers: containerName and containerPort are required.")
		}
		found := false
		for _, cd := range td.ContainerDefinitions {
			found = found || cd.Name == lb.ContainerName
		}
		if !found {
			return invalid("The container %s does not exist in the task definition.", lb.ContainerName)
		}
	}
	return nil
}

// launchOf resolves a service's launch type or capacity provider strategy.
func (s *Service) launchOf(c *cluster, launch string, cps []CapacityProviderStrategyItem) (string, []CapacityProviderStrategyItem, error) {
	if launch != "" && len(cps) > 0 {
		return "", nil, invalid("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")
	}
	switch launch {
	case "", "EC2":
	case "FARGATE", "EXTERNAL":
		return "", nil, invalid("Launch type %s is not supported by this emulator; use EC2.", launch)
	default:
		return "", nil, invalid("Invalid launchType '%s'.", launch)
	}
	if len(cps) > 0 {
		if err := s.checkStrategy(c.CapacityProviders, cps); err != nil {
			return "", nil, err
		}
		return "", append([]CapacityProviderStrategyItem(nil), cps...), nil
	}
	if launch == "" && len(c.DefaultCapacityProviderStrategy) > 0 {
		return "", append([]CapacityProviderStrategyItem(nil), c.DefaultCapacityProviderStrategy...), nil
	}
	return "EC2", nil, nil
}

func (svc *ECSService) providers() []string {
	var out []string
	for _, it := range svc.CapacityProviderStrategy {
		out = append(out, it.CapacityProvider)
	}
	return out
}

// service resolves a service name or ARN in c.
func (s *Service) service(c *cluster, key string) (*ECSService, error) {
	if key == "" {
		return nil, invalid("Service can not be blank.")
	}
	if strings.HasPrefix(key, "arn:") {
		key = lastSegment(key)
	}
	svc := c.svcByName[key]
	if svc == nil {
		return nil, core.ClientError("ServiceNotFoundException", "Service not found.")
	}
	return svc, nil
}

// activeService resolves a cluster and one of its services that must be
// ACTIVE (UpdateService, DeleteService).
func (s *Service) activeService(clusterRef, serviceRef string) (*cluster, *ECSService, error) {
	c, err := s.cluster(clusterRef)
	if err != nil {
		return nil, nil, err
	}
	svc, err := s.service(c, serviceRef)
	if err != nil {
		return nil, nil, err
	}
	if svc.Status != "ACTIVE" {
		return nil, nil, core.ClientError("ServiceNotActiveException", "Service was not ACTIVE.")
	}
	return c, svc, nil
}

// UpdateServiceInput is the UpdateService request.
type UpdateServiceInput struct {
	Cluster                       string                         `json:"cluster,omitempty"`
	Service                       string                         `json:"service"`
	DesiredCount                  *int32                         `json:"desiredCount,omitempty"`
	TaskDefinition                string                         `json:"taskDefinition,omitempty"`
	DeploymentConfiguration       *DeploymentConfiguration       `json:"deploymentConfiguration,omitempty"`
	CapacityProviderStrategy      []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	PlacementStrategy             []PlacementStrategy            `json:"placementStrategy,omitempty"`
	PlacementConstraints          []PlacementConstraint          `json:"placementConstraints,omitempty"`
	LoadBalancers                 []LoadBalancer                 `json:"loadBalancers,omitempty"`
	NetworkConfiguration          *NetworkConfiguration          `json:"networkConfiguration,omitempty"`
	HealthCheckGracePeriodSeconds *int32                         `json:"healthCheckGracePeriodSeconds,omitempty"`
	ForceNewDeployment            bool                           `json:"forceNewDeployment,omitempty"`
}

// UpdateServiceOutput is the UpdateService response.
type UpdateServiceOutput struct {
	Service *ECSService `json:"service,omitempty"`
}

// UpdateService changes a service's desired count, limits or placement, and
// starts a rolling deployment when the task definition (or anything a
// deployment carries) changes or forceNewDeployment is set.
func (s *Service) UpdateService(in UpdateServiceInput) (*UpdateServiceOutput, error) {
	c, svc, err := s.activeService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	td := svc.primary().td
	if in.TaskDefinition != "" {
		if td = s.taskDefinition(in.TaskDefinition); td == nil {
			return nil, invalid("TaskDefinition not found.")
		}
	}
	if in.DesiredCount != nil {
		if svc.daemon {
			return nil, invalid("The daemon scheduling strategy does not support a desired count for services.")
		}
		if *in.DesiredCount < 0 {
			return nil, invalid("Desired count must be greater than or equal to 0.")
		}
	}
	dc, err := deploymentConfig(svc.DeploymentConfiguration, in.DeploymentConfiguration, svc.daemon)
	if err != nil {
		return nil, err
	}
	if in.PlacementStrategy != nil {
		if svc.daemon && len(in.PlacementStrategy) > 0 {
			return nil, invalid("Placement strategies are not supported with the DAEMON scheduling strategy.")
		}
		if err := validStrategies(in.PlacementStrategy); err != nil {
			return nil, err
		}
	}
	if len(in.CapacityProviderStrategy) > 0 {
		if err := s.checkStrategy(c.CapacityProviders, in.CapacityProviderStrategy); err != nil {
			return nil, err
		}
	}
	if in.LoadBalancers != nil {
		if err := validLoadBalancers(in.LoadBalancers, td); err != nil {
			return nil, err
		}
	}
	if td.NetworkMode == "awsvpc" && svc.NetworkConfiguration == nil && in.NetworkConfiguration == nil {
		return nil, invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	memberOf, distinct := svc.memberOf, svc.distinct
	if in.PlacementConstraints != nil {
		if memberOf, distinct, err = validConstraints(in.PlacementConstraints, td); err != nil {
			return nil, err
		}
	}
	// Everything is valid: apply.
	redeploy := in.ForceNewDeployment || td != svc.primary().td || len(in.CapacityProviderStrategy) > 0 || in.NetworkConfiguration != nil
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
	}
	svc.DeploymentConfiguration = dc
	if in.PlacementStrategy != nil {
		svc.PlacementStrategy = append([]PlacementStrategy{}, in.PlacementStrategy...)
	}
	if in.PlacementConstraints != nil {
		// An empty list removes them all; no new deployment (UpdateService,
		// placementConstraints, Amazon ECS API Reference).
		svc.PlacementConstraints = append([]PlacementConstraint{}, in.PlacementConstraints...)
		svc.memberOf, svc.distinct = memberOf, distinct
		if svc.daemon {
			svc.dirtyAll = true
		}
	}
	if len(in.CapacityProviderStrategy) > 0 {
		svc.CapacityProviderStrategy = append([]CapacityProviderStrategyItem(nil), in.CapacityProviderStrategy...)
		svc.LaunchType = ""
	}
	if in.LoadBalancers != nil {
		svc.LoadBalancers = append([]LoadBalancer{}, in.LoadBalancers...)
	}
	if in.NetworkConfiguration != nil {
		svc.NetworkConfiguration = in.NetworkConfiguration
	}
	if in.HealthCheckGracePeriodSeconds != nil {
		svc.HealthCheckGracePeriodSeconds = in.HealthCheckGracePeriodSeconds
	}
	if redeploy {
		s.deploy(svc, td)
	}
	if svc.daemon {
		svc.DesiredCount = int32(s.daemonTargets(svc))
	}
	svc.primary().DesiredCount = svc.DesiredCount
	svc.steady = false
	s.kick(svc)
	snap := svc.snapshot(false)
	return &UpdateServiceOutput{Service: &snap}, nil
}

// deploy makes a new PRIMARY deployment; the previous ones become ACTIVE
// and all their tasks need replacing.
func (s *Service) deploy(svc *ECSService, td *TaskDefinition) {
	live := append([]*Task(nil), svc.live...)
	for _, t := range live {
		s.account(t, -1)
	}
	for _, d := range svc.Deployments {
		d.Status = "ACTIVE"
		d.UpdatedAt = core.Epoch(s.env.Now())
		if d.RolloutState == "IN_PROGRESS" {
			d.RolloutState, d.RolloutStateReason = "FAILED", "ECS deployment replaced by a newer deployment."
		}
	}
	svc.TaskDefinition = td.TaskDefinitionArn
	svc.Deployments = append([]*Deployment{s.newDeployment(svc, td)}, svc.Deployments...)
	for _, t := range live {
		s.account(t, +1)
	}
	if svc.daemon {
		svc.dirtyAll = true
	}
}

// DeleteServiceInput is the DeleteService request.
type DeleteServiceInput struct {
	Cluster string `json:"cluster,omitempty"`
	Service string `json:"service"`
	Force   *bool  `json:"force,omitempty"`
}

// DeleteServiceOutput is the DeleteService response.
type DeleteServiceOutput struct {
	Service *ECSService `json:"service,omitempty"`
}

// DeleteService deletes a service scaled to 0 (or any, with force): it goes
// DRAINING while its tasks stop, then INACTIVE.
func (s *Service) DeleteService(in DeleteServiceInput) (*DeleteServiceOutput, error) {
	_, svc, err := s.activeService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	force := in.Force != nil && *in.Force
	if !svc.daemon && svc.DesiredCount > 0 && !force {
		return nil, invalid("The service cannot be stopped while it is scaled above 0.")
	}
	svc.Status = "DRAINING"
	svc.DesiredCount = 0
	svc.primary().DesiredCount = 0
	if svc.daemon {
		svc.dirtyAll = true
	}
	s.kick(svc)
	snap := svc.snapshot(false)
	return &DeleteServiceOutput{Service: &snap}, nil
}

// DescribeServicesInput is the DescribeServices request.
type DescribeServicesInput struct {
	Cluster  string   `json:"cluster,omitempty"`
	Services []string `json:"services"`
	Include  []string `json:"include,omitempty"`
}

// DescribeServicesOutput is the DescribeServices response.
type DescribeServicesOutput struct {
	Services []ECSService `json:"services"`
	Failures []Failure    `json:"failures"`
}

// DescribeServices describes up to 10 services; unknown ones are MISSING.
// Tags are shown only with include TAGS ("If this field is omitted, tags
// aren't included in the response", DescribeServices, Amazon ECS API
// Reference).
func (s *Service) DescribeServices(in DescribeServicesInput) (*DescribeServicesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	tags, err := includes(in.Include, "TAGS", "TAGS")
	if err != nil {
		return nil, err
	}
	if len(in.Services) == 0 {
		return nil, invalid("Services cannot be empty.")
	}
	if len(in.Services) > 10 {
		return nil, invalid("Services can have at most 10 items.")
	}
	out := &DescribeServicesOutput{Services: []ECSService{}, Failures: []Failure{}}
	for _, k := range in.Services {
		svc, err := s.service(c, k)
		if err != nil {
			arn := k
			if !strings.HasPrefix(k, "arn:") {
				arn = s.env.ARN("ecs", "service/"+c.name+"/"+k)
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out.Services = append(out.Services, svc.snapshot(tags))
	}
	return out, nil
}

// ListServicesInput is the ListServices request.
type ListServicesInput struct {
	Cluster            string `json:"cluster,omitempty"`
	LaunchType         string `json:"launchType,omitempty"`
	SchedulingStrategy string `json:"schedulingStrategy,omitempty"`
	MaxResults         *int32 `json:"maxResults,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
}

// ListServicesOutput is the ListServices response.
type ListServicesOutput struct {
	ServiceArns []string `json:"serviceArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// ListServices lists the ARNs of services not INACTIVE, paginated.
func (s *Service) ListServices(in ListServicesInput) (*ListServicesOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	arns := []string{}
	for _, svc := range c.services {
		if svc.Status == "INACTIVE" ||
			in.SchedulingStrategy != "" && in.SchedulingStrategy != svc.SchedulingStrategy ||
			in.LaunchType != "" && in.LaunchType != svc.LaunchType {
			continue
		}
		arns = append(arns, svc.ServiceArn)
	}
	max := in.MaxResults
	if max == nil {
		max = i32(10)
	}
	page, next, err := paginate(arns, max, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListServicesOutput{ServiceArns: page, NextToken: next}, nil
}
