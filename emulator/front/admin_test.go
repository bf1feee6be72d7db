package front_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	ecsapi "github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/front"
	"github.com/drainer-dev/drainer/emulator/scenario"
)

// TestAdminSpot interrupts a Spot instance: it terminates two minutes later.
func TestAdminSpot(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(`
name: spot
clusters: [{name: demo}]
groups:
  - {name: spot-asg, cluster: demo, instanceType: m5.large, min: 0, max: 2, desired: 1, spotPercent: 100}
`))
	noErr(t, err)
	run, err := scenario.NewWorld(sc, emptyConfig())
	noErr(t, err)
	w := run.World
	w.Clock.RunFor(2 * time.Minute)
	h := front.New(w)
	var inst string
	w.Do(func() { inst = w.EC2.Instances()[0].ID })
	for _, path := range []string{"/_emulator/spot/rebalance", "/_emulator/spot/interrupt"} {
		if status, out := admin(t, h, "POST", path, `{"instanceId":"`+inst+`"}`); status != 200 {
			t.Fatalf("%s = %d %v", path, status, out)
		}
	}
	if status, out := admin(t, h, "POST", "/_emulator/clock/advance", `{"duration":"3m"}`); status != 200 {
		t.Fatalf("advance = %d %v", status, out)
	}
	var state string
	w.Do(func() {
		if in, ok := w.EC2.Instance(inst); ok {
			state = string(in.State)
		}
	})
	if state != "terminated" && state != "shutting-down" {
		t.Fatalf("the interrupted instance is %q three minutes later", state)
	}
}

// admin calls the admin API and decodes the JSON answer.
func admin(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, rd))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	var out any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %s", method, path, rec.Body)
	}
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{"list": out}
	}
	return rec.Code, m
}

// TestAdminBadInput checks that bad input gets a 4xx JSON error.
func TestAdminBadInput(t *testing.T) {
	e := newClusterEndpoint(t)
	scaled := front.New(e.w, front.Options{Scaled: true})
	tests := []struct {
		name, method, path, body string
		h                        http.Handler
		status                   int
	}{
		{"unknown endpoint", "GET", "/_emulator/nothing", "", e.h, 404},
		{"wrong method", "DELETE", "/_emulator/clock", "", e.h, 405},
		{"advance without a body", "POST", "/_emulator/clock/advance", "", e.h, 400},
		{"advance by garbage", "POST", "/_emulator/clock/advance", `{"duration":"soon"}`, e.h, 400},
		{"advance backwards", "POST", "/_emulator/clock/advance", `{"duration":"-5m"}`, e.h, 400},
		{"advance with unknown member", "POST", "/_emulator/clock/advance", `{"duration":"5m","speed":2}`, e.h, 400},
		{"advance a scaled clock", "POST", "/_emulator/clock/advance", `{"duration":"5m"}`, scaled, 409},
		{"interrupt a non-id", "POST", "/_emulator/spot/interrupt", `{"instanceId":"web-1"}`, e.h, 400},
		{"interrupt an unknown instance", "POST", "/_emulator/spot/interrupt", `{"instanceId":"i-0000"}`, e.h, 400},
		{"rebalance with wrong types", "POST", "/_emulator/spot/rebalance", `{"instanceId":7}`, e.h, 400},
		{"disconnect an unknown agent", "POST", "/_emulator/agent/disconnect", `{"instanceId":"i-0000"}`, e.h, 400},
		{"reconnect not JSON", "POST", "/_emulator/agent/reconnect", `{`, e.h, 400},
		{"fault rule without service", "PUT", "/_emulator/faults", `[{"operation":"X","rate":1,"burst":1}]`, e.h, 400},
		{"unknown throttling profile", "PUT", "/_emulator/throttle", `{"profile":"azure"}`, e.h, 400},
		{"bad call latency", "PUT", "/_emulator/throttle", `{"latency":"-1s"}`, e.h, 400},
		{"throttle not an object", "PUT", "/_emulator/throttle", `["aws"]`, e.h, 400},
		{"fault rule with bad latency", "PUT", "/_emulator/faults", `[{"service":"ecs","operation":"X","latency":"slow"}]`, e.h, 400},
		{"faults not a list", "PUT", "/_emulator/faults", `{"service":"ecs"}`, e.h, 400},
		{"ecs fault rate above 1", "POST", "/_emulator/faults/ecs", `{"stuckStoppingRate":2}`, e.h, 400},
		{"queue faults without url", "POST", "/_emulator/faults/queue", `{"duplicateRate":0.5}`, e.h, 400},
		{"queue faults on unknown queue", "POST", "/_emulator/faults/queue", `{"queueUrl":"nope","duplicateRate":0.5}`, e.h, 400},
		{"queue delay without max", "POST", "/_emulator/faults/queue", `{"queueUrl":"nope","delayRate":0.5}`, e.h, 400},
		{"calls since garbage", "GET", "/_emulator/calls?since=yesterday", "", e.h, 400},
		{"unknown series", "GET", "/_emulator/series?key=nope", "", e.h, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := admin(t, tt.h, tt.method, tt.path, tt.body)
			msg, _ := out["error"].(string)
			if status != tt.status || msg == "" {
				t.Fatalf("got %d %v, want %d with an error message", status, out, tt.status)
			}
		})
	}
	// A bad PUT changed nothing.
	if rules := e.w.Faults.Rules(); len(rules) != 0 {
		t.Fatalf("a rejected PUT left rules %v", rules)
	}
}

