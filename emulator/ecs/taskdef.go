package ecs

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/ecs/query"
)

// Timings are the emulator-only durations of a task, carried as docker
// labels of the task definition's first essential container. A zero field
// means the default.
type Timings struct {
	Start   time.Duration // PROVISIONING → RUNNING; default 20s
	Healthy time.Duration // RUNNING → healthy; default: see healthDelay (30s with a load balancer, a health check's interval, else 40s for service tasks)
	Stop    time.Duration // SIGTERM → exit; default 5s, SIGKILL at the container's stopTimeout
	Run     time.Duration // exit by itself (code 0) this long after RUNNING; 0: until stopped
}

// Docker label names of the emulator timings.
const (
	LabelStart   = "emulator.start"
	LabelHealthy = "emulator.healthy"
	LabelStop    = "emulator.stop"
	LabelRun     = "emulator.run"
)

// Labels returns the docker labels carrying the non-zero timings.
func (t Timings) Labels() map[string]string {
	m := map[string]string{}
	for _, kv := range []struct {
		k string
		d time.Duration
	}{{LabelStart, t.Start}, {LabelHealthy, t.Healthy}, {LabelStop, t.Stop}, {LabelRun, t.Run}} {
		if kv.d != 0 {
			m[kv.k] = kv.d.String()
		}
	}
	return m
}

