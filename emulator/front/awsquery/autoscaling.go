package awsquery

// Auto Scaling speaks awsQuery, Version 2011-01-01.
func init() {
	services["2011-01-01"] = &service{
		name:         "autoscaling",
		xmlns:        "http://autoscaling.amazonaws.com/doc/2011-01-01/",
		dialect:      awsQuery,
		invalidParam: "ValidationError",
		internal:     "InternalFailure",
		ops: map[string]handler{
			"CreateAutoScalingGroup":              func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.CreateAutoScalingGroup) },
			"UpdateAutoScalingGroup":              func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.UpdateAutoScalingGroup) },
			"DeleteAutoScalingGroup":              func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DeleteAutoScalingGroup) },
			"DescribeAutoScalingGroups":           func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeAutoScalingGroups) },
			"DescribeAutoScalingInstances":        func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeAutoScalingInstances) },
			"SetDesiredCapacity":                  func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.SetDesiredCapacity) },
			"TerminateInstanceInAutoScalingGroup": func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.TerminateInstanceInAutoScalingGroup) },
			"SetInstanceProtection":               func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.SetInstanceProtection) },
			"SetInstanceHealth":                   func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.SetInstanceHealth) },
			"PutLifecycleHook":                    func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.PutLifecycleHook) },
			"DescribeLifecycleHooks":              func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeLifecycleHooks) },
			"DeleteLifecycleHook":                 func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DeleteLifecycleHook) },
			"CompleteLifecycleAction":             func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.CompleteLifecycleAction) },
			"RecordLifecycleActionHeartbeat":      func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.RecordLifecycleActionHeartbeat) },
			"StartInstanceRefresh":                func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.StartInstanceRefresh) },
			"DescribeInstanceRefreshes":           func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeInstanceRefreshes) },
			"CancelInstanceRefresh":               func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.CancelInstanceRefresh) },
			"DescribeScalingActivities":           func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeScalingActivities) },
			"PutNotificationConfiguration":        func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.PutNotificationConfiguration) },
			"DeleteNotificationConfiguration":     func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DeleteNotificationConfiguration) },
			"DescribeNotificationConfigurations":  func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeNotificationConfigurations) },
			"CreateLaunchConfiguration":           func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.CreateLaunchConfiguration) },
			"DescribeLaunchConfigurations":        func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DescribeLaunchConfigurations) },
			"DeleteLaunchConfiguration":           func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.DeleteLaunchConfiguration) },
			"EnterStandby":                        func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.EnterStandby) },
			"ExitStandby":                         func(c *call) (any, error) { return invoke(c, c.w.AutoScaling.ExitStandby) },
		},
		noResult: map[string]bool{
			"CreateAutoScalingGroup": true, "UpdateAutoScalingGroup": true, "DeleteAutoScalingGroup": true,
			"SetDesiredCapacity": true, "SetInstanceHealth": true,
			"PutNotificationConfiguration": true, "DeleteNotificationConfiguration": true,
			"CreateLaunchConfiguration": true, "DeleteLaunchConfiguration": true,
		},
	}
}
