package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// The names the stack gives its resources, by resource type and
// property, with the longest and the characters AWS takes:
//   - a rule: "PutRule", Name, Amazon EventBridge API Reference
//     (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html);
//   - an IAM policy of a role: "PutRolePolicy", PolicyName, IAM API
//     Reference (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html);
//   - a lifecycle hook: "PutLifecycleHook", LifecycleHookName
//     (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html);
//   - a function: "CreateFunction", FunctionName, 64 as a name alone
//     (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html);
//   - a log group: "CreateLogGroup", logGroupName
//     (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html);
//   - a logical id: 255 alphanumerics ("Resources template section
//     syntax", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html).
var nameLimits = []struct {
	typ, prop string // prop "Policies.PolicyName": each policy's
	max       int
	chars     *regexp.Regexp
}{
	{"AWS::Events::Rule", "Name", 64, regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)},
	{"AWS::IAM::RolePolicy", "PolicyName", 128, regexp.MustCompile(`^[\w+=,.@-]+$`)},
	{"AWS::IAM::Role", "Policies.PolicyName", 128, regexp.MustCompile(`^[\w+=,.@-]+$`)},
	{"AWS::AutoScaling::LifecycleHook", "LifecycleHookName", 255, regexp.MustCompile(`^[A-Za-z0-9\-_/]+$`)},
	{"AWS::Lambda::Function", "FunctionName", 64, regexp.MustCompile(`^[a-zA-Z0-9\-_]+$`)},
	{"AWS::Logs::LogGroup", "LogGroupName", 512, regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)},
}

const maxLogicalID = 255

// unbounded is the length of the value given a parameter that nothing
// bounds: longer than any name AWS takes, so that a name it feeds fails.
const unbounded = 600

// parse returns the template (YAML) as JSON decodes it, its intrinsic
// functions in their long form.
func parse(template []byte) (map[string]any, error) {
	raw, err := intrinsics.ProcessYAML(template, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

// bound is what a parameter's constraints allow: its characters and
// longest length (AllowedPattern ^[…]{m,n}$ or MaxLength), or its allowed
// values; neither when nothing bounds it.
type bound struct {
	chars  []rune
	max    int
	values []string
}

// bounds reads the parameters' bounds from the template's Parameters.
func bounds(template map[string]any) (map[string]bound, error) {
	out := map[string]bound{}
	for name, p := range section(template, "Parameters") {
		p := p.(map[string]any)
		var b bound
		if pat, ok := p["AllowedPattern"].(string); ok {
			chars, max, err := classRepeat(pat)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %w", name, err)
			}
			b.chars, b.max = chars, max
		}
		if m, ok := p["MaxLength"].(float64); ok && p["Type"] == "String" && (b.max == 0 || int(m) < b.max) {
			b.max = int(m)
		}
		if av, ok := p["AllowedValues"].([]any); ok {
			for _, v := range av {
				b.values = append(b.values, fmt.Sprint(v))
			}
		}
		out[name] = b
	}
	return out, nil
}

// classRepeat reads an AllowedPattern of the form ^[class]{m,n}$: the
// characters of class (ASCII) and n.
func classRepeat(pattern string) ([]rune, int, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, 0, err
	}
	re = re.Simplify()
	bad := fmt.Errorf("AllowedPattern %q is not of the form ^[…]{m,n}$: its longest value cannot be told", pattern)
	if re.Op != syntax.OpConcat || len(re.Sub) != 3 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[2].Op != syntax.OpEndText {
		return nil, 0, bad
	}
	// Simplify writes x{m,n} as m x's then nested optional x's: count
	// the characters of the longest match.
	var chars []rune
	var count func(r *syntax.Regexp) (int, bool)
	count = func(r *syntax.Regexp) (int, bool) {
		switch r.Op {
		case syntax.OpCharClass:
			if chars == nil {
				for i := 0; i+1 < len(r.Rune); i += 2 {
					for c := r.Rune[i]; c <= r.Rune[i+1] && c < 128; c++ {
						chars = append(chars, c)
					}
				}
			}
			return 1, true
		case syntax.OpConcat:
			n := 0
			for _, s := range r.Sub {
				k, ok := count(s)
				if !ok {
					return 0, false
				}
				n += k
			}
			return n, true
		case syntax.OpQuest:
			return count(r.Sub[0])
		case syntax.OpRepeat:
			k, ok := count(r.Sub[0])
			return k * r.Max, ok && r.Max >= 0
		}
		return 0, false // a star, a plus: unbounded
	}
	n, ok := count(re.Sub[1])
	if !ok || len(chars) == 0 {
		return nil, 0, bad
	}
	return chars, n, nil
}

// longest is a value of b's longest length, its characters cycled from
// the round-th stretch of that length (so that rounds enough use them
// all), or, without characters, as many x's.
func (b bound) longest(round int) string {
	if b.max == 0 {
		return strings.Repeat("x", unbounded)
	}
	if len(b.chars) == 0 {
		return strings.Repeat("x", b.max)
	}
	out := make([]rune, b.max)
	for i := range out {
		out[i] = b.chars[(round*b.max+i)%len(b.chars)]
	}
	return string(out)
}

// rounds is how many longest values of b use every character it allows.
func (b bound) rounds() int {
	if b.max == 0 || len(b.chars) == 0 {
		return 1
	}
	return (len(b.chars) + b.max - 1) / b.max
}

