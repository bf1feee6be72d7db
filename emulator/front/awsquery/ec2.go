package awsquery

// EC2 speaks ec2Query, Version 2016-11-15.
func init() {
	services["2016-11-15"] = &service{
		name:         "ec2",
		xmlns:        "http://ec2.amazonaws.com/doc/2016-11-15/",
		dialect:      ec2Query,
		invalidParam: "InvalidParameterValue",
		internal:     "InternalError",
		ops: map[string]handler{
			"CreateLaunchTemplate":           func(c *call) (any, error) { return invoke(c, c.w.EC2.CreateLaunchTemplate) },
			"CreateLaunchTemplateVersion":    func(c *call) (any, error) { return invoke(c, c.w.EC2.CreateLaunchTemplateVersion) },
			"ModifyLaunchTemplate":           func(c *call) (any, error) { return invoke(c, c.w.EC2.ModifyLaunchTemplate) },
			"DescribeLaunchTemplates":        func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeLaunchTemplates) },
			"DescribeLaunchTemplateVersions": func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeLaunchTemplateVersions) },
			"DescribeInstances":              func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeInstances) },
			"TerminateInstances":             func(c *call) (any, error) { return invoke(c, c.w.EC2.TerminateInstances) },
			"DescribeNetworkInterfaces":      func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeNetworkInterfaces) },
			"DeleteNetworkInterface":         func(c *call) (any, error) { return invoke(c, c.w.EC2.DeleteNetworkInterface) },
			"RunInstances":                   func(c *call) (any, error) { return invoke(c, c.w.EC2.RunInstances) },
			"DescribeInstanceAttribute":      func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeInstanceAttribute) },
			"CreateVpc":                      func(c *call) (any, error) { return invoke(c, c.w.EC2.CreateVpc) },
			"CreateSubnet":                   func(c *call) (any, error) { return invoke(c, c.w.EC2.CreateSubnet) },
			"DescribeVpcs":                   func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeVpcs) },
			"DescribeSubnets":                func(c *call) (any, error) { return invoke(c, c.w.EC2.DescribeSubnets) },
		},
	}
}