// RegisterTaskDefinitionInput is the RegisterTaskDefinition request.
// Members the emulator does not model are kept and shown as given.
type RegisterTaskDefinitionInput struct {
	Family                  string                              `json:"family"`
	ContainerDefinitions    []ContainerDefinition               `json:"containerDefinitions"`
	Cpu                     string                              `json:"cpu,omitempty"`
	Memory                  string                              `json:"memory,omitempty"`
	NetworkMode             string                              `json:"networkMode,omitempty"`
	RequiresCompatibilities []string                            `json:"requiresCompatibilities,omitempty"`
	TaskRoleArn             string                              `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string                              `json:"executionRoleArn,omitempty"`
	Volumes                 []Volume                            `json:"volumes,omitempty"`
	PlacementConstraints    []TaskDefinitionPlacementConstraint `json:"placementConstraints,omitempty"`
	Tags                    []Tag                               `json:"tags,omitempty"`

	extra map[string]json.RawMessage
}

// RegisterTaskDefinitionOutput is the RegisterTaskDefinition response.
type RegisterTaskDefinitionOutput struct {
	TaskDefinition *TaskDefinition `json:"taskDefinition,omitempty"`
	Tags           []Tag           `json:"tags,omitempty"`
}

func clientErr(format string, args ...any) error {
	return core.ClientError("ClientException", format, args...)
}

// RegisterTaskDefinition registers the next revision of a family. Volumes,
// mount points, volumes from, health checks, placement constraints
// (memberOf, evaluated at placement) and tags are stored and shown; the
// tags are shown by DescribeTaskDefinition with include TAGS.
func (s *Service) RegisterTaskDefinition(in RegisterTaskDefinitionInput) (*RegisterTaskDefinitionOutput, error) {
	if in.Family == "" {
		return nil, clientErr("Family must not be null or empty.")
	}
	if !validName(in.Family, 255) {
		return nil, clientErr("Family contains invalid characters; up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.")
	}
	if len(in.ContainerDefinitions) == 0 {
		return nil, clientErr("Container list cannot be empty.")
	}
	if len(in.ContainerDefinitions) > 10 {
		return nil, clientErr("Too many containers; at most 10 containers are allowed in a task definition.")
	}
	mode := in.NetworkMode
	switch mode {
	case "":
		mode = "bridge"
	case "bridge", "awsvpc", "host", "none":
	default:
		return nil, invalid("Invalid networkMode '%s'. Valid values are bridge, host, awsvpc and none.", in.NetworkMode)
	}
	for _, c := range in.RequiresCompatibilities {
		if c != "EC2" && c != "FARGATE" && c != "EXTERNAL" && c != "MANAGED_INSTANCES" {
			return nil, invalid("Invalid requiresCompatibilities value '%s'.", c)
		}
	}
	taskCPU, err := parseUnits(in.Cpu, 1024, "cpu")
	if err != nil {
		return nil, err
	}
	taskMem, err := parseUnits(in.Memory, 1024, "memory")
	if err != nil {
		return nil, err
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	volumes, err := validVolumes(in.Volumes)
	if err != nil {
		return nil, err
	}
	memberOf, err := validTaskDefConstraints(in.PlacementConstraints)
	if err != nil {
		return nil, err
	}
	td := &TaskDefinition{
		Family:                  in.Family,
		Cpu:                     in.Cpu,
		Memory:                  in.Memory,
		NetworkMode:             mode,
		RequiresCompatibilities: append([]string(nil), in.RequiresCompatibilities...),
		Compatibilities:         []string{"EC2"},
		Status:                  "ACTIVE",
		TaskRoleArn:             in.TaskRoleArn,
		ExecutionRoleArn:        in.ExecutionRoleArn,
		RegisteredAt:            core.Epoch(s.env.Now()),
		RegisteredBy:            s.env.ARN("iam", "root"),
		Volumes:                 append([]Volume{}, in.Volumes...),
		PlacementConstraints:    append([]TaskDefinitionPlacementConstraint{}, in.PlacementConstraints...),
		essential:               -1,
		allChecked:              true,
		tags:                    append([]Tag(nil), in.Tags...),
		memberOf:                memberOf,
		extra:                   copyExtra(in.extra),
	}
	if mode == "awsvpc" {
		td.Compatibilities = append(td.Compatibilities, "FARGATE")
	}
	names := map[string]bool{}
	for _, cd := range in.ContainerDefinitions {
		names[cd.Name] = true
	}
	seen := map[string]bool{}
	sumCPU, sumMem := 0, 0
	for i, cd := range in.ContainerDefinitions {
		if cd.Name == "" {
			return nil, clientErr("Container.name should not be null or empty.")
		}
		if !validName(cd.Name, 255) {
			return nil, clientErr("Container.name contains invalid characters.")
		}
		if seen[cd.Name] {
			return nil, clientErr("Duplicate container name '%s'. Container names must be unique within a task definition.", cd.Name)
		}
		seen[cd.Name] = true
		if cd.Image == "" {
			return nil, clientErr("Container.image should not be null or empty.")
		}
		if cd.Cpu < 0 {
			return nil, clientErr("Invalid 'cpu' setting for container '%s'.", cd.Name)
		}
		if cd.Memory == nil && cd.MemoryReservation == nil && taskMem == 0 {
			return nil, clientErr("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", cd.Name)
		}
		if cd.Memory != nil && *cd.Memory < 6 || cd.MemoryReservation != nil && *cd.MemoryReservation < 6 {
			return nil, clientErr("Invalid 'memory' setting for container '%s'. The minimum is 6 MiB.", cd.Name)
		}
		if cd.Memory != nil && cd.MemoryReservation != nil && *cd.MemoryReservation > *cd.Memory {
			return nil, clientErr("Invalid 'memory' setting for container '%s'. 'memory' must be greater than or equal to 'memoryReservation'.", cd.Name)
		}
		if cd.StopTimeout != nil && (*cd.StopTimeout < 0 || *cd.StopTimeout > 120) {
			return nil, clientErr("Invalid 'stopTimeout' setting for container '%s'. The maximum is 120 seconds.", cd.Name)
		}
		for _, pm := range cd.PortMappings {
			if pm.ContainerPort != nil && (*pm.ContainerPort < 0 || *pm.ContainerPort > 65535) {
				return nil, clientErr("Invalid containerPort for container '%s'.", cd.Name)
			}
			if mode == "awsvpc" && pm.HostPort != nil && pm.ContainerPort != nil && *pm.HostPort != 0 && *pm.HostPort != *pm.ContainerPort {
				return nil, clientErr("When networkMode=awsvpc, the host ports and container ports in port mappings must match.")
			}
		}
		for _, mp := range cd.MountPoints {
			if !volumes[mp.SourceVolume] {
				return nil, clientErr("Invalid 'mountPoints' setting for container '%s'. sourceVolume '%s' is not a volume of the task definition.", cd.Name, mp.SourceVolume)
			}
		}
		for _, vf := range cd.VolumesFrom {
			if !names[vf.SourceContainer] || vf.SourceContainer == cd.Name {
				return nil, clientErr("Invalid 'volumesFrom' setting for container '%s'. sourceContainer '%s' is not another container of the task definition.", cd.Name, vf.SourceContainer)
			}
		}
		check, err := healthCheckDelay(cd)
		if err != nil {
			return nil, err
		}
		essential := cd.Essential == nil || *cd.Essential
		if essential {
			td.healthCheck = max(td.healthCheck, check)
			td.allChecked = td.allChecked && check > 0
		}
		sumCPU += int(cd.Cpu)
		switch {
		case cd.MemoryReservation != nil:
			sumMem += int(*cd.MemoryReservation)
		case cd.Memory != nil:
			sumMem += int(*cd.Memory)
		}
		if td.essential < 0 && essential {
			td.essential = i
		}
		c := cd.clone()
		if c.Essential == nil {
			c.Essential = boolp(true)
		}
		td.ContainerDefinitions = append(td.ContainerDefinitions, c)
	}
	if td.essential < 0 {
		return nil, clientErr("Invalid setting: at least one container must be essential.")
	}
	td.cpu, td.mem = sumCPU, sumMem
	if taskCPU > 0 {
		td.cpu = taskCPU
	}
	if taskMem > 0 {
		td.mem = taskMem
	}
	ess := td.ContainerDefinitions[td.essential]
	if ess.StopTimeout != nil {
		td.stopTimeout, td.hasStop = time.Duration(*ess.StopTimeout)*time.Second, true
	}
	td.timings = Timings{Start: 20 * time.Second, Stop: 5 * time.Second}
	for _, l := range []struct {
		name string
		dst  *time.Duration
	}{{LabelStart, &td.timings.Start}, {LabelHealthy, &td.timings.Healthy}, {LabelStop, &td.timings.Stop}, {LabelRun, &td.timings.Run}} {
		label, dst := l.name, l.dst
		v, ok := ess.DockerLabels[label]
		if !ok {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, invalid("Invalid docker label %s=%q: want a non-negative Go duration such as 20s.", label, v)
		}
		*dst = d
		if label == LabelHealthy {
			td.hasHealthy = true
		}
	}
	revs := s.families[in.Family]
	td.Revision = int32(len(revs) + 1)
	td.TaskDefinitionArn = s.env.ARN("ecs", "task-definition/"+in.Family+":"+strconv.Itoa(int(td.Revision)))
	s.families[in.Family] = append(revs, td)
	out := td.snapshot()
	var tags []Tag
	if len(td.tags) > 0 {
		tags = copyTags(td.tags)
	}
	return &RegisterTaskDefinitionOutput{TaskDefinition: &out, Tags: tags}, nil
}

// clone copies a container definition, with the lists ECS always shows
// never nil.
func (cd ContainerDefinition) clone() ContainerDefinition {
	c := cd
	c.DockerLabels = copyMap(cd.DockerLabels)
	c.Environment = append([]KeyValuePair{}, cd.Environment...)
	c.PortMappings = append([]PortMapping{}, cd.PortMappings...)
	c.MountPoints = append([]MountPoint{}, cd.MountPoints...)
	c.VolumesFrom = append([]VolumeFrom{}, cd.VolumesFrom...)
	c.Command = append([]string(nil), cd.Command...)
	c.EntryPoint = append([]string(nil), cd.EntryPoint...)
	if cd.HealthCheck != nil {
		hc := *cd.HealthCheck
		hc.Command = append([]string(nil), hc.Command...)
		c.HealthCheck = &hc
	}
	c.extra = copyExtra(cd.extra)
	return c
}

// validVolumes checks task definition volumes (unique names of up to 255
// letters, numbers, hyphens and underscores) and returns their names.
func validVolumes(vols []Volume) (map[string]bool, error) {
	names := map[string]bool{}
	for _, v := range vols {
		if !validName(v.Name, 255) {
			return nil, clientErr("Invalid volume name '%s': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.", v.Name)
		}
		if names[v.Name] {
			return nil, clientErr("Duplicate volume name '%s'.", v.Name)
		}
		names[v.Name] = true
	}
	return names, nil
}

// validTaskDefConstraints checks a task definition's placement
// constraints: memberOf only, with a cluster query language expression,
// at most 10 (TaskDefinitionPlacementConstraint and RegisterTaskDefinition,
// Amazon ECS API Reference).
func validTaskDefConstraints(cs []TaskDefinitionPlacementConstraint) ([]query.Expr, error) {
	if len(cs) > 10 {
		return nil, invalid("You can specify a maximum of 10 placement constraints for a task.")
	}
	var out []query.Expr
	for _, c := range cs {
		if c.Type != "memberOf" {
			return nil, invalid("Invalid placement constraint type '%s' for a task definition. The only valid value is memberOf.", c.Type)
		}
		e, err := parseQuery(c.Expression)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// healthCheckDelay validates a container's health check and returns when
// it first passes: Docker runs the first check one interval after the
// container starts (default 30 s). The ranges are the API Reference's
// (HealthCheck): interval 5–300 s, timeout 2–60 s, retries 1–10, start
// period 0–300 s. Without a health check it returns 0.
func healthCheckDelay(cd ContainerDefinition) (time.Duration, error) {
	hc := cd.HealthCheck
	if hc == nil {
		return 0, nil
	}
	bad := func(what string) error {
		return clientErr("Invalid 'healthCheck' setting for container '%s': %s.", cd.Name, what)
	}
	if len(hc.Command) == 0 {
		return 0, bad("command is required")
	}
	in := func(p *int32, lo, hi int32) bool { return p == nil || *p >= lo && *p <= hi }
	switch {
	case !in(hc.Interval, 5, 300):
		return 0, bad("interval must be between 5 and 300 seconds")
	case !in(hc.Timeout, 2, 60):
		return 0, bad("timeout must be between 2 and 60 seconds")
	case !in(hc.Retries, 1, 10):
		return 0, bad("retries must be between 1 and 10")
	case !in(hc.StartPeriod, 0, 300):
		return 0, bad("startPeriod must be between 0 and 300 seconds")
	}
	interval := 30 * time.Second
	if hc.Interval != nil {
		interval = time.Duration(*hc.Interval) * time.Second
	}
	return interval, nil
}

// parseUnits reads a task-level cpu ("256", "1 vCPU") or memory ("512",
// "1 GB") value; "" is 0.
func parseUnits(v string, perUnit int, what string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	num, unit := v, ""
	if i := strings.IndexByte(v, ' '); i >= 0 {
		num, unit = v[:i], strings.ToLower(strings.TrimSpace(v[i+1:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 {
		return 0, clientErr("Invalid '%s' setting for task: %q.", what, v)
	}
	switch {
	case unit == "":
		return int(f), nil
	case what == "cpu" && unit == "vcpu", what == "memory" && unit == "gb":
		return int(f * float64(perUnit)), nil
	}
	return 0, clientErr("Invalid '%s' setting for task: %q.", what, v)
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func boolp(b bool) *bool { return &b }

// snapshot returns a copy safe to hand out.
func (td *TaskDefinition) snapshot() TaskDefinition {
	out := *td
	out.ContainerDefinitions = make([]ContainerDefinition, len(td.ContainerDefinitions))
	for i, cd := range td.ContainerDefinitions {
		out.ContainerDefinitions[i] = cd.clone()
	}
	out.Volumes = append([]Volume{}, td.Volumes...)
	out.PlacementConstraints = append([]TaskDefinitionPlacementConstraint{}, td.PlacementConstraints...)
	out.extra = copyExtra(td.extra)
	return out
}

// taskDefinition resolves "family", "family:revision" or an ARN.
func (s *Service) taskDefinition(ref string) *TaskDefinition {
	if i := strings.Index(ref, ":task-definition/"); i >= 0 && strings.HasPrefix(ref, "arn:") {
		ref = ref[i+len(":task-definition/"):]
	}
	family, rev := ref, ""
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		family, rev = ref[:i], ref[i+1:]
	}
	revs := s.families[family]
	if len(revs) == 0 {
		return nil
	}
	if rev == "" {
		for i := len(revs) - 1; i >= 0; i-- {
			if revs[i].Status == "ACTIVE" {
				return revs[i]
			}
		}
		return nil
	}
	n, err := strconv.Atoi(rev)
	if err != nil || n < 1 || n > len(revs) {
		return nil
	}
	return revs[n-1]
}

// DescribeTaskDefinitionInput is the DescribeTaskDefinition request.
type DescribeTaskDefinitionInput struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include,omitempty"`
}

