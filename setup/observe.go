package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/intake"
	"github.com/drainer-dev/drainer/membership"
)

// Cloud is what setup asks of AWS: cloud.Provision, membership.Reader
// (to find the groups that join the clusters, as `drainer doctor` finds
// them) and a few more reads of package cloud's interfaces, with their
// contracts as package cloud documents them. cloud/aws's Client satisfies
// it.
type Cloud interface {
	cloud.Provision
	membership.Reader
	// ListClusters: cloud.ECS.
	ListClusters(ctx context.Context) ([]string, error)
	// LifecycleHooks: cloud.AutoScaling.
	LifecycleHooks(ctx context.Context, group string) ([]cloud.LifecycleHook, error)
	// QueueURL: cloud.Queue.
	QueueURL(ctx context.Context, name string) (string, error)
}

// Observed is what exists, as Observe read it, for Plan.
type Observed struct {
	// Partition, Region and Account are where the clusters are (from the
	// first cluster's ARN): where setup's resources go and what their
	// ARNs are made of. Empty when no cluster named exists.
	Partition, Region, Account string
	// Clusters are the clusters named that exist, in the order named;
	// Missing those ECS does not know.
	Clusters []Cluster
	Missing  []string
	// Kept are the clusters an earlier setup of the queue put in its ECS
	// rules beyond Clusters, which the rules keep serving (Plan keeps
	// them), and which ECS still knows; sorted by name.
	Kept []Cluster
	// Groups are the Auto Scaling groups whose instances join one of
	// Clusters or Kept, sorted by name, with why and their hooks.
	Groups []Group
	// Queues are setup's queue and dead-letter queue that exist, by name.
	Queues map[string]Queue
	// Rules are setup's rules that exist (by the names RuleName gives),
	// by name.
	Rules map[string]Rule
}

// Cluster is an ECS cluster by name and ARN.
type Cluster struct {
	Name, ARN string
}

// Group is an Auto Scaling group whose instances join a cluster drainer
// serves.
type Group struct {
	Name string
	// Joins says why, one reason a line, sorted: "capacity provider CP of
	// cluster C", "the user data of launch template T names cluster C",
	// "the user data of launch configuration L names cluster C", "its
	// instances are registered in cluster C".
	Joins []string
	// Hooks are its lifecycle hooks, every one.
	Hooks []cloud.LifecycleHook
	// Kept: its instances join only clusters of Observed.Kept, none of
	// those named. Setup lists its hooks and changes none of them.
	Kept bool
}

// Queue is a queue that exists.
type Queue struct {
	Name, URL  string
	Attributes map[string]string
	Tags       map[string]string
}

// Rule is a rule that exists, with its tags and targets.
type Rule struct {
	cloud.Rule
	Tags    map[string]string
	Targets []cloud.Target
}

