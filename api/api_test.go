package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/drainer-dev/drainer/cloud"
	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// world is an emulated cluster with drainer's reconciler on it, built the
// way sim/harness.go builds one: the SDK client on the world's wire front.
type world struct {
	w       *emulator.World
	cloud   *cloudaws.Client
	rec     *drain.Reconciler
	handler http.Handler
	cluster string
	cis     []cloud.ContainerInstance
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sc, err := scenario.Load("../emulator/scenario/testdata/scale-in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Timeline = nil // no scale-in: the operator is the only trigger here
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	// Let the instances boot and register, on virtual time.
	w.Clock.RunUntil(w.Now().Add(5 * time.Minute))
	unlimited := cloudaws.Limit{Rate: 1e9, Burst: 1 << 30}
	c := cloudaws.NewFromConfig(awssdk.Config{Region: w.Env.Region}, cloudaws.Options{
		Endpoint:    "http://emulator.local",
		HTTPClient:  &http.Client{Transport: front.Transport(front.New(w))},
		Credentials: credentials.NewStaticCredentialsProvider("drainer", "test", ""),
		Limits:      cloudaws.Limits{ECS: unlimited, AutoScaling: unlimited, EC2: unlimited, SQS: unlimited, Events: unlimited},
		MaxAttempts: 1,
		// The test calls from its own goroutine: no batch window to wait.
		BatchWindow: -1,

		Clock: w.Clock,
	})
	rec := drain.NewReconciler(drain.Config{Cloud: c, Clock: w.Clock, Policy: drain.DefaultPolicy()})
	ctx := context.Background()
	clusters, err := c.ListClusters(ctx)
	if err != nil || len(clusters) != 1 {
		t.Fatalf("clusters = %v, %v", clusters, err)
	}
	cis, err := c.ListContainerInstances(ctx, clusters[0], cloud.ContainerInstanceActive)
	if err != nil || len(cis) == 0 {
		t.Fatalf("container instances = %v, %v", cis, err)
	}
	return &world{w: w, cloud: c, rec: rec, cluster: clusters[0], cis: cis,
		handler: New(rec, Options{Clock: w.Clock, Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("metrics\n")) })})}
}

func (w *world) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	rr := httptest.NewRecorder()
	w.handler.ServeHTTP(rr, httptest.NewRequest(method, path, strings.NewReader(body)))
	var out map[string]any
	if ct := rr.Header().Get("Content-Type"); ct == "application/json" {
		if err := json.Unmarshal(rr.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body %q is not JSON: %v", method, path, rr.Body, err)
		}
	}
	return rr.Code, out
}

// attributes returns the drainer.* attributes on the container instance.
func (w *world) attributes(t *testing.T, arn string) map[string]string {
	t.Helper()
	cis, err := w.cloud.DescribeContainerInstances(context.Background(), w.cluster, []string{arn})
	if err != nil || len(cis) != 1 {
		t.Fatalf("describe %s = %v, %v", arn, cis, err)
	}
	out := map[string]string{}
	for k, v := range cis[0].Attributes {
		if strings.HasPrefix(k, "drainer.") {
			out[k] = v
		}
	}
	return out
}

