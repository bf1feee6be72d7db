package aws

// API limits drainer batches to.
const (
	maxDrainBatch          = 10  // ECS UpdateContainerInstancesState
	maxDescribeTasks       = 100 // ECS DescribeTasks
	maxDescribeInstances   = 100 // ECS DescribeContainerInstances
	maxDescribeServices    = 10  // ECS DescribeServices
	maxAttributesPerCall   = 10  // ECS PutAttributes / DeleteAttributes
	maxProtectionBatch     = 50  // Auto Scaling SetInstanceProtection
	maxAutoScalingIDs      = 50  // Auto Scaling DescribeAutoScalingInstances
	maxAutoScalingGroups   = 100 // Auto Scaling DescribeAutoScalingGroups names
	maxCapacityProviders   = 100 // ECS DescribeCapacityProviders
	maxEC2IDs              = 1000
	maxEC2FilterValues     = 200 // EC2 FilterLimitExceeded: "The maximum number of filter values specified on a single call is 200" (as quoted in gjbae1212/gossm#35)
	maxSQSBatch            = 10  // SQS DeleteMessageBatch
	maxPutEvents           = 10  // EventBridge PutEvents
	maxTaskDefinitionCache = 10_000
)

// chunks splits items into consecutive batches of at most n, in order. It
// returns no batch for no items.
func chunks[T any](items []T, n int) [][]T {
	if n <= 0 {
		panic("chunks: batch size must be positive")
	}
	var out [][]T
	for len(items) > n {
		out = append(out, items[:n:n])
		items = items[n:]
	}
	if len(items) > 0 {
		out = append(out, items)
	}
	return out
}

// dedup returns items without repeats, first occurrence kept: AWS refuses
// some batches with duplicate ids, and a repeat would waste a slot.
func dedup(items []string) []string {
	seen := make(map[string]bool, len(items))
	out := make([]string, 0, len(items))
	for _, s := range items {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
