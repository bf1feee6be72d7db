package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/drain"
)

// Cloud is what a scan reads and changes in AWS (cloud.Cloud satisfies
// it; each method's errors are those its cloud interface documents).
type Cloud interface {
	ListClusters(ctx context.Context) ([]string, error)
	ListContainerInstancesPage(ctx context.Context, cluster string, status cloud.ContainerInstanceStatus, token string) ([]cloud.ContainerInstance, string, error)
	DescribeContainerInstances(ctx context.Context, cluster string, arns []string) ([]cloud.ContainerInstance, error)
	TasksOn(ctx context.Context, cluster, containerInstanceARN string) ([]cloud.Task, error)
	DescribeGroups(ctx context.Context, names []string) ([]cloud.Group, error)
	SetInstanceProtection(ctx context.Context, group string, instanceIDs []string, protected bool) error
	DescribeInstances(ctx context.Context, ids []string) ([]cloud.Instance, error)
	AvailableNetworkInterfaces(ctx context.Context, q cloud.NetworkInterfaceQuery) ([]cloud.NetworkInterface, error)
	DeleteNetworkInterface(ctx context.Context, id string) error
}

// Starter is what a scan needs of drainer's drains (*drain.Reconciler
// satisfies it). The pass applies the disruption budget itself, from what
// it observed: Start should not check it again (a budgeted start that
// reads the group afresh would cost two Auto Scaling calls per drain).
type Starter interface {
	// Resume loads the drains recorded on the container instances of the
	// served clusters and returns how many it loaded.
	Resume(ctx context.Context) (int, error)
	// Start starts (or joins) a drain of an EC2 instance.
	Start(ctx context.Context, instanceID string, t drain.Trigger) error
	// Drains lists the drains in progress.
	Drains() []drain.Status
}

// Policies tells each group's policy (the controller reads them from the
// served clusters' capacity providers, and keeps them for the notices).
type Policies interface {
	// GroupPolicies returns the policy of each of groups, by name, from the
	// served clusters' policies as read recently (the controller: within
	// 2 minutes 30 seconds).
	GroupPolicies(ctx context.Context, groups []string) (map[string]Policy, error)
}

// Options configure a Scanner.
type Options struct {
	Config
	// Clusters are the clusters served; empty means every cluster.
	Clusters []string
	// Adopt, when set, is asked to take up an instance in
	// Terminating:Wait that no drain covers, if a lifecycle action of
	// drainer's holds it (Plan.Waiting): at the second pass that finds it
	// so, at most Pages instances a pass, longest waiting first (Overdue).
	Adopt func(ctx context.Context, group, instanceID string) error
	// Locate, when set, is told after each pass's pages where every
	// container instance of the served clusters known to the scanner is, by
	// EC2 instance id (drain.Reconciler.Locate): those the pass read and
	// those earlier passes read since their cluster's last full listing.
	Locate func(map[string]drain.Location)
	// Pages bounds what a pass reads of the container instances: at most
	// Pages ListContainerInstances pages of up to 100 (each described in
	// one DescribeContainerInstances) across the served clusters, resuming
	// where the pass before stopped; at most Pages more
	// DescribeContainerInstances to read afresh, before acting on them,
	// instances known from an earlier pass; at most Pages instances'
	// tasks listed (TasksOn, three calls each); and at most Pages
	// instances taken up (Adopt). 0 means DefaultPages.
	Pages int
	// SweepAge is how long a network interface an ECS task left available
	// must have been seen so before a pass deletes it (0: no sweep).
	SweepAge time.Duration
	// OnPass, when set, is told what each of Run's passes found and did.
	OnPass func(Report, error)
	// Clock is the scans' notion of now and Run's timer (default: real
	// time).
	Clock  clock.Clock
	Logger *slog.Logger
}

// Scanner runs the periodic scans: it observes, decides (Decide) and acts.
// It remembers across passes whether it resumed the recorded drains, since
// when each instance is idle, the daemon services seen per cluster, and
// what it read of every container instance (its inventory). Its passes run one
// at a time.
//
// A pass reads a bounded part of the clusters (Options.Pages): each
// cluster's listing resumes at the page where the pass before stopped,
// the clusters taking turns a page each, so that the clusters up to
// Pages pages long in all are read whole at every pass, and larger ones
// over several passes. What a pass did not read it knows from the pass
// that last did, which is at most one listing of its cluster old: a
// cluster of n pages is listed whole within ⌈n/⌊P/C⌋⌉ passes when C ≤ P
// of its C served clusters are still listing (⌈n/P⌉ for a lone cluster),
// within n·⌈C/P⌉ passes otherwise (P = Options.Pages). An instance its
// cluster's full listing no longer holds is forgotten (deregistered); one
// registered since is learned by the next listing of its cluster.
//
// A pass acts only on instances it read: an instance known from an earlier
// pass that the plan would protect, unprotect or drain is read again (one
// DescribeContainerInstances per 100 of a cluster, at most Options.Pages
// calls) and the plan made again on what was read; the ones beyond the
// bound wait for a later pass (Report.Deferred).
type Scanner struct {
	cloud    Cloud
	starter  Starter
	policies Policies
	opts     Options
	log      *slog.Logger
	clock    clock.Clock

	mu        clock.Mutex // held for a whole pass, across its API calls
	resumed   bool
	idleSince map[string]time.Time
	// daemons are the daemon services seen per cluster: an instance whose
	// running+pending count exceeds their number runs a non-daemon task for
	// sure, without listing its tasks.
	daemons map[string]map[string]bool
	// busyAt remembers, by container instance ARN, what its last listing
	// told (a pass lists only instances whose record changed since).
	busyAt map[string]busyAnswer
	// leftovers are the task interfaces seen available, by id, with when
	// they were first seen so.
	leftovers map[string]time.Time
	// waitingSince is when each instance in Terminating:Wait with no drain
	// was first found so.
	waitingSince map[string]time.Time
	// inv is what the passes read of the served clusters' container
	// instances; cursor where each cluster's listing stands; pages is
	// Options.Pages or its default.
	inv    inventory
	cursor cursor
	pages  int
	// launch holds the EC2 launch times read, by instance id (zero: EC2
	// did not know the instance).
	launch map[string]time.Time
}

// NewScanner returns a Scanner reading and acting through c, starting
// drains through s and reading policies from p. A nil c makes every pass
// fail.
func NewScanner(c Cloud, s Starter, p Policies, opts Options) *Scanner {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	pages := opts.Pages
	if pages <= 0 {
		pages = DefaultPages
	}
	return &Scanner{cloud: c, starter: s, policies: p, opts: opts, log: log, clock: clk,
		idleSince: map[string]time.Time{}, daemons: map[string]map[string]bool{},
		busyAt: map[string]busyAnswer{}, inv: newInventory(), pages: pages, launch: map[string]time.Time{}}
}

// Report says what one pass found and did.
type Report struct {
	// Resumed counts the recorded drains the first pass resumed.
	Resumed int
	// Groups and Instances count the groups holding container instances of
	// the served clusters, and those container instances, as the scanner
	// knows them (read by this pass or an earlier one).
	Groups    int
	Instances int
	// Pages counts the pages of container instances the pass read
	// (ListContainerInstancesPage, at most Options.Pages); PageErrors those
	// that failed (logged; their cluster's listing starts again).
	Pages, PageErrors int
	// Verified counts the instances known from an earlier pass that the
	// pass read again before acting on them; Deferred those it would have
	// acted on but could not read again within its bound (a later pass
	// will).
	Verified, Deferred int
	// Protected and Unprotected count the instances whose protection
	// changed, in ProtectionCalls SetInstanceProtection calls.
	Protected, Unprotected int
	ProtectionCalls        int
	// IdleStarted and TTLStarted are the instances whose voluntary drain
	// started; HeldByBudget those the disruption budget delayed.
	IdleStarted, TTLStarted []string
	HeldByBudget            []string
	// TasksListed counts the instances whose tasks were listed because
	// their task count could not tell whether they are busy.
	TasksListed int
	Traps       []Trap
	Policies    map[string]Policy
	// TakeUpDeferred counts the instances in Terminating:Wait with no drain
	// that the pass would have taken up beyond its bound (see
	// Options.Adopt); a later pass will.
	TakeUpDeferred int
	// Noted are the instances in Terminating:Wait with no drain that this
	// pass found so first (in group order), left for a later pass to take
	// up (Options.Adopt): a caller whose process may not live to the next
	// pass (the Lambda mode) takes them up itself.
	Noted []WaitingInstance
	// ProtectionErrors counts the failed SetInstanceProtection calls,
	// Failures the drains that did not start (both logged, retried next
	// pass).
	ProtectionErrors, Failures int
	// Swept are the network interfaces ECS tasks left available that the
	// pass deleted.
	Swept []string
}

// Pass does one pass over the served clusters' groups: the work no
// message announces. It resumes recorded drains on its first pass, then
// per group reconciles scale-in protection (groups that keep it), starts
// time-to-live and idle drains (groups that drain, within the disruption
// budget) and reports instances kept past their lifetime by protection.
// It fails, without acting, when it cannot read what it decides on; a
// failed protection call or drain start is counted in the report and
// logged.
//
// Cost per pass, for G groups in the region and P = Options.Pages,
// whatever the number of container instances: at most P
// ListContainerInstances + P DescribeContainerInstances (its pages), P
// DescribeContainerInstances (instances read again before acting on them)
// and P TasksOn (ListTasks ×2 + DescribeTasks, only for instances whose
// task count cannot tell — more than zero tasks, no more than the daemon
// services known in the cluster — and whose record changed since they
// were last listed, and for one instance per cluster to keep the known
// daemon services fresh): at most 6·P of ECS's cluster-resource reads.
// Besides: ⌈G/100⌉ DescribeAutoScalingGroups; the policies (per cluster 1
// DescribeClusters + 1 DescribeCapacityProviders, only when the
// controller's copy is 2 minutes 30 seconds old); with a MaxLifetime, one
// DescribeInstances per 200 instances whose launch time was never read
// (a launch time never changes); one SetInstanceProtection per 50
// instances whose protection changes; the instances taken up (at most P,
// see Options.Adopt); and the sweep's DescribeNetworkInterfaces (one per
// 1,000 available task interfaces) and DeleteNetworkInterface (at most
// MaxSweepDeletes).
//
// Its calls wait behind drains' for AWS's rate buckets
// (cloud.PriorityBackground): a scan can wait, a drain's look less so.
func (s *Scanner) Pass(ctx context.Context) (Report, error) {
	ctx = cloud.WithPriority(ctx, cloud.PriorityBackground)
	var rep Report
	if err := s.mu.Lock(ctx); err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	defer s.mu.Unlock()
	if s.cloud == nil {
		return rep, errors.New("scan: no cloud configured")
	}
	now := s.clock.Now()
	if !s.resumed {
		n, err := s.starter.Resume(ctx)
		if err != nil {
			return rep, fmt.Errorf("scan: resume drains: %w", err)
		}
		s.resumed, rep.Resumed = true, n
	}
	a := allowance{verify: s.pages, listings: s.pages}
	obs, err := s.observe(ctx, now, &a, &rep)
	if err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	if len(obs.Stale) > 0 {
		// What would the pass do if the inventory were current? Read those
		// instances again, then plan on what was read.
		trial := obs
		trial.Stale = nil
		var due []string
		for _, id := range actedOn(Decide(trial, s.opts.Config)) {
			if obs.Stale[id] && s.inv.byID[id].readAt.Before(now) {
				due = append(due, id)
			}
		}
		if len(due) > 0 {
			rep.Verified, rep.Deferred = s.verify(ctx, due, now, &obs, &a, &rep)
		}
	}
	plan := Decide(obs, s.opts.Config)
	s.idleSince = plan.IdleSince
	rep.Groups, rep.Instances = len(obs.Groups), len(plan.Instances)
	rep.Policies, rep.HeldByBudget, rep.Traps = obs.Policies, plan.HeldByBudget, plan.Traps
	for _, b := range plan.Protection {
		s.protect(ctx, b, &rep)
	}
	for _, st := range plan.Starts {
		s.start(ctx, st, &rep)
	}
	if s.opts.Adopt != nil {
		var due []WaitingInstance
		due, rep.TakeUpDeferred, s.waitingSince = Overdue(plan.Waiting, s.waitingSince, now, s.pages)
		for _, w := range plan.Waiting {
			if !s.waitingSince[w.InstanceID].Before(now) {
				rep.Noted = append(rep.Noted, w)
			}
		}
		for _, w := range due {
			if err := s.opts.Adopt(ctx, w.Group, w.InstanceID); err != nil {
				s.log.Warn("scan: cannot tell whether a lifecycle action of drainer's holds an instance", "instance", w.InstanceID, "group", w.Group, "error", err)
				rep.Failures++
			}
		}
	}
	if s.opts.SweepAge > 0 {
		if err := s.sweep(ctx, now, &rep); err != nil {
			return rep, fmt.Errorf("scan: network interfaces left by tasks: %w", err)
		}
	}
	return rep, nil
}

