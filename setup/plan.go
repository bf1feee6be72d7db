package setup

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/duration"
	"github.com/drainer-dev/drainer/intake"
)

// Action is what a step does to its resource.
type Action string

// The actions, as the plan prints them.
const (
	Create Action = "create"
	Update Action = "update"
	Keep   Action = "keep"
	Delete Action = "delete"
)

// Kind is the kind of resource a step is about.
type Kind string

// The kinds of resource setup manages.
const (
	KindDeadLetterQueue Kind = "dead-letter queue"
	KindQueue           Kind = "queue"
	KindRule            Kind = "rule"
	KindHook            Kind = "hook"
)

// Step is one step of a plan: what to do to one resource, and why, with
// what Apply needs to do it.
type Step struct {
	Action Action
	Kind   Kind
	// Name is the queue's or rule's name, or the hook's; Group is the
	// hook's Auto Scaling group.
	Name, Group string
	// Why says why, for a person: what the resource is for, what differs,
	// or why it is left alone.
	Why string

	// QueueURL is the queue's URL when it exists (Update, Delete).
	QueueURL string
	// Attributes are the queue's attributes to create it with (Create) or
	// to set (Update: only those that change).
	Attributes map[string]string
	// Tags are the tags of a queue or rule Create makes.
	Tags map[string]string
	// Rule is the rule to put (Create; Update when PutRule).
	Rule cloud.Rule
	// PutRule: the rule's pattern, description or state are to be put;
	// PutTarget: the queue's target (Target) is to be put; RemoveTarget:
	// the queue's target (TargetID) is to be removed before the rule is
	// deleted (Delete) or left with its other targets (Update).
	PutRule, PutTarget, RemoveTarget bool
	Target                           cloud.Target
	// Hook is the hook to put (Create, Update).
	Hook cloud.LifecycleHook
}

// Resource names the step's resource: "drainer", "web-asg/drainer".
func (s Step) Resource() string {
	if s.Group != "" {
		return s.Group + "/" + s.Name
	}
	return s.Name
}

// Changes reports whether Apply has anything to do for s.
func (s Step) Changes() bool { return s.Action != Keep }

