// Package aws implements package cloud's interfaces on aws-sdk-go-v2: the
// production path, also used against the emulator's endpoint by tests and
// `drainer dev`.
//
// Around the SDK it adds what a controller needs under load, all on an
// injected clock (so virtual-time tests and simulations work):
//   - pacing per AWS rate bucket (ECS's categories of actions, EC2's
//     per-action buckets, Auto Scaling's one) at a share of AWS's figures,
//     shared by every caller of a Client, each bucket serving its waiters by
//     priority (cloud.WithPriority; heartbeats and completions first), then
//     in order of arrival, and slowing down after a throttle (AIMD);
//   - a retry loop with exponential backoff and full jitter, seedable;
//   - coalescing of batchable calls (package batch): concurrent callers
//     share DescribeContainerInstances, DescribeTasks,
//     DescribeAutoScalingInstances, DescribeInstances and
//     UpdateContainerInstancesState calls;
//   - an OnCall hook for every attempt (metrics count calls and throttles
//     by operation) and Pacing for each bucket's waits and throttles;
//   - pagination everywhere, batching to each API's limits, caches of
//     immutable facts (task definitions, service scheduling strategies),
//     and errors mapped onto cloud's sentinels without hiding the AWS
//     error.
package aws
