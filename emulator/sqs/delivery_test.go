package sqs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"
)

func TestVisibilityTimeoutRedeliversWithGrowingReceiveCount(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("drain", map[string]string{"VisibilityTimeout": "30"})
	sent := w.send(url, "hello")

	first := w.receiveAll(url)
	if len(first) != 1 || first[0].MessageId != sent.MessageId || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", first)
	}
	if got := w.depth(url); got != [3]int{0, 1, 0} {
		t.Fatalf("depth while in flight = %v, want [0 1 0]", got)
	}
	if again := w.receiveAll(url); len(again) != 0 {
		t.Fatalf("message visible again inside its visibility timeout: %+v", again)
	}

	w.c.RunFor(29 * time.Second)
	if early := w.receiveAll(url); len(early) != 0 {
		t.Fatal("message came back a second early")
	}
	w.c.RunFor(time.Second)
	second := w.receiveAll(url)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("redelivery = %+v, want receive count 2", second)
	}
	if second[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Fatal("redelivery reused the receipt handle")
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != strconv.FormatInt(start.UnixMilli(), 10) {
		t.Fatalf("first receive timestamp = %s", second[0].Attributes["ApproximateFirstReceiveTimestamp"])
	}
	if second[0].Attributes["SentTimestamp"] != strconv.FormatInt(start.UnixMilli(), 10) || second[0].Attributes["SenderId"] != w.env.Account {
		t.Fatalf("system attributes = %v", second[0].Attributes)
	}

	// The outdated handle succeeds but deletes nothing; the current one deletes.
	if err := w.deleteMessage(url, first[0].ReceiptHandle); err != nil {
		t.Fatalf("delete with outdated handle: %v", err)
	}
	if got := w.depth(url); got != [3]int{0, 1, 0} {
		t.Fatalf("outdated handle deleted the message: depth %v", got)
	}
	if err := w.deleteMessage(url, second[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := w.deleteMessage(url, second[0].ReceiptHandle); err != nil {
		t.Fatalf("deleting an already deleted message must succeed: %v", err)
	}
	w.c.RunFor(time.Hour)
	if got := w.depth(url); got != [3]int{} {
		t.Fatalf("depth after delete = %v", got)
	}
}

func TestReceiveVisibilityOverrideAndOrder(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	for i := range 3 {
		w.send(url, "m"+strconv.Itoa(i))
		w.c.RunFor(time.Second)
	}
	got := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 2, VisibilityTimeout: i32(5)})
	if len(got) != 2 || got[0].Body != "m0" || got[1].Body != "m1" {
		t.Fatalf("received %+v, want m0, m1 oldest first", got)
	}
	if got[0].Attributes != nil {
		t.Fatalf("attributes returned without being asked for: %v", got[0].Attributes)
	}
	w.c.RunFor(5 * time.Second)
	// m0 and m1 are visible again and older than m2.
	again := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	if len(again) != 3 || again[0].Body != "m0" || again[2].Body != "m2" {
		t.Fatalf("after override expiry received %+v", again)
	}
}

func TestChangeMessageVisibility(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	w.send(url, "x")
	m := w.receiveAll(url)[0]
	var err error
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 300})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.c.RunFor(299 * time.Second)
	if len(w.receiveAll(url)) != 0 {
		t.Fatal("visibility extension ignored")
	}
	w.c.RunFor(time.Second)
	m2 := w.receiveAll(url)
	if len(m2) != 1 {
		t.Fatal("message did not come back after the extended timeout")
	}
	// Zero makes it visible at once.
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m2[0].ReceiptHandle, VisibilityTimeout: 0})
	})
	if err != nil || w.depth(url) != [3]int{1, 0, 0} {
		t.Fatalf("visibility 0: err %v depth %v", err, w.depth(url))
	}
	// Not in flight any more.
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m2[0].ReceiptHandle, VisibilityTimeout: 10})
	})
	wantCode(t, err, codeMessageNotInflight)
	// 12 hours in flight at most.
	m3 := w.receive(ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: i32(7200)})[0]
	w.c.RunFor(time.Hour)
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m3.ReceiptHandle, VisibilityTimeout: 43200})
	})
	wantCode(t, err, codeInvalidParameterValue)
	// Deleted message.
	if err := w.deleteMessage(url, m3.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibility(ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m3.ReceiptHandle, VisibilityTimeout: 10})
	})
	wantCode(t, err, codeInvalidParameterValue)
}

