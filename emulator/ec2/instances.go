package ec2

import (
	"cmp"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/emulator/core"
)

// State is an instance state name.
type State string

// Instance states and their EC2 codes (0, 16, 32, 48).
const (
	StatePending      State = "pending"
	StateRunning      State = "running"
	StateShuttingDown State = "shutting-down"
	StateTerminated   State = "terminated"
)

// Code returns the state's EC2 numeric code.
func (st State) Code() int32 {
	switch st {
	case StatePending:
		return 0
	case StateRunning:
		return 16
	case StateShuttingDown:
		return 32
	case StateTerminated:
		return 48
	}
	return -1
}

// State reason codes an instance can carry after termination.
const (
	ReasonUserInitiated   = "Client.UserInitiatedShutdown"
	ReasonSpotTermination = "Server.SpotInstanceTermination"
)

// DefaultImageID is the AMI of instances launched without a template.
const DefaultImageID = "ami-0e0e0e0e0e0e0e0e0"

// Tag is an EC2 tag.
type Tag struct{ Key, Value string }

// Instance is the emulator's ground truth about one instance. Callers treat
// it as read-only; it changes only inside world events.
type Instance struct {
	ID, InstanceType, AZ, ImageID, PrivateIP string
	State                                    State
	StateReason                              string // as given to Terminate, e.g. "Server.SpotInstanceTermination", "User initiated (Auto Scaling)"; empty until termination
	Spot                                     bool
	LaunchTime                               time.Time
	UserData                                 string // decoded plain text
	LaunchTemplateID, LaunchTemplateVersion  string
	SubnetID, VpcID                          string // the subnet it runs in and its VPC; "" outside any
	Tags                                     []Tag
}

