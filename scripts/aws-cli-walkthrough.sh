#!/usr/bin/env bash
# The AWS blog's lifecycle-hook drain, done by hand with the AWS CLI against
# `drainer emulator --manual`: a launch template whose user data sets
# ECS_CLUSTER, a cluster, a task definition, an Auto Scaling group of 3, a
# service of 6 tasks, a termination hook with an SQS target; then a scale-in
# to 2, the instance held in Terminating:Wait, its container instance set
# DRAINING, its tasks moved, the lifecycle action completed, the instance
# terminated. docs/aws-cli-walkthrough.md tells the same story.
#
#   ENDPOINT=http://127.0.0.1:4566 scripts/aws-cli-walkthrough.sh
#
# Virtual time moves only when the script says so (POST
# /_emulator/clock/advance), so nothing here waits on the wall clock.
set -euo pipefail

. "$(dirname "$0")/walkthrough-lib.sh"

step "A launch template whose user data makes the ECS agent join the cluster 'blog'"
USER_DATA=$(printf '#!/bin/bash\necho ECS_CLUSTER=blog >> /etc/ecs/ecs.config\n' | base64 -w0)
aws ec2 create-launch-template --launch-template-name blog-lt \
  --launch-template-data "{\"ImageId\":\"ami-0ecs0optimized0001\",\"InstanceType\":\"m5.large\",\"UserData\":\"$USER_DATA\"}" \
  --query 'LaunchTemplate.LaunchTemplateId'

step "The cluster and a task definition (the emulator.* labels set its simulated timings)"
aws ecs create-cluster --cluster-name blog --query 'cluster.clusterArn'
aws ecs register-task-definition --family web \
  --container-definitions '[{"name":"web","image":"nginx","memory":256,"essential":true,"dockerLabels":{"emulator.start":"20s","emulator.stop":"5s"}}]' \
  --query 'taskDefinition.taskDefinitionArn'

step "The queue the lifecycle hook notifies"
QUEUE_URL=$(aws sqs create-queue --queue-name blog-drain --query 'QueueUrl')
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn --query 'Attributes.QueueArn')
echo "$QUEUE_URL ($QUEUE_ARN)"

step "An Auto Scaling group of 3 with a termination lifecycle hook (heartbeat 15 min, as in the blog)"
aws autoscaling create-auto-scaling-group --auto-scaling-group-name blog-asg \
  --launch-template 'LaunchTemplateName=blog-lt,Version=$Latest' \
  --min-size 0 --max-size 3 --desired-capacity 3 --availability-zones us-east-1a us-east-1b us-east-1c
aws autoscaling put-lifecycle-hook --auto-scaling-group-name blog-asg --lifecycle-hook-name drain-hook \
  --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE \
  --notification-target-arn "$QUEUE_ARN" --role-arn arn:aws:iam::123456789012:role/blog-hook
advance 2m
INSTANCES=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names blog-asg \
  --query "AutoScalingGroups[0].Instances[?LifecycleState=='InService'].InstanceId")
echo "InService: $INSTANCES"
[ "$(wc -w <<<"$INSTANCES")" -eq 3 ] || fail "want 3 InService instances"
CIS=$(aws ecs list-container-instances --cluster blog --query 'length(containerInstanceArns)')
[ "$CIS" -eq 3 ] || fail "want 3 container instances in the cluster, got $CIS"

step "The hook's test notification is in the queue: acknowledge and delete it"
MSG=$(aws sqs receive-message --queue-url "$QUEUE_URL" --query 'Messages[0].[ReceiptHandle,Body]')
[[ "$MSG" == *autoscaling:TEST_NOTIFICATION* ]] || fail "want the test notification, got: $MSG"
aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$(cut -f1 <<<"$MSG")"

step "A service of 6 tasks"
aws ecs create-service --cluster blog --service-name web --task-definition web --desired-count 6 --query 'service.serviceArn'
advance 1m
RUNNING=$(aws ecs describe-services --cluster blog --services web --query 'services[0].runningCount')
[ "$RUNNING" -eq 6 ] || fail "want 6 running web tasks, got $RUNNING"

