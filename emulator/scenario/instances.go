package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ec2"
)

// instanceSets launches the hosts of the scenario's instance sets: a
// launch template carrying the cluster's user data (CreateLaunchTemplate,
// in the call log, named instances.N-template for the Nth set whatever
// its name, beside the groups' GROUP-template), then Count instances from
// it spread over the AZs, through EC2's launch seam (the emulator serves
// no RunInstances).
func (b *builder) instanceSets(sc *Scenario) error {
	for i, is := range sc.Instances {
		ids, err := b.instanceSet("instances."+strconv.Itoa(i), is)
		if err != nil {
			return fmt.Errorf("instances[%d]: %w", i, err)
		}
		if is.Name != "" {
			b.sets[is.Name] = ids
		}
	}
	return nil
}

func (b *builder) instanceSet(template string, is InstanceSet) ([]string, error) {
	w := b.w
	lt, err := b.launchTemplate(template, is.Cluster, is.InstanceType, is.SpotDraining, 0)
	if err != nil {
		return nil, err
	}
	azs := b.zones(is.AZs)
	market := "on-demand"
	if is.Spot {
		market = "spot"
	}
	var tags []ec2.Tag
	if is.Name != "" {
		tags = []ec2.Tag{{Key: "Name", Value: is.Name}}
	}
	count := max(is.Count, 1)
	ids := make([]string, 0, count)
	for n := range count {
		var inst *ec2.Instance
		w.Do(func() {
			inst, err = w.EC2.Launch(ec2.LaunchSpec{LaunchTemplateName: lt, Version: "$Latest", AZ: azs[n%len(azs)], Market: market, Tags: tags})
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, inst.ID)
	}
	return ids, nil
}

// InstanceSet returns the ids of the instances launched for the named
// instance set, in launch order (nil for an unknown name).
func (r *Run) InstanceSet(name string) []string { return append([]string(nil), r.sets[name]...) }

// pick chooses the instance a step acts on: its instance id when Instance
// is one; else among the running instances of its instance set, or the
// InService instances of its group ("waiting": those in
// Terminating:Wait), the oldest (default), the newest or the one at an
// index in launch order.
func (r *Run) pick(st Step) (string, error) {
	which := st.Instance
	if isInstanceID(which) {
		return which, nil
	}
	type cand struct {
		id string
		at time.Time
	}
	var cands []cand
	var from string
	w := r.World
	if st.Instances != "" {
		from = "instances " + st.Instances
		w.Do(func() {
			for _, id := range r.sets[st.Instances] {
				if e, ok := w.EC2.Instance(id); ok && e.State == ec2.StateRunning {
					cands = append(cands, cand{id, e.LaunchTime})
				}
			}
		})
	} else {
		from = "group " + st.Group
		out, err := emulator.Invoke(w, Caller, w.AutoScaling.DescribeAutoScalingGroups, autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{st.Group}})
		if err != nil {
			return "", err
		}
		if len(out.AutoScalingGroups) == 0 {
			return "", fmt.Errorf("group %s not found", st.Group)
		}
		state := autoscaling.StateInService
		if which == SelectWaiting {
			state = autoscaling.StateTerminatingWait
		}
		w.Do(func() {
			for _, inst := range out.AutoScalingGroups[0].Instances {
				if inst.LifecycleState != state {
					continue
				}
				if e, ok := w.EC2.Instance(inst.InstanceId); ok {
					cands = append(cands, cand{inst.InstanceId, e.LaunchTime})
				}
			}
		})
	}
	if len(cands) == 0 {
		if which == SelectWaiting {
			return "", fmt.Errorf("%s has no instance in Terminating:Wait", from)
		}
		if st.Instances != "" {
			return "", fmt.Errorf("%s has no running instance", from)
		}
		return "", fmt.Errorf("%s has no InService instance", from)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].at.Before(cands[j].at) })
	switch which {
	case "", "oldest", SelectWaiting:
		return cands[0].id, nil
	case "newest":
		return cands[len(cands)-1].id, nil
	}
	i, err := strconv.Atoi(which)
	if err != nil || i < 0 || i >= len(cands) {
		return "", fmt.Errorf("%s has no instance number %s (it has %d)", from, which, len(cands))
	}
	return cands[i].id, nil
}