// Plan decides the steps that bring what was observed (o) to what is
// wanted (w, defaults applied), in the order Apply takes them: to set
// up, the dead-letter queue, the queue, the rules, then a hook on each
// group; to delete (w.Delete), the hooks, the rules, the queue, then the
// dead-letter queue. It is a pure function.
//
// It fails, with every reason at once, when w is not valid; when setting
// up and a cluster named does not exist, no group joins the clusters, or
// a resource of setup's name is not setup's (a queue or rule without
// OwnerTag, or with another queue's; a launch hook of the hook's name), or
// a group that needs a hook already has Auto Scaling's fifty, or a rule's
// event pattern would be longer than EventBridge takes (Want.PatternLimit:
// the ECS rules name every cluster, an earlier setup's kept ones too).
// Deleting,
// it leaves alone, as Keep steps, what is not setup's.
func Plan(o Observed, w Want) ([]Step, error) {
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if w.Delete {
		return planDelete(o, w), nil
	}
	var errs []error
	for _, c := range o.Missing {
		errs = append(errs, fmt.Errorf("cluster %s does not exist: ECS lists no cluster of that name here (check --cluster, --region and the endpoint)", c))
	}
	if len(o.Missing) == 0 && !slices.ContainsFunc(o.Groups, func(g Group) bool { return !g.Kept }) {
		errs = append(errs, fmt.Errorf("no Auto Scaling group joins cluster(s) %s: none is named by their capacity providers, none launches instances whose user data sets ECS_CLUSTER to one of them (launch template or configuration), none has an instance registered in them; attach a capacity provider, or check the cluster names", strings.Join(w.Clusters, ", ")))
	}
	p := planner{o: o, w: w}
	steps := []Step{p.deadLetterQueue(), p.queue()}
	steps = append(steps, p.rules()...)
	steps = append(steps, p.hooks()...)
	if errs = append(errs, p.errs...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return steps, nil
}

// planner holds what the steps of a setup are decided from, and the
// refusals met on the way.
type planner struct {
	o    Observed
	w    Want
	errs []error
}

// refuse records that the resource of kind and name is not setup's.
func (p *planner) refuse(kind Kind, name, why string) {
	p.errs = append(p.errs, fmt.Errorf("%s %s exists and is not drainer setup's (%s): setup changes nothing it did not create; remove or rename it, or choose another --queue/--hook", kind, name, why))
}

// owner says whose a tagged queue or rule is: "" for setup's (OwnerTag
// names w's queue), else why it is not.
func (p *planner) owner(tags map[string]string) string {
	v, ok := tags[OwnerTag]
	switch {
	case !ok:
		return "no " + OwnerTag + " tag"
	case v != p.w.Queue:
		return fmt.Sprintf("drainer setup made it for queue %s", v)
	}
	return ""
}

// tags are the tags setup gives what it creates.
func (p *planner) tags() map[string]string { return map[string]string{OwnerTag: p.w.Queue} }

// arnOf is the ARN of a resource of service in the clusters' account and
// Region.
func (p *planner) arnOf(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", p.o.Partition, service, p.o.Region, p.o.Account, resource)
}

// queueARN is the ARN of the queue name: SQS's answer when it exists.
func (p *planner) queueARN(name string) string {
	if q, ok := p.o.Queues[name]; ok && q.Attributes["QueueArn"] != "" {
		return q.Attributes["QueueArn"]
	}
	return p.arnOf("sqs", name)
}

// ruleARN is the ARN of the rule name: EventBridge's when it exists.
func (p *planner) ruleARN(name string) string {
	if r, ok := p.o.Rules[name]; ok && r.ARN != "" {
		return r.ARN
	}
	return p.arnOf("events", "rule/"+name)
}

// queueStep decides the step of the queue name with the attributes want
// (compared by same, attribute by attribute).
func (p *planner) queueStep(kind Kind, name string, want map[string]string, purpose string, same func(attr, have, want string) bool) Step {
	s := Step{Kind: kind, Name: name}
	q, ok := p.o.Queues[name]
	if !ok {
		s.Action, s.Attributes, s.Tags, s.Why = Create, want, p.tags(), purpose
		return s
	}
	if why := p.owner(q.Tags); why != "" {
		p.refuse(kind, name, why)
		return s
	}
	s.QueueURL = q.URL
	changed := map[string]string{}
	for _, a := range slices.Sorted(maps.Keys(want)) {
		if !same(a, q.Attributes[a], want[a]) {
			changed[a] = want[a]
		}
	}
	if len(changed) == 0 {
		s.Action, s.Why = Keep, "as wanted: "+purpose
		return s
	}
	s.Action, s.Attributes = Update, changed
	s.Why = strings.Join(slices.Sorted(maps.Keys(changed)), ", ") + " to set: " + purpose
	return s
}

// deadLetterQueue is the step of the dead-letter queue.
func (p *planner) deadLetterQueue() Step {
	retention := strconv.Itoa(int(DeadLetterRetention / time.Second))
	return p.queueStep(KindDeadLetterQueue, DeadLetterQueueName(p.w.Queue), map[string]string{"MessageRetentionPeriod": retention},
		fmt.Sprintf("keeps for %s what queue %s received %d times without drainer handling it", duration.Short(DeadLetterRetention), p.w.Queue, MaxReceiveCount),
		func(_, have, want string) bool { return have == want })
}

// queue is the step of drainer's queue: its redrive policy to the
// dead-letter queue and its access policy.
func (p *planner) queue() Step {
	qARN := p.queueARN(p.w.Queue)
	var ruleARNs, roles []string
	for _, r := range intake.RecommendedRules(nil) {
		ruleARNs = append(ruleARNs, p.ruleARN(intake.RuleName(p.w.Queue, r)))
	}
	for _, g := range p.o.Groups {
		for _, h := range g.Hooks {
			if h.Name == p.w.Hook && h.NotificationTarget == qARN && h.Role != "" {
				roles = append(roles, h.Role)
			}
		}
	}
	current := ""
	if q, ok := p.o.Queues[p.w.Queue]; ok {
		current = q.Attributes["Policy"]
	}
	policy, policyChanged := queuePolicy(current, policyStatements(qARN, ruleARNs, roles))
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, p.queueARN(DeadLetterQueueName(p.w.Queue)), MaxReceiveCount)
	purpose := fmt.Sprintf("drainer's queue: EventBridge may send to it from drainer's rules only; a message received %d times goes to %s", MaxReceiveCount, DeadLetterQueueName(p.w.Queue))
	if len(roles) > 0 {
		purpose += "; the roles of drainer's hooks that notify it directly may send too"
	}
	return p.queueStep(KindQueue, p.w.Queue, map[string]string{"RedrivePolicy": redrive, "Policy": policy}, purpose,
		func(attr, have, want string) bool {
			if attr == "Policy" {
				return have != "" && !policyChanged
			}
			return sameRedrive(have, want)
		})
}