func (s *Scanner) protect(ctx context.Context, b ProtectionBatch, rep *Report) {
	rep.ProtectionCalls++
	if err := s.cloud.SetInstanceProtection(ctx, b.Group, b.InstanceIDs, b.Protect); err != nil {
		rep.ProtectionErrors++
		s.log.Warn("scan: set scale-in protection failed", "group", b.Group, "protect", b.Protect, "instances", len(b.InstanceIDs), "error", err)
		return
	}
	if b.Protect {
		rep.Protected += len(b.InstanceIDs)
	} else {
		rep.Unprotected += len(b.InstanceIDs)
	}
}

func (s *Scanner) start(ctx context.Context, st Start, rep *Report) {
	if err := s.starter.Start(ctx, st.InstanceID, st.Trigger); err != nil {
		rep.Failures++
		s.log.Warn("scan: drain not started", "instance", st.InstanceID, "reason", st.Trigger.Reason, "error", err)
		return
	}
	switch st.Trigger.Reason {
	case drain.ReasonTTL:
		rep.TTLStarted = append(rep.TTLStarted, st.InstanceID)
	case drain.ReasonIdle:
		rep.IdleStarted = append(rep.IdleStarted, st.InstanceID)
	}
}

// Run passes every interval on the scanner's clock until ctx ends (the
// first pass at once) and returns ctx's error then; an interval of zero
// or less is an error. A failed pass is logged and the next one comes at
// the next interval.
func (s *Scanner) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("scan interval %v: want more than zero", interval)
	}
	for {
		rep, err := s.Pass(ctx)
		s.logPass(rep, err)
		if s.opts.OnPass != nil {
			s.opts.OnPass(rep, err)
		}
		if err := clock.Sleep(ctx, s.clock, interval); err != nil {
			return err
		}
	}
}

func (s *Scanner) logPass(rep Report, err error) {
	if err != nil {
		s.log.Warn("scan failed", "error", err)
		return
	}
	s.log.Debug("scan done", "groups", rep.Groups, "instances", rep.Instances, "pages", rep.Pages, "verified", rep.Verified, "deferred", rep.Deferred,
		"idle", len(rep.IdleStarted), "ttl", len(rep.TTLStarted),
		"protected", rep.Protected, "unprotected", rep.Unprotected, "heldByBudget", len(rep.HeldByBudget))
	for _, t := range rep.Traps {
		s.log.Warn("instance kept past its group's maximum lifetime by scale-in protection", "instance", t.Instance.ID, "group", t.Instance.Group, "age", t.Age, "lifetime", t.Lifetime)
	}
}
