// Package cloudformation holds drainer's CloudFormation stack
// (drainer.yaml, also as Template): the queue, its dead-letter queue and
// policy, the EventBridge rules drainer recommends, a termination hook per
// Auto Scaling group, drainer's IAM role with the policy of package
// iampolicy, and drainer itself on Fargate or as a Lambda function. Its
// tests validate the stack against CloudFormation's resource specification
// (goformation's types and schema) and check it against the code: the IAM
// statements against iampolicy's list, the rules against
// intake.RecommendedRules, the hook against drainer's own; and they deploy
// it with the longest parameters CloudFormation accepts to check that no
// name it makes (a rule's 64 characters above all) is one AWS refuses.
package cloudformation

import _ "embed" // Template

// Template is drainer.yaml: the stack, as CloudFormation takes it.
//
//go:embed drainer.yaml
var Template []byte
