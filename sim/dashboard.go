package sim

import (
	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/web"
)

// Dashboard is the dashboard's view of an emulated world and a drainer in
// it: the world read under its lock through the services' accessors (no
// API call, so the pending hooks of each instance show too), the drains
// from drains, and the speed the world runs at.
func Dashboard(w *emulator.World, drains func() []drain.Status, speed float64) web.Source {
	return web.SourceFunc(func() web.Snapshot {
		// Read the drains before taking the world's lock, never under it.
		statuses := drains()
		snap := web.Snapshot{Speed: speed}
		w.Do(func() {
			snap.Time = w.Now()
			snap.Groups = groupsOf(w)
			max := int32(web.ActivitiesShown)
			if out, err := w.AutoScaling.DescribeScalingActivities(autoscaling.DescribeScalingActivitiesInput{MaxRecords: &max}); err == nil {
				for _, a := range out.Activities {
					snap.Activities = append(snap.Activities, web.Activity{Group: a.AutoScalingGroupName, Status: a.StatusCode,
						Description: a.Description, Cause: a.Cause, Start: a.StartTime, End: a.EndTime})
				}
			}
			ciOf := map[string]string{} // EC2 instance id → container instance ARN
			for _, name := range w.ECS.ClusterNames() {
				c := web.Cluster{Name: name, ContainerInstances: []web.ContainerInstance{}}
				for _, ci := range w.ECS.ContainerInstances(name) {
					ciOf[ci.Ec2InstanceId] = ci.ContainerInstanceArn
					c.ContainerInstances = append(c.ContainerInstances, web.ContainerInstance{
						ID: awsid.ContainerInstanceID(ci.ContainerInstanceArn), EC2InstanceID: ci.Ec2InstanceId, Status: ci.Status,
						AgentConnected: ci.AgentConnected, RunningTasks: ci.RunningTasksCount, PendingTasks: ci.PendingTasksCount,
					})
				}
				snap.Clusters = append(snap.Clusters, c)
			}
			for _, st := range statuses {
				d := web.DrainFromStatus(st)
				if arn, ok := ciOf[st.InstanceID]; ok {
					d.TasksLeft = map[string]int{}
					for _, t := range w.ECS.TasksOn(arn) {
						if t.LastStatus != "STOPPED" {
							d.TasksLeft[w.ECS.TaskClass(t)]++
						}
					}
				}
				snap.Drains = append(snap.Drains, d)
			}
		})
		return snap
	})
}

// groupsOf lists the groups with their instances and the hooks each waits
// on; the caller holds the world's lock.
func groupsOf(w *emulator.World) []web.Group {
	var out []web.Group
	for _, name := range w.AutoScaling.GroupNames() {
		res, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
		if err != nil || len(res.AutoScalingGroups) == 0 {
			continue
		}
		g := res.AutoScalingGroups[0]
		sg := web.Group{Name: name, Min: g.MinSize, Max: g.MaxSize, Desired: g.DesiredCapacity, Instances: []web.GroupInstance{}}
		for _, in := range g.Instances {
			gi := web.GroupInstance{InstanceID: in.InstanceId, AZ: in.AvailabilityZone, LifecycleState: in.LifecycleState,
				HealthStatus: in.HealthStatus, Protected: in.ProtectedFromScaleIn}
			for _, a := range w.AutoScaling.LifecycleActions(in.InstanceId) {
				gi.PendingHooks = append(gi.PendingHooks, a.LifecycleHookName)
			}
			sg.Instances = append(sg.Instances, gi)
		}
		out = append(out, sg)
	}
	return out
}

// Settled reports whether every group of w is at rest: each instance
// InService and no instance refresh pending or under way.
func Settled(w *emulator.World) bool {
	ok := true
	w.Do(func() {
		for _, name := range w.AutoScaling.GroupNames() {
			g, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
			if err != nil || len(g.AutoScalingGroups) == 0 {
				continue
			}
			for _, in := range g.AutoScalingGroups[0].Instances {
				if in.LifecycleState != autoscaling.StateInService {
					ok = false
				}
			}
			r, err := w.AutoScaling.DescribeInstanceRefreshes(autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: name})
			if err != nil {
				continue
			}
			for _, ref := range r.InstanceRefreshes {
				if ref.Status == autoscaling.RefreshPending || ref.Status == autoscaling.RefreshInProgress {
					ok = false
				}
			}
		}
	})
	return ok
}
