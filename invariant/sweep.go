package invariant

import (
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/emulator/ec2"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// endedHost is a terminated instance whose tasks' network interfaces must
// be gone by due (rule 6).
type endedHost struct {
	id      string
	at, due time.Time
}

// noteTaskNetwork remembers the network interface ECS attached for an
// awsvpc task of a served cluster (the task's ElasticNetworkInterface
// attachment names it) and the instance it was attached on: once the
// interface is left available, nothing else in the world says where it was.
func (c *Checker) noteTaskNetwork(t *ecs.Task) {
	if len(t.Attachments) == 0 {
		return
	}
	ci := t.ContainerInstance()
	if ci == nil {
		return
	}
	for _, d := range t.Attachments[0].Details {
		if d.Name != "networkInterfaceId" || d.Value == "" {
			continue
		}
		if _, known := c.eniHost[d.Value]; !known && c.serves(awsid.ClusterName(t.ClusterArn)) {
			c.eniHost[d.Value] = ci.Ec2InstanceId
		}
		if _, known := c.eniFreed[d.Value]; !known && t.LastStatus == ecs.StatusStopped {
			c.eniFreed[d.Value] = c.w.Env.Now()
		}
	}
}

// hostEnded starts the sweep interval of a terminated instance.
func (c *Checker) hostEnded(id string) {
	now := c.w.Env.Now()
	c.ended = append(c.ended, endedHost{id: id, at: now, due: now.Add(c.opts.SweepInterval)})
}

// sweep reports the interfaces still available that tasks left on
// instances terminated at least one sweep interval ago, whoever ended them
// (rule 6); each instance is looked at once, at the first event after its
// interval.
func (c *Checker) sweep(now time.Time) {
	if len(c.ended) == 0 || now.Before(c.ended[0].due) {
		return
	}
	due := map[string]endedHost{}
	for len(c.ended) > 0 && !now.Before(c.ended[0].due) {
		due[c.ended[0].id] = c.ended[0]
		c.ended = c.ended[1:]
	}
	for _, eni := range c.w.EC2.NetworkInterfaces() {
		host, ok := c.eniHost[eni.ID]
		if !ok {
			continue
		}
		if e, isDue := due[host]; isDue && eni.Status == ec2.ENIAvailable {
			c.fail(6, eni.ID, "network interface a task left on %s still available %s after the instance was terminated (at %s)",
				host, now.Sub(e.at), e.at.Format(time.RFC3339))
		}
	}
	for eni, host := range c.eniHost {
		if _, isDue := due[host]; isDue {
			delete(c.eniHost, eni)
		}
	}
}
