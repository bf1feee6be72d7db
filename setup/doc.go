// Package setup creates, idempotently, what drainer needs in an AWS
// account and Region, for `drainer setup`: its SQS queue with a
// dead-letter queue and the access policy that lets EventBridge send to
// it; the EventBridge rules drainer recommends (intake.RecommendedRules),
// the ECS ones narrowed to the clusters it serves and the lifecycle-action
// one to drainer's hook (an earlier setup's clusters and hooks kept in
// them), each targeting the queue; and a
// termination lifecycle hook owned by drainer on every Auto Scaling group
// whose instances join those clusters, delivered through EventBridge (no
// notification target, so no role for the hook). The hooks on the groups
// of an earlier setup's kept clusters are listed and left as they are;
// Serves names every cluster and hook the rules then serve, which
// `drainer run` is to be given.
//
// It changes nothing it did not create: the queues and rules it creates
// carry the tag OwnerTag, and its hooks bear the name drainer owns
// (Want.Hook); a resource of drainer's name without that mark is
// another's, and setup refuses to go on rather than touch it.
//
// Observe reads what exists through Cloud; Plan, a pure function of what
// was observed and what is wanted, decides the Steps (create, update, keep
// or delete each resource, and why); Apply carries the steps out. A second
// run right after the first plans nothing but Keep. With Want.Delete the
// plan removes what setup created, and only that.
package setup