step "Scale in to 2: one instance waits in Terminating:Wait"
aws autoscaling set-desired-capacity --auto-scaling-group-name blog-asg --desired-capacity 2
advance 5s
VICTIM=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names blog-asg \
  --query "AutoScalingGroups[0].Instances[?LifecycleState=='Terminating:Wait'].InstanceId")
[[ "$VICTIM" == i-* ]] || fail "want one instance in Terminating:Wait, got '$VICTIM'"
echo "Terminating:Wait: $VICTIM"

step "The lifecycle message for it is in the queue"
MSG=$(aws sqs receive-message --queue-url "$QUEUE_URL" --query 'Messages[0].[ReceiptHandle,Body]')
BODY=$(cut -f2- <<<"$MSG")
[ "$(json_field EC2InstanceId <<<"$BODY")" = "$VICTIM" ] || fail "lifecycle message names another instance: $BODY"
TOKEN=$(json_field LifecycleActionToken <<<"$BODY")
echo "$(json_field LifecycleTransition <<<"$BODY") for $VICTIM, token $TOKEN"
aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$(cut -f1 <<<"$MSG")"

step "Set its container instance DRAINING"
CI=$(aws ecs list-container-instances --cluster blog --filter "ec2InstanceId == $VICTIM" --query 'containerInstanceArns[0]')
aws ecs update-container-instances-state --cluster blog --container-instances "$CI" --status DRAINING \
  --query 'containerInstances[0].[ec2InstanceId,status,runningTasksCount]'

step "ECS moves its tasks; keep the hook alive meanwhile"
aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name blog-asg --lifecycle-hook-name drain-hook --lifecycle-action-token "$TOKEN"
advance 2m
for count in runningTasksCount pendingTasksCount; do
  N=$(aws ecs describe-container-instances --cluster blog --container-instances "$CI" --query "containerInstances[0].$count")
  [ "$N" -eq 0 ] || fail "$count on the draining instance is $N, want 0"
done
STOPPED=$(aws ecs list-tasks --cluster blog --container-instance "$CI" --desired-status STOPPED --query 'taskArns')
[ -n "$STOPPED" ] && [ "$STOPPED" != "None" ] || fail "no stopped tasks listed for the drained instance"
STATUSES=$(aws ecs describe-tasks --cluster blog --tasks $STOPPED --query 'tasks[].lastStatus')
for s in $STATUSES; do [ "$s" = STOPPED ] || fail "a task on the drained instance is $s, not STOPPED"; done
RUNNING=$(aws ecs describe-services --cluster blog --services web --query 'services[0].runningCount')
[ "$RUNNING" -eq 6 ] || fail "want the 6 web tasks running elsewhere, got $RUNNING"
echo "empty; web still runs 6 tasks"

step "Complete the lifecycle action: CONTINUE"
aws autoscaling complete-lifecycle-action --auto-scaling-group-name blog-asg --lifecycle-hook-name drain-hook \
  --lifecycle-action-token "$TOKEN" --lifecycle-action-result CONTINUE
advance 1m
STATE=$(aws ec2 describe-instances --instance-ids "$VICTIM" --query 'Reservations[0].Instances[0].State.Name')
[ "$STATE" = terminated ] || fail "want $VICTIM terminated, it is $STATE"
echo "$VICTIM is $STATE"
aws autoscaling describe-scaling-activities --auto-scaling-group-name blog-asg --query 'Activities[0].[StatusCode,Description]'

step "Completing it again is refused: the action is gone"
if OUT=$(aws autoscaling complete-lifecycle-action --auto-scaling-group-name blog-asg --lifecycle-hook-name drain-hook \
  --lifecycle-action-token "$TOKEN" --lifecycle-action-result CONTINUE 2>&1); then
  fail "a second CompleteLifecycleAction succeeded"
fi
[[ "$OUT" == *"No active Lifecycle Action"* ]] || fail "unexpected error: $OUT"
echo "$OUT"

printf '\nwalkthrough complete\n'
