package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
	"github.com/drainer-dev/drainer/emulator/sqs"
	"github.com/drainer-dev/drainer/invariant"
	"github.com/drainer-dev/drainer/lambdafn"
	"github.com/drainer-dev/drainer/lambdafn/eventsource"
)

// TestBootstrapDrainsUnderTheRuntimeInterfaceEmulator builds drainer's
// Lambda bootstrap and AWS's Lambda Runtime Interface Emulator, runs the
// one under the other on loopback, and plays Lambda's part around them:
// the SQS event source (it receives the messages the emulated world put on
// the drainer queue, invokes the function with them, and deletes those the
// partial batch response does not name) and the scheduled rule (a
// scheduled event every virtual minute). The emulated world serves the
// function's AWS calls on loopback; its manual clock moves ten seconds at
// a time, each step once the invocations it called for have returned, so
// virtual time never runs ahead of the function. The drain ends with the
// instance released by drainer's CompleteLifecycleAction, its tasks moved,
// and the invariants of DESIGN.md §7 kept throughout, in two stories:
//   - messages: the lifecycle notification reaches the function; halfway,
//     the execution environment is thrown away and a fresh one carries on
//     from what the drain recorded on its container instance;
//   - lost message: the lifecycle notification is deleted before any
//     invocation; the next scheduled round, in a fresh execution
//     environment, takes the lifecycle action up (its first scan finds the
//     instance in Terminating:Wait with no drain) and the rounds finish
//     the drain.
//
// Building the two binaries takes most of the test's time: with a warm
// build cache, about 10 to 20 s to link the bootstrap (it carries the EC2
// SDK) and 5 s for the emulator; with a cold one, the emulator's own
// dependencies take 20 to 25 s of CPU more. The lost message's round
// waits its take-up grace on the wall clock before its take-up: the
// function runs with DRAINER_TAKEUP_GRACE=1s rather than the default 15 s.
func TestBootstrapDrainsUnderTheRuntimeInterfaceEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	ctx := testContext(t)
	bootstrap, rie := buildBinaries(ctx, t)
	t.Run("messages", func(t *testing.T) { drainUnderRIE(ctx, t, bootstrap, rie, false) })
	t.Run("lost message", func(t *testing.T) { drainUnderRIE(ctx, t, bootstrap, rie, true) })
}

