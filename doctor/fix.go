package doctor

import (
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
)

// The commands doctor's fixes give, each one an operator can paste into a
// shell as it is: `drainer setup`, drainer's recommended way, first, and
// the AWS CLI commands making what setup would make (the values are
// setup's, Conventions: its hook, its rules' names, tags and target).

// Conventions are the names and settings of what `drainer setup` makes,
// which doctor's fixes reproduce. Package setup holds them; doctor does
// not import it (setup's own tests run doctor), so its caller passes them
// (cmd/drainer, from package setup). What a zero field does not give is
// left out of the fixes: a zero Conventions gives `drainer setup` and the
// hook's settings that are drainer's (transition, default result) only.
type Conventions struct {
	// DefaultQueue is setup's queue's name when none is given
	// (setup.DefaultQueue): the setup command names another queue.
	DefaultQueue string
	// Heartbeat is the heartbeat timeout of setup's hooks
	// (setup.DefaultHeartbeat), whole seconds.
	Heartbeat time.Duration
	// HookMark is the notification metadata setup gives its hooks for a
	// queue (setup.HookMark): a hook made with it is setup's to update
	// and delete.
	HookMark func(queue string) string
	// OwnerTag is the tag key setup puts on its rules, its value the
	// queue's name (setup.OwnerTag); TargetID is the ID of the queue's
	// target in each of setup's rules (setup.TargetID). Without TargetID
	// no rule command is given.
	OwnerTag, TargetID string
}

// fixer is what the fixes of one setup need to name setup's resources.
type fixer struct {
	Conventions
	// clusters are the clusters checked, the ones drainer serves: setup
	// is given every one, since it narrows the ECS rules to those it is
	// given.
	clusters []string
	// queue is the name of drainer's queue for setup (Config.Queue's, or
	// setup's default); queueARN its ARN, "" when unknown.
	queue, queueARN string
	// hook is the name of the hook setup makes (the first drainer owns).
	hook string
}

// setupCommand is `drainer setup` for the clusters, naming the queue and
// the hook when they are not setup's defaults.
func (f fixer) setupCommand() string {
	var b strings.Builder
	b.WriteString("drainer setup")
	for _, c := range f.clusters {
		b.WriteString(" --cluster " + shellWord(c))
	}
	if f.queue != f.DefaultQueue {
		b.WriteString(" --queue " + shellWord(f.queue))
	}
	if f.hook != drain.DefaultHook {
		b.WriteString(" --hook " + shellWord(f.hook))
	}
	return b.String()
}

// putHookCommand is the AWS CLI command making drainer's hook on group as
// setup makes it: a termination hook with no notification target (its
// lifecycle actions reach the queue through EventBridge, by the lifecycle
// rule), setup's heartbeat timeout, default result CONTINUE, and setup's
// mark in its notification metadata (so that setup keeps it up to date,
// and removes it with --delete).
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html
func (f fixer) putHookCommand(group string) string {
	h := cloud.LifecycleHook{Name: f.hook, Group: group, HeartbeatTimeout: f.Heartbeat, DefaultResult: cloud.LifecycleContinue}
	if f.HookMark != nil {
		h.NotificationMetadata = f.HookMark(f.queue)
	}
	return hookCommand(h)
}

// fixHookCommand is the AWS CLI command putting drainer's hook h, as it
// is, whole, with what doctor recommends: default result CONTINUE, and
// setup's heartbeat timeout when heartbeat is set (the hook's own is
// judged wrong) or the hook's is not reported; its notification target,
// role and metadata as they are. PutLifecycleHook takes every field as
// optional when it updates a hook, and AWS does not say it keeps what a
// call leaves out, so the command leaves nothing out: any one of doctor's
// fixes is right pasted on its own, and none drops a field.
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html
func (f fixer) fixHookCommand(group string, h cloud.LifecycleHook, heartbeat bool) string {
	h.Group, h.DefaultResult = group, cloud.LifecycleContinue
	if (heartbeat || h.HeartbeatTimeout <= 0) && f.Heartbeat > 0 {
		h.HeartbeatTimeout = f.Heartbeat
	}
	return hookCommand(h)
}

// hookCommand is the AWS CLI command putting h as a termination hook on
// its group, with every field h sets: heartbeat timeout (whole seconds),
// default result, notification target and role, notification metadata.
func hookCommand(h cloud.LifecycleHook) string {
	cmd := fmt.Sprintf("aws autoscaling put-lifecycle-hook --auto-scaling-group-name %s --lifecycle-hook-name %s --lifecycle-transition %s",
		shellWord(h.Group), shellWord(h.Name), cloud.LifecycleTransitionTerminating)
	if h.HeartbeatTimeout > 0 {
		cmd += fmt.Sprintf(" --heartbeat-timeout %d", int(h.HeartbeatTimeout/time.Second))
	}
	if h.DefaultResult != "" {
		cmd += " --default-result " + string(h.DefaultResult)
	}
	if h.NotificationTarget != "" {
		cmd += " --notification-target-arn " + shellWord(h.NotificationTarget)
	}
	if h.Role != "" {
		cmd += " --role-arn " + shellWord(h.Role)
	}
	if h.NotificationMetadata != "" {
		cmd += " --notification-metadata " + shellWord(h.NotificationMetadata)
	}
	return cmd
}

// ruleCommand is the AWS CLI commands making recommended rule r as setup
// makes it: named after the queue (intake.RuleName), its ECS patterns
// narrowed to the clusters, tagged OwnerTag, targeting the queue with
// target TargetID. "" when the queue's ARN or TargetID is unknown. The
// queue's policy must let EventBridge send from the rule: setup writes it.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
func (f fixer) ruleCommand(detailType string) string {
	q, err := awsid.ParseQueueARN(f.queueARN)
	if err != nil || f.TargetID == "" {
		return ""
	}
	arns := make([]string, len(f.clusters))
	for i, c := range f.clusters {
		arns[i] = fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", q.Partition, q.Region, q.AccountID, c)
	}
	var rule intake.Rule
	for _, r := range intake.RecommendedRules(arns) {
		if strings.Contains(r.Pattern, `"`+detailType+`"`) {
			rule = r
		}
	}
	if rule.Name == "" {
		return ""
	}
	name := shellWord(intake.RuleName(f.queue, rule))
	tags := ""
	if f.OwnerTag != "" {
		tags = " --tags " + shellWord("Key="+f.OwnerTag+",Value="+f.queue)
	}
	return fmt.Sprintf("aws events put-rule --name %s --event-pattern %s --description %s%s && aws events put-targets --rule %s --targets %s",
		name, shellWord(rule.Pattern), shellWord(rule.Description), tags, name, shellWord("Id="+f.TargetID+",Arn="+f.queueARN))
}

// shellWord is s as one word of a POSIX shell: as it is when it holds
// only characters the shell takes literally, else in single quotes.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// choices joins the lines of a fix: a Finding's Advice may offer a choice,
// a command on each line of its own.
func choices(l ...string) string {
	var out []string
	for _, s := range l {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}
