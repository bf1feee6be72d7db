package sqs

import (
	"fmt"
	"strings"
	"testing"
)

const (
	testQueueARN = "arn:aws:sqs:us-east-1:123456789012:q"
	testTopicARN = "arn:aws:sns:us-east-1:123456789012:hooks"
)

// snsPolicy is the policy the SNS developer guide gives for a topic's
// subscription, with the principal and condition left to the test.
func snsPolicy(principal, condition string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":%s,"Action":"sqs:SendMessage","Resource":%q%s}]}`,
		principal, testQueueARN, condition)
}

func TestPolicyAllows(t *testing.T) {
	fromTopic := policyRequest{Service: "sns.amazonaws.com", Action: "sqs:SendMessage", Resource: testQueueARN,
		Context: map[string]string{"aws:sourcearn": testTopicARN, "aws:sourceaccount": "123456789012"}}
	withArn := func(op, arn string) string { return fmt.Sprintf(`,"Condition":{%q:{"aws:SourceArn":%q}}`, op, arn) }
	tests := []struct {
		name, policy string
		want         bool
	}{
		{"service principal, ArnEquals the topic", snsPolicy(`{"Service":"sns.amazonaws.com"}`, withArn("ArnEquals", testTopicARN)), true},
		{"service principal in a list", snsPolicy(`{"Service":["events.amazonaws.com","sns.amazonaws.com"]}`, ""), true},
		{"everyone, ArnLike a wildcard", snsPolicy(`"*"`, withArn("ArnLike", "arn:aws:sns:us-east-1:123456789012:*")), true},
		{"AWS * is everyone", snsPolicy(`{"AWS":"*"}`, withArn("ArnEquals", testTopicARN)), true},
		{"condition key case does not matter", snsPolicy(`"*"`, `,"Condition":{"ArnEquals":{"AWS:SOURCEARN":"`+testTopicARN+`"}}`), true},
		{"source account condition", snsPolicy(`"*"`, `,"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}`), true},
		{"another topic", snsPolicy(`{"Service":"sns.amazonaws.com"}`, withArn("ArnEquals", "arn:aws:sns:us-east-1:123456789012:other")), false},
		{"another service", snsPolicy(`{"Service":"events.amazonaws.com"}`, ""), false},
		{"an account principal is not SNS", snsPolicy(`{"AWS":"arn:aws:iam::123456789012:root"}`, ""), false},
		{"another queue", strings.Replace(snsPolicy(`"*"`, ""), testQueueARN, "arn:aws:sqs:us-east-1:123456789012:other", 1), false},
		{"unknown operator never grants", snsPolicy(`"*"`, `,"Condition":{"ArnSortOf":{"aws:SourceArn":"`+testTopicARN+`"}}`), false},
		{"missing key fails", snsPolicy(`"*"`, `,"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`), false},
		{"missing key with IfExists holds", snsPolicy(`"*"`, `,"Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"ArnNotEquals another topic", snsPolicy(`"*"`, withArn("ArnNotEquals", "arn:aws:sns:us-east-1:123456789012:other")), true},
		{"action wildcard, any case", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"SQS:*","Resource":"*"}}`, true},
		{"NotAction excluding SendMessage", `{"Statement":{"Effect":"Allow","Principal":"*","NotAction":"sqs:SendMessage","Resource":"*"}}`, false},
		{"explicit deny wins", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"},` +
			`{"Effect":"Deny","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`, false},
		{"no statement matches", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:ReceiveMessage","Resource":"*"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePolicy(tt.policy)
			if err != nil {
				t.Fatalf("parsePolicy: %v", err)
			}
			if got := p.allows(fromTopic); got != tt.want {
				t.Fatalf("allows = %v, want %v for %s", got, tt.want, tt.policy)
			}
		})
	}
}

func TestParsePolicyRefusals(t *testing.T) {
	for _, doc := range []string{
		`not json`, `{}`, `{"Statement":[]}`, `{"Statement":[{"Principal":"*","Action":"sqs:*"}]}`,
		`{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"sqs:*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"sns.amazonaws.com","Action":"sqs:*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":7}]}`,
	} {
		if _, err := parsePolicy(doc); err == nil {
			t.Errorf("parsePolicy(%s) accepted it", doc)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "acb", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*:hooks", "arn:aws:sns:r:1:hooks", true},
		{"arn:*:sns:*", "arn:aws:sqs:x", false}, {"a*b*c", "aXbYbZc", true}, {"", "", true}, {"", "x", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestSendFromService(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	msg := ServiceMessage{Service: "sns.amazonaws.com", SourceARN: testTopicARN, SourceAccount: "123456789012",
		SenderID: "AIDATESTSNS", Body: "hello", Attributes: map[string]MessageAttributeValue{"k": {DataType: "String", StringValue: str("v")}}}
	var err error
	w.do(func() { err = w.svc.SendFromService(testQueueARN, msg) })
	if e := asError(err); e.Code != "AccessDenied" || e.Status != 403 ||
		e.Message != "Access to the resource https://sqs.us-east-1.amazonaws.com/123456789012/q is denied." {
		t.Fatalf("a queue without a policy: %v", err)
	}
	w.do(func() { err = w.svc.SendFromService("arn:aws:sqs:us-east-1:123456789012:gone", msg) })
	wantCode(t, err, codeQueueDoesNotExist)

	w.do(func() {
		_, err = w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"Policy": "{not a policy"}})
	})
	wantCode(t, err, codeInvalidAttributeValue)
	policy := snsPolicy(`{"Service":"sns.amazonaws.com"}`, `,"Condition":{"ArnEquals":{"aws:SourceArn":"`+testTopicARN+`"}}`)
	w.do(func() {
		_, err = w.svc.SetQueueAttributes(SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"Policy": policy}})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.do(func() { err = w.svc.SendFromService(testQueueARN, msg) })
	if err != nil {
		t.Fatalf("with the policy: %v", err)
	}
	other := msg
	other.SourceARN = "arn:aws:sns:us-east-1:123456789012:other"
	w.do(func() { err = w.svc.SendFromService(testQueueARN, other) })
	if e := asError(err); e.Code != "AccessDenied" {
		t.Fatalf("another topic: %v", err)
	}
	got := w.receiveAll(url)
	if len(got) != 1 || got[0].Body != "hello" || got[0].Attributes["SenderId"] != "AIDATESTSNS" || deref(got[0].MessageAttributes["k"].StringValue) != "v" {
		t.Fatalf("received %+v", got)
	}
}
