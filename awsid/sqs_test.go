package awsid

import "testing"

// queueURL is a queue URL as the Amazon SQS Developer Guide writes one
// (https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE_NAME).
const queueURL = "https://sqs.us-east-2.amazonaws.com/123456789012/MyQueue"

func TestQueueName(t *testing.T) {
	for in, want := range map[string]string{
		queueURL: "MyQueue",
		"https://sqs.us-east-1.amazonaws.com/123456789012/drainer.fifo":  "drainer.fifo",
		"https://queue.amazonaws.com/123456789012/drainer":               "drainer", // the legacy endpoint
		"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/drainer":   "drainer",
		"http://127.0.0.1:4566/123456789012/drainer/":                    "drainer", // an emulator, a trailing slash
		"https://sqs.us-east-1.amazonaws.com/123456789012/drainer?x=1#y": "drainer",
		"https://sqs.us-east-1.amazonaws.com/":                           "",
		"http://[::1/123/q":                                              "", // not a URL
		sqsQueue:                                                         "drainer",
		fifoARN:                                                          "drainer.fifo",
		topicARN:                                                         "", // a topic is not a queue
		"arn:aws:sqs:us-east-1:123456789012:":                            "",
		"drainer":                                                        "drainer",
		"  drainer\n":                                                    "drainer",
		"":                                                               "",
		"   ":                                                            "",
	} {
		if got := QueueName(in); got != want {
			t.Errorf("QueueName(%q) = %q, want %q", in, got, want)
		}
	}
}