// sameRedrive reports whether two redrive policies name the same
// dead-letter queue and receive count (SQS accepts the count as a number
// or a string).
func sameRedrive(a, b string) bool {
	parse := func(s string) (string, string, bool) {
		var v struct {
			Target string          `json:"deadLetterTargetArn"`
			Max    json.RawMessage `json:"maxReceiveCount"`
		}
		if json.Unmarshal([]byte(s), &v) != nil {
			return "", "", false
		}
		return v.Target, strings.Trim(string(v.Max), `"`), true
	}
	ta, ma, okA := parse(a)
	tb, mb, okB := parse(b)
	return okA && okB && ta == tb && ma == mb
}

// rules are the steps of drainer's rules: the ECS ones narrowed to the
// clusters, the lifecycle-action one to drainer's hook
// (intake.RecommendedRules).
//
// Setup does no harm to an earlier setup of the same queue: the clusters
// and hooks its rules name (an earlier `setup --cluster a --cluster b`,
// or --hook) that this one does not are kept in them, and the step says
// so by name, for dropping them from the shared rules would cut those
// clusters' drains off from their events while their groups keep
// drainer's hooks. `setup --delete`, then setup again, drops them.
func (p *planner) rules() []Step {
	var arns []string
	for _, c := range p.o.Clusters {
		arns = append(arns, c.ARN)
	}
	keptARNs, keptHooks := p.earlier(arns)
	target := cloud.Target{ID: TargetID, ARN: p.queueARN(p.w.Queue)}
	var steps []Step
	for _, r := range intake.RecommendedRules(append(slices.Clone(arns), keptARNs...), append([]string{p.w.Hook}, keptHooks...)...) {
		name := intake.RuleName(p.w.Queue, r)
		want := cloud.Rule{Name: name, EventPattern: r.Pattern, Description: r.Description, State: "ENABLED"}
		s := Step{Kind: KindRule, Name: name, Rule: want, Target: target}
		if err := p.patternFits(name, r.Pattern, keptARNs, keptHooks); err != nil {
			p.errs = append(p.errs, err)
			continue
		}
		purpose := r.Description + ", to queue " + p.w.Queue
		if kept := keptNote(r.Pattern, keptARNs, keptHooks); kept != "" {
			purpose += "; " + kept
		}
		have, ok := p.o.Rules[name]
		switch {
		case !ok:
			s.Action, s.Tags, s.PutRule, s.PutTarget, s.Why = Create, p.tags(), true, true, purpose
		case p.owner(have.Tags) != "":
			p.refuse(KindRule, name, p.owner(have.Tags))
			continue
		default:
			var diff []string
			if !sameJSON(have.EventPattern, want.EventPattern) {
				what := "event pattern"
				if c := patternChanges(have.EventPattern, want.EventPattern); c != "" {
					what += " (" + c + ")"
				}
				diff = append(diff, what)
			}
			if have.Description != want.Description {
				diff = append(diff, "description")
			}
			if have.State != want.State {
				diff = append(diff, "state "+dash(have.State))
			}
			s.PutRule = len(diff) > 0
			if !slices.Contains(have.Targets, target) {
				s.PutTarget = true
				diff = append(diff, "no target "+TargetID+" to the queue")
			}
			if len(diff) == 0 {
				s.Action, s.Why = Keep, "as wanted: "+purpose
			} else {
				s.Action, s.Why = Update, strings.Join(diff, ", ")+" to set: "+purpose
			}
		}
		steps = append(steps, s)
	}
	return steps
}

