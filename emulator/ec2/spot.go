package ec2

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// runningSpot returns the record of a running Spot instance, or the error
// the fault-injection seams answer.
func (s *Service) runningSpot(id string) (*instRec, error) {
	rec, ok := s.instances[id]
	if !ok {
		if !wellFormed(id, "i-") {
			return nil, errMalformedInstanceID(id)
		}
		return nil, errInstancesNotFound([]string{id})
	}
	if !rec.inst.Spot {
		return nil, core.ClientError("UnsupportedOperation", "The instance '%s' is not a Spot Instance.", id)
	}
	if rec.inst.State != StateRunning {
		return nil, core.ClientError("IncorrectInstanceState", "The instance '%s' is not in the 'running' state.", id)
	}
	return rec, nil
}

// InterruptSpot sends a running Spot instance its two-minute warning: the
// listeners, then the EventBridge warning now, and Terminate (reason
// Server.SpotInstanceTermination) at +SpotWarning. An instance is warned
// once; a second call fails.
func (s *Service) InterruptSpot(id string) error {
	rec, err := s.runningSpot(id)
	if err != nil {
		return err
	}
	if !rec.interruptAt.IsZero() {
		return core.ClientError("IncorrectInstanceState", "The Spot Instance '%s' already has a pending interruption.", id)
	}
	at := s.env.Now().Add(s.opts.SpotWarning)
	rec.interruptAt = at
	s.dispatch(func() {
		for _, fn := range s.spotListeners {
			fn(&rec.inst, at)
		}
		s.opts.Events.Emit(s.SpotWarningEvent(id))
	})
	s.env.At(at, func() { s.terminate(rec, ReasonSpotTermination) })
	return nil
}

// InterruptionTime returns when a warned Spot instance will be terminated.
func (s *Service) InterruptionTime(id string) (time.Time, bool) {
	rec, ok := s.instances[id]
	if !ok || rec.interruptAt.IsZero() {
		return time.Time{}, false
	}
	return rec.interruptAt, true
}

// RecommendRebalance sends a running Spot instance a rebalance
// recommendation: the listeners, then the EventBridge event.
func (s *Service) RecommendRebalance(id string) error {
	rec, err := s.runningSpot(id)
	if err != nil {
		return err
	}
	s.dispatch(func() {
		for _, fn := range s.rebalanceListeners {
			fn(&rec.inst)
		}
		s.opts.Events.Emit(s.RebalanceEvent(id))
	})
	return nil
}
