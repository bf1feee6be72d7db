package front

import (
	"net/http"
	"strings"
)

// instanceRequest names an EC2 instance.
type instanceRequest struct {
	InstanceID string `json:"instanceId"`
}

// instanceAction serves a POST {"instanceId"} that runs act under the world
// lock and answers {"instanceId", "done"}.
func (h *Handler) instanceAction(rw http.ResponseWriter, r *http.Request, done string, act func(id string) error) error {
	var in instanceRequest
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if !strings.HasPrefix(in.InstanceID, "i-") {
		return statusErr(http.StatusBadRequest, "instanceId %q is not an EC2 instance id (i-…)", in.InstanceID)
	}
	var err error
	h.w.Do(func() { err = act(in.InstanceID) })
	if err != nil {
		return err
	}
	return ok(rw, map[string]string{"instanceId": in.InstanceID, "done": done})
}

// interruptSpot: POST /_emulator/spot/interrupt {"instanceId"} sends a
// Spot interruption warning; the instance terminates two minutes later.
func (h *Handler) interruptSpot(rw http.ResponseWriter, r *http.Request) error {
	return h.instanceAction(rw, r, "spot-interruption", h.w.EC2.InterruptSpot)
}

// recommendRebalance: POST /_emulator/spot/rebalance {"instanceId"}.
func (h *Handler) recommendRebalance(rw http.ResponseWriter, r *http.Request) error {
	return h.instanceAction(rw, r, "rebalance-recommendation", h.w.EC2.RecommendRebalance)
}

// disconnectAgent: POST /_emulator/agent/disconnect {"instanceId"}.
func (h *Handler) disconnectAgent(rw http.ResponseWriter, r *http.Request) error {
	return h.instanceAction(rw, r, "agent-disconnected", h.w.ECS.DisconnectAgent)
}

// reconnectAgent: POST /_emulator/agent/reconnect {"instanceId"}.
func (h *Handler) reconnectAgent(rw http.ResponseWriter, r *http.Request) error {
	return h.instanceAction(rw, r, "agent-reconnected", h.w.ECS.ReconnectAgent)
}
