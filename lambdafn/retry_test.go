package lambdafn

import (
	"strings"
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	for _, tc := range []struct {
		receives int
		jitter   float64
		want     time.Duration
	}{
		{1, 0, 5 * time.Second},
		{1, 0.5, 7 * time.Second}, // 7.5 s, in whole seconds
		{1, 0.999, 9 * time.Second},
		{0, 0, 5 * time.Second},  // no count: a first receive
		{-3, 0, 5 * time.Second}, // nor a negative one
		{2, 0, 10 * time.Second},
		{2, 0.999, 19 * time.Second},
		{3, 0, 20 * time.Second},
		{4, 0, 30 * time.Second}, // 80 s, capped at a minute
		{4, 0.999, 59 * time.Second},
		{5, 0.5, 45 * time.Second},
		{64, 0, 30 * time.Second}, // no overflow
		{1 << 30, 0.999, 59 * time.Second},
		{1, 7, 10 * time.Second}, // jitter clamped to [0, 1]
		{1, -1, 5 * time.Second},
	} {
		if got := RetryDelay(tc.receives, tc.jitter); got != tc.want {
			t.Errorf("RetryDelay(%d, %v) = %v, want %v", tc.receives, tc.jitter, got, tc.want)
		}
	}
	for n := 1; n < 100; n++ {
		if d := RetryDelay(n, 0.999); d > RetryCap || d < RetryBase/2 || d%time.Second != 0 {
			t.Errorf("RetryDelay(%d) = %v: outside [RetryBase/2, RetryCap] or not whole seconds", n, d)
		}
	}
}

func TestQueueURL(t *testing.T) {
	for _, tc := range []struct{ arn, want, err string }{
		{arn: "arn:aws:sqs:us-east-1:123456789012:drainer", want: "https://sqs.us-east-1.amazonaws.com/123456789012/drainer"},
		{arn: "arn:aws:sqs:eu-west-3:123456789012:drainer-prod_2", want: "https://sqs.eu-west-3.amazonaws.com/123456789012/drainer-prod_2"},
		{arn: "arn:aws-cn:sqs:cn-north-1:123456789012:drainer", want: "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/drainer"},
		{arn: "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:drainer", want: "https://sqs.us-gov-west-1.amazonaws.com/123456789012/drainer"},
		{arn: "arn:aws:sns:us-east-1:123456789012:drainer", err: "not an Amazon SQS queue ARN"},
		{arn: "", err: "queue of the record"},
	} {
		got, err := queueURL(t.Context(), tc.arn)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("queueURL(%q) = %q, %v; want an error saying %q", tc.arn, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("queueURL(%q) = %q, %v; want %s", tc.arn, got, err, tc.want)
		}
	}
}
