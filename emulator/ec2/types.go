package ec2

// InstanceType is the part of an EC2 instance type the world needs: the
// capacity ECS registers and the network interface limit that caps awsvpc
// tasks per instance (MaxENIs counts the primary interface).
type InstanceType struct {
	Name      string
	VCPU      int
	MemoryMiB int
	MaxENIs   int
}

// instanceTypes holds the published figures of the common types.
var instanceTypes = map[string]InstanceType{}

func init() {
	for _, t := range []InstanceType{
		{"t3.micro", 2, 1024, 2},
		{"t3.small", 2, 2048, 3},
		{"t3.medium", 2, 4096, 3},
		{"t3.large", 2, 8192, 3},
		{"t3.xlarge", 4, 16384, 4},
		{"t3.2xlarge", 8, 32768, 4},
		{"m5.large", 2, 8192, 3},
		{"m5.xlarge", 4, 16384, 4},
		{"m5.2xlarge", 8, 32768, 4},
		{"m5.4xlarge", 16, 65536, 8},
		{"m6i.large", 2, 8192, 3},
		{"m6i.xlarge", 4, 16384, 4},
		{"m6i.2xlarge", 8, 32768, 4},
		{"m6i.4xlarge", 16, 65536, 8},
		{"c5.large", 2, 4096, 3},
		{"c5.xlarge", 4, 8192, 4},
		{"c5.2xlarge", 8, 16384, 4},
		{"c5.4xlarge", 16, 32768, 8},
		{"r5.large", 2, 16384, 3},
		{"r5.xlarge", 4, 32768, 4},
		{"r5.2xlarge", 8, 65536, 4},
		{"m7g.large", 2, 8192, 3},
		{"m7g.xlarge", 4, 16384, 4},
		{"m7g.2xlarge", 8, 32768, 4},
	} {
		instanceTypes[t.Name] = t
	}
}

// LookupType returns the figures of a known instance type.
func LookupType(name string) (InstanceType, bool) {
	t, ok := instanceTypes[name]
	return t, ok
}
