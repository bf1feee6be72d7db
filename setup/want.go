package setup

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/intake"
)

// Defaults of Want.
const (
	// DefaultQueue is the name of drainer's queue unless told otherwise.
	DefaultQueue = "drainer"
	// DefaultHeartbeat is the heartbeat timeout of drainer's hooks: 15
	// minutes, as drainer's README advises (drainer heartbeats at half of
	// it) and the AWS blog's template sets; Auto Scaling's own default is
	// an hour.
	DefaultHeartbeat = 15 * time.Minute
)

// The limits of Auto Scaling's HeartbeatTimeout, in whole seconds: 30 to
// 7200 ("PutLifecycleHook", Amazon EC2 Auto Scaling API Reference,
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html).
const (
	MinHeartbeat = 30 * time.Second
	MaxHeartbeat = 7200 * time.Second
)

// Want is what `drainer setup` is asked for.
type Want struct {
	// Clusters are the ECS clusters drainer serves, by name: their groups
	// get drainer's hook, and the ECS rules are narrowed to them. At least
	// one; each once.
	Clusters []string
	// Queue names drainer's queue ("" is DefaultQueue). Its dead-letter
	// queue and rules are named after it (DeadLetterQueueName, RuleName).
	Queue string
	// Hook names drainer's lifecycle hook on each group ("" is
	// drain.DefaultHook, the hook `drainer run` owns unless its --hook
	// says otherwise).
	Hook string
	// Heartbeat is the hook's heartbeat timeout (0 is DefaultHeartbeat),
	// whole seconds from MinHeartbeat to MaxHeartbeat.
	Heartbeat time.Duration
	// PatternLimit is the longest event pattern, in characters, EventBridge
	// takes in the account and Region: its "Event pattern size" quota (0 is
	// DefaultPatternLimit), at most MaxPatternLimit. The ECS rules name
	// every cluster's ARN, so it bounds how many clusters one queue serves.
	PatternLimit int
	// Delete plans the removal of what setup created instead.
	Delete bool
}

// EventBridge's "Event pattern size" quota: the most characters of a
// rule's event pattern, 2,048 unless the account's quota was raised, which
// it may be to 4,096 at most ("Amazon EventBridge quotas", Amazon
// EventBridge User Guide,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
// PutRule refuses a longer pattern.
const (
	DefaultPatternLimit = 2048
	MaxPatternLimit     = 4096
)

// WithDefaults fills in what w leaves empty.
func (w Want) WithDefaults() Want {
	if w.Queue == "" {
		w.Queue = DefaultQueue
	}
	if w.Hook == "" {
		w.Hook = drain.DefaultHook
	}
	if w.Heartbeat == 0 {
		w.Heartbeat = DefaultHeartbeat
	}
	if w.PatternLimit == 0 {
		w.PatternLimit = DefaultPatternLimit
	}
	return w
}