// patternFits says, as an error, when the event pattern of rule name is
// longer than EventBridge takes (Want.PatternLimit): PutRule would refuse
// it, after the queues are made. The ECS rules name every cluster's ARN,
// kept ones (keptARNs) included, and the lifecycle rule every hook
// (keptHooks among them), so the error counts them and says what to do.
func (p *planner) patternFits(name, pattern string, keptARNs, keptHooks []string) error {
	n := utf8.RuneCountInString(pattern)
	if n <= p.w.PatternLimit {
		return nil
	}
	what, field, kept, noun := "clusters", "clusterArn", keptARNs, "ARN of each of"
	if len(detailValues(pattern, field)) == 0 {
		what, field, kept, noun = "hooks", "LifecycleHookName", keptHooks, "name of each of"
	}
	names := detailValues(pattern, field)
	var keptNames []string
	for _, v := range names {
		if slices.Contains(kept, v) {
			if what == "clusters" {
				v = awsid.ClusterName(v)
			}
			keptNames = append(keptNames, v)
		}
	}
	counted := fmt.Sprintf("it names the %s %d %s", noun, len(names), what)
	if len(keptNames) > 0 {
		counted += fmt.Sprintf(", %d of them kept from an earlier setup of queue %s (%s)", len(keptNames), p.w.Queue, strings.Join(keptNames, ", "))
	}
	raise := fmt.Sprintf("or, once the account's quota is raised (to %d at most), give --pattern-limit", MaxPatternLimit)
	if p.w.PatternLimit >= MaxPatternLimit {
		raise = "EventBridge takes no longer pattern"
	}
	return fmt.Errorf("rule %s: its event pattern would be %d characters, over EventBridge's %d (the event pattern size quota): %s; serve fewer %s per queue: set up some of them with a second setup of their own --queue (and a drainer run for that queue), %s",
		name, n, p.w.PatternLimit, counted, what, raise)
}

// earlier returns what the rules of an earlier setup of this queue
// (setup's own: OwnerTag names the queue) name beyond what this one
// wants: the ARNs of clusters other than arns, the names of hooks other
// than the wanted one; sorted. Rules that are not setup's are refused
// elsewhere and lend nothing.
func (p *planner) earlier(arns []string) (clusterARNs, hooks []string) {
	seenARN, seenHook := map[string]bool{}, map[string]bool{p.w.Hook: true}
	for _, a := range arns {
		seenARN[a] = true
	}
	for _, r := range intake.RecommendedRules(nil) {
		have, ok := p.o.Rules[intake.RuleName(p.w.Queue, r)]
		if !ok || p.owner(have.Tags) != "" {
			continue
		}
		for _, a := range detailValues(have.EventPattern, "clusterArn") {
			if !seenARN[a] {
				seenARN[a] = true
				clusterARNs = append(clusterARNs, a)
			}
		}
		for _, h := range detailValues(have.EventPattern, "LifecycleHookName") {
			if !seenHook[h] {
				seenHook[h] = true
				hooks = append(hooks, h)
			}
		}
	}
	slices.Sort(clusterARNs)
	slices.Sort(hooks)
	return clusterARNs, hooks
}

// keptNote says which of the clusters and hooks kept from an earlier
// setup a rule's pattern names: "keeps cluster b, added by an earlier
// setup; --delete and set up again to drop it"; "" for none.
func keptNote(pattern string, clusterARNs, hooks []string) string {
	var kept []string
	n := 0
	if names := detailValues(pattern, "clusterArn"); len(names) > 0 {
		var cs []string
		for _, a := range clusterARNs {
			if slices.Contains(names, a) {
				cs = append(cs, awsid.ClusterName(a))
			}
		}
		if n += len(cs); len(cs) > 0 {
			kept = append(kept, plural(len(cs), "cluster")+" "+strings.Join(cs, ", "))
		}
	}
	if names := detailValues(pattern, "LifecycleHookName"); len(names) > 0 {
		var hs []string
		for _, h := range hooks {
			if slices.Contains(names, h) {
				hs = append(hs, h)
			}
		}
		if n += len(hs); len(hs) > 0 {
			kept = append(kept, plural(len(hs), "hook")+" "+strings.Join(hs, ", "))
		}
	}
	if len(kept) == 0 {
		return ""
	}
	them := "it"
	if n > 1 {
		them = "them"
	}
	return "keeps " + strings.Join(kept, " and ") + ", added by an earlier setup; --delete and set up again to drop " + them
}

// plural is word, with an s when n is not 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// maxHooks is Auto Scaling's most lifecycle hooks per group ("Amazon EC2
// Auto Scaling service quotas": 50).
const maxHooks = 50

