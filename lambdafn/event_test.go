package lambdafn

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestClassify(t *testing.T) {
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	scheduled := events.CloudWatchEvent{Version: "0", ID: "1", DetailType: "Scheduled Event", Source: "aws.events", AccountID: "123456789012",
		Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), Region: "us-east-1", Resources: []string{"arn:aws:events:us-east-1:123456789012:rule/drainer-rounds"}, Detail: json.RawMessage(`{}`)}
	scheduler := scheduled
	scheduler.Source = "aws.scheduler"
	lifecycle := scheduled
	lifecycle.Source, lifecycle.DetailType = "aws.autoscaling", "EC2 Instance-terminate Lifecycle Action"
	batch := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "{}", EventSource: "aws:sqs"}}}
	kinesis := `{"Records":[{"eventSource":"aws:kinesis"}]}`
	for _, tc := range []struct {
		name, event string
		want        Kind
		err         string // a part of the error, "" for none
	}{
		{"SQS batch", mustJSON(batch), KindSQS, ""},
		{"empty SQS batch", `{"Records":[]}`, KindSQS, ""},
		{"scheduled rule", mustJSON(scheduled), KindSchedule, ""},
		{"EventBridge Scheduler", mustJSON(scheduler), KindSchedule, ""},
		{"an event sent straight from EventBridge", mustJSON(lifecycle), "", "not a scheduled event"},
		{"another event source", kinesis, "", "aws:kinesis"},
		{"empty object", `{}`, "", "neither"},
		{"not JSON", `hello`, "", "cannot be read"},
		{"JSON array", `[1,2]`, "", "cannot be read"},
		{"Records of the wrong type", `{"Records":"x"}`, "", "cannot be read"},
	} {
		got, err := Classify([]byte(tc.event))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: error %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		case got != tc.want:
			t.Errorf("%s: kind %q, want %q", tc.name, got, tc.want)
		}
	}
}