// Validate says what is wrong with w (defaults applied), every problem
// at once; nil when nothing is.
//
//   - A queue name is 1 to 80 letters, digits, hyphens and underscores
//     ("CreateQueue", QueueName, Amazon SQS API Reference,
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html),
//     and so must be its dead-letter queue's.
//   - A rule name is at most 64 of [.-_A-Za-z0-9] ("PutRule", Name,
//     Amazon EventBridge API Reference,
//     https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
//   - A hook name is [A-Za-z0-9-_/]+ for Auto Scaling ("PutLifecycleHook",
//     LifecycleHookName), and drainer records it on the container instance
//     as an ECS attribute value of at most 128 characters: 1 to 128 of
//     those.
//   - PatternLimit is EventBridge's event pattern size quota, from
//     DefaultPatternLimit to MaxPatternLimit.
func (w Want) Validate() error {
	w = w.WithDefaults()
	var errs []error
	if len(w.Clusters) == 0 {
		errs = append(errs, errors.New("name at least one cluster"))
	}
	seen := map[string]bool{}
	for _, c := range w.Clusters {
		switch {
		case strings.TrimSpace(c) == "":
			errs = append(errs, errors.New("a cluster name is empty"))
		case seen[c]:
			errs = append(errs, fmt.Errorf("cluster %s is named twice", c))
		}
		seen[c] = true
	}
	for _, q := range []string{w.Queue, DeadLetterQueueName(w.Queue)} {
		if !validName(q, maxQueueName, "-_") {
			errs = append(errs, fmt.Errorf("queue name %q: SQS takes 1 to %d letters, digits, hyphens and underscores (the dead-letter queue is named %s); at most %d characters fit every name setup derives from it", w.Queue, maxQueueName, DeadLetterQueueName(w.Queue), MaxQueueLen()))
			break
		}
	}
	for _, r := range intake.RecommendedRules(nil) {
		if name := intake.RuleName(w.Queue, r); !validName(name, maxRuleName, ".-_") {
			errs = append(errs, fmt.Errorf("queue name %q: the rule named after it, %s, is longer than EventBridge's %d characters or holds characters it refuses; at most %d characters fit every name setup derives from it", w.Queue, name, maxRuleName, MaxQueueLen()))
			break
		}
	}
	if !validName(w.Hook, 128, "-_/") {
		errs = append(errs, fmt.Errorf("hook name %q: want 1 to 128 letters, digits, hyphens, underscores and slashes (Auto Scaling's characters, and drainer records the name in an ECS attribute)", w.Hook))
	}
	if w.Heartbeat < MinHeartbeat || w.Heartbeat > MaxHeartbeat || w.Heartbeat%time.Second != 0 {
		errs = append(errs, fmt.Errorf("heartbeat %s: Auto Scaling takes whole seconds from %s to %s", w.Heartbeat, MinHeartbeat, MaxHeartbeat))
	}
	if w.PatternLimit < DefaultPatternLimit || w.PatternLimit > MaxPatternLimit {
		errs = append(errs, fmt.Errorf("event pattern limit %d: EventBridge's event pattern size quota is %d characters unless raised, %d at most", w.PatternLimit, DefaultPatternLimit, MaxPatternLimit))
	}
	return errors.Join(errs...)
}

// The longest names AWS takes: a queue's, 80 characters ("CreateQueue",
// QueueName), a rule's, 64 ("PutRule", Name; EventBridge answers a longer
// one "Member must have length less than or equal to 64"). Sources as in
// Validate.
const (
	maxQueueName = 80
	maxRuleName  = 64
)

// MaxQueueLen is the longest queue name (Want.Queue) whose dead-letter
// queue (DeadLetterQueueName) and rules (intake.RuleName) all fit AWS's
// limits: 44 characters, as "-container-instances" is the longest
// suffix a rule's name adds.
func MaxQueueLen() int {
	n := maxQueueName - len(DeadLetterQueueName(""))
	for _, r := range intake.RecommendedRules(nil) {
		n = min(n, maxRuleName-len(intake.RuleName("", r)))
	}
	return n
}

// validName reports whether s is 1 to max letters, digits or characters
// of extra.
func validName(s string, max int, extra string) bool {
	if s == "" || len(s) > max {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r))
	})
}

// DeadLetterQueueName is the name of the dead-letter queue of queue.
func DeadLetterQueueName(queue string) string { return queue + "-dlq" }

// OwnerTag is the tag setup puts on the queues and rules it creates; its
// value is the name of the setup's queue (Want.Queue). A queue or rule
// without it was not created by setup, and setup never changes it.
const OwnerTag = "drainer:setup"

// HookMark returns the NotificationMetadata setup gives the hooks it
// creates for queue: lifecycle hooks carry no tags, so the metadata
// (which Auto Scaling passes along in every notification, and drainer
// ignores) is how setup tells its hooks from a hook of the same name made
// by hand, by a CloudFormation stack or by another team. A hook without it
// is never updated or deleted by setup.
func HookMark(queue string) string { return OwnerTag + "=" + queue }

// TargetID is the ID of the queue's target in each of setup's rules.
const TargetID = "drainer-queue"

// MaxReceiveCount is how many times a message is received before SQS
// moves it to the dead-letter queue: drainer deletes what it handled and
// what it cannot read, so a message received five times is one whose
// handling kept failing (AWS throttling for minutes, say); the drain it
// asked for is taken up by drainer's scans all the same.
const MaxReceiveCount = 5

// DeadLetterRetention is how long the dead-letter queue keeps a message:
// 14 days, SQS's longest ("MessageRetentionPeriod", CreateQueue), time
// for someone to look.
const DeadLetterRetention = 14 * 24 * time.Hour
