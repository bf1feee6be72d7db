package sqs

import (
	"strings"
	"testing"
)

func TestBatchRequestErrors(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	entries := func(ids ...string) []SendMessageBatchRequestEntry {
		var out []SendMessageBatchRequestEntry
		for _, id := range ids {
			out = append(out, SendMessageBatchRequestEntry{Id: id, MessageBody: "b"})
		}
		return out
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = string(rune('a' + i))
	}
	for _, tc := range []struct {
		name    string
		entries []SendMessageBatchRequestEntry
		code    string
	}{
		{"empty", nil, codeEmptyBatchRequest},
		{"eleven", entries(eleven...), codeTooManyEntries},
		{"repeated id", entries("a", "b", "a"), codeBatchIdsNotDistinct},
		{"bad id", entries("a b"), codeInvalidBatchEntryId},
		{"long id", entries(strings.Repeat("x", 81)), codeInvalidBatchEntryId},
		{"too long in total", []SendMessageBatchRequestEntry{{Id: "a", MessageBody: strings.Repeat("x", 600000)}, {Id: "b", MessageBody: strings.Repeat("y", 600000)}}, codeBatchRequestTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { _, err = w.svc.SendMessageBatch(SendMessageBatchInput{QueueUrl: url, Entries: tc.entries}) })
			wantCode(t, err, tc.code)
		})
	}
	if w.depth(url) != [3]int{} {
		t.Fatal("a rejected batch stored messages")
	}
	var err error
	w.do(func() { _, err = w.svc.DeleteMessageBatch(DeleteMessageBatchInput{QueueUrl: url}) })
	wantCode(t, err, codeEmptyBatchRequest)
	w.do(func() {
		_, err = w.svc.ChangeMessageVisibilityBatch(ChangeMessageVisibilityBatchInput{QueueUrl: url, Entries: []ChangeMessageVisibilityBatchRequestEntry{{Id: "a"}, {Id: "a"}}})
	})
	wantCode(t, err, codeBatchIdsNotDistinct)
}

func TestBatchPerEntryResults(t *testing.T) {
	w := newWorld(t)
	url := w.createQueue("q", nil)
	var sent *SendMessageBatchOutput
	var err error
	w.do(func() {
		sent, err = w.svc.SendMessageBatch(SendMessageBatchInput{QueueUrl: url, Entries: []SendMessageBatchRequestEntry{
			{Id: "ok1", MessageBody: "one"},
			{Id: "late", MessageBody: "two", DelaySeconds: i32(901)},
			{Id: "empty"},
			{Id: "ctrl", MessageBody: "bad\x01"},
			{Id: "ok2", MessageBody: "three"},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Successful) != 2 || sent.Successful[0].Id != "ok1" || sent.Successful[1].Id != "ok2" || sent.Successful[1].MD5OfMessageBody != md5Hex("three") {
		t.Fatalf("successful = %+v", sent.Successful)
	}
	wantFailed := map[string]string{"late": codeInvalidParameterValue, "empty": codeMissingParameter, "ctrl": codeInvalidMessageContents}
	if len(sent.Failed) != 3 {
		t.Fatalf("failed = %+v", sent.Failed)
	}
	for _, f := range sent.Failed {
		if wantFailed[f.Id] != f.Code || !f.SenderFault || f.Message == "" {
			t.Fatalf("failed entry %+v, want code %s", f, wantFailed[f.Id])
		}
	}

	msgs := w.receive(ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	if len(msgs) != 2 {
		t.Fatalf("received %d", len(msgs))
	}
	var del *DeleteMessageBatchOutput
	w.do(func() {
		del, err = w.svc.DeleteMessageBatch(DeleteMessageBatchInput{QueueUrl: url, Entries: []DeleteMessageBatchRequestEntry{
			{Id: "a", ReceiptHandle: msgs[0].ReceiptHandle},
			{Id: "b", ReceiptHandle: "garbage"},
			{Id: "c", ReceiptHandle: msgs[1].ReceiptHandle},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 2 || len(del.Failed) != 1 || del.Failed[0].Id != "b" || del.Failed[0].Code != codeReceiptHandleIsInvalid {
		t.Fatalf("delete batch = %+v", del)
	}
	if w.depth(url) != [3]int{} {
		t.Fatalf("depth after batch delete = %v", w.depth(url))
	}
}
