package sqs

import "testing"

// Known-good digests published with the aws-md5-of-message-attributes
// package (npm), which match what SQS returns.
func TestMD5OfMessageAttributesKnownValues(t *testing.T) {
	s1 := MessageAttributeValue{DataType: "String", StringValue: str("attribValue 1")}
	num := MessageAttributeValue{DataType: "Number.float", StringValue: str("4563442423554324324264524243.32543234")}
	bin := MessageAttributeValue{DataType: "Binary", BinaryValue: []byte("Hello binary world!")}
	for _, tc := range []struct {
		name  string
		attrs map[string]MessageAttributeValue
		want  string
	}{
		{"string", map[string]MessageAttributeValue{"attribName1": s1}, "19e27d4e946b072f3f58da80d94fd778"},
		{"custom number type", map[string]MessageAttributeValue{"customNumberTypeAttrib": num}, "9fe1b90bbd9965bdf77bac517c7d2495"},
		{"binary", map[string]MessageAttributeValue{"binaryAttribute": bin}, "31a92b15d92f8db860eda32aceb656c3"},
		{"several, sorted by name", map[string]MessageAttributeValue{"attribName1": s1, "customNumberTypeAttrib": num, "binaryAttribute": bin}, "c932db14a896c663f83c260297d594ff"},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := md5OfAttributes(tc.attrs); got != tc.want {
				t.Fatalf("md5 = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMD5OfBodyOnSendAndReceive(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	// md5("hello"), computed independently.
	const want = "5d41402abc4b2a76b9719d911017c592"
	if out := w.send(url, "hello"); out.MD5OfMessageBody != want {
		t.Fatalf("MD5OfMessageBody = %s, want %s", out.MD5OfMessageBody, want)
	}
	if got := w.receive(ReceiveMessageInput{QueueUrl: url}); got[0].MD5OfBody != want {
		t.Fatalf("MD5OfBody = %s, want %s", got[0].MD5OfBody, want)
	}
	var out *SendMessageOutput
	var err error
	w.do(func() {
		out, err = w.svc.SendMessage(SendMessageInput{QueueUrl: url, MessageBody: "héllo ✓", MessageAttributes: map[string]MessageAttributeValue{
			"attribName1": {DataType: "String", StringValue: str("attribValue 1")},
		}, MessageSystemAttributes: map[string]MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: "String", StringValue: str("Root=1-5759e988-bd862e3fe1be46a994272793")},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.MD5OfMessageBody != md5Hex("héllo ✓") || out.MD5OfMessageAttributes != "19e27d4e946b072f3f58da80d94fd778" || out.MD5OfMessageSystemAttributes == "" {
		t.Fatalf("send output = %+v", out)
	}
	got := w.receive(ReceiveMessageInput{QueueUrl: url, MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []string{"AWSTraceHeader"}})
	if got[0].MD5OfMessageAttributes != "19e27d4e946b072f3f58da80d94fd778" || got[0].Attributes["AWSTraceHeader"] == "" {
		t.Fatalf("receive = %+v", got[0])
	}
}
