#!/usr/bin/env bash
# The AWS blog's notification path, done by hand with the AWS CLI against
# `drainer emulator --manual`: a termination lifecycle hook whose
# notification target is an SNS topic, an SQS queue subscribed to that
# topic (its access policy letting the topic send), a scale-in; the queue
# receives the hook's test notification and then the lifecycle message in
# SNS's notification envelope; the action is completed. Then the same with
# raw message delivery: the bare lifecycle message. docs/aws-cli-walkthrough.md
# tells the same story.
#
#   ENDPOINT=http://127.0.0.1:4566 scripts/aws-cli-sns-walkthrough.sh
#
# Virtual time moves only when the script says so (POST
# /_emulator/clock/advance), so nothing here waits on the wall clock.
set -euo pipefail

. "$(dirname "$0")/walkthrough-lib.sh"
# receive: the body of the next message of the queue, which it deletes;
# fails when the queue is empty.
receive() {
  local out handle
  out=$("$AWS_CLI" --endpoint-url "$ENDPOINT" --output json sqs receive-message --queue-url "$QUEUE_URL" --max-number-of-messages 1)
  handle=$(python3 -c 'import json,sys; m=(json.loads(sys.stdin.read() or "{}").get("Messages") or [None])[0]; m or sys.exit("the queue is empty"); print(m["ReceiptHandle"])' <<<"$out")
  aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$handle"
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Messages"][0]["Body"])' <<<"$out"
}

step "A launch template and an Auto Scaling group of 2"
aws ec2 create-launch-template --launch-template-name sns-lt \
  --launch-template-data '{"ImageId":"ami-0ecs0optimized0001","InstanceType":"m5.large"}' --query 'LaunchTemplate.LaunchTemplateId'
aws autoscaling create-auto-scaling-group --auto-scaling-group-name sns-asg \
  --launch-template 'LaunchTemplateName=sns-lt,Version=$Latest' \
  --min-size 0 --max-size 2 --desired-capacity 2 --availability-zones us-east-1a us-east-1b
advance 2m

step "The SNS topic the lifecycle hook notifies"
TOPIC_ARN=$(aws sns create-topic --name sns-lifecycle --query TopicArn)
echo "$TOPIC_ARN"

step "The SQS queue drainer reads, with a policy that lets the topic send to it"
QUEUE_URL=$(aws sqs create-queue --queue-name sns-drain --query QueueUrl)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn --query 'Attributes.QueueArn')
POLICY=$(printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s","Condition":{"ArnEquals":{"aws:SourceArn":"%s"}}}]}' "$QUEUE_ARN" "$TOPIC_ARN")
aws sqs set-queue-attributes --queue-url "$QUEUE_URL" \
  --attributes "$(python3 -c 'import json,sys; print(json.dumps({"Policy": sys.argv[1]}))' "$POLICY")"
echo "$QUEUE_URL ($QUEUE_ARN)"

step "Subscribe the queue to the topic"
SUB_ARN=$(aws sns subscribe --topic-arn "$TOPIC_ARN" --protocol sqs --notification-endpoint "$QUEUE_ARN" --query SubscriptionArn)
echo "$SUB_ARN"
SUBS=$(aws sns list-subscriptions-by-topic --topic-arn "$TOPIC_ARN" --query 'Subscriptions[].Endpoint')
[ "$SUBS" = "$QUEUE_ARN" ] || fail "the topic's subscriptions: $SUBS"

step "A termination lifecycle hook whose notification target is the topic"
aws autoscaling put-lifecycle-hook --auto-scaling-group-name sns-asg --lifecycle-hook-name drain-hook \
  --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE \
  --notification-target-arn "$TOPIC_ARN" --role-arn arn:aws:iam::123456789012:role/sns-hook

step "The hook's test notification arrives in SNS's envelope: acknowledge it"
ENVELOPE=$(receive)
[ "$(json_field Type <<<"$ENVELOPE")" = Notification ] || fail "not an SNS notification: $ENVELOPE"
[ "$(json_field TopicArn <<<"$ENVELOPE")" = "$TOPIC_ARN" ] || fail "from another topic: $ENVELOPE"
echo "Subject: $(json_field Subject <<<"$ENVELOPE")"
[[ "$(json_field Message <<<"$ENVELOPE")" == *autoscaling:TEST_NOTIFICATION* ]] || fail "want the test notification, got: $ENVELOPE"

step "Scale in to 1: one instance waits in Terminating:Wait"
aws autoscaling set-desired-capacity --auto-scaling-group-name sns-asg --desired-capacity 1
advance 5s
VICTIM=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names sns-asg \
  --query "AutoScalingGroups[0].Instances[?LifecycleState=='Terminating:Wait'].InstanceId")