// nameProblems deploys template on paper with the longest values its
// parameters allow — every allowed value of a parameter that lists them,
// one at a time; a longest value, of every character allowed, of those
// with a pattern or a length; a value longer than any name of those that
// nothing bounds — and returns each name it makes that AWS would refuse.
func nameProblems(template []byte) ([]string, error) {
	tmpl, err := parse(template)
	if err != nil {
		return nil, err
	}
	bs, err := bounds(tmpl)
	if err != nil {
		return nil, err
	}
	rounds := 1
	for _, b := range bs {
		rounds = max(rounds, b.rounds())
	}
	var givens []map[string]any
	for round := range rounds {
		given := map[string]any{}
		for name, b := range bs {
			p := section(tmpl, "Parameters")[name].(map[string]any)
			switch {
			case len(b.values) > 0:
				given[name] = slices.MaxFunc(b.values, func(a, b string) int { return len(a) - len(b) })
			case p["Type"] == "Number":
				continue // its default
			case p["Type"] == "CommaDelimitedList":
				given[name] = []string{b.longest(round)}
			default:
				given[name] = b.longest(round)
			}
		}
		givens = append(givens, given)
	}
	// Every allowed value of each parameter that lists them (RunAs above
	// all), over the first round.
	for name, b := range bs {
		for _, v := range b.values {
			g := maps.Clone(givens[0])
			g[name] = v
			givens = append(givens, g)
		}
	}
	seen := map[string]bool{}
	var problems []string
	for _, given := range givens {
		out, err := deploy(template, given)
		if err != nil {
			return nil, fmt.Errorf("deploy with the longest parameters %v: %w", given, err)
		}
		for id, r := range out["Resources"].(map[string]any) {
			var found []string
			if len(id) > maxLogicalID || !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(id) {
				found = append(found, fmt.Sprintf("logical id %s: %d characters, want at most %d alphanumerics", id, len(id), maxLogicalID))
			}
			r := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			for _, l := range nameLimits {
				if r["Type"] != l.typ {
					continue
				}
				var names []any
				if p, sub, ok := strings.Cut(l.prop, "."); ok {
					list, _ := props[p].([]any)
					for _, item := range list {
						names = append(names, item.(map[string]any)[sub])
					}
				} else if v, ok := props[l.prop]; ok {
					names = append(names, v)
				}
				for _, n := range names {
					name, ok := n.(string)
					switch {
					case !ok:
						found = append(found, fmt.Sprintf("%s %s.%s is %v, not a name", l.typ, id, l.prop, n))
					case len(name) > l.max || !l.chars.MatchString(name):
						found = append(found, fmt.Sprintf("%s %s.%s %q: %d characters, want at most %d of %s", l.typ, id, l.prop, name, len(name), l.max, l.chars))
					}
				}
			}
			for _, f := range found {
				if !seen[f] {
					seen[f] = true
					problems = append(problems, f)
				}
			}
		}
	}
	slices.Sort(problems)
	return problems, nil
}

// TestNamesFit: no name the stack can make, with any parameters
// CloudFormation accepts, is one AWS refuses — a rule's longest,
// ${RulePrefix}-container-instances-${ClusterName}, is 64 characters at
// most — so the stack never fails half-deployed over a name.
func TestNamesFit(t *testing.T) {
	problems, err := nameProblems(Template)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}

	// The longest rule name is as long as EventBridge takes: the bounds
	// are not tighter than they need be.
	tmpl, err := parse(Template)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := bounds(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	longest := bs["RulePrefix"].max + len("-container-instances-") + bs["ClusterNames"].max
	if longest != 64 {
		t.Errorf("the longest rule name is %d characters, want EventBridge's 64", longest)
	}

	// A cluster name one longer than the bound is refused with the
	// parameters, before anything is created.
	p := params("fargate")
	p["ClusterNames"] = []string{strings.Repeat("c", bs["ClusterNames"].max+1)}
	if _, err := deploy(Template, p); err == nil || !strings.Contains(err.Error(), "parameter ClusterNames") {
		t.Errorf("a cluster name of %d characters: %v, want the parameter refused", bs["ClusterNames"].max+1, err)
	}
}

// TestNameProblemsFinds: the check finds a name too long, and a
// parameter nothing bounds that feeds a name.
func TestNameProblemsFinds(t *testing.T) {
	for _, tt := range []struct{ old, new, want string }{
		{`AllowedPattern: "^[A-Za-z0-9._-]{1,12}$"`, `AllowedPattern: "^[A-Za-z0-9._-]{1,13}$"`, "AWS::Events::Rule ContainerInstancesRule"},
		{`AllowedPattern: "^[A-Za-z0-9_-]{1,31}$"`, `AllowedPattern: "^[A-Za-z0-9_-]{1,32}$"`, "65 characters, want at most 64"},
		{`AllowedPattern: "^[A-Za-z0-9_+=,.@-]{1,114}$"`, `MinLength: 1`, fmt.Sprintf("%d characters, want at most 128", len("drainer-group-")+unbounded)},
		{`AllowedPattern: "^[A-Za-z0-9_+=,.@-]{1,114}$"`, `AllowedPattern: "^[A-Za-z0-9 ]{1,114}$"`, "AWS::IAM::RolePolicy GroupPolicy"},
	} {
		if !bytes.Contains(Template, []byte(tt.old)) {
			t.Fatalf("the template has no %s", tt.old)
		}
		problems, err := nameProblems(bytes.Replace(Template, []byte(tt.old), []byte(tt.new), 1))
		if err != nil {
			t.Fatalf("%s: %v", tt.new, err)
		}
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
			t.Errorf("with %s, problems %q, want one saying %q", tt.new, problems, tt.want)
		}
	}
}
