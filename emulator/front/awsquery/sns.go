package awsquery

// SNS speaks awsQuery, Version 2010-03-31.
const snsVersion = "2010-03-31"

func init() {
	services[snsVersion] = &service{
		name:         "sns",
		xmlns:        "http://sns.amazonaws.com/doc/2010-03-31/",
		dialect:      awsQuery,
		invalidParam: "InvalidParameter",
		internal:     "InternalError",
		ops: map[string]handler{
			"CreateTopic":               func(c *call) (any, error) { return invoke(c, c.w.SNS.CreateTopic) },
			"DeleteTopic":               func(c *call) (any, error) { return invoke(c, c.w.SNS.DeleteTopic) },
			"ListTopics":                func(c *call) (any, error) { return invoke(c, c.w.SNS.ListTopics) },
			"GetTopicAttributes":        func(c *call) (any, error) { return invoke(c, c.w.SNS.GetTopicAttributes) },
			"ListTagsForResource":       func(c *call) (any, error) { return invoke(c, c.w.SNS.ListTagsForResource) },
			"Subscribe":                 func(c *call) (any, error) { return invoke(c, c.w.SNS.Subscribe) },
			"Unsubscribe":               func(c *call) (any, error) { return invoke(c, c.w.SNS.Unsubscribe) },
			"ListSubscriptions":         func(c *call) (any, error) { return invoke(c, c.w.SNS.ListSubscriptions) },
			"ListSubscriptionsByTopic":  func(c *call) (any, error) { return invoke(c, c.w.SNS.ListSubscriptionsByTopic) },
			"GetSubscriptionAttributes": func(c *call) (any, error) { return invoke(c, c.w.SNS.GetSubscriptionAttributes) },
			"SetSubscriptionAttributes": func(c *call) (any, error) { return invoke(c, c.w.SNS.SetSubscriptionAttributes) },
			"Publish":                   func(c *call) (any, error) { return invoke(c, c.w.SNS.Publish) },
		},
		noResult: map[string]bool{
			"DeleteTopic": true, "Unsubscribe": true, "SetSubscriptionAttributes": true,
		},
	}
}

// unversioned names the requests a query service answers without a
// Version: the UnsubscribeURL of SNS's notifications
// (?Action=Unsubscribe&SubscriptionArn=…), which a subscriber opens as it
// is.
var unversioned = map[string]string{"Unsubscribe": snsVersion}
