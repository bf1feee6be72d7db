package awsid

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// GroupName returns the name of an Auto Scaling group given by its ARN
// (arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:UUID:autoScalingGroupName/NAME,
// the pattern of "Asg" in the ARC Region switch API reference,
// https://docs.aws.amazon.com/arc-region-switch/latest/api/API_Asg.html)
// or by its name, as an ECS capacity provider may carry either
// (AutoScalingGroupProvider.autoScalingGroupArn). Anything else, an ARN of
// another service included, is returned as given.
func GroupName(s string) string {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "autoscaling" {
		return s
	}
	_, name, ok := strings.Cut(a.Resource, ":autoScalingGroupName/")
	if !ok || name == "" || !strings.HasPrefix(a.Resource, "autoScalingGroup:") {
		return s
	}
	return name
}
