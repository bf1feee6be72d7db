// Package iampolicy holds the one list of the IAM actions drainer calls
// (Permissions), for each way it runs (Mode): `drainer run` (and dev, sim
// and doctor, which make the same calls), the Lambda function, and
// `drainer setup`. Each entry says why drainer calls the action and the
// resource it can be narrowed to, as AWS's Service Authorization Reference
// allows it; Policy turns the list into the least-privilege policy document
// IAM accepts, scoped to a Target (clusters, groups, queue, account,
// Region). `drainer iam-policy`, the README and the CloudFormation stack
// all come from this one list, and tests that record every call drainer
// makes through the emulator check each against it (Covers).
//
// Sources: "Actions, resources, and condition keys" of the Service
// Authorization Reference for each service:
//   - Amazon ECS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
//   - Amazon EC2 Auto Scaling: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
//   - Amazon EC2: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
//   - Amazon SQS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
//   - Amazon EventBridge: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
//   - Amazon CloudWatch Logs: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
package iampolicy
