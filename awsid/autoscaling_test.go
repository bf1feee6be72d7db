package awsid

import "testing"

func TestGroupName(t *testing.T) {
	for in, want := range map[string]string{
		asgARN:     "prod-asg",
		"prod-asg": "prod-asg",
		"":         "",
		"arn:aws-cn:autoscaling:cn-north-1:123456789012:autoScalingGroup:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:autoScalingGroupName/web:blue": "web:blue",
		"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:autoScalingGroupName/team/web":     "team/web",
		// Not a group ARN: as given.
		"arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:launchConfigurationName/lc": "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:launchConfigurationName/lc",
		"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:autoScalingGroupName/":         "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e6f4b52-3c1a-4d2e-9f7b-0a1b2c3d4e5f:autoScalingGroupName/",
		clusterARN: clusterARN,
	} {
		if got := GroupName(in); got != want {
			t.Errorf("GroupName(%q) = %q, want %q", in, got, want)
		}
	}
}
