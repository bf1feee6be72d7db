package ec2

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Network interface statuses.
const (
	ENIInUse     = "in-use"
	ENIAvailable = "available"
)

// NetworkInterface is the ground truth about one elastic network interface
// of an awsvpc task. Callers treat it as read-only.
type NetworkInterface struct {
	ID, AZ, Status, Description, InstanceID, PrivateIP string // InstanceID is empty once detached
	CreatedAt                                          time.Time
}

// eniRec is the bookkeeping around one NetworkInterface.
type eniRec struct {
	ni         NetworkInterface
	seq        uint64
	attachID   string
	attachTime time.Time
	device     int32
	inst       *instRec // nil when detached
	removed    bool
}

// AttachNetworkInterface creates an interface in the instance's zone and
// attaches it ("in-use"). An instance takes at most its type's MaxENIs-1 of
// them, the primary interface holding the remaining slot.
func (s *Service) AttachNetworkInterface(instanceID, description string) (*NetworkInterface, error) {
	rec, ok := s.instances[instanceID]
	if !ok {
		if !wellFormed(instanceID, "i-") {
			return nil, errMalformedInstanceID(instanceID)
		}
		return nil, errInstancesNotFound([]string{instanceID})
	}
	if st := rec.inst.State; st != StatePending && st != StateRunning {
		return nil, core.ClientError("IncorrectInstanceState", "The instance '%s' is not in a valid state for this operation.", instanceID)
	}
	it, _ := LookupType(rec.inst.InstanceType)
	if len(rec.enis)+1 >= it.MaxENIs {
		return nil, core.ClientError("AttachmentLimitExceeded", "Interface count %d exceeds the limit for %s", len(rec.enis)+2, it.Name)
	}
	now := s.env.Now()
	e := &eniRec{
		ni: NetworkInterface{
			ID:          s.newID("eni-", func(id string) bool { _, ok := s.enis[id]; return ok }),
			AZ:          rec.inst.AZ,
			Status:      ENIInUse,
			Description: description,
			InstanceID:  instanceID,
			PrivateIP:   s.allocIP(),
			CreatedAt:   now,
		},
		seq:        s.nextSeq(),
		attachID:   s.env.ID("eni-attach-", 17),
		attachTime: now,
		device:     freeDevice(rec.enis),
		inst:       rec,
	}
	s.enis[e.ni.ID] = e
	s.eniOrder = append(s.eniOrder, e)
	rec.enis = append(rec.enis, e)
	return &e.ni, nil
}

// freeDevice returns the lowest device index above the primary's 0 that no
// attached interface uses.
func freeDevice(enis []*eniRec) int32 {
	for d := int32(1); ; d++ {
		used := false
		for _, e := range enis {
			if e.device == d {
				used = true
				break
			}
		}
		if !used {
			return d
		}
	}
}

// DetachNetworkInterface detaches an attached interface and deletes it, or,
// when leak is true, leaves it "available" for drainer to clean up. An
// unknown or already detached interface is left as it is: only
// DeleteNetworkInterface removes an available one, so a leak stays a leak.
func (s *Service) DetachNetworkInterface(id string, leak bool) {
	e, ok := s.enis[id]
	if !ok || e.inst == nil {
		return
	}
	s.unlink(e)
	if leak {
		s.release(e)
		return
	}
	s.forgetENI(e)
}

// detachAll leaves every interface of a dying instance available.
func (s *Service) detachAll(rec *instRec) {
	for _, e := range rec.enis {
		e.inst = nil
		s.release(e)
	}
	rec.enis = nil
}

// unlink removes e from its instance's attachment list.
func (s *Service) unlink(e *eniRec) {
	rec := e.inst
	for i, x := range rec.enis {
		if x == e {
			rec.enis = append(rec.enis[:i], rec.enis[i+1:]...)
			break
		}
	}
	e.inst = nil
}

// release marks a detached interface available.
func (s *Service) release(e *eniRec) {
	e.ni.Status = ENIAvailable
	e.ni.InstanceID = ""
	e.attachID = ""
	e.attachTime = time.Time{}
	e.device = 0
}

// forgetENI deletes an interface.
func (s *Service) forgetENI(e *eniRec) {
	if e.removed {
		return
	}
	e.removed = true
	delete(s.enis, e.ni.ID)
	s.eniDead++
	if s.eniDead > 64 && s.eniDead > len(s.eniOrder)/2 {
		live := s.eniOrder[:0]
		for _, r := range s.eniOrder {
			if !r.removed {
				live = append(live, r)
			}
		}
		clear(s.eniOrder[len(live):])
		s.eniOrder = live
		s.eniDead = 0
	}
}

// NetworkInterfaces returns the existing interfaces in creation order.
func (s *Service) NetworkInterfaces() []*NetworkInterface {
	out := make([]*NetworkInterface, 0, len(s.eniOrder)-s.eniDead)
	for _, e := range s.eniOrder {
		if !e.removed {
			out = append(out, &e.ni)
		}
	}
	return out
}
