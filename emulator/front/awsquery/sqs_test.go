package awsquery_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/front/awsquery"
)

// The answers as botocore's query parser reads them (SQS 2012-11-05 model:
// flattened lists and maps named Message, Attribute, MessageAttribute,
// QueueUrl, …Entry, with map entries as Name/Value).
type (
	sqsAttribute struct {
		Name  string `xml:"Name"`
		Value string `xml:"Value"`
	}
	sqsMessage struct {
		MessageID              string         `xml:"MessageId"`
		ReceiptHandle          string         `xml:"ReceiptHandle"`
		MD5OfBody              string         `xml:"MD5OfBody"`
		Body                   string         `xml:"Body"`
		MD5OfMessageAttributes string         `xml:"MD5OfMessageAttributes"`
		Attributes             []sqsAttribute `xml:"Attribute"`
		MessageAttributes      []struct {
			Name  string `xml:"Name"`
			Value struct {
				StringValue string `xml:"StringValue"`
				DataType    string `xml:"DataType"`
			} `xml:"Value"`
		} `xml:"MessageAttribute"`
	}
	sqsResponse struct {
		XMLName   xml.Name
		Xmlns     string    `xml:"xmlns,attr"`
		RequestID string    `xml:"ResponseMetadata>RequestId"`
		ErrorCode string    `xml:"Error>Code"`
		Result    sqsResult `xml:",any"`
	}
	// sqsResult is the OpResult element of any operation.
	sqsResult struct {
		QueueURLs []string       `xml:"QueueUrl"`
		Attrs     []sqsAttribute `xml:"Attribute"`
		Messages  []sqsMessage   `xml:"Message"`
		MessageID string         `xml:"MessageId"`
		MD5Body   string         `xml:"MD5OfMessageBody"`
		MD5Attrs  string         `xml:"MD5OfMessageAttributes"`
		SendOK    []struct {
			ID        string `xml:"Id"`
			MessageID string `xml:"MessageId"`
			MD5Body   string `xml:"MD5OfMessageBody"`
		} `xml:"SendMessageBatchResultEntry"`
		DeleteOK []struct {
			ID string `xml:"Id"`
		} `xml:"DeleteMessageBatchResultEntry"`
		Failed []struct {
			ID          string `xml:"Id"`
			Code        string `xml:"Code"`
			SenderFault bool   `xml:"SenderFault"`
		} `xml:"BatchResultErrorEntry"`
	}
)

