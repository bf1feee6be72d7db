package invariant

import (
	"regexp"
	"sort"
	"strings"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// groupTag is the tag Auto Scaling puts on the instances it launches
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html).
const groupTag = "aws:autoscaling:groupName"

// reCluster finds the cluster an ECS agent joins in its host's user data:
// ECS_CLUSTER in /etc/ecs/ecs.config, "default" without it
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html),
// read as the emulated agent reads it.
var reCluster = regexp.MustCompile(`ECS_CLUSTER=["']?([A-Za-z0-9_-]+)`)

// hostCluster returns the cluster the ECS agent of an instance joins.
func hostCluster(inst *ec2.Instance) string {
	if m := reCluster.FindStringSubmatch(inst.UserData); m != nil {
		return m[1]
	}
	return "default"
}

// owns reports whether drainer owns a lifecycle hook.
func (c *Checker) owns(hook string) bool { return c.owned[hook] }

// serves reports whether drainer serves a cluster (given by name).
func (c *Checker) serves(cluster string) bool { return c.served == nil || c.served[cluster] }

// clusterOfRequest names the cluster an ECS request's cluster member means
// (name or ARN; "" is the default cluster, as in ECS).
func (c *Checker) clusterOfRequest(cluster string) string {
	if cluster == "" {
		return "default"
	}
	return awsid.ClusterName(cluster)
}

// noteMember remembers which cluster a group's instance joins.
func (c *Checker) noteMember(group, id string) {
	if c.served == nil {
		return
	}
	if inst, ok := c.w.EC2.Instance(id); ok {
		c.addMember(group, inst)
	}
}

func (c *Checker) addMember(group string, inst *ec2.Instance) {
	set := c.groupClusters[group]
	if set == nil {
		set = map[string]bool{}
		c.groupClusters[group] = set
	}
	set[hostCluster(inst)] = true
}

// groupServes reports whether a group's instances join a served cluster.
func (c *Checker) groupServes(group string) bool {
	if c.served == nil {
		return true
	}
	if _, known := c.groupClusters[group]; !known {
		for _, inst := range c.w.EC2.Instances() {
			if g, ok := inst.Tag(groupTag); ok && g == group {
				c.addMember(group, inst)
			}
		}
	}
	for cl := range c.groupClusters[group] {
		if c.served[cl] {
			return true
		}
	}
	return false
}

// instanceServes reports whether an instance is one drainer may act on: its
// group serves a served cluster or, outside a group, its agent joins one.
func (c *Checker) instanceServes(id string) bool {
	if c.served == nil {
		return true
	}
	if g, ok := c.w.AutoScaling.GroupOf(id); ok {
		return c.groupServes(g)
	}
	inst, ok := c.w.EC2.Instance(id)
	if !ok {
		return true // unknown to EC2: nothing to change
	}
	if g, ok := inst.Tag(groupTag); ok {
		return c.groupServes(g)
	}
	return c.serves(hostCluster(inst))
}

// judgeCall checks one call drainer made against rule 8, by its request.
func (c *Checker) judgeCall(call emulator.Call, input any) {
	switch in := input.(type) {
	case autoscaling.CompleteLifecycleActionInput:
		verb := "completed"
		if in.LifecycleActionResult == "ABANDON" {
			verb = "abandoned"
		}
		c.judgeHookCall(verb, in.AutoScalingGroupName, in.LifecycleHookName, in.InstanceId, in.LifecycleActionToken)
	case autoscaling.RecordLifecycleActionHeartbeatInput:
		c.judgeHookCall("sent a heartbeat for", in.AutoScalingGroupName, in.LifecycleHookName, in.InstanceId, in.LifecycleActionToken)
	case ecs.UpdateContainerInstancesStateInput:
		c.judgeClusterCall(call.Operation, in.Cluster, in.ContainerInstances...)
	case ecs.PutAttributesInput:
		c.judgeClusterCall(call.Operation, in.Cluster, attributeTargets(in.Attributes)...)
	case ecs.DeleteAttributesInput:
		c.judgeClusterCall(call.Operation, in.Cluster, attributeTargets(in.Attributes)...)
	case ecs.DeregisterContainerInstanceInput:
		c.judgeClusterCall(call.Operation, in.Cluster, in.ContainerInstance)
	case ecs.StopTaskInput:
		c.judgeClusterCall(call.Operation, in.Cluster, in.Task)
	case autoscaling.SetInstanceProtectionInput:
		if !c.groupServes(in.AutoScalingGroupName) {
			c.fail(8, strings.Join(in.InstanceIds, ","), "drainer's SetInstanceProtection on group %s, whose instances join no cluster it serves", in.AutoScalingGroupName)
		}
	case autoscaling.TerminateInstanceInAutoScalingGroupInput:
		c.judgeInstances(call.Operation, append([]string{in.InstanceId}, in.InstanceIds...))
	case ec2.TerminateInstancesInput:
		c.judgeInstances(call.Operation, in.InstanceIds)
	}
}