// TestAdminEndpoints drives each admin endpoint on a small cluster.
func TestAdminEndpoints(t *testing.T) {
	e := newClusterEndpoint(t)
	h := e.h
	var inst string
	e.w.Do(func() { inst = e.w.EC2.Instances()[0].ID })

	status, clk := admin(t, h, "GET", "/_emulator/clock", "")
	if status != 200 || clk["now"] == nil || clk["scaled"] != false {
		t.Fatalf("GET clock = %d %v", status, clk)
	}
	before := e.w.Now()
	status, clk = admin(t, h, "POST", "/_emulator/clock/advance", `{"duration":"5m"}`)
	if status != 200 || e.w.Now().Sub(before) != 5*time.Minute {
		t.Fatalf("advance = %d %v, clock moved %s", status, clk, e.w.Now().Sub(before))
	}

	// Snapshot: three running instances InService, registered and ACTIVE.
	status, snap := admin(t, h, "GET", "/_emulator/snapshot", "")
	if status != 200 {
		t.Fatalf("snapshot = %d %v", status, snap)
	}
	var s struct {
		Instances []struct{ InstanceID, State string }
		Groups    []struct {
			Name      string
			Instances []struct{ LifecycleState string }
		}
		Clusters []struct {
			Name               string
			ContainerInstances []struct {
				Status         string
				AgentConnected bool
			}
		}
		Queues []struct{ QueueURL string }
	}
	remarshal(t, snap, &s)
	if len(s.Instances) != 3 || s.Instances[0].State != "running" || len(s.Groups) != 1 || s.Groups[0].Instances[0].LifecycleState != "InService" ||
		len(s.Clusters) != 1 || len(s.Clusters[0].ContainerInstances) != 3 || s.Clusters[0].ContainerInstances[0].Status != "ACTIVE" || len(s.Queues) != 1 {
		t.Fatalf("snapshot = %+v", s)
	}

	for _, tt := range []struct{ path, done string }{
		{"/_emulator/agent/disconnect", "agent-disconnected"},
		{"/_emulator/agent/reconnect", "agent-reconnected"},
	} {
		status, out := admin(t, h, "POST", tt.path, `{"instanceId":"`+inst+`"}`)
		if status != 200 || out["done"] != tt.done {
			t.Fatalf("%s = %d %v", tt.path, status, out)
		}
	}

	// Faults: replace, read back, per-service knobs.
	status, out := admin(t, h, "PUT", "/_emulator/faults", `[{"service":"ecs","operation":"DescribeTasks","rate":5,"burst":10,"latency":"200ms"},{"service":"*","operation":"*","errorRate":0.01}]`)
	if status != 200 {
		t.Fatalf("PUT faults = %d %v", status, out)
	}
	status, out = admin(t, h, "GET", "/_emulator/faults", "")
	rules, _ := out["list"].([]any)
	if status != 200 || len(rules) != 2 || rules[0].(map[string]any)["latency"] != "200ms" {
		t.Fatalf("GET faults = %d %v", status, out)
	}
	if got := e.w.Faults.Latency("ecs", "DescribeTasks"); got != 200*time.Millisecond {
		t.Fatalf("latency rule not applied: %s", got)
	}
	if status, out = admin(t, h, "PUT", "/_emulator/faults", `[]`); status != 200 || len(e.w.Faults.Rules()) != 0 {
		t.Fatalf("clearing faults = %d %v", status, out)
	}
	// Throttling: the aws profile and its latency, read back with the
	// buckets calls drew on; then off again.
	if status, out = admin(t, h, "PUT", "/_emulator/throttle", `{"profile":"aws","latency":"aws"}`); status != 200 || out["profile"] != "aws" || out["latency"] != "50ms" {
		t.Fatalf("PUT throttle = %d %v", status, out)
	}
	if _, err := emulator.Invoke(e.w, "test", e.w.ECS.ListClusters, ecsapi.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	status, out = admin(t, h, "GET", "/_emulator/throttle", "")
	buckets, _ := out["buckets"].([]any)
	if status != 200 || len(buckets) != 1 || buckets[0].(map[string]any)["name"] != "ecs:cluster-read" || buckets[0].(map[string]any)["calls"] != 1.0 {
		t.Fatalf("GET throttle = %d %v, want the cluster-read bucket with one call", status, out)
	}
	if status, out = admin(t, h, "PUT", "/_emulator/throttle", `{"profile":""}`); status != 200 || out["profile"] != "" || out["latency"] != "50ms" || e.w.Faults.Profile() != nil {
		t.Fatalf("turning the profile off = %d %v, want no profile and the latency kept", status, out)
	}
	if status, out = admin(t, h, "POST", "/_emulator/faults/ecs", `{"stuckStoppingRate":0.5,"leakENIRate":0.25}`); status != 200 {
		t.Fatalf("ecs faults = %d %v", status, out)
	}
	if status, out = admin(t, h, "POST", "/_emulator/faults/queue", `{"queueUrl":"`+s.Queues[0].QueueURL+`","duplicateRate":0.5,"delayRate":0.1,"maxDelay":"30s"}`); status != 200 {
		t.Fatalf("queue faults = %d %v", status, out)
	}

	// Spot: the instances are on demand, which EC2 refuses to interrupt.
	for _, path := range []string{"/_emulator/spot/interrupt", "/_emulator/spot/rebalance"} {
		if status, out = admin(t, h, "POST", path, `{"instanceId":"`+inst+`"}`); status != 400 {
			t.Fatalf("%s of an on-demand instance = %d %v", path, status, out)
		}
	}

	// Calls and series.
	noErr(t, e.w.Faults.Set(fault.Rule{Service: "ecs", Operation: "*"}))
	status, out = admin(t, h, "GET", "/_emulator/calls", "")
	total := int(out["total"].(float64))
	if status != 200 || total == 0 || len(out["calls"].([]any)) != total {
		t.Fatalf("calls = %d %v", status, out)
	}
	status, out = admin(t, h, "GET", "/_emulator/calls?since="+jsonInt(total-1), "")
	if calls := out["calls"].([]any); status != 200 || len(calls) != 1 || int(calls[0].(map[string]any)["seq"].(float64)) != total {
		t.Fatalf("calls since %d = %d %v", total-1, status, out)
	}
	status, out = admin(t, h, "GET", "/_emulator/series", "")
	keys, _ := out["keys"].([]any)
	if status != 200 || len(keys) == 0 {
		t.Fatalf("series keys = %d %v", status, out)
	}
	status, out = admin(t, h, "GET", "/_emulator/series?key=asg/demo-asg/inService", "")
	if pts, _ := out["points"].([]any); status != 200 || len(pts) == 0 {
		t.Fatalf("series = %d %v", status, out)
	}
}

func remarshal(t *testing.T, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	noErr(t, err)
	noErr(t, json.Unmarshal(b, out))
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }
