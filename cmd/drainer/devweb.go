package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/drain"
	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/web"
)

// activitiesShown is how many scaling activities the dashboard lists.
const activitiesShown = 30

// worldSource is the dashboard's view of the emulated world and drainer:
// the world read under its lock through the services' accessors (no API
// call), the drains from the reconciler.
type worldSource struct {
	w     *emulator.World
	rec   *drain.Reconciler
	speed float64
}

func (s worldSource) Snapshot() web.Snapshot {
	// The reconciler's locks may be held across API calls that wait for
	// the world's lock: read the drains outside it.
	statuses := s.rec.Drains()
	snap := web.Snapshot{Speed: s.speed}
	w := s.w
	w.Do(func() {
		snap.Time = w.Now()
		for _, name := range w.AutoScaling.GroupNames() {
			out, err := w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
			if err != nil || len(out.AutoScalingGroups) == 0 {
				continue
			}
			g := out.AutoScalingGroups[0]
			sg := web.Group{Name: name, Min: g.MinSize, Max: g.MaxSize, Desired: g.DesiredCapacity, Instances: []web.GroupInstance{}}
			for _, in := range g.Instances {
				gi := web.GroupInstance{InstanceID: in.InstanceId, AZ: in.AvailabilityZone, LifecycleState: in.LifecycleState,
					HealthStatus: in.HealthStatus, Protected: in.ProtectedFromScaleIn}
				for _, a := range w.AutoScaling.LifecycleActions(in.InstanceId) {
					gi.PendingHooks = append(gi.PendingHooks, a.LifecycleHookName)
				}
				sg.Instances = append(sg.Instances, gi)
			}
			snap.Groups = append(snap.Groups, sg)
		}
		max := int32(activitiesShown)
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
					ID: lastPart(ci.ContainerInstanceArn), EC2InstanceID: ci.Ec2InstanceId, Status: ci.Status,
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
}

func lastPart(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// devUI is what dev serves beside the emulated AWS endpoint: the dashboard
// (unless off) and drainer's HTTP API.
type devUI struct {
	listen, api string
	off         bool
}

type devListeners struct {
	ui, api net.Listener
}

// listenAll opens the dashboard's and the API's listeners, so that a busy
// port fails dev at once.
func (u devUI) listenAll() (devListeners, error) {
	var l devListeners
	var err error
	if l.api, err = net.Listen("tcp", u.api); err != nil {
		return l, fmt.Errorf("listen on %s (drainer's API; --api-listen): %w", u.api, err)
	}
	if !u.off {
		if l.ui, err = net.Listen("tcp", u.listen); err != nil {
			l.api.Close()
			return devListeners{}, fmt.Errorf("listen on %s (the dashboard; --ui-listen, or --no-ui): %w", u.listen, err)
		}
	}
	return l, nil
}

func (l devListeners) close() {
	if l.api != nil {
		l.api.Close()
	}
	if l.ui != nil {
		l.ui.Close()
	}
}

// serve serves the dashboard (when dash is not nil) and the API on their
// listeners and says where.
func (l devListeners) serve(dash http.Handler, apiHandler http.Handler, stdout io.Writer) []*http.Server {
	var out []*http.Server
	start := func(ln net.Listener, h http.Handler) {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		out = append(out, srv)
	}
	apiURL := "http://" + l.api.Addr().String()
	start(l.api, apiHandler)
	if l.ui != nil && dash != nil {
		start(l.ui, dash)
		fmt.Fprintf(stdout, "dashboard on http://%s/\n", l.ui.Addr())
	} else if l.ui != nil {
		l.ui.Close()
	}
	fmt.Fprintf(stdout, "drainer's API on %s; try:\n  DRAINER_API=%s drainer drain i-…\n\n", apiURL, apiURL)
	return out
}
