// Package membership finds which Auto Scaling groups' instances join which
// ECS clusters, and why: a cluster's capacity provider names the group; the
// user data of the group's launch template or launch configuration sets
// ECS_CLUSTER to the cluster, so its instances will register there (the
// only sign before any has booted); or its instances are registered there
// as container instances. `drainer setup` hooks the groups it finds, and
// `drainer doctor` checks them: both must see the same groups.
//
// Find reads; Membership answers by cluster and by group. UserDataJoins
// answers for one group what its user data says: `drainer run` asks it of
// a lifecycle message's group none of whose instances has registered yet.
package membership

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/ecsagent"
)

// Reader is what Find reads of AWS: read-only calls of package cloud's
// interfaces, with their contracts (paging, batching, errors) as package
// cloud documents them. cloud/aws's Client satisfies it.
type Reader interface {
	// CapacityProviders: cloud.ECS.
	CapacityProviders(ctx context.Context, cluster string) ([]cloud.CapacityProvider, error)
	// ListContainerInstances: cloud.ECS.
	ListContainerInstances(ctx context.Context, cluster string, status cloud.ContainerInstanceStatus) ([]cloud.ContainerInstance, error)
	// DescribeGroups: cloud.AutoScaling.
	DescribeGroups(ctx context.Context, names []string) ([]cloud.Group, error)
	// DescribeGroupInstances: cloud.AutoScaling.
	DescribeGroupInstances(ctx context.Context, instanceIDs []string) ([]cloud.GroupInstance, error)
	UserDataReader
}

// UserDataReader reads the user data groups launch their instances with:
// the two reads of cloud.Provision, with its contracts (ErrNotFound for a
// template, version or configuration that does not exist). cloud/aws's
// Client satisfies it.
type UserDataReader interface {
	// LaunchTemplateUserData: cloud.Provision (a read).
	LaunchTemplateUserData(ctx context.Context, t cloud.LaunchTemplateRef) (string, error)
	// LaunchConfigurationUserData: cloud.Provision (a read).
	LaunchConfigurationUserData(ctx context.Context, name string) (string, error)
}

// Via is how a group's instances join a cluster.
type Via string

// The ways a group joins a cluster.
const (
	// ViaCapacityProvider: a capacity provider of the cluster names the
	// group.
	ViaCapacityProvider Via = "capacity provider"
	// ViaLaunchTemplate: the user data of a launch template version the
	// group launches from sets ECS_CLUSTER to the cluster.
	ViaLaunchTemplate Via = "launch template"
	// ViaLaunchConfiguration: the user data of the group's launch
	// configuration sets ECS_CLUSTER to the cluster.
	ViaLaunchConfiguration Via = "launch configuration"
	// ViaRegistered: instances of the group are registered as container
	// instances of the cluster.
	ViaRegistered Via = "registered instances"
)

// Join is one reason a group's instances join a cluster.
type Join struct {
	Group, Cluster string
	Via            Via
	// Source is what says so: the capacity provider's name
	// (ViaCapacityProvider); the launch template's name (or ID when it has
	// no name), followed by " version V" unless the group launches from
	// its default version (ViaLaunchTemplate); the launch configuration's
	// name (ViaLaunchConfiguration); "" for ViaRegistered.
	Source string
	// ManagedDraining is, for ViaCapacityProvider, whether the provider
	// has managed draining on; false for the other ways.
	ManagedDraining bool
}

// String is the reason in words: "capacity provider CP of cluster C",
// "the user data of launch template T names cluster C", "the user data of
// launch configuration L names cluster C", "its instances are registered
// in cluster C".
func (j Join) String() string {
	switch j.Via {
	case ViaCapacityProvider:
		return fmt.Sprintf("capacity provider %s of cluster %s", j.Source, j.Cluster)
	case ViaLaunchTemplate, ViaLaunchConfiguration:
		return fmt.Sprintf("the user data of %s %s names cluster %s", j.Via, j.Source, j.Cluster)
	case ViaRegistered:
		return "its instances are registered in cluster " + j.Cluster
	}
	return fmt.Sprintf("%s %s joins cluster %s", j.Via, j.Source, j.Cluster)
}