// Tag returns the value of the tag key and whether the instance has it.
func (i *Instance) Tag(key string) (string, bool) {
	for _, t := range i.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// LaunchSpec is what Auto Scaling (or a test) asks EC2 to launch.
type LaunchSpec struct {
	LaunchTemplateID, LaunchTemplateName, Version string // Version: "", "$Latest", "$Default" or a number; "" means $Default
	InstanceType                                  string // overrides the template's when set
	AZ                                            string // required unless SubnetID is given
	SubnetID                                      string // the subnet to launch in; "" for the zone's default subnet
	ImageID                                       string // without a template: the image (default DefaultImageID)
	UserData                                      string // without a template: base64 user data
	Market                                        string // "spot", "on-demand", or "" for the template's InstanceMarketOptions
	Tags                                          []Tag  // applied after the template's instance tags, e.g. aws:autoscaling:groupName
}

// instRec is the bookkeeping around one Instance.
type instRec struct {
	inst          Instance
	seq           uint64
	reservationID string
	reasonAt      time.Time // when termination was asked for, for StateTransitionReason
	enis          []*eniRec // attached interfaces
	launchTimer   clock.Timer
	interruptAt   time.Time // Spot termination time once warned
	removed       bool
}

// Launch starts an instance: pending now, running after LaunchDelay.
func (s *Service) Launch(spec LaunchSpec) (*Instance, error) {
	plan, err := s.planLaunch(spec)
	if err != nil {
		return nil, err
	}
	return s.start(plan, ""), nil
}

// planLaunch checks a launch and works out the instance it makes, without
// changing anything.
func (s *Service) planLaunch(spec LaunchSpec) (Instance, error) {
	var subnet *subnetRec
	if spec.SubnetID != "" {
		sn, err := s.findSubnet(spec.SubnetID)
		if err != nil {
			return Instance{}, err
		}
		if spec.AZ != "" && spec.AZ != sn.sn.AvailabilityZone {
			return Instance{}, core.ClientError("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnet %s is in availability zone %s",
				spec.AZ, sn.sn.SubnetId, sn.sn.AvailabilityZone)
		}
		subnet, spec.AZ = sn, sn.sn.AvailabilityZone
	}
	if !s.validAZ(spec.AZ) {
		return Instance{}, core.ClientError("InvalidParameterValue", "Invalid availability zone: [%s]", spec.AZ)
	}
	if subnet == nil {
		subnet = s.defaultSubnet(spec.AZ)
	}
	inst := Instance{AZ: spec.AZ, ImageID: cmp.Or(spec.ImageID, DefaultImageID), InstanceType: spec.InstanceType}
	if spec.UserData != "" {
		b, err := base64.StdEncoding.DecodeString(spec.UserData)
		if err != nil {
			return Instance{}, core.ClientError("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
		}
		inst.UserData = string(b)
	}
	if subnet != nil {
		inst.SubnetID, inst.VpcID = subnet.sn.SubnetId, subnet.sn.VpcId
	}
	var market string
	var tags []Tag
	if spec.LaunchTemplateID != "" || spec.LaunchTemplateName != "" {
		lt, err := s.findTemplate(spec.LaunchTemplateID, spec.LaunchTemplateName)
		if err != nil {
			return Instance{}, err
		}
		v, err := lt.version(spec.Version)
		if err != nil {
			return Instance{}, err
		}
		d := v.data
		if d.ImageId == "" {
			return Instance{}, errMissing("ImageId")
		}
		inst.ImageID = d.ImageId
		if inst.InstanceType == "" {
			inst.InstanceType = d.InstanceType
		}
		if d.InstanceMarketOptions != nil {
			market = d.InstanceMarketOptions.MarketType
		}
		if d.UserData != "" {
			// Validated when the version was created.
			b, _ := base64.StdEncoding.DecodeString(d.UserData)
			inst.UserData = string(b)
		}
		for _, ts := range d.TagSpecifications {
			if ts.ResourceType == "instance" {
				tags = append(tags, ts.Tags...)
			}
		}
		inst.LaunchTemplateID = lt.id
		inst.LaunchTemplateVersion = strconv.FormatInt(v.number, 10)
	}
	if inst.InstanceType == "" {
		return Instance{}, errMissing("InstanceType")
	}
	if _, ok := LookupType(inst.InstanceType); !ok {
		return Instance{}, core.ClientError("InvalidParameterValue", "Invalid value '%s' for InstanceType.", inst.InstanceType)
	}
	if spec.Market != "" {
		market = spec.Market
	}
	switch market {
	case "", "on-demand":
	case "spot":
		inst.Spot = true
	default:
		return Instance{}, core.ClientError("InvalidParameterValue", "Invalid value '%s' for MarketType.", market)
	}
	tags = append(tags, spec.Tags...)
	if inst.LaunchTemplateID != "" {
		// EC2 tags instances launched from a template with its id and version.
		tags = append(tags,
			Tag{"aws:ec2launchtemplate:id", inst.LaunchTemplateID},
			Tag{"aws:ec2launchtemplate:version", inst.LaunchTemplateVersion})
	}
	inst.Tags = mergeTags(tags)

	return inst, nil
}

// start launches a planned instance into reservation resID ("" for a
// reservation of its own).
func (s *Service) start(inst Instance, resID string) *Instance {
	inst.ID = s.newID("i-", func(id string) bool { _, ok := s.instances[id]; return ok })
	inst.PrivateIP = s.allocIP()
	inst.LaunchTime = s.env.Now()
	if resID == "" {
		resID = s.env.ID("r-", 17)
	}
	rec := &instRec{inst: inst, seq: s.nextSeq(), reservationID: resID}
	rec.inst.State = StatePending // nobody has seen it yet: only the notification may wait
	s.instances[inst.ID] = rec
	s.instOrder = append(s.instOrder, rec)
	s.dispatch(func() { s.notify(rec, "", StatePending) })
	rec.launchTimer = s.env.After(s.opts.LaunchDelay, func() {
		s.dispatch(func() {
			if rec.inst.State == StatePending {
				s.change(rec, StateRunning)
			}
		})
	})
	return &rec.inst
}

// validAZ accepts the region's zone names: the region followed by one letter.
func (s *Service) validAZ(az string) bool {
	r := s.env.Region
	return len(az) == len(r)+1 && az[:len(r)] == r && az[len(r)] >= 'a' && az[len(r)] <= 'z'
}

// mergeTags keeps the last value of each key, in first-seen key order.
func mergeTags(tags []Tag) []Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value = t.Value
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// Terminate moves the instance to shutting-down now and terminated after
// ShutdownDelay. reason is kept as Instance.StateReason: a state reason
// code, or free text such as "User initiated (Auto Scaling)" that the API
// reports as Client.UserInitiatedShutdown; "" means Client.UserInitiatedShutdown. Terminating an instance that is already
// shutting down or terminated does nothing. Called from a listener, the
// termination happens right after the current change's notifications.
func (s *Service) Terminate(id, reason string) error {
	rec, ok := s.instances[id]
	if !ok {
		if !wellFormed(id, "i-") {
			return errMalformedInstanceID(id)
		}
		return errInstancesNotFound([]string{id})
	}
	s.terminate(rec, reason)
	return nil
}

func (s *Service) terminate(rec *instRec, reason string) {
	if reason == "" {
		reason = ReasonUserInitiated
	}
	s.dispatch(func() {
		if st := rec.inst.State; st == StateShuttingDown || st == StateTerminated {
			return
		}
		if rec.launchTimer != nil {
			rec.launchTimer.Stop()
			rec.launchTimer = nil
		}
		rec.inst.StateReason = reason
		rec.reasonAt = s.env.Now()
		s.change(rec, StateShuttingDown)
		s.env.After(s.opts.ShutdownDelay, func() {
			s.dispatch(func() { s.change(rec, StateTerminated) })
			s.env.After(s.opts.TerminatedRetention, func() { s.forget(rec) })
		})
	})
}

// dispatch runs one change with its notifications. A change requested by a
// listener (Auto Scaling terminating an instance it just saw running, say)
// waits until the current change's listeners and event are done, so every
// listener and every event sees changes in the order they happened.
func (s *Service) dispatch(f func()) {
	if s.dispatching {
		s.queue = append(s.queue, f)
		return
	}
	s.dispatching = true
	f()
	for i := 0; i < len(s.queue); i++ {
		s.queue[i]()
	}
	clear(s.queue)
	s.queue = s.queue[:0]
	s.dispatching = false
}

// change applies a state (detaching interfaces on shutdown), then notifies.
func (s *Service) change(rec *instRec, to State) {
	from := rec.inst.State
	rec.inst.State = to
	if to == StateShuttingDown {
		s.detachAll(rec)
	}
	s.notify(rec, from, to)
}

// notify tells the listeners, then publishes the event: the order the
// package doc promises.
func (s *Service) notify(rec *instRec, from, to State) {
	for _, fn := range s.stateListeners {
		fn(&rec.inst, from)
	}
	s.emit(DetailTypeStateChange, rec.inst.ID, StateChangeDetail{InstanceID: rec.inst.ID, State: to})
}

// forget drops a terminated instance once its retention has passed.
func (s *Service) forget(rec *instRec) {
	if rec.removed {
		return
	}
	rec.removed = true
	delete(s.instances, rec.inst.ID)
	s.instDead++
	if s.instDead > 64 && s.instDead > len(s.instOrder)/2 {
		live := s.instOrder[:0]
		for _, r := range s.instOrder {
			if !r.removed {
				live = append(live, r)
			}
		}
		clear(s.instOrder[len(live):])
		s.instOrder = live
		s.instDead = 0
	}
}

// Instance returns the instance with the given id, while it is visible
// (terminated instances vanish after TerminatedRetention).
func (s *Service) Instance(id string) (*Instance, bool) {
	rec, ok := s.instances[id]
	if !ok {
		return nil, false
	}
	return &rec.inst, true
}

// Instances returns the visible instances in launch order.
func (s *Service) Instances() []*Instance {
	out := make([]*Instance, 0, len(s.instOrder)-s.instDead)
	for _, r := range s.instOrder {
		if !r.removed {
			out = append(out, &r.inst)
		}
	}
	return out
}
