package cloudformation

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/awslabs/goformation/v7/schema"

	"github.com/drainer-dev/drainer/assembly"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/iampolicy"
	"github.com/drainer-dev/drainer/intake"
)

// The stack is deployed on paper with two clusters and two groups, whose
// names hold characters &{} drops from logical ids.
var (
	clusters = []string{"prod", "batch_2"}
	groups   = []string{"prod-asg", "batch.asg"}
)

// params are the stack's parameters to run drainer as runAs.
func params(runAs string) map[string]any {
	return map[string]any{
		"ClusterNames": clusters, "GroupNames": groups, "RunAs": runAs,
		"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/drainer:v1", "Subnets": []string{"subnet-0abc", "subnet-0def"},
		"CodeBucket": "artifacts", "CodeKey": "drainer/bootstrap.zip",
	}
}

// runAs are the ways the stack runs drainer, and the iampolicy mode of each.
var runAs = map[string]iampolicy.Mode{"fargate": iampolicy.Run, "lambda": iampolicy.Lambda}

// deployed is the stack as deployed to run drainer as runAs, as JSON and
// as goformation parsed it.
func deployed(t *testing.T, runAs string) (map[string]any, []byte) {
	t.Helper()
	out, err := deploy(Template, params(runAs))
	if err != nil {
		t.Fatalf("deploy with RunAs %s: %v", runAs, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return out["Resources"].(map[string]any), b
}

// validate checks a deployed template (JSON) against CloudFormation's
// resource specification, as goformation generates it into Go types and a
// JSON schema: every resource type must be one CloudFormation has (a
// Custom:: one aside), every property one of its type's, of its shape
// (goformation's types decode strictly), and every required property, of
// the resource and of the property types within it, present.
func validate(deployed []byte) error {
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal([]byte(schema.CloudformationSchema), &spec); err != nil {
		return err
	}
	var raw struct{ Resources map[string]map[string]any }
	if err := json.Unmarshal(deployed, &raw); err != nil {
		return err
	}
	var errs []string
	if _, err := goformation.ParseJSONWithOptions(deployed, &intrinsics.ProcessorOptions{NoProcess: true}); err != nil {
		errs = append(errs, "goformation: "+err.Error())
	}
	for id, r := range raw.Resources {
		typ, _ := r["Type"].(string)
		def, ok := spec.Definitions[typ]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: no resource type %s", id, typ))
			continue
		}
		errs = append(errs, required(spec.Definitions, def, r, id)...)
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// required returns a line for each property that node (a schema) requires
// and v lacks, at path, looking into objects, lists and the definitions
// their $refs name.
func required(defs map[string]map[string]any, node map[string]any, v any, path string) []string {
	if ref, ok := node["$ref"].(string); ok {
		return required(defs, defs[strings.TrimPrefix(ref, "#/definitions/")], v, path)
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		names, _ := node["required"].([]any)
		for _, name := range names {
			if _, ok := v[name.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: %s is required", path, name))
			}
		}
		props, _ := node["properties"].(map[string]any)
		for name, x := range v {
			if p, ok := props[name].(map[string]any); ok {
				out = append(out, required(defs, p, x, path+"."+name)...)
			}
		}
	case []any:
		if items, ok := node["items"].(map[string]any); ok {
			for i, x := range v {
				out = append(out, required(defs, items, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

// TestTheStackIsValid deploys the stack both ways and validates it.
func TestTheStackIsValid(t *testing.T) {
	for way := range runAs {
		_, b := deployed(t, way)
		if err := validate(b); err != nil {
			t.Errorf("RunAs %s: %v", way, err)
		}
	}
}

// TestTheValidatorRefuses: the validator finds an unknown property, an
// unknown resource type, a property of the wrong shape and a required
// property missing, in a resource or in a property type within it.
func TestTheValidatorRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(resources map[string]any)
		want   string
	}{
		{"unknown property", func(r map[string]any) { props(r, "Queue")["VisibilityTimout"] = 60 }, "VisibilityTimout"},
		{"unknown resource type", func(r map[string]any) { r["Queue"].(map[string]any)["Type"] = "AWS::SQS::Queues" }, "AWS::SQS::Queues"},
		{"wrong shape", func(r map[string]any) { props(r, "Queue")["VisibilityTimeout"] = "a minute" }, "VisibilityTimeout"},
		{"required property", func(r map[string]any) { delete(props(r, "Hookprodasg"), "LifecycleTransition") }, "Hookprodasg.Properties: LifecycleTransition is required"},
		{"required in a property type", func(r map[string]any) {
			delete(props(r, "TaskDefinition")["ContainerDefinitions"].([]any)[0].(map[string]any), "Image")
		}, "TaskDefinition.Properties.ContainerDefinitions[0]: Image is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resources, _ := deployed(t, "fargate")
			tc.change(resources)
			b, err := json.Marshal(map[string]any{"Resources": resources})
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validate = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// props returns the Properties of resource id.
func props(resources map[string]any, id string) map[string]any {
	r, _ := resources[id].(map[string]any)
	p, _ := r["Properties"].(map[string]any)
	return p
}

// ofType returns the ids of the resources of type typ, sorted.
func ofType(resources map[string]any, typ string) []string {
	var out []string
	for id, r := range resources {
		if r.(map[string]any)["Type"] == typ {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// strs is v as a list of strings: v itself if it is one string.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, strs(x)...)
		}
		return out
	}
	return nil
}

// grants flattens policy statements to one line per action, resource and
// condition value: "Allow ecs:ListTasks on * if ArnEquals ecs:cluster arn:…".
func grants(statements []any) []string {
	var out []string
	for _, st := range statements {
		s := st.(map[string]any)
		var conds []string
		condition, _ := s["Condition"].(map[string]any)
		for op, keys := range condition {
			for key, vals := range keys.(map[string]any) {
				for _, v := range strs(vals) {
					conds = append(conds, fmt.Sprintf(" if %s %s %s", op, key, v))
				}
			}
		}
		if len(conds) == 0 {
			conds = []string{""}
		}
		for _, a := range strs(s["Action"]) {
			for _, r := range strs(s["Resource"]) {
				for _, c := range conds {
					out = append(out, fmt.Sprintf("%s %s on %s%s", s["Effect"], a, r, c))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestTheRoleHasTheCodesPolicy: drainer's role in the stack has exactly
// the statements `drainer iam-policy` prints for the stack's clusters,
// groups, queue and function: the run policy on Fargate, the lambda one as
// a function.
func TestTheRoleHasTheCodesPolicy(t *testing.T) {
	for way, mode := range runAs {
		t.Run(way, func(t *testing.T) {
			resources, _ := deployed(t, way)
			roles := ofType(resources, "AWS::IAM::Role")
			role := map[string]string{"fargate": "TaskRole", "lambda": "FunctionRole"}[way]
			var statements []any
			for _, p := range props(resources, role)["Policies"].([]any) {
				statements = append(statements, p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
			}
			for _, id := range ofType(resources, "AWS::IAM::RolePolicy") {
				if props(resources, id)["RoleName"] != stackName+"-"+role {
					t.Errorf("%s is attached to %v, not %s (roles %v)", id, props(resources, id)["RoleName"], role, roles)
				}
				statements = append(statements, props(resources, id)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
			}
			target := iampolicy.Target{Partition: partition, Region: region, Account: account, Clusters: clusters, Groups: groups,
				Queue: stackName + "-Queue"}
			if mode == iampolicy.Lambda {
				target.Function = props(resources, "Function")["FunctionName"].(string)
			}
			b, _ := json.Marshal(iampolicy.Policy(mode, target).Statement)
			var want []any
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			got, wanted := grants(statements), grants(want)
			for _, g := range got {
				if !slices.Contains(wanted, g) {
					t.Errorf("the stack grants %s; drainer iam-policy --mode %s does not", g, mode)
				}
			}
			for _, w := range wanted {
				if !slices.Contains(got, w) {
					t.Errorf("drainer iam-policy --mode %s grants %s; the stack does not", mode, w)
				}
			}
		})
	}
}

// TestTheRulesAreDrainers: the stack's event rules are drainer's
// recommended ones (intake.RecommendedRules), the lifecycle-action one
// narrowed to drainer's hook, the ECS ones to each cluster, each targeting the queue, which takes messages from them
// (and no other rule) only.
func TestTheRulesAreDrainers(t *testing.T) {
	resources, _ := deployed(t, "fargate")
	canonical := func(v any) string {
		if s, ok := v.(string); ok {
			var x any
			if err := json.Unmarshal([]byte(s), &x); err != nil {
				t.Fatal(err)
			}
			v = x
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	var want []string
	for i, r := range intake.RecommendedRules(nil, drain.DefaultHook) {
		if i < 2 { // lifecycle actions (of drainer's hook) and Spot: no cluster to narrow to
			want = append(want, canonical(r.Pattern))
		}
	}
	for _, c := range clusters {
		arn := fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", partition, region, account, c)
		for _, r := range intake.RecommendedRules([]string{arn})[2:] {
			want = append(want, canonical(r.Pattern))
		}
	}
	queueARN := fmt.Sprintf("arn:%s:sqs:%s:%s:%s-Queue", partition, region, account, stackName)
	policy := props(resources, "QueuePolicy")["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	sourceARN := policy["Condition"].(map[string]any)["ArnLike"].(map[string]any)["aws:SourceArn"].(string)
	var got []string
	for _, id := range ofType(resources, "AWS::Events::Rule") {
		p := props(resources, id)
		got = append(got, canonical(p["EventPattern"]))
		targets := p["Targets"].([]any)
		if len(targets) != 1 || targets[0].(map[string]any)["Arn"] != queueARN {
			t.Errorf("rule %s targets %v, want the queue %s", id, targets, queueARN)
		}
		arn := fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", partition, region, account, p["Name"])
		if !strings.HasSuffix(sourceARN, "*") || !strings.HasPrefix(arn, strings.TrimSuffix(sourceARN, "*")) {
			t.Errorf("the queue takes messages from %s, not from rule %s", sourceARN, arn)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the stack's rules' patterns:\n%s\nwant intake.RecommendedRules':\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if policy["Principal"].(map[string]any)["Service"] != "events.amazonaws.com" || policy["Action"] != "sqs:SendMessage" || policy["Resource"] != queueARN {
		t.Errorf("queue policy %v: want EventBridge to send to the queue", policy)
	}
	dlq := props(resources, "Queue")["RedrivePolicy"].(map[string]any)
	if dlq["deadLetterTargetArn"] != fmt.Sprintf("arn:%s:sqs:%s:%s:%s-DeadLetterQueue", partition, region, account, stackName) {
		t.Errorf("redrive policy %v: want the dead-letter queue", dlq)
	}
}

// TestTheHooksAreDrainers: one termination hook per group, named as
// drainer owns it by default, CONTINUE, notifying through EventBridge.
func TestTheHooksAreDrainers(t *testing.T) {
	resources, _ := deployed(t, "lambda")
	var hooked []string
	for _, id := range ofType(resources, "AWS::AutoScaling::LifecycleHook") {
		p := props(resources, id)
		hooked = append(hooked, p["AutoScalingGroupName"].(string))
		delete(p, "AutoScalingGroupName")
		want := map[string]any{"LifecycleHookName": drain.DefaultHook, "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
			"DefaultResult": "CONTINUE", "HeartbeatTimeout": float64(900)}
		if !maps.Equal(p, want) {
			t.Errorf("hook %s: %v, want %v (no notification target: EventBridge)", id, p, want)
		}
	}
	slices.Sort(hooked)
	if want := slices.Sorted(slices.Values(groups)); !slices.Equal(hooked, want) {
		t.Errorf("hooks on %v, want one on each of %v", hooked, want)
	}
}

// TestDrainerRunsOffItsInstances: on Fargate, drainer runs `drainer run`
// in a cluster of the stack's own with Fargate capacity only, configured
// by drainer's own environment variables; as a function, it is fed by the
// queue with partial batch responses and woken every minute.
func TestDrainerRunsOffItsInstances(t *testing.T) {
	resources, _ := deployed(t, "fargate")
	cluster := props(resources, "Cluster")
	if !slices.Equal(strs(cluster["CapacityProviders"]), []string{"FARGATE"}) {
		t.Errorf("drainer's cluster has capacity providers %v, want FARGATE only", cluster["CapacityProviders"])
	}
	service := props(resources, "Service")
	if service["Cluster"] != stackName+"-Cluster" || service["LaunchType"] != nil ||
		service["CapacityProviderStrategy"].([]any)[0].(map[string]any)["CapacityProvider"] != "FARGATE" {
		t.Errorf("service %v: want it in the stack's cluster, on FARGATE", service)
	}
	task := props(resources, "TaskDefinition")
	container := task["ContainerDefinitions"].([]any)[0].(map[string]any)
	if !slices.Equal(strs(task["RequiresCompatibilities"]), []string{"FARGATE"}) || !slices.Equal(strs(container["Command"]), []string{"run"}) {
		t.Errorf("task definition %v: want drainer run on Fargate", task)
	}
	known := []string{"DRAINER_QUEUE_URL"} // drainer run's own flag
	for _, sp := range assembly.Specs {
		known = append(known, sp.Env)
	}
	env := map[string]string{}
	for _, e := range container["Environment"].([]any) {
		e := e.(map[string]any)
		env[e["Name"].(string)] = e["Value"].(string)
	}
	for name := range env {
		if strings.HasPrefix(name, "DRAINER_") && !slices.Contains(known, name) {
			t.Errorf("environment variable %s is none of drainer's", name)
		}
	}
	if env["DRAINER_CLUSTERS"] != strings.Join(clusters, ",") || env["DRAINER_HOOKS"] != drain.DefaultHook || !strings.HasSuffix(env["DRAINER_QUEUE_URL"], "/"+stackName+"-Queue") {
		t.Errorf("environment %v: want the clusters, the hook and the queue", env)
	}

	resources, _ = deployed(t, "lambda")
	fn := props(resources, "Function")
	if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" {
		t.Errorf("function %v: want bootstrap on provided.al2023", fn)
	}
	esm := props(resources, "EventSourceMapping")
	if !slices.Contains(strs(esm["FunctionResponseTypes"]), "ReportBatchItemFailures") || !strings.HasSuffix(esm["EventSourceArn"].(string), ":"+stackName+"-Queue") {
		t.Errorf("event source mapping %v: want the queue, with partial batch responses", esm)
	}
	var scheduled bool
	for _, id := range ofType(resources, "AWS::Events::Rule") {
		if p := props(resources, id); p["ScheduleExpression"] == "rate(1 minute)" && strings.HasSuffix(p["Targets"].([]any)[0].(map[string]any)["Arn"].(string), ":function:drainer") {
			scheduled = true
		}
	}
	if !scheduled {
		t.Error("no rule wakes the function every minute")
	}
	if len(ofType(resources, "AWS::ECS::Service")) != 0 || len(ofType(resources, "AWS::IAM::Role")) != 1 {
		t.Errorf("as a function the stack deploys %v", slices.Sorted(maps.Keys(resources)))
	}
}
