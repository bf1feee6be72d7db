package ecs

import (
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// CreateCapacityProviderInput is the CreateCapacityProvider request.
type CreateCapacityProviderInput struct {
	Name                     string                    `json:"name"`
	AutoScalingGroupProvider *AutoScalingGroupProvider `json:"autoScalingGroupProvider,omitempty"`
	Tags                     []Tag                     `json:"tags,omitempty"`
}

// CreateCapacityProviderOutput is the CreateCapacityProvider response.
type CreateCapacityProviderOutput struct {
	CapacityProvider *CapacityProvider `json:"capacityProvider,omitempty"`
}

func builtinProvider(name string) bool { return name == "FARGATE" || name == "FARGATE_SPOT" }

// CreateCapacityProvider creates an Auto Scaling group capacity provider.
// With managedDraining (ENABLED unless set) ECS puts its termination hook
// on the group, and managed draining and managed termination protection
// act as managed.go describes; managed scaling is stored only.
func (s *Service) CreateCapacityProvider(in CreateCapacityProviderInput) (*CreateCapacityProviderOutput, error) {
	if !validName(in.Name, 255) {
		return nil, invalid("The capacity provider name must consist of 1 to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.")
	}
	lower := strings.ToLower(in.Name)
	for _, p := range []string{"aws", "ecs", "fargate"} {
		if strings.HasPrefix(lower, p) {
			return nil, invalid("The capacity provider name cannot be prefixed with 'aws', 'ecs', or 'fargate'.")
		}
	}
	asg := in.AutoScalingGroupProvider
	if asg == nil {
		return nil, invalid("autoScalingGroupProvider is required.")
	}
	if !strings.HasPrefix(asg.AutoScalingGroupArn, "arn:aws:autoscaling:") || !strings.Contains(asg.AutoScalingGroupArn, ":autoScalingGroup:") {
		return nil, invalid("The specified Auto Scaling group ARN %q is not valid.", asg.AutoScalingGroupArn)
	}
	p := *asg
	if p.ManagedTerminationProtection == "" {
		p.ManagedTerminationProtection = "DISABLED"
	}
	if p.ManagedDraining == "" {
		p.ManagedDraining = "ENABLED"
	}
	ms := ManagedScaling{Status: "DISABLED"}
	if asg.ManagedScaling != nil {
		ms = *asg.ManagedScaling
		if ms.Status == "" {
			ms.Status = "ENABLED"
		}
	}
	if err := checkProvider(&p, ms); err != nil {
		return nil, err
	}
	if s.cpByName[in.Name] != nil {
		return nil, core.ClientError("ClientException", "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.")
	}
	for _, o := range s.cps {
		if o.AutoScalingGroupProvider.AutoScalingGroupArn == p.AutoScalingGroupArn {
			return nil, core.ClientError("ClientException", "The specified Auto Scaling group ARN is already being used by capacity provider %s. Specify a unique Auto Scaling group ARN and try again.", o.Name)
		}
	}
	cp := &CapacityProvider{
		CapacityProviderArn:      s.env.ARN("ecs", "capacity-provider/"+in.Name),
		Name:                     in.Name,
		Status:                   "ACTIVE",
		Type:                     "EC2_AUTOSCALING",
		AutoScalingGroupProvider: &p,
		Tags:                     in.Tags,
	}
	s.cps = append(s.cps, cp)
	s.cpByName[in.Name] = cp
	s.putManagedHook(cp)
	s.protectGroup(cp)
	out := cp.snapshot()
	return &CreateCapacityProviderOutput{CapacityProvider: &out}, nil
}

// checkProvider validates the managed settings of a capacity provider
// being created or updated, with ms its managed scaling (Status set), and
// completes ms's defaults into p.ManagedScaling.
func checkProvider(p *AutoScalingGroupProvider, ms ManagedScaling) error {
	switch p.ManagedTerminationProtection {
	case "ENABLED", "DISABLED":
	default:
		return invalid("managedTerminationProtection must be ENABLED or DISABLED.")
	}
	switch p.ManagedDraining {
	case "ENABLED", "DISABLED":
	default:
		return invalid("managedDraining must be ENABLED or DISABLED.")
	}
	if ms.Status != "ENABLED" && ms.Status != "DISABLED" {
		return invalid("managedScaling.status must be ENABLED or DISABLED.")
	}
	if ms.TargetCapacity == nil {
		ms.TargetCapacity = i32(100)
	}
	if ms.MinimumScalingStepSize == nil {
		ms.MinimumScalingStepSize = i32(1)
	}
	if ms.MaximumScalingStepSize == nil {
		ms.MaximumScalingStepSize = i32(10000)
	}
	if ms.InstanceWarmupPeriod == nil {
		ms.InstanceWarmupPeriod = i32(300)
	}
	switch {
	case *ms.TargetCapacity < 1 || *ms.TargetCapacity > 100:
		return invalid("managedScaling.targetCapacity must be between 1 and 100.")
	case *ms.MinimumScalingStepSize < 1 || *ms.MinimumScalingStepSize > 10000,
		*ms.MaximumScalingStepSize < 1 || *ms.MaximumScalingStepSize > 10000,
		*ms.MinimumScalingStepSize > *ms.MaximumScalingStepSize:
		return invalid("managedScaling step sizes must be between 1 and 10000, minimum not above maximum.")
	case *ms.InstanceWarmupPeriod < 0 || *ms.InstanceWarmupPeriod > 10000:
		return invalid("managedScaling.instanceWarmupPeriod must be between 0 and 10000.")
	}
	if p.ManagedTerminationProtection == "ENABLED" && ms.Status != "ENABLED" {
		return invalid("The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, managed scaling must be turned on.")
	}
	p.ManagedScaling = &ms
	return nil
}

// UpdateCapacityProviderInput is the UpdateCapacityProvider request.
type UpdateCapacityProviderInput struct {
	Name                     string                          `json:"name"`
	AutoScalingGroupProvider *AutoScalingGroupProviderUpdate `json:"autoScalingGroupProvider,omitempty"`
}

// AutoScalingGroupProviderUpdate is the settings UpdateCapacityProvider
// changes: those of AutoScalingGroupProvider but its group, which never
// changes. An empty string or nil keeps the current value.
type AutoScalingGroupProviderUpdate struct {
	ManagedScaling               *ManagedScaling `json:"managedScaling,omitempty"`
	ManagedTerminationProtection string          `json:"managedTerminationProtection,omitempty"`
	ManagedDraining              string          `json:"managedDraining,omitempty"`
}

// UpdateCapacityProviderOutput is the UpdateCapacityProvider response.
type UpdateCapacityProviderOutput struct {
	CapacityProvider *CapacityProvider `json:"capacityProvider,omitempty"`
}

// UpdateCapacityProvider changes a capacity provider's managed settings
// (UpdateCapacityProvider,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateCapacityProvider.html;
// AutoScalingGroupProviderUpdate,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProviderUpdate.html).
// A setting left out keeps its value; a managedScaling given replaces the
// fields it sets. Managed termination protection still needs managed
// scaling. The change takes effect at once (updateStatus UPDATE_COMPLETE):
// managed draining turned on puts ECS's termination hook on the group and
// turned off removes it (ECS first completes, with CONTINUE, the lifecycle
// actions it still holds, so no instance waits on a hook nobody answers);
// managed termination
// protection turned on makes ECS protect the group's busy instances now,
// turned off leaves every instance's protection as it is. A name no
// provider has is a ClientException.
func (s *Service) UpdateCapacityProvider(in UpdateCapacityProviderInput) (*UpdateCapacityProviderOutput, error) {
	cp := s.cpByName[lastSegment(in.Name)]
	if in.Name == "" || cp == nil {
		return nil, core.ClientError("ClientException", "The specified capacity provider does not exist. Specify a valid name or ARN and try again.")
	}
	up := in.AutoScalingGroupProvider
	if up == nil {
		return nil, invalid("autoScalingGroupProvider is required.")
	}
	was := *cp.AutoScalingGroupProvider
	p := was
	if up.ManagedTerminationProtection != "" {
		p.ManagedTerminationProtection = up.ManagedTerminationProtection
	}
	if up.ManagedDraining != "" {
		p.ManagedDraining = up.ManagedDraining
	}
	ms := *was.ManagedScaling
	if u := up.ManagedScaling; u != nil {
		if u.Status != "" {
			ms.Status = u.Status
		}
		for _, f := range []struct{ to, from **int32 }{
			{&ms.TargetCapacity, &u.TargetCapacity}, {&ms.MinimumScalingStepSize, &u.MinimumScalingStepSize},
			{&ms.MaximumScalingStepSize, &u.MaximumScalingStepSize}, {&ms.InstanceWarmupPeriod, &u.InstanceWarmupPeriod},
		} {
			if *f.from != nil {
				*f.to = *f.from
			}
		}
	}
	if err := checkProvider(&p, ms); err != nil {
		return nil, err
	}
	cp.AutoScalingGroupProvider = &p
	cp.UpdateStatus = "UPDATE_COMPLETE"
	if was.ManagedDraining != p.ManagedDraining {
		if p.ManagedDraining == "ENABLED" {
			s.putManagedHook(cp)
		} else {
			s.dropManagedHook(cp)
		}
	}
	if was.ManagedTerminationProtection != "ENABLED" && p.ManagedTerminationProtection == "ENABLED" {
		s.protectGroup(cp)
	}
	out := cp.snapshot()
	return &UpdateCapacityProviderOutput{CapacityProvider: &out}, nil
}

func (cp *CapacityProvider) snapshot() CapacityProvider {
	out := *cp
	p := *cp.AutoScalingGroupProvider
	ms := *p.ManagedScaling
	p.ManagedScaling = &ms
	out.AutoScalingGroupProvider = &p
	return out
}

// CapacityProviderByName returns a capacity provider, or nil.
func (s *Service) CapacityProviderByName(name string) *CapacityProvider { return s.cpByName[name] }

// DescribeCapacityProvidersInput is the DescribeCapacityProviders request.
type DescribeCapacityProvidersInput struct {
	CapacityProviders []string `json:"capacityProviders,omitempty"`
	Include           []string `json:"include,omitempty"`
	MaxResults        *int32   `json:"maxResults,omitempty"`
	NextToken         string   `json:"nextToken,omitempty"`
}

// DescribeCapacityProvidersOutput is the DescribeCapacityProviders response.
type DescribeCapacityProvidersOutput struct {
	CapacityProviders []CapacityProvider `json:"capacityProviders"`
	Failures          []Failure          `json:"failures"`
	NextToken         string             `json:"nextToken,omitempty"`
}

// DescribeCapacityProviders describes capacity providers by name or ARN
// (all when none are given); unknown ones are MISSING.
func (s *Service) DescribeCapacityProviders(in DescribeCapacityProvidersInput) (*DescribeCapacityProvidersOutput, error) {
	out := &DescribeCapacityProvidersOutput{CapacityProviders: []CapacityProvider{}, Failures: []Failure{}}
	var list []CapacityProvider
	if len(in.CapacityProviders) == 0 {
		for _, cp := range s.cps {
			list = append(list, cp.snapshot())
		}
	}
	for _, k := range in.CapacityProviders {
		cp := s.cpByName[lastSegment(k)]
		if cp == nil {
			arn := k
			if !strings.HasPrefix(k, "arn:") {
				arn = s.env.ARN("ecs", "capacity-provider/"+k)
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		list = append(list, cp.snapshot())
	}
	max := in.MaxResults
	if max != nil && *max > 10 {
		return nil, invalid("maxResults must be between 1 and 10.")
	}
	if max == nil {
		max = i32(10)
	}
	page, next, err := paginate(list, max, in.NextToken)
	if err != nil {
		return nil, err
	}
	out.CapacityProviders = append(out.CapacityProviders, page...)
	out.NextToken = next
	return out, nil
}

// PutClusterCapacityProvidersInput is the PutClusterCapacityProviders request.
type PutClusterCapacityProvidersInput struct {
	Cluster                         string                         `json:"cluster"`
	CapacityProviders               []string                       `json:"capacityProviders"`
	DefaultCapacityProviderStrategy []CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy"`
}

// PutClusterCapacityProvidersOutput is the PutClusterCapacityProviders response.
type PutClusterCapacityProvidersOutput struct {
	Cluster *Cluster `json:"cluster,omitempty"`
}

// PutClusterCapacityProviders sets a cluster's capacity providers and
// default strategy. A provider still used by a service cannot be removed.
func (s *Service) PutClusterCapacityProviders(in PutClusterCapacityProvidersInput) (*PutClusterCapacityProvidersOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if err := s.checkStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, n := range in.CapacityProviders {
		keep[n] = true
	}
	for _, svc := range c.services {
		if svc.Status == "INACTIVE" {
			continue
		}
		for _, it := range svc.CapacityProviderStrategy {
			if !keep[it.CapacityProvider] {
				return nil, core.ClientError("ResourceInUseException", "The specified capacity provider %s is in use and cannot be removed.", it.CapacityProvider)
			}
		}
	}
	c.CapacityProviders = append([]string(nil), in.CapacityProviders...)
	c.DefaultCapacityProviderStrategy = append([]CapacityProviderStrategyItem(nil), in.DefaultCapacityProviderStrategy...)
	// Instances of a newly associated group now show it.
	for _, ci := range c.instances {
		if ci.CapacityProviderName == "" && ci.Status != "INACTIVE" {
			ci.CapacityProviderName = s.providerFor(c, ci.Host.AutoScalingGroupARN)
		}
	}
	snap := c.snapshot(mutationView)
	return &PutClusterCapacityProvidersOutput{Cluster: &snap}, nil
}

// checkStrategy validates a provider list and a strategy over it.
func (s *Service) checkStrategy(providers []string, strategy []CapacityProviderStrategyItem) error {
	for _, n := range providers {
		if !builtinProvider(n) && s.cpByName[lastSegment(n)] == nil {
			return invalid("The specified capacity provider %s does not exist. Specify a valid capacity provider and try again.", n)
		}
	}
	if len(strategy) > 20 {
		return invalid("The capacity provider strategy can have at most 20 items.")
	}
	bases := 0
	for _, it := range strategy {
		in := false
		for _, n := range providers {
			in = in || n == it.CapacityProvider
		}
		if !in {
			return invalid("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
		if it.Weight < 0 || it.Weight > 1000 || it.Base < 0 || it.Base > 100000 {
			return invalid("Capacity provider strategy weight must be 0-1000 and base 0-100000.")
		}
		if it.Base > 0 {
			bases++
		}
	}
	if bases > 1 {
		return invalid("A base value can be specified for only one capacity provider in a capacity provider strategy.")
	}
	return nil
}

// providerFor returns the cluster's capacity provider for an Auto Scaling
// group ARN, or "".
func (s *Service) providerFor(c *cluster, asgARN string) string {
	if asgARN == "" {
		return ""
	}
	for _, n := range c.CapacityProviders {
		if cp := s.cpByName[n]; cp != nil && cp.AutoScalingGroupProvider.AutoScalingGroupArn == asgARN {
			return cp.Name
		}
	}
	return ""
}
