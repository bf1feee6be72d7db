package ecs

import (
	"encoding/json"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// IdentityDocument is the part of an EC2 instance identity document
// (http://169.254.169.254/latest/dynamic/instance-identity/document) that
// RegisterContainerInstance reads: ECS takes the instance, its type, zone,
// image and architecture from it.
type IdentityDocument struct {
	InstanceID       string `json:"instanceId"`
	InstanceType     string `json:"instanceType,omitempty"`
	AvailabilityZone string `json:"availabilityZone,omitempty"`
	ImageID          string `json:"imageId,omitempty"`
	Architecture     string `json:"architecture,omitempty"`
	Region           string `json:"region,omitempty"`
}

// PlatformDevice is a device (a GPU) the agent reports.
type PlatformDevice struct {
	Id   string `json:"id"`
	Type string `json:"type"`
}

// RegisterContainerInstanceInput is the RegisterContainerInstance request.
type RegisterContainerInstanceInput struct {
	Cluster                           string           `json:"cluster,omitempty"`
	InstanceIdentityDocument          string           `json:"instanceIdentityDocument,omitempty"`
	InstanceIdentityDocumentSignature string           `json:"instanceIdentityDocumentSignature,omitempty"`
	TotalResources                    []Resource       `json:"totalResources,omitempty"`
	VersionInfo                       *VersionInfo     `json:"versionInfo,omitempty"`
	ContainerInstanceArn              string           `json:"containerInstanceArn,omitempty"`
	Attributes                        []Attribute      `json:"attributes,omitempty"`
	PlatformDevices                   []PlatformDevice `json:"platformDevices,omitempty"`
	Tags                              []Tag            `json:"tags,omitempty"`
}

// RegisterContainerInstanceOutput is the RegisterContainerInstance response.
type RegisterContainerInstanceOutput struct {
	ContainerInstance *ContainerInstance `json:"containerInstance,omitempty"`
}

// builtinAttribute reports whether an attribute is ECS's or the agent's
// (ecs.*, com.amazonaws.ecs.*): those do not count toward the custom
// attribute limit and are replaced, not kept, when the agent registers
// again.
func builtinAttribute(name string) bool {
	return strings.HasPrefix(name, "ecs.") || strings.HasPrefix(name, "com.amazonaws.ecs.")
}

// RegisterContainerInstance registers an EC2 instance into a cluster, as
// the ECS agent calls it ("This action is only used by the Amazon ECS
// agent", RegisterContainerInstance, Amazon ECS API Reference,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterContainerInstance.html);
// the emulated agent of every EC2 instance calls it too.
//
// The instance identity document names the EC2 instance; ECS verifies it
// with its signature, the emulator by the instance being one of its own
// running EC2 instances (ClientException otherwise). totalResources'
// CPU and MEMORY (INTEGER) become the instance's registered and remaining
// resources, other resources (PORTS, PORTS_UDP) are shown as given; without
// them the emulated agent's figures apply. ECS adds ecs.availability-zone,
// ecs.instance-type, ecs.ami-id and ecs.cpu-architecture from the document
// to the attributes sent.
//
// With containerInstanceArn the agent re-registers an instance it
// registered before (after a restart): its resources, version and ECS's
// attributes are updated, its custom attributes kept, and its agent is
// connected again; a deregistered (INACTIVE) one is refused with
// ClientException "Container instance ID is inactive.", as ECS answers it
// (aws/amazon-ecs-agent issue 583). Without it every call registers a new
// container instance, even for an EC2 instance registered already (ECS's
// registration is not idempotent, aws/amazon-ecs-agent issue 782); the
// earlier registration loses its agent.
//
// platformDevices (GPUs) are refused: the emulator does not model devices.
func (s *Service) RegisterContainerInstance(in RegisterContainerInstanceInput) (*RegisterContainerInstanceOutput, error) {
	c, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	var doc IdentityDocument
	if err := json.Unmarshal([]byte(in.InstanceIdentityDocument), &doc); err != nil || doc.InstanceID == "" {
		return nil, clientErr("The instance identity document is not a valid JSON document naming an instanceId.")
	}
	hs := s.hosts[doc.InstanceID]
	if hs == nil || hs.gone {
		return nil, clientErr("The instance identity document could not be verified: %s is not a running EC2 instance of this account.", doc.InstanceID)
	}
	if len(in.PlatformDevices) > 0 {
		return nil, invalid("platformDevices (GPUs) are not supported by this emulator.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	cpu, mem := hs.info.VCPU*1024, hs.info.MemoryMiB-hs.info.MemoryMiB/16
	var others []Resource
	for _, r := range in.TotalResources {
		switch {
		case r.Name == "CPU" && r.Type == "INTEGER":
			cpu = int(r.IntegerValue)
		case r.Name == "MEMORY" && r.Type == "INTEGER":
			mem = int(r.IntegerValue)
		default:
			others = append(others, r)
		}
	}
	if cpu < 0 || mem < 0 {
		return nil, invalid("totalResources CPU and MEMORY must not be negative.")
	}
	var custom, agent []Attribute
	for _, a := range in.Attributes {
		if !validAttrName(a.Name) || a.Value != nil && !validAttrValue(*a.Value) {
			return nil, invalid("Attribute %q is invalid: names and values are 1 to 128 letters, numbers, hyphens, underscores, periods, slashes or back slashes (values also at signs, colons and spaces).", a.Name)
		}
		a.TargetType, a.TargetId = "", ""
		if builtinAttribute(a.Name) {
			agent = append(agent, a)
		} else {
			custom = append(custom, a)
		}
	}
	if len(custom) > maxCustomAttributes {
		return nil, attrLimit("%s", attributeLimitMessage)
	}
	arch := doc.Architecture
	if arch == "" {
		arch = "x86_64"
	}
	attrs := []Attribute{
		{Name: "ecs.availability-zone", Value: str(hs.info.AZ)},
		{Name: "ecs.instance-type", Value: str(hs.info.InstanceType)},
		{Name: "ecs.ami-id", Value: str(hs.info.AMI)},
		{Name: "ecs.cpu-architecture", Value: str(arch)},
	}
	for _, a := range agent {
		if _, dup := findAttr(attrs, a.Name); !dup {
			attrs = append(attrs, a)
		}
	}
	reg := registration{cpu: cpu, mem: mem, others: others, version: in.VersionInfo, builtin: attrs}
	if in.ContainerInstanceArn != "" {
		ci := s.containerInstance(c, in.ContainerInstanceArn)
		if ci == nil {
			return nil, errNoContainerInstance(in.ContainerInstanceArn)
		}
		if ci.Status == "INACTIVE" {
			return nil, clientErr("Container instance %s is inactive.", ci.id)
		}
		s.reregister(ci, reg)
		snap := ci.snapshot()
		return &RegisterContainerInstanceOutput{ContainerInstance: &snap}, nil
	}
	ci := s.newContainerInstance(c, hs, reg, custom, in.Tags)
	snap := ci.snapshot()
	return &RegisterContainerInstanceOutput{ContainerInstance: &snap}, nil
}

// registration is what one RegisterContainerInstance call sets.
type registration struct {
	cpu, mem int
	others   []Resource
	version  *VersionInfo
	builtin  []Attribute
}

func (r registration) resources(cpu, mem int) []Resource {
	out := []Resource{
		{Name: "CPU", Type: "INTEGER", IntegerValue: int32(cpu)},
		{Name: "MEMORY", Type: "INTEGER", IntegerValue: int32(mem)},
	}
	for _, o := range r.others {
		o.StringSetValue = append([]string(nil), o.StringSetValue...)
		out = append(out, o)
	}
	return out
}

func (r registration) versionInfo() *VersionInfo {
	if r.version == nil {
		return &VersionInfo{}
	}
	v := *r.version
	return &v
}

func findAttr(attrs []Attribute, name string) (int, bool) {
	for i, a := range attrs {
		if a.Name == name {
			return i, true
		}
	}
	return -1, false
}

// newContainerInstance adds a registration of hs to c. An earlier
// registration of the same host still ACTIVE or DRAINING loses its agent.
func (s *Service) newContainerInstance(c *cluster, hs *host, reg registration, custom []Attribute, tags []Tag) *ContainerInstance {
	if old := hs.ci; old != nil && old.Status != "INACTIVE" && old.AgentConnected {
		s.setCIState(old, func() { old.AgentConnected = false })
	}
	h := hs.info
	id := s.env.Hex(32)
	ci := &ContainerInstance{
		ContainerInstanceArn: s.env.ARN("ecs", "container-instance/"+c.name+"/"+id),
		Ec2InstanceId:        h.EC2InstanceID,
		Version:              1,
		VersionInfo:          reg.versionInfo(),
		RegisteredResources:  reg.resources(reg.cpu, reg.mem),
		RemainingResources:   reg.resources(reg.cpu, reg.mem),
		Status:               "ACTIVE",
		AgentConnected:       true,
		Attributes:           append(append([]Attribute(nil), reg.builtin...), custom...),
		RegisteredAt:         core.Epoch(s.env.Now()),
		Tags:                 append([]Tag(nil), tags...),
		Host:                 h,
		id:                   id,
		seq:                  s.nextSeq(),
		cl:                   c,
		cpuFree:              reg.cpu,
		memFree:              reg.mem,
		enisMax:              taskENIs(h.InstanceType),
		stopTimeout:          hs.stopTimeout,
	}
	ci.builtins = len(reg.builtin)
	ci.CapacityProviderName = s.providerFor(c, h.AutoScalingGroupARN)
	hs.ci = ci
	hs.cis = append(hs.cis, ci)
	s.ciByID[id] = ci
	c.instances = append(c.instances, ci)
	c.active++
	s.poolAdd(ci)
	s.ciChanged(ci)
	s.capacityChanged(c, ci)
	return ci
}

// reregister applies an agent's new registration of ci: registered
// resources (remaining ones follow, less what its tasks reserve), version,
// ECS's and the agent's attributes (custom ones kept), agent connected.
func (s *Service) reregister(ci *ContainerInstance, reg registration) {
	s.setCIState(ci, func() {
		// Between the halves of setCIState no task reserves anything.
		ci.cpuFree, ci.memFree = reg.cpu, reg.mem
		ci.RegisteredResources = reg.resources(reg.cpu, reg.mem)
		ci.RemainingResources = reg.resources(reg.cpu, reg.mem)
		ci.VersionInfo = reg.versionInfo()
		custom := append([]Attribute(nil), ci.Attributes[ci.builtins:]...)
		ci.Attributes = append(append([]Attribute(nil), reg.builtin...), custom...)
		ci.builtins = len(reg.builtin)
		ci.AgentConnected = true
	})
	syncRemaining(ci)
	s.poolMove(ci)
	ci.Version++
	s.resumeParked(ci)
}

// syncRemaining writes the free CPU and memory into remainingResources.
func syncRemaining(ci *ContainerInstance) {
	ci.RemainingResources[0].IntegerValue = int32(ci.cpuFree)
	ci.RemainingResources[1].IntegerValue = int32(ci.memFree)
}
