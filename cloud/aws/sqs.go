package aws

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
)

// QueueURL implements cloud.Queue: GetQueueUrl by name, or by the ARN's
// name and account (QueueOwnerAWSAccountId), in the client's Region.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
func (c *Client) QueueURL(ctx context.Context, name string) (string, error) {
	in := &sqs.GetQueueUrlInput{QueueName: aws.String(name)}
	if a, err := awsid.ParseQueueARN(name); err == nil {
		in.QueueName, in.QueueOwnerAWSAccountId = aws.String(a.Resource), aws.String(a.AccountID)
	}
	res, err := c.sqs.GetQueueUrl(ctx, in)
	if err != nil {
		return "", wrap(err, "queue URL of %s", name)
	}
	return aws.ToString(res.QueueUrl), nil
}

// QueueARN returns the ARN of the queue at queueURL (GetQueueAttributes,
// attribute QueueArn): a read of the queue itself, so that drainer learns
// at start whether the queue exists and its role may read it.
// cloud.ErrNotFound: no such queue ("The specified queue does not exist",
// which SQS also answers when the caller may not see the queue);
// cloud.ErrAccessDenied: the caller may not read it.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
func (c *Client) QueueARN(ctx context.Context, queueURL string) (string, error) {
	res, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", wrap(err, "read the attributes of %s", queueURL)
	}
	return res.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// ReceiveMessages implements cloud.Queue. The rate limit takes one token
// before the poll; nothing is held while SQS waits for messages.
func (c *Client) ReceiveMessages(ctx context.Context, queueURL string, opts cloud.ReceiveOptions) ([]cloud.Message, error) {
	in := &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(queueURL),
		MaxNumberOfMessages: int32(clamp(opts.Max, 1, 10, 10)),
		WaitTimeSeconds:     int32(min(opts.Wait, 20*time.Second) / time.Second),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
			sqstypes.MessageSystemAttributeNameApproximateReceiveCount,
			sqstypes.MessageSystemAttributeNameSentTimestamp,
		},
	}
	if opts.Visibility > 0 {
		in.VisibilityTimeout = int32(opts.Visibility / time.Second)
	}
	res, err := c.sqs.ReceiveMessage(ctx, in)
	if err != nil {
		return nil, wrap(err, "receive from %s", queueURL)
	}
	out := make([]cloud.Message, 0, len(res.Messages))
	for _, m := range res.Messages {
		out = append(out, messageFrom(m))
	}
	return out, nil
}

// DeleteMessages implements cloud.Queue.
func (c *Client) DeleteMessages(ctx context.Context, queueURL string, receiptHandles []string) ([]cloud.Failure, error) {
	var failures []cloud.Failure
	for _, batch := range chunks(dedup(receiptHandles), maxSQSBatch) {
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(batch))
		for i, h := range batch {
			// Batch entry ids are the position: receipt handles are too
			// long and have characters SQS refuses in ids.
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)}
		}
		res, err := c.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			return failures, wrap(err, "delete %d messages from %s", len(batch), queueURL)
		}
		for _, f := range res.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			id := aws.ToString(f.Id)
			if i >= 0 && i < len(batch) {
				id = batch[i]
			}
			failures = append(failures, cloud.Failure{ID: id, Code: aws.ToString(f.Code), Message: aws.ToString(f.Message)})
		}
	}
	return failures, nil
}

// ChangeMessageVisibility implements cloud.Queue.
func (c *Client) ChangeMessageVisibility(ctx context.Context, queueURL, receiptHandle string, timeout time.Duration) error {
	_, err := c.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: int32(timeout / time.Second),
	})
	return wrap(err, "change visibility of a message of %s", queueURL)
}

func messageFrom(m sqstypes.Message) cloud.Message {
	out := cloud.Message{
		ID:            aws.ToString(m.MessageId),
		Body:          aws.ToString(m.Body),
		ReceiptHandle: aws.ToString(m.ReceiptHandle),
		Attributes:    m.Attributes,
	}
	if n, err := strconv.Atoi(m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)]); err == nil {
		out.ReceiveCount = n
	}
	if ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
		out.SentAt = time.UnixMilli(ms).UTC()
	}
	return out
}

// clamp returns v within [lo, hi], def when v is 0.
func clamp(v, lo, hi, def int) int {
	if v == 0 {
		return def
	}
	return max(lo, min(hi, v))
}
