package cloudformation

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// The tests deploy the stack on paper: they expand its Fn::ForEach loops
// (the AWS::LanguageExtensions transform) and resolve its intrinsic
// functions for given parameters, the way CloudFormation would in a Region
// and account of their choosing, then hand the result to the validator and
// compare it with the code. Fn::ForEach:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html;
// the other functions: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html.

// Where the paper stack is deployed.
const (
	partition = "aws"
	region    = "us-east-1"
	account   = "123456789012"
	stackName = "drainer"
)

// noValue is what Ref AWS::NoValue resolves to: the property or item is
// left out.
var noValue = &struct{ none bool }{}

// stack is the template, JSON-decoded with its intrinsic functions in their
// long form, and the parameters it is deployed with.
type stack struct {
	template   map[string]any
	params     map[string]any // string, float64 or []any of strings
	conditions map[string]bool
	evaluating map[string]bool // conditions being evaluated: a cycle if met again
	resources  map[string]any  // after the loops are expanded
}

// deploy expands and resolves template (YAML) with the parameters given
// over the template's defaults (a CommaDelimitedList as a []string), and
// returns the stack as CloudFormation would create it: its resources and
// outputs with every function resolved, those whose condition is false
// left out.
func deploy(template []byte, given map[string]any) (map[string]any, error) {
	raw, err := intrinsics.ProcessYAML(template, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, err
	}
	s := &stack{params: map[string]any{}, conditions: map[string]bool{}, evaluating: map[string]bool{}}
	if err := json.Unmarshal(raw, &s.template); err != nil {
		return nil, err
	}
	if err := s.setParams(given); err != nil {
		return nil, err
	}
	for name := range section(s.template, "Conditions") {
		if _, err := s.condition(name); err != nil {
			return nil, err
		}
	}
	if s.resources, err = s.expand(section(s.template, "Resources")); err != nil {
		return nil, err
	}
	out := map[string]any{"AWSTemplateFormatVersion": s.template["AWSTemplateFormatVersion"], "Description": s.template["Description"]}
	for _, name := range []string{"Resources", "Outputs"} {
		sec := s.resources
		if name == "Outputs" {
			sec = section(s.template, name)
		}
		resolved := map[string]any{}
		for id, body := range sec {
			if c, ok := body.(map[string]any)["Condition"].(string); ok && !s.conditions[c] {
				continue
			}
			v, err := s.eval(body)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", name, id, err)
			}
			resolved[id] = v
		}
		out[name] = resolved
	}
	return out, nil
}

// section returns the template's section name, nil if it has none.
func section(template map[string]any, name string) map[string]any {
	m, _ := template[name].(map[string]any)
	return m
}

// setParams sets each parameter to its given value, else its default, in
// the shape Ref returns: a list for a CommaDelimitedList, a number for a
// Number. Every parameter without a default must be given.
func (s *stack) setParams(given map[string]any) error {
	for name, p := range section(s.template, "Parameters") {
		def, hasDefault := p.(map[string]any)["Default"]
		v, ok := given[name]
		switch {
		case ok:
		case hasDefault:
			v = def
		default:
			return fmt.Errorf("parameter %s has no default and is not given", name)
		}
		switch p.(map[string]any)["Type"] {
		case "CommaDelimitedList":
			var list []any
			switch v := v.(type) {
			case []string:
				for _, x := range v {
					list = append(list, x)
				}
			case string:
				for _, x := range strings.Split(v, ",") {
					list = append(list, x)
				}
			}
			v = list
		case "Number": // a number, as goformation's types take it
			if str, ok := v.(string); ok {
				var f float64
				if _, err := fmt.Sscan(str, &f); err != nil {
					return fmt.Errorf("parameter %s: %q is not a number", name, str)
				}
				v = f
			}
		}
		if err := allowed(name, p.(map[string]any), v); err != nil {
			return err
		}
		s.params[name] = v
	}
	for name := range given {
		if _, ok := s.params[name]; !ok {
			return fmt.Errorf("the template has no parameter %s", name)
		}
	}
	return nil
}

