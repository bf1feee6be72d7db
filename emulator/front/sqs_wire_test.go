package front_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
)

// headerRecorder is an in-process transport that keeps the headers of the
// last answer, for checks of what the SDK hides.
type headerRecorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.rt.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func (h *headerRecorder) header(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(name)
}

// withJSONMember sets a member of the JSON request body the SDK built, as
// another SDK would send it (aws-sdk-go-v2 leaves a zero
// MaxNumberOfMessages out; boto3 and the AWS CLI send it).
func withJSONMember(name string, value any) func(*sqs.Options) {
	return func(o *sqs.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("jsonMember", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req := in.Request.(*smithyhttp.Request)
				b, err := io.ReadAll(req.GetStream())
				if err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, err
				}
				var body map[string]any
				if err := json.Unmarshal(b, &body); err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, err
				}
				body[name] = value
				nb, _ := json.Marshal(body)
				if req, err = req.SetStream(bytes.NewReader(nb)); err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, err
				}
				req.ContentLength = int64(len(nb))
				in.Request = req
				return next.HandleBuild(ctx, in)
			}), middleware.After)
		})
	}
}

// TestSQSWireConformance checks through the SDK what SQS's JSON protocol
// answers as AWS does: the namespaced error type in X-Amzn-ErrorType and
// __type with the query code beside it, an explicit MaxNumberOfMessages=0
// refused with SQS's words, and MessageAttributeNames prefixes.
func TestSQSWireConformance(t *testing.T) {
	w := emulator.New(emptyConfig())
	rec := &headerRecorder{rt: front.Transport(front.New(w))}
	e := clientsFor(w, nil, sdkConfig(rec), baseEndpoint)
	ctx := ctxT(t)
	c := e.sqs

	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("gone")})
	if !isA[*types.QueueDoesNotExist](err) || apiCode(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("GetQueueUrl of a missing queue: %v", err)
	}
	if got := rec.header("X-Amzn-ErrorType"); got != "com.amazonaws.sqs#QueueDoesNotExist" {
		t.Fatalf("X-Amzn-ErrorType = %q, want com.amazonaws.sqs#QueueDoesNotExist", got)
	}
	if got := rec.header("X-Amzn-Query-Error"); got != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Fatalf("X-Amzn-Query-Error = %q", got)
	}

	cq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"VisibilityTimeout": "0"}})
	noErr(t, err)
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl}, withJSONMember("MaxNumberOfMessages", 0))
	const zeroText = "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
	if apiCode(err) != "InvalidParameterValue" || !containsMessage(err, zeroText) {
		t.Fatalf("MaxNumberOfMessages 0: %v", err)
	}
	if got := rec.header("X-Amzn-ErrorType"); got != "com.amazonaws.sqs#InvalidParameterValue" {
		t.Fatalf("X-Amzn-ErrorType = %q", got)
	}

	attrs := map[string]types.MessageAttributeValue{}
	for _, n := range []string{"Hello", "Help.Me", "General", "Custom.Trace", "Custom.Span"} {
		attrs[n] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v-" + n)}
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: cq.QueueUrl, MessageBody: aws.String("m"), MessageAttributes: attrs})
	noErr(t, err)
	for _, tt := range []struct {
		names []string
		want  []string
	}{
		{[]string{"Custom.*"}, []string{"Custom.Span", "Custom.Trace"}},
		{[]string{"Hel.*", "General"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{".*"}, []string{"Custom.Span", "Custom.Trace", "General", "Hello", "Help.Me"}},
		{[]string{"All"}, []string{"Custom.Span", "Custom.Trace", "General", "Hello", "Help.Me"}},
		{[]string{"Nothing.*"}, nil},
	} {
		// The SDK checks MD5OfMessageAttributes against what it receives.
		rm, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MessageAttributeNames: tt.names})
		noErr(t, err)
		if len(rm.Messages) != 1 {
			t.Fatalf("%v: received %d messages", tt.names, len(rm.Messages))
		}
		var got []string
		for n := range rm.Messages[0].MessageAttributes {
			got = append(got, n)
		}
		slices.Sort(got)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("MessageAttributeNames %v gave %v, want %v", tt.names, got, tt.want)
		}
	}
}

// containsMessage reports whether err's text carries msg.
func containsMessage(err error, msg string) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte(msg))
}