func TestOperatorDrainIsRecordedAndListed(t *testing.T) {
	w := newWorld(t)
	ci := w.cis[0]
	now := w.w.Now()
	code, body := w.do(t, "POST", "/v1/drains", `{"instanceId":"`+ci.EC2InstanceID+`","deadline":"30m","reason":"kernel patch"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /v1/drains = %d %v", code, body)
	}
	attrs := w.attributes(t, ci.ARN)
	rec, err := drain.ParseRecord(attrs)
	if err != nil || rec.Reason != drain.ReasonOperator {
		t.Errorf("recorded reason = %q, %v, want operator (attributes %v)", rec.Reason, err, attrs)
	}
	if want := now.Add(30 * time.Minute).Truncate(time.Second); !rec.GracefulUntil.Equal(want) {
		t.Errorf("graceful-until = %v, want %v", rec.GracefulUntil, want)
	}

	code, list := w.do(t, "GET", "/v1/drains", "")
	if code != http.StatusOK {
		t.Fatalf("GET /v1/drains = %d", code)
	}
	drains, _ := list["drains"].([]any)
	if len(drains) != 1 {
		t.Fatalf("drains = %v, want one", list)
	}
	d := drains[0].(map[string]any)
	if d["instance"] != ci.EC2InstanceID || d["reason"] != "operator" || d["phase"] != "graceful" || d["cluster"] != "demo" {
		t.Errorf("listed drain = %v", d)
	}
	for _, k := range []string{"started", "gracefulUntil", "deadline", "next"} {
		if s, _ := d[k].(string); s == "" {
			t.Errorf("listed drain lacks %s: %v", k, d)
		}
	}
}

func TestForcedDeregistrationSkipsTheGracefulPhase(t *testing.T) {
	w := newWorld(t)
	ci := w.cis[1]
	code, body := w.do(t, "POST", "/v1/deregister", `{"instanceId":"`+ci.EC2InstanceID+`","force":true}`)
	if code != http.StatusAccepted || body["reason"] != "forced" {
		t.Fatalf("POST /v1/deregister = %d %v", code, body)
	}
	attrs := w.attributes(t, ci.ARN)
	if rec, err := drain.ParseRecord(attrs); err != nil || rec.Reason != drain.ReasonForced || !rec.Started.Equal(rec.GracefulUntil) {
		t.Errorf("attributes = %v (%v), want a forced drain with no graceful phase", attrs, err)
	}
	// The reconciler then takes it out: DRAINING at once.
	w.rec.RunDue(context.Background())
	cis, err := w.cloud.DescribeContainerInstances(context.Background(), w.cluster, []string{ci.ARN})
	if err != nil || len(cis) != 1 || cis[0].Status != cloud.ContainerInstanceDraining {
		t.Errorf("after one step: %v, %v; want DRAINING", cis, err)
	}
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	id := w.cis[0].EC2InstanceID
	tests := []struct {
		name, method, path, body string
		code                     int
		msg                      string
	}{
		{"empty body", "POST", "/v1/drains", "", 400, "got nothing"},
		{"not JSON", "POST", "/v1/drains", "drain it", 400, "request body"},
		{"unknown field", "POST", "/v1/drains", `{"instance":"` + id + `"}`, 400, "unknown field"},
		{"two objects", "POST", "/v1/drains", `{"instanceId":"` + id + `"}{}`, 400, "got more"},
		{"no instance", "POST", "/v1/drains", `{}`, 400, "instanceId is required"},
		{"bad instance id", "POST", "/v1/drains", `{"instanceId":"web-1"}`, 400, "not an EC2 instance id"},
		// EC2 ids have 8 or 17 digits, nothing between.
		{"instance id of 10 digits", "POST", "/v1/drains", `{"instanceId":"i-0123456789"}`, 400, "it has 10 hex digits"},
		{"bad instance id forced", "POST", "/v1/deregister", `{"instanceId":"i-0123456789ABCDEF0","force":true}`, 400, "upper case"},
		{"bad deadline", "POST", "/v1/drains", `{"instanceId":"` + id + `","deadline":"soon"}`, 400, "positive duration"},
		{"negative deadline", "POST", "/v1/drains", `{"instanceId":"` + id + `","deadline":"-5m"}`, 400, "positive duration"},
		{"deregister without force", "POST", "/v1/deregister", `{"instanceId":"` + id + `"}`, 400, "force"},
		{"unknown instance", "POST", "/v1/drains", `{"instanceId":"i-0123456789abcdef0"}`, 404, "not a container instance"},
		{"unknown instance forced", "POST", "/v1/deregister", `{"instanceId":"i-0123456789abcdef0","force":true}`, 404, "nothing to drain"},
		{"wrong method", "DELETE", "/v1/drains", "", 404, "no such endpoint: DELETE /v1/drains"},
		{"unknown path", "GET", "/v2/everything", "", 404, "no such endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(t, tt.method, tt.path, tt.body)
			if code != tt.code {
				t.Errorf("%s %s = %d %v, want %d", tt.method, tt.path, code, body, tt.code)
			}
			if msg, _ := body["error"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("error = %q, want it to contain %q", msg, tt.msg)
			}
		})
	}
	if ds := w.rec.Drains(); len(ds) != 0 {
		t.Errorf("bad requests started drains: %v", ds)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	w := newWorld(t)
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ok\n", "/metrics": "metrics\n"} {
		rr := httptest.NewRecorder()
		w.handler.ServeHTTP(rr, httptest.NewRequest("GET", path, nil))
		if rr.Code != 200 || rr.Body.String() != want {
			t.Errorf("GET %s = %d %q", path, rr.Code, rr.Body)
		}
	}
	// A judge of health, when given, answers instead.
	judge := func(code int, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code); io.WriteString(w, body) })
	}
	h := New(w.rec, Options{Healthz: judge(503, "queue gone"), Readyz: judge(503, "not yet")})
	for path, want := range map[string]string{"/healthz": "queue gone", "/readyz": "not yet"} {
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, httptest.NewRequest("GET", path, nil))
		if rr.Code != 503 || rr.Body.String() != want {
			t.Errorf("GET %s with a judge = %d %q", path, rr.Code, rr.Body)
		}
	}
}

type panicky struct{ Drainer }

func (panicky) Drains() []drain.Status { panic("boom") }

func TestPanicIsA500(t *testing.T) {
	rr := httptest.NewRecorder()
	New(panicky{}, Options{}).ServeHTTP(rr, httptest.NewRequest("GET", "/v1/drains", nil))
	if rr.Code != 500 || !strings.Contains(rr.Body.String(), "internal error") {
		t.Errorf("GET /v1/drains with a panicking reconciler = %d %q", rr.Code, rr.Body)
	}
}