// hooks are the steps of drainer's hook on each group.
//
// Its default result is CONTINUE, as AWS recommends: when an action times
// out (drainer stopped, say), CONTINUE lets the group's other termination
// hooks — ECS's own managed draining hook among them — run their course,
// whereas ABANDON ends every hook's wait at once ("Amazon EC2 Auto
// Scaling lifecycle hooks", https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html;
// "CompleteLifecycleAction", https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CompleteLifecycleAction.html):
// one hook's failure never cuts another's drain short. On termination
// both end in the instance's termination, so nothing is kept by ABANDON.
//
// A hook of drainer's name that notifies a target of its own (made by
// hand, as drainer's README once said) is left as it is: setup never
// gives a hook a target, so it did not make that one.
func (p *planner) hooks() []Step {
	var steps []Step
	_, hooks := p.Serves()
	for _, g := range p.o.Groups {
		if g.Kept {
			steps = append(steps, p.keptHooks(g, hooks)...)
			continue
		}
		want := cloud.LifecycleHook{Name: p.w.Hook, Group: g.Name, Transition: cloud.LifecycleTransitionTerminating,
			HeartbeatTimeout: p.w.Heartbeat, DefaultResult: cloud.LifecycleContinue, NotificationMetadata: HookMark(p.w.Queue)}
		s := Step{Kind: KindHook, Name: p.w.Hook, Group: g.Name, Hook: want}
		settings := fmt.Sprintf("termination hook, heartbeat timeout %s, default result CONTINUE, through EventBridge", duration.Short(p.w.Heartbeat))
		joins := "its instances join: " + strings.Join(g.Joins, "; ")
		i := slices.IndexFunc(g.Hooks, func(h cloud.LifecycleHook) bool { return h.Name == p.w.Hook })
		if i < 0 {
			if len(g.Hooks) >= maxHooks {
				p.errs = append(p.errs, fmt.Errorf("group %s already has %d lifecycle hooks, Auto Scaling's most: drainer's cannot be added", g.Name, len(g.Hooks)))
				continue
			}
			s.Action, s.Why = Create, settings+"; "+joins
			steps = append(steps, s)
			continue
		}
		have := g.Hooks[i]
		switch {
		case have.Transition != cloud.LifecycleTransitionTerminating:
			p.refuse(KindHook, g.Name+"/"+p.w.Hook, "a hook of transition "+have.Transition)
			continue
		case have.NotificationTarget != "":
			s.Action, s.Why = Keep, fmt.Sprintf("drainer's hook with a notification target of its own (%s): not made by setup, left as it is; %s", have.NotificationTarget, joins)
			steps = append(steps, s)
			continue
		case have.NotificationMetadata != HookMark(p.w.Queue):
			// Made by hand, by a stack or by another setup: drainer may
			// own it (run judges it by name), but setup did not make it
			// and changes nothing of it. doctor judges its settings.
			s.Action, s.Why = Keep, fmt.Sprintf("a hook of drainer's name not made by setup for queue %s (its notification metadata is not %q): left as it is, `drainer doctor` judges it; %s", p.w.Queue, HookMark(p.w.Queue), joins)
			steps = append(steps, s)
			continue
		}
		var diff []string
		if have.HeartbeatTimeout != want.HeartbeatTimeout {
			diff = append(diff, "heartbeat timeout "+duration.Short(have.HeartbeatTimeout))
		}
		if have.DefaultResult != want.DefaultResult {
			diff = append(diff, "default result "+string(have.DefaultResult))
		}
		if len(diff) == 0 {
			s.Action, s.Why = Keep, "as wanted: "+settings+"; "+joins
		} else {
			s.Action, s.Why = Update, strings.Join(diff, ", ")+" to set: "+settings+"; "+joins
		}
		steps = append(steps, s)
	}
	return steps
}

// keptHooks are the Keep steps of the hooks of drainer's names (hooks)
// on g, a group of a cluster an earlier setup's rules keep: setup lists
// them, for `drainer run` must serve them (Serves), and changes nothing
// of them.
func (p *planner) keptHooks(g Group, hooks []string) []Step {
	var steps []Step
	for _, h := range g.Hooks {
		if !slices.Contains(hooks, h.Name) || h.Transition != cloud.LifecycleTransitionTerminating {
			continue
		}
		steps = append(steps, Step{Action: Keep, Kind: KindHook, Name: h.Name, Group: g.Name,
			Why: fmt.Sprintf("kept with its cluster, which an earlier setup's rules serve (this setup keeps them; --delete and set up again to drop it): left as it is; its instances join: %s", strings.Join(g.Joins, "; "))})
	}
	return steps
}

