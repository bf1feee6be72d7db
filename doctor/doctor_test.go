package doctor_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/doctor"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/scenario"
	drainersetup "github.com/drainer-dev/drainer/setup"
	"github.com/drainer-dev/drainer/sim"
)

// setup is testdata/doctor.yaml's world after its instances booted and its
// services placed their tasks, with drainer's SDK client on its wire front
// (built as package sim builds it; nothing else of drainer runs).
func setup(t *testing.T) (*emulator.World, *cloudaws.Client) {
	t.Helper()
	sc, err := scenario.Load("testdata/doctor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := run.Errors(); len(errs) > 0 {
		t.Fatalf("scenario: %v", errs)
	}
	w := run.World
	w.Clock.RunUntil(w.Now().Add(5 * time.Minute))
	return w, cloudaws.NewFromConfig(sim.ClientOptions(w, sim.Caller, 1))
}

// check runs doctor.Check as a goroutine of the world's clock: the
// client's retries after the injected errors wait on that clock.
func check(t *testing.T, w *emulator.World, c *cloudaws.Client, cfg doctor.Config) (findings []doctor.Finding, err error) {
	t.Helper()
	cfg.Setup = doctor.SetupConventions
	if !w.Clock.Call(t.Context(), w.Now().Add(time.Hour), func(ctx context.Context) {
		findings, err = doctor.Check(ctx, c, cfg, w.Now())
	}) {
		t.Fatal("doctor.Check did not return within a virtual hour")
	}
	return findings, err
}

// lines renders findings one a line: "SEV subject: message", then
// "  fix: advice" when there is advice.
func lines(fs []doctor.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(f.Severity) + " " + f.Subject.String() + ": " + f.Message + "\n")
		if f.Advice != "" {
			b.WriteString("  fix: " + f.Advice + "\n")
		}
	}
	return b.String()
}

// heads is each finding's "SEV subject", one a line.
func heads(fs []doctor.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(f.Severity) + " " + f.Subject.String() + "\n")
	}
	return b.String()
}