[[ "$VICTIM" == i-* ]] || fail "want one instance in Terminating:Wait, got '$VICTIM'"
echo "Terminating:Wait: $VICTIM"

step "The lifecycle message arrives in SNS's envelope"
ENVELOPE=$(receive)
SUBJECT=$(json_field Subject <<<"$ENVELOPE")
echo "Subject: $SUBJECT"
[ "$SUBJECT" = "Auto Scaling:  Lifecycle action 'TERMINATING' for instance $VICTIM in progress." ] || fail "subject: $SUBJECT"
for member in MessageId Timestamp SignatureVersion Signature SigningCertURL UnsubscribeURL; do
  [ -n "$(json_field "$member" <<<"$ENVELOPE")" ] || fail "the envelope has no $member: $ENVELOPE"
done
LIFECYCLE=$(json_field Message <<<"$ENVELOPE")
[ "$(json_field EC2InstanceId <<<"$LIFECYCLE")" = "$VICTIM" ] || fail "lifecycle message names another instance: $LIFECYCLE"
TOKEN=$(json_field LifecycleActionToken <<<"$LIFECYCLE")
echo "$(json_field LifecycleTransition <<<"$LIFECYCLE") for $VICTIM, token $TOKEN"

step "Complete the lifecycle action: CONTINUE"
aws autoscaling complete-lifecycle-action --auto-scaling-group-name sns-asg --lifecycle-hook-name drain-hook \
  --lifecycle-action-token "$TOKEN" --lifecycle-action-result CONTINUE
advance 1m
STATE=$(aws ec2 describe-instances --instance-ids "$VICTIM" --query 'Reservations[0].Instances[0].State.Name')
[ "$STATE" = terminated ] || fail "want $VICTIM terminated, it is $STATE"
echo "$VICTIM is $STATE"

step "With raw message delivery, the queue gets the bare lifecycle message"
aws sns set-subscription-attributes --subscription-arn "$SUB_ARN" --attribute-name RawMessageDelivery --attribute-value true
aws autoscaling set-desired-capacity --auto-scaling-group-name sns-asg --desired-capacity 0
advance 5s
LIFECYCLE=$(receive)
LAST=$(json_field EC2InstanceId <<<"$LIFECYCLE")
[ "$(json_field LifecycleTransition <<<"$LIFECYCLE")" = autoscaling:EC2_INSTANCE_TERMINATING ] || fail "not a lifecycle message: $LIFECYCLE"
echo "$(json_field LifecycleTransition <<<"$LIFECYCLE") for $LAST, no envelope"
aws autoscaling complete-lifecycle-action --auto-scaling-group-name sns-asg --lifecycle-hook-name drain-hook \
  --instance-id "$LAST" --lifecycle-action-result CONTINUE

step "Unsubscribe and delete the topic"
aws sns unsubscribe --subscription-arn "$SUB_ARN"
aws sns delete-topic --topic-arn "$TOPIC_ARN"
[ -z "$(aws sns list-topics --query 'Topics[].TopicArn')" ] || fail "the topic is still listed"

printf '\nSNS walkthrough complete\n'
