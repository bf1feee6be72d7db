package aws_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator/front"
)

// These tests hold drainer's HTTP client to keep-alive: one connection
// carries call after call, concurrent callers each keep theirs, and no
// call fails because the client tore down a connection it was still
// reading from. They run with one attempt per call, so that no retry
// hides a failure.

// pipeEndpoint serves the emulator's front (front.Serve, as `drainer
// emulator` does) over net.Pipe connections inside a synctest bubble, so
// that the order of the two ends is set by the bubble's fake time:
//   - the client's end pauses a fake microsecond after each write, as a
//     busy machine pauses the goroutine writing a request after its last
//     byte is on the wire;
//   - the server's end sends the last bytes of each write a fake
//     millisecond after the rest, as a network delivers a large answer in
//     parts: the client has the answer's headers and reads its body while
//     the request's writer runs again.
type pipeEndpoint struct {
	conns chan net.Conn
	counts
	done chan struct{}
	once sync.Once
}

// counts counts the client's connections: dialled, and closed by the
// client.
type counts struct{ dials, closes atomic.Int64 }

// countedConn is a client connection whose Close is counted.
type countedConn struct {
	net.Conn
	n *counts
}

func (c countedConn) Close() error {
	c.n.closes.Add(1)
	return c.Conn.Close()
}

func newPipeEndpoint() *pipeEndpoint {
	return &pipeEndpoint{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (e *pipeEndpoint) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case e.conns <- laggingConn{server}:
	case <-e.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	e.dials.Add(1)
	return countedConn{pausingConn{client}, &e.counts}, nil
}

// Accept, Close and Addr make the endpoint the server's net.Listener.
func (e *pipeEndpoint) Accept() (net.Conn, error) {
	select {
	case c := <-e.conns:
		return c, nil
	case <-e.done:
		return nil, net.ErrClosed
	}
}

func (e *pipeEndpoint) Close() error {
	e.once.Do(func() { close(e.done) })
	return nil
}

func (e *pipeEndpoint) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "emulator.test:80" }

// pausingConn is the client's end.
type pausingConn struct{ net.Conn }

func (c pausingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	time.Sleep(time.Microsecond)
	return n, err
}

// laggingConn is the server's end.
type laggingConn struct{ net.Conn }

func (c laggingConn) Write(p []byte) (int, error) {
	const late = 16
	if len(p) <= late {
		return c.Conn.Write(p)
	}
	n, err := c.Conn.Write(p[:len(p)-late])
	if err != nil {
		return n, err
	}
	time.Sleep(time.Millisecond)
	m, err := c.Conn.Write(p[len(p)-late:])
	return n + m, err
}

// serveDemo serves the demo world on ln with front.Serve until the test
// ends.
func serveDemo(t *testing.T, ln net.Listener) {
	t.Helper()
	w := world(t, demoWorld)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- front.Serve(ctx, ln, front.New(w)) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("front.Serve: %v", err)
		}
	})
}

// keepAliveClient is a Client as `drainer setup` and `drainer run` build
// it (the SDK's buildable client, through NewFromConfig), with one
// attempt per call, its connections dialled by dial, its pacing out of
// the way. It keeps every idle connection, so that any connection it
// closes while the test calls is one it lost.
func keepAliveClient(endpoint string, dial func(context.Context, string, string) (net.Conn, error)) *cloudaws.Client {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = dial
		tr.MaxIdleConnsPerHost = 100
	})
	cfg := aws.Config{Region: "us-east-1", HTTPClient: hc, Credentials: credentials.NewStaticCredentialsProvider("AKIDDRAINER", "secret", "")}
	fast := cloudaws.Limit{Rate: 1e6, Burst: 1e6}
	return cloudaws.NewFromConfig(cfg, cloudaws.Options{
		Endpoint:    endpoint,
		MaxAttempts: 1,
		BatchWindow: -1,
		Limits:      cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast},
	})
}

// callMix makes a few calls of both wire protocols (awsQuery for Auto
// Scaling, JSON for ECS), each with a request body.
func callMix(ctx context.Context, c *cloudaws.Client) error {
	if _, err := c.DescribeGroups(ctx, []string{"demo-asg"}); err != nil {
		return err
	}
	if _, err := c.LifecycleHooks(ctx, "demo-asg"); err != nil {
		return err
	}
	_, err := c.ListClusters(ctx)
	return err
}

// TestAnAnswerReadWhileTheRequestWriterRunsKeepsItsConnection: the
// answer's body is still arriving when the goroutine that wrote the
// request runs again. That writer then makes one more read of the request
// body (net/http checks the body holds no more than its Content-Length)
// — after the SDK has closed its request body, as it does as soon as the
// headers are in. The SDK's closed body answers that read with io.EOF
// as an error, net/http takes it for a failed write and closes the
// connection under the reader: "use of closed network connection" (here
// "read/write on closed pipe"), the call fails, and the connection is
// lost for keep-alive. drainer's client hands net/http a body of its own,
// so the call succeeds and the next calls reuse the connection, also after
// an idle gap just short of the client's own idle limit, and concurrent
// callers lose none of theirs.
func TestAnAnswerReadWhileTheRequestWriterRunsKeepsItsConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEndpoint()
		serveDemo(t, e)
		c := keepAliveClient("http://emulator.test", e.dial)
		ctx := t.Context()
		for i := range 5 {
			if err := callMix(ctx, c); err != nil {
				t.Fatalf("round %d: %v", i+1, err)
			}
		}
		if n := e.dials.Load(); n != 1 {
			t.Fatalf("%d connections for 15 sequential calls, want 1", n)
		}

		// An idle gap the client keeps its connection through: the server
		// must not have closed it meanwhile.
		time.Sleep(awshttp.DefaultHTTPTransportIdleConnTimeout - time.Second)
		if err := callMix(ctx, c); err != nil {
			t.Fatalf("after an idle gap: %v", err)
		}
		if n := e.dials.Load(); n != 1 {
			t.Fatalf("%d connections after an idle gap, want 1", n)
		}

		// Concurrent callers: each keeps a connection of its own.
		const callers = 6
		errs := make(chan error, callers)
		for range callers {
			go func() {
				for range 5 {
					if err := callMix(ctx, c); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent calls: %v", err)
			}
		}
		if n := e.closes.Load(); n != 0 {
			t.Fatalf("the client closed %d of its %d connections, want none", n, e.dials.Load())
		}
	})
}

// TestKeepAliveOverTCP: the same over a real loopback connection to
// front.Serve, as `drainer setup` talks to `drainer emulator`: many
// sequential calls on one connection, then concurrent callers losing no
// connection, every call succeeding at its first attempt. (Before
// drainer's client owned its request bodies, one call in ten or so lost
// its connection, and now and then a call failed with "use of closed
// network connection".)
func TestKeepAliveOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	serveDemo(t, ln)
	var n counts
	var d net.Dialer
	c := keepAliveClient("http://"+ln.Addr().String(), func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		n.dials.Add(1)
		return countedConn{conn, &n}, nil
	})

	for i := range 100 {
		if err := callMix(t.Context(), c); err != nil {
			t.Fatalf("round %d: %v", i+1, err)
		}
	}
	if d := n.dials.Load(); d != 1 {
		t.Fatalf("%d connections for 300 sequential calls, want 1", d)
	}

	const callers = 8
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			for range 25 {
				if err := callMix(t.Context(), c); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls: %v", err)
	}
	if c := n.closes.Load(); c != 0 {
		t.Fatalf("the client closed %d of its %d connections, want none", c, n.dials.Load())
	}
}