// Membership is what Find read.
type Membership struct {
	// Joins are every reason found, sorted by group, cluster, way and
	// source, each once. A capacity provider may name a group Auto
	// Scaling does not know (deleted since): its Join is here, the group
	// is not in Groups.
	Joins []Join
	// Groups are every Auto Scaling group of the Region, as described,
	// sorted by name: those that join a cluster and the others.
	Groups []cloud.Group
	// Registered are the container instances of each cluster (every
	// status but INACTIVE), by cluster name.
	Registered map[string][]cloud.ContainerInstance
}

// Find reads which groups join clusters (ECS cluster names, each of which
// must exist), three ways: the clusters' capacity providers name them; the
// user data of their launch templates (each version they launch from) or
// launch configuration set ECS_CLUSTER to one of the clusters
// (UserDataJoins, for each group); their instances are registered as
// container instances of one of them. A launch template or configuration that no
// longer exists is passed over. An error means AWS could not be read (a
// cluster ECS does not know among them); nothing is returned with it.
//
// Cost: per cluster the DescribeCapacityProviders of its providers, its
// ListContainerInstances pages and DescribeAutoScalingInstances of fifty;
// every group's DescribeAutoScalingGroups pages, one
// DescribeLaunchTemplateVersions per template version and one
// DescribeLaunchConfigurations per configuration they name.
func Find(ctx context.Context, r Reader, clusters []string) (Membership, error) {
	m := Membership{Registered: map[string][]cloud.ContainerInstance{}}
	if len(clusters) == 0 {
		return m, nil
	}
	joins := map[Join]bool{}
	for _, cl := range clusters {
		cps, err := r.CapacityProviders(ctx, cl)
		if err != nil {
			return Membership{}, fmt.Errorf("cluster %s: capacity providers: %w", cl, err)
		}
		for _, cp := range cps {
			if g := awsid.GroupName(cp.AutoScalingGroupARN); g != "" {
				joins[Join{Group: g, Cluster: cl, Via: ViaCapacityProvider, Source: cp.Name, ManagedDraining: cp.ManagedDraining}] = true
			}
		}
		cis, err := r.ListContainerInstances(ctx, cl, "")
		if err != nil {
			return Membership{}, fmt.Errorf("cluster %s: container instances: %w", cl, err)
		}
		m.Registered[cl] = cis
		var ids []string
		for _, ci := range cis {
			if ci.EC2InstanceID != "" {
				ids = append(ids, ci.EC2InstanceID)
			}
		}
		if len(ids) > 0 {
			gis, err := r.DescribeGroupInstances(ctx, ids)
			if err != nil {
				return Membership{}, fmt.Errorf("cluster %s: Auto Scaling instances: %w", cl, err)
			}
			for _, gi := range gis {
				joins[Join{Group: gi.Group, Cluster: cl, Via: ViaRegistered}] = true
			}
		}
	}
	groups, err := r.DescribeGroups(ctx, nil)
	if err != nil {
		return Membership{}, fmt.Errorf("describe the Auto Scaling groups: %w", err)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	m.Groups = groups
	ud := &readOnce{r: r, seen: map[string]readAnswer{}}
	for _, g := range groups {
		js, err := UserDataJoins(ctx, ud, g, clusters)
		if err != nil {
			return Membership{}, err
		}
		for _, j := range js {
			joins[j] = true
		}
	}
	for j := range joins {
		m.Joins = append(m.Joins, j)
	}
	slices.SortFunc(m.Joins, func(a, b Join) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Via, b.Via), cmp.Compare(a.Source, b.Source))
	})
	return m, nil
}

