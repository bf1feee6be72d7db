package sqs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCreateQueueIdempotencyAndRecreation(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", map[string]string{"VisibilityTimeout": "60"})
	if again := w.createQueue("q", map[string]string{"VisibilityTimeout": "60"}); again != url {
		t.Fatalf("same attributes gave %s, want %s", again, url)
	}
	if again := w.createQueue("q", nil); again != url {
		t.Fatal("no attributes must return the existing queue")
	}
	var err error
	w.do(func() {
		_, err = w.svc.CreateQueue(CreateQueueInput{QueueName: "q", Attributes: map[string]string{"VisibilityTimeout": "61"}})
	})
	wantCode(t, err, codeQueueNameExists)
	w.do(func() { _, err = w.svc.DeleteQueue(DeleteQueueInput{QueueUrl: url}) })
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() { _, err = w.svc.CreateQueue(CreateQueueInput{QueueName: "q"}) })
	wantCode(t, err, codeQueueDeletedRecently)
	w.c.RunFor(60 * time.Second)
	if w.createQueue("q", nil) != url {
		t.Fatal("recreated queue has another URL")
	}
}

func TestGetQueueAttributesAll(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	w.c.RunFor(time.Minute)
	var err error
	w.do(func() {
		_, err = w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"DelaySeconds": "5", "MessageRetentionPeriod": "600"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.send(url, "a")
	var got map[string]string
	w.do(func() {
		out, _ := w.svc.GetQueueAttributes(GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"All"}})
		got = out.Attributes
	})
	want := map[string]string{
		"VisibilityTimeout": "30", "MessageRetentionPeriod": "600", "DelaySeconds": "5",
		"ReceiveMessageWaitTimeSeconds": "0", "MaximumMessageSize": "1048576",
		"QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "ApproximateNumberOfMessages": "0",
		"ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "1",
		"CreatedTimestamp": "1795341600", "LastModifiedTimestamp": "1795341660", "SqsManagedSseEnabled": "true",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["RedrivePolicy"]; ok {
		t.Error("RedrivePolicy reported for a queue without one")
	}
}

func TestListQueuesPagesByName(t *testing.T) {
	w := newWorld(t)
	for _, n := range []string{"drain-c", "drain-a", "other", "drain-b"} {
		w.createQueue(n, nil)
	}
	var out *ListQueuesOutput
	var err error
	w.do(func() { out, err = w.svc.ListQueues(ListQueuesInput{QueueNamePrefix: "drain-", MaxResults: i32(2)}) })
	if err != nil || len(out.QueueUrls) != 2 || !strings.HasSuffix(out.QueueUrls[0], "/drain-a") || out.NextToken == "" {
		t.Fatalf("page 1 = %+v, %v", out, err)
	}
	w.do(func() {
		out, err = w.svc.ListQueues(ListQueuesInput{QueueNamePrefix: "drain-", MaxResults: i32(2), NextToken: out.NextToken})
	})
	if err != nil || len(out.QueueUrls) != 1 || !strings.HasSuffix(out.QueueUrls[0], "/drain-c") || out.NextToken != "" {
		t.Fatalf("page 2 = %+v, %v", out, err)
	}
	w.do(func() { out, err = w.svc.ListQueues(ListQueuesInput{}) })
	if len(out.QueueUrls) != 4 || out.NextToken != "" {
		t.Fatalf("unpaged list = %+v", out)
	}
	w.do(func() { _, err = w.svc.ListQueues(ListQueuesInput{NextToken: "bogus!"}) })
	wantCode(t, err, codeInvalidParameterValue)
	w.do(func() { _, err = w.svc.ListQueues(ListQueuesInput{MaxResults: i32(1001)}) })
	wantCode(t, err, codeInvalidParameterValue)
}

// TestDocumentedErrors checks each error SQS documents for the operations,
// with its code and a 400 status.
func TestDocumentedErrors(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	other := w.createQueue("other", nil)
	w.send(other, "x")
	otherHandle := w.receive(ReceiveMessageInput{QueueUrl: other})[0].ReceiptHandle
	missing := "https://sqs.us-east-1.amazonaws.com/123456789012/missing"
	wrongAccount := "https://sqs.us-east-1.amazonaws.com/999999999999/q"
	big := strings.Repeat("x", 1048577)
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"get url of missing queue", func() error { _, err := w.svc.GetQueueUrl(GetQueueUrlInput{QueueName: "missing"}); return err }, codeQueueDoesNotExist},
		{"get url for another owner", func() error {
			_, err := w.svc.GetQueueUrl(GetQueueUrlInput{QueueName: "q", QueueOwnerAWSAccountId: "999999999999"})
			return err
		}, codeQueueDoesNotExist},
		{"send to missing queue", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: missing, MessageBody: "x"})
			return err
		}, codeQueueDoesNotExist},
		{"send to another account", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: wrongAccount, MessageBody: "x"})
			return err
		}, codeQueueDoesNotExist},
		{"receive from missing queue", func() error { _, err := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: missing}); return err }, codeQueueDoesNotExist},
		{"delete missing queue", func() error { _, err := w.svc.DeleteQueue(DeleteQueueInput{QueueUrl: missing}); return err }, codeQueueDoesNotExist},
		{"purge missing queue", func() error { _, err := w.svc.PurgeQueue(PurgeQueueInput{QueueUrl: missing}); return err }, codeQueueDoesNotExist},
		{"no queue url", func() error { _, err := w.svc.ReceiveMessage(ReceiveMessageInput{}); return err }, codeMissingParameter},
		{"bad queue name", func() error { _, err := w.svc.CreateQueue(CreateQueueInput{QueueName: "a b"}); return err }, codeInvalidParameterValue},
		{"fifo queue", func() error { _, err := w.svc.CreateQueue(CreateQueueInput{QueueName: "a.fifo"}); return err }, codeInvalidParameterValue},
		{"long queue name", func() error {
			_, err := w.svc.CreateQueue(CreateQueueInput{QueueName: strings.Repeat("a", 81)})
			return err
		}, codeInvalidParameterValue},
		{"unknown attribute on create", func() error {
			_, err := w.svc.CreateQueue(CreateQueueInput{QueueName: "n", Attributes: map[string]string{"Colour": "red"}})
			return err
		}, codeInvalidAttributeName},
		{"read-only attribute on set", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"QueueArn": "x"}})
			return err
		}, codeInvalidAttributeName},
		{"unknown attribute on get", func() error {
			_, err := w.svc.GetQueueAttributes(GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"Colour"}})
			return err
		}, codeInvalidAttributeName},
		{"visibility timeout out of range", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"VisibilityTimeout": "43201"}})
			return err
		}, codeInvalidAttributeValue},
		{"retention too short", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"MessageRetentionPeriod": "59"}})
			return err
		}, codeInvalidAttributeValue},
		{"wait time not a number", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"ReceiveMessageWaitTimeSeconds": "soon"}})
			return err
		}, codeInvalidAttributeValue},
		{"redrive to missing queue", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:nope","maxReceiveCount":3}`}})
			return err
		}, codeInvalidAttributeValue},
		{"redrive count out of range", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:other","maxReceiveCount":0}`}})
			return err
		}, codeInvalidAttributeValue},
		{"redrive not json", func() error {
			_, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"RedrivePolicy": `{`}})
			return err
		}, codeInvalidAttributeValue},
		{"set nothing", func() error { _, err := w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url}); return err }, codeMissingParameter},
		{"empty body", func() error { _, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url}); return err }, codeMissingParameter},
		{"body too big", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: big})
			return err
		}, codeInvalidParameterValue},
		{"control character", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "a\x00b"})
			return err
		}, codeInvalidMessageContents},
		{"invalid utf-8", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "a\xffb"})
			return err
		}, codeInvalidMessageContents},
		{"delay too long", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", DelaySeconds: i32(901)})
			return err
		}, codeInvalidParameterValue},
		{"attribute without value", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "String"}}})
			return err
		}, codeInvalidParameterValue},
		{"attribute with bad type", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Text", StringValue: str("v")}}})
			return err
		}, codeInvalidParameterValue},
		{"attribute not a number", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", MessageAttributes: map[string]MessageAttributeValue{"a": {DataType: "Number", StringValue: str("ten")}}})
			return err
		}, codeInvalidParameterValue},
		{"reserved attribute name", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", MessageAttributes: map[string]MessageAttributeValue{"AWS.x": {DataType: "String", StringValue: str("v")}}})
			return err
		}, codeInvalidParameterValue},
		{"unknown system attribute", func() error {
			_, err := w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "x", MessageSystemAttributes: map[string]MessageSystemAttributeValue{"Other": {DataType: "String", StringValue: str("v")}}})
			return err
		}, codeInvalidParameterValue},
		{"receive negative messages", func() error {
			_, err := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: -1})
			return err
		}, codeInvalidParameterValue},
		{"receive eleven messages", func() error {
			_, err := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 11})
			return err
		}, codeInvalidParameterValue},
		{"wait 21 seconds", func() error {
			_, err := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: i32(21)})
			return err
		}, codeInvalidParameterValue},
		{"negative visibility", func() error {
			_, err := w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: i32(-1)})
			return err
		}, codeInvalidParameterValue},
		{"malformed handle", func() error {
			_, err := w.svc.DeleteMessage(DeleteMessageInput{QueueUrl: url, ReceiptHandle: "not-a-handle"})
			return err
		}, codeReceiptHandleIsInvalid},
		{"handle of another queue", func() error {
			_, err := w.svc.DeleteMessage(DeleteMessageInput{QueueUrl: url, ReceiptHandle: otherHandle})
			return err
		}, codeReceiptHandleIsInvalid},
		{"no handle", func() error { _, err := w.svc.DeleteMessage(DeleteMessageInput{QueueUrl: url}); return err }, codeMissingParameter},
		{"visibility change with malformed handle", func() error {
			_, err := w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: "AQEBzz", VisibilityTimeout: 1})
			return err
		}, codeReceiptHandleIsInvalid},
		{"visibility change beyond 12 hours", func() error {
			_, err := w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: other, ReceiptHandle: otherHandle, VisibilityTimeout: 43201})
			return err
		}, codeInvalidParameterValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { err = tc.call() })
			wantCode(t, err, tc.code)
		})
	}
}