// judgeHookCall checks a completion, abandon or heartbeat of a lifecycle
// action: drainer's only for an owned hook of a group it serves. verb says
// what drainer did ("completed", "abandoned", "sent a heartbeat for").
func (c *Checker) judgeHookCall(verb, group, hook, instance, token string) {
	if instance == "" {
		instance = c.instanceOfToken(token)
	}
	switch {
	case !c.owns(hook):
		c.fail(8, instance, "drainer %s a lifecycle action of hook %s of group %s, a hook it does not own (it owns %s)",
			verb, hook, group, strings.Join(c.opts.OwnedHooks, ", "))
	case !c.groupServes(group):
		c.fail(8, instance, "drainer %s a lifecycle action of hook %s of group %s, whose instances join no cluster it serves",
			verb, hook, group)
	}
}

// instanceOfToken finds the instance a lifecycle action token belongs to
// among the actions followed, "" when unknown.
func (c *Checker) instanceOfToken(token string) string {
	for id, h := range c.holds {
		if _, ok := h.actions[token]; ok {
			return id
		}
	}
	return ""
}

// judgeClusterCall checks a change to ECS resources (container instances,
// tasks) given in a request's cluster member and by reference (ARN or id):
// every cluster named must be served.
func (c *Checker) judgeClusterCall(op, cluster string, refs ...string) {
	clusters := map[string]bool{}
	for _, r := range refs {
		if cl, err := awsid.ClusterOf(r); err == nil {
			clusters[cl] = true
		}
	}
	if cluster != "" || len(clusters) == 0 {
		// An omitted cluster is the default one, unless the resources'
		// ARNs name theirs.
		clusters[c.clusterOfRequest(cluster)] = true
	}
	var foreign []string
	for cl := range clusters {
		if !c.serves(cl) {
			foreign = append(foreign, cl)
		}
	}
	if len(foreign) == 0 {
		return
	}
	sort.Strings(foreign)
	var hosts []string
	for _, r := range refs {
		if ci := c.containerInstance(cluster, r); ci != nil {
			hosts = append(hosts, ci.Ec2InstanceId)
		} else if t := c.w.ECS.Task(r); t != nil && t.ContainerInstance() != nil {
			hosts = append(hosts, t.ContainerInstance().Ec2InstanceId)
		}
	}
	c.fail(8, strings.Join(hosts, ","), "drainer's %s in cluster %s, which it does not serve (%s)",
		op, strings.Join(foreign, ", "), strings.Join(refs, ", "))
}

// attributeTargets lists the resources attributes are put on or deleted from.
func attributeTargets(attrs []ecs.Attribute) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range attrs {
		if a.TargetId != "" && !seen[a.TargetId] {
			seen[a.TargetId] = true
			out = append(out, a.TargetId)
		}
	}
	return out
}

// judgeInstances checks a termination of EC2 instances.
func (c *Checker) judgeInstances(op string, ids []string) {
	for _, id := range ids {
		if id != "" && !c.instanceServes(id) {
			c.fail(8, id, "drainer's %s on an instance whose group joins no cluster it serves", op)
		}
	}
}
