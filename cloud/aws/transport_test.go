package aws_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/health"
	"github.com/drainer-dev/drainer/intake"
)

// hungQueue is the URL of a queue behind an endpoint that never answers.
const hungQueue = "http://sqs.hung.test/123456789012/drainer"

// hungEndpoint is an endpoint reached through net.Pipe: each connection's
// far end reads the request and then does what answer says (nothing: it
// never answers). Inside a synctest bubble a goroutine blocked on a pipe
// is durably blocked, so the bubble's fake time moves on to the client's
// timeouts.
type hungEndpoint struct {
	// answer, when set, writes to the connection once the request is read.
	answer func(io.Writer)

	mu    sync.Mutex
	conns []net.Conn
}

func (e *hungEndpoint) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	e.mu.Lock()
	e.conns = append(e.conns, server)
	e.mu.Unlock()
	go func() {
		r := bufio.NewReader(server)
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		// The answer may come at the very moment the request is read:
		// drainer's client owns its request bodies, so the SDK closing its
		// own cannot fail the write (see TestAnAnswerReadWhileTheRequest…).
		if e.answer != nil {
			e.answer(server)
		}
		io.Copy(io.Discard, r) // until the client hangs up
	}()
	return client, nil
}

// close ends every connection's far end.
func (e *hungEndpoint) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns {
		c.Close()
	}
}

// sdkClient is what config.LoadDefaultConfig gives NewFromConfig (the
// SDK's buildable client), its connections going to e.
func (e *hungEndpoint) sdkClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.DialContext = e.dial })
}

// hungClient is a Client on the wall clock (the bubble's fake one) whose
// HTTP client is hc, as `drainer run` builds it, recording each attempt.
func hungClient(hc aws.HTTPClient, attempts int, c *calls) *cloudaws.Client {
	cfg := aws.Config{Region: "us-east-1", HTTPClient: hc, Credentials: credentials.NewStaticCredentialsProvider("AKIDDRAINER", "secret", "")}
	return cloudaws.NewFromConfig(cfg, cloudaws.Options{Endpoint: "http://sqs.hung.test", MaxAttempts: attempts, BatchWindow: -1, OnCall: c.record})
}

// TestAHungConnectionTimesOut: the SDK's HTTP client, as NewFromConfig
// bounds it, fails an attempt whose answer never starts after
// ResponseHeaderTimeout and one whose body stops half-way after
// AttemptTimeout; each attempt is retried, then the call fails with a
// timeout naming the operation. A long poll's 20 s is well within.
func TestAHungConnectionTimesOut(t *testing.T) {
	const attempts = 3
	for _, c := range []struct {
		name string
		// answer is the endpoint's; hc, when set, the client's HTTP client
		// instead of the SDK's default on the endpoint.
		answer func(io.Writer)
		hc     func(*hungEndpoint) aws.HTTPClient
		// per is how long each attempt waits.
		per  time.Duration
		want string
	}{
		{name: "no answer", per: cloudaws.ResponseHeaderTimeout, want: "timeout awaiting response headers"},
		{name: "headers, then the body stops", answer: func(w io.Writer) {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{\"Messages\":[")
		}, per: cloudaws.AttemptTimeout, want: "Client.Timeout"},
		{name: "a bound the configuration set is kept", hc: func(e *hungEndpoint) aws.HTTPClient {
			return e.sdkClient().WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = 5 * time.Second })
		}, per: 5 * time.Second, want: "timeout awaiting response headers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := &hungEndpoint{answer: c.answer}
				defer e.close()
				var hc aws.HTTPClient = e.sdkClient()
				if c.hc != nil {
					hc = c.hc(e)
				}
				seen := &calls{}
				client := hungClient(hc, attempts, seen)
				start := time.Now()
				_, err := client.ReceiveMessages(t.Context(), hungQueue, cloud.ReceiveOptions{Wait: 20 * time.Second})
				took := time.Since(start)

				var timeout interface{ Timeout() bool }
				if err == nil || !errors.As(err, &timeout) || !timeout.Timeout() {
					t.Fatalf("ReceiveMessages = %v after %v, want a timeout", err, took)
				}
				for _, want := range []string{"ReceiveMessage", "receive from " + hungQueue, c.want} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				if n := seen.count("sqs:ReceiveMessage:" + apiCode(err)); n != attempts {
					t.Errorf("%d attempts reported, want %d (%v)", n, attempts, seen.n)
				}
				// Each attempt waited its bound, then the retry loop's
				// backoffs (at most 1 s, then 2 s) came between them.
				if min, max := attempts*c.per, attempts*c.per+3*time.Second; took < min || took > max {
					t.Errorf("the call took %v, want %v to %v", took, min, max)
				}
			})
		})
	}
}