// allowed checks the value v of parameter name as CloudFormation does
// before it creates anything: against its AllowedPattern (each item of a
// CommaDelimitedList), MaxLength and MinLength (a String), and
// AllowedValues. "Parameters template section syntax"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
func allowed(name string, p map[string]any, v any) error {
	var values []string
	switch v := v.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			values = append(values, fmt.Sprint(x))
		}
	default: // a number
		values = []string{fmt.Sprint(v)}
	}
	if pat, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if err != nil {
			return fmt.Errorf("parameter %s: AllowedPattern %q: %w", name, pat, err)
		}
		for _, x := range values {
			if !re.MatchString(x) {
				return fmt.Errorf("parameter %s: %q does not match %s", name, x, pat)
			}
		}
	}
	if s, ok := v.(string); ok {
		if max, ok := p["MaxLength"].(float64); ok && float64(len(s)) > max {
			return fmt.Errorf("parameter %s: %q is longer than %v", name, s, max)
		}
		if min, ok := p["MinLength"].(float64); ok && float64(len(s)) < min {
			return fmt.Errorf("parameter %s: %q is shorter than %v", name, s, min)
		}
	}
	if av, ok := p["AllowedValues"].([]any); ok {
		for _, x := range values {
			if !slices.ContainsFunc(av, func(a any) bool { return fmt.Sprint(a) == x }) {
				return fmt.Errorf("parameter %s: %q is none of %v", name, x, av)
			}
		}
	}
	return nil
}

// expand returns resources with each Fn::ForEach loop replaced by the
// resources it makes: one fragment per item of its collection, the
// identifier's ${ID} and &{ID} (its alphanumerics) in keys and strings
// replaced by the item, and Ref ID by the item.
func (s *stack) expand(resources map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for key, body := range resources {
		if !strings.HasPrefix(key, "Fn::ForEach::") {
			out[key] = body
			continue
		}
		loop, ok := body.([]any)
		if !ok || len(loop) != 3 {
			return nil, fmt.Errorf("%s: want [identifier, collection, fragment]", key)
		}
		id, _ := loop[0].(string)
		coll, err := s.eval(loop[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		items, ok := coll.([]any)
		fragment, isMap := loop[2].(map[string]any)
		if id == "" || !ok || !isMap {
			return nil, fmt.Errorf("%s: want an identifier, a list and a fragment", key)
		}
		for _, item := range items {
			name, _ := item.(string)
			for k, v := range fragment {
				k = strings.ReplaceAll(strings.ReplaceAll(k, "${"+id+"}", name), "&{"+id+"}", alphanumeric(name))
				if _, dup := out[k]; dup {
					return nil, fmt.Errorf("%s makes %s twice", key, k)
				}
				out[k] = substitute(v, id, name)
			}
		}
	}
	return out, nil
}

var nonAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

func alphanumeric(s string) string { return nonAlphanumeric.ReplaceAllString(s, "") }

// substitute returns a copy of v with Ref id and ${id} replaced by item.
func substitute(v any, id, item string) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"]; ok && len(v) == 1 && ref == id {
			return item
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = substitute(x, id, item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = substitute(x, id, item)
		}
		return out
	case string:
		return strings.ReplaceAll(v, "${"+id+"}", item)
	}
	return v
}

