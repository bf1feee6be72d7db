package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/drainer-dev/drainer/awsid"
	"github.com/drainer-dev/drainer/drain"
)

// DrainRequest is the body of POST /v1/drains.
type DrainRequest struct {
	InstanceID string `json:"instanceId"`
	// Deadline is the graceful phase, a Go duration ("30m", "2h"); empty
	// means the operator default of the policy.
	Deadline string `json:"deadline,omitempty"`
	// Reason is the operator's note, logged with the drain.
	Reason string `json:"reason,omitempty"`
}

// DeregisterRequest is the body of POST /v1/deregister.
type DeregisterRequest struct {
	InstanceID string `json:"instanceId"`
	Force      bool   `json:"force"`
}

// Drain is a drain in progress as the API shows it.
type Drain struct {
	InstanceID    string    `json:"instance"`
	Group         string    `json:"group,omitempty"` // known for lifecycle drains
	Cluster       string    `json:"cluster"`
	Reason        string    `json:"reason"`
	Phase         string    `json:"phase"`
	Started       time.Time `json:"started"`
	GracefulUntil time.Time `json:"gracefulUntil"`
	Deadline      time.Time `json:"deadline"`
	Next          time.Time `json:"next,omitzero"`
	// TasksLeft counts the tasks still on the instance by class, as of the
	// controller's last look.
	TasksLeft map[string]int `json:"tasksLeft,omitempty"`
}

// DrainList is the body of GET /v1/drains.
type DrainList struct {
	// Now is the controller's time, which clients count deadlines from
	// (under drainer dev it is the emulated world's, not the wall clock's).
	Now    time.Time `json:"now"`
	Drains []Drain   `json:"drains"`
}

// checkInstanceID refuses a request without an EC2 instance id.
func checkInstanceID(id string) error {
	if id == "" {
		return errors.New("instanceId is required (an EC2 instance id such as i-0123456789abcdef0)")
	}
	if err := awsid.CheckInstanceID(id); err != nil {
		return fmt.Errorf("instanceId: %w", err)
	}
	return nil
}

func (s *server) postDrain(w http.ResponseWriter, r *http.Request) {
	var req DrainRequest
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := checkInstanceID(req.InstanceID); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	t := drain.Trigger{Reason: drain.ReasonOperator, At: s.clk.Now()}
	if req.Deadline != "" {
		d, err := time.ParseDuration(req.Deadline)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("deadline %q: want a positive duration such as 30m or 2h", req.Deadline))
			return
		}
		t.Graceful = d
	}
	s.log.Info("operator drain requested", "instance", req.InstanceID, "deadline", req.Deadline, "note", req.Reason, "remote", r.RemoteAddr)
	s.start(w, r, req.InstanceID, t)
}

func (s *server) postDeregister(w http.ResponseWriter, r *http.Request) {
	var req DeregisterRequest
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := checkInstanceID(req.InstanceID); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !req.Force {
		writeError(w, http.StatusBadRequest, "deregister needs \"force\": true: it skips the graceful phase and stops every task on the instance at once; use POST /v1/drains for a graceful drain")
		return
	}
	s.log.Warn("operator forced deregistration requested", "instance", req.InstanceID, "remote", r.RemoteAddr)
	s.start(w, r, req.InstanceID, drain.Trigger{Reason: drain.ReasonForced, At: s.clk.Now()})
}

// start begins the drain and answers with it as recorded.
func (s *server) start(w http.ResponseWriter, r *http.Request, id string, t drain.Trigger) {
	err := s.d.Start(r.Context(), id, t)
	switch {
	case errors.Is(err, drain.ErrNotContainerInstance):
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s is not a container instance of a cluster this drainer serves: nothing to drain", id))
		return
	case errors.Is(err, drain.ErrOverBudget):
		writeError(w, http.StatusTooManyRequests, err.Error()+"; try again when a drain in the group has finished")
		return
	case err != nil:
		s.log.Error("operator drain failed", "instance", id, "reason", t.Reason, "error", err)
		writeError(w, http.StatusServiceUnavailable, "could not record the drain: "+err.Error())
		return
	}
	for _, st := range s.d.Drains() {
		if st.InstanceID == id {
			writeJSON(w, http.StatusAccepted, toDrain(st))
			return
		}
	}
	// Already finished (or finishing) between Start and now.
	writeJSON(w, http.StatusAccepted, Drain{InstanceID: id, Reason: string(t.Reason), Phase: string(drain.PhaseDone)})
}

func (s *server) listDrains(w http.ResponseWriter, r *http.Request) {
	out := DrainList{Now: s.clk.Now(), Drains: []Drain{}}
	for _, st := range s.d.Drains() {
		out.Drains = append(out.Drains, toDrain(st))
	}
	writeJSON(w, http.StatusOK, out)
}

func toDrain(st drain.Status) Drain {
	return Drain{
		InstanceID: st.InstanceID, Group: st.Record.Group, Cluster: awsid.ClusterName(st.Cluster), Reason: string(st.Record.Reason), Phase: string(st.Phase),
		Started: st.Record.Started, GracefulUntil: st.Record.GracefulUntil, Deadline: st.Record.Deadline, Next: st.Next,
		TasksLeft: st.TasksLeft,
	}
}