// Observe reads what Plan needs for w (defaults applied): the clusters
// named, setup's queues and rules, the clusters an earlier setup's rules
// keep (Observed.Kept), and the groups that join any of those clusters
// with their hooks. A cluster ECS does not know is listed in Observed.Missing, not an
// error (Plan says what it means). The groups are found as membership.Find
// finds them: the clusters' capacity providers name them; the user data of
// their launch templates (each version they launch from) or launch
// configuration set ECS_CLUSTER to one of the clusters; their instances
// are registered as container instances of one of them. A launch template
// or configuration that no longer exists is passed over. An error means
// AWS could not be read; what was read before it is returned with it.
//
// Cost: one ListClusters; per cluster (named or kept) one DescribeClusters, the
// DescribeCapacityProviders of its providers, its ListContainerInstances
// pages and DescribeAutoScalingInstances of fifty; every group's
// DescribeAutoScalingGroups pages, one DescribeLaunchTemplateVersions per
// template version and one DescribeLaunchConfigurations per configuration
// they name; per joining group one DescribeLifecycleHooks; per queue one
// GetQueueUrl, GetQueueAttributes and ListQueueTags; per rule one
// DescribeRule, ListTagsForResource and ListTargetsByRule.
func Observe(ctx context.Context, c Cloud, w Want) (Observed, error) {
	w = w.WithDefaults()
	o := Observed{Queues: map[string]Queue{}, Rules: map[string]Rule{}}
	known, err := observeClusters(ctx, c, w, &o)
	if err != nil {
		return o, err
	}
	for _, name := range []string{w.Queue, DeadLetterQueueName(w.Queue)} {
		q, ok, err := observeQueue(ctx, c, name)
		if err != nil {
			return o, err
		}
		if ok {
			o.Queues[name] = q
		}
	}
	for _, r := range intake.RecommendedRules(nil) {
		name := intake.RuleName(w.Queue, r)
		rule, ok, err := observeRule(ctx, c, name)
		if err != nil {
			return o, err
		}
		if ok {
			o.Rules[name] = rule
		}
	}
	arns := make([]string, len(o.Clusters))
	for i, cl := range o.Clusters {
		arns[i] = cl.ARN
	}
	kept, _ := (&planner{o: o, w: w}).earlier(arns)
	for _, a := range kept {
		if known[a] {
			o.Kept = append(o.Kept, Cluster{Name: awsid.ClusterName(a), ARN: a})
		}
	}
	slices.SortFunc(o.Kept, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	if err := observeGroups(ctx, c, &o); err != nil {
		return o, err
	}
	return o, nil
}

// observeClusters finds the clusters named, and where they are; it
// returns the ARNs of every cluster ECS lists.
func observeClusters(ctx context.Context, c Cloud, w Want, o *Observed) (map[string]bool, error) {
	arns, err := c.ListClusters(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the ECS clusters: %w", err)
	}
	byName, known := map[string]string{}, map[string]bool{}
	for _, a := range arns {
		byName[awsid.ClusterName(a)] = a
		known[a] = true
	}
	for _, name := range w.Clusters {
		a, ok := byName[name]
		if !ok {
			o.Missing = append(o.Missing, name)
			continue
		}
		o.Clusters = append(o.Clusters, Cluster{Name: name, ARN: a})
		if o.Account == "" {
			if p, err := arn.Parse(a); err == nil {
				o.Partition, o.Region, o.Account = p.Partition, p.Region, p.AccountID
			}
		}
	}
	return known, nil
}

// observeGroups finds the groups that join the clusters named or kept
// (membership.Find), and their hooks.
func observeGroups(ctx context.Context, c Cloud, o *Observed) error {
	if len(o.Clusters) == 0 {
		return nil
	}
	var names, kept []string
	for _, cl := range o.Clusters {
		names = append(names, cl.Name)
	}
	for _, cl := range o.Kept {
		kept = append(kept, cl.Name)
	}
	m, err := membership.Find(ctx, c, append(slices.Clone(names), kept...))
	if err != nil {
		return err
	}
	for _, g := range m.Joining() {
		hooks, err := c.LifecycleHooks(ctx, g.Name)
		if errors.Is(err, cloud.ErrNotFound) {
			continue // deleted since it was described
		}
		if err != nil {
			return fmt.Errorf("group %s: lifecycle hooks: %w", g.Name, err)
		}
		joins := m.JoinsOf(g.Name)
		onlyKept := !slices.ContainsFunc(joins, func(j membership.Join) bool { return slices.Contains(names, j.Cluster) })
		o.Groups = append(o.Groups, Group{Name: g.Name, Joins: reasons(joins), Hooks: hooks, Kept: onlyKept})
	}
	return nil
}

// reasons are the joins in words (Group.Joins), sorted, each once: a
// capacity provider with managed draining off says what drainer does
// with the group's instances.
func reasons(joins []membership.Join) []string {
	var out []string
	for _, j := range joins {
		why := j.String()
		if j.Via == membership.ViaCapacityProvider && !j.ManagedDraining {
			// drainer follows the provider (DESIGN's protection ×
			// draining combinations): the hook holds the group's
			// instances, but drainer completes at once.
			why += " (managed draining off: drainer follows it and does not drain this group's instances; `drainer doctor` says how to turn it on)"
		}
		if !slices.Contains(out, why) {
			out = append(out, why)
		}
	}
	slices.Sort(out)
	return out
}

// observeQueue reads a queue, if it exists.
func observeQueue(ctx context.Context, c Cloud, name string) (Queue, bool, error) {
	url, err := c.QueueURL(ctx, name)
	if errors.Is(err, cloud.ErrNotFound) {
		return Queue{}, false, nil
	}
	if err != nil {
		return Queue{}, false, fmt.Errorf("queue %s: %w", name, err)
	}
	attrs, err := c.QueueAttributes(ctx, url)
	if err != nil {
		return Queue{}, false, fmt.Errorf("queue %s: %w", name, err)
	}
	tags, err := c.QueueTags(ctx, url)
	if err != nil {
		return Queue{}, false, fmt.Errorf("queue %s: %w", name, err)
	}
	return Queue{Name: name, URL: url, Attributes: attrs, Tags: tags}, true, nil
}

// observeRule reads a rule, if it exists.
func observeRule(ctx context.Context, c Cloud, name string) (Rule, bool, error) {
	r, err := c.DescribeRule(ctx, name)
	if errors.Is(err, cloud.ErrNotFound) {
		return Rule{}, false, nil
	}
	if err != nil {
		return Rule{}, false, fmt.Errorf("rule %s: %w", name, err)
	}
	tags, err := c.RuleTags(ctx, r.ARN)
	if err != nil {
		return Rule{}, false, fmt.Errorf("rule %s: %w", name, err)
	}
	targets, err := c.RuleTargets(ctx, name)
	if err != nil {
		return Rule{}, false, fmt.Errorf("rule %s: %w", name, err)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].ID < targets[j].ID })
	return Rule{Rule: r, Tags: tags, Targets: targets}, true, nil
}