// TestWireShapes checks that requests decode from, and responses encode to,
// the awsJson1_0 member names the SDK uses.
func TestWireShapes(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	var in SendMessageInput
	req := `{"QueueUrl":"` + url + `","MessageBody":"hi","DelaySeconds":0,"MessageAttributes":{"k":{"DataType":"Binary","BinaryValue":"AQI="}}}`
	if err := json.Unmarshal([]byte(req), &in); err != nil {
		t.Fatal(err)
	}
	if in.DelaySeconds == nil || *in.DelaySeconds != 0 || string(in.MessageAttributes["k"].BinaryValue) != "\x01\x02" {
		t.Fatalf("decoded %+v", in)
	}
	var sent *SendMessageOutput
	var err error
	w.do(func() { sent, err = w.svc.SendMessage(in) })
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sent)
	for _, member := range []string{`"MD5OfMessageBody":"`, `"MD5OfMessageAttributes":"`, `"MessageId":"`} {
		if !strings.Contains(string(b), member) {
			t.Fatalf("SendMessage response %s lacks %s", b, member)
		}
	}
	if strings.Contains(string(b), "SequenceNumber") {
		t.Fatalf("empty member encoded: %s", b)
	}
	var rin ReceiveMessageInput
	if err := json.Unmarshal([]byte(`{"QueueUrl":"`+url+`","MaxNumberOfMessages":10,"MessageSystemAttributeNames":["All"],"MessageAttributeNames":["All"],"WaitTimeSeconds":20}`), &rin); err != nil {
		t.Fatal(err)
	}
	var rout *ReceiveMessageOutput
	w.do(func() { rout, err = w.svc.ReceiveMessage(rin) })
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(rout)
	for _, member := range []string{`"Messages":[{"MessageId":"`, `"ReceiptHandle":"`, `"MD5OfBody":"`, `"Body":"hi"`, `"ApproximateReceiveCount":"1"`, `"BinaryValue":"AQI="`, `"MD5OfMessageAttributes":"`} {
		if !strings.Contains(string(b), member) {
			t.Fatalf("ReceiveMessage response %s lacks %s", b, member)
		}
	}
	b, _ = json.Marshal(&SendMessageBatchOutput{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{{Id: "a", SenderFault: true, Code: "X", Message: "m"}}})
	if string(b) != `{"Successful":[],"Failed":[{"Id":"a","SenderFault":true,"Code":"X","Message":"m"}]}` {
		t.Fatalf("batch response = %s", b)
	}
}
