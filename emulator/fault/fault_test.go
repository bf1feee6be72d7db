package fault

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestTokenBucketThrottlesAndRefills(t *testing.T) {
	in := New()
	if err := in.Set(Rule{Service: "ecs", Operation: "DescribeTasks", Rate: 2, Burst: 3}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var codes []string
	for range 4 {
		codes = append(codes, core.CodeOf(errOrNil(in.Check(t0, rng, "ecs", "DescribeTasks"))))
	}
	want := []string{"", "", "", "ThrottlingException"}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("burst of 4 at once gave %q, want %q", codes, want)
		}
	}
	// Half a second later one token has come back.
	if err := in.Check(t0.Add(500*time.Millisecond), rng, "ecs", "DescribeTasks"); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	if err := in.Check(t0.Add(500*time.Millisecond), rng, "ecs", "DescribeTasks"); err == nil {
		t.Fatal("second call after a half-second refill was not throttled")
	}
	// Other operations are untouched.
	if err := in.Check(t0, rng, "ecs", "ListTasks"); err != nil {
		t.Fatalf("ListTasks throttled by a DescribeTasks rule: %v", err)
	}
	if st := in.Stats("ecs", "DescribeTasks"); st.Calls != 6 || st.Throttled != 2 {
		t.Fatalf("stats = %+v, want 6 calls, 2 throttled", st)
	}
}

func TestMostSpecificRuleWins(t *testing.T) {
	in := New()
	must(t, in.Set(Rule{Service: "*", Operation: "*", ErrorRate: 1}))
	must(t, in.Set(Rule{Service: "autoscaling", Operation: "CompleteLifecycleAction", Latency: time.Second}))
	rng := rand.New(rand.NewPCG(1, 2))
	if err := in.Check(t0, rng, "autoscaling", "CompleteLifecycleAction"); err != nil {
		t.Fatalf("specific rule without errors still failed: %v", err)
	}
	if got := in.Latency("autoscaling", "CompleteLifecycleAction"); got != time.Second {
		t.Fatalf("latency = %v, want 1s", got)
	}
	err := in.Check(t0, rng, "ec2", "DescribeInstances")
	if core.CodeOf(errOrNil(err)) != "InternalError" || err.Status != 500 {
		t.Fatalf("wildcard error rule gave %v", err)
	}
}

func TestThrottlingCodesPerService(t *testing.T) {
	for service, code := range map[string]string{
		"ecs": "ThrottlingException", "autoscaling": "Throttling", "ec2": "RequestLimitExceeded",
		"sqs": "RequestThrottled", "events": "ThrottlingException",
	} {
		if got := ThrottlingError(service).Code; got != code {
			t.Errorf("%s throttles with %q, want %q", service, got, code)
		}
	}
}

func TestInvalidRules(t *testing.T) {
	for _, r := range []Rule{
		{Operation: "X"},
		{Service: "ecs", Operation: "X", Rate: 1},
		{Service: "ecs", Operation: "X", ErrorRate: 2},
		{Service: "ecs", Operation: "X", Latency: -time.Second},
		{Service: "ecs", Operation: "X", Rate: -1, Burst: 1},
	} {
		if err := New().Set(r); err == nil {
			t.Errorf("rule %+v accepted", r)
		}
	}
}

func errOrNil(e *core.Error) error {
	if e == nil {
		return nil
	}
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
