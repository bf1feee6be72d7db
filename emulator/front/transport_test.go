package front_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/drainer-dev/drainer/emulator/front"
)

// TestTransportHonoursContext: a long poll on a discrete clock that nothing
// moves would wait forever; cancelling the request ends it at once.
func TestTransportHonoursContext(t *testing.T) {
	e := newEndpoint(t)
	ctx := ctxT(t)
	cq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("still")})
	noErr(t, err)
	pctx, cancel := context.WithCancel(ctx)
	go func() {
		<-e.callsReached("sqs", "ReceiveMessage", 1)
		cancel()
	}()
	_, err = e.sqs.ReceiveMessage(pctx, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, WaitTimeSeconds: 20})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled long poll: %v", err)
	}
}

// TestCallerAndRequestID: the access key id of the SigV4 signature names
// the caller; every answer carries a request id.
func TestCallerAndRequestID(t *testing.T) {
	tests := []struct{ name, auth, query, want string }{
		{"sigv4 header", "AWS4-HMAC-SHA256 Credential=AKIDDRAINER/20261122/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=abc", "", "AKIDDRAINER"},
		{"presigned url", "", "?X-Amz-Credential=AKIDURL%2F20261122%2Fus-east-1%2Fsqs%2Faws4_request", "AKIDURL"},
		{"unsigned", "", "", "anonymous"},
		{"garbage header", "Bearer xyz", "", "anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/"+tt.query, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if got := front.Caller(r); got != tt.want {
				t.Fatalf("Caller = %q, want %q", got, tt.want)
			}
		})
	}
	e := newEndpoint(t)
	ids := map[string]bool{}
	for range 2 {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_emulator/clock", nil))
		id := rec.Header().Get("X-Amzn-RequestId")
		if id == "" || ids[id] {
			t.Fatalf("request id %q (seen %v)", id, ids)
		}
		ids[id] = true
	}
}