// QueueURL is the single QueueUrl of a CreateQueue or GetQueueUrl answer.
func (r sqsResponse) QueueURL() string {
	if len(r.Result.QueueURLs) == 1 {
		return r.Result.QueueURLs[0]
	}
	return ""
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sqsCall posts a form shaped like botocore's and parses the answer.
func sqsCall(t *testing.T, e *env, form url.Values) (int, sqsResponse) {
	t.Helper()
	form.Set("Version", "2012-11-05")
	status, body := post(t, e, "/", form)
	var r sqsResponse
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	want := form.Get("Action") + "Response"
	if status >= 400 {
		want = "ErrorResponse"
	}
	if r.XMLName.Local != want || r.Xmlns != "http://queue.amazonaws.com/doc/2012-11-05/" || (status < 400 && r.RequestID == "") {
		t.Fatalf("answer %s xmlns %q: %s", r.XMLName.Local, r.Xmlns, body)
	}
	return status, r
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// TestSQSQueryAsTheCLISendsIt walks every SQS query operation with the
// forms botocore's query serializer builds for the AWS CLI.
func TestSQSQueryAsTheCLISendsIt(t *testing.T) {
	e := newEnv(t)
	var queue string
	var handles []string
	var sentAttrsMD5 string
	ok := func(t *testing.T, form url.Values) sqsResponse {
		t.Helper()
		status, r := sqsCall(t, e, form)
		if status != 200 {
			t.Fatalf("status %d, error %s", status, r.ErrorCode)
		}
		return r
	}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"CreateQueue", func(t *testing.T) {
			r := ok(t, vals("Action", "CreateQueue", "QueueName", "drain-events",
				"Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "45",
				"Attribute.2.Name", "ReceiveMessageWaitTimeSeconds", "Attribute.2.Value", "0",
				"Tag.1.Key", "team", "Tag.1.Value", "platform"))
			queue = r.QueueURL()
			if queue == "" {
				t.Fatal("no QueueUrl")
			}
		}},
		{"GetQueueUrl", func(t *testing.T) {
			if r := ok(t, vals("Action", "GetQueueUrl", "QueueName", "drain-events")); r.QueueURL() != queue {
				t.Fatalf("QueueUrl %q, want %q", r.QueueURL(), queue)
			}
		}},
		{"SetQueueAttributes", func(t *testing.T) {
			ok(t, vals("Action", "SetQueueAttributes", "QueueUrl", queue, "Attribute.1.Name", "MessageRetentionPeriod", "Attribute.1.Value", "3600"))
		}},
		{"GetQueueAttributes", func(t *testing.T) {
			r := ok(t, vals("Action", "GetQueueAttributes", "QueueUrl", queue, "AttributeName.1", "VisibilityTimeout", "AttributeName.2", "MessageRetentionPeriod"))
			got := map[string]string{}
			for _, a := range r.Result.Attrs {
				got[a.Name] = a.Value
			}
			if got["VisibilityTimeout"] != "45" || got["MessageRetentionPeriod"] != "3600" || len(got) != 2 {
				t.Fatalf("attributes %v", got)
			}
		}},
		{"ListQueues", func(t *testing.T) {
			if r := ok(t, vals("Action", "ListQueues", "QueueNamePrefix", "drain")); len(r.Result.QueueURLs) != 1 || r.Result.QueueURLs[0] != queue {
				t.Fatalf("queues %v", r.Result.QueueURLs)
			}
		}},
		{"SendMessage", func(t *testing.T) {
			r := ok(t, vals("Action", "SendMessage", "QueueUrl", queue, "MessageBody", `{"Event":"autoscaling:TEST_NOTIFICATION"}`,
				"MessageAttribute.1.Name", "kind", "MessageAttribute.1.Value.DataType", "String", "MessageAttribute.1.Value.StringValue", "test"))
			if r.Result.MessageID == "" || r.Result.MD5Body != md5hex(`{"Event":"autoscaling:TEST_NOTIFICATION"}`) || r.Result.MD5Attrs == "" {
				t.Fatalf("send answer %+v", r)
			}
			sentAttrsMD5 = r.Result.MD5Attrs
		}},
		{"SendMessageBatch", func(t *testing.T) {
			r := ok(t, vals("Action", "SendMessageBatch", "QueueUrl", queue,
				"SendMessageBatchRequestEntry.1.Id", "a", "SendMessageBatchRequestEntry.1.MessageBody", "one",
				"SendMessageBatchRequestEntry.2.Id", "b", "SendMessageBatchRequestEntry.2.MessageBody", "two", "SendMessageBatchRequestEntry.2.DelaySeconds", "0"))
			if len(r.Result.SendOK) != 2 || r.Result.SendOK[1].ID != "b" || r.Result.SendOK[1].MD5Body != md5hex("two") || len(r.Result.Failed) != 0 {
				t.Fatalf("batch answer %+v", r)
			}
		}},
		{"ReceiveMessage", func(t *testing.T) {
			r := ok(t, vals("Action", "ReceiveMessage", "QueueUrl", queue, "MaxNumberOfMessages", "10",
				"AttributeName.1", "All", "MessageAttributeName.1", "All", "VisibilityTimeout", "60"))
			if len(r.Result.Messages) != 3 {
				t.Fatalf("%d messages", len(r.Result.Messages))
			}
			for _, m := range r.Result.Messages {
				handles = append(handles, m.ReceiptHandle)
				if m.MD5OfBody != md5hex(m.Body) || m.MessageID == "" || len(m.Attributes) == 0 {
					t.Errorf("message %+v", m)
				}
				if m.Body == `{"Event":"autoscaling:TEST_NOTIFICATION"}` &&
					(m.MD5OfMessageAttributes != sentAttrsMD5 || len(m.MessageAttributes) != 1 || m.MessageAttributes[0].Value.StringValue != "test") {
					t.Errorf("message attributes of %+v", m)
				}
			}
		}},
		{"ReceiveMessage MaxNumberOfMessages=0, as the CLI sends it", func(t *testing.T) {
			status, r := sqsCall(t, e, vals("Action", "ReceiveMessage", "QueueUrl", queue, "MaxNumberOfMessages", "0"))
			if status != 400 || r.ErrorCode != "InvalidParameterValue" {
				t.Fatalf("%d %s, want 400 InvalidParameterValue", status, r.ErrorCode)
			}
		}},
		{"ChangeMessageVisibility", func(t *testing.T) {
			ok(t, vals("Action", "ChangeMessageVisibility", "QueueUrl", queue, "ReceiptHandle", handles[0], "VisibilityTimeout", "120"))
		}},
		{"DeleteMessage", func(t *testing.T) {
			ok(t, vals("Action", "DeleteMessage", "QueueUrl", queue, "ReceiptHandle", handles[0]))
		}},
		{"DeleteMessageBatch", func(t *testing.T) {
			r := ok(t, vals("Action", "DeleteMessageBatch", "QueueUrl", queue,
				"DeleteMessageBatchRequestEntry.1.Id", "x", "DeleteMessageBatchRequestEntry.1.ReceiptHandle", handles[1],
				"DeleteMessageBatchRequestEntry.2.Id", "y", "DeleteMessageBatchRequestEntry.2.ReceiptHandle", "not-a-handle"))
			if len(r.Result.DeleteOK) != 1 || r.Result.DeleteOK[0].ID != "x" || len(r.Result.Failed) != 1 || r.Result.Failed[0].Code != "ReceiptHandleIsInvalid" || !r.Result.Failed[0].SenderFault {
				t.Fatalf("batch answer %+v", r)
			}
		}},
		{"ReceiveMessage long poll", func(t *testing.T) {
			// Served in process as one of the world clock's goroutines, so
			// the wait is on virtual time and nothing else moves it.
			form := vals("Action", "ReceiveMessage", "QueueUrl", queue, "WaitTimeSeconds", "5", "Version", "2012-11-05")
			start := e.w.Now()
			var status int
			var body []byte
			var waited time.Duration
			e.w.Clock.Call(context.Background(), start.Add(time.Hour), func(ctx context.Context) {
				rec := httptest.NewRecorder()
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				awsquery.Serve(e.w, "test", rec, req)
				status, body, waited = rec.Code, rec.Body.Bytes(), e.w.Now().Sub(start)
			})
			var r sqsResponse
			if err := xml.Unmarshal(body, &r); err != nil || status != 200 {
				t.Fatalf("status %d: %v in %s", status, err, body)
			}
			if len(r.Result.Messages) != 0 || waited != 5*time.Second {
				t.Fatalf("%d messages after %v, want none after exactly the 5s wait", len(r.Result.Messages), waited)
			}
		}},
		{"PurgeQueue", func(t *testing.T) {
			ok(t, vals("Action", "PurgeQueue", "QueueUrl", queue))
		}},
		{"DeleteQueue by posting to its URL", func(t *testing.T) {
			u, _ := url.Parse(queue)
			status, r := sqsCall(t, e, vals("Action", "DeleteQueue"))
			if status != 400 || r.ErrorCode != "MissingParameter" {
				t.Fatalf("without QueueUrl: %d %s", status, r.ErrorCode)
			}
			if status, body := post(t, e, u.Path, vals("Action", "DeleteQueue", "Version", "2012-11-05")); status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
		}},
		{"errors in SQS query spelling", func(t *testing.T) {
			status, r := sqsCall(t, e, vals("Action", "SendMessage", "QueueUrl", queue, "MessageBody", "x"))
			if status != 400 || r.ErrorCode != "AWS.SimpleQueueService.NonExistentQueue" {
				t.Fatalf("%d %s", status, r.ErrorCode)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}