// drainUnderRIE plays the scale-in of testdata/lambda-scale-in.yaml with
// the bootstrap under the Runtime Interface Emulator until the instance it
// holds is drained; lose deletes the lifecycle notification before the
// function sees it.
func drainUnderRIE(ctx context.Context, t *testing.T, bootstrap, rie string, lose bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	sc, err := scenario.Load("testdata/lambda-scale-in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The function keeps its deadlines on the wall clock and checks the
	// times of the world's messages against it: the scale-in (at 3m)
	// comes ten minutes before the wall clock's now, and virtual time,
	// moved by hand, stays behind the wall clock.
	sc.Start = time.Now().Add(-13 * time.Minute).UTC().Truncate(time.Second)
	run, err := scenario.NewWorld(sc, emulator.Config{SQS: sqs.Options{URLBase: endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	checker := invariant.WatchWith(w, invariant.Options{OwnedHooks: []string{"drain-hook"}, Clusters: []string{"demo"}, Caller: "drainer"})
	serveCtx, stopServing := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- front.Serve(serveCtx, ln, front.New(w)) }()
	t.Cleanup(func() {
		stopServing()
		if err := <-served; err != nil {
			t.Errorf("the emulator's endpoint: %v", err)
		}
	})

	env := []string{
		"AWS_ACCESS_KEY_ID=drainer", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=" + endpoint,
		"AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_LAMBDA_FUNCTION_TIMEOUT=60", "AWS_LAMBDA_FUNCTION_NAME=drainer",
		"DRAINER_HOOKS=drain-hook", "DRAINER_CLUSTERS=demo",
		// No message races the lost one's take-up here: a second of
		// wall time, not the default 15 s, before it.
		lambdafn.EnvTakeUpGrace + "=1s",
	}
	fn := startFunction(ctx, t, rie, bootstrap, env)
	queue := newEventSource(ctx, t, endpoint)

	var held string    // the instance the scale-in holds in Terminating:Wait
	var restarted bool // the execution environment was thrown away
	var fresh bool     // and no round has run in the new one yet
	var lost int       // lifecycle notifications deleted unseen
	var rounds, batches int
	limit := w.Now().Add(time.Hour)
	for step := 0; ; step++ {
		if !w.Now().Before(limit) {
			t.Fatalf("an hour of virtual time went by without the drain of %q finishing", held)
		}
		// Lambda's SQS event source: every visible message, in batches
		// (less the lifecycle notifications, when they are lost).
		for msgs := queue.receive(); len(msgs) > 0; msgs = queue.receive() {
			if lose {
				var notices []cloud.Message
				msgs = slices.DeleteFunc(msgs, func(m cloud.Message) bool {
					if strings.Contains(m.Body, "EC2_INSTANCE_TERMINATING") {
						notices = append(notices, m)
						return true
					}
					return false
				})
				queue.settle(notices, events.SQSEventResponse{})
				lost += len(notices)
				if len(msgs) == 0 {
					continue
				}
			}
			var answer events.SQSEventResponse
			fn.invoke(queue.m.Event(msgs), &answer)
			if len(answer.BatchItemFailures) > 0 {
				t.Errorf("batch failures %+v", answer.BatchItemFailures)
			}
			queue.settle(msgs, answer)
			batches++
		}
		if held == "" {
			held = instanceIn(w, "Terminating:Wait")
		}
		// The scheduled rule, every minute.
		if step%6 == 0 {
			takeUp := lose && held != "" && !restarted
			if takeUp {
				// The round after the lost notification runs in a fresh
				// execution environment: its scan has never run before.
				if lost == 0 || recorded(w, held) {
					t.Fatalf("%d lifecycle notifications lost; drain of %s recorded: %v", lost, held, recorded(w, held))
				}
				fn.stop()
				fn = startFunction(ctx, t, rie, bootstrap, env)
				restarted = true
			}
			var rep lambdafn.Report
			fn.invoke(scheduledEvent(w.Now()), &rep)
			if rep.Kind != lambdafn.KindSchedule || len(rep.Errors) > 0 || len(rep.Warnings) > 0 {
				t.Errorf("round at %v: %+v", w.Now(), rep)
			}
			if fresh && rep.Resumed != 1 {
				t.Errorf("the fresh environment's first round resumed %d drains, want the one recorded: %+v", rep.Resumed, rep)
			}
			if takeUp && (rep.TakenUp != 1 || !recorded(w, held)) {
				t.Fatalf("the first round after the lost notification, in a fresh environment: %+v; drain of %s recorded: %v", rep, held, recorded(w, held))
			}
			rounds, fresh = rounds+1, false
		}
		if held != "" {
			if drained(w, held) {
				break
			}
			if !restarted && recorded(w, held) {
				// Lambda may throw an environment away at any time: a fresh
				// one knows the drain only from its record, and only a round
				// resumes it.
				if n := completions(w); n != 0 {
					t.Fatalf("%d lifecycle actions completed before the drain could be taken over", n)
				}
				fn.stop()
				fn = startFunction(ctx, t, rie, bootstrap, env)
				restarted, fresh = true, true
			}
		}
		w.Clock.RunFor(10 * time.Second)
	}
	t.Logf("%s drained by %v of virtual time, in %d rounds and %d batches", held, w.Now().Sub(sc.Start).Round(time.Second), rounds, batches)
	if !restarted {
		t.Error("the drain finished before the test could throw the environment away")
	}
	if lose && lost == 0 {
		t.Error("no lifecycle notification was lost")
	}

	var sent int
	w.Do(func() { sent = w.Calls.CountBy("drainer", "sqs", "", "") + w.Calls.CountBy("drainer", "sns", "", "") })
	if n := completions(w); n != 1 {
		t.Errorf("%d CompleteLifecycleAction by drainer, want the one that released %s", n, held)
	}
	if sent != 0 {
		t.Errorf("drainer made %d SQS or SNS calls: the function must never send itself a message", sent)
	}
	// The web service's tasks moved: all four run elsewhere.
	var running int
	w.Do(func() {
		for _, task := range w.ECS.Tasks("demo") {
			if task.Group == "service:web" && task.LastStatus == "RUNNING" {
				running++
			}
		}
	})
	if running != 4 {
		t.Errorf("%d web tasks running after the drain, want the service's 4", running)
	}
	w.Clock.RunFor(5 * time.Minute)
	for _, v := range append(checker.Violations(), checker.Final()...) {
		t.Error(v)
	}
	if !slices.Contains(checker.Drained(), held) {
		t.Errorf("drained instances %v, want %s", checker.Drained(), held)
	}
	fn.stop()
}

// testContext ends a little before the test binary's deadline, so that a
// wait that never ends fails with what it waited for.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-min(30*time.Second, time.Until(deadline)/10)))
		t.Cleanup(cancel)
	}
	return ctx
}

// buildBinaries builds the bootstrap (for this machine, so that it runs
// here; a release builds it for linux/amd64 or arm64 with CGO_ENABLED=0,
// a configuration whose packages the test binary's build does not leave
// in the cache) and the Runtime Interface Emulator (a tool of this module,
// from the module cache), side by side, and returns their paths.
func buildBinaries(ctx context.Context, t *testing.T) (bootstrap, rie string) {
	t.Helper()
	dir := t.TempDir()
	bootstrap, rie = filepath.Join(dir, "bootstrap"), filepath.Join(dir, "aws-lambda-rie")
	builds := [][]string{
		{"build", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", bootstrap, "."},
		{"build", "-o", rie, "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"},
	}
	start := time.Now()
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, args := range builds {
		wg.Go(func() {
			out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	t.Logf("built the bootstrap and the Runtime Interface Emulator in %v", time.Since(start).Round(100*time.Millisecond))
	return bootstrap, rie
}

// function is the bootstrap running under the Runtime Interface Emulator:
// one execution environment.
type function struct {
	t    *testing.T
	ctx  context.Context
	url  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

// startFunction starts the emulator on two free loopback ports (its
// invocation endpoint and the Runtime API the bootstrap talks to) with
// the bootstrap, whose environment is env, and waits until it accepts
// invocations.
func startFunction(ctx context.Context, t *testing.T, rie, bootstrap string, env []string) *function {
	t.Helper()
	invokeAddr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", invokeAddr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Dir = filepath.Dir(bootstrap)
	// Its own process group: stopping it stops the bootstrap it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &function{t: t, ctx: ctx, url: "http://" + invokeAddr + "/2015-03-31/functions/function/invocations", cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(f.done) }()
	t.Cleanup(func() {
		f.stop()
		if t.Failed() {
			t.Logf("the Runtime Interface Emulator's and the bootstrap's output:\n%s", logs.String())
		}
	})
	tick := time.NewTicker(10 * time.Millisecond) // how often to look, not a bound
	defer tick.Stop()
	for {
		conn, err := net.Dial("tcp", invokeAddr)
		if err == nil {
			conn.Close()
			return f
		}
		select {
		case <-f.done:
			t.Fatalf("the Runtime Interface Emulator exited at start:\n%s", logs.String())
		case <-ctx.Done():
			t.Fatalf("the Runtime Interface Emulator never listened on %s: %v", invokeAddr, ctx.Err())
		case <-tick.C:
		}
	}
}

// invoke invokes the function with event and decodes its answer into out;
// a function error fails the test.
func (f *function) invoke(event, out any) {
	f.t.Helper()
	body, err := json.Marshal(event)
	if err != nil {
		f.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(f.ctx, "POST", f.url, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("invoke = %d %s, %v", resp.StatusCode, answer, err)
	}
	var failure struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(answer, &failure) == nil && failure.ErrorMessage != "" {
		f.t.Fatalf("the function failed: %s: %s", failure.ErrorType, failure.ErrorMessage)
	}
	if err := json.Unmarshal(answer, out); err != nil {
		f.t.Fatalf("the function answered %s: %v", answer, err)
	}
}

// stop kills the emulator and the bootstrap (their process group) and
// waits for the emulator to be gone.
func (f *function) stop() {
	select {
	case <-f.done:
		return
	default:
	}
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.done
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventSource is Lambda's SQS event source mapping on the drainer queue,
// through the SDK over loopback.
type eventSource struct {
	t   *testing.T
	ctx context.Context
	m   *eventsource.Mapping
}

func newEventSource(ctx context.Context, t *testing.T, endpoint string) *eventSource {
	t.Helper()
	fast := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	c := cloudaws.NewFromConfig(awssdk.Config{Region: "us-east-1"}, cloudaws.Options{
		Endpoint: endpoint, Credentials: credentials.NewStaticCredentialsProvider("lambda", "test", ""), BatchWindow: -1,
		Limits: cloudaws.Limits{ECS: fast, AutoScaling: fast, EC2: fast, SQS: fast, Events: fast},
	})
	url, err := c.QueueURL(ctx, "drainer")
	if err != nil {
		t.Fatal(err)
	}
	return &eventSource{t: t, ctx: ctx, m: &eventsource.Mapping{Queue: c, URL: url, ARN: "arn:aws:sqs:us-east-1:123456789012:drainer", Region: "us-east-1"}}
}

// receive returns up to ten visible messages, at once.
func (s *eventSource) receive() []cloud.Message {
	s.t.Helper()
	msgs, err := s.m.Receive(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

// settle deletes the messages the answer does not name as failed.
func (s *eventSource) settle(msgs []cloud.Message, answer events.SQSEventResponse) {
	s.t.Helper()
	if _, err := s.m.Settle(s.ctx, msgs, answer); err != nil {
		s.t.Fatal(err)
	}
}

// scheduledEvent is the scheduled rule's event at now.
func scheduledEvent(now time.Time) events.CloudWatchEvent {
	return events.CloudWatchEvent{Version: "0", ID: "round-" + now.Format(time.RFC3339), DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "123456789012", Time: now, Region: "us-east-1", Detail: json.RawMessage(`{}`),
		Resources: []string{"arn:aws:events:us-east-1:123456789012:rule/drainer-rounds"}}
}

// instanceIn is the first instance of the world's groups in the
// lifecycle state, "" if none.
func instanceIn(w *emulator.World, state string) (id string) {
	w.Do(func() {
		out, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{})
		if err != nil {
			return
		}
		for _, g := range out.AutoScalingGroups {
			for _, in := range g.Instances {
				if in.LifecycleState == state && id == "" {
					id = in.InstanceId
				}
			}
		}
	})
	return id
}

// drained reports whether the instance has left its group and its host
// is going.
func drained(w *emulator.World, id string) (done bool) {
	w.Do(func() {
		inst, ok := w.EC2.Instance(id)
		done = !ok || inst.State == ec2.StateShuttingDown || inst.State == ec2.StateTerminated
	})
	return done
}

// completions counts drainer's successful CompleteLifecycleAction calls.
func completions(w *emulator.World) (n int) {
	w.Do(func() { n = w.Calls.CountBy("drainer", "autoscaling", "CompleteLifecycleAction", "OK") })
	return n
}

// recorded reports whether a drain is recorded on the instance's container
// instance (drainer's ECS attributes) and the instance is DRAINING.
func recorded(w *emulator.World, id string) (ok bool) {
	w.Do(func() {
		ci := w.ECS.ContainerInstanceByEC2(id)
		if ci == nil || ci.Status != "DRAINING" {
			return
		}
		for _, a := range ci.Attributes {
			if strings.HasPrefix(a.Name, "drainer.") {
				ok = true
			}
		}
	})
	return ok
}

// TestSetup: the function is built from its environment, and a setting
// or an AWS configuration it cannot use stops it at init with the reason.
func TestSetup(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	log := lambdafn.Logger(io.Discard, "")
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	if _, err := setup(t.Context(), env("DRAINER_SCAN_INTERVAL", "soon"), log); err == nil || !strings.Contains(err.Error(), "DRAINER_SCAN_INTERVAL") {
		t.Errorf("a bad setting: %v, want an error naming DRAINER_SCAN_INTERVAL", err)
	}
	if _, err := setup(t.Context(), env(lambdafn.EnvTakeUpGrace, "2m"), log); err == nil || !strings.Contains(err.Error(), lambdafn.EnvTakeUpGrace) {
		t.Errorf("a take-up grace longer than a round: %v, want an error naming %s", err, lambdafn.EnvTakeUpGrace)
	}
	if _, err := setup(t.Context(), env(), log); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("no region: %v, want an error saying so", err)
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "drainer")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	f, err := setup(t.Context(), env("DRAINER_CLUSTERS", "prod", "DRAINER_HOOKS", "drain-hook"), log)
	if err != nil {
		t.Fatal(err)
	}
	if s := f.Drainer().Settings; !slices.Equal(s.Clusters, []string{"prod"}) || !slices.Equal(s.Hooks, []string{"drain-hook"}) {
		t.Errorf("settings %+v", s)
	}
}
