package awsjson

// eventsProtocol serves EventBridge (awsJson1_1).
var eventsProtocol = register(&protocol{
	target:  "AWSEvents",
	service: "events",
	version: "1.1",
	ops: map[string]handler{
		"PutRule":             func(c *call) (any, error) { return invoke(c, c.w.EventBridge.PutRule) },
		"DescribeRule":        func(c *call) (any, error) { return invoke(c, c.w.EventBridge.DescribeRule) },
		"ListRules":           func(c *call) (any, error) { return invoke(c, c.w.EventBridge.ListRules) },
		"DeleteRule":          func(c *call) (any, error) { return invoke(c, c.w.EventBridge.DeleteRule) },
		"EnableRule":          func(c *call) (any, error) { return invoke(c, c.w.EventBridge.EnableRule) },
		"DisableRule":         func(c *call) (any, error) { return invoke(c, c.w.EventBridge.DisableRule) },
		"TestEventPattern":    func(c *call) (any, error) { return invoke(c, c.w.EventBridge.TestEventPattern) },
		"PutTargets":          func(c *call) (any, error) { return invoke(c, c.w.EventBridge.PutTargets) },
		"ListTargetsByRule":   func(c *call) (any, error) { return invoke(c, c.w.EventBridge.ListTargetsByRule) },
		"RemoveTargets":       func(c *call) (any, error) { return invoke(c, c.w.EventBridge.RemoveTargets) },
		"PutEvents":           func(c *call) (any, error) { return invoke(c, c.w.EventBridge.PutEvents) },
		"ListTagsForResource": func(c *call) (any, error) { return invoke(c, c.w.EventBridge.ListTagsForResource) },
	},
})