// UserDataJoins returns the reasons group g's instances join one of
// clusters (ECS cluster names or ARNs) through their user data: each
// launch template version g launches from (its own or its mixed instances
// policy's), and its launch configuration, whose user data sets
// ECS_CLUSTER to one of the clusters (ecsagent.Cluster), compared by name
// whichever of a name or an ARN either side gives (awsid.ClusterName). A
// Join's Cluster is the cluster as clusters gives it. They come in g's
// order: its templates, then its configuration; none when its user data
// names no cluster of clusters. A template, version or configuration that
// no longer exists is passed over. An error names the group and what
// could not be read; nothing is returned with it.
//
// Cost: one DescribeLaunchTemplateVersions per template version and one
// DescribeLaunchConfigurations for a configuration (Find reads each once
// for all the groups).
//
// Sources: "Amazon ECS container agent configuration", ECS_CLUSTER
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html);
// "Bootstrapping Amazon ECS Linux container instances to pass data",
// Amazon ECS Developer Guide
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html).
func UserDataJoins(ctx context.Context, r UserDataReader, g cloud.Group, clusters []string) ([]Join, error) {
	var out []Join
	for _, t := range g.LaunchTemplates {
		source := firstOf(t.Name, t.ID)
		if t.Version != "" && t.Version != "$Default" {
			source += " version " + t.Version
		}
		ud, err := userData(ViaLaunchTemplate, source, func() (string, error) { return r.LaunchTemplateUserData(ctx, t) })
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
		if cl, ok := JoinedCluster(ud, clusters); ok {
			out = append(out, Join{Group: g.Name, Cluster: cl, Via: ViaLaunchTemplate, Source: source})
		}
	}
	if lc := g.LaunchConfiguration; lc != "" {
		ud, err := userData(ViaLaunchConfiguration, lc, func() (string, error) { return r.LaunchConfigurationUserData(ctx, lc) })
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
		if cl, ok := JoinedCluster(ud, clusters); ok {
			out = append(out, Join{Group: g.Name, Cluster: cl, Via: ViaLaunchConfiguration, Source: lc})
		}
	}
	return out, nil
}

// JoinedCluster returns the cluster of clusters (ECS cluster names or
// ARNs), as clusters gives it, that an ECS agent whose host has this user
// data joins, and whether it is one of them: the cluster ECS_CLUSTER names
// (ecsagent.Cluster; user data that names none joins none of them),
// compared by name (awsid.ClusterName) whether either side gives a name or
// an ARN.
func JoinedCluster(userData string, clusters []string) (string, bool) {
	named, ok := ecsagent.Cluster(userData)
	if !ok {
		return "", false
	}
	named = awsid.ClusterName(named)
	for _, cl := range clusters {
		if awsid.ClusterName(cl) == named {
			return cl, true
		}
	}
	return "", false
}

// userData is what get reads, "" when the template or configuration
// (VIA SOURCE) no longer exists.
func userData(via Via, source string, get func() (string, error)) (string, error) {
	ud, err := get()
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("user data of %s %s: %w", via, source, err)
	}
	return ud, nil
}

// readOnce is a UserDataReader that reads each template version and
// configuration once, however many groups launch from it; it remembers
// ErrNotFound as well as the user data.
type readOnce struct {
	r    UserDataReader
	seen map[string]readAnswer
}

type readAnswer struct {
	userData string
	err      error
}

func (o *readOnce) LaunchTemplateUserData(ctx context.Context, t cloud.LaunchTemplateRef) (string, error) {
	return o.read("template "+t.ID+" "+t.Name+" "+t.Version, func() (string, error) { return o.r.LaunchTemplateUserData(ctx, t) })
}

func (o *readOnce) LaunchConfigurationUserData(ctx context.Context, name string) (string, error) {
	return o.read("configuration "+name, func() (string, error) { return o.r.LaunchConfigurationUserData(ctx, name) })
}

// read answers from seen, or reads with get and remembers an answer or
// ErrNotFound (other errors are not kept: Find stops at the first).
func (o *readOnce) read(key string, get func() (string, error)) (string, error) {
	if a, ok := o.seen[key]; ok {
		return a.userData, a.err
	}
	ud, err := get()
	if err == nil || errors.Is(err, cloud.ErrNotFound) {
		o.seen[key] = readAnswer{ud, err}
	}
	return ud, err
}

// GroupsOf returns the names of the groups that join cluster, sorted, each
// once; Auto Scaling may not know some (see Joins).
func (m Membership) GroupsOf(cluster string) []string {
	var out []string
	for _, j := range m.Joins {
		if j.Cluster == cluster && !slices.Contains(out, j.Group) {
			out = append(out, j.Group)
		}
	}
	return out
}

// Joining returns the groups Auto Scaling knows that join one of the
// clusters, sorted by name.
func (m Membership) Joining() []cloud.Group {
	var out []cloud.Group
	for _, g := range m.Groups {
		if slices.ContainsFunc(m.Joins, func(j Join) bool { return j.Group == g.Name }) {
			out = append(out, g)
		}
	}
	return out
}

// JoinsOf returns the reasons group joins a cluster, in Joins' order.
func (m Membership) JoinsOf(group string) []Join {
	var out []Join
	for _, j := range m.Joins {
		if j.Group == group {
			out = append(out, j)
		}
	}
	return out
}

// firstOf is the first of its arguments that is not empty.
func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
