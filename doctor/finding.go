package doctor

// Severity says how bad a finding is.
type Severity string

// The severities, from good to bad. `drainer doctor` exits 1 when a finding
// is Fail.
const (
	// OK: checked and as it should be.
	OK Severity = "OK"
	// Warn: drainer works, but less well than it could (late, or only
	// through a fallback), or something looks stale.
	Warn Severity = "WARN"
	// Fail: instances will go without being drained.
	Fail Severity = "FAIL"
)

// Kind is the kind of thing a finding is about.
type Kind string

// The kinds of subject.
const (
	// KindRegion: the region as a whole (no cluster in it).
	KindRegion Kind = "region"
	// KindCluster: an ECS cluster; Name is its name.
	KindCluster Kind = "cluster"
	// KindGroup: an Auto Scaling group; Name is its name.
	KindGroup Kind = "group"
	// KindHook: a lifecycle hook; Group is its Auto Scaling group, Name
	// the hook's name.
	KindHook Kind = "hook"
	// KindService: an ECS service; Cluster is its cluster, Name the
	// service's name.
	KindService Kind = "service"
	// KindInstance: an EC2 instance; Name is its id, Group its Auto
	// Scaling group.
	KindInstance Kind = "instance"
	// KindLifetime: the maximum instance lifetime of the groups as a whole.
	KindLifetime Kind = "maximum lifetime"
	// KindRules: the EventBridge rules feeding drainer's queue.
	KindRules Kind = "EventBridge rules"
	// KindQueue: drainer's queue; Name is as configured (URL, ARN or
	// name).
	KindQueue Kind = "queue"
)

// Subject is what a finding is about. A hook is named by its group and its
// own name, so that a finding can tell drainer's own hook from a hook of
// another team of the same group.
type Subject struct {
	Kind Kind
	// Name is the cluster's, group's, hook's, service's or queue's name or
	// the instance's id; "" for KindRegion, KindLifetime and KindRules.
	Name string
	// Group is the Auto Scaling group of a hook or an instance.
	Group string
	// Cluster is the ECS cluster of a service.
	Cluster string
}

// String is the subject as doctor prints it: "cluster demo", "group asg",
// "group asg hook drainer", "service demo/web", "instance i-0abc…",
// "queue drainer",
// "maximum lifetime", "EventBridge rules", "region".
func (s Subject) String() string {
	switch s.Kind {
	case KindHook:
		return "group " + s.Group + " hook " + s.Name
	case KindService:
		return "service " + s.Cluster + "/" + s.Name
	case KindCluster, KindGroup, KindInstance, KindQueue:
		return string(s.Kind) + " " + s.Name
	}
	return string(s.Kind)
}

// Finding is one thing doctor found.
type Finding struct {
	Severity Severity
	Subject  Subject
	// Message says what was found and what it means for drains, in one
	// sentence.
	Message string
	// Advice is what fixes it, usually a command an operator can paste
	// into a shell as it is (`drainer setup` first where it fixes it, then
	// the AWS CLI command making what setup would); several lines when it
	// offers a choice, each command on a line of its own, the words
	// between on lines of their own. "" for OK findings and for warnings
	// nobody can act on.
	Advice string
}

// Failed reports whether a finding is Fail.
func Failed(findings []Finding) bool {
	for _, f := range findings {
		if f.Severity == Fail {
			return true
		}
	}
	return false
}
