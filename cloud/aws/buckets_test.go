package aws

import "testing"

func TestBucketOf(t *testing.T) {
	lim := Limits{}.withDefaults()
	tests := []struct {
		service, action string
		unfiltered      bool
		name            string
		burst           int
		rate            float64
	}{
		// ECS: shared by category.
		{"ecs", "DescribeContainerInstances", false, "ecs:cluster-resource-read", 100, 20},
		{"ecs", "DescribeTasks", false, "ecs:cluster-resource-read", 100, 20},
		{"ecs", "ListTasks", false, "ecs:cluster-resource-read", 100, 20},
		{"ecs", "ListContainerInstances", false, "ecs:cluster-resource-read", 100, 20},
		{"ecs", "ListAttributes", false, "ecs:cluster-resource-read", 100, 20},
		{"ecs", "PutAttributes", false, "ecs:cluster-resource-modify", 100, 40},
		{"ecs", "DeleteAttributes", false, "ecs:cluster-resource-modify", 100, 40},
		{"ecs", "UpdateContainerInstancesState", false, "ecs:cluster-resource-modify", 100, 40},
		{"ecs", "StopTask", false, "ecs:cluster-resource-modify", 100, 40},
		{"ecs", "DeregisterContainerInstance", false, "ecs:cluster-resource-modify", 100, 40},
		{"ecs", "ListClusters", false, "ecs:cluster-read", 50, 20},
		{"ecs", "DescribeClusters", false, "ecs:cluster-read", 50, 20},
		{"ecs", "DescribeCapacityProviders", false, "ecs:cluster-read", 50, 20},
		{"ecs", "DescribeTaskDefinition", false, "ecs:task-definition-read", 50, 20},
		{"ecs", "DescribeServices", false, "ecs:service-read", 100, 20},
		{"ecs", "ListServices", false, "ecs:service-read", 100, 20},
		{"ecs", "RunTask", false, "ecs:other", 50, 20},
		// Auto Scaling: one bucket.
		{"autoscaling", "RecordLifecycleActionHeartbeat", false, "autoscaling", 100, 20},
		{"autoscaling", "CompleteLifecycleAction", false, "autoscaling", 100, 20},
		{"autoscaling", "DescribeAutoScalingInstances", false, "autoscaling", 100, 20},
		{"autoscaling", "SetInstanceProtection", false, "autoscaling", 100, 20},
		// EC2: per action, by kind; unfiltered Describe of instances and
		// network interfaces apart.
		{"ec2", "DescribeInstances", false, "ec2:DescribeInstances", 100, 20},
		{"ec2", "DescribeInstances", true, "ec2:DescribeInstances:unfiltered", 50, 10},
		{"ec2", "DescribeNetworkInterfaces", false, "ec2:DescribeNetworkInterfaces", 100, 20},
		{"ec2", "DescribeNetworkInterfaces", true, "ec2:DescribeNetworkInterfaces:unfiltered", 50, 10},
		{"ec2", "DescribeHosts", true, "ec2:DescribeHosts", 100, 20},
		{"ec2", "TerminateInstances", false, "ec2:TerminateInstances", 50, 5},
		{"ec2", "DeleteNetworkInterface", false, "ec2:DeleteNetworkInterface", 100, 5},
		// SQS and EventBridge: drainer's own caps.
		{"sqs", "ReceiveMessage", false, "sqs", 100, 50},
		{"sqs", "DeleteMessageBatch", false, "sqs", 100, 50},
		{"events", "PutEvents", false, "events", 40, 20},
	}
	for _, tt := range tests {
		b := bucketOf(tt.service, tt.action, tt.unfiltered, lim)
		if b.Name != tt.name || b.Burst != tt.burst || b.Rate != tt.rate || b.Service != tt.service {
			t.Errorf("bucketOf(%s, %s, unfiltered %t) = %+v, want %s burst %d rate %v", tt.service, tt.action, tt.unfiltered, b, tt.name, tt.burst, tt.rate)
		}
	}
}