// eval resolves the intrinsic functions in v.
func (s *stack) eval(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				if fn == "Ref" || fn == "Condition" || strings.HasPrefix(fn, "Fn::") {
					return s.call(fn, arg)
				}
			}
		}
		out := map[string]any{}
		for k, x := range v {
			r, err := s.eval(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := []any{}
		for _, x := range v {
			r, err := s.eval(x)
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

// args evaluates a function's argument list, which must have n items.
func (s *stack) args(fn string, arg any, n int) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != n {
		return nil, fmt.Errorf("%s takes a list of %d", fn, n)
	}
	if fn == "Fn::If" { // only the branch taken is evaluated
		return list, nil
	}
	r, err := s.eval(list)
	if err != nil {
		return nil, err
	}
	return r.([]any), nil
}

// call resolves one intrinsic function.
func (s *stack) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		return s.ref(name)
	case "Condition":
		name, _ := arg.(string)
		return s.condition(name)
	case "Fn::GetAtt":
		var parts []string
		switch a := arg.(type) {
		case string:
			parts = strings.SplitN(a, ".", 2)
		case []any:
			for _, p := range a {
				ps, _ := p.(string)
				parts = append(parts, ps)
			}
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt %v: want [resource, attribute]", arg)
		}
		return s.getAtt(parts[0], parts[1])
	case "Fn::Sub":
		return s.sub(arg)
	case "Fn::Join":
		a, err := s.args(fn, arg, 2)
		if err != nil {
			return nil, err
		}
		delim, ok := a[0].(string)
		list, isList := a[1].([]any)
		if !ok || !isList {
			return nil, fmt.Errorf("Fn::Join %v: want a delimiter and a list", a)
		}
		parts := make([]string, len(list))
		for i, x := range list {
			if parts[i], ok = x.(string); !ok {
				return nil, fmt.Errorf("Fn::Join: item %v is not a string", x)
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Split":
		a, err := s.args(fn, arg, 2)
		if err != nil {
			return nil, err
		}
		delim, ok1 := a[0].(string)
		str, ok2 := a[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("Fn::Split %v: want a delimiter and a string", a)
		}
		var out []any
		for _, p := range strings.Split(str, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		a, err := s.args(fn, arg, 3)
		if err != nil {
			return nil, err
		}
		name, _ := a[0].(string)
		b, err := s.condition(name)
		if err != nil {
			return nil, err
		}
		if b {
			return s.eval(a[1])
		}
		return s.eval(a[2])
	case "Fn::Equals":
		a, err := s.args(fn, arg, 2)
		if err != nil {
			return nil, err
		}
		return fmt.Sprint(a[0]) == fmt.Sprint(a[1]), nil
	case "Fn::Not":
		a, err := s.args(fn, arg, 1)
		if err != nil {
			return nil, err
		}
		b, err := s.truth(a[0])
		if err != nil {
			return nil, err
		}
		return !b, nil
	case "Fn::And", "Fn::Or":
		list, ok := arg.([]any)
		if !ok {
			return nil, fmt.Errorf("%s takes a list", fn)
		}
		r, err := s.eval(list)
		if err != nil {
			return nil, err
		}
		result := fn == "Fn::And"
		for _, x := range r.([]any) {
			b, err := s.truth(x)
			if err != nil {
				return nil, err
			}
			if fn == "Fn::And" {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, nil
	}
	return nil, fmt.Errorf("%s: the tests do not resolve it", fn)
}

// condition returns the value of the template's condition name, evaluated
// once.
func (s *stack) condition(name string) (bool, error) {
	if b, ok := s.conditions[name]; ok {
		return b, nil
	}
	expr, ok := section(s.template, "Conditions")[name]
	if !ok || s.evaluating[name] {
		return false, fmt.Errorf("condition %q: no such condition, or a cycle", name)
	}
	s.evaluating[name] = true
	v, err := s.eval(expr)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	b, err := s.truth(v)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	s.conditions[name] = b
	return b, nil
}

// truth is v as a condition: a bool, or the name of a condition (goformation
// reads the short form !Condition NAME as the bare name).
func (s *stack) truth(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		return s.condition(v)
	}
	return false, fmt.Errorf("%v is not a condition", v)
}

// ref resolves Ref name: a pseudo parameter, a parameter, or a resource's
// physical id as CloudFormation names it.
func (s *stack) ref(name string) (any, error) {
	switch name {
	case "AWS::Partition":
		return partition, nil
	case "AWS::Region":
		return region, nil
	case "AWS::AccountId":
		return account, nil
	case "AWS::StackName":
		return stackName, nil
	case "AWS::NoValue":
		return noValue, nil
	}
	if v, ok := s.params[name]; ok {
		return v, nil
	}
	r, ok := s.resources[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Ref %s: no such parameter or resource", name)
	}
	switch r["Type"] {
	case "AWS::SQS::Queue": // its URL
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s-%s", region, account, stackName, name), nil
	case "AWS::Lambda::Function", "AWS::Logs::LogGroup":
		return s.named(name, r, "FunctionName", "LogGroupName")
	}
	return stackName + "-" + name, nil
}

// named is the name r gives itself in one of props, else CloudFormation's
// stack-logical id.
func (s *stack) named(id string, r map[string]any, props ...string) (string, error) {
	p, _ := r["Properties"].(map[string]any)
	for _, prop := range props {
		if v, ok := p[prop]; ok {
			n, err := s.eval(v)
			name, isString := n.(string)
			if err != nil || !isString {
				return "", fmt.Errorf("%s's %s: %v %v", id, prop, n, err)
			}
			return name, nil
		}
	}
	return stackName + "-" + id, nil
}

// getAtt resolves Fn::GetAtt id.Arn, the one attribute the stack reads.
func (s *stack) getAtt(id, attr string) (any, error) {
	r, ok := s.resources[id].(map[string]any)
	if !ok || attr != "Arn" {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: the tests know the Arn of the stack's resources only", id, attr)
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, service, region, account, resource)
	}
	switch r["Type"] {
	case "AWS::SQS::Queue":
		return arn("sqs", stackName+"-"+id), nil
	case "AWS::Events::Rule":
		name, err := s.named(id, r, "Name")
		return arn("events", "rule/"+name), err
	case "AWS::IAM::Role":
		return fmt.Sprintf("arn:%s:iam::%s:role/%s-%s", partition, account, stackName, id), nil
	case "AWS::Lambda::Function":
		name, err := s.named(id, r, "FunctionName")
		return arn("lambda", "function:"+name), err
	}
	return nil, fmt.Errorf("Fn::GetAtt %s.Arn: a %v", id, r["Type"])
}

var subVariable = regexp.MustCompile(`\$\{(!?)([^}]+)\}`)

// sub resolves Fn::Sub: a string, or [string, {name: value}].
func (s *stack) sub(arg any) (any, error) {
	str, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		str = a
	case []any:
		if len(a) != 2 {
			return nil, errors.New("Fn::Sub takes a string or [string, variables]")
		}
		str, _ = a[0].(string)
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, errors.New("Fn::Sub: variables are not a map")
		}
		for k, v := range m {
			r, err := s.eval(v)
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, fmt.Errorf("Fn::Sub of %v", arg)
	}
	var failed error
	out := subVariable.ReplaceAllStringFunc(str, func(m string) string {
		g := subVariable.FindStringSubmatch(m)
		if g[1] == "!" { // ${!Literal}
			return "${" + g[2] + "}"
		}
		v, ok := vars[g[2]]
		if !ok {
			var err error
			if id, attr, dotted := strings.Cut(g[2], "."); dotted {
				v, err = s.getAtt(id, attr)
			} else {
				v, err = s.ref(g[2])
			}
			if err != nil {
				failed = err
				return ""
			}
		}
		switch v := v.(type) {
		case string:
			return v
		case float64:
			return fmt.Sprint(v)
		}
		failed = fmt.Errorf("Fn::Sub: ${%s} is %v, not a string", g[2], v)
		return ""
	})
	return out, failed
}

// TestPaperDeploy: the resolver itself, on a template of its own.
func TestPaperDeploy(t *testing.T) {
	const tmpl = `
Parameters:
  Names: {Type: CommaDelimitedList}
  Mode: {Type: String, Default: a}
  Count: {Type: Number, Default: 2}
Conditions:
  IsA: !Equals [!Ref Mode, a]
  NotA: !Not [!Condition IsA]
Resources:
  Q:
    Type: AWS::SQS::Queue
  Fn::ForEach::Loop:
    - Name
    - !Ref Names
    - Thing&{Name}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub "${AWS::StackName}-${Name}"
          DisplayName: !Ref Name
  OnlyNotA:
    Type: AWS::SNS::Topic
    Condition: NotA
Outputs:
  Arn: {Value: !GetAtt Q.Arn}
  Joined: {Value: !Join ["|", !Split [",", "x,y"]]}
  Picked: {Value: !If [IsA, !Sub ["${Count}-${Region}", {Region: !Ref "AWS::Region"}], never]}
  Url: {Value: !Ref Q}
  Gone: {Value: !If [NotA, x, !Ref "AWS::NoValue"]}
`
	out, err := deploy([]byte(tmpl), map[string]any{"Names": []string{"web-1", "batch"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(out)
	for _, want := range []string{
		`"Thingweb1":{"Properties":{"DisplayName":"web-1","TopicName":"drainer-web-1"},"Type":"AWS::SNS::Topic"}`,
		`"Thingbatch":{"Properties":{"DisplayName":"batch","TopicName":"drainer-batch"}`,
		`"Arn":{"Value":"arn:aws:sqs:us-east-1:123456789012:drainer-Q"}`,
		`"Joined":{"Value":"x|y"}`, `"Picked":{"Value":"2-us-east-1"}`,
		`"Url":{"Value":"https://sqs.us-east-1.amazonaws.com/123456789012/drainer-Q"}`, `"Gone":{}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("no %s in %s", want, got)
		}
	}
	if strings.Contains(string(got), "OnlyNotA") {
		t.Errorf("a resource whose condition is false is deployed: %s", got)
	}
	for _, bad := range []string{
		"Resources:\n  X: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt Nowhere.Arn}}\n",
		"Resources:\n  X: {Type: AWS::SNS::Topic, Properties: {TopicName: !Base64 x}}\n",
		"Parameters:\n  P: {Type: String}\nResources: {}\n",
		"Conditions:\n  A: !Not [B]\n  B: !Not [A]\nResources: {}\n",
		// Parameters CloudFormation refuses.
		"Parameters:\n  P: {Type: String, Default: abc, AllowedPattern: '^[a-b]+$'}\nResources: {}\n",
		"Parameters:\n  P: {Type: String, Default: abc, MaxLength: 2}\nResources: {}\n",
		"Parameters:\n  P: {Type: CommaDelimitedList, Default: 'a,bc', AllowedPattern: '^[a-z]$'}\nResources: {}\n",
		"Parameters:\n  P: {Type: String, Default: c, AllowedValues: [a, b]}\nResources: {}\n",
	} {
		if _, err := deploy([]byte(bad), nil); err == nil {
			t.Errorf("%q deployed", bad)
		}
	}
}