func TestDeadLetterAfterMaxReceiveCount(t *testing.T) {
	w := newWorld(t)
	dlq := w.createQueue("drain-dlq", nil)
	var arn string
	w.do(func() {
		out, _ := w.svc.GetQueueAttributes(GetQueueAttributesInput{QueueUrl: dlq, AttributeNames: []string{"QueueArn"}})
		arn = out.Attributes["QueueArn"]
	})
	if arn != "arn:aws:sqs:us-east-1:123456789012:drain-dlq" {
		t.Fatalf("QueueArn = %q", arn)
	}
	url := w.createQueue("drain", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"3"}`,
	})
	sent := w.send(url, "poison")
	for i := 1; i <= 3; i++ {
		got := w.receiveAll(url)
		if len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(i) {
			t.Fatalf("receive %d = %+v", i, got)
		}
		w.c.RunFor(10 * time.Second)
	}
	woken := 0
	w.do(func() { _, _ = w.svc.Notify(dlq, func() { woken++ }) })
	if got := w.receiveAll(url); len(got) != 0 {
		t.Fatalf("fourth receive delivered %+v instead of dead-lettering", got)
	}
	if woken != 1 {
		t.Fatalf("a long poller on the dead-letter queue was woken %d times, want 1", woken)
	}
	if w.depth(url) != [3]int{} {
		t.Fatalf("source depth = %v", w.depth(url))
	}
	dead := w.receiveAll(dlq)
	if len(dead) != 1 || dead[0].MessageId != sent.MessageId || dead[0].Body != "poison" {
		t.Fatalf("dead-letter queue got %+v", dead)
	}
	if dead[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:123456789012:drain" {
		t.Fatalf("DeadLetterQueueSourceArn = %q", dead[0].Attributes["DeadLetterQueueSourceArn"])
	}
	var attrs map[string]string
	w.do(func() {
		out, _ := w.svc.GetQueueAttributes(GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"RedrivePolicy"}})
		attrs = out.Attributes
	})
	if attrs["RedrivePolicy"] != `{"deadLetterTargetArn":"`+arn+`","maxReceiveCount":3}` {
		t.Fatalf("RedrivePolicy = %s", attrs["RedrivePolicy"])
	}
}

func TestDelaySeconds(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", map[string]string{"DelaySeconds": "60"})
	w.send(url, "queue-delayed")
	var err error
	w.do(func() {
		_, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "now", DelaySeconds: i32(0)})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() {
		_, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "later", DelaySeconds: i32(120)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.depth(url); got != [3]int{1, 0, 2} {
		t.Fatalf("depth = %v, want 1 visible, 2 delayed", got)
	}
	if got := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: i32(3600)}); len(got) != 1 || got[0].Body != "now" {
		t.Fatalf("received %+v", got)
	} else if err := w.deleteMessage(url, got[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	w.c.RunFor(60 * time.Second)
	if got := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: i32(3600)}); len(got) != 1 || got[0].Body != "queue-delayed" {
		t.Fatalf("after 60 s received %+v", got)
	}
	w.c.RunFor(60 * time.Second)
	if got := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: i32(3600)}); len(got) != 1 || got[0].Body != "later" {
		t.Fatalf("after 120 s received %+v", got)
	}
}

func TestRetentionDropsOldMessages(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", map[string]string{"MessageRetentionPeriod": "60"})
	w.send(url, "old")
	w.c.RunFor(30 * time.Second)
	w.send(url, "young")
	w.c.RunFor(31 * time.Second)
	got := w.receiveAll(url)
	if len(got) != 1 || got[0].Body != "young" {
		t.Fatalf("received %+v, want only the message within retention", got)
	}
}

func TestPurgeQueue(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	w.send(url, "a")
	w.send(url, "b")
	w.receive(ReceiveMessageInput{QueueUrl: url})
	var err error
	w.do(func() { _, err = w.svc.PurgeQueue(PurgeQueueInput{QueueUrl: url}) })
	if err != nil || w.depth(url) != [3]int{} {
		t.Fatalf("purge: err %v depth %v", err, w.depth(url))
	}
	w.c.RunFor(59 * time.Second)
	w.do(func() { _, err = w.svc.PurgeQueue(PurgeQueueInput{QueueUrl: url}) })
	wantCode(t, err, codePurgeQueueInProgress)
	w.c.RunFor(time.Second)
	w.do(func() { _, err = w.svc.PurgeQueue(PurgeQueueInput{QueueUrl: url}) })
	if err != nil {
		t.Fatalf("purge after 60 s: %v", err)
	}
}

func TestSendToARNAndLenientURLs(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("hooks", nil)
	if url != "https://sqs.us-east-1.amazonaws.com/123456789012/hooks" {
		t.Fatalf("queue URL = %s", url)
	}
	var err error
	w.do(func() {
		err = w.svc.SendToARN("arn:aws:sqs:us-east-1:123456789012:hooks", `{"Event":"autoscaling:TEST_NOTIFICATION"}`)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() { err = w.svc.SendToARN("arn:aws:sqs:us-east-1:123456789012:nope", "x") })
	wantCode(t, err, codeQueueDoesNotExist)
	for _, alias := range []string{"http://127.0.0.1:4566/123456789012/hooks", "http://localhost/123456789012/hooks/"} {
		if got := w.receive(ReceiveMessageInput{QueueUrl: alias, VisibilityTimeout: i32(0)}); len(got) != 1 {
			t.Fatalf("receive via %s got %d messages", alias, len(got))
		}
	}
	if got := w.receive(ReceiveMessageInput{QueueUrl: url}); len(got) != 1 || got[0].Body != `{"Event":"autoscaling:TEST_NOTIFICATION"}` {
		t.Fatalf("got %+v", got)
	}
	var urls []string
	w.do(func() { urls = w.svc.QueueURLs() })
	if len(urls) != 1 || urls[0] != url {
		t.Fatalf("QueueURLs = %v", urls)
	}
}

func TestMessageAttributesFilteredOnReceive(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	var err error
	w.do(func() {
		_, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "b", MessageAttributes: map[string]MessageAttributeValue{
			"drain.reason": {DataType: "String", StringValue: str("spot")},
			"drain.count":  {DataType: "Number", StringValue: str("3")},
			"other":        {DataType: "Binary", BinaryValue: []byte{1, 2}},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := w.receive(ReceiveMessageInput{QueueUrl: url, MessageAttributeNames: []string{"drain.*"}, VisibilityTimeout: i32(0)})
	if len(got[0].MessageAttributes) != 2 || got[0].MD5OfMessageAttributes != md5OfAttributes(map[string]MessageAttributeValue{
		"drain.reason": {DataType: "String", StringValue: str("spot")},
		"drain.count":  {DataType: "Number", StringValue: str("3")},
	}) {
		t.Fatalf("prefix filter returned %+v (md5 %s)", got[0].MessageAttributes, got[0].MD5OfMessageAttributes)
	}
	none := w.receive(ReceiveMessageInput{QueueUrl: url})
	if none[0].MessageAttributes != nil || none[0].MD5OfMessageAttributes != "" {
		t.Fatalf("attributes returned unasked: %+v", none[0])
	}
}

func TestMessageAttributeNames(t *testing.T) {
	names := []string{"Hello", "Help.Me", "General", "Custom.Trace"}
	tests := []struct {
		patterns []string
		want     []string
	}{
		{nil, nil},
		{[]string{"All"}, names},
		{[]string{".*"}, names},
		{[]string{"*"}, names},
		{[]string{"Foo", "Help"}, nil},
		{[]string{"Hello", "General"}, []string{"Hello", "General"}},
		{[]string{"Hel.*"}, []string{"Hello", "Help.Me"}},
		{[]string{"Custom.*"}, []string{"Custom.Trace"}},
		{[]string{"AWS.", "..foo"}, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, n := range names {
			if attrWanted(n, tt.patterns) {
				got = append(got, n)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("MessageAttributeNames %q want %v, got %v", tt.patterns, tt.want, got)
		}
	}
}

func TestReceiveMaxNumberOfMessagesGiven(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	w.send(url, "a")
	w.send(url, "b")
	if got := w.receive(ReceiveMessageInput{QueueUrl: url}); len(got) != 1 {
		t.Fatalf("absent MaxNumberOfMessages received %d, want 1", len(got))
	}
	var err error
	for _, n := range []int32{0, 11, -1} {
		w.do(func() {
			_, err = w.svc.ReceiveMessage(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: n, MaxNumberOfMessagesGiven: true})
		})
		wantCode(t, err, codeInvalidParameterValue)
		if want := fmt.Sprintf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", n); asError(err).Message != want {
			t.Fatalf("message %q, want %q", asError(err).Message, want)
		}
	}
	var in ReceiveMessageInput
	if err := json.Unmarshal([]byte(`{"QueueUrl":"u","MaxNumberOfMessages":0,"WaitTimeSeconds":3}`), &in); err != nil ||
		!in.MaxNumberOfMessagesGiven || in.MaxNumberOfMessages != 0 || in.QueueUrl != "u" || *in.WaitTimeSeconds != 3 {
		t.Fatalf("JSON decoding: %+v, %v", in, err)
	}
	in = ReceiveMessageInput{}
	if err := json.Unmarshal([]byte(`{"QueueUrl":"u"}`), &in); err != nil || in.MaxNumberOfMessagesGiven {
		t.Fatalf("JSON decoding without it: %+v, %v", in, err)
	}
}