// Serves returns what drainer's rules serve once the plan for w is
// carried out: the clusters named that exist, then those an earlier setup
// keeps (Observed.Kept); drainer's hook (w.Hook), then the hooks an
// earlier setup's lifecycle rule keeps, sorted. `drainer run` and
// `drainer doctor` are to be given all of them: a cluster or hook left
// out would be left holding its instances while drainer ignores its
// events. It is a pure function.
func Serves(o Observed, w Want) (clusters, hooks []string) {
	return (&planner{o: o, w: w.WithDefaults()}).Serves()
}

// Serves is the package function Serves, for p's observation and want.
func (p *planner) Serves() (clusters, hooks []string) {
	var arns []string
	for _, c := range p.o.Clusters {
		clusters, arns = append(clusters, c.Name), append(arns, c.ARN)
	}
	for _, c := range p.o.Kept {
		clusters = append(clusters, c.Name)
	}
	_, kept := p.earlier(arns)
	return clusters, append([]string{p.w.Hook}, kept...)
}

// planDelete decides the steps that remove what setup created: the hooks
// of drainer's names (Serves: an earlier setup's kept hook too) on the
// groups of the clusters named and kept (those without a target of their
// own and with setup's mark),
// then the rules tagged for w's queue (their target to the queue first;
// a rule that has other targets too keeps them and stays), the queue, the
// dead-letter queue. What exists under those names and is not setup's is
// a Keep step saying so.
func planDelete(o Observed, w Want) []Step {
	p := planner{o: o, w: w}
	_, hooks := p.Serves()
	var steps []Step
	for _, g := range o.Groups {
		for _, h := range g.Hooks {
			if !slices.Contains(hooks, h.Name) {
				continue
			}
			s := Step{Kind: KindHook, Name: h.Name, Group: g.Name, Action: Delete, Why: "drainer's hook, made by setup"}
			switch {
			case h.Transition != cloud.LifecycleTransitionTerminating:
				s.Action, s.Why = Keep, "not drainer's: a hook of transition "+h.Transition
			case h.NotificationTarget != "":
				s.Action, s.Why = Keep, "drainer's hook with a notification target of its own: not made by setup"
			case h.NotificationMetadata != HookMark(w.Queue):
				s.Action, s.Why = Keep, fmt.Sprintf("a hook of drainer's name not made by setup for queue %s: left as it is", w.Queue)
			}
			steps = append(steps, s)
		}
	}
	for _, r := range intake.RecommendedRules(nil) {
		name := intake.RuleName(w.Queue, r)
		have, ok := o.Rules[name]
		if !ok {
			continue
		}
		s := Step{Kind: KindRule, Name: name, Action: Delete, Why: "made by setup for queue " + w.Queue}
		s.RemoveTarget = slices.ContainsFunc(have.Targets, func(t cloud.Target) bool { return t.ID == TargetID })
		var others []string
		for _, t := range have.Targets {
			if t.ID != TargetID {
				others = append(others, t.ID)
			}
		}
		switch why := p.owner(have.Tags); {
		case why != "":
			s.Action, s.RemoveTarget, s.Why = Keep, false, "not made by setup for queue "+w.Queue+": "+why
		case len(others) > 0 && s.RemoveTarget:
			s.Action, s.Why = Update, "remove the target to the queue; the rule stays for its other targets ("+strings.Join(others, ", ")+"), not setup's"
		case len(others) > 0:
			s.Action, s.Why = Keep, "its targets ("+strings.Join(others, ", ")+") are not setup's"
		}
		steps = append(steps, s)
	}
	for _, q := range []struct {
		kind Kind
		name string
	}{{KindQueue, w.Queue}, {KindDeadLetterQueue, DeadLetterQueueName(w.Queue)}} {
		have, ok := o.Queues[q.name]
		if !ok {
			continue
		}
		s := Step{Kind: q.kind, Name: q.name, QueueURL: have.URL, Action: Delete, Why: "made by setup, with the messages it holds"}
		if why := p.owner(have.Tags); why != "" {
			s.Action, s.Why = Keep, "not made by setup for queue "+w.Queue+": "+why
		}
		steps = append(steps, s)
	}
	return steps
}

// dash is s, or "-" when s is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