// TestCheckEmulator checks testdata/doctor.yaml's setup through the SDK
// against the emulator: every mistake it holds is found, in order, and
// nothing else.
func TestCheckEmulator(t *testing.T) {
	w, c := setup(t)
	queueURL := "http://emulator.local/" + w.Env.Account + "/drainer"
	// drainer owns drain-hook; their-hook and ECS's are not drainer's.
	findings, err := check(t, w, c, doctor.Config{Clusters: []string{"demo"}, Queue: queueURL, Hooks: []string{"drain-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `OK cluster demo
OK queue ` + queueURL + `
OK group abandon hook drain-hook
WARN group abandon hook drain-hook
OK group abandon hook drain-hook
OK group good hook drain-hook
OK group good hook drain-hook
OK group good hook ecs-managed-draining-termination-hook
FAIL group nohook
OK group other hook their-hook
FAIL group other
OK EventBridge rules
WARN EventBridge rules
OK maximum lifetime
WARN service demo/web
`
	if got := heads(findings); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	out := lines(findings)
	for _, want := range []string{
		"OK cluster demo: 4 container instance(s), Auto Scaling group(s) abandon, good, nohook, other\n",
		"OK queue " + queueURL + ": exists and may be read: arn:aws:sqs:us-east-1:" + w.Env.Account + ":drainer\n",
		"WARN group abandon hook drain-hook: drainer's hook has default result ABANDON",
		"OK group good hook drain-hook: drainer's termination hook, heartbeat timeout 15m (drainer heartbeats every 7m; a drain may hold an instance up to 25h, the global timeout), default result CONTINUE\n",
		// The capacity provider of group good has managed draining (on by
		// default): ECS's own hook is recognised, not judged as drainer's.
		"OK group good hook ecs-managed-draining-termination-hook: ECS's managed draining hook",
		"OK group good hook drain-hook: notifies queue drainer\n",
		"FAIL group nohook: no termination lifecycle hook",
		// Another team's hook, however short its heartbeat, is left alone.
		"OK group other hook their-hook: another team's hook, default result CONTINUE: drainer leaves it alone",
		"FAIL group other: no termination hook drainer owns (their-hook; drainer owns drain-hook)",
		"  fix: drainer setup --cluster demo --hook drain-hook\nor drainer's hook on this group alone, as setup makes it:\naws autoscaling put-lifecycle-hook --auto-scaling-group-name other --lifecycle-hook-name drain-hook --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 900 --default-result CONTINUE --notification-metadata drainer:setup=drainer\n",
		`OK EventBridge rules: "EC2 Spot Instance Interruption Warning" reaches the queue`,
		`WARN EventBridge rules: no enabled rule sends "ECS Task State Change" to the queue`,
		"Arn=arn:aws:sqs:us-east-1:" + w.Env.Account + ":drainer\n",
		"WARN service demo/web: minimumHealthyPercent 100 and maximumPercent 100",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--lifecycle-hook-name their-hook") {
		t.Errorf("advice to change another team's hook:\n%s", out)
	}
	if !doctor.Failed(findings) {
		t.Error("Failed = false with two FAIL findings")
	}
}

// TestCheckEmulatorQueueMissing: a queue that does not exist is a FAIL
// saying what to do; the other checks go on.
func TestCheckEmulatorQueueMissing(t *testing.T) {
	w, c := setup(t)
	findings, err := check(t, w, c, doctor.Config{Queue: "gone", Hooks: []string{"drain-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	out := lines(findings)
	for _, want := range []string{
		"FAIL queue gone: no such queue, or drainer's role may not see it: create it",
		"  fix: drainer setup --cluster demo --queue gone --hook drain-hook   # creates it",
		"WARN group good hook drain-hook: notifies arn:aws:sqs:us-east-1:" + w.Env.Account + ":drainer, and the EventBridge rules to queue gone could not be read",
		"WARN service demo/web:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestCheckEmulatorLifetimeTrap lets a day of virtual time pass: group
// good's instance, protected from scale-in, is past its 1-day maximum
// lifetime, and Auto Scaling keeps it.
func TestCheckEmulatorLifetimeTrap(t *testing.T) {
	w, c := setup(t)
	w.Clock.RunUntil(w.Now().Add(25 * time.Hour))
	findings, err := check(t, w, c, doctor.Config{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	var traps []doctor.Finding
	for _, f := range findings {
		if f.Subject.Kind == doctor.KindInstance {
			traps = append(traps, f)
		}
	}
	if len(traps) != 1 {
		t.Fatalf("lifetime traps %+v, want one; findings:\n%s", traps, lines(findings))
	}
	tr := traps[0]
	if tr.Severity != doctor.Warn || tr.Subject.Group != "good" || !strings.HasPrefix(tr.Subject.Name, "i-") ||
		!strings.Contains(tr.Message, "protected from scale-in in group good and 25h5m old") ||
		!strings.Contains(tr.Message, "past the group's maximum instance lifetime 24h") ||
		!strings.HasPrefix(tr.Advice, "drainer drain "+tr.Subject.Name+"\n") {
		t.Errorf("trap finding %+v", tr)
	}
}

// TestCheckEmulatorWithoutQueue leaves the queue out: no finding about it,
// every other one stays.
func TestCheckEmulatorWithoutQueue(t *testing.T) {
	w, c := setup(t)
	findings, err := check(t, w, c, doctor.Config{Hooks: []string{"drain-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	out := lines(findings)
	for _, unwanted := range []string{"queue", "EventBridge rules"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("%q without a queue:\n%s", unwanted, out)
		}
	}
	for _, want := range []string{"FAIL group nohook:", "WARN group abandon hook drain-hook:", "FAIL group other:", "WARN service demo/web:"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q without a queue:\n%s", want, out)
		}
	}
}

// TestCheckEmulatorReadErrors: an AWS error stops the reading; the findings
// decided from what was read before come with it.
func TestCheckEmulatorReadErrors(t *testing.T) {
	for _, c := range []struct {
		name          string
		cfg           doctor.Config
		fault         fault.Rule
		wantErr       string
		wantLast      string // the last finding's "SEV subject"; "" for none
		wantNoFinding string
	}{
		{"unknown cluster", doctor.Config{Clusters: []string{"nope"}}, fault.Rule{}, "cluster nope: capacity providers", "", ""},
		{"ECS down", doctor.Config{}, fault.Rule{Service: "ecs", Operation: "*", ErrorRate: 1}, "list the ECS clusters", "", ""},
		{"hooks unreadable", doctor.Config{Queue: "drainer"}, fault.Rule{Service: "autoscaling", Operation: "DescribeLifecycleHooks", ErrorRate: 1},
			"group abandon: lifecycle hooks", "OK cluster demo", "group"},
		{"EC2 unreadable", doctor.Config{}, fault.Rule{Service: "ec2", Operation: "DescribeInstances", ErrorRate: 1},
			"describe EC2 instances", "FAIL group other", "maximum lifetime"},
		{"tasks unreadable", doctor.Config{}, fault.Rule{Service: "ecs", Operation: "ListTasks", ErrorRate: 1},
			"cluster demo: tasks on i-", "OK maximum lifetime", "service"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, cl := setup(t)
			if c.fault.Service != "" {
				var err error
				w.Do(func() { err = w.Faults.Set(c.fault) })
				if err != nil {
					t.Fatal(err)
				}
			}
			findings, err := check(t, w, cl, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want …%s…", err, c.wantErr)
			}
			h := heads(findings)
			last := ""
			if ls := strings.Split(strings.TrimSpace(h), "\n"); h != "" {
				last = ls[len(ls)-1]
			}
			if last != c.wantLast {
				t.Errorf("last finding %q, want %q; findings:\n%s", last, c.wantLast, h)
			}
			if c.wantNoFinding != "" && strings.Contains(strings.TrimPrefix(h, "OK cluster demo\n"), c.wantNoFinding) {
				t.Errorf("a finding about %q though it was not read:\n%s", c.wantNoFinding, h)
			}
		})
	}
}

// TestCheckEmulatorRulesUnreadable: rules that cannot be listed are a
// warning, not an error: the rest of the checks go on.
func TestCheckEmulatorRulesUnreadable(t *testing.T) {
	w, c := setup(t)
	var err error
	w.Do(func() { err = w.Faults.Set(fault.Rule{Service: "events", Operation: "*", ErrorRate: 1}) })
	if err != nil {
		t.Fatal(err)
	}
	findings, err := check(t, w, c, doctor.Config{Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	out := lines(findings)
	if !strings.Contains(out, "WARN EventBridge rules: could not list the rules: ") || !strings.Contains(out, "WARN service demo/web:") {
		t.Errorf("findings:\n%s", out)
	}
}

// afterSetupYAML: web-asg joins web through its capacity provider, api-asg
// joins api through its launch template's user data alone (its instance
// has not booted, so nothing is registered yet), and no group joins
// lonely.
const afterSetupYAML = `
name: after-setup
clusters: [{name: web}, {name: api}, {name: lonely}]
groups:
  - {name: web-asg, cluster: web, min: 0, max: 2, desired: 1, capacityProvider: {name: web-cp, managedDraining: true}}
  - {name: api-asg, cluster: api, min: 0, max: 2, desired: 1}
`

// TestCheckEmulatorAfterSetup runs `drainer setup`'s steps for web and api
// through the SDK, then doctor at once: it finds api's group as setup did,
// through its launch template's user data, and finds nothing amiss but
// the cluster no group serves.
func TestCheckEmulatorAfterSetup(t *testing.T) {
	sc, err := scenario.ParseYAML([]byte(afterSetupYAML))
	if err != nil {
		t.Fatal(err)
	}
	run, err := scenario.NewWorld(sc, emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := run.World
	c := cloudaws.NewFromConfig(sim.ClientOptions(w, sim.Caller, 1))
	want := drainersetup.Want{Clusters: []string{"web", "api"}}
	var steps []drainersetup.Step
	if !w.Clock.Call(t.Context(), w.Now().Add(time.Hour), func(ctx context.Context) {
		var o drainersetup.Observed
		if o, err = drainersetup.Observe(ctx, c, want); err != nil {
			return
		}
		if steps, err = drainersetup.Plan(o, want); err != nil {
			return
		}
		_, err = drainersetup.Apply(ctx, c, steps, func(drainersetup.Step) {})
	}) {
		t.Fatal("setup did not end within a virtual hour")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(steps, func(s drainersetup.Step) bool { return s.Kind == drainersetup.KindHook && s.Group == "api-asg" }) {
		t.Fatalf("setup put no hook on api-asg: %+v", steps)
	}

	findings, err := check(t, w, c, doctor.Config{Clusters: []string{"web", "api", "lonely"}, Queue: "drainer"})
	if err != nil {
		t.Fatal(err)
	}
	out := lines(findings)
	for _, want := range []string{
		"OK cluster api: 0 container instance(s), Auto Scaling group(s) api-asg\n",
		"OK group api-asg hook drainer: drainer's termination hook, heartbeat timeout 15m",
		`OK group api-asg hook drainer: an EventBridge rule sends its "EC2 Instance-terminate Lifecycle Action" events to queue drainer`,
		"WARN cluster lonely: no Auto Scaling group found",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, f := range findings {
		if f.Severity != doctor.OK && f.Subject.String() != "cluster lonely" {
			t.Errorf("right after setup: %s %s: %s", f.Severity, f.Subject, f.Message)
		}
	}
}
