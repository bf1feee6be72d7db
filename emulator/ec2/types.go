package ec2

//go:generate go run gen_instancetypes.go -in $EC2_INSTANCES_JSON

// InstanceType is the part of an EC2 instance type the world needs: the
// capacity ECS registers and the network interface limit that caps awsvpc
// tasks per instance (MaxENIs counts the primary interface).
type InstanceType struct {
	Name      string
	VCPU      int
	MemoryMiB int
	MaxENIs   int
}

// generatedType is one row of instancetypes_gen.go.
type generatedType struct {
	name      string
	vcpu      int
	memoryMiB int
	maxENIs   int // 0 when the source publishes none
	previous  bool
}

// instanceTypes holds every instance type EC2 offers, current and previous
// generation, with their published vCPUs, memory and network interface
// limits. The table (instancetypes_gen.go) is generated from the
// instances.json of ec2instances.info, which is built from AWS's own
// DescribeInstanceTypes and pricing data and shipped by the Go module
// github.com/cristim/ec2-instances-info (version
// v0.0.0-20250528091325-32acf84f42eb here); see gen_instancetypes.go.
//
// Source of the figures' meaning: "Amazon EC2 instance type
// specifications" (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html)
// and "Maximum IP addresses per network interface"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html#AvailableIpPerENI).
var instanceTypes = func() map[string]InstanceType {
	m := make(map[string]InstanceType, len(generatedTypes))
	for _, g := range generatedTypes {
		enis := g.maxENIs
		if enis == 0 {
			enis = defaultENIs(g.vcpu)
		}
		m[g.name] = InstanceType{Name: g.name, VCPU: g.vcpu, MemoryMiB: g.memoryMiB, MaxENIs: enis}
	}
	return m
}()

// defaultENIs is the interface limit the emulator assumes for the few types
// whose limit the source does not publish (GPU and HPC types mostly): the
// limit of a general-purpose Nitro type of the same vCPU count.
func defaultENIs(vcpu int) int {
	switch {
	case vcpu <= 2:
		return 3
	case vcpu <= 8:
		return 4
	case vcpu <= 48:
		return 8
	default:
		return 15
	}
}

// LookupType returns the figures of an instance type EC2 offers.
func LookupType(name string) (InstanceType, bool) {
	t, ok := instanceTypes[name]
	return t, ok
}