// TestALongPollIsNotATimeout: an answer that comes at the end of a full
// long poll (20 s) is well within the bounds.
func TestALongPollIsNotATimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := &hungEndpoint{answer: func(w io.Writer) {
			time.Sleep(20 * time.Second) // SQS waits the whole WaitTimeSeconds
			const body = `{"Messages":[]}`
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 15\r\n\r\n"+body)
		}}
		defer e.close()
		seen := &calls{}
		client := hungClient(e.sdkClient(), 1, seen)
		msgs, err := client.ReceiveMessages(t.Context(), hungQueue, cloud.ReceiveOptions{Wait: 20 * time.Second})
		if err != nil || len(msgs) != 0 {
			t.Fatalf("ReceiveMessages = %v, %v; want no message and no error", msgs, err)
		}
	})
}

// TestAnInProcessClientHasNoWallClockBound: a client that is not the
// SDK's (the emulator's front in process, answering on a virtual clock)
// is used as given: a call waits for its answer however long that takes,
// so that `drainer sim` on a busy machine never times out.
func TestAnInProcessClientHasNoWallClockBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			select {
			case <-release:
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
				Body: io.NopCloser(strings.NewReader(`{"Messages":[]}`)), Request: r}, nil
		})
		seen := &calls{}
		client := hungClient(&http.Client{Transport: rt}, 1, seen)
		done := make(chan error, 1)
		go func() {
			_, err := client.ReceiveMessages(t.Context(), hungQueue, cloud.ReceiveOptions{Wait: 20 * time.Second})
			done <- err
		}()
		time.Sleep(10 * cloudaws.AttemptTimeout)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the call ended before its answer: %v", err)
		default:
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("ReceiveMessages = %v", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAHungQueueMakesDrainerUnhealthy: drainer's queue consumer on a
// queue whose connections hang, its attempts reported to a health.Tracker
// as `drainer run` wires them. Each receive fails after
// ResponseHeaderTimeout, so the queue counts as failing from the first,
// and /healthz turns 503, naming the queue and the timeout, once it has
// failed for longer than --unhealthy-after. Without a bound the receive
// would block for ever and /healthz would answer 200.
func TestAHungQueueMakesDrainerUnhealthy(t *testing.T) {
	const unhealthyAfter = 5 * time.Minute
	synctest.Test(t, func(t *testing.T) {
		e := &hungEndpoint{}
		defer e.close()
		tracker := health.New(health.Options{UnhealthyAfter: unhealthyAfter, Queue: true, Answered: cloudaws.Answered})
		cfg := aws.Config{Region: "us-east-1", HTTPClient: e.sdkClient(), Credentials: credentials.NewStaticCredentialsProvider("AKIDDRAINER", "secret", "")}
		client := cloudaws.NewFromConfig(cfg, cloudaws.Options{Endpoint: "http://sqs.hung.test", BatchWindow: -1, OnCall: tracker.OnCall})
		consumer := intake.NewConsumer(intake.SQS{Queue: client, URL: hungQueue}, func(context.Context, intake.Notice) error { return nil },
			intake.Options{Logger: slog.New(slog.DiscardHandler)})
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			consumer.Run(ctx)
		}()
		defer func() {
			stop()
			<-done
		}()

		time.Sleep(cloudaws.ResponseHeaderTimeout - time.Second)
		if q, ok := tracker.Live().Dependencies[health.Queue]; ok {
			t.Fatalf("the queue judged before its first attempt ended: %+v", q)
		}
		time.Sleep(2 * time.Second)
		q := tracker.Live().Dependencies[health.Queue]
		if q.FailingSince.IsZero() || !strings.Contains(q.LastError, "timeout awaiting response headers") {
			t.Fatalf("the queue after the first attempt's timeout: %+v", q)
		}
		if v := tracker.Live(); !v.OK {
			t.Fatalf("unhealthy at once: %+v", v)
		}

		// Failing for exactly --unhealthy-after is still alive; a second
		// more is not.
		time.Sleep(time.Until(q.FailingSince.Add(unhealthyAfter)))
		if v := tracker.Live(); !v.OK {
			t.Fatalf("failing for %v: %+v, want alive", unhealthyAfter, v)
		}
		time.Sleep(time.Second)
		rec := httptest.NewRecorder()
		tracker.Healthz().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "queue unreachable for 5m (more than 5m)") ||
			!strings.Contains(body, "sqs ReceiveMessage: ") || !strings.Contains(body, "timeout awaiting response headers") {
			t.Errorf("/healthz = %d %s, want 503 naming the queue's timeout", rec.Code, body)
		}
	})
}