// DescribeTaskDefinitionOutput is the DescribeTaskDefinition response.
type DescribeTaskDefinitionOutput struct {
	TaskDefinition *TaskDefinition `json:"taskDefinition,omitempty"`
	Tags           []Tag           `json:"tags,omitzero"`
}

// DescribeTaskDefinition describes a task definition by family (latest
// ACTIVE revision), family:revision or ARN. Its tags are shown only with
// include TAGS ("If TAGS is specified, the tags are included in the
// response. If this field is omitted, tags aren't included in the
// response", DescribeTaskDefinition, Amazon ECS API Reference).
func (s *Service) DescribeTaskDefinition(in DescribeTaskDefinitionInput) (*DescribeTaskDefinitionOutput, error) {
	if in.TaskDefinition == "" {
		return nil, clientErr("TaskDefinition can not be blank.")
	}
	tags, err := includes(in.Include, "TAGS", "TAGS")
	if err != nil {
		return nil, err
	}
	td := s.taskDefinition(in.TaskDefinition)
	if td == nil {
		return nil, clientErr("Unable to describe task definition.")
	}
	out := &DescribeTaskDefinitionOutput{TaskDefinition: ptrTo(td.snapshot())}
	if tags {
		out.Tags = copyTags(td.tags)
	}
	return out, nil
}

func ptrTo[T any](v T) *T { return &v }
